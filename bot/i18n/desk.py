"""Texts of the kecamatan's desk commands on the command line (merged into `bot.i18n.CATALOG`).

Every key starts with `cli.` so that it cannot clash with the chat's texts in `bot/i18n/core.py`.
"""

from __future__ import annotations

DESK_TEXTS: dict[str, tuple[str, str]] = {
    # --- shared ---
    "cli.output_exists": (
        "{path} sudah ada: pakai nama lain, atau --force untuk menimpanya.",
        "{path} already exists: choose another name, or --force to overwrite it.",
    ),
    "cli.output_folder": ("Folder {folder} tidak ada.", "The folder {folder} does not exist."),
    "cli.yes": ("ya", "yes"),
    "cli.no": ("tidak", "no"),
    "cli.record.options_with_subcommand": (
        "Opsi {options} milik `klambi record` sendiri, bukan `klambi record {command}`.",
        "The options {options} belong to `klambi record` itself, not to `klambi record {command}`.",
    ),
    # --- deadlines ---
    "cli.deadlines.set": (
        "Batas kesepakatan {doc} TA {ta} Kecamatan {kecamatan} ({kode}): {date}. Batas waktu peraturan tetap {legal}.",
        "Agreed date of {doc} FY {ta}, Kecamatan {kecamatan} ({kode}): {date}. The legal deadline stays {legal}.",
    ),
    "cli.deadlines.changed": ("Berubah ({count} desa): {names}.", "Changed ({count} desa): {names}."),
    "cli.deadlines.none_changed": (
        "Tidak ada desa yang berubah (sudah pada tanggal itu).",
        "No desa changed (they already had that date).",
    ),
    "cli.deadlines.kept": (
        "Tetap dengan perpanjangannya sendiri ({count} desa): {names}.",
        "Keeping their own extension ({count} desa): {names}.",
    ),
    "cli.deadlines.notified": (
        "{count} orang (sekdes dan pendamping) diberi tahu lewat bot.",
        "{count} people (sekdes and pendamping) told through the bot.",
    ),
    "cli.deadlines.before_year": (
        "--agreed {date}: sebelum tahun {year}, saat {doc} TA {ta} jatuh tempo (batas peraturan {legal}). Periksa "
        "tahunnya atau --ta; tidak ada yang diubah.",
        "--agreed {date}: before {year}, the year {doc} TA {ta} is due in (legal deadline {legal}). Check the year or "
        "--ta; nothing was changed.",
    ),
    "cli.deadlines.after_legal": (
        "Catatan: tanggal itu sesudah batas waktu peraturan ({legal}); indikator tetap dinilai dari batas waktu "
        "peraturan.",
        "Note: that date is after the legal deadline ({legal}); the indicator is still judged on the legal deadline.",
    ),
    "cli.deadlines.title": (
        "Batas kesepakatan — Kecamatan {kecamatan} ({kode}), tahun kinerja {year}",
        "Agreed dates — Kecamatan {kecamatan} ({kode}), performance year {year}",
    ),
    "cli.deadlines.extension": (
        "{previous} → {new} ({reason}; diberikan {granted})",
        "{previous} → {new} ({reason}; granted {granted})",
    ),
    "cli.column.extensions": ("Perpanjangan", "Extensions"),
    # --- record import and template ---
    "cli.import.summary": (
        "{path}: {created} versi baru, {unchanged} sudah tercatat (tidak diubah), {bad} baris salah, "
        "{skipped} baris belum diisi dilewati.",
        "{path}: {created} new versions, {unchanged} already recorded (unchanged), {bad} bad rows, "
        "{skipped} rows not filled in skipped.",
    ),
    "cli.import.rows": (
        "{path}: {count} baris salah, tidak ada yang disimpan:",
        "{path}: {count} bad rows, nothing was written:",
    ),
    "cli.import.rows_skipped": (
        "{path}: {count} baris salah tidak disimpan (baris lain disimpan):",
        "{path}: {count} bad rows not written (the other rows were):",
    ),
    "cli.import.row": ("baris {row}, kolom {column}: {problem}", "row {row}, column {column}: {problem}"),
    "cli.import.formula_no_value": (
        "rumus {formula} tanpa nilai tersimpan; buka dan simpan ulang di Excel, atau ketik nilainya",
        "the formula {formula} has no stored value; open and save it again in Excel, or type the value",
    ),
    "cli.import.excel_error": ("rumus menghasilkan galat {value}", "the formula gives the error {value}"),
    "cli.import.merged": (
        "sel gabungan {cells}; pisahkan selnya dan isi setiap baris",
        "merged cells {cells}; unmerge them and fill in every row",
    ),
    "cli.import.date_in_text": (
        "Excel mengubahnya menjadi tanggal ({value}); format kolom sebagai Teks lalu ketik ulang",
        "Excel turned it into a date ({value}); format the column as Text and type it again",
    ),
    "cli.import.changed": (
        "{path}: data berubah selama dimuat (misalnya dokumen baru masuk lewat bot); jalankan lagi.",
        "{path}: the data changed while loading (a document arrived through the bot, say); run it again.",
    ),
    "cli.import.missing_value": ("kosong, padahal wajib diisi", "empty, but required"),
    "cli.import.bad_status": (
        "status '{value}' tidak dikenal (diterima, menunggu atau ditolak)",
        "status '{value}' is unknown (diterima, menunggu or ditolak)",
    ),
    "cli.import.reason_required": ("status ditolak perlu alasan", "status ditolak needs an alasan"),
    "cli.import.reason_only_rejected": (
        "alasan hanya untuk status ditolak",
        "an alasan is only for status ditolak",
    ),
    "cli.import.file_type": (
        "{path}: hanya berkas .csv atau .xlsx yang bisa dimuat (simpan ulang dari Excel sebagai .xlsx).",
        "{path}: only .csv or .xlsx files can be loaded (save it again from Excel as .xlsx).",
    ),
    "cli.import.not_utf8": (
        '{path}: bukan teks UTF-8; simpan ulang sebagai "CSV UTF-8" atau sebagai .xlsx.',
        '{path}: not UTF-8 text; save it again as "CSV UTF-8" or as .xlsx.',
    ),
    "cli.import.bad_xlsx": ("{path}: bukan berkas XLSX yang bisa dibaca.", "{path}: not a readable XLSX file."),
    "cli.import.header_missing": (
        "{path}: kolom {columns} tidak ada di baris pertama (wajib: desa, doc, ta, penetapan).",
        "{path}: the columns {columns} are missing from the first row (required: desa, doc, ta, penetapan).",
    ),
    "cli.import.header_unknown": (
        "{path}: kolom {columns} tidak dikenal (yang dikenal: {known}).",
        "{path}: unknown columns {columns} (known: {known}).",
    ),
    "cli.import.header_duplicate": (
        "{path}: kolom {columns} muncul dua kali.",
        "{path}: the columns {columns} appear twice.",
    ),
    "cli.import.empty": ("{path}: tidak ada baris yang diisi.", "{path}: no row is filled in."),
    "cli.template.saved": (
        "Templat {path}: {rows} baris ({desa} desa × {documents} dokumen tahun kinerja {year}). Isi tanggal "
        "penetapan (dan kolom lain bila perlu), lalu muat dengan `klambi record import {path}`.",
        "Template {path}: {rows} rows ({desa} desa × {documents} documents of performance year {year}). Fill in the "
        "tanggal penetapan (and other columns as needed), then load it with `klambi record import {path}`.",
    ),
    "cli.template.suffix": (
        "{path}: nama berkas templat harus berakhiran .xlsx.",
        "{path}: the template's file name must end in .xlsx.",
    ),
    "cli.export.suffix": (
        "{path}: arsip bukti dukung ditulis sebagai zip; nama berkasnya harus berakhiran .zip.",
        "{path}: the evidence archive is a zip; its file name must end in .zip.",
    ),
    "cli.template.no_desa": (
        "Kecamatan {kecamatan} ({kode}) tidak punya desa: tidak ada yang perlu diisi.",
        "Kecamatan {kecamatan} ({kode}) has no desa: there is nothing to fill in.",
    ),
    "cli.template.sheet": ("Dokumen", "Documents"),
    "cli.template.help_sheet": ("Petunjuk", "Instructions"),
    "cli.template.help_title": (
        "Templat catatan dokumen desa — Kecamatan {kecamatan} ({kode}), tahun kinerja {year}",
        "Village document records template — Kecamatan {kecamatan} ({kode}), performance year {year}",
    ),
    "cli.template.help_intro": (
        "Satu baris = satu versi dokumen yang diterima kecamatan. Baris yang kolom penetapan, diterima, nomor, "
        "status dan alasannya kosong dilewati. Muat dengan: klambi record import NAMA-BERKAS.xlsx",
        "One row = one version of a document the kecamatan received. Rows whose penetapan, diterima, nomor, status "
        "and alasan are empty are skipped. Load it with: klambi record import FILE-NAME.xlsx",
    ),
    "cli.template.help_column": ("Kolom", "Column"),
    "cli.template.help_meaning": ("Isi", "Meaning"),
    "cli.template.help_required": ("Wajib", "Required"),
    "cli.template.help.desa": (
        "Kode desa Kepmendagri, mis. 35.08.17.2001 (sudah diisi).",
        "The desa's Kepmendagri code, e.g. 35.08.17.2001 (prefilled).",
    ),
    "cli.template.help.nama_desa": (
        "Nama desa, hanya untuk dibaca (tidak dimuat).",
        "The desa's name, for reading only (not loaded).",
    ),
    "cli.template.help.doc": ("RKPDES, APBDES atau LPPDES (sudah diisi).", "RKPDES, APBDES or LPPDES (prefilled)."),
    "cli.template.help.ta": ("Tahun anggaran dokumen (sudah diisi).", "The document's fiscal year (prefilled)."),
    "cli.template.help.penetapan": (
        "Tanggal penetapan Perdes / dokumen, sebagai tanggal (atau teks 2024-09-27).",
        "The date the Perdes / document was established, as a date (or the text 2024-09-27).",
    ),
    "cli.template.help.diterima": (
        "Tanggal diterima kecamatan. Wajib untuk LPPDES (ketepatan waktunya dinilai dari tanggal ini); untuk RKPDES "
        "dan APBDES kosong berarti sama dengan tanggal penetapan.",
        "The date the kecamatan received it. Required for LPPDES (its timeliness is judged by this date); for RKPDES "
        "and APBDES empty means the tanggal penetapan.",
    ),
    "cli.template.help.nomor": ("Nomor Perdes / dokumen (boleh kosong).", "The Perdes / document number (optional)."),
    "cli.template.help.status": (
        "Keputusan kecamatan: diterima, menunggu atau ditolak. Kosong: diterima.",
        "The kecamatan's verdict: diterima, menunggu or ditolak. Empty: diterima.",
    ),
    "cli.template.help.alasan": (
        "Alasan penolakan: wajib bila status ditolak, selain itu kosong.",
        "The reason for rejection: required when status is ditolak, otherwise empty.",
    ),
    "cli.template.help_twice": (
        "Memuat berkas yang sama dua kali tidak mengubah apa pun. Bila ada baris yang salah, tidak ada yang "
        "disimpan dan setiap baris yang salah disebut nomornya (atau pakai --partial untuk menyimpan yang benar).",
        "Loading the same file twice changes nothing. If a row is wrong, nothing is written and every wrong row is "
        "named by its number (or use --partial to write the good rows).",
    ),
    # --- files export ---
    "cli.export.saved": (
        "Arsip {path}: {documents} dokumen diterima dari {obligations} kewajiban tahun kinerja {year} "
        "({files} berkas, {paper} tanpa berkas).",
        "Archive {path}: {documents} accepted documents of {obligations} obligations of performance year {year} "
        "({files} files, {paper} without a file).",
    ),
    "cli.export.missing": (
        "Belum ada dokumen diterima ({count}): {items}.",
        "Not yet accepted ({count}): {items}.",
    ),
    "cli.export.file_missing": (
        "Peringatan: berkas {name} ({sha}) tidak ada di penyimpanan; di indeks ditandai (berkas hilang).",
        "Warning: the file {name} ({sha}) is not in the store; marked (berkas hilang) in the index.",
    ),
    "cli.export.file_damaged": (
        "Peringatan: isi berkas {name} tidak cocok dengan SHA-256 {sha} yang tercatat.",
        "Warning: the content of {name} does not match its recorded SHA-256 {sha}.",
    ),
    "cli.export.no_file": ("(tanpa berkas)", "(tanpa berkas)"),
    "cli.export.lost_file": ("(berkas hilang)", "(berkas hilang)"),
    "cli.export.md_title": (
        "Dokumen bukti dukung — Kecamatan {kecamatan} ({kode}), tahun kinerja {year}",
        "Supporting documents — Kecamatan {kecamatan} ({kode}), performance year {year}",
    ),
    "cli.export.md_indicator": (
        "Indikator: rata-rata persentase desa yang menyusun dokumen administrasi pemerintahan desa tepat waktu.",
        "Indicator: average percentage of desa that prepare their government administration documents on time.",
    ),
    "cli.export.md_as_of": (
        "Per {at}: {documents} dokumen diterima dari {obligations} kewajiban ({desa} desa × {kinds} dokumen).",
        "As of {at}: {documents} accepted documents of {obligations} obligations ({desa} desa × {kinds} documents).",
    ),
    "cli.export.md_missing": ("Belum ada dokumen diterima", "Not yet accepted"),
    "cli.export.col.no": ("No", "No"),
    "cli.export.col.version": ("Versi", "Version"),
    "cli.export.col.penetapan": ("Tanggal penetapan", "Established"),
    "cli.export.col.nomor": ("Nomor", "Number"),
    "cli.export.col.received": ("Diterima", "Received"),
    "cli.export.col.file": ("Berkas", "File"),
    "cli.status.tepat_waktu": ("tepat waktu", "on time"),
    "cli.status.terlambat": ("terlambat", "late"),
    "cli.status.menunggu_verifikasi": ("menunggu verifikasi", "awaiting verification"),
    "cli.status.ditolak": ("ditolak", "rejected"),
    "cli.status.belum_jatuh_tempo": ("belum jatuh tempo", "not yet due"),
    "cli.status.tidak_ada": ("tidak ada", "missing"),
    # --- people ---
    "cli.person.title": ("Orang dan perannya — {place}", "People and their roles — {place}"),
    "cli.person.everywhere": ("seluruh wilayah", "the whole deployment"),
    "cli.person.none": ("Belum ada orang dengan peran aktif.", "Nobody holds an active role yet."),
    "cli.person.column.id": ("ID", "ID"),
    "cli.person.column.role": ("Peran", "Role"),
    "cli.person.column.scope": ("Wilayah", "Place"),
    "cli.person.column.telegram": ("Telegram", "Telegram"),
    "cli.person.column.unreachable": ("Tidak terjangkau", "Unreachable"),
    "cli.person.unreachable_since": ("sejak {date}", "since {date}"),
    "cli.person.scope.desa": ("Desa {nama} ({kode})", "Desa {nama} ({kode})"),
    "cli.person.scope.kecamatan": ("Kecamatan {nama} ({kode})", "Kecamatan {nama} ({kode})"),
    "cli.person.scope.kabupaten": ("{nama} ({kode})", "{nama} ({kode})"),
    "cli.person.bad_id": (
        "--person: '{value}' bukan id orang (angka dari `klambi person list`).",
        "--person: '{value}' is not a person id (a number from `klambi person list`).",
    ),
    "cli.person.one_place": (
        "Sebutkan satu tempat saja: --desa atau --kecamatan.",
        "Give one place only: --desa or --kecamatan.",
    ),
    "cli.person.revoked": (
        "Dicabut dari {name} (id {id}): {roles}. Dokumen yang pernah dikirimnya tetap tersimpan.",
        "Revoked from {name} (id {id}): {roles}. What they sent stays.",
    ),
    "cli.person.told": ("{name} diberi tahu lewat bot.", "{name} is told through the bot."),
}
