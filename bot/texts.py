"""Everything a person reads, in Bahasa Indonesia first and English second, and the way dates and numbers look.

Dates read "30 September 2024" and numbers "94,44%" in Indonesian (Babel); machine output (JSON, CSV) keeps ISO
dates and a decimal dot. Figures arrive here already rounded half up: formatting never rounds again.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal

from models.status import ObligationStatus

Language = Literal["id", "en"]

CATALOG: dict[str, tuple[str, str]] = {
    # --- input errors (one line each) ---
    "error.prefix": ("Galat", "Error"),
    "error.unknown_desa": (
        "Desa {kode} belum terdaftar. Muat dulu dengan `klambi villages import --area {kecamatan}`.",
        "Desa {kode} is not loaded. Load it first with `klambi villages import --area {kecamatan}`.",
    ),
    "error.not_a_desa_code": (
        "{kode} bukan kode desa (contoh: 35.08.17.2001).",
        "{kode} is not a desa code (for example 35.08.17.2001).",
    ),
    "error.kelurahan": (
        "{kode} ({nama}) adalah kelurahan: kelurahan tidak menyusun RKPDes, APBDes, maupun LPPDes.",
        "{kode} ({nama}) is a kelurahan: kelurahan make no RKPDes, APBDes or LPPDes.",
    ),
    "error.unknown_kecamatan": (
        "Kecamatan {kode} belum terdaftar. Muat dulu dengan `klambi villages import --area {kode}`.",
        "Kecamatan {kode} is not loaded. Load it first with `klambi villages import --area {kode}`.",
    ),
    "error.not_a_kecamatan_code": (
        "{kode} bukan kode kecamatan (contoh: 35.08.17).",
        "{kode} is not a kecamatan code (for example 35.08.17).",
    ),
    "error.unknown_area": (
        "Wilayah {kode} tidak ada dalam data Kepmendagri 2025. Gunakan kode provinsi (35), kabupaten (35.08) "
        "atau kecamatan (35.08.17).",
        "Area {kode} is not in the Kepmendagri 2025 reference data. Use a province (35), kabupaten (35.08) "
        "or kecamatan (35.08.17) code.",
    ),
    "error.unknown_document": (
        "Dokumen {code} tidak dikenal. Pilihan: {choices}.",
        "Unknown document {code}. Choose one of: {choices}.",
    ),
    "error.not_a_date": (
        "{option}: '{value}' bukan tanggal. Tulis seperti 2024-09-27.",
        "{option}: '{value}' is not a date. Write it like 2024-09-27.",
    ),
    "error.year_out_of_range": (
        "{option}: tahun {value} di luar rentang {low}–{high}.",
        "{option}: year {value} is outside {low}–{high}.",
    ),
    "error.not_a_year": ("{option}: '{value}' bukan tahun.", "{option}: '{value}' is not a year."),
    "error.future_date": (
        "{option}: {value} belum terjadi (hari ini {today}).",
        "{option}: {value} is in the future (today is {today}).",
    ),
    "error.penetapan_after_received": (
        "Tanggal penetapan {penetapan} sesudah tanggal diterima {diterima}: "
        "dokumen tidak bisa diterima sebelum ditetapkan.",
        "Tanggal penetapan {penetapan} is after the date received {diterima}: "
        "a document cannot arrive before it exists.",
    ),
    "error.reason_required": (
        'Dokumen yang ditolak perlu alasan: tambahkan --alasan "...".',
        'A rejected document needs a reason: add --alasan "...".',
    ),
    "error.reason_only_when_rejected": (
        "--alasan hanya untuk dokumen yang ditolak.",
        "--alasan is only for a rejected document.",
    ),
    "error.not_a_number": (
        "{option}: '{value}' bukan angka (contoh: 94,44 atau 94.44).",
        "{option}: '{value}' is not a number (for example 94,44 or 94.44).",
    ),
    "error.number_out_of_range": (
        "{option}: {value} harus di antara {low} dan {high}, paling banyak dua desimal.",
        "{option}: {value} must lie between {low} and {high}, with at most two decimals.",
    ),
    "error.target_missing": (
        "Isi paling sedikit satu target: --awal, --perubahan atau --renstra.",
        "Give at least one target: --awal, --perubahan or --renstra.",
    ),
    "error.file_not_found": ("Berkas {path} tidak ditemukan.", "File {path} not found."),
    "error.file_type": (
        "Berkas {path} bukan PDF, foto (JPEG/PNG) atau DOCX.",
        "File {path} is not a PDF, a photo (JPEG/PNG) or a DOCX.",
    ),
    "error.file_empty": ("Berkas {path} kosong.", "File {path} is empty."),
    "error.text_too_long": (
        "{option} terlalu panjang (paling banyak {limit} karakter).",
        "{option} is too long (at most {limit} characters).",
    ),
    "error.csv_header": (
        "{path}: kolom harus `kode,nama` (baris pertama), ditemukan: {found}.",
        "{path}: the columns must be `kode,nama` (first row), found: {found}.",
    ),
    "error.csv_rows": (
        "{path}: {count} baris salah, tidak ada yang disimpan: {rows}",
        "{path}: {count} bad rows, nothing was written: {rows}",
    ),
    "error.csv_row_code": ("baris {row}: kode '{kode}' tidak dikenali", "row {row}: code '{kode}' is not a code"),
    "error.csv_row_name": ("baris {row}: nama kosong atau terlalu panjang", "row {row}: name empty or too long"),
    "error.csv_row_parent": (
        "baris {row}: induk {parent} dari {kode} tidak ada di berkas, di basis data, maupun di data rujukan",
        "row {row}: the parent {parent} of {kode} is not in the file, the database or the reference data",
    ),
    "error.csv_row_duplicate": ("baris {row}: kode {kode} muncul dua kali", "row {row}: code {kode} appears twice"),
    "error.area_or_file": (
        "Sebutkan --area KODE atau sebuah berkas CSV (tidak keduanya).",
        "Give --area CODE or a CSV file (not both).",
    ),
    "error.no_token": (
        "Token bot belum diatur: isi [telegram] token di config.toml atau KLAMBI_TELEGRAM__TOKEN.",
        "No bot token yet: set [telegram] token in config.toml or KLAMBI_TELEGRAM__TOKEN.",
    ),
    "error.database": (
        "Basis data tidak bisa dipakai ({reason}). Periksa [database] url, lalu jalankan `klambi db upgrade`.",
        "The database cannot be used ({reason}). Check [database] url, then run `klambi db upgrade`.",
    ),
    "error.not_a_day_off": ("{day} sudah hari kerja.", "{day} is already a working day."),
    "error.weekend": (
        "{day} jatuh pada akhir pekan dan tetap libur.",
        "{day} falls on a weekend and stays a day off.",
    ),
    # --- results ---
    "db.upgraded": (
        "Skema basis data mutakhir (revisi {revision}).",
        "Database schema up to date (revision {revision}).",
    ),
    "villages.imported": (
        "{area}: {kecamatan} kecamatan dan {desa} desa baru, {kewajiban} kewajiban dokumen dibuat; "
        "{unchanged} desa sudah ada; {kelurahan} kelurahan dilewati (tidak menyusun dokumen desa).",
        "{area}: {kecamatan} new kecamatan and {desa} new desa, {kewajiban} document obligations created; "
        "{unchanged} desa already there; {kelurahan} kelurahan skipped (they make no village documents).",
    ),
    "villages.progress": ("Memuat desa", "Loading desa"),
    "target.saved": (
        "Target {indicator} Kecamatan {kecamatan} tahun {year}: awal {awal}, perubahan {perubahan}, renstra {renstra}.",
        "Target {indicator} of Kecamatan {kecamatan} for {year}: "
        "initial {awal}, revised {perubahan}, renstra {renstra}.",
    ),
    "record.saved": (
        "Tercatat: {document} TA {ta} Desa {desa}, versi {version} ({review}), ditetapkan {penetapan}, "
        "diterima {diterima}.",
        "Recorded: {document} TA {ta} of Desa {desa}, version {version} ({review}), established {penetapan}, "
        "received {diterima}.",
    ),
    "record.unchanged": (
        "Sudah tercatat sebelumnya sebagai versi {version}: tidak ada yang diubah.",
        "Already recorded as version {version}: nothing changed.",
    ),
    "none": ("—", "—"),
    "holidays.title": ("Hari libur kerja tahun {year}", "Days off in {year}"),
    "holidays.added": ("{day} kini hari libur: {name}.", "{day} is now a day off: {name}."),
    "holidays.unchanged": (
        "{day} memang sudah libur: tidak ada yang diubah.",
        "{day} already is a day off: nothing changed.",
    ),
    "holidays.removed": ("{day} ({name}) kini hari kerja.", "{day} ({name}) is now a working day."),
    "holidays.by_admin": ("ditambahkan admin", "added by an admin"),
    "holidays.official": ("libur nasional / cuti bersama", "public holiday / cuti bersama"),
    "column.date": ("Tanggal", "Date"),
    "column.name": ("Nama", "Name"),
    "column.source": ("Sumber", "Source"),
    "demo.loaded": ("Kecamatan Jatiroto dimuat: {desa} desa.", "Kecamatan Jatiroto loaded: {desa} desa."),
    "demo.targets": (
        "Target 2024 (Perjanjian Kinerja): awal 88,89%, perubahan 94,44%.",
        "Targets 2024 (Perjanjian Kinerja): initial 88.89%, revised 94.44%.",
    ),
    "demo.recorded": (
        "18 dokumen tahun kinerja 2024 tercatat ({new} baru), semuanya diterima kecamatan.",
        "18 documents of performance year 2024 recorded ({new} new), all accepted by the kecamatan.",
    ),
    "demo.try": (
        "Coba sendiri: KLAMBI_DATABASE__URL={url} klambi indicator --kecamatan 35.08.17 --year 2024 --format json",
        "Try it yourself: KLAMBI_DATABASE__URL={url} klambi indicator --kecamatan 35.08.17 --year 2024 --format json",
    ),
    # --- indicator ---
    "indicator.title": (
        "Indikator akuntabilitas pemerintahan desa — Kecamatan {kecamatan} ({kode}), tahun kinerja {year}",
        "Village accountability indicator — Kecamatan {kecamatan} ({kode}), performance year {year}",
    ),
    "indicator.as_of": ("Per {at} · {desa} desa", "As of {at} · {desa} desa"),
    "indicator.no_desa": (
        "Kecamatan {kecamatan} ({kode}) tidak punya desa: indikator ini tidak berlaku.",
        "Kecamatan {kecamatan} ({kode}) has no desa: the indicator does not apply.",
    ),
    "indicator.summary": (
        "Realisasi {realisasi} · Target {target} · Capaian {capaian} · Predikat {predikat}",
        "Realisation {realisasi} · Target {target} · Achievement {capaian} · Rating {predikat}",
    ),
    "indicator.target_awal": ("(awal {awal})", "(initial {awal})"),
    "indicator.no_target": ("belum ada", "not set"),
    "indicator.quarters": ("Triwulan: {quarters}", "Quarters: {quarters}"),
    "column.document": ("Dokumen", "Document"),
    "column.ta": ("TA", "FY"),
    "column.deadline": ("Batas waktu", "Legal deadline"),
    "column.agreed": ("Batas kesepakatan", "Agreed date"),
    "column.percent": ("Persen", "Percent"),
    "column.desa": ("Desa", "Desa"),
    "column.status": ("Status", "Status"),
    "column.penetapan": ("Ditetapkan", "Established"),
    "column.received": ("Diterima", "Received"),
    "column.versions": ("Versi", "Versions"),
    "obligations.title": (
        "Kewajiban dokumen — Kecamatan {kecamatan} ({kode}), tahun kinerja {year}, per {at}",
        "Document obligations — Kecamatan {kecamatan} ({kode}), performance year {year}, as of {at}",
    ),
    # --- statuses (with the recap marks of DOMAIN.md) ---
    "status.tepat_waktu": ("✅ tepat waktu", "✅ on time"),
    "status.terlambat": ("☑️ terlambat", "☑️ late"),
    "status.menunggu_verifikasi": ("⏳ menunggu verifikasi", "⏳ awaiting verification"),
    "status.ditolak": ("❌ ditolak", "❌ rejected"),
    "status.belum_jatuh_tempo": ("▫️ belum jatuh tempo", "▫️ not yet due"),
    "status.tidak_ada": ("❌ tidak ada", "❌ missing"),
    "review.menunggu": ("menunggu verifikasi", "awaiting verification"),
    "review.diterima": ("diterima", "accepted"),
    "review.ditolak": ("ditolak", "rejected"),
}

BABEL_LOCALE = {"id": "id", "en": "en"}


def t(key: str, language: Language = "id", **values: object) -> str:
    indonesian, english = CATALOG[key]
    text = indonesian if language == "id" else english
    return text.format(**values) if values else text


def status_label(status: ObligationStatus, language: Language = "id") -> str:
    return t(f"status.{status.value}", language)


def fmt_date(day: date | None, language: Language = "id") -> str:
    if day is None:
        return t("none", language)
    return format_date(day, "d MMMM y", locale=BABEL_LOCALE[language])


def fmt_datetime(moment: datetime, language: Language = "id") -> str:
    """A local time, as on a receipt: '30 September 2024 08.15' ('…08:15' in English)."""
    return format_datetime(
        moment, "d MMMM y HH.mm" if language == "id" else "d MMMM y HH:mm", locale=BABEL_LOCALE[language]
    )


def fmt_number(value: Decimal | None, language: Language = "id") -> str:
    """A figure already rounded to two decimals: '94,44' in Indonesian. Never rounds again."""
    if value is None:
        return t("none", language)
    if value != value.quantize(Decimal("0.01")):
        raise ValueError(f"{value} is not rounded to two decimals")
    return format_decimal(value, "#,##0.00", locale=BABEL_LOCALE[language])


def fmt_percent(value: Decimal | None, language: Language = "id") -> str:
    return t("none", language) if value is None else f"{fmt_number(value, language)}%"
