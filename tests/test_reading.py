"""Reading a village document (docs/domain.md "Reading a document"): the parser on the wordings real documents use,
then files through `klambi read`, then hostile files that must be refused within their limits."""

from __future__ import annotations

import json
import random
import sys
import zipfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfWriter

from bot.i18n import t
from bot.reading import FIELDS, Limits, Reading, Unreadable, read_files, read_isolated
from bot.reading.extract import page_texts
from bot.reading.fields import normalise, normalise_nomor, parse_date, read_document

# --- pieces of real documents, put together by the tests -----------------------------------------------------------

COVER = """PEMERINTAH KABUPATEN PASURUAN
KECAMATAN KRATON
PEMERINTAH DESA {desa_upper}
Jl. Raya {desa} No. 12
Nomor : 140/25/35.08.17.2001/2024          {desa}, 3 Oktober 2024
Lampiran : 1 (satu) berkas
Perihal : Penyampaian Peraturan Desa {desa} Nomor {n} Tahun 2024
Kepada Yth. Camat Kraton
di -
KRATON
Bersama ini kami sampaikan Peraturan Desa {desa} Nomor {n} Tahun 2024 untuk dapat dipergunakan sebagaimana mestinya.
KEPALA DESA {desa_upper}
ttd
H. SUPRAPTO
"""

HEAD = """KEPALA DESA {desa_upper}
KABUPATEN PASURUAN
PERATURAN DESA {desa_upper}
{nomor_line}
TENTANG
{title}
DENGAN RAHMAT TUHAN YANG MAHA ESA
KEPALA DESA {desa_upper},
Menimbang : a. bahwa untuk melaksanakan ketentuan Pasal 79 Undang-Undang Nomor 6 Tahun 2014 tentang Desa, perlu
menetapkan {title_body} yang disusun berdasarkan Rencana Kerja Pemerintah Desa;
Mengingat : 1. Undang-Undang Nomor 6 Tahun 2014 tentang Desa (Lembaran Negara Republik Indonesia Tahun 2014 Nomor 7);
2. Peraturan Menteri Dalam Negeri Nomor 114 Tahun 2014 tentang Pedoman Pembangunan Desa;
3. Peraturan Desa {desa} Nomor 2 Tahun 2020 tentang Rencana Pembangunan Jangka Menengah Desa Tahun 2020-2026;
MEMUTUSKAN:
Menetapkan : PERATURAN DESA TENTANG {title}.
Pasal 1
Dalam Peraturan Desa ini yang dimaksud dengan ...
"""

FOOT = """Peraturan Desa ini mulai berlaku pada tanggal diundangkan.
Ditetapkan di {desa}
pada tanggal {tanggal}
KEPALA DESA {desa_upper},
ttd
H. SUPRAPTO
Diundangkan di {desa}
pada tanggal 30 September 2024
SEKRETARIS DESA {desa_upper},
ttd
SITI AMINAH
LEMBARAN DESA {desa_upper} TAHUN 2024 NOMOR {n}
"""


def perdes(
    title: str = "RENCANA KERJA PEMERINTAH DESA TAHUN 2025",
    nomor_line: str = "NOMOR 5 TAHUN 2024",
    tanggal: str = "27 September 2024",
    desa: str = "Kraton",
    cover: bool = False,
    n: str = "5",
) -> list[str]:
    values = {"desa": desa, "desa_upper": desa.upper(), "title": title, "title_body": title.lower(),
              "nomor_line": nomor_line, "tanggal": tanggal, "n": n}  # fmt: skip
    pages = [HEAD.format(**values), "Pasal 2\nRincian kegiatan ada di Lampiran.\n", FOOT.format(**values)]
    return ([COVER.format(**values)] if cover else []) + pages


LPPDES = (
    """LAPORAN PENYELENGGARAAN PEMERINTAHAN DESA
(LPPDes)
AKHIR TAHUN ANGGARAN {ta}
DESA {desa_upper}
KECAMATAN KRATON KABUPATEN PASURUAN
""",
    """KATA PENGANTAR
Puji syukur ... Laporan ini disusun berdasarkan APB Desa Tahun Anggaran {ta} dan RKP Desa Tahun {ta}.
BAB I PENDAHULUAN
""",
    """BAB IV PENUTUP
Demikian laporan ini kami sampaikan.
{desa}, {tanggal}
KEPALA DESA {desa_upper}
ttd
H. SUPRAPTO
""",
)


def lppdes(ta: int = 2024, desa: str = "Sukosari Lor", tanggal: str = "15 Maret 2025") -> list[str]:
    return [p.format(ta=ta, desa=desa, desa_upper=desa.upper(), tanggal=tanggal) for p in LPPDES]


# --- the parser ---------------------------------------------------------------------------------------------------


def test_an_rkpdes_with_its_cover_letter_mengingat_and_diundangkan_is_read_whole() -> None:
    reading = read_document(perdes(cover=True), "text")
    assert reading.document == "RKPDES"
    assert reading.tahun_anggaran == 2025
    assert reading.nomor == "5/2024"
    assert reading.tanggal_penetapan == date(2024, 9, 27)
    assert reading.desa_nama == "Kraton"
    assert reading.pages == 4
    assert reading.evidence["tanggal_penetapan"] == "Ditetapkan di Kraton pada tanggal 27 September 2024"
    assert reading.evidence["nomor"].endswith("NOMOR 5 TAHUN 2024")
    assert all(0.9 <= reading.confidence[name] <= 1.0 for name in FIELDS)


@pytest.mark.parametrize(
    ("nomor_line", "expected"),
    [
        ("NOMOR 5 TAHUN 2024", "5/2024"),
        ("NOMOR : 05 TAHUN 2024", "5/2024"),
        ("Nomor 5 Tahun 2024", "5/2024"),
        ("NOMOR: 12 TAHUN 2024", "12/2024"),
        ("N0MOR : 07 TAHUN 2024", "7/2024"),
        ("NO MOR 5 TAHUN 2024", "5/2024"),
        ("NOMOR.5 TAHUN 2024", "5/2024"),
        ("NOMOR 5/2024", "5/2024"),
        ("NOMOR 5 TA HUN 2024", "5/2024"),
        ("KECAMATAN KRATON NOMOR 9 TAHUN 2023", "9/2023"),
    ],
)
def test_the_nomor_of_the_perdes_in_its_wordings(nomor_line: str, expected: str) -> None:
    assert read_document(perdes(nomor_line=nomor_line)).nomor == expected


def test_a_cover_letter_number_and_cited_regulations_are_never_the_nomor() -> None:
    pages = perdes(cover=True, nomor_line="TENTANG-LESS")
    pages[1] = pages[1].replace("TENTANG-LESS\n", "")
    pages[0] = pages[0].replace(" Nomor 5 Tahun 2024", "")  # the letter names the Perdes without its nomor
    reading = read_document(pages)
    assert reading.nomor is None  # not 140/25/..., not 6/2014, 114/2014 nor the RPJM's 2/2020
    assert reading.confidence.get("nomor", 0) == 0 and "nomor" not in reading.evidence
    assert reading.as_json()["nomor"] is None


