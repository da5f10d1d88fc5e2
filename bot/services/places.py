"""Kecamatan, desa and document types: loading them and looking them up."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import and_, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cleaning import clean_text
from bot.errors import InputError, InputErrors
from bot.services.audit import CLI, Actor, audit
from bot.services.planning import mark
from bot.wilayah import Area, Level, areas_under, level_of, parent_of, reference_areas, timezone_of_province
from models.calendar import WorkingCalendar
from models.documents import DocumentKind, performance_year_obligations
from models.tables import Desa, DocumentType, Kabupaten, Kecamatan, Obligation, Provinsi

CHUNK = 500  # rows per statement: stays under every database's bound-parameter limit
NAME_LIMIT = 120
Progress = Callable[[int], None]


@dataclass(frozen=True)
class ImportSummary:
    area: str
    kecamatan_added: int
    desa_added: int
    desa_unchanged: int
    kelurahan_skipped: int
    obligations_added: int
    kecamatan_codes: list[str]


async def document_kinds(session: AsyncSession) -> list[DocumentKind]:
    rows = await session.scalars(select(DocumentType).order_by(DocumentType.position, DocumentType.code))
    return [row.kind() for row in rows]


async def require_document(session: AsyncSession, code: str) -> DocumentKind:
    kinds = await document_kinds(session)
    for kind in kinds:
        if kind.code == code.strip().upper():
            return kind
    offered = ", ".join(k.code for k in kinds if k.counted)  # what README describes; others stay recordable
    raise InputError("error.unknown_document", code=code, choices=offered)


async def require_kecamatan(session: AsyncSession, kode: str) -> Kecamatan:
    kode = kode.strip()
    if level_of(kode) is not Level.KECAMATAN:
        raise InputError("error.not_a_kecamatan_code", kode=kode)
    kecamatan = await session.get(Kecamatan, kode)
    if kecamatan is None:  # suggest the import only where it would load something
        known = kode in reference_areas()
        raise InputError("error.unknown_kecamatan" if known else "error.unknown_kecamatan_not_in_reference", kode=kode)
    return kecamatan


def desa_code_problem(kode: str) -> InputError | None:
    """Why `kode` cannot be a desa's code (a kelurahan, not a code at all), without asking the database."""
    level = level_of(kode)
    if level is Level.KELURAHAN:
        area = reference_areas().get(kode)
        return InputError("error.kelurahan", kode=kode, nama=area.nama if area else "?")
    if level not in (Level.DESA, Level.DESA_ADAT):
        return InputError("error.not_a_desa_code", kode=kode)
    return None


async def require_desa(session: AsyncSession, kode: str) -> Desa:
    kode = kode.strip()
    if (problem := desa_code_problem(kode)) is not None:
        raise problem
    desa = await session.get(Desa, kode)
    if desa is None:
        if kode not in reference_areas():
            raise InputError("error.unknown_desa_not_in_reference", kode=kode)
        raise InputError("error.unknown_desa", kode=kode, kecamatan=parent_of(kode))
    return desa


async def place_of(session: AsyncSession, desa_kode: str) -> tuple[Desa, Kecamatan]:
    """A desa and its kecamatan (the kecamatan exists: a foreign key says so)."""
    desa = await session.get(Desa, desa_kode)
    if desa is None:
        raise InputError("error.unknown_desa", kode=desa_kode, kecamatan=parent_of(desa_kode))
    kecamatan = await session.get(Kecamatan, desa.kecamatan_kode)
    assert kecamatan is not None
    return desa, kecamatan


async def import_area(
    session: AsyncSession,
    area_code: str,
    at: datetime,
    performance_years: Sequence[int],
    calendar: WorkingCalendar,
    progress: Progress | None = None,
    *,
    actor: Actor = CLI,
) -> ImportSummary:
    """Load a province, kabupaten or kecamatan with its desa from the reference data. Twice changes nothing."""
    area_code = area_code.strip()
    reference = reference_areas()
    if level_of(area_code) not in (Level.PROVINSI, Level.KABUPATEN, Level.KECAMATAN) or area_code not in reference:
        raise InputError("error.unknown_area", kode=area_code)
    areas = areas_under(area_code)
    summary = await _load(session, areas, at, performance_years, calendar, progress)
    audit(session, at, "villages.import", "area", area_code, _summary_details(summary), actor=actor)
    return ImportSummary(area_code, *summary, [a.kode for a in areas if a.level is Level.KECAMATAN])


