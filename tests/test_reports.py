"""`klambi report`: the LKjIP's tables as xlsx, csv and Markdown, on both databases."""

from __future__ import annotations

import csv
import io
import os
import stat
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.conftest import table_counts
from tests.test_cli import DESA, JATIROTO, NAMES, load_jatiroto, record_all_on_time

GOLDEN = Path(__file__).parent / "golden"
SAMPLE = Path(__file__).parent.parent / "docs" / "samples" / "riwayat-jatiroto-2019-2023.csv"
YOSOWILANGUN = "35.08.07"


def one_line_error(result) -> None:
    assert result.code == 2, result
    assert result.out == "" and len(result.err.strip().splitlines()) == 1, result


def prepare(klambi) -> None:
    load_jatiroto(klambi)
    assert klambi("target", "set", "--kecamatan", JATIROTO, "--year", "2024", "--awal", "88.89", "--perubahan",
                  "94.44", "--renstra", "94.44").code == 0  # fmt: skip
    record_all_on_time(klambi)
    assert klambi("history", "import", str(SAMPLE)).code == 0


def add_yosowilangun(klambi) -> None:
    """Yosowilangun (12 desa): three LPPDes TA 2023 on time, one rejected → 3 / 36 = 8,33%."""
    assert klambi("villages", "import", "--area", YOSOWILANGUN).code == 0
    for i in (1, 2, 3):
        result = klambi("record", "--desa", f"{YOSOWILANGUN}.200{i}", "--doc", "LPPDES", "--ta", "2023",
                        "--penetapan", "2024-02-10", "--diterima", "2024-03-05")  # fmt: skip
        assert result.code == 0, result
    result = klambi(
        "record",
        "--desa",
        f"{YOSOWILANGUN}.2004",
        "--doc",
        "LPPDES",
        "--ta",
        "2023",
        "--penetapan",
        "2024-02-10",
        "--diterima",
        "2024-03-05",
        "--status",
        "ditolak",
        "--alasan",
        "tanpa tanda tangan",
    )
    assert result.code == 0, result  # fmt: skip


def report(klambi, tmp_path: Path, fmt: str, name: str, *extra: str):
    out = tmp_path / name
    result = klambi("report", "--kecamatan", JATIROTO, "--year", "2024", "--format", fmt, "-o", str(out), *extra)
    assert result.code == 0, result
    return out


def rows_of(sheet, first: int = 5) -> list[tuple]:
    return [r for r in sheet.iter_rows(min_row=first, values_only=True)]


def test_xlsx_holds_the_lkjip_figures(klambi, tmp_path):
    prepare(klambi)
    out = report(klambi, tmp_path, "xlsx", "lkjip.xlsx")
    book = load_workbook(out)
    assert book.sheetnames == ["Ringkasan", "Per Desa", "Rincian", "Perbandingan", "Kendala"]

    summary = book["Ringkasan"]
    assert "Jatiroto" in summary["A1"].value and "2024" in summary["A1"].value
    assert summary.freeze_panes == "A5" and summary["A4"].font.bold
    assert summary.page_setup.orientation == "landscape" and summary.page_setup.fitToWidth == 1
    header = [c.value for c in summary[4]]
    iku = dict(zip(header, [c.value for c in summary[5]], strict=True))
    assert iku["Target awal"] == 88.89 and iku["Target perubahan"] == 94.44
    assert [iku[q] for q in ("TW I", "TW II", "TW III", "TW IV")] == [33.33, 33.33, 66.67, 100]
    assert iku["Realisasi"] == 100 and iku["Capaian (%)"] == 105.89 and iku["Predikat"] == "Sangat Tinggi"
    assert iku["Target Akhir Renstra"] == 94.44 and iku["Capaian thd. Renstra (%)"] == 105.89
    assert summary.cell(5, header.index("Capaian (%)") + 1).number_format == "#,##0.00"
    assert summary["A6"].value is None  # no program indicator has a target of its own

    per_desa = book["Per Desa"]
    desa_rows = [r for r in rows_of(per_desa) if r[0] is not None]
    assert [r[1] for r in desa_rows] == NAMES and [r[2] for r in desa_rows] == DESA
    first = desa_rows[0]
    assert first[3] == "tepat waktu" and first[4] == datetime(2024, 9, 21) and first[5] == datetime(2024, 9, 27)
    assert per_desa.cell(5, 5).number_format == "dd mmmm yyyy"

    versions = [r for r in rows_of(book["Rincian"]) if r[0] is not None]
    assert len(versions) == 18
    assert {(r[3], r[4]) for r in versions} == {("RKPDes", 2025), ("APBDes", 2025), ("LPPDes", 2023)}  # as written
    assert all(r[11] == "diterima" for r in versions)
    assert {r[7] for r in versions} == {
        f"{i}/{doc}/{ta}" for i in range(1, 7) for doc, ta in (("LPPDES", 2023), ("RKPDES", 2025), ("APBDES", 2025))
    }

    compare = book["Perbandingan"]
    years = {r[0]: r for r in rows_of(compare) if isinstance(r[0], int)}
    assert sorted(years) == [2019, 2020, 2021, 2022, 2023, 2024]
    assert years[2019][3] == 81 and years[2019][4] == 121.43 and "tidak sama" in years[2019][6]
    assert all("tidak sama" in years[y][6] for y in range(2019, 2024))  # every published capaian is marked
    assert years[2024][1:6] == (94.44, 100, None, 105.89, "Sangat Tinggi")
    row_2019 = next(i for i, r in enumerate(compare.iter_rows(min_row=1, values_only=True), 1) if r[0] == 2019)
    assert compare.cell(row_2019, 4).font.color.rgb.endswith("C00000")