def test_a_peraturan_kepala_desa_gives_its_nomor() -> None:
    text = ("PERATURAN KEPALA DESA KRATON\nNOMOR 3 TAHUN 2024\nTENTANG\nPENJABARAN ANGGARAN PENDAPATAN DAN BELANJA "
            "DESA TAHUN ANGGARAN 2025\nMenimbang: bahwa ...")  # fmt: skip
    reading = read_document([text])
    assert reading.nomor == "3/2024"
    assert reading.document is None  # the Penjabaran is not the APBDes


@pytest.mark.parametrize(
    ("title", "document", "ta"),
    [
        ("RENCANA KERJA PEMERINTAH DESA TAHUN 2025", "RKPDES", 2025),
        ("RENCANA KERJA PEMERINTAH DESA KRATON TAHUN ANGGARAN 2026", "RKPDES", 2026),
        ("RKP DESA TAHUN 2025", "RKPDES", 2025),
        ("RKPDes Tahun 2025", "RKPDES", 2025),
        ("ANGGARAN PENDAPATAN DAN BELANJA DESA TAHUN ANGGARAN 2025", "APBDES", 2025),
        ("APB DESA TAHUN ANGGARAN 2025", "APBDES", 2025),
        ("Anggaran Pendapatan dan Belanja Desa Tahun Anggaran 2025", "APBDES", 2025),
        ("APBDes TA 2025", "APBDES", 2025),
        ("PERUBAHAN ANGGARAN PENDAPATAN DAN BELANJA DESA TAHUN ANGGARAN 2025", None, 2025),
        ("PERUBAHAN APB DESA TAHUN ANGGARAN 2025", None, 2025),
        ("P-APBDes TAHUN ANGGARAN 2025", None, 2025),
        ("PENJABARAN APB DESA TAHUN ANGGARAN 2025", None, 2025),
        ("RENCANA PEMBANGUNAN JANGKA MENENGAH DESA TAHUN 2020-2026", None, None),
        ("ANGGARAN PENDAPATAN DAN BELANJA DESA TAHUN ANGGARAN 1925", "APBDES", None),
    ],
)
def test_which_document_the_title_names_and_its_ta(title: str, document: str | None, ta: int | None) -> None:
    reading = read_document(perdes(title=title))
    assert (reading.document, reading.tahun_anggaran) == (document, ta)
    if document is None:
        assert "document" not in reading.evidence and reading.confidence.get("document", 0) == 0


def test_the_title_wins_over_documents_the_body_mentions() -> None:
    reading = read_document(perdes(title="ANGGARAN PENDAPATAN DAN BELANJA DESA TAHUN ANGGARAN 2025"))
    assert "Rencana Kerja Pemerintah Desa" in "".join(perdes())  # the Menimbang cites the RKP Desa
    assert reading.document == "APBDES"


@pytest.mark.parametrize(
    ("tanggal", "expected"),
    [
        ("27 September 2024", date(2024, 9, 27)),
        ("27 SEPTEMBER 2024", date(2024, 9, 27)),
        ("27-09-2024", date(2024, 9, 27)),
        ("27/9/2024", date(2024, 9, 27)),
        ("27.09.2024", date(2024, 9, 27)),
        ("2 7 September 2024", date(2024, 9, 27)),
        ("27 Septernber 2024", date(2024, 9, 27)),
        ("27 Sept 2024", date(2024, 9, 27)),
        ("3 Pebruari 2024", date(2024, 2, 3)),
        ("12 Nopember 2024", date(2024, 11, 12)),
        ("12 Okt 2024", date(2024, 10, 12)),
        ("20 Des. 2024", date(2024, 12, 20)),
        ("02 Oktober 2024", date(2024, 10, 2)),
        ("2 Okt. 2024", date(2024, 10, 2)),
        ("5 Agust 2024", date(2024, 8, 5)),
        ("31 September 2024", None),
        ("30 Februari 2024", None),
        ("27 September 2240", None),
    ],
)
def test_the_tanggal_penetapan_in_its_wordings(tanggal: str, expected: date | None) -> None:
    reading = read_document(perdes(tanggal=tanggal))
    assert reading.tanggal_penetapan == expected  # never the Diundangkan date, 30 September
    if expected is None:
        assert "tanggal_penetapan" not in reading.evidence


@pytest.mark.parametrize(
    "foot",
    [
        "Ditetapkan di : Kraton\nPada tanggal : 27 September 2024\nKEPALA DESA KRATON",
        "Ditetapkan di Kraton, 27 September 2024",
        "Ditetapkan di | Kraton\nTanggal | 27 September 2024",
        "DITETAPKAN DI KRATON\nPADA TANGGAL 27-09-2024",
        "Diundangkan di Kraton pada tanggal 1 Oktober 2024\nDitetapkan di Kraton pada tanggal 27 September 2024",
        "Tanggal penetapan: 27 September 2024",
        "D1TETAPKAN dl Kraton PADA TANGGAL 27 SEPTEMBER 2024",
        "Ditetapkau di Kraton\npada tanggal 27 September 2024",
        "Ditetapkan dl Kraton\npada tanggal 27 Sept. 2024",
        "Ditetapkan di ; Kraton\nPada Tanggal ; 27 September 2024",
    ],
)
def test_ditetapkan_in_lines_tables_and_ocr_noise(foot: str) -> None:
    pages = perdes()
    pages[-1] = foot
    assert read_document(pages).tanggal_penetapan == date(2024, 9, 27)


def test_the_date_of_a_cover_letter_and_of_diundangkan_alone_give_no_tanggal() -> None:
    pages = perdes(cover=True)
    pages[-1] = pages[-1].split("Ditetapkan")[0] + "Diundangkan di Kraton\npada tanggal 30 September 2024\n"
    reading = read_document(pages)
    assert reading.tanggal_penetapan is None
    assert reading.nomor == "5/2024"


def test_two_different_penetapan_dates_of_the_same_strength_give_none_but_a_restatement_is_fine() -> None:
    pages = perdes()
    restated = read_document([*pages, "LAMPIRAN\nDitetapkan di Kraton pada tanggal 27 September 2024"])
    assert restated.tanggal_penetapan == date(2024, 9, 27)
    differing = read_document([*pages, "LAMPIRAN\nDitetapkan di Kraton pada tanggal 20 September 2024"])
    assert differing.tanggal_penetapan is None
    assert differing.confidence.get("tanggal_penetapan", 0) == 0


def test_an_lppdes_without_nomor_gives_the_date_of_the_report() -> None:
    reading = read_document(lppdes())
    assert reading.document == "LPPDES"
    assert reading.tahun_anggaran == 2024
    assert reading.nomor is None
    assert reading.tanggal_penetapan == date(2025, 3, 15)
    assert reading.desa_nama == "Sukosari Lor"


