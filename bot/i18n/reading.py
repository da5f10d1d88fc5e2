"""Texts of reading a document: `klambi read` and why a file cannot be read (merged into `bot.i18n.CATALOG`)."""

from __future__ import annotations

READING_TEXTS: dict[str, tuple[str, str]] = {
    # why a file cannot be read (Unreadable's keys)
    "reading.missing": (
        "{name}: berkas tidak ditemukan atau tidak bisa dibuka.",
        "{name}: file not found or cannot be opened.",
    ),
    "reading.too_big": (
        "{name}: berkas lebih dari {limit} MB; kirim versi yang lebih kecil.",
        "{name}: the file is over {limit} MB; send a smaller version.",
    ),
    "reading.too_many_pages": (
        "{name}: {pages} halaman, lebih dari batas {limit}; kirim dokumennya saja.",
        "{name}: {pages} pages, over the limit of {limit}; send the document alone.",
    ),
    "reading.encrypted": (
        "{name}: berkas terkunci kata sandi; kirim versi tanpa kata sandi.",
        "{name}: the file is locked with a password; send it without the password.",
    ),
    "reading.damaged": (
        "{name}: berkas rusak atau tidak wajar, tidak bisa dibaca.",
        "{name}: the file is damaged or malformed and cannot be read.",
    ),
    "reading.not_a_document": (
        "{name}: bukan PDF, DOCX, JPEG atau PNG.",
        "{name}: not a PDF, DOCX, JPEG or PNG.",
    ),
    "reading.unpacked_too_big": (
        "{name}: isi berkas DOCX terlalu besar setelah dibuka; simpan ulang sebagai PDF.",
        "{name}: the DOCX unpacks to too much; save it again as PDF.",
    ),
    "reading.too_big_image": (
        "{name}: gambar terlalu besar untuk dibaca; kirim foto dengan resolusi lebih kecil.",
        "{name}: the image is too large to read; send a photo of a lower resolution.",
    ),
    "reading.too_slow": (
        "Berkas tidak selesai dibaca dalam {seconds} detik.",
        "The file could not be read within {seconds} seconds.",
    ),
    "reading.too_heavy": (
        "Berkas terlalu berat untuk dibaca (memori atau waktu habis).",
        "The file is too heavy to read (out of memory or time).",
    ),
    # klambi read
    "reading.field.document": ("Dokumen", "Document"),
    "reading.field.tahun_anggaran": ("Tahun anggaran", "Fiscal year"),
    "reading.field.nomor": ("Nomor", "Number"),
    "reading.field.tanggal_penetapan": ("Tanggal penetapan", "Date established"),
    "reading.field.desa_nama": ("Desa", "Desa"),
    "reading.line": ("{label}: {value} ({percent}%) — «{evidence}»", "{label}: {value} ({percent}%) — «{evidence}»"),
    "reading.unread": ("{label}: tidak terbaca", "{label}: not read"),
    "reading.source.text": ("teks berkas", "the file's text"),
    "reading.source.ocr": ("pindaian/foto (OCR)", "scan/photo (OCR)"),
    "reading.source.mixed": ("teks berkas dan pindaian (OCR)", "the file's text and scans (OCR)"),
    "reading.summary": ("Dibaca dari {source}, {pages} halaman.", "Read from {source}, {pages} pages."),
    "reading.no_ocr": (
        "Pindaian dan foto tidak dibaca: Tesseract (tesseract-ocr, tesseract-ocr-ind) belum terpasang, lihat README.",
        "Scans and photos were not read: Tesseract (tesseract-ocr, tesseract-ocr-ind) is not installed, see README.",
    ),
}
