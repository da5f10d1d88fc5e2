"""The LKjIP's tables as Markdown, to paste into the report: Tabel 3.2, 3.3, 3.4/3.5, 3.6 and 3.7.

Indonesian labels (English by `[bot] language`), decimal commas, "—" where there is no figure. Targets and
realisasi carry "%", the capaian columns are headed "(%)" and show the bare figure, as the LKjIP prints them.
"""

from __future__ import annotations

from bot.cleaning import markdown_cell
from bot.i18n import Language, fmt_date, fmt_number, fmt_percent, t
from reports.tables import LkjipData, ProgramRow
from reports.workbook import indicator_label, no_data_notes


def _table(headers: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(markdown_cell(h) for h in headers) + " |", "|" + " --- |" * len(headers)]
    lines += ["| " + " | ".join(markdown_cell(c) for c in row) + " |" for row in rows]
    return lines


def _numbered(data: LkjipData, lang: Language) -> list[tuple[str, str, ProgramRow]]:
    """(No., sasaran, row): the IKU is 1, a document's program indicator 1.1, 1.2 …"""
    rows = []
    for i, program in enumerate(data.programs):
        if program.indicator == "IKU":
            rows.append(("1", t("report.sasaran", lang), program))
        else:
            rows.append((f"1.{i}", "", program))
    return rows


def markdown_text(data: LkjipData, language: Language) -> str:
    lang = language
    lines = ["# " + t("report.title", lang, kecamatan=data.kecamatan_nama, kode=data.kecamatan_kode, year=data.year),
             ""]  # fmt: skip
    result = data.indicator.result
    if result is None or data.iku is None:
        lines.append(t("report.no_desa", lang, kecamatan=data.kecamatan_nama, kode=data.kecamatan_kode))
        return "\n".join(lines) + "\n"
    iku = data.iku
    lines += [t("report.as_of", lang, at=fmt_date(data.local_date, lang), desa=result.desa_count,
                kinds=len(data.documents)), ""]  # fmt: skip
    lines += [f"> {line}" for line in no_data_notes(data, lang)] + ([""] if not data.has_data else [])
    numbered = _numbered(data, lang)
    no, sasaran, indikator = t("report.col.no", lang), t("report.col.sasaran", lang), t("report.col.indikator", lang)

    # Tabel 3.2
    lines += ["## " + t("report.md.t32", lang, year=data.year), ""]
    lines += _table(
        [no, sasaran, indikator, t("report.col.target", lang), "TW I", "TW II", "TW III", "TW IV",
         t("report.col.realisasi_total", lang), t("report.col.capaian", lang)],
        [[n, s, indicator_label(p, lang), fmt_percent(p.target.effective, lang)]
         + [fmt_percent(p.triwulan.get(q), lang) for q in ("I", "II", "III", "IV")]
         + [fmt_percent(p.realisasi, lang), fmt_number(p.capaian, lang)] for n, s, p in numbered],
    )  # fmt: skip
    lines += ["", t("report.md.t32_target", lang, perubahan=fmt_percent(iku.target.perubahan, lang),
                    awal=fmt_percent(iku.target.awal, lang)), ""]  # fmt: skip

    # Tabel 3.3
    lines += ["## " + t("report.md.t33", lang, year=data.year, kecamatan=data.kecamatan_nama), ""]
    lines += _table(
        [no, sasaran, indikator, t("report.col.target", lang), t("report.col.realisasi", lang),
         t("report.col.capaian", lang), t("report.col.predikat", lang)],
        [[n, s, indicator_label(p, lang), fmt_percent(p.target.effective, lang), fmt_percent(p.realisasi, lang),
          fmt_number(p.capaian, lang), p.predikat or t("none", lang)] for n, s, p in numbered],
    )  # fmt: skip
    lines.append("")

    # Tabel 3.4/3.5: published years as published, then this year
    lines += ["## " + t("report.md.t34", lang), ""]
    if not data.history:
        lines += [t("report.md.t34_none", lang), ""]
    rows = []
    published = [*data.history, *([data.published] if data.published else [])]
    for h in published:
        mark = "*)" if h.differs else ""
        key = "report.source.published_differs" if h.differs else "report.source.published"
        rows.append([str(h.year), fmt_percent(h.target, lang), fmt_percent(h.realisasi, lang),
                     fmt_number(h.capaian, lang) + mark, t(key, lang, year=h.year)])  # fmt: skip
    if data.has_data:
        rows.append([str(data.year), fmt_percent(iku.target.effective, lang), fmt_percent(iku.realisasi, lang),
                     fmt_number(iku.capaian, lang), t("report.source.computed", lang)])  # fmt: skip
    lines += _table([t("report.col.year", lang), t("report.col.target", lang), t("report.col.realisasi", lang),
                     t("report.col.capaian", lang), t("report.col.source", lang)], rows)  # fmt: skip
    differing = [h for h in published if h.differs]
    if differing:
        items = "; ".join(f"{h.year} {fmt_number(h.capaian_computed, lang)}" for h in differing)
        lines += ["", t("report.md.t34_footnote", lang, items=items)]
    lines.append("")

    # Tabel 3.6: against the Renstra's end target
    lines += ["## " + t("report.md.t36", lang, year=data.year), ""]
    lines += _table(
        [no, sasaran, indikator, t("report.col.target_year", lang, year=data.year), t("report.col.realisasi", lang),
         t("report.col.target_renstra", lang), t("report.col.capaian", lang)],
        [[n, s, indicator_label(p, lang), fmt_percent(p.target.effective, lang), fmt_percent(p.realisasi, lang),
          fmt_percent(p.target.renstra, lang), fmt_number(p.capaian_renstra, lang)] for n, s, p in numbered],
    )  # fmt: skip
    lines += ["", t("report.md.t36_note", lang), ""]

    # Tabel 3.7: another kecamatan
    other = data.compare
    if other is None or not other.has_data:
        # one rule with the workbook's Perbandingan: a kecamatan with no document of the year is named, not compared
        lines += ["## " + t("report.md.t37_title", lang), "",
                  t("report.md.t37_none", lang, kabupaten=data.kabupaten_nama, year=data.year)]  # fmt: skip
        if without := [o.nama for o in data.others if not o.has_data]:
            lines += ["", t("report.md.t37_without", lang, names=", ".join(without), year=data.year)]
    else:
        lines += ["## " + t("report.md.t37", lang, other=other.nama), ""]
        lines += _table(
            [no, sasaran, indikator, t("report.col.target", lang), t("report.col.realisasi", lang),
             t("report.md.t37_col_other", lang, other=other.nama), t("report.col.capaian", lang)],
            [["1", t("report.sasaran", lang), indicator_label(iku, lang), fmt_percent(iku.target.effective, lang),
              fmt_percent(iku.realisasi, lang), fmt_percent(other.realisasi, lang), fmt_number(iku.capaian, lang)]],
        )  # fmt: skip
        lines += ["", t("report.md.t37_note", lang, other=other.nama, desa=other.desa_count,
                        kecamatan=data.kecamatan_nama)]  # fmt: skip
    return "\n".join(lines) + "\n"


def markdown_bytes(data: LkjipData, language: Language) -> bytes:
    return markdown_text(data, language).encode("utf-8")