def test_an_lppdes_with_a_cover_letter_takes_the_report_date_not_the_letter() -> None:
    cover = COVER.format(desa="Sukosari Lor", desa_upper="SUKOSARI LOR", n="-").replace("Peraturan Desa", "LPPDes")
    cover += "\nSukosari Lor, 2 April 2025\nKEPALA DESA SUKOSARI LOR\n"
    reading = read_document([cover, *lppdes(tanggal="28 Maret 2025")])
    assert reading.tanggal_penetapan == date(2025, 3, 28)
    assert reading.document == "LPPDES"


def test_an_lppdes_with_tahun_only_in_its_title() -> None:
    pages = lppdes()
    pages[0] = "LAPORAN PENYELENGGARAAN PEMERINTAHAN DESA KRATON TAHUN 2024\nKECAMATAN KRATON"
    reading = read_document(pages)
    assert (reading.document, reading.tahun_anggaran) == ("LPPDES", 2024)


def test_desa_names_in_title_case_and_disagreement_gives_none() -> None:
    assert read_document(perdes(desa="Sukosari Lor")).desa_nama == "Sukosari Lor"
    pages = perdes()
    pages[0] = pages[0].replace("PERATURAN DESA KRATON", "PERATURAN DESA KEDUNGREJO")
    pages[-1] = pages[-1].replace("KEPALA DESA KRATON", "KEPALA DESA WONOREJO")
    reading = read_document(pages)
    assert reading.desa_nama is None
    assert "desa_nama" not in reading.evidence


def test_ocr_lowers_confidence_and_noise_still_reads() -> None:
    noisy = [
        "KEPALA DESA KRAT0N\nPERATURAN DESA KRATON\nN0MOR : 05 TAHUN 2024"
        "\nTENTANG\nRENCANA KERJA PEMERINTAH DESA\nTAHUN 2025\nMenimbang : bahwa",
        "Ditetapkan di Kraton\npada tanggal 2 7 SEPTERNBER 2024\nKEPALA DESA KRATON",
    ]
    text = read_document(noisy, "text")
    ocr = read_document(noisy, "ocr")
    assert (ocr.nomor, ocr.document, ocr.tahun_anggaran, ocr.tanggal_penetapan) == (
        "5/2024", "RKPDES", 2025, date(2024, 9, 27))  # fmt: skip
    assert ocr.source == "ocr"
    assert all(ocr.confidence[k] < text.confidence[k] for k in ("nomor", "document", "tanggal_penetapan"))


def test_words_hyphenated_across_lines_are_joined() -> None:
    assert normalise("RENCANA KERJA PEME-\nRINTAH DESA\n\n  TAHUN 2025") == "RENCANA KERJA PEMERINTAH DESA TAHUN 2025"
    pages = perdes(title="RENCANA KERJA PEME-\nRINTAH DESA TAHUN 2025")
    assert read_document(pages).document == "RKPDES"


def test_nothing_found_is_all_none_and_every_key_is_in_the_json() -> None:
    reading = read_document(["Daftar hadir rapat RT 03", ""], "text")
    data = reading.as_json()
    assert set(data) == {*FIELDS, "source", "confidence", "evidence"}
    assert all(data[name] is None for name in FIELDS)
    assert data["evidence"] == {} and set(data["confidence"]) == set(FIELDS)
    assert reading.pages == 2
    assert read_document([]).pages == 0
    assert Reading.from_json({**data, "pages": 2}) == reading


def test_evidence_is_short_and_whitespace_collapsed() -> None:
    pages = perdes(title="RENCANA KERJA PEMERINTAH DESA TAHUN 2025 " + "DAN LAIN-LAIN " * 30)
    reading = read_document(pages)
    assert all(len(text) <= 160 and "\n" not in text and "  " not in text for text in reading.evidence.values())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("NOMOR : 05 TAHUN 2024", "5/2024"),
        ("Nomor 5 Tahun 2024", "5/2024"),
        ("5/2024", "5/2024"),
        ("05 / 2024", "5/2024"),
        ("nomor 12 tahun 2023.", "12/2023"),
        ("140/25/35.08.17.2001/2024", None),
        ("0/2024", None),
        ("5/1890", None),
        ("lima", None),
        ("", None),
    ],
)
def test_normalise_nomor(text: str, expected: str | None) -> None:
    assert normalise_nomor(text) == expected


def test_parse_date_rejects_impossible_dates() -> None:
    assert parse_date("29 Februari 2024") == date(2024, 2, 29)
    assert parse_date("29 Februari 2023") is None
    assert parse_date("tanpa tanggal") is None


# --- files through `klambi read` ------------------------------------------------------------------------------------


def _pdf(path: Path, pages: list[str], font: str = "Helvetica") -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font(font, size=11)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 6, text)
    pdf.output(str(path))
    return path


def _docx(path: Path, pages: list[str], table: list[tuple[str, str]] | None = None) -> Path:
    import docx
    from docx.enum.text import WD_BREAK

    document = docx.Document()
    for index, text in enumerate(pages):
        for line in text.splitlines():
            document.add_paragraph(line)
        if index < len(pages) - 1:
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    if table:
        grid = document.add_table(rows=len(table), cols=2)
        for row, (left, right) in zip(grid.rows, table, strict=True):
            row.cells[0].text, row.cells[1].text = left, right
    document.save(str(path))
    return path


