"""A synthetic deployment built from the real reference data: every desa of the chosen area in its kecamatan.

Areas and obligations are loaded by the application's own import (`import_area`, the path `klambi villages import`
takes). People, targets and the submitted versions are then written as rows in bulk: going through
`record_document` one version at a time (with its audit entry and file) would take hours at the national size and
measure the import, not the bot. Versions have no files (the indicator, the ranking and the reminders never read them).

The timing is seeded per kecamatan and per obligation, so two runs build the same deployment: most documents arrive
on time, some late, some are rejected and sent again (on time or late), some never arrive; each kecamatan has its own
discipline, so the ranking has something to rank.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.services.calendar import load_calendar
from bot.services.places import import_area
from bot.wilayah import Level, level_of, reference_areas, timezone_of_province
from models.documents import TimelinessBasis
from models.status import ReviewStatus
from models.tables import (
    Channel,
    Contact,
    Desa,
    DocumentType,
    Kecamatan,
    Obligation,
    Person,
    Role,
    RoleAssignment,
    ScopeKind,
    Submission,
    Target,
)

WIB = ZoneInfo("Asia/Jakarta")
# The benchmark's "now": early in 2025, the five performance years 2020-2024 are closed, 2025 has just begun.
NOW = datetime(2025, 1, 2, 8, 0, tzinfo=WIB)
HISTORY_YEARS = (2020, 2021, 2022, 2023, 2024)
PERFORMANCE_YEARS = (*HISTORY_YEARS, 2025)
TELEGRAM_ID_BASE = 10_000_000  # a person's Telegram user id (and private chat id) is this plus their row id
SEKDES_SHARE = 0.85  # desa whose secretary is on the bot
PENDAMPING_SHARE = 0.25  # desa whose pendamping is on the bot
BATCH = 5_000  # rows per executemany
Progress = Callable[[int], None]


@dataclass(frozen=True)
class Size:
    """How much of the country to build: a list of area codes (provinces, kabupaten or kecamatan)."""

    name: str
    areas: tuple[str, ...]

    @classmethod
    def named(cls, name: str) -> Size:
        if name == "quick":
            return cls("quick", ("35.08",))  # Kabupaten Lumajang: 21 kecamatan, 198 desa
        if name == "national":
            return cls("national", tuple(k for k in reference_areas() if level_of(k) is Level.PROVINSI))
        codes = tuple(c.strip() for c in name.split(",") if c.strip())
        if not codes or any(c not in reference_areas() for c in codes):
            raise ValueError(f"size {name!r}: quick, national or area codes such as 35 or 35.08,33")
        return cls(name, codes)

    def desa_count(self) -> int:
        return sum(
            1
            for k in reference_areas()
            if level_of(k) in (Level.DESA, Level.DESA_ADAT) and any(k.startswith(a + ".") for a in self.areas)
        )


@dataclass
class Generated:
    kecamatan: int = 0
    desa: int = 0
    obligations: int = 0
    submissions: int = 0
    people: int = 0
    seconds: float = 0.0


async def generate(app: App, size: Size, progress: Callable[[str, int], Progress]) -> Generated:
    """Build the deployment into an empty, migrated database. `progress(label, total)` gives a step callback."""
    result = Generated()
    step = progress("wilayah dan kewajiban", size.desa_count())
    for area in size.areas:
        async with app.sessions() as session, session.begin():
            calendar = await load_calendar(session)
            summary = await import_area(session, area, NOW, PERFORMANCE_YEARS, calendar, step)
        result.kecamatan += len(summary.kecamatan_codes)
        result.desa += summary.desa_added
        result.obligations += summary.obligations_added
    async with app.sessions() as session, session.begin():
        result.people = await _people_and_targets(session)
    async with app.sessions() as session:
        kinds = {k.code: k.timeliness_basis for k in await session.scalars(select(DocumentType))}
        staf = dict((await session.execute(_staf_by_kecamatan())).all())
        last_id = await session.scalar(select(func.max(Obligation.id))) or 0
    step = progress("versi dokumen", last_id)
    for start in range(0, last_id, BATCH * 4):
        async with app.sessions() as session, session.begin():
            rows = await session.execute(
                select(Obligation.id, Obligation.desa_kode, Obligation.document_code, Obligation.legal_deadline)
                .where(Obligation.id > start, Obligation.id <= start + BATCH * 4)
                .order_by(Obligation.id)
            )
            versions = [
                v
                for oid, desa, code, deadline in rows
                for v in versions_of(oid, desa, kinds[code], deadline, staf.get(desa[:8]))
            ]
            for chunk in range(0, len(versions), BATCH):
                await session.execute(insert(Submission), versions[chunk : chunk + BATCH])
            result.submissions += len(versions)
        step(min(BATCH * 4, last_id - start))
    async with app.sessions() as session, session.begin():
        await session.execute(text("ANALYZE"))  # fresh statistics, as a deployment's autovacuum would have
    return result


def _staf_by_kecamatan():
    return select(RoleAssignment.scope_code, RoleAssignment.person_id).where(RoleAssignment.role == Role.STAF)


async def _people_and_targets(session: AsyncSession) -> int:
    """A staf and a camat for every kecamatan, a sekdes for most desa and a pendamping for some; IKU targets."""
    next_id = (await session.scalar(select(func.max(Person.id))) or 0) + 1
    people: list[dict] = []
    contacts: list[dict] = []
    roles: list[dict] = []

    def person(name: str, role: Role, kind: ScopeKind, scope: str) -> None:
        nonlocal next_id
        pid, next_id = next_id, next_id + 1
        people.append({"id": pid, "name": name, "created_at": NOW})
        contacts.append(
            {"person_id": pid, "channel": "telegram", "user_id": str(TELEGRAM_ID_BASE + pid), "linked_at": NOW}
        )
        roles.append(
            {"person_id": pid, "role": role, "scope_kind": kind, "scope_code": scope, "granted_at": NOW}
        )  # fmt: skip

    kecamatan = list(await session.scalars(select(Kecamatan.kode).order_by(Kecamatan.kode)))
    targets = []
    for kode in kecamatan:
        person(f"Staf {kode}", Role.STAF, ScopeKind.KECAMATAN, kode)
        person(f"Camat {kode}", Role.CAMAT, ScopeKind.KECAMATAN, kode)
        for year in PERFORMANCE_YEARS:
            targets.append(
                {"kecamatan_kode": kode, "indicator": "IKU", "year": year, "awal": Decimal("85.00"),
                 "perubahan": Decimal("90.00"), "renstra": Decimal("95.00"), "higher_is_better": True}
            )  # fmt: skip
    for kode in await session.scalars(select(Desa.kode).order_by(Desa.kode)):
        rng = random.Random(f"people:{kode}")
        if rng.random() < SEKDES_SHARE:
            person(f"Sekdes {kode}", Role.SEKDES, ScopeKind.DESA, kode)
        if rng.random() < PENDAMPING_SHARE:
            person(f"Pendamping {kode}", Role.PENDAMPING, ScopeKind.DESA, kode)
    for table, rows in ((Person, people), (Contact, contacts), (RoleAssignment, roles), (Target, targets)):
        for start in range(0, len(rows), BATCH):
            await session.execute(insert(table), rows[start : start + BATCH])
    if session.bind.dialect.name == "postgresql":  # ids were given: move the sequence past them
        await session.execute(
            text("SELECT setval(pg_get_serial_sequence('person', 'id'), (SELECT max(id) FROM person))")
        )
    return len(people)


def _discipline(kecamatan_kode: str) -> float:
    """The share of documents a kecamatan's desa hand in on time (its own, stable across runs)."""
    return random.Random(f"discipline:{kecamatan_kode}").uniform(0.55, 0.95)


