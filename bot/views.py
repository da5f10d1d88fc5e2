"""Renderings shared by the chat and the scheduler."""

from __future__ import annotations

from collections import defaultdict

from bot.services.indicator import ObligationRow
from bot.texts import Language, t
from models.status import ObligationStatus

MARKS = {
    ObligationStatus.TEPAT_WAKTU: "✅",
    ObligationStatus.TERLAMBAT: "☑️",
    ObligationStatus.MENUNGGU_VERIFIKASI: "⏳",
    ObligationStatus.DITOLAK: "❌",
    ObligationStatus.BELUM_JATUH_TEMPO: "▫️",
    ObligationStatus.TIDAK_ADA: "❌",
}


def kecamatan_matrix(kecamatan_nama: str, year: int, rows: list[ObligationRow], lang: Language) -> str:
    """Desa × document with a mark each: no names of people, fit for a group chat."""
    documents = list(dict.fromkeys(r.document_code for r in rows))
    lines = [t("status.kecamatan_title", lang, kecamatan=kecamatan_nama, year=year), "", "  ".join(documents)]
    by_desa: dict[str, dict[str, ObligationRow]] = defaultdict(dict)
    names: dict[str, str] = {}
    for r in rows:
        by_desa[r.desa_kode][r.document_code] = r
        names[r.desa_kode] = r.desa_nama
    for kode, cells in by_desa.items():
        marks = " ".join(MARKS[cells[d].status] for d in documents if d in cells)
        lines.append(f"{marks}  {names[kode]}")
    return "\n".join(lines)
