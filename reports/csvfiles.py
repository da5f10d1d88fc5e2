"""The Per Desa and Rincian data as CSV for other tools: UTF-8 with BOM (Excel opens it right), comma-separated,
one row per record, codes rather than labels (`tepat_waktu`, `diterima`, `kertas`), dot decimals, ISO dates and
ISO times with their offset. Column names are fixed (not translated): a script reading them must not depend on
the language setting. A text that a spreadsheet would run as a formula (a nomor `=HYPERLINK(…)`) gets a leading
apostrophe (`bot.cleaning.csv_row`).
"""

from __future__ import annotations

import csv
import io

from bot.cleaning import csv_row
from reports.tables import LkjipData

PARTS = ("per-desa", "rincian")
DESA_COLUMNS = ("desa", "nama_desa", "dokumen", "ta", "batas_waktu", "status", "tanggal_penetapan",
                "tanggal_diterima", "jumlah_versi")  # fmt: skip
VERSION_COLUMNS = ("desa", "nama_desa", "dokumen", "ta", "versi", "tanggal_penetapan", "nomor", "tanggal_diterima",
                   "waktu_diterima", "saluran", "verifikasi", "diverifikasi_oleh", "waktu_verifikasi", "alasan",
                   "menentukan_status")  # fmt: skip


def _iso(value) -> str:
    return "" if value is None else value.isoformat()


def desa_rows(data: LkjipData) -> list[list[object]]:
    return [
        [desa.desa_kode, desa.desa_nama, c.document_code, c.tahun_anggaran, c.legal_deadline.isoformat(),
         c.status.value, _iso(c.tanggal_penetapan), _iso(c.received_on), c.versions]
        for desa in data.desa_rows
        for c in desa.cells
    ]  # fmt: skip


def version_rows(data: LkjipData) -> list[list[object]]:
    return [
        [v.desa_kode, v.desa_nama, v.document_code, v.tahun_anggaran, v.version, v.tanggal_penetapan.isoformat(),
         v.nomor or "", v.received_on.isoformat(), v.received_at.isoformat(timespec="seconds"), v.channel.value,
         v.review_status.value, v.reviewer or "", "" if v.reviewed_at is None else v.reviewed_at.isoformat(
             timespec="seconds"), v.reason or "", "true" if v.decides else "false"]
        for v in data.versions
    ]  # fmt: skip


def csv_bytes(data: LkjipData, part: str) -> bytes:
    if part not in PARTS:
        raise ValueError(part)
    columns, rows = (DESA_COLUMNS, desa_rows(data)) if part == "per-desa" else (VERSION_COLUMNS, version_rows(data))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows(csv_row(row) for row in rows)
    return buffer.getvalue().encode("utf-8-sig")
