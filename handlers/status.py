"""/status (a desa's checklist, or a kecamatan's matrix) and /indikator (the LKjIP figures, by name who is behind)."""

from __future__ import annotations

from collections import defaultdict
from zoneinfo import ZoneInfo

from bot.authz import Action, allowed, places
from bot.chat.messages import OutFile
from bot.errors import InputError
from bot.i18n import doc_label, fmt_date, fmt_percent, status_label
from bot.parsing import FIRST_YEAR, whole_number
from bot.services.forum import kecamatan_of_forum
from bot.services.indicator import ObligationRow, kecamatan_indicator, obligation_rows, ranking
from bot.views import indicator_heading, indicator_summary, kecamatan_matrix
from bot.wilayah import Level, level_of, parent_of
from handlers.common import Turn
from models.status import ObligationStatus
from models.tables import Desa, Kabupaten, Kecamatan, ScopeKind

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OPEN = {ObligationStatus.BELUM_JATUH_TEMPO, ObligationStatus.DITOLAK, ObligationStatus.TIDAK_ADA}


def _year_argument(current: Turn, default: int) -> int:
    for arg in current.args:
        if arg.isdigit():  # digits of any script: a year, or refused
            year = whole_number(arg, high=default + 1)
            if year is None or year < FIRST_YEAR:
                raise InputError("indikator.bad_year", value=arg[:20])
            return year
        if level_of(arg) is None:
            raise InputError("indikator.bad_year", value=arg[:20])
    return default


def _code_argument(current: Turn) -> str | None:
    return next((a for a in current.args if "." in a), None)


async def _kecamatan(current: Turn, kode: str) -> Kecamatan:
    kecamatan = await current.session.get(Kecamatan, kode)
    if kecamatan is None:
        raise InputError("error.unknown_kecamatan", kode=kode)
    return kecamatan


def _days(current: Turn, row: ObligationRow, today) -> str:
    if row.status not in OPEN:
        return ""
    days = (row.agreed_date - today).days
    if days > 0:
        return current.t("status.days_left", days=days)
    if days == 0:
        return current.t("status.today")
    return current.t("status.overdue", days=-days)


async def status(current: Turn) -> None:
    if current.person is None:
        raise InputError("chat.unknown_person")
    scopes = places(current.grants, Action.VIEW_STATUS)
    desa_codes = [g.scope_code for g in scopes if g.scope_kind is ScopeKind.DESA and g.scope_code]
    kecamatan_codes = [g.scope_code for g in scopes if g.scope_kind is ScopeKind.KECAMATAN and g.scope_code]
    if not desa_codes and not kecamatan_codes:
        raise InputError("status.nothing")
    now = current.app.clock.now()
    by_kecamatan: dict[str, list[str]] = defaultdict(list)
    for code in desa_codes:
        by_kecamatan[parent_of(code) or ""].append(code)
    for kode in kecamatan_codes:
        kecamatan = await _kecamatan(current, kode)
        year = _year_argument(current, now.astimezone(ZoneInfo(kecamatan.timezone)).year)
        _, _, rows = await obligation_rows(current.session, kode, year, now)
        current.reply(kecamatan_matrix(kecamatan.nama, year, rows, current.lang))
    for kode, codes in by_kecamatan.items():
        kecamatan = await _kecamatan(current, kode)
        today = now.astimezone(ZoneInfo(kecamatan.timezone)).date()
        year = _year_argument(current, today.year)
        _, _, rows = await obligation_rows(current.session, kode, year, now)
        for desa_kode in codes:
            own = [r for r in rows if r.desa_kode == desa_kode]
            nama = own[0].desa_nama if own else await _desa_nama(current, desa_kode)  # read already, as a rule
            if nama is None:
                continue
            lines = [current.t("status.title", desa=nama, year=year)]
            for row in own:
                agreed = (
                    current.t("status.agreed", date=fmt_date(row.agreed_date, current.lang))
                    if row.agreed_date != row.legal_deadline
                    else ""
                )
                lines.append(
                    current.t("status.line", doc=row.document_code, ta=row.tahun_anggaran,
                              deadline=fmt_date(row.legal_deadline, current.lang), agreed=agreed,
                              status=status_label(row.status, current.lang), days=_days(current, row, today))
                )  # fmt: skip
            current.reply("\n".join(lines))


async def _desa_nama(current: Turn, kode: str) -> str | None:
    desa = await current.session.get(Desa, kode)
    return desa.nama if desa is not None else None


async def indikator(current: Turn) -> None:
    """The figures at once; the chart (drawn in the report pool after the commit, `reports.pool`) follows, or goes
    with them when the same figures were drawn before."""
    if current.person is None:
        raise InputError("chat.unknown_person")
    from reports.recipes import indicator_chart

    _not_building(current)
    codes = _indicator_places(current)
    now = current.app.clock.now()
    for kode in codes:
        kecamatan = await _kecamatan(current, kode)
        year = _year_argument(current, now.astimezone(ZoneInfo(kecamatan.timezone)).year)
        report = await kecamatan_indicator(current.session, kode, year, now)
        recipe = indicator_chart(report, current.lang)
        current.reply_files([OutFile("photo", f"indikator-{kode}-{year}.png", "image/png", recipe=recipe)])
        text = indicator_message(current, report)
        if current.app.settings.reports.compare_within_kabupaten and report.result is not None:
            text += "\n\n" + await _rank_line(current, kecamatan, year, now)
        current.reply(text)


