"""Texts of the LKjIP report exports (`klambi report`, merged into `bot.i18n.CATALOG`).

Every key starts with `report.` so that it cannot clash with the chat's or the desk's texts.
"""

from __future__ import annotations

REPORT_TEXTS: dict[str, tuple[str, str]] = {
    # --- labels shared by the formats ---
    "report.iku": (
        "Rata-rata persentase desa yang menyusun dokumen administrasi pemerintahan desa tepat waktu",
        "Average percentage of desa that prepare their village administration documents on time",
    ),
    "report.program": (
        "Persentase desa yang menyusun {doc} TA {ta} tepat waktu",
        "Percentage of desa that prepare their {doc} TA {ta} on time",
    ),
    "report.sasaran": ("Meningkatnya akuntabilitas pemerintahan desa", "Improved accountability of village government"),
    "report.title": (
        "Indikator akuntabilitas pemerintahan desa — Kecamatan {kecamatan} ({kode}), tahun kinerja {year}",
        "Village accountability indicator — Kecamatan {kecamatan} ({kode}), performance year {year}",
    ),
    "report.as_of": (
        "Keadaan pada {at}; {desa} desa × {kinds} dokumen. Sumber data: Seksi Pemerintahan.",
        "As of {at}; {desa} desa × {kinds} documents. Source: Seksi Pemerintahan.",
    ),
    "report.no_desa": (
        "Kecamatan {kecamatan} ({kode}) tidak memiliki desa: tidak ada indikator.",
        "Kecamatan {kecamatan} ({kode}) has no desa: there is no indicator.",
    ),
    "report.no_data": (
        "Belum ada satu pun dokumen tahun kinerja {year} yang tercatat di basis data ini: angka 0,00% di sini "
        "hanya berarti itu.",
        "Not one document of performance year {year} is recorded in this database: the 0.00% figures here mean "
        "only that.",
    ),
    "report.no_data_published": (
        "Angka yang diterbitkan untuk {year} (LKjIP {year}): target {target}, realisasi {realisasi}, capaian "
        "{capaian}.",
        "The figures published for {year} (LKjIP {year}): target {target}, realisation {realisasi}, achievement "
        "{capaian}.",
    ),
    "report.no_data_short": ("belum ada data {year}", "no data for {year}"),
    "report.col.no": ("No.", "No."),
    "report.col.sasaran": ("Sasaran Strategis", "Strategic goal"),
    "report.col.indikator": ("Indikator Kinerja", "Performance indicator"),
    "report.col.target": ("Target", "Target"),
    "report.col.target_awal": ("Target awal", "Initial target"),
    "report.col.target_perubahan": ("Target perubahan", "Revised target"),
    "report.col.target_year": ("Target {year}", "Target {year}"),
    "report.col.target_renstra": ("Target Akhir Renstra", "Renstra end target"),
    "report.col.capaian_renstra": ("Capaian thd. Renstra (%)", "Achievement vs Renstra (%)"),
    "report.col.realisasi": ("Realisasi", "Realisation"),
    "report.col.realisasi_total": ("Realisasi Total", "Total realisation"),
    "report.col.capaian": ("Capaian (%)", "Achievement (%)"),
    "report.col.predikat": ("Predikat", "Rating"),
    "report.col.year": ("Tahun", "Year"),
    "report.col.capaian_published": ("Capaian terbitan (%)", "Published achievement (%)"),
    "report.col.capaian_computed": ("Realisasi ÷ target (%)", "Realisation ÷ target (%)"),
    "report.col.source": ("Keterangan", "Note"),
    "report.col.kecamatan": ("Kecamatan", "Kecamatan"),
    "report.col.kode": ("Kode", "Code"),
    "report.col.desa": ("Desa", "Desa"),
    "report.col.desa_count": ("Jumlah desa", "Desa"),
    "report.col.document": ("Dokumen", "Document"),
    "report.col.ta": ("TA", "FY"),
    "report.col.version": ("Versi", "Version"),
    "report.col.penetapan": ("Tanggal penetapan", "Date established"),
    "report.col.nomor": ("Nomor", "Number"),
    "report.col.received": ("Tanggal diterima", "Date received"),
    "report.col.received_time": ("Waktu diterima", "Time received"),
    "report.col.channel": ("Saluran", "Channel"),
    "report.col.review": ("Verifikasi", "Verification"),
    "report.col.reviewer": ("Diverifikasi oleh", "Verified by"),
    "report.col.reviewed_at": ("Waktu verifikasi", "Time verified"),
    "report.col.reason": ("Alasan penolakan", "Reason for rejection"),
    "report.col.decides": ("Menentukan status", "Decides the status"),
    "report.col.status": ("Status", "Status"),
    "report.col.deadline": ("Batas waktu", "Deadline"),
    "report.channel.telegram": ("Telegram", "Telegram"),
    "report.channel.kertas": ("kertas (dicatat staf)", "paper (recorded by staf)"),
    "report.channel.cli": ("dicatat (klambi record)", "recorded (klambi record)"),
    "report.channel.impor": ("impor berkas", "bulk import"),
    "report.channel.whatsapp": ("WhatsApp", "WhatsApp"),
    "report.source.published": ("diterbitkan (LKjIP {year})", "published (LKjIP {year})"),
    "report.source.published_differs": (
        "diterbitkan (LKjIP {year}); capaian tidak sama dengan realisasi ÷ target",
        "published (LKjIP {year}); the achievement differs from realisation ÷ target",
    ),
    "report.source.computed": ("dihitung dari dokumen yang diterima", "computed from the documents received"),
    "report.source.this": ("kecamatan ini", "this kecamatan"),
    # --- xlsx ---
    "report.sheet.summary": ("Ringkasan", "Summary"),
    "report.sheet.desa": ("Per Desa", "By desa"),
    "report.sheet.versions": ("Rincian", "Versions"),
    "report.sheet.compare": ("Perbandingan", "Comparison"),
    "report.sheet.problems": ("Kendala", "Problems"),
    "report.xlsx.problems_title": (
        "Pemetaan masalah desa {year} — Kecamatan {kecamatan}",
        "Problems raised by the desa in {year} — Kecamatan {kecamatan}",
    ),
    "report.xlsx.no_problems": ("Tidak ada kendala yang dilaporkan tahun ini.", "No problems were reported this year."),
    "report.col.number": ("Nomor", "Number"),
    "report.col.reporter": ("Dilaporkan oleh", "Reported by"),
    "report.col.reported_at": ("Waktu lapor", "Reported at"),
    "report.col.problem": ("Kendala", "Problem"),
    "report.col.answers": ("Tanggapan kecamatan", "The kecamatan's answers"),
    "report.col.closed_at": ("Ditutup", "Closed"),
    "report.col.closing_note": ("Catatan penyelesaian", "How it was solved"),
    "report.problem.terbuka": ("terbuka", "open"),
    "report.problem.dijawab": ("dijawab", "answered"),
    "report.problem.selesai": ("selesai", "solved"),
    "report.xlsx.summary_title": (
        "Capaian Kinerja Tahun {year} — Kecamatan {kecamatan}",
        "Performance {year} — Kecamatan {kecamatan}",
    ),
    "report.xlsx.desa_title": (
        "Dokumen per desa, tahun kinerja {year} — Kecamatan {kecamatan}",
        "Documents by desa, performance year {year} — Kecamatan {kecamatan}",
    ),
    "report.xlsx.versions_title": (
        "Rincian setiap versi dokumen yang masuk, tahun kinerja {year} — Kecamatan {kecamatan}",
        "Every version received, performance year {year} — Kecamatan {kecamatan}",
    ),
    "report.xlsx.history_title": (
        "Perbandingan dari tahun ke tahun — Kecamatan {kecamatan}",
        "Year after year — Kecamatan {kecamatan}",
    ),
    "report.xlsx.others_title": (
        "Kecamatan lain di {kabupaten}, tahun kinerja {year}",
        "Other kecamatan of {kabupaten}, performance year {year}",
    ),
    "report.xlsx.no_others": (
        "Tidak ada kecamatan lain {kabupaten} dengan desa di basis data ini.",
        "No other kecamatan of {kabupaten} with desa in this database.",
    ),
    "report.xlsx.percent_note": (
        "Angka dalam persen (94,44 berarti 94,44%), dibulatkan sekali ke dua desimal (setengah ke atas).",
        "Figures are percentages (94.44 means 94.44%), rounded once to two decimals (half up).",
    ),
    # --- markdown ---
    "report.md.t32": ("Tabel 3.2 Capaian Kinerja Tahun {year}", "Table 3.2 Performance {year}"),
    "report.md.t32_target": (
        "Target: target perubahan {perubahan} (target awal {awal}). Triwulan: realisasi yang diketahui pada akhir "
        "31 Maret, 30 Juni, 30 September dan 31 Desember.",
        "Target: revised target {perubahan} (initial target {awal}). Quarters: the realisation known at the end of "
        "31 March, 30 June, 30 September and 31 December.",
    ),
    "report.md.t33": (
        "Tabel 3.3 Perbandingan Antara Target dan Realisasi Kinerja Tahun {year} Kecamatan {kecamatan}",
        "Table 3.3 Target and Realisation {year}, Kecamatan {kecamatan}",
    ),
    "report.md.t34": (
        "Tabel 3.4/3.5 Perbandingan Capaian Kinerja dari Tahun ke Tahun",
        "Table 3.4/3.5 Performance Year after Year",
    ),
    "report.md.t34_none": (
        "Belum ada angka tahun-tahun sebelumnya (`klambi history import`).",
        "No figures of earlier years yet (`klambi history import`).",
    ),
    "report.md.t34_footnote": (
        "*) Capaian sebagaimana diterbitkan; tidak sama dengan realisasi ÷ target: {items}.",
        "*) Achievement as published; it differs from realisation ÷ target: {items}.",
    ),
    "report.md.t36": (
        "Tabel 3.6 Perbandingan Realisasi Kinerja Tahun {year} dengan Target Akhir Renstra",
        "Table 3.6 Realisation {year} against the Renstra End Target",
    ),
    "report.md.t36_note": (
        "Capaian di sini = realisasi ÷ target akhir Renstra × 100%.",
        "Achievement here = realisation ÷ Renstra end target × 100%.",
    ),
    "report.md.t37": (
        "Tabel 3.7 Perbandingan Realisasi Kinerja Tahun Ini dengan Kecamatan {other}",
        "Table 3.7 Realisation This Year Compared with Kecamatan {other}",
    ),
    "report.md.t37_title": (
        "Tabel 3.7 Perbandingan dengan Kecamatan Lain",
        "Table 3.7 Comparison with Another Kecamatan",
    ),
    "report.md.t37_col_other": ("Kecamatan {other}", "Kecamatan {other}"),
    "report.md.t37_note": (
        "Realisasi Kecamatan {other} dihitung dengan cara yang sama ({desa} desa); capaian = capaian Kecamatan "
        "{kecamatan}.",
        "Kecamatan {other}'s realisation is computed the same way ({desa} desa); the achievement is Kecamatan "
        "{kecamatan}'s.",
    ),
    "report.md.t37_none": (
        "Tidak ada kecamatan lain {kabupaten} dengan data tahun {year} di basis data ini; tabel tidak dibuat "
        "(pilih dengan `--compare KODE`).",
        "No other kecamatan of {kabupaten} with data for {year} in this database; the table is left out (choose one "
        "with `--compare KODE`).",
    ),
    # --- the command ---
    "report.md.t37_without": (
        "Belum ada dokumen tahun {year} yang tercatat untuk: {names}.",
        "No document of {year} is recorded yet for: {names}.",
    ),
    "report.saved": ("Laporan {format} tersimpan: {path}", "{format} report saved: {path}"),
    "report.compare_self": (
        "--compare {kode}: itu kecamatan laporan ini sendiri; pilih kecamatan lain.",
        "--compare {kode}: that is this report's own kecamatan; choose another.",
    ),
    "report.suffix": (
        "-o {path}: berkas --format {format} harus bernama *.{format}.",
        "-o {path}: a --format {format} file must be named *.{format}.",
    ),
    "report.part_only_csv": ("--part hanya untuk --format csv.", "--part is only for --format csv."),
    "report.png_unavailable": (
        "Format png belum tersedia (reports.charts.render_indicator_png tidak ditemukan).",
        "The png format is not available yet (reports.charts.render_indicator_png not found).",
    ),
}