def test_xlsx_and_markdown_compare_with_another_kecamatan(klambi, tmp_path):
    prepare(klambi)
    add_yosowilangun(klambi)
    book = load_workbook(report(klambi, tmp_path, "xlsx", "lkjip.xlsx"))
    listed = {r[1]: r for r in book["Perbandingan"].iter_rows(values_only=True) if r[1] in (JATIROTO, YOSOWILANGUN)}
    assert listed[YOSOWILANGUN][0] == "Yosowilangun" and listed[YOSOWILANGUN][2] == 12
    assert listed[YOSOWILANGUN][3] == 8.33 and listed[JATIROTO][3] == 100

    text = report(klambi, tmp_path, "md", "lkjip.md").read_text(encoding="utf-8")
    assert "## Tabel 3.7 Perbandingan Realisasi Kinerja Tahun Ini dengan Kecamatan Yosowilangun" in text
    assert ("| 1 | Meningkatnya akuntabilitas pemerintahan desa | Rata-rata persentase desa yang menyusun dokumen "
            "administrasi pemerintahan desa tepat waktu | 94,44% | 100,00% | 8,33% | 105,89 |") in text  # fmt: skip
    assert "(12 desa)" in text
    # --compare names it explicitly; an unknown code or the kecamatan itself is refused
    again = report(klambi, tmp_path, "md", "compare.md", "--compare", YOSOWILANGUN).read_text(encoding="utf-8")
    assert again == text
    for code in ("35.08.99", JATIROTO):
        result = klambi("report", "--kecamatan", JATIROTO, "--year", "2024", "--format", "md", "-o",
                        str(tmp_path / "bad.md"), "--compare", code)  # fmt: skip
        one_line_error(result)
        assert not (tmp_path / "bad.md").exists()


def test_a_kecamatan_without_documents_is_named_not_compared_in_md_and_xlsx(klambi, tmp_path):
    """One rule for Tabel 3.7 and the workbook's Perbandingan: no figure of 0 for a kecamatan with nothing recorded."""
    prepare(klambi)
    assert klambi("villages", "import", "--area", "35.08.16").code == 0  # Kedungjajang, nothing recorded
    book = load_workbook(report(klambi, tmp_path, "xlsx", "lkjip.xlsx"))
    listed = {r[1]: r for r in book["Perbandingan"].iter_rows(values_only=True) if r[1] == "35.08.16"}
    assert listed["35.08.16"][0] == "Kedungjajang" and listed["35.08.16"][3] is None
    assert listed["35.08.16"][6] == "belum ada data 2024"
    text = report(klambi, tmp_path, "md", "lkjip.md").read_text(encoding="utf-8")
    assert "Belum ada dokumen tahun 2024 yang tercatat untuk: Kedungjajang." in text


