"""A Perdes as a secretary sends it, for the chat's tests of reading (tests/test_read_chat.py): a PDF with a text
layer made by fpdf2, and a photo of its last page (pypdfium2 renders, Pillow tilts and compresses it). The
generated corpus of many layouts and wordings is tests/corpus/; this is one plain document."""

from __future__ import annotations

import io

from fpdf import FPDF

TITLES = {
    "RKPDES": "RENCANA KERJA PEMERINTAH DESA TAHUN {ta}",
    "APBDES": "ANGGARAN PENDAPATAN DAN BELANJA DESA TAHUN ANGGARAN {ta}",
}


def perdes_pdf(desa: str, document: str, ta: int, nomor: int, year: int, penetapan: str) -> bytes:
    """Two pages: the head (kop, title, nomor) and the end (Ditetapkan di … pada tanggal …, the kepala desa)."""
    pdf = FPDF(format="A4")
    pdf.set_font("Times", size=12)
    pdf.add_page()
    for line in ("PEMERINTAH KABUPATEN LUMAJANG", "KECAMATAN JATIROTO", f"KEPALA DESA {desa.upper()}", "",
                 f"PERATURAN DESA {desa.upper()}", f"NOMOR {nomor} TAHUN {year}", "", "TENTANG", "",
                 TITLES[document].format(ta=ta), "", "DENGAN RAHMAT TUHAN YANG MAHA ESA", "",
                 f"KEPALA DESA {desa.upper()},"):  # fmt: skip
        pdf.cell(0, 7, line, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 6, "Menimbang : bahwa untuk melaksanakan ketentuan Pasal 79 Undang-Undang Nomor 6 Tahun 2014 "
                   "tentang Desa, perlu menetapkan Peraturan Desa.")  # fmt: skip
    pdf.add_page()
    pdf.multi_cell(0, 6, "Pasal 5\nPeraturan Desa ini mulai berlaku pada tanggal diundangkan.")
    for line in ("", f"Ditetapkan di {desa}", f"pada tanggal {penetapan}", f"KEPALA DESA {desa.upper()},", "", "",
                 "SUPRIYADI"):  # fmt: skip
        pdf.cell(0, 7, line, align="R", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def photo_of(pdf: bytes, page: int, angle: float = 2.5) -> bytes:
    """A phone photo of one page: 150 dpi, a little tilted, JPEG."""
    import pypdfium2
    from PIL import Image

    document = pypdfium2.PdfDocument(pdf)
    try:
        image = document[page].render(scale=150 / 72).to_pil().convert("L")
    finally:
        document.close()
    image = image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=235)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=70)
    return out.getvalue()