async def import_csv(
    session: AsyncSession,
    path: Path,
    at: datetime,
    performance_years: Sequence[int],
    calendar: WorkingCalendar,
    progress: Progress | None = None,
    *,
    actor: Actor = CLI,
) -> ImportSummary:
    """Load a custom list (columns `kode,nama`). Every bad row is reported at once and nothing is written."""
    if not path.is_file():
        raise InputError("error.file_not_found", path=path)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if [f.strip().lower() for f in reader.fieldnames or []] != ["kode", "nama"]:
            raise InputError("error.csv_header", path=path, found=",".join(reader.fieldnames or []))
        rows = [(n, _cell(r.get("kode")), _cell(r.get("nama"))) for n, r in enumerate(reader, 2)]
    problems: list[InputError] = []
    given: dict[str, Area] = {}
    for number, kode, nama in rows:
        if level_of(kode) is None:
            problems.append(InputError("error.csv_row_code", row=number, kode=kode))
        elif not nama or len(nama) > NAME_LIMIT:
            problems.append(InputError("error.csv_row_name", row=number))
        elif kode in given:
            problems.append(InputError("error.csv_row_duplicate", row=number, kode=kode))
        else:
            given[kode] = Area(kode, nama)
    known = await _known_codes(session, given)
    reference = reference_areas()
    needed: dict[str, Area] = {}
    for number, kode, _ in rows:
        parent = parent_of(kode) if kode in given else None
        while parent and parent not in given and parent not in known and parent not in needed:
            if parent not in reference:
                problems.append(InputError("error.csv_row_parent", row=number, parent=parent, kode=kode))
                break
            needed[parent] = reference[parent]
            parent = parent_of(parent)
    if problems:
        raise InputErrors("error.csv_rows", problems, path=path)
    areas = sorted([*needed.values(), *given.values()], key=lambda a: (a.kode.count("."), a.kode))
    summary = await _load(session, areas, at, performance_years, calendar, progress)
    audit(session, at, "villages.import", "file", path.name, _summary_details(summary), actor=actor)
    kecamatan = sorted({a.kode[:8] for a in areas if a.level in (Level.KECAMATAN, Level.DESA, Level.DESA_ADAT)})
    return ImportSummary(path.name, *summary, kecamatan)


def _cell(value: str | None) -> str:
    """A CSV cell as clean text: a control character (a NUL, Word's line break) becomes a space."""
    return clean_text(value or "").strip()


async def _known_codes(session: AsyncSession, areas: dict[str, Area]) -> set[str]:
    parents = {p for k in areas if (p := parent_of(k))}
    known: set[str] = set()
    for table in (Provinsi, Kabupaten, Kecamatan):
        found = await session.scalars(select(table.kode).where(table.kode.in_(parents)))
        known.update(found)
    return known


async def _load(
    session: AsyncSession,
    areas: Iterable[Area],
    at: datetime,
    performance_years: Sequence[int],
    calendar: WorkingCalendar,
    progress: Progress | None,
) -> tuple[int, int, int, int, int]:
    by_level: dict[Level, list[Area]] = {level: [] for level in Level}
    for area in areas:
        if area.level is not None:
            by_level[area.level].append(area)
    await _insert_missing(session, Provinsi, [{"kode": a.kode, "nama": a.nama} for a in by_level[Level.PROVINSI]])
    await _insert_missing(
        session,
        Kabupaten,
        [{"kode": a.kode, "nama": a.nama, "provinsi_kode": parent_of(a.kode)} for a in by_level[Level.KABUPATEN]],
    )
    kecamatan_added = await _insert_missing(
        session,
        Kecamatan,
        [
            {
                "kode": a.kode,
                "nama": a.nama,
                "kabupaten_kode": parent_of(a.kode),
                "timezone": timezone_of_province(a.kode[:2]),
            }
            for a in by_level[Level.KECAMATAN]
        ],
    )
    villages = by_level[Level.DESA] + by_level[Level.DESA_ADAT]
    desa_added = await _insert_missing(
        session,
        Desa,
        [
            {"kode": a.kode, "nama": a.nama, "kecamatan_kode": parent_of(a.kode), "is_adat": a.level is Level.DESA_ADAT}
            for a in villages
        ],
        progress,
    )
    obligations_added = await ensure_obligations(
        session, [a.kode for a in villages], performance_years, calendar, progress=None
    )
    return (
        kecamatan_added,
        desa_added,
        len(villages) - desa_added,
        len(by_level[Level.KELURAHAN]),
        obligations_added,
    )