def versions_of(
    obligation_id: int, desa_kode: str, basis: TimelinessBasis, deadline: date, reviewer: int | None
) -> list[dict]:
    """The versions one obligation received, as rows; none after NOW (the future has not happened)."""
    rng = random.Random(obligation_id * 7919 + 17)
    on_time = _discipline(desa_kode[:8])
    weights = {
        "on_time": on_time,
        "late": (1 - on_time) * 0.45,
        "resent_on_time": 0.06,
        "resent_late": (1 - on_time) * 0.2,
        "missing": (1 - on_time) * 0.35,
    }
    outcome = rng.choices(list(weights), list(weights.values()))[0]
    if outcome == "missing":
        return []
    tz = ZoneInfo(timezone_of_province(desa_kode[:2]))
    if outcome == "on_time":
        plan = [(deadline - timedelta(days=rng.randint(0, 45)), ReviewStatus.ACCEPTED)]
    elif outcome == "late":
        plan = [(deadline + timedelta(days=rng.randint(1, 75)), ReviewStatus.ACCEPTED)]
    else:
        first = deadline - timedelta(days=rng.randint(15, 45))
        again = first + timedelta(days=rng.randint(4, 12)) if outcome == "resent_on_time" else None
        plan = [(first, ReviewStatus.REJECTED), (again or deadline + timedelta(days=rng.randint(1, 40)), None)]
        plan[1] = (plan[1][0], ReviewStatus.ACCEPTED)
    rows = []
    for version, (basis_day, verdict) in enumerate(plan, 1):
        if basis is TimelinessBasis.PENETAPAN:
            penetapan = basis_day
            received_day = basis_day + timedelta(days=rng.randint(0, 7))
        else:
            received_day = basis_day
            penetapan = basis_day - timedelta(days=rng.randint(0, 10))
        received = datetime.combine(received_day, time(9 + rng.randint(0, 6), rng.randint(0, 59)), tz)
        if received > NOW:
            break
        reviewed: datetime | None = received + timedelta(days=rng.randint(0, 4), hours=2)
        status = verdict
        if reviewed > NOW:
            reviewed, status = None, ReviewStatus.MENUNGGU
        rows.append(
            {"obligation_id": obligation_id, "version": version, "tanggal_penetapan": penetapan,
             "nomor": f"{rng.randint(1, 20)}/{penetapan.year}", "received_at": received.astimezone(UTC),
             "channel": rng.choices([Channel.TELEGRAM, Channel.PAPER, Channel.CLI], [6, 3, 1])[0],
             "review_status": status, "reviewed_by_id": reviewer if reviewed else None,
             "reviewed_at": reviewed.astimezone(UTC) if reviewed else None,
             "review_reason": "Lampiran belum ditandatangani kepala desa" if status is ReviewStatus.REJECTED else None,
             "recorded_at": received.astimezone(UTC)}
        )  # fmt: skip
        if status is not ReviewStatus.REJECTED:
            break
    return rows