def test_a_year_without_documents_says_so_and_shows_what_was_published(klambi, tmp_path):
    prepare(klambi)  # 2024 recorded; 2019–2023 only as published (history import)
    out = tmp_path / "lkjip-2022.md"
    result = klambi("report", "--kecamatan", JATIROTO, "--year", "2022", "--format", "md", "-o", str(out))
    assert result.code == 0, result
    text = out.read_text(encoding="utf-8")
    assert "> Belum ada satu pun dokumen tahun kinerja 2022 yang tercatat di basis data ini" in text
    assert "> Angka yang diterbitkan untuk 2022 (LKjIP 2022): target 88,33%, realisasi 100,00%, capaian 83,33." in text
    assert "| 2022 | 88,33% | 100,00% | 83,33*) | diterbitkan (LKjIP 2022)" in text
    assert "dihitung dari dokumen yang diterima" not in text  # no computed 0,00% row for 2022
    out = tmp_path / "lkjip-2022.xlsx"
    result = klambi("report", "--kecamatan", JATIROTO, "--year", "2022", "--format", "xlsx", "-o", str(out))
    assert result.code == 0, result
    book = load_workbook(out)
    assert "Belum ada satu pun dokumen tahun kinerja 2022" in book["Ringkasan"]["A2"].value
    years = {r[0]: r for r in rows_of(book["Perbandingan"]) if isinstance(r[0], int)}
    assert sorted(years) == [2019, 2020, 2021, 2022] and years[2022][2] == 100 and "LKjIP 2022" in years[2022][6]
    assert "Belum ada" not in report(klambi, tmp_path, "md", "lkjip-2024.md").read_text(encoding="utf-8")


