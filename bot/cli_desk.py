"""The kecamatan's desk on the command line: agreed dates, bulk import, the evidence archive, people."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click
from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.authz import Grant
from bot.cli import (
    REPLAN_AT_IMPORT,
    ROLE_CHOICES,
    Context,
    _echo_json,
    _ready,
    _replan,
    cli,
    format_option,
    note_kelurahan_only,
    pass_context,
    record,
    render_table,
)
from bot.errors import InputError
from bot.i18n import Language, doc_label, fmt_date, fmt_datetime, t
from bot.parsing import FIRST_YEAR, parse_option_date, parse_year
from bot.wilayah import Level, level_of
from models.tables import Desa, Extension, Kabupaten, Kecamatan, Obligation, Person, Role, RoleAssignment, ScopeKind

# --- deadlines -------------------------------------------------------------------------------------------------


@cli.group()
def deadlines() -> None:
    """Batas kesepakatan pengumpulan dokumen (di samping batas waktu peraturan)."""


@deadlines.command("set")
@click.option("--kecamatan", required=True, metavar="KODE")
@click.option("--doc", required=True, metavar="DOKUMEN", help="RKPDES, APBDES, LPPDES, ...")
@click.option("--ta", "ta_text", required=True, metavar="TAHUN", help="Tahun anggaran dokumen.")
@click.option(
    "--agreed",
    "agreed_text",
    required=True,
    metavar="TANGGAL",
    help="Batas kesepakatan, mis. 2025-01-31 atau 31/01/2025.",
)
@pass_context
def deadlines_set(ctx: Context, kecamatan: str, doc: str, ta_text: str, agreed_text: str) -> None:
    """Satu batas kesepakatan untuk semua desa kecamatan (kesepakatan bersama).

    Desa yang punya perpanjangan sendiri tetap dengan perpanjangannya; sekdes dan pendamping desa yang berubah diberi
    tahu lewat bot; pengingat dijadwal ulang. Batas waktu peraturan (dan indikator) tidak berubah.
    """
    ta = parse_year("--ta", ta_text, FIRST_YEAR, ctx.today().year + 2)
    agreed = parse_option_date("--agreed", agreed_text)
    lang = ctx.language

    async def work(app: App):
        from bot.services.deadlines import set_agreed_dates

        await _ready(app)
        async with app.sessions() as session, session.begin():
            await _check_agreed(session, doc, ta, agreed)
            result = await set_agreed_dates(session, kecamatan, doc, ta, agreed, app.clock.now(), language=lang)
            await _replan(app, session, [result.kecamatan_kode])
            return result

    result = ctx.run(work)
    click.echo(t("cli.deadlines.set", lang, doc=result.document_code, ta=result.tahun_anggaran,
                 kecamatan=result.kecamatan_nama, kode=result.kecamatan_kode, date=fmt_date(result.agreed_date, lang),
                 legal=fmt_date(result.legal_deadline, lang)))  # fmt: skip
    if result.changed:
        click.echo(t("cli.deadlines.changed", lang, count=len(result.changed), names=", ".join(result.changed)))
    else:
        click.echo(t("cli.deadlines.none_changed", lang))
    if result.kept_extension:
        names = ", ".join(result.kept_extension)
        click.echo(t("cli.deadlines.kept", lang, count=len(result.kept_extension), names=names))
    click.echo(t("cli.deadlines.notified", lang, count=result.notified))
    if result.agreed_date > result.legal_deadline:
        click.echo(t("cli.deadlines.after_legal", lang, legal=fmt_date(result.legal_deadline, lang)))


async def _check_agreed(session: AsyncSession, doc: str, ta: int, agreed: date) -> None:
    """An agreed date before the year the document is due in (a year before APBDes TA 2025's 31 December 2024, say)
    is a slip of the year or of --ta: refused. A date after the legal deadline is allowed, with a warning."""
    from bot.services.calendar import load_calendar
    from bot.services.places import require_document

    kind = await require_document(session, doc)
    if not kind.counted:
        return  # set_agreed_dates says so
    legal = kind.rule.legal_deadline(ta, await load_calendar(session))
    if agreed.year < legal.year:
        raise InputError("cli.deadlines.before_year", date=agreed.isoformat(), doc=kind.code, ta=ta,
                         legal=legal.isoformat(), year=legal.year)  # fmt: skip


@dataclass(frozen=True)
class _DeadlineRow:
    desa_kode: str
    desa_nama: str
    agreed_date: date
    extensions: list[Extension]


@deadlines.command("list")
@click.option("--kecamatan", required=True, metavar="KODE")
@click.option("--year", "year_text", required=True, metavar="TAHUN", help="Tahun kinerja.")
@format_option
@pass_context
def deadlines_list(ctx: Context, kecamatan: str, year_text: str, output: str) -> None:
    """Batas waktu peraturan, batas kesepakatan dan perpanjangan setiap desa dalam satu tahun kinerja."""
    year = parse_year("--year", year_text, FIRST_YEAR, ctx.today().year + 1)

    async def work(app: App):
        await _ready(app)
        async with app.sessions() as session, session.begin():
            return await _deadline_table(session, kecamatan, year)

    kec, tz, documents, people = ctx.run(work)
    lang = ctx.language
    if output != "json":
        note_kelurahan_only(kec, any(rows for *_, rows in documents), lang)

    def extension_json(e: Extension) -> dict[str, Any]:
        by = {"id": e.granted_by_id, "name": people.get(e.granted_by_id)} if e.granted_by_id else None
        return {
            "previous_agreed_date": e.previous_agreed_date.isoformat(),
            "new_agreed_date": e.new_agreed_date.isoformat(),
            "reason": e.reason,
            "granted_at": e.granted_at.astimezone(tz).isoformat(),
            "granted_by": by,
        }

    if output == "json":
        _echo_json(
            {
                "kecamatan": {"kode": kec.kode, "nama": kec.nama},
                "year": year,
                "documents": [
                    {
                        "document": code,
                        "tahun_anggaran": ta,
                        "legal_deadline": legal.isoformat(),
                        "desa": [
                            {
                                "desa": {"kode": r.desa_kode, "nama": r.desa_nama},
                                "agreed_date": r.agreed_date.isoformat(),
                                "extensions": [extension_json(e) for e in r.extensions],
                            }
                            for r in rows
                        ],
                    }
                    for code, ta, legal, rows in documents
                ],
            }
        )
        return

    def extension_text(e: Extension) -> str:
        return t("cli.deadlines.extension", lang, previous=fmt_date(e.previous_agreed_date, lang),
                 new=fmt_date(e.new_agreed_date, lang), reason=e.reason,
                 granted=fmt_datetime(e.granted_at.astimezone(tz), lang))  # fmt: skip

    click.echo(t("cli.deadlines.title", lang, kecamatan=kec.nama, kode=kec.kode, year=year))
    click.echo()
    headers = [
        "column.desa",
        "column.document",
        "column.ta",
        "column.deadline",
        "column.agreed",
        "cli.column.extensions",
    ]
    click.echo(
        render_table(
            [t(h, lang) for h in headers],
            [
                [f"{r.desa_nama} ({r.desa_kode[-4:]})", doc_label(code), str(ta), fmt_date(legal, lang),
                 fmt_date(r.agreed_date, lang), "; ".join(extension_text(e) for e in r.extensions) or t("none", lang)]
                for code, ta, legal, rows in documents
                for r in rows
            ],
        )
    )  # fmt: skip


async def _deadline_table(session: AsyncSession, kecamatan_kode: str, year: int):
    """Per counted document of the performance year: (code, TA, legal deadline, rows per desa). Reads only."""
    from bot.services.calendar import load_calendar
    from bot.services.places import document_kinds, require_kecamatan
    from models.documents import performance_year_obligations

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
            rows.append(_DeadlineRow(d.kode, d.nama, agreed, extensions.get(obligation.id, []) if obligation else []))
        documents.append((kind.code, ta, legal, rows))
    return kec, ZoneInfo(kec.timezone), documents, people


# --- record import and template --------------------------------------------------------------------------------


@record.command("import")
@click.argument("file", metavar="BERKAS", type=click.Path(path_type=Path))
@click.option("--partial", is_flag=True, help="Simpan baris yang benar; baris yang salah dilaporkan.")
@pass_context
def record_import(ctx: Context, file: Path, partial: bool) -> None:
    """Muat banyak dokumen dari berkas CSV atau XLSX (kolom desa, doc, ta, penetapan, diterima, nomor, status, alasan).

    Setiap baris diperiksa seperti `klambi record`. Bila ada baris yang salah, setiap kesalahannya dilaporkan satu
    per baris dan tidak ada yang disimpan (kecuali dengan --partial). Memuat berkas yang sama dua kali tidak mengubah
    apa pun.
    """
    from bot.services.imports import import_rows, read_rows

    lang = ctx.language
    parsed = read_rows(file, lang)
    if not parsed.rows:
        raise InputError("cli.import.empty", path=file)

    async def work(app: App):
        await _ready(app)
        imported = await import_rows(app.sessions, file, parsed, app.clock.now(), partial, lang)
        await replan_after_import(app, imported.kecamatan_codes)
        return imported

    imported = ctx.run(work)
    click.echo(t("cli.import.summary", lang, path=file, created=imported.created, unchanged=imported.unchanged,
                 bad=imported.bad_rows, skipped=parsed.skipped))  # fmt: skip
    if imported.problems:
        click.echo(f"klambi: {t('cli.import.rows_skipped', lang, path=file, count=imported.bad_rows)}", err=True)
        for problem in imported.problems:
            click.echo(f"  {t(problem.key, lang, **problem.values)}", err=True)


async def replan_after_import(app: App, kecamatan_codes: set[str]) -> None:
    """The reminders of a small import's kecamatan, each in its own short transaction after the import's (larger
    imports: the bot's hourly planning)."""
    if len(kecamatan_codes) > REPLAN_AT_IMPORT:
        return
    for kode in sorted(kecamatan_codes):
        async with app.sessions() as session, session.begin():
            await _replan(app, session, [kode])


def _check_output(path: Path, force: bool) -> None:
    if not path.parent.is_dir():
        raise InputError("cli.output_folder", folder=path.parent)
    if path.exists() and not force:
        raise InputError("cli.output_exists", path=path)


@record.command("template")
@click.option("--kecamatan", required=True, metavar="KODE")
@click.option("--year", "year_text", metavar="TAHUN", help="Tahun kinerja (bawaan: tahun ini).")
@click.option("-o", "--output", "out", required=True, type=click.Path(path_type=Path), help="Berkas .xlsx.")
@click.option("--force", is_flag=True, help="Timpa berkas yang sudah ada.")
@pass_context
def record_template(ctx: Context, kecamatan: str, year_text: str | None, out: Path, force: bool) -> None:
    """Tulis templat XLSX untuk `klambi record import`: setiap desa × dokumen tahun kinerja, siap diisi."""
    from bot.services.imports import template_rows, write_template

    year = parse_year("--year", year_text, FIRST_YEAR, ctx.today().year + 1) if year_text else ctx.today().year
    if out.suffix.lower() != ".xlsx":
        raise InputError("cli.template.suffix", path=out)
    _check_output(out, force)
    lang = ctx.language

    async def work(app: App):
        from bot.services.places import document_kinds

        await _ready(app)
        async with app.sessions() as session, session.begin():
            summary, rows = await template_rows(session, kecamatan, year)
            codes = [k.code for k in await document_kinds(session) if k.counted]  # the ones README describes
            return summary, rows, codes

    summary, rows, codes = ctx.run(work)
    if not summary.desa:
        raise InputError("cli.template.no_desa", kecamatan=summary.kecamatan_nama, kode=summary.kecamatan_kode)
    write_template(out, summary, rows, codes, lang)
    click.echo(t("cli.template.saved", lang, path=out, rows=summary.rows, desa=summary.desa,
                 documents=summary.documents, year=year))  # fmt: skip


# --- files -----------------------------------------------------------------------------------------------------


@cli.group()
def files() -> None:
    """Berkas dokumen yang tersimpan."""


@files.command("export")
@click.option("--kecamatan", required=True, metavar="KODE")
@click.option("--year", "year_text", required=True, metavar="TAHUN", help="Tahun kinerja.")
@click.option("-o", "--output", "out", required=True, type=click.Path(path_type=Path), help="Berkas .zip.")
@click.option("--force", is_flag=True, help="Timpa berkas yang sudah ada.")
@pass_context
def files_export(ctx: Context, kecamatan: str, year_text: str, out: Path, force: bool) -> None:
    """Arsip zip dokumen bukti dukung satu tahun kinerja: berkas setiap dokumen yang diterima, dengan index.csv dan
    index.md untuk lampiran LKjIP."""
    from bot.services.archive import accepted_evidence, write_archive

    year = parse_year("--year", year_text, FIRST_YEAR, ctx.today().year + 1)
    if out.suffix.lower() != ".zip":
        raise InputError("cli.export.suffix", path=out)
    _check_output(out, force)
    lang = ctx.language

    async def work(app: App):
        await _ready(app)
        async with app.sessions() as session, session.begin():
            evidence = await accepted_evidence(session, kecamatan, year, app.clock.now())
        return evidence, write_archive(evidence, app.files, out, lang)

    evidence, result = ctx.run(work)
    click.echo(t("cli.export.saved", lang, path=out, documents=len(evidence.accepted), year=year,
                 obligations=evidence.desa * evidence.kinds, files=result.files, paper=result.paper))  # fmt: skip
    if evidence.not_accepted:
        by_document: dict[str, list[str]] = {}
        for n in evidence.not_accepted:
            by_document.setdefault(f"{doc_label(n.document_code)} TA {n.tahun_anggaran}", []).append(n.desa_nama)
        items = "; ".join(f"{doc}: {', '.join(names)}" for doc, names in by_document.items())
        click.echo(t("cli.export.missing", lang, count=len(evidence.not_accepted), items=items))
    shas = {d.file_name(f): f.sha256 for d in evidence.accepted for f in d.files}
    for name in result.missing:
        click.echo(f"klambi: {t('cli.export.file_missing', lang, name=name, sha=shas[name][:12])}", err=True)
    for name in result.damaged:
        click.echo(f"klambi: {t('cli.export.file_damaged', lang, name=name, sha=shas[name][:12])}", err=True)


# --- people ----------------------------------------------------------------------------------------------------


@cli.group()
def person() -> None:
    """Orang dan perannya."""


@person.command("list")
@click.option("--kecamatan", metavar="KODE", help="Hanya peran di kecamatan ini dan desanya.")
@format_option
@pass_context
def person_list(ctx: Context, kecamatan: str | None, output: str) -> None:
    """Orang dengan peran aktifnya: peran, wilayah, tertaut ke Telegram, dapat dihubungi."""
    lang = ctx.language

    async def work(app: App):
        await _ready(app)
        async with app.sessions() as session, session.begin():
            from bot.services.places import require_kecamatan

            kec = await require_kecamatan(session, kecamatan) if kecamatan else None
            query = (
                select(Person, RoleAssignment)
                .join(RoleAssignment, RoleAssignment.person_id == Person.id)
                .where(RoleAssignment.revoked_at.is_(None))
                .order_by(Person.id, RoleAssignment.id)
            )
            if kec is not None:
                query = query.where(
                    or_(RoleAssignment.scope_code == kec.kode, RoleAssignment.scope_code.like(f"{kec.kode}.%"))
                )
            rows = [(p, a) for p, a in await session.execute(query)]
            names = await _scope_names(session, [a.scope_code for _, a in rows])
            from bot.services.contacts import TELEGRAM, contacts_of

            linked = {p.id: [c for c in await contacts_of(session, p.id) if c.channel == TELEGRAM] for p, _ in rows}
            return kec, rows, names, {pid: cs[0].unreachable_since for pid, cs in linked.items() if cs}

    kec, rows, names, telegram = ctx.run(work)  # person id -> their Telegram contact's unreachable_since
    tz = ZoneInfo(ctx.settings.bot.timezone)
    people: dict[int, tuple[Person, list[RoleAssignment]]] = {}
    for p, assignment in rows:
        people.setdefault(p.id, (p, []))[1].append(assignment)
    if output == "json":
        _echo_json(
            {
                "kecamatan": {"kode": kec.kode, "nama": kec.nama} if kec else None,
                "people": [
                    {
                        "id": p.id,
                        "name": p.name,
                        "telegram_linked": p.id in telegram,
                        "unreachable_since": telegram[p.id].astimezone(tz).isoformat() if telegram.get(p.id) else None,
                        "roles": [
                            {
                                "role": a.role.value,
                                "scope": {
                                    "kind": a.scope_kind.value,
                                    "kode": a.scope_code,
                                    "nama": names.get(a.scope_code),
                                },
                                "granted_at": a.granted_at.astimezone(tz).isoformat(),
                            }
                            for a in roles
                        ],
                    }
                    for p, roles in people.values()
                ],
            }
        )
        return
    place = (
        t("cli.person.scope.kecamatan", lang, nama=kec.nama, kode=kec.kode) if kec else t("cli.person.everywhere", lang)
    )
    click.echo(t("cli.person.title", lang, place=place))
    click.echo()
    if not people:
        click.echo(t("cli.person.none", lang))
        return
    yes, no = t("cli.yes", lang), t("cli.no", lang)
    headers = ["cli.person.column.id", "column.name", "cli.person.column.role", "cli.person.column.scope",
               "cli.person.column.telegram", "cli.person.column.unreachable"]  # fmt: skip
    click.echo(
        render_table(
            [t(h, lang) for h in headers],
            [
                [str(p.id), p.name, t(f"role.{a.role.value}", lang),
                 _scope_label(a.scope_kind, a.scope_code, names, lang), yes if p.id in telegram else no,
                 t("cli.person.unreachable_since", lang, date=fmt_date(telegram[p.id].astimezone(tz).date(), lang))
                 if telegram.get(p.id) else no]
                for p, roles in people.values()
                for a in roles
            ],
        )
    )  # fmt: skip


async def _scope_names(session: AsyncSession, scope_codes: list[str | None]) -> dict[str | None, str]:
    codes = {c for c in scope_codes if c}
    names: dict[str | None, str] = {}
    for table in (Desa, Kecamatan, Kabupaten):
        wanted = [c for c in codes if c not in names]
        if wanted:
            names.update(
                dict((await session.execute(select(table.kode, table.nama).where(table.kode.in_(wanted)))).all())
            )
    return names


def _scope_label(kind: ScopeKind, code: str | None, names: dict[str | None, str], lang: Language) -> str:
    if kind is ScopeKind.DEPLOYMENT or code is None:
        return t("cli.person.everywhere", lang)
    return t(f"cli.person.scope.{kind.value}", lang, nama=names.get(code, "?"), kode=code)


def person_number(text: str) -> int:
    """A person's id as `klambi person list` shows it: ASCII digits, within the database's integer."""
    if not re.fullmatch(r"[0-9]{1,9}", text.strip()):
        raise InputError("cli.person.bad_id", value=text.strip()[:20])
    return int(text)


@person.command("revoke")
@click.option("--person", "person_text", required=True, metavar="ID", help="Id dari `klambi person list`.")
@click.option("--role", type=click.Choice(ROLE_CHOICES), help="Hanya peran ini (bawaan: semua).")
@click.option("--desa", metavar="KODE", help="Hanya peran di desa ini.")
@click.option("--kecamatan", metavar="KODE", help="Hanya peran di kecamatan ini (staf, camat, admin kecamatan).")
@pass_context
def person_revoke(ctx: Context, person_text: str, role: str | None, desa: str | None, kecamatan: str | None) -> None:
    """Cabut peran seseorang (mis. sekdes yang diganti). Yang pernah dikirimnya tetap tersimpan."""
    from bot.services.people import revoke_roles

    person_id = person_number(person_text)
    if desa and kecamatan:
        raise InputError("cli.person.one_place")
    if desa and level_of(desa.strip()) not in (Level.DESA, Level.DESA_ADAT):
        raise InputError("error.not_a_desa_code", kode=desa)
    if kecamatan and level_of(kecamatan.strip()) is not Level.KECAMATAN:
        raise InputError("error.not_a_kecamatan_code", kode=kecamatan)
    place = (desa or kecamatan or "").strip() or None
    lang = ctx.language

    async def work(app: App):
        await _ready(app)
        async with app.sessions() as session, session.begin():
            who, revoked = await revoke_roles(
                session, person_id, app.clock.now(), role=Role(role) if role else None, place=place
            )
            codes: set[str] = set()
            everywhere = False
            for grant in revoked:
                code = grant.scope_code
                if code is None:
                    everywhere = True
                elif grant.scope_kind is ScopeKind.KABUPATEN:
                    codes.update(await session.scalars(select(Kecamatan.kode).where(Kecamatan.kabupaten_kode == code)))
                else:
                    codes.add(".".join(code.split(".")[:3]))
            await _replan(app, session, None if everywhere else sorted(codes))
            told = await _tell_revoked(session, who, revoked, app.clock.now(), lang)
            names = await _scope_names(session, [g.scope_code for g in revoked])
            return who.name, revoked, names, told

    name, revoked, names, told = ctx.run(work)
    roles = "; ".join(
        f"{t(f'role.{g.role.value}', lang)}, {_scope_label(g.scope_kind, g.scope_code, names, lang)}" for g in revoked
    )
    click.echo(t("cli.person.revoked", lang, name=name, id=person_id, roles=roles))
    if told:
        click.echo(t("cli.person.told", lang, name=name))


async def _tell_revoked(session: AsyncSession, who: Person, revoked: list[Grant], now: datetime, lang: Language) -> int:
    """As in the chat (`/cabut`), the person hears it, through the outbox; a role above a kecamatan has no kecamatan's
    outbox to go through and is not told."""
    from bot.chat.messages import OutMessage
    from bot.services.notices import queue_notice
    from bot.services.people import scope_name

    told = 0
    for grant in revoked:
        if grant.scope_code is None or grant.scope_kind not in (ScopeKind.DESA, ScopeKind.KECAMATAN):
            continue
        text = t("cabut.told", lang, role=t(f"role.{grant.role.value}", lang),
                 scope=await scope_name(session, grant.scope_kind, grant.scope_code))  # fmt: skip
        kecamatan = ".".join(grant.scope_code.split(".")[:3])
        key = f"revoke:{grant.role.value}:{grant.scope_code}"
        told += await queue_notice(
            session,
            kecamatan_kode=kecamatan,
            person=who,
            role=grant.role.value,
            key=key,
            message=OutMessage.of(text),
            now=now,
        )
    return told