async def _insert_missing(
    session: AsyncSession, table: type, rows: list[dict], progress: Progress | None = None
) -> int:
    added = 0
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        existing = set(await session.scalars(select(table.kode).where(table.kode.in_([r["kode"] for r in chunk]))))
        fresh = [r for r in chunk if r["kode"] not in existing]
        if fresh:
            await session.execute(insert(table), fresh)
            added += len(fresh)
            if table in (Kecamatan, Desa):  # a new kecamatan or desa: its kecamatan's reminders are planned again
                await mark(session, [r["kode"] for r in fresh])
        if progress:
            progress(len(chunk))
    return added


async def ensure_obligations(
    session: AsyncSession,
    desa_codes: Sequence[str],
    performance_years: Sequence[int],
    calendar: WorkingCalendar,
    progress: Progress | None = None,
) -> int:
    """Create the missing obligations of these desa for these performance years (counted documents)."""
    kinds = await document_kinds(session)
    pairs = {(kind, ta) for year in performance_years for kind, ta in performance_year_obligations(kinds, year)}
    if not pairs or not desa_codes:
        return 0
    pair_filter = or_(
        *(and_(Obligation.document_code == kind.code, Obligation.tahun_anggaran == ta) for kind, ta in pairs)
    )
    deadlines = {(kind.code, ta): kind.rule.legal_deadline(ta, calendar) for kind, ta in pairs}
    added = 0
    for start in range(0, len(desa_codes), CHUNK):
        chunk = list(desa_codes[start : start + CHUNK])
        found = await session.execute(
            select(Obligation.desa_kode, Obligation.document_code, Obligation.tahun_anggaran).where(
                Obligation.desa_kode.in_(chunk), pair_filter
            )
        )
        existing = {tuple(row) for row in found}
        fresh = [
            {
                "desa_kode": kode,
                "document_code": code,
                "tahun_anggaran": ta,
                "legal_deadline": deadline,
                "agreed_date": deadline,
            }
            for kode in chunk
            for (code, ta), deadline in sorted(deadlines.items())
            if (kode, code, ta) not in existing
        ]
        if fresh:
            await session.execute(insert(Obligation), fresh)
            added += len(fresh)
            await mark(session, sorted({r["desa_kode"] for r in fresh}))  # planned at once by callers that can
        if progress:
            progress(len(chunk))
    return added


def _summary_details(summary: tuple[int, int, int, int, int]) -> dict[str, int]:
    keys = ("kecamatan_added", "desa_added", "desa_unchanged", "kelurahan_skipped", "obligations_added")
    return dict(zip(keys, summary, strict=True))


async def place_names(
    session: AsyncSession, table: type[Kecamatan] | type[Desa], codes: Iterable[str]
) -> dict[str, str]:
    """Code -> name of these kecamatan or desa, in code order (unknown codes are left out)."""
    rows = await session.execute(select(table.kode, table.nama).where(table.kode.in_(list(codes))).order_by(table.kode))
    return {kode: nama for kode, nama in rows}


async def set_forum_chat(
    session: AsyncSession, kecamatan_kode: str, chat_id: int | None, now: datetime, *, actor: Actor = CLI
) -> Kecamatan:
    """The kecamatan's forum group (None: no group); the caller plans its reminders again (the weekly recap)."""
    row = await require_kecamatan(session, kecamatan_kode)
    row.forum_chat_id = chat_id
    audit(session, now, "kecamatan.forum", "kecamatan", row.kode, {"chat_id": chat_id}, actor=actor)
    return row