def test_csv_per_desa_and_rincian(klambi, tmp_path):
    prepare(klambi)
    raw = report(klambi, tmp_path, "csv", "per-desa.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == 18 and {r["status"] for r in rows} == {"tepat_waktu"}
    first = rows[0]
    assert first == {"desa": DESA[0], "nama_desa": NAMES[0], "dokumen": "RKPDES", "ta": "2025",
                     "batas_waktu": "2024-09-30", "status": "tepat_waktu", "tanggal_penetapan": "2024-09-21",
                     "tanggal_diterima": "2024-09-27", "jumlah_versi": "1"}  # fmt: skip

    raw = report(klambi, tmp_path, "csv", "rincian.csv", "--part", "rincian").read_bytes()
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == 18
    lpp = next(r for r in rows if r["desa"] == DESA[2] and r["dokumen"] == "LPPDES")
    assert lpp["ta"] == "2023" and lpp["tanggal_penetapan"] == "2024-02-13" and lpp["nomor"] == "3/LPPDES/2023"
    assert lpp["tanggal_diterima"] == "2024-03-03" and lpp["waktu_diterima"].startswith("2024-03-03T")
    assert lpp["waktu_diterima"].endswith("+07:00")
    assert lpp["saluran"] == "cli" and lpp["verifikasi"] == "diterima" and lpp["menentukan_status"] == "true"


def test_markdown_matches_the_golden_file_and_the_indicator(klambi, tmp_path):
    prepare(klambi)
    text = report(klambi, tmp_path, "md", "lkjip.md").read_text(encoding="utf-8")
    assert text == (GOLDEN / "lkjip-jatiroto-2024.md").read_text(encoding="utf-8")
    figures = klambi("indicator", "--kecamatan", JATIROTO, "--year", "2024", "--format", "json").json()
    assert figures["realisasi"] == 100.0 and figures["capaian"] == 105.89 and figures["predikat"] == "Sangat Tinggi"
    assert figures["triwulan"] == {"I": 33.33, "II": 33.33, "III": 66.67, "IV": 100.0}

    def indonesian(value: float) -> str:
        return f"{value:.2f}".replace(".", ",")

    quarters = " | ".join(f"{indonesian(figures['triwulan'][q])}%" for q in ("I", "II", "III", "IV"))
    assert (f"| {indonesian(figures['target'])}% | {quarters} | {indonesian(figures['realisasi'])}% | "
            f"{indonesian(figures['capaian'])} |") in text  # fmt: skip


def test_markdown_as_of_an_earlier_day_and_in_english(klambi, tmp_path, monkeypatch):
    prepare(klambi)
    text = report(klambi, tmp_path, "md", "oct.md", "--at", "2024-10-01").read_text(encoding="utf-8")
    # on 1 October: LPPDes and RKPDes in, APBDes not yet due; TW IV has no figure yet
    assert "| 94,44% | 33,33% | 33,33% | 66,67% | — | 66,67% | 70,59 |" in text
    assert "Keadaan pada 1 Oktober 2024" in text
    monkeypatch.setenv("KLAMBI_BOT__LANGUAGE", "en")
    english = report(klambi, tmp_path, "md", "en.md").read_text(encoding="utf-8")
    assert "## Table 3.2 Performance 2024" in english and "| 94.44% | 33.33% |" in english


def test_documents_with_a_target_get_a_row_of_their_own(klambi, tmp_path):
    prepare(klambi)
    assert klambi("target", "set", "--kecamatan", JATIROTO, "--year", "2024", "--indicator", "LPPDES",
                  "--perubahan", "88.89").code == 0  # fmt: skip
    text = report(klambi, tmp_path, "md", "lkjip.md").read_text(encoding="utf-8")
    assert ("| 1.1 |  | Persentase desa yang menyusun LPPDes TA 2023 tepat waktu | 88,89% | 100,00% | 100,00% | "
            "100,00% | 100,00% | 100,00% | 112,50 |") in text  # fmt: skip
    book = load_workbook(report(klambi, tmp_path, "xlsx", "lkjip.xlsx"))
    assert book["Ringkasan"]["A6"].value == "1.1" and book["Ringkasan"]["K6"].value == 112.5


@pytest.mark.parametrize(
    ("args", "make_existing"),
    [
        (("--kecamatan", "35.08.99", "--year", "2024", "--format", "xlsx"), False),  # unknown kecamatan
        (("--kecamatan", JATIROTO, "--year", "1999", "--format", "xlsx"), False),  # year out of range
        (("--kecamatan", JATIROTO, "--year", "2024", "--format", "pdf"), False),  # unknown format
        (("--kecamatan", JATIROTO, "--year", "2024", "--format", "md", "--part", "rincian"), False),
        (("--kecamatan", JATIROTO, "--year", "2024", "--format", "md"), True),  # exists, no --force
    ],
)
def test_bad_input_writes_nothing(klambi, tmp_path, database_url, args, make_existing):
    prepare(klambi)
    out = tmp_path / "out" / f"report.{args[args.index('--format') + 1]}"
    out.parent.mkdir()
    if make_existing:
        out.write_text("keep me")
    before = table_counts(database_url)
    result = klambi("report", *args, "-o", str(out))
    one_line_error(result)
    assert table_counts(database_url) == before
    assert sorted(p.name for p in out.parent.iterdir()) == ([out.name] if make_existing else [])
    if make_existing:
        assert out.read_text() == "keep me"
        forced = klambi("report", *args, "-o", str(out), "--force")
        assert forced.code == 0 and out.read_text(encoding="utf-8").startswith("# Indikator")


@pytest.mark.parametrize(("fmt", "name"), [("xlsx", "rekap.csv"), ("md", "rekap.xlsx"), ("csv", "rekap")])
def test_a_name_that_does_not_match_the_format_is_refused(klambi, tmp_path, fmt, name):
    load_jatiroto(klambi)
    out = tmp_path / "out"
    out.mkdir()
    result = klambi("report", "--kecamatan", JATIROTO, "--year", "2024", "--format", fmt, "-o", str(out / name))
    one_line_error(result)
    assert f"*.{fmt}" in result.err
    assert list(out.iterdir()) == []


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o027, 0o640)])
def test_reports_are_written_as_any_new_file_is(klambi, tmp_path, umask, mode):
    """Not mkstemp's private 0600: the umask decides, as for any file the user makes."""
    prepare(klambi)
    previous = os.umask(umask)
    try:
        written = [report(klambi, tmp_path, fmt, f"lkjip.{fmt}") for fmt in ("xlsx", "csv", "md")]
    finally:
        os.umask(previous)
    assert {stat.S_IMODE(path.stat().st_mode) for path in written} == {mode}


def test_missing_output_folder_is_refused(klambi, tmp_path):
    load_jatiroto(klambi)
    result = klambi("report", "--kecamatan", JATIROTO, "--year", "2024", "--format", "xlsx", "-o",
                    str(tmp_path / "nowhere" / "r.xlsx"))  # fmt: skip
    one_line_error(result)
    assert not (tmp_path / "nowhere").exists()


def test_png_is_drawn_by_the_charts_module(klambi, tmp_path):
    prepare(klambi)
    out = report(klambi, tmp_path, "png", "lkjip.png")
    assert out.read_bytes().startswith(b"\x89PNG")


def test_gather_keeps_the_names_other_code_reads():
    from reports import tables, workbook

    assert callable(tables.gather) and tables.LkjipData and callable(workbook.workbook_bytes)
