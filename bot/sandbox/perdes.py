"""A village regulation (Perdes) as a secretary exports it from her word processor: a PDF with a text layer, for the
demo, `klambi try` and the chat's tests of reading. One plain layout; the corpus of many layouts and wordings that
measures the reader is tests/corpus/."""

from __future__ import annotations

from fpdf import FPDF

TITLES = {
    "RKPDES": "RENCANA KERJA PEMERINTAH DESA TAHUN {ta}",
    "APBDES": "ANGGARAN PENDAPATAN DAN BELANJA DESA TAHUN ANGGARAN {ta}",
}


def perdes_pdf(desa: str, document: str, ta: int, nomor: int, year: int, penetapan: str) -> bytes:
    """Two pages: the head (kop, title, nomor, considerations) and the end (Ditetapkan di … pada tanggal …)."""
    pdf = FPDF(format="A4")
    pdf.set_creator("Ngobras Klambi (contoh)")
    pdf.set_font("Times", size=12)
    pdf.add_page()
    head = ["PEMERINTAH KABUPATEN LUMAJANG", "KECAMATAN JATIROTO", f"KEPALA DESA {desa.upper()}", "",
            f"PERATURAN DESA {desa.upper()}", f"NOMOR {nomor} TAHUN {year}", "", "TENTANG", "",
            TITLES[document].format(ta=ta), "", "DENGAN RAHMAT TUHAN YANG MAHA ESA", "",
            f"KEPALA DESA {desa.upper()},"]  # fmt: skip
    for line in head:
        pdf.cell(0, 7, line, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 6, "Menimbang : bahwa untuk melaksanakan ketentuan Pasal 79 Undang-Undang Nomor 6 Tahun 2014 "
                         "tentang Desa, perlu menetapkan Peraturan Desa.")  # fmt: skip
    pdf.add_page()
    pdf.multi_cell(0, 6, "Pasal 5\nPeraturan Desa ini mulai berlaku pada tanggal diundangkan.")
    for line in ("", f"Ditetapkan di {desa}", f"pada tanggal {penetapan}", f"KEPALA DESA {desa.upper()},", "", "",
                 "SUPRIYADI"):  # fmt: skip
        pdf.cell(0, 7, line, align="R", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
