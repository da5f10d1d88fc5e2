"""`klambi history`: figures published before the bot, kept as published, with slips marked."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import table_counts

SAMPLE = Path(__file__).resolve().parent.parent / "docs" / "samples" / "riwayat-jatiroto-2019-2023.csv"


def test_the_seed_history_loads_once_and_keeps_published_figures(klambi, database_url):
    assert klambi("villages", "import", "--area", "35.08.17").code == 0
    first = klambi("history", "import", str(SAMPLE))
    assert first.code == 0 and "5 angka baru" in first.out
    before = table_counts(database_url)
    again = klambi("history", "import", str(SAMPLE))
    assert again.code == 0 and "5 tidak berubah" in again.out
    assert table_counts(database_url) == before
    rows = klambi("history", "list", "--kecamatan", "35.08.17", "--format", "json").json()["history"]
    assert [(r["year"], r["target"], r["realisasi"], r["capaian"]) for r in rows] == [
        (2019, 81.67, 99.17, 81.0), (2020, 80.0, 100.0, 80.0), (2021, 83.33, 100.0, 83.33),
        (2022, 88.33, 100.0, 83.33), (2023, 94.44, 94.12, 88.89),
    ]  # fmt: skip
    assert rows[4]["capaian_computed"] == 99.66 and all(r["capaian_differs"] for r in rows)


def test_a_corrected_figure_updates_and_bad_rows_write_nothing(klambi, database_url, tmp_path):
    assert klambi("villages", "import", "--area", "35.08.17").code == 0
    assert klambi("history", "import", str(SAMPLE)).code == 0
    fixed = tmp_path / "fix.csv"
    fixed.write_text("kecamatan,year,indicator,target,realisasi,capaian\n35.08.17,2023,IKU,94.44,94.12,99.66\n")
    result = klambi("history", "import", str(fixed))
    assert result.code == 0 and "1 diperbarui" in result.out
    rows = klambi("history", "list", "--kecamatan", "35.08.17", "--format", "json").json()["history"]
    assert rows[-1]["capaian"] == 99.66 and rows[-1]["capaian_differs"] is False
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "kecamatan,year,indicator,target,realisasi,capaian\n"
        "35.08.99,2019,IKU,80,90,112\n35.08.17,dua,IKU,80,90,112\n35.08.17,2020,XYZ,80,90,112\n"
        "35.08.17,2021,IKU,80,banyak,112\n"
    )
    before = table_counts(database_url)
    refused = klambi("history", "import", str(bad))
    lines = refused.err.strip().splitlines()  # a heading, then one line per bad row
    assert refused.code == 2 and len(lines) == 5
    for line, row in zip(lines[1:], ("baris 2", "baris 3", "baris 4", "baris 5"), strict=True):
        assert line.startswith(f"  {row}:"), line
    assert table_counts(database_url) == before
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("kode,nama\n35.08.17,Jatiroto\n")
    assert "kolom harus" in klambi("history", "import", str(wrong)).err
