"""Read models: what the command line (and later the dashboard) shows, as plain rows. Reads only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.calendar import load_calendar
from bot.services.places import document_kinds, require_kecamatan
from models.documents import performance_year_obligations
from models.tables import Desa, Extension, Kabupaten, Kecamatan, Obligation, Person, RoleAssignment


async def kecamatan_without_desa(session: AsyncSession, kecamatan_codes: list[str]) -> list[str]:
    """'Nama (kode)' of those kecamatan that hold no desa (only kelurahan): their tables will be empty."""
    found: list[str] = []
    for chunk in range(0, len(kecamatan_codes), 500):
        codes = kecamatan_codes[chunk : chunk + 500]
        with_desa = select(Desa.kode).where(Desa.kecamatan_kode == Kecamatan.kode).exists()
        rows = await session.execute(
            select(Kecamatan.nama, Kecamatan.kode).where(Kecamatan.kode.in_(codes), ~with_desa).order_by(Kecamatan.kode)
        )
        found += [f"{nama} ({kode})" for nama, kode in rows]
    return found


async def desa_names(session: AsyncSession, kecamatan_kode: str) -> dict[str, str]:
    """Kode → nama of the desa of one kecamatan."""
    return {d.kode: d.nama for d in await session.scalars(select(Desa).where(Desa.kecamatan_kode == kecamatan_kode))}


@dataclass(frozen=True)
class DeadlineRow:
    desa_kode: str
    desa_nama: str
    agreed_date: date
    extensions: list[Extension]


async def deadline_table(session: AsyncSession, kecamatan_kode: str, year: int):
    """Per counted document of the performance year: (code, TA, legal deadline, rows per desa), with the kecamatan,
    its time zone, and the names of the people who granted the extensions."""
    kec = await require_kecamatan(session, kecamatan_kode)
    desa = list(await session.scalars(select(Desa).where(Desa.kecamatan_kode == kec.kode).order_by(Desa.kode)))
    pairs = performance_year_obligations(await document_kinds(session), year)
    calendar = await load_calendar(session)
    obligations: dict[tuple[str, str, int], Obligation] = {}
    extensions: dict[int, list[Extension]] = {}
    if desa and pairs:
        found = await session.scalars(
            select(Obligation)
            .join(Desa, Desa.kode == Obligation.desa_kode)
            .where(
                Desa.kecamatan_kode == kec.kode,
                or_(*(and_(Obligation.document_code == k.code, Obligation.tahun_anggaran == ta) for k, ta in pairs)),
            )
        )
        obligations = {(o.desa_kode, o.document_code, o.tahun_anggaran): o for o in found}
        ids = [o.id for o in obligations.values()]
        for chunk in range(0, len(ids), 500):
            for e in await session.scalars(
                select(Extension)
                .where(Extension.obligation_id.in_(ids[chunk : chunk + 500]))
                .order_by(Extension.granted_at, Extension.id)
            ):
                extensions.setdefault(e.obligation_id, []).append(e)
    granted_by = {e.granted_by_id for es in extensions.values() for e in es if e.granted_by_id}
    people = {}
    if granted_by:
        people = dict((await session.execute(select(Person.id, Person.name).where(Person.id.in_(granted_by)))).all())
    documents = []
    for kind, ta in pairs:
        legal = kind.rule.legal_deadline(ta, calendar)
        rows = []
        for d in desa:
            obligation = obligations.get((d.kode, kind.code, ta))
            agreed = obligation.agreed_date if obligation else legal  # not created yet: the default
            rows.append(DeadlineRow(d.kode, d.nama, agreed, extensions.get(obligation.id, []) if obligation else []))
        documents.append((kind.code, ta, legal, rows))
    return kec, ZoneInfo(kec.timezone), documents, people


async def active_roles(
    session: AsyncSession, kecamatan: Kecamatan | None = None
) -> list[tuple[Person, RoleAssignment]]:
    """Every role not revoked, with its person (only those in `kecamatan` and its desa when given), by person."""
    query = (
        select(Person, RoleAssignment)
        .join(RoleAssignment, RoleAssignment.person_id == Person.id)
        .where(RoleAssignment.revoked_at.is_(None))
        .order_by(Person.id, RoleAssignment.id)
    )
    if kecamatan is not None:
        query = query.where(
            or_(RoleAssignment.scope_code == kecamatan.kode, RoleAssignment.scope_code.like(f"{kecamatan.kode}.%"))
        )
    return [(p, a) for p, a in await session.execute(query)]


async def scope_names(session: AsyncSession, scope_codes: list[str | None]) -> dict[str | None, str]:
    codes = {c for c in scope_codes if c}
    names: dict[str | None, str] = {}
    for table in (Desa, Kecamatan, Kabupaten):
        wanted = [c for c in codes if c not in names]
        if wanted:
            names.update(
                dict((await session.execute(select(table.kode, table.nama).where(table.kode.in_(wanted)))).all())
            )
    return names


async def place_timezone(session: AsyncSession, place: str | None) -> str | None:
    """The time zone of the place an invitation is for (a Bali desa's is WITA); None above a kabupaten."""

    if place is None:
        return None
    parts = place.split(".")
    if len(parts) >= 3:
        return await session.scalar(select(Kecamatan.timezone).where(Kecamatan.kode == ".".join(parts[:3])))
    return await session.scalar(select(Kecamatan.timezone).where(Kecamatan.kabupaten_kode == place).limit(1))


# --- holidays --------------------------------------------------------------------------------------------------
