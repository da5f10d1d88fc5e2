"""Renderings shared by the chat and the scheduler."""

from __future__ import annotations

from collections import defaultdict

from bot.chat.messages import Formatted, Span, utf16_length
from bot.i18n import Language, doc_label, fmt_date, fmt_percent, status_label, t
from bot.services.indicator import KecamatanIndicator, ObligationRow
from models.status import STATUS_ORDER, ObligationStatus

# A year whose obligations are all in these has nothing recorded: its 0,00% says only that.
NOTHING_RECEIVED = (ObligationStatus.BELUM_JATUH_TEMPO, ObligationStatus.TIDAK_ADA)

MARKS = {
    ObligationStatus.TEPAT_WAKTU: "✅",
    ObligationStatus.TERLAMBAT: "☑️",
    ObligationStatus.MENUNGGU_VERIFIKASI: "⏳",
    ObligationStatus.DITOLAK: "❌",
    ObligationStatus.BELUM_JATUH_TEMPO: "▫️",
    ObligationStatus.TIDAK_ADA: "⭕",
}
MARK_WIDTH = 2  # an emoji takes two cells of a monospace line


def kecamatan_matrix(kecamatan_nama: str, year: int, rows: list[ObligationRow], lang: Language) -> Formatted:
    """Desa × document with a mark each: no names of people, fit for a group chat. The grid is sent as a <pre>
    block, where Telegram uses a monospace font: each mark starts under its document's name."""
    documents = list(dict.fromkeys(r.document_code for r in rows))
    labels = [doc_label(d) for d in documents]
    widths = [max(len(label), MARK_WIDTH) for label in labels]
    grid = ["  ".join(label.ljust(w) for label, w in zip(labels, widths, strict=True))]
    by_desa: dict[str, dict[str, ObligationRow]] = defaultdict(dict)
    names: dict[str, str] = {}
    for r in rows:
        by_desa[r.desa_kode][r.document_code] = r
        names[r.desa_kode] = r.desa_nama
    for kode, cells in by_desa.items():
        marks = [MARKS[cells[d].status] + " " * (w - MARK_WIDTH) if d in cells else " " * w
                 for d, w in zip(documents, widths, strict=True)]  # fmt: skip
        grid.append("  ".join(marks) + "  " + names[kode])
    heading = t("status.kecamatan_title", lang, kecamatan=kecamatan_nama, year=year) + "\n"
    block = "\n".join(grid)
    return Formatted(f"{heading}\n{block}", (Span("pre", utf16_length(heading + "\n"), utf16_length(block)),))


def render_table(headers: list[str], rows: list[list[str]]) -> str:
    """Columns padded to their widest cell, a rule under the header: a table a terminal shows as is."""
    widths = [max(len(str(c)) for c in column) for column in zip(headers, *rows, strict=True)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    return "\n".join(lines)


def indicator_heading(report: KecamatanIndicator, lang: Language) -> list[str]:
    """Title and 'as of' lines; a kecamatan without desa gets its one line instead."""
    kec, result = report.kecamatan, report.result
    if result is None:
        return [t("indicator.no_desa", lang, kecamatan=kec.nama, kode=kec.kode)]
    return [
        t("indicator.title", lang, kecamatan=kec.nama, kode=kec.kode, year=report.year),
        t("indicator.as_of", lang, at=fmt_date(report.local_date, lang), desa=result.desa_count),
    ]


def indicator_summary(report: KecamatanIndicator, lang: Language) -> list[str]:
    """Realisasi, target (with the initial one beside a revised one), capaian, predikat; then the quarters."""
    result = report.result
    assert result is not None
    target = result.target
    target_text = (
        fmt_percent(target.effective, lang) if target.effective is not None else t("indicator.no_target", lang)
    )
    if target.perubahan is not None and target.awal is not None:
        target_text += " " + t("indicator.target_awal", lang, awal=fmt_percent(target.awal, lang))
    quarters = " · ".join(f"{k} {fmt_percent(v, lang)}" for k, v in result.triwulan.items())
    nothing_received = all(s in NOTHING_RECEIVED for d in result.documents for s in d.statuses.values())
    return [
        t("indicator.summary", lang, realisasi=fmt_percent(result.realisasi, lang), target=target_text,
          capaian=fmt_percent(result.capaian, lang), predikat=result.predikat or t("none", lang)),
        t("indicator.quarters", lang, quarters=quarters),
    ] + ([t("report.no_data", lang, year=report.year)] if nothing_received else [])  # fmt: skip


def indicator_text(report: KecamatanIndicator, lang: Language) -> str:
    """The indicator as `klambi indicator` prints it: a table per document with every status, then the summary."""
    result = report.result
    if result is None:
        return "\n".join(indicator_heading(report, lang))
    headers = [t("column.document", lang), t("column.ta", lang), t("column.deadline", lang)]
    headers += [status_label(s, lang) for s in STATUS_ORDER] + [t("column.percent", lang)]
    rows = [
        [doc_label(doc.code), str(doc.tahun_anggaran), fmt_date(doc.legal_deadline, lang)]
        + [str(n) for n in doc.counts.values()]
        + [fmt_percent(doc.persen, lang)]
        for doc in result.documents
    ]
    return "\n".join(
        [*indicator_heading(report, lang), "", render_table(headers, rows), "", *indicator_summary(report, lang)]
    )