def _klambi(capsys, *args: str) -> tuple[int, str, str]:
    from bot.cli import main

    capsys.readouterr()
    code = main(["read", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _json(capsys, *paths: Path) -> dict:
    code, out, err = _klambi(capsys, *map(str, paths), "--format", "json")
    assert code == 0, err
    return json.loads(out)


def test_klambi_read_a_text_pdf_as_json_and_as_indonesian_text(tmp_path, capsys) -> None:
    path = _pdf(
        tmp_path / "perdes.pdf", perdes(cover=True, title="ANGGARAN PENDAPATAN DAN BELANJA DESA TAHUN ANGGARAN 2025")
    )
    data = _json(capsys, path)
    assert set(data) == {*FIELDS, "source", "confidence", "evidence"}
    assert {k: data[k] for k in FIELDS} == {"document": "APBDES", "tahun_anggaran": 2025, "nomor": "5/2024",
                                            "tanggal_penetapan": "2024-09-27", "desa_nama": "Kraton"}  # fmt: skip
    assert data["source"] == "text" and all(data["confidence"][k] >= 0.9 for k in FIELDS)
    code, out, err = _klambi(capsys, str(path))
    assert code == 0 and err == ""
    assert "Dokumen: APBDes (95%)" in out and "Nomor: 5/2024" in out
    assert "Tanggal penetapan: 27 September 2024 (95%) — «Ditetapkan di Kraton pada tanggal 27 September 2024»" in out
    assert "4 halaman" in out


def test_several_files_are_the_pages_of_one_document(tmp_path, capsys) -> None:
    pages = lppdes(ta=2024, desa="Kedungrejo", tanggal="20 Februari 2025")
    first = _pdf(tmp_path / "hal1.pdf", pages[:2])
    last = _pdf(tmp_path / "hal2.pdf", pages[2:], font="Times")
    data = _json(capsys, first, last)
    assert (data["document"], data["tahun_anggaran"], data["tanggal_penetapan"], data["nomor"]) == (
        "LPPDES", 2024, "2025-02-20", None)  # fmt: skip
    assert data["desa_nama"] == "Kedungrejo"
    assert "nomor" not in data["evidence"] and data["confidence"]["nomor"] == 0


def test_a_docx_with_page_breaks_and_a_table(tmp_path, capsys) -> None:
    pages = perdes(title="RKP DESA TAHUN 2026", nomor_line="NOMOR : 08 TAHUN 2025", desa="Sukosari Lor")
    pages[-1] = pages[-1].split("Ditetapkan")[0]
    path = _docx(tmp_path / "perdes.docx", pages, table=[("Ditetapkan di", "Sukosari Lor"), ("Tanggal", "29-09-2025")])
    data = _json(capsys, path)
    assert {k: data[k] for k in FIELDS} == {"document": "RKPDES", "tahun_anggaran": 2026, "nomor": "8/2025",
                                            "tanggal_penetapan": "2025-09-29", "desa_nama": "Sukosari Lor"}  # fmt: skip
    assert data["evidence"]["tanggal_penetapan"] == "Ditetapkan di | Sukosari Lor | Tanggal | 29-09-2025"
    texts, source = page_texts([path], Limits())
    assert source == "text" and len(texts) == len(pages)  # the page breaks split it


def test_a_file_with_every_field_missing_still_exits_0(tmp_path, capsys) -> None:
    path = _pdf(tmp_path / "undangan.pdf", ["Undangan rapat RT 03 hari Sabtu."])
    data = _json(capsys, path)
    assert all(data[k] is None for k in FIELDS) and data["evidence"] == {}
    code, out, _ = _klambi(capsys, str(path))
    assert code == 0 and out.count("tidak terbaca") == len(FIELDS)


def test_an_image_without_ocr_is_one_empty_page_read_from_a_scan(tmp_path, capsys) -> None:
    from PIL import Image

    path = tmp_path / "foto.jpg"
    Image.new("RGB", (60, 80), "white").save(path)
    texts, source = page_texts([path], Limits(ocr=False))
    assert (texts, source) == ([""], "ocr")
    reading = read_files([path], Limits(ocr=False))
    assert reading.source == "ocr" and reading.pages == 1 and all(reading.as_json()[k] is None for k in FIELDS)
    code, out, _ = _klambi(capsys, str(path), "--format", "json")
    assert code == 0 and json.loads(out)["source"] == "ocr"


def _scan_pdf(path: Path) -> Path:
    """A PDF page that is only a picture (a scan), no text layer."""
    from fpdf import FPDF
    from PIL import Image

    picture = path.with_suffix(".png")
    Image.new("L", (40, 60), 200).save(picture)
    pdf = FPDF()
    pdf.add_page()
    pdf.image(str(picture), x=10, y=10, w=100)
    pdf.output(str(path))
    return path


def test_a_scanned_pdf_page_without_ocr_gives_source_ocr_and_mixed_with_text(tmp_path) -> None:
    scan = _scan_pdf(tmp_path / "scan.pdf")
    text = _pdf(tmp_path / "teks.pdf", perdes()[:1])
    assert page_texts([scan], Limits(ocr=False)) == ([""], "ocr")
    texts, source = page_texts([text, scan], Limits(ocr=False))
    assert source == "mixed" and len(texts) == 2 and "PERATURAN DESA" in texts[0]


def test_only_a_pdf_page_with_an_image_goes_to_ocr(tmp_path, monkeypatch) -> None:
    """A last page holding only the signature's name, or a blank one, has no image: nothing to OCR, an empty or short
    text page. A page that is a picture (or holds one inside a Form XObject, or inline) goes to OCR."""
    from bot.reading import ocr

    asked: list[int] = []

    def rasterise(path, index, limits):
        asked.append(index)
        return object()

    monkeypatch.setattr(ocr, "available", lambda: True)
    monkeypatch.setattr(ocr, "pdf_page_image", rasterise)
    monkeypatch.setattr(ocr, "image_text", lambda image, limits, *, seconds=None: "PERATURAN DESA KRATON dari foto")
    blank = tmp_path / "kosong.pdf"
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.write(blank)
    name = _pdf(tmp_path / "nama.pdf", ["SUPRAPTO"])
    assert page_texts([blank], Limits()) == ([""], "text")
    texts, source = page_texts([name], Limits())
    assert [t.strip() for t in texts] == ["SUPRAPTO"] and source == "text"
    assert asked == []
    texts, source = page_texts([_scan_pdf(tmp_path / "scan.pdf"), name], Limits())
    assert asked == [0] and texts[0] == "PERATURAN DESA KRATON dari foto" and source == "mixed"
    asked.clear()
    nested = b"/Resources << /XObject << /Fm << /Subtype /Form /Resources << /XObject << /Im << /Subtype /Image"
    nested += b" >> >> >> >> >> >>"
    inline = b"BT /F1 12 Tf 72 720 Td (Halo) Tj ET q 10 0 0 10 0 0 cm BI /W 1 /H 1 /CS /G /BPC 8 ID \x80 EI Q"
    for number, raw in enumerate((_raw_pdf(nested), _raw_pdf(b"", inline))):
        path = tmp_path / f"gambar{number}.pdf"
        path.write_bytes(raw)
        page_texts([path], Limits())
    assert asked == [0, 0]
    deep = b"/Resources << /XObject << /A " + b"<< /Subtype /Form /Resources << /XObject << /A " * 50
    deep += b"<< /Subtype /Image >>" + b" >> >> >>" * 50 + b" >> >>"
    (tmp_path / "dalam.pdf").write_bytes(_raw_pdf(deep))
    assert page_texts([tmp_path / "dalam.pdf"], Limits())[1] == "text"  # looked into only so deep


def test_only_the_first_and_last_pages_are_read_and_characters_are_capped(tmp_path) -> None:
    path = _pdf(tmp_path / "panjang.pdf", [f"Halaman {i}" for i in range(1, 13)])
    texts, _ = page_texts([path], Limits(pages_head=3, pages_tail=2))
    assert [t.strip() for t in texts] == ["Halaman 1", "Halaman 2", "Halaman 3", "Halaman 11", "Halaman 12"]
    texts, _ = page_texts([path], Limits(max_chars=15))
    assert sum(len(t) for t in texts) <= 15


# --- hostile files ------------------------------------------------------------------------------------------------


def _refused(capsys, path: Path, key: str, **values: object) -> None:
    code, out, err = _klambi(capsys, str(path))
    assert code == 2 and out == ""
    assert err.strip() == f"klambi: {t(key, 'id', **{'name': path.name, **values})}"
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def _raw_pdf(page_extra: bytes, content: bytes = b"BT /F1 12 Tf 72 720 Td (Halo dunia) Tj ET") -> bytes:
    """A small, valid PDF whose page dictionary carries `page_extra` and whose page draws `content`."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R " + page_extra + b" >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_an_encrypted_pdf_is_refused_but_one_with_an_empty_password_is_read(tmp_path, capsys) -> None:
    plain = _pdf(tmp_path / "perdes.pdf", perdes())
    for password, name in (("rahasia", "terkunci.pdf"), ("", "hanya-cetak.pdf")):
        writer = PdfWriter(clone_from=str(plain))
        writer.encrypt(password, owner_password="pemilik", algorithm="RC4-128")
        writer.write(tmp_path / name)
    _refused(capsys, tmp_path / "terkunci.pdf", "reading.encrypted")
    assert _json(capsys, tmp_path / "hanya-cetak.pdf")["nomor"] == "5/2024"


def test_truncated_random_and_renamed_files_are_refused_in_one_line(tmp_path, capsys) -> None:
    whole = _pdf(tmp_path / "perdes.pdf", perdes()).read_bytes()
    (tmp_path / "terpotong.pdf").write_bytes(whole[: len(whole) // 2])
    _refused(capsys, tmp_path / "terpotong.pdf", "reading.damaged")
    (tmp_path / "acak.pdf").write_bytes(random.Random(21).randbytes(5000))
    _refused(capsys, tmp_path / "acak.pdf", "reading.not_a_document")
    (tmp_path / "halaman.docx").write_bytes(b"<html><script>alert(1)</script></html>")
    _refused(capsys, tmp_path / "halaman.docx", "reading.not_a_document")
    with zipfile.ZipFile(tmp_path / "tabel.docx", "w") as archive:  # a zip, but no Word document inside
        archive.writestr("xl/workbook.xml", "<workbook/>")
    _refused(capsys, tmp_path / "tabel.docx", "reading.not_a_document")
    (tmp_path / "kosong.pdf").write_bytes(b"")
    _refused(capsys, tmp_path / "kosong.pdf", "reading.not_a_document")


def test_a_pdf_of_2500_pages_is_refused_by_its_count(tmp_path, capsys) -> None:
    writer = PdfWriter()
    for _ in range(2500):
        writer.add_blank_page(100, 100)
    writer.write(tmp_path / "tebal.pdf")
    _refused(capsys, tmp_path / "tebal.pdf", "reading.too_many_pages", pages=2500, limit=2000)


def test_a_file_over_the_size_limit_is_refused_before_it_is_parsed(tmp_path) -> None:
    path = _pdf(tmp_path / "perdes.pdf", perdes())
    with pytest.raises(Unreadable) as refused:
        read_files([path], Limits(max_bytes=100))
    assert refused.value.key == "reading.too_big"


def test_deeply_nested_objects_never_take_the_reader_down(tmp_path, capsys) -> None:
    (tmp_path / "larik.pdf").write_bytes(_raw_pdf(b"/Foo " + b"[" * 100_000 + b"]" * 100_000))
    _refused(capsys, tmp_path / "larik.pdf", "reading.damaged")
    (tmp_path / "kamus.pdf").write_bytes(_raw_pdf(b"/Foo " + b"<< /A " * 50_000 + b">> " * 50_000))
    code, _, err = _klambi(capsys, str(tmp_path / "kamus.pdf"))  # pypdf gives up on the key and reads the page
    assert code in (0, 2) and "Traceback" not in err and len(err.strip().splitlines()) <= 1
    with pytest.raises(Unreadable):  # in this process too: a RecursionError becomes a reason, not a crash
        read_files([tmp_path / "larik.pdf"])


def test_a_docx_zip_bomb_is_refused(tmp_path, capsys) -> None:
    path = tmp_path / "bom.docx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            chunk = b" " * 2**20
            for _ in range(80):  # 80 MiB of spaces pack into well under 1 MiB
                member.write(chunk)
    assert path.stat().st_size < 2**20
    _refused(capsys, path, "reading.unpacked_too_big")


def test_a_docx_with_a_doctype_and_entities_is_refused(tmp_path, capsys) -> None:
    path = _docx(tmp_path / "entitas.docx", ["PERATURAN DESA KRATON NOMOR 5 TAHUN 2024"])
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    laughs = (b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "haha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
              b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>')  # fmt: skip
    parts["word/document.xml"] = laughs + parts["word/document.xml"].split(b"?>", 1)[1].replace(b"KRATON", b"&c;")
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    _refused(capsys, path, "reading.damaged")


def test_a_child_over_its_time_is_killed_and_said_too_slow_never_a_hang(tmp_path) -> None:
    path = _pdf(tmp_path / "perdes.pdf", perdes() * 10)
    with pytest.raises(Unreadable) as refused:
        read_isolated([path], Limits(seconds=0.01))
    assert refused.value.key == "reading.too_slow"
    assert read_isolated([path]).nomor == "5/2024"  # the same file within its time


def test_a_child_that_dies_is_too_heavy(tmp_path, monkeypatch) -> None:
    path = _pdf(tmp_path / "perdes.pdf", perdes())
    monkeypatch.setattr(sys, "executable", "/bin/false")  # exits at once, says nothing
    with pytest.raises(Unreadable) as refused:
        read_isolated([path])
    assert refused.value.key == "reading.too_heavy"


def test_a_report_citing_its_perdes_apbdes_is_the_report_without_a_nomor() -> None:
    pages = lppdes(ta=2024, desa="Kraton", tanggal="16 Januari 2025")
    pages[0] = "PEMERINTAH KABUPATEN LUMAJANG\nKEPALA DESA KRATON\nJalan Raya No. 1\n" + pages[0]
    pages[1] += ("Dasar hukum: Peraturan Desa Kraton Nomor 3 Tahun 2024 tentang Anggaran Pendapatan dan Belanja Desa "
                 "Tahun Anggaran 2024.")  # fmt: skip
    reading = read_document(pages)
    assert (reading.document, reading.tahun_anggaran, reading.nomor) == ("LPPDES", 2024, None)
    assert reading.tanggal_penetapan == date(2025, 1, 16)


def test_ocr_letter_confusions_in_keywords() -> None:
    pages = lppdes()
    pages[0] = pages[0].replace("AKHIR TAHUN ANGGARAN", "AKHIR TAHLIN ANGGARAN").replace("PEMERINTAHAN", "PEMERlNTAHAN")
    reading = read_document(pages, "ocr")
    assert (reading.document, reading.tahun_anggaran) == ("LPPDES", 2024)
    head = perdes(nomor_line="Nornor : 5 Tahun 2024")
    head[-1] = head[-1].replace("Ditetapkan", "Dltetapkan")
    reading = read_document(head, "ocr")
    assert (reading.nomor, reading.tanggal_penetapan) == ("5/2024", date(2024, 9, 27))


def test_the_head_at_a_page_top_counts_when_ocr_lost_the_menimbang_label() -> None:
    pages = perdes(cover=True, nomor_line="NOMOR : 05 TAHUN 2023")
    pages[1] = pages[1].replace("Menimbang :", "").replace("Pasal 1", "Pasal 1 Tim menimbang usulan warga.")
    reading = read_document(pages, "ocr")
    assert reading.nomor == "5/2023"  # not the RPJM Desa's 2/2020 cited before the later "menimbang"


def test_a_cover_letter_and_the_perdes_on_one_page_still_give_the_perdes_nomor() -> None:
    pages = perdes(cover=True, nomor_line="NOMOR 7 TAHUN 2024", n="7")
    reading = read_document(["\n".join(pages)])
    assert (reading.nomor, reading.document, reading.tanggal_penetapan) == ("7/2024", "RKPDES", date(2024, 9, 27))


def test_a_reason_from_ocr_names_the_file_and_has_its_text(tmp_path, monkeypatch) -> None:
    from PIL import Image

    from bot.reading import ocr

    path = tmp_path / "besar.png"
    Image.new("L", (20, 20), 255).save(path)

    def refuse(path: Path, limits: Limits) -> None:
        raise Unreadable("reading.too_big_image")

    monkeypatch.setattr(ocr, "available", lambda: True)
    monkeypatch.setattr(ocr, "open_image", refuse)
    with pytest.raises(Unreadable) as refused:
        page_texts([path], Limits())
    assert refused.value.params == {"name": "besar.png"}
    assert t(refused.value.key, "id", **refused.value.params).startswith("besar.png: gambar terlalu besar")


def test_the_cli_says_an_unknown_reason_as_a_damaged_file() -> None:
    from bot.cli.reading import _say

    assert _say(Unreadable("reading.made_up", name="x.pdf"), "id") == t("reading.damaged", "id", name="x.pdf")
    assert _say(Unreadable("reading.too_slow", seconds=20), "en") == "The file could not be read within 20 seconds."


def test_desa_names_that_start_alike_give_the_one_most_sources_give() -> None:
    pages = perdes(desa="Sukosari Lor")
    pages[-1] = pages[-1].replace("Ditetapkan di Sukosari Lor", "Ditetapkan di Sukosari")
    pages[-1] = pages[-1].replace("KEPALA DESA SUKOSARI LOR,\nttd\nH. SUPRAPTO", "KEPALA DESA SUKOSARI LOR H. SUPRAPTO")
    assert read_document(pages).desa_nama == "Sukosari Lor"
    signed = perdes()
    signed[-1] = signed[-1].replace("KEPALA DESA KRATON,\nttd\n", "KEPALA DESA KRATON SUPRAPTO\n")
    assert read_document(signed).desa_nama == "Kraton"


def test_a_year_with_the_letter_o_after_a_month_name() -> None:
    assert parse_date("27 September 2O24") == date(2024, 9, 27)
    assert parse_date("27 September 2OXX") is None


def test_a_report_citing_when_its_perdes_was_established_keeps_its_own_date() -> None:
    pages = lppdes(tanggal="15 Maret 2025")
    pages[1] += "APB Desa tahun 2024 ditetapkan pada tanggal 20 Desember 2023 dan dilaksanakan sepanjang tahun."
    assert read_document(pages).tanggal_penetapan == date(2025, 3, 15)


def test_ditetapkan_in_a_sentence_is_no_tanggal_and_without_a_place_is_weaker() -> None:
    pages = perdes()
    pages[1] += "Rancangan ini ditetapkan pada tanggal 1 September 2024 oleh musyawarah desa."
    assert read_document(pages).tanggal_penetapan == date(2024, 9, 27)
    pages[-1] = pages[-1].split("Ditetapkan")[0]
    assert read_document(pages).tanggal_penetapan is None
    pages[-1] += "Ditetapkan pada tanggal 27 September 2024\nKEPALA DESA KRATON"
    weak = read_document(pages)
    assert weak.tanggal_penetapan == date(2024, 9, 27) and weak.confidence["tanggal_penetapan"] < 0.85


def test_a_noisy_cover_letter_naming_the_document_does_not_hide_the_perdes_head() -> None:
    pages = perdes(cover=True, title="ANGGARAN PENDAPATAN DAN BELANJA DESA TAHUN ANGGARAN 2025")
    pages[0] = pages[0].replace("Kepada Yth.", "Kepa da Yth.").replace(" Nomor 5 Tahun 2024", " tentang APB Desa 2025")
    reading = read_document(pages, "ocr")
    assert (reading.nomor, reading.document, reading.tahun_anggaran) == ("5/2024", "APBDES", 2025)
    pages[0] = pages[0].replace("Kepa da Yth.", "Kpd")  # not seen as a cover letter: its Perihal is no report title
    assert read_document(pages, "ocr").nomor == "5/2024"


def test_a_nomor_with_the_letter_o_for_a_leading_zero() -> None:
    assert normalise_nomor("NOMOR : O5 TAHUN 2O24") == "5/2024"
    assert read_document(perdes(nomor_line="NOMOR : O5 TAHUN 2024"), "ocr").nomor == "5/2024"
    assert normalise_nomor("NOMOR : OO TAHUN 2024") is None


def test_the_lppdes_at_the_end_of_a_term_is_not_the_yearly_lppdes() -> None:
    pages = lppdes()
    pages[0] = pages[0].replace("AKHIR TAHUN ANGGARAN 2024", "AKHIR MASA JABATAN TAHUN 2019-2025")
    reading = read_document(pages)
    assert (reading.document, reading.tahun_anggaran, reading.tanggal_penetapan) == (None, None, None)


def test_the_text_output_says_when_scans_were_not_read(monkeypatch) -> None:
    from bot.cli.reading import lines
    from bot.reading import ocr

    scan = Reading(source="ocr", pages=2, confidence=dict.fromkeys(FIELDS, 0.0))
    monkeypatch.setattr(ocr, "available", lambda: False)
    said = lines(scan, "id")
    assert said[-1] == t("reading.no_ocr", "id") and said.count("Nomor: tidak terbaca") == 1
    assert "Dibaca dari pindaian/foto (OCR), 2 halaman." in said
    monkeypatch.setattr(ocr, "available", lambda: True)
    assert t("reading.no_ocr", "id") not in lines(scan, "id")
    assert t("reading.no_ocr", "id") not in lines(Reading(source="text", pages=1), "id")


def test_a_docx_header_is_read_at_the_top_of_the_first_page(tmp_path) -> None:
    import docx

    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "PEMERINTAH DESA KRATON"
    document.sections[0].footer.paragraphs[0].text = "Halaman kaki"
    document.add_paragraph("PERATURAN DESA KRATON NOMOR 5 TAHUN 2024")
    path = tmp_path / "kop.docx"
    document.save(str(path))
    texts, source = page_texts([path], Limits())
    assert texts[0].startswith("PEMERINTAH DESA KRATON\n") and texts[-1].rstrip().endswith("Halaman kaki")
    assert source == "text"


def test_ditetapkan_at_the_end_of_a_page_and_its_date_on_the_next() -> None:
    pages = perdes()
    foot = pages.pop()
    pages += [
        "Pasal 3\nPeraturan Desa ini mulai berlaku.\nDitetapkan di Kraton",
        foot.split("Ditetapkan di Kraton\n")[1],
    ]
    reading = read_document(pages)
    assert reading.tanggal_penetapan == date(2024, 9, 27)
    assert reading.evidence["tanggal_penetapan"] == "Ditetapkan di Kraton pada tanggal 27 September 2024"


WORDS = st.sampled_from(
    [
        "PERATURAN DESA",
        "KRATON",
        "NOMOR",
        "N0MOR",
        ":",
        "05",
        "TAHUN",
        "2024",
        "2O24",
        "TENTANG",
        "Ditetapkan di",
        "pada tanggal",
        "27",
        "September",
        "31",
        "-",
        "/",
        "Menimbang",
        "KEPALA DESA",
        "APB DESA",
        "RKP Desa",
        "LPPDes",
        "PERUBAHAN",
        "Kepada Yth.",
        "Perihal",
        ",",
        "\n",
        "Lor",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.one_of(WORDS, st.text(max_size=8)), max_size=40).map(" ".join), max_size=4))
def test_any_text_gives_a_reading_whose_values_are_plausible(pages: list[str]) -> None:
    reading = read_document(pages, "ocr")
    data = reading.as_json()
    assert set(data) == {*FIELDS, "source", "confidence", "evidence"} and reading.pages == len(pages)
    assert data["document"] in (None, "RKPDES", "APBDES", "LPPDES")
    assert reading.tahun_anggaran is None or 2000 <= reading.tahun_anggaran <= 2100
    assert reading.nomor is None or normalise_nomor(reading.nomor) == reading.nomor
    assert reading.tanggal_penetapan is None or 2000 <= reading.tanggal_penetapan.year <= 2100
    for name in FIELDS:  # a value has evidence and a confidence; no value has neither
        assert (data[name] is None) == (name not in data["evidence"]) == (data["confidence"][name] == 0)
        assert 0 <= data["confidence"][name] <= 1
    assert all(len(text) <= 160 for text in data["evidence"].values())


def test_klambi_read_needs_no_configuration_and_opens_no_database(tmp_path, capsys, monkeypatch) -> None:
    path = _pdf(tmp_path / "perdes.pdf", perdes())
    here = tmp_path / "kosong"
    here.mkdir()
    monkeypatch.chdir(here)
    (tmp_path / "rusak.toml").write_text("[bot\nlanguage = ")
    code, out, err = _klambi_with(
        capsys, "--config", str(tmp_path / "rusak.toml"), "read", str(path), "--format", "json"
    )
    assert code == 0 and json.loads(out)["nomor"] == "5/2024" and err == ""
    assert list(here.iterdir()) == []  # no database file, nothing written


def _klambi_with(capsys, *args: str) -> tuple[int, str, str]:
    from bot.cli import main

    capsys.readouterr()
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_ocr_time_is_shared_by_the_pages_and_the_pages_read_are_kept(monkeypatch, tmp_path):
    """A long scan whose OCR time runs out keeps the pages read and leaves the rest empty, so the child answers
    before its deadline kills it (each page used to be given the whole of ocr_seconds)."""
    from bot.reading import extract, ocr

    now = [1000.0]
    given: list[float] = []

    def tesseract(image, limits, *, seconds=None):  # each page takes 4 s of the clock
        given.append(seconds)
        if seconds is None or seconds < 1:
            return ""
        now[0] += 4
        return f"halaman {len(given)}"

    monkeypatch.setattr(extract.time, "monotonic", lambda: now[0])
    monkeypatch.setattr(ocr, "available", lambda: True)
    monkeypatch.setattr(ocr, "open_image", lambda path, limits: object())
    monkeypatch.setattr(ocr, "image_text", tesseract)
    paths = []
    for number in range(5):
        paths.append(tmp_path / f"{number}.png")
        paths[-1].write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    pages, source = extract.page_texts(paths, Limits(ocr_seconds=12))
    assert (pages, source) == (["halaman 1", "halaman 2", "halaman 3", "", ""], "ocr")
    assert given[:3] == [10, 6, 2] and all(g < 1 for g in given[3:])  # 12 s less the margin, shared in turn
    given.clear()
    extract.page_texts(paths[:1], Limits(ocr_seconds=90))
    assert given == [extract.PAGE_SECONDS]  # no page takes the whole budget


# --- LPPDes wordings: the report's own title decides; a Perdes its Dasar Hukum cites is never its head ------------

_DASAR_HUKUM = (
    "DASAR HUKUM\n1. Undang-Undang Nomor 6 Tahun 2014 tentang Desa;\n2. Peraturan Desa {desa} Nomor 2 Tahun 2024 "
    "tentang Anggaran Pendapatan dan Belanja Desa Tahun Anggaran 2024;\n3. Peraturan Desa {desa} Nomor 1 Tahun 2023 "
    "tentang Rencana Kerja Pemerintah Desa Tahun 2024;\n"
)


@pytest.mark.parametrize(
    "title",
    [
        "LAPORAN PENYELENGGARAAN PEMERINTAHAN DESA (LPPDes) AKHIR TAHUN ANGGARAN {ta}\nDESA {desa_upper}",
        "LPPD AKHIR TAHUN ANGGARAN {ta}\nDESA {desa_upper} KECAMATAN KRATON KABUPATEN LUMAJANG",
        "LAPORAN PENYELENGGARAAN PEMERINTAHAN DESA {desa_upper}\nAKHIR TAHUN ANGGARAN {ta}\nKEPADA BUPATI LUMAJANG",
        "PEMERINTAH DESA {desa_upper}\nLAPORAN PENYELENGGARAAN\nPEMERINTAHAN DESA\nTAHUN {ta}",
    ],
)
@pytest.mark.parametrize("where", ["title page", "next page"])
def test_an_lppdes_title_decides_and_the_perdes_its_dasar_hukum_cites_gives_no_nomor(title: str, where: str) -> None:
    desa, ta = random.Random(title).choice(["Kraton", "Sukosari Lor", "Wonokerto"]), 2023 + len(title) % 3
    pages = lppdes(ta=ta, desa=desa, tanggal="15 Maret 2025")
    pages[0] = title.format(ta=ta, desa_upper=desa.upper())
    basis = _DASAR_HUKUM.format(desa=desa)
    if where == "title page":
        pages[0] += "\nBAB I PENDAHULUAN\n" + basis
    else:
        pages[1] = basis + pages[1]
    reading = read_document(pages)
    assert (reading.document, reading.tahun_anggaran, reading.nomor) == ("LPPDES", ta, None)
    assert reading.tanggal_penetapan == date(2025, 3, 15) and reading.desa_nama == desa


def test_a_perdes_cited_in_a_list_or_under_mengingat_is_not_the_head() -> None:
    """Without any title recognised, a cited Perdes still gives no nomor; the document's own head still does."""
    basis = "Landasan Hukum:\n" + _DASAR_HUKUM.format(desa="Kraton").split("\n", 1)[1]
    reading = read_document(["LAPORAN KEGIATAN DESA KRATON", basis, "Demikian."])
    assert (reading.nomor, reading.document) == (None, None)
    listed = read_document(["Berkas yang kami terima:\n; Peraturan Desa Kraton Nomor 4 Tahun 2024 tentang Sesuatu"])
    assert listed.nomor is None
    listed = read_document(["Berpedoman pada: 1. Peraturan Desa Kraton Nomor 4 Tahun 2024 tentang Sesuatu"])
    assert listed.nomor is None
    own = read_document(perdes())
    assert own.nomor == "5/2024"
    addressed = perdes()
    addressed[0] = "PEMERINTAH DESA KRATON\nJalan Raya RT 01 RW 02.\n" + addressed[0]
    assert read_document(addressed).nomor == "5/2024"  # an address's number is no list item


@pytest.mark.parametrize(
    ("signature", "day"),
    [
        ("Dibuat di : {desa}\nPada tanggal : {d} Maret 2025\nKEPALA DESA {desa_upper}", 15),
        ("Dibuat di | {desa}\nPada tanggal | {d} Maret 2025", 14),
        ("{desa}, tanggal {d} Maret 2025\nKEPALA DESA {desa_upper}\nttd\nH. SUPRAPTO", 13),
        ("{desa}, {d} - 03 - 2025\nKEPALA DESA {desa_upper}\nttd", 12),
        ("{desa}, Kamis {d} Maret 2025\nKEPALA DESA {desa_upper}", 9),
        ("{desa}, {d} Maret 2025\nSelaku Pemegang Kekuasaan Pengelolaan Keuangan Desa\nKEPALA DESA {desa_upper}", 11),
        ("{desa}, {d} Maret 2025\nYang membuat laporan,\nKEPALA DESA {desa_upper}\n\nSUPRAPTO", 10),
    ],
)
def test_the_report_dates_in_the_wild(signature: str, day: int) -> None:
    pages = lppdes(desa="Kraton")
    pages[-1] = "BAB IV PENUTUP\nDemikian laporan ini.\n" + signature.format(desa="Kraton", desa_upper="KRATON", d=day)
    reading = read_document(pages)
    assert reading.tanggal_penetapan == date(2025, 3, day)
    assert str(day) in reading.evidence["tanggal_penetapan"]


def test_a_dibuat_date_does_not_make_a_perdes_date_and_a_far_selaku_is_no_signature() -> None:
    pages = perdes()
    pages[-1] = "Dibuat di : Kraton\nPada tanggal : 1 Oktober 2024"
    assert read_document(pages).tanggal_penetapan is None  # a Perdes is dated by "Ditetapkan", not by a copy's date
    report = lppdes(desa="Kraton")
    report[-1] = "Kraton, 15 Maret 2025\nSelaku " + "panitia " * 20 + "\nKEPALA DESA KRATON"
    assert read_document(report).tanggal_penetapan is None


@pytest.mark.parametrize(
    ("signature", "day"),
    [
        ("{desa}, tgl. {d} Feb. 2025\nKEPALA DESA {desa_upper}", 22),
        ("{desa}, tgl {d} Maret 2025\nKEPALA DESA {desa_upper}", 24),
        ("{desa}, tg1. {d} Maret 2025\nKEPALA DESA {desa_upper}", 25),
        ("{desa}, tanggal {d} Okt. 2025\nKEPALA DESA {desa_upper}", 3),
        ("Dibuat di : {desa}\nTanggal : {d} MARET 2025\nKEPALA DESA {desa_upper}", 20),
        ("Dibuat di : {desa}\nTanggai : {d} MARET 2025\nKEPALA DESA {desa_upper}", 21),
        ("Dibuat dl ; {desa}\nTanggal ; {d} Des. 2025\nKEPALA DESA {desa_upper}", 5),
        ("Semoga bermanfaat. {desa}. tgl. {d} Maret 2025\nKepala Desa {desa}\nAbdul Rohman, S.Pd.", 24),
    ],
)
def test_the_report_dates_with_tgl_abbreviated_months_and_tanggal_alone(signature: str, day: int) -> None:
    pages = lppdes(desa="Kraton")
    pages[-1] = "BAB IV PENUTUP\nDemikian laporan ini.\n" + signature.format(desa="Kraton", desa_upper="KRATON", d=day)
    reading = read_document(pages, source="ocr")
    assert reading.tanggal_penetapan is not None
    assert reading.tanggal_penetapan.day == day
    assert reading.document == "LPPDES"


@pytest.mark.parametrize(
    ("title", "document", "ta"),
    [
        ("RENCAMA KERJA PEMERINTAH\nDESA KRATON TAHUN 2025", "RKPDES", 2025),
        ("RENCANA KERJA PEMERINTAH DESA\nKRATON TAHUN 2025", "RKPDES", 2025),
        ("ANGGARAN PENDAPATAN DAN BELANIA DESA\nTAHUN ANGGARAN 2026", "APBDES", 2026),
    ],
)
def test_a_title_that_wraps_with_ocr_noise(title: str, document: str, ta: int) -> None:
    reading = read_document(perdes(title=title, nomor_line="NOMOR ; 8 TAHUN 2024"), source="ocr")
    assert (reading.document, reading.tahun_anggaran, reading.nomor) == (document, ta, "8/2024")
    assert reading.desa_nama == "Kraton"


def test_the_wider_ocr_tolerance_matches_no_other_word() -> None:
    pages = perdes()
    pages[-1] = "Dimaksudkan di Kraton pada tanggal 27 September 2024\nDitentukan di Kraton 1 Oktober 2024"
    assert read_document(pages).tanggal_penetapan is None
    assert read_document(["LAPORAN KEUANGAN DESA KRATON TAHUN 2025"]).document is None
    assert normalise_nomor("NOMOR ; 8 TAHUN 2024") == "8/2024"


def test_a_dibuat_di_at_a_page_end_takes_the_tanggal_on_the_next_page() -> None:
    pages = lppdes(desa="Kraton")
    pages[1] += "Demikian laporan ini disusun dengan sebenarnya. Dibuat di : Kraton"
    pages[2] = "Tanggal : 20 MARET 2025\nKEPALA DESA KRATON\nttd\nSUPRAPTO"
    reading = read_document(pages)
    assert reading.tanggal_penetapan == date(2025, 3, 20)
    assert "Dibuat di" in reading.evidence["tanggal_penetapan"]


def test_a_period_after_the_place_counts_only_before_tgl() -> None:
    pages = lppdes(desa="Kraton")
    pages[-1] = "BAB IV PENUTUP\nDemikian laporan ini. Kraton. 15 Maret 2025\nKEPALA DESA KRATON"
    assert read_document(pages).tanggal_penetapan is None