async def rekap(current: Turn) -> None:
    """The recap workbook (the LKjIP's tables, every desa and version) for staf and camat: read here, built in the
    report pool after the commit; "sedang disiapkan" at once unless the same data was built before."""
    current.require_person()
    from reports.recipes import workbook
    from reports.tables import gather

    _not_building(current)
    codes = _indicator_places(current)
    now = current.app.clock.now()
    for kode in codes:
        kecamatan = await _kecamatan(current, kode)
        year = _year_argument(current, now.astimezone(ZoneInfo(kecamatan.timezone)).year)
        data = await gather(current.session, kode, year, now)
        name = f"rekap-{kecamatan.nama.lower().replace(' ', '-')}-{year}.xlsx"
        caption = current.t(
            "rekap.caption", kecamatan=kecamatan.nama, year=year, at=fmt_date(data.local_date, current.lang)
        )
        waiting = current.t("rekap.waiting", kecamatan=kecamatan.nama, year=year)
        recipe = workbook(data, current.lang, waiting)
        current.reply(caption, files=[OutFile("document", name, XLSX, recipe=recipe)])


def _not_building(current: Turn) -> None:
    """One file in the making per person: a second /rekap or /indikator meanwhile reads and builds nothing."""
    person = current.require_person()
    if current.app.builds.busy(("person", person.id)):
        raise InputError("build.busy")


async def dasbor(current: Turn) -> None:
    """A one-use sign-in link to the web dashboard, valid `LINK_MINUTES` (docs/architecture.md, "The dashboard")."""
    from bot.services.signin import LINK_MINUTES, create_link, dashboard_base, link_url

    person = current.require_person()
    if not places(current.grants, Action.VIEW_DASHBOARD):
        raise InputError("chat.not_allowed")
    made = await create_link(current.session, current.app.clock.now(), actor=current.actor, person_id=person.id)
    url = link_url(dashboard_base(current.app.settings.web), made.token)
    current.reply(current.t("dasbor.chat_link", minutes=LINK_MINUTES, link=url))


def _indicator_places(current: Turn) -> list[str]:
    """The kecamatan this person may see the indicator of: their own, or the one named in the command."""
    asked = _code_argument(current)
    if asked is not None:
        if level_of(asked) is not Level.KECAMATAN or not allowed(current.grants, Action.VIEW_INDICATOR, asked):
            raise InputError("chat.not_allowed")
        return [asked]
    scopes = places(current.grants, Action.VIEW_INDICATOR)
    codes = [g.scope_code for g in scopes if g.scope_kind is ScopeKind.KECAMATAN and g.scope_code]
    if not codes:
        raise InputError("chat.not_allowed")
    return list(dict.fromkeys(codes))


async def _rank_line(current: Turn, kecamatan: Kecamatan, year: int, now) -> str:
    """Where this kecamatan stands among its kabupaten's (the comparison an admin allowed)."""
    kabupaten = await current.session.get(Kabupaten, kecamatan.kabupaten_kode)
    assert kabupaten is not None
    ranked = await ranking(current.session, year, None, now, kabupaten.kode)
    position = next(i for i, r in enumerate(ranked, 1) if r.kecamatan.kode == kecamatan.kode)
    best = ranked[0]
    return current.t(
        "indikator.rank", rank=position, total=len(ranked), kabupaten=kabupaten.nama,
        best=best.kecamatan.nama, best_value=fmt_percent(best.realisasi, current.lang),
    )  # fmt: skip


def indicator_message(current: Turn, report) -> str:
    """The figures of `klambi indicator`, short enough for a phone, with who is behind by name."""
    result = report.result
    lang = current.lang
    if result is None:
        return "\n".join(indicator_heading(report, lang))
    lines = [*indicator_heading(report, lang), ""]
    for doc in result.documents:
        lines.append(
            current.t("indikator.line", doc=doc.code, ta=doc.tahun_anggaran, percent=fmt_percent(doc.persen, lang),
                      on_time=doc.tepat_waktu, desa=result.desa_count)
        )  # fmt: skip
    lines += ["", *indicator_summary(report, lang)]
    names = {}
    for doc in result.documents:
        for kode, st in doc.statuses.items():
            names.setdefault(st, []).append((kode, doc_label(doc.code)))
    behind = []
    for st, key in (
        (ObligationStatus.TERLAMBAT, "indikator.late"),
        (ObligationStatus.DITOLAK, "indikator.rejected"),
        (ObligationStatus.TIDAK_ADA, "indikator.missing"),
        (ObligationStatus.MENUNGGU_VERIFIKASI, "indikator.waiting"),
    ):
        if st in names:
            listed = ", ".join(f"{report.desa_names.get(k, k)} ({d})" for k, d in names[st])
            behind.append(current.t(key, names=listed))
    if behind:
        lines += ["", *behind]
    return "\n".join(lines)


async def forum_status(current: Turn) -> None:
    """/status in a kecamatan's forum group: the desa × document matrix, no personal data."""
    assert current.incoming.group is not None
    kecamatan = await kecamatan_of_forum(current.session, int(current.incoming.group))
    if kecamatan is None:
        current.reply(current.t("forum.not_linked"))
        return
    now = current.app.clock.now()
    year = _year_argument(current, now.astimezone(ZoneInfo(kecamatan.timezone)).year)
    _, _, rows = await obligation_rows(current.session, kecamatan.kode, year, now)
    current.reply(kecamatan_matrix(kecamatan.nama, year, rows, current.lang))
