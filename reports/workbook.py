"""The LKjIP workbook (openpyxl): Ringkasan, Per Desa, Rincian, Perbandingan — ready to print.

Figures are stored as numbers (94.44 means 94,44%) with the format `#,##0.00`, so Excel shows them with the
reader's own decimal separator (a comma in an Indonesian locale) and they can still be summed; dates are real dates
shown `dd mmmm yyyy`. Every cell is written by `bot.cleaning.sheet_cell`: a name, nomor or kendala is text, never a
formula. Every sheet has title rows, one bold header row frozen below them, widths, and a landscape,
fit-to-width print setup.
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot.cleaning import sheet_cell
from bot.i18n import Language, doc_label, fmt_date, fmt_number, fmt_percent, t
from reports.tables import LkjipData, ProgramRow

NUMBER = "#,##0.00"
DATE = "dd mmmm yyyy"
DATETIME = "dd mmmm yyyy hh:mm"
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_ROW = 4  # title, subtitle, a blank line, then the header


def indicator_label(row: ProgramRow, language: Language) -> str:
    if row.indicator == "IKU":
        return t("report.iku", language)
    return t("report.program", language, doc=row.indicator, ta=row.tahun_anggaran)


def no_data_notes(data: LkjipData, language: Language) -> list[str]:
    """What a year without a single document recorded says (nothing otherwise): that its 0,00% mean nothing is
    recorded, and the figures an LKjIP published for it, when `klambi history import` brought them."""
    if data.has_data or data.indicator.result is None:
        return []
    lines = [t("report.no_data", language, year=data.year)]
    if (h := data.published) is not None:
        figures = {"target": fmt_percent(h.target, language), "realisasi": fmt_percent(h.realisasi, language),
                   "capaian": fmt_number(h.capaian, language)}  # fmt: skip
        lines.append(t("report.no_data_published", language, year=h.year, **figures))
    return lines


def _naive(moment: datetime | None) -> datetime | None:
    """Excel has no time zones: the local wall time (already in the kecamatan's zone)."""
    return None if moment is None else moment.replace(tzinfo=None, microsecond=0)


def _sheet(book: Workbook, title: str, heading: str, subtitle: str, headers: list[str], widths: list[int]) -> Worksheet:
    sheet = book.create_sheet(title)
    sheet_cell(sheet, 1, 1, heading).font = Font(bold=True, size=13)
    sheet_cell(sheet, 2, 1, subtitle).font = Font(italic=True)
    _header(sheet, HEADER_ROW, headers)
    for i, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = sheet.cell(HEADER_ROW + 1, 1)
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    return sheet


def _header(sheet: Worksheet, row: int, headers: list[str]) -> None:
    for column, text in enumerate(headers, 1):
        cell = sheet_cell(sheet, row, column, text)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.border = BORDER
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")


def _row(sheet: Worksheet, row: int, values: list[Any], formats: dict[int, str] | None = None) -> None:
    for column, value in enumerate(values, 1):
        cell = sheet_cell(sheet, row, column, value)
        cell.border = BORDER
        cell.alignment = Alignment(wrap_text=isinstance(value, str), vertical="top")
        fmt = (formats or {}).get(column)
        if fmt and value is not None:
            cell.number_format = fmt


def _figure(value):
    return None if value is None else float(value)


def build_workbook(data: LkjipData, language: Language) -> Workbook:
    lang = language
    book = Workbook()
    book.remove(book.active)
    result = data.indicator.result
    subtitle = (
        t("report.no_desa", lang, kecamatan=data.kecamatan_nama, kode=data.kecamatan_kode)
        if result is None
        else t("report.as_of", lang, at=fmt_date(data.local_date, lang), desa=result.desa_count,
               kinds=len(data.documents))
    )  # fmt: skip
    subtitle = " ".join([subtitle, *no_data_notes(data, lang)])

    # Ringkasan: seed Tabel 3.2 and 3.3 in one row per indicator
    headers = [t("report.col.no", lang), t("report.col.sasaran", lang), t("report.col.indikator", lang),
               t("report.col.target_awal", lang), t("report.col.target_perubahan", lang), "TW I", "TW II", "TW III",
               "TW IV", t("report.col.realisasi", lang), t("report.col.capaian", lang), t("report.col.predikat", lang),
               t("report.col.target_renstra", lang), t("report.col.capaian_renstra", lang)]  # fmt: skip
    sheet = _sheet(book, t("report.sheet.summary", lang),
                   t("report.xlsx.summary_title", lang, year=data.year, kecamatan=data.kecamatan_nama), subtitle,
                   headers, [6, 28, 48, 11, 11, 9, 9, 9, 9, 11, 11, 14, 12, 13])  # fmt: skip
    numbers = {c: NUMBER for c in (4, 5, 6, 7, 8, 9, 10, 11, 13, 14)}
    row = HEADER_ROW + 1
    for number, program in enumerate(data.programs, 1):
        label = str(number) if program.indicator == "IKU" else f"1.{number - 1}"
        _row(sheet, row, [label, t("report.sasaran", lang) if program.indicator == "IKU" else "",
                          indicator_label(program, lang), _figure(program.target.awal),
                          _figure(program.target.perubahan)]
             + [_figure(program.triwulan.get(q)) for q in ("I", "II", "III", "IV")]
             + [_figure(program.realisasi), _figure(program.capaian), program.predikat,
                _figure(program.target.renstra), _figure(program.capaian_renstra)], numbers)  # fmt: skip
        row += 1
    sheet_cell(sheet, row + 1, 1, t("report.xlsx.percent_note", lang)).font = Font(italic=True, size=9)

    # Per Desa: the matrix desa × document, three columns per document
    headers = [t("report.col.no", lang), t("report.col.desa", lang), t("report.col.kode", lang)]
    widths = [6, 22, 15]
    for code, ta, deadline in data.documents:
        prefix = f"{doc_label(code)} TA {ta}"
        headers += [f"{prefix}\n{t('report.col.status', lang)} ({t('report.col.deadline', lang).lower()} "
                    f"{fmt_date(deadline, lang)})", f"{prefix}\n{t('report.col.penetapan', lang)}",
                    f"{prefix}\n{t('report.col.received', lang)}"]  # fmt: skip
        widths += [20, 16, 16]
    sheet = _sheet(book, t("report.sheet.desa", lang),
                   t("report.xlsx.desa_title", lang, year=data.year, kecamatan=data.kecamatan_nama), subtitle,
                   headers, widths)  # fmt: skip
    sheet.row_dimensions[HEADER_ROW].height = 45
    for number, desa in enumerate(data.desa_rows, 1):
        values: list[Any] = [number, desa.desa_nama, desa.desa_kode]
        formats: dict[int, str] = {}
        for cell in desa.cells:
            values += [t(f"cli.status.{cell.status.value}", lang), cell.tanggal_penetapan, cell.received_on]
            formats[len(values) - 1] = DATE
            formats[len(values)] = DATE
        _row(sheet, HEADER_ROW + number, values, formats)

    # Rincian: every version
    headers = [t("report.col.no", lang), t("report.col.desa", lang), t("report.col.kode", lang),
               t("report.col.document", lang), t("report.col.ta", lang), t("report.col.version", lang),
               t("report.col.penetapan", lang), t("report.col.nomor", lang), t("report.col.received", lang),
               t("report.col.received_time", lang), t("report.col.channel", lang), t("report.col.review", lang),
               t("report.col.reviewer", lang), t("report.col.reviewed_at", lang), t("report.col.reason", lang),
               t("report.col.decides", lang)]  # fmt: skip
    sheet = _sheet(book, t("report.sheet.versions", lang),
                   t("report.xlsx.versions_title", lang, year=data.year, kecamatan=data.kecamatan_nama), subtitle,
                   headers, [6, 20, 15, 10, 7, 7, 16, 18, 16, 20, 18, 16, 20, 20, 30, 11])  # fmt: skip
    for number, v in enumerate(data.versions, 1):
        _row(sheet, HEADER_ROW + number,
             [number, v.desa_nama, v.desa_kode, doc_label(v.document_code), v.tahun_anggaran, v.version,
              v.tanggal_penetapan, v.nomor, v.received_on, _naive(v.received_at),
              t(f"report.channel.{v.channel.value}", lang), t(f"review.{v.review_status.value}", lang), v.reviewer,
              _naive(v.reviewed_at), v.reason,
              t("cli.yes", lang) if v.decides else t("cli.no", lang)],
             {7: DATE, 9: DATE, 10: DATETIME, 14: DATETIME})  # fmt: skip

    # Perbandingan: earlier years as published, this year, and the other kecamatan of the kabupaten
    headers = [t("report.col.year", lang), t("report.col.target", lang), t("report.col.realisasi", lang),
               t("report.col.capaian_published", lang), t("report.col.capaian_computed", lang),
               t("report.col.predikat", lang), t("report.col.source", lang)]  # fmt: skip
    sheet = _sheet(book, t("report.sheet.compare", lang),
                   t("report.xlsx.history_title", lang, kecamatan=data.kecamatan_nama), subtitle, headers,
                   [18, 12, 12, 14, 14, 14, 52])  # fmt: skip
    marked = Font(color="C00000", bold=True)
    row = HEADER_ROW + 1
    for h in [*data.history, *([data.published] if data.published else [])]:
        _row(sheet, row, [h.year, _figure(h.target), _figure(h.realisasi), _figure(h.capaian),
                          _figure(h.capaian_computed), None,
                          t("report.source.published_differs" if h.differs else "report.source.published", lang,
                            year=h.year)], {2: NUMBER, 3: NUMBER, 4: NUMBER, 5: NUMBER})  # fmt: skip
        if h.differs:
            sheet.cell(row, 4).font = marked
            sheet.cell(row, 7).font = marked
        row += 1
    iku = data.iku
    if iku is not None and data.has_data:
        _row(sheet, row, [data.year, _figure(iku.target.effective), _figure(iku.realisasi), None,
                          _figure(iku.capaian), iku.predikat, t("report.source.computed", lang)],
             {2: NUMBER, 3: NUMBER, 5: NUMBER})  # fmt: skip
        sheet.cell(row, 1).font = Font(bold=True)
        row += 1
    row += 1
    title = t("report.xlsx.others_title", lang, kabupaten=data.kabupaten_nama, year=data.year)
    sheet_cell(sheet, row, 1, title).font = Font(bold=True, size=12)
    row += 1
    _header(sheet, row, [t("report.col.kecamatan", lang), t("report.col.kode", lang), t("report.col.desa_count", lang),
                         t("report.col.realisasi", lang), t("report.col.target", lang), t("report.col.capaian", lang),
                         t("report.col.predikat", lang)])  # fmt: skip
    row += 1
    own = []
    if result is not None and iku is not None:
        own = [(data.kecamatan_nama + f" ({t('report.source.this', lang)})", data.kecamatan_kode, result.desa_count,
                iku.realisasi, iku.target.effective, iku.capaian, iku.predikat, True, data.has_data)]  # fmt: skip
    others = [(o.nama, o.kode, o.desa_count, o.realisasi, o.target, o.capaian, o.predikat, False, o.has_data)
              for o in data.others]  # fmt: skip
    no_data = t("report.no_data_short", lang, year=data.year)
    for nama, kode, desa, realisasi, target, achieved, grade, is_own, has_data in own + others:
        # one rule with Tabel 3.7 of the Markdown: a kecamatan with no document of the year has no figure, not 0
        figures = [_figure(realisasi), _figure(target), _figure(achieved), grade] if has_data else [
            None, _figure(target), None, no_data]  # fmt: skip
        _row(sheet, row, [nama, kode, desa, *figures], {4: NUMBER, 5: NUMBER, 6: NUMBER})
        if is_own:
            sheet.cell(row, 1).font = Font(bold=True)
        row += 1
    if not data.others:
        sheet_cell(sheet, row, 1, t("report.xlsx.no_others", lang, kabupaten=data.kabupaten_nama)).font = Font(
            italic=True
        )
    _problems_sheet(book, data, subtitle, lang)
    return book


def _problems_sheet(book: Workbook, data: LkjipData, subtitle: str, lang: Language) -> None:
    """Kendala: the problems the desa raised in the year (pemetaan masalah) and what the kecamatan did about them."""
    columns = ["no", "number", "desa", "kode", "document", "reporter", "reported_at", "problem", "answers", "status",
               "closed_at", "closing_note"]  # fmt: skip
    headers = [t(f"report.col.{column}", lang) for column in columns]
    sheet = _sheet(book, t("report.sheet.problems", lang),
                   t("report.xlsx.problems_title", lang, year=data.year, kecamatan=data.kecamatan_nama), subtitle,
                   headers, [6, 8, 20, 15, 16, 18, 20, 45, 45, 12, 20, 35])  # fmt: skip
    for number, p in enumerate(data.problems, 1):
        _row(sheet, HEADER_ROW + number,
             [number, p.number, p.desa_nama, p.desa_kode, p.document or "—", t(f"role.{p.reporter_role}", lang),
              _naive(p.reported_at), p.text, "\n".join(p.answers) or "—", t(f"report.problem.{p.status}", lang),
              _naive(p.closed_at), p.closing_note],
             {7: DATETIME, 11: DATETIME})  # fmt: skip
    if not data.problems:
        sheet_cell(sheet, HEADER_ROW + 1, 1, t("report.xlsx.no_problems", lang)).font = Font(italic=True)


def workbook_bytes(data: LkjipData, language: Language) -> bytes:
    """The workbook as the bytes of an .xlsx file (for the chat's /rekap and for `klambi report`)."""
    buffer = io.BytesIO()
    build_workbook(data, language).save(buffer)
    return buffer.getvalue()
