"""Reading a village document (docs/domain.md "Reading a document"): the parser on the wordings real documents use,
then files through `klambi read`, then hostile files that must be refused within their limits."""

from __future__ import annotations

from datetime import date

import pytest

from bot.reading import FIELDS, Reading
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
        ("PERUBAHAN ANGGARAN PENDAPATAN DAN BELANJA DESA TAHUN ANGGARAN 2025", None, None),
        ("PERUBAHAN APB DESA TAHUN ANGGARAN 2025", None, None),
        ("P-APBDes TAHUN ANGGARAN 2025", None, None),
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
