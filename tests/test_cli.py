"""The `klambi` command line against a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.storage import minimal_pdf
from models.tables import AuditEntry, Desa, Kecamatan, Obligation, Submission, SubmissionFile, Target
from tests.conftest import WIB, query, table_counts

JATIROTO = "35.08.17"
DESA = [f"35.08.17.200{i}" for i in range(1, 7)]
NAMES = ["Banyuputih Kidul", "Rojopolo", "Kaliboto Kidul", "Kaliboto Lor", "Sukosari", "Jatiroto"]
KELURAHAN = "35.08.10.1003"  # Citrodiwangsan, Kecamatan Lumajang


def load_jatiroto(klambi) -> None:
    assert klambi("villages", "import", "--area", JATIROTO).code == 0


def record_all_on_time(klambi) -> None:
    """Jatiroto's 2024: every desa's RKPDes and APBDes TA 2025 and LPPDes TA 2023 on time."""
    for i, desa in enumerate(DESA, 1):
        for doc, ta, penetapan, diterima in (
            ("LPPDES", "2023", f"2024-02-1{i}", f"2024-03-0{i}"),
            ("RKPDES", "2025", f"2024-09-2{i}", "2024-09-27"),
            ("APBDES", "2025", f"2024-12-1{i}", "2024-12-20"),
        ):
            result = klambi("record", "--desa", desa, "--doc", doc, "--ta", ta, "--penetapan", penetapan,
                            "--diterima", diterima, "--nomor", f"{i}/{doc}/{ta}")  # fmt: skip
            assert result.code == 0, result


def test_villages_import_loads_jatiroto_once(klambi, database_url):
    first = klambi("villages", "import", "--area", JATIROTO)
    assert first.code == 0, first
    assert "6 desa baru" in first.out
    rows = query(database_url, select(Desa.kode, Desa.nama).where(Desa.kecamatan_kode == JATIROTO).order_by(Desa.kode))
    assert [tuple(r) for r in rows] == list(zip(DESA, NAMES, strict=True))
    kecamatan = query(database_url, select(Kecamatan.nama, Kecamatan.timezone))
    assert [tuple(r) for r in kecamatan] == [("Jatiroto", "Asia/Jakarta")]
    before = table_counts(database_url)
    second = klambi("villages", "import", "--area", JATIROTO)
    assert second.code == 0 and "0 desa baru" in second.out and "6 desa sudah ada" in second.out
    after = table_counts(database_url)
    assert {k: v for k, v in after.items() if k != "audit_log"} == {k: v for k, v in before.items() if k != "audit_log"}


def test_villages_import_creates_obligations_from_this_year_to_the_next(klambi, database_url):
    load_jatiroto(klambi)  # the clock says 15 January 2025: performance years 2025 and 2026
    rows = query(database_url, select(Obligation.document_code, Obligation.tahun_anggaran).distinct())
    assert sorted(tuple(r) for r in rows) == [
        ("APBDES", 2026), ("APBDES", 2027), ("LPPDES", 2024), ("LPPDES", 2025), ("RKPDES", 2026), ("RKPDES", 2027),
    ]  # fmt: skip
    deadlines = query(
        database_url,
        select(Obligation.legal_deadline, Obligation.agreed_date).where(
            Obligation.document_code == "LPPDES", Obligation.tahun_anggaran == 2024
        ),
    )
    assert {tuple(r) for r in deadlines} == {(datetime(2025, 3, 31).date(), datetime(2025, 3, 31).date())}


def test_kabupaten_import_leaves_kelurahan_out(klambi, database_url):
    result = klambi("villages", "import", "--area", "35.08")
    assert result.code == 0, result
    assert "21 kecamatan dan 198 desa baru" in result.out
    assert "7 kelurahan dilewati" in result.out
    assert len(query(database_url, select(Desa.kode))) == 198
    assert query(database_url, select(Desa.kode).where(Desa.kode == KELURAHAN)) == []


def test_large_area_shows_progress_and_gets_its_time_zone(klambi, database_url):
    result = klambi("villages", "import", "--area", "76")  # Sulawesi Barat: 575 desa, WITA
    assert result.code == 0, result
    assert "Memuat desa" in result.err
    zones = query(database_url, select(Kecamatan.timezone).distinct())
    assert [r[0] for r in zones] == ["Asia/Makassar"]


def test_custom_csv_import(klambi, database_url, tmp_path):
    good = tmp_path / "desa.csv"
    good.write_text("kode,nama\n35.08.17.2001,Banyuputih Kidul\n35.08.17.2099,Desa Percobaan\n", encoding="utf-8")
    result = klambi("villages", "import", str(good))
    assert result.code == 0, result
    rows = query(database_url, select(Desa.kode, Desa.nama).order_by(Desa.kode))
    assert [tuple(r) for r in rows] == [("35.08.17.2001", "Banyuputih Kidul"), ("35.08.17.2099", "Desa Percobaan")]
    assert [r[0] for r in query(database_url, select(Kecamatan.nama))] == ["Jatiroto"]  # the parent, from reference


def test_custom_csv_reports_every_bad_row_and_writes_nothing(klambi, database_url, tmp_path):
    bad = tmp_path / "desa.csv"
    bad.write_text(
        "kode,nama\n35.08.17.2001,Baik\nbukan-kode,X\n35.08.17.2002,\n99.99.99.2001,Tanpa Induk\n35.08.17.2001,Lagi\n",
        encoding="utf-8",
    )
    before = table_counts(database_url)
    result = klambi("villages", "import", str(bad))
    assert result.code == 2
    assert result.out == ""
    lines = result.err.strip().splitlines()  # a heading, then one line per bad row
    assert len(lines) == 5 and "4 baris salah" in lines[0]
    assert sorted(line.split(":")[0] for line in lines[1:]) == ["  baris 3", "  baris 4", "  baris 5", "  baris 6"]
    assert "baris 2" not in result.err
    assert table_counts(database_url) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--area", "35.99"], "tidak ada dalam data"),
        (["--area", "35.08.17.2001"], "tidak ada dalam data"),
        (["--area", "jatiroto"], "tidak ada dalam data"),
        ([], "--area"),
    ],
)
def test_villages_import_bad_area(klambi, database_url, args, message):
    before = table_counts(database_url)
    result = klambi("villages", "import", *args)
    assert result.code == 2
    assert message in result.err and len(result.err.strip().splitlines()) == 1
    assert table_counts(database_url) == before


def test_jatiroto_2024_all_on_time_gives_the_seed_figures(klambi, database_url):
    load_jatiroto(klambi)
    saved = klambi("target", "set", "--kecamatan", JATIROTO, "--year", "2024", "--awal", "88.89",
                   "--perubahan", "94,44", "--renstra", "94.44")  # fmt: skip
    assert saved.code == 0 and saved.out.startswith("Target IKU Kecamatan Jatiroto (35.08.17) tahun 2024"), saved
    record_all_on_time(klambi)
    result = klambi("indicator", "--kecamatan", JATIROTO, "--year", "2024", "--format", "json")
    assert result.code == 0, result
    data = result.json()
    assert data["kecamatan"] == {"kode": JATIROTO, "nama": "Jatiroto"}
    assert data["year"] == 2024 and data["at"] == "2025-01-15" and data["desa_count"] == 6
    assert data["documents"]["RKPDES"] == {
        "tahun_anggaran": 2025, "legal_deadline": "2024-09-30", "tepat_waktu": 6, "terlambat": 0,
        "menunggu_verifikasi": 0, "ditolak": 0, "belum_jatuh_tempo": 0, "tidak_ada": 0, "persen": 100.0,
    }  # fmt: skip
    assert data["documents"]["APBDES"]["legal_deadline"] == "2024-12-31"
    assert data["documents"]["LPPDES"]["tahun_anggaran"] == 2023
    assert data["documents"]["LPPDES"]["legal_deadline"] == "2024-03-31"
    assert (data["realisasi"], data["target"], data["target_awal"]) == (100.0, 94.44, 88.89)
    assert (data["capaian"], data["predikat"]) == (105.89, "Sangat Tinggi")
    assert data["triwulan"] == {"I": 33.33, "II": 33.33, "III": 66.67, "IV": 100.0}

    table = klambi("indicator", "--kecamatan", JATIROTO, "--year", "2024")
    assert table.code == 0
    assert "Realisasi 100,00%" in table.out and "Capaian 105,89%" in table.out
    assert "Target 94,44% (awal 88,89%)" in table.out and "Sangat Tinggi" in table.out
    assert "30 September 2024" in table.out


def test_indicator_as_it_stood_on_a_day(klambi):
    load_jatiroto(klambi)
    klambi("target", "set", "--kecamatan", JATIROTO, "--year", "2024", "--perubahan", "94.44")
    record_all_on_time(klambi)
    data = klambi("indicator", "--kecamatan", JATIROTO, "--year", "2024", "--at", "2024-10-01", "--format", "json")
    data = data.json()
    assert data["at"] == "2024-10-01"
    assert data["realisasi"] == 66.67
    assert data["documents"]["APBDES"]["belum_jatuh_tempo"] == 6
    assert data["triwulan"] == {"I": 33.33, "II": 33.33, "III": 66.67, "IV": None}
    assert (data["capaian"], data["predikat"]) == (70.59, "Sedang")


def test_a_year_with_nothing_recorded_says_so_beside_its_zero(klambi):
    """0,00% with every document tidak ada reads like 18 failures; with nothing recorded it says that instead."""
    load_jatiroto(klambi)
    empty = klambi("indicator", "--kecamatan", JATIROTO, "--year", "2024")
    assert empty.code == 0 and "Realisasi 0,00%" in empty.out
    assert "Belum ada satu pun dokumen tahun kinerja 2024" in empty.out
    record = ("record", "--desa", DESA[0], "--doc", "RKPDES", "--ta", "2025", "--penetapan", "2024-10-03")
    assert klambi(*record).code == 0  # late, so still 0,00%, but something is recorded
    late = klambi("indicator", "--kecamatan", JATIROTO, "--year", "2024")
    assert "Realisasi 0,00%" in late.out and "Belum ada satu pun dokumen" not in late.out


def test_boundary_cases(klambi):
    """On the deadline day; on time but received late (judged by penetapan vs by date received); rejected."""
    load_jatiroto(klambi)
    d1, d2, d3, d4 = DESA[:4]
    assert klambi("record", "--desa", d1, "--doc", "RKPDES", "--ta", "2025", "--penetapan", "2024-09-30").code == 0
    assert klambi("record", "--desa", d2, "--doc", "RKPDES", "--ta", "2025", "--penetapan", "2024-09-27",
                  "--diterima", "2024-10-14").code == 0  # fmt: skip
    assert klambi("record", "--desa", d3, "--doc", "RKPDES", "--ta", "2025", "--penetapan", "2024-10-01").code == 0
    assert klambi("record", "--desa", d4, "--doc", "RKPDES", "--ta", "2025", "--penetapan", "2024-09-20",
                  "--status", "ditolak", "--alasan", "Lampiran belum lengkap").code == 0  # fmt: skip
    assert klambi("record", "--desa", d1, "--doc", "LPPDES", "--ta", "2023", "--penetapan", "2024-03-20",
                  "--diterima", "2024-04-02").code == 0  # fmt: skip
    assert klambi("record", "--desa", d2, "--doc", "LPPDES", "--ta", "2023", "--penetapan", "2024-03-20",
                  "--diterima", "2024-03-31").code == 0  # fmt: skip
    assert klambi("record", "--desa", d3, "--doc", "APBDES", "--ta", "2025", "--penetapan", "2024-12-30",
                  "--status", "menunggu").code == 0  # fmt: skip
    rows = klambi("obligations", "--kecamatan", JATIROTO, "--year", "2024", "--format", "json").json()["obligations"]
    status = {(r["desa"]["kode"], r["document"]): r["status"] for r in rows}
    assert status[(d1, "RKPDES")] == "tepat_waktu"
    assert status[(d2, "RKPDES")] == "tepat_waktu"  # established in time, received late: judged on penetapan
    assert status[(d3, "RKPDES")] == "terlambat"
    assert status[(d4, "RKPDES")] == "ditolak"
    assert status[(d1, "LPPDES")] == "terlambat"  # judged on the date received
    assert status[(d2, "LPPDES")] == "tepat_waktu"
    assert status[(d3, "APBDES")] == "menunggu_verifikasi"
    assert status[(d4, "APBDES")] == "tidak_ada"
    assert len(rows) == 18
    early = klambi("obligations", "--kecamatan", JATIROTO, "--year", "2024", "--at", "2024-09-15", "--format", "json")
    assert {r["status"] for r in early.json()["obligations"] if r["document"] == "RKPDES"} == {"belum_jatuh_tempo"}


def test_record_twice_changes_nothing_and_keeps_versions(klambi, database_url):
    load_jatiroto(klambi)
    args = ("record", "--desa", DESA[0], "--doc", "RKPDES", "--ta", "2025", "--penetapan", "2024-09-27")
    assert klambi(*args, "--status", "ditolak", "--alasan", "Tanda tangan kurang").code == 0
    before = table_counts(database_url)
    again = klambi(*args, "--status", "ditolak", "--alasan", "Tanda tangan kurang")
    assert again.code == 0 and "tidak ada yang diubah" in again.out
    assert table_counts(database_url) == before
    corrected = klambi(*args, "--diterima", "2024-10-02")
    assert corrected.code == 0 and "versi 2" in corrected.out
    versions = query(database_url, select(Submission.version, Submission.review_status).order_by(Submission.version))
    assert [(v, s.value) for v, s in versions] == [(1, "ditolak"), (2, "diterima")]


def test_record_with_a_file_stores_it_by_content(klambi, database_url, tmp_path):
    load_jatiroto(klambi)
    scan = tmp_path / "Perdes RKPDes <2025>.pdf"
    scan.write_bytes(minimal_pdf(b" scan of the Perdes"))
    result = klambi("record", "--desa", DESA[0], "--doc", "RKPDES", "--ta", "2025", "--penetapan", "2024-09-27",
                    "--file", str(scan))  # fmt: skip
    assert result.code == 0, result
    [(sha, stored, original, mime, size)] = query(
        database_url,
        select(SubmissionFile.sha256, SubmissionFile.stored_path, SubmissionFile.original_name,
               SubmissionFile.mime_type, SubmissionFile.size_bytes),
    )  # fmt: skip
    import hashlib

    assert sha == hashlib.sha256(scan.read_bytes()).hexdigest()
    assert stored == f"files/{sha[:2]}/{sha}" and "Perdes" not in stored
    assert (original, mime, size) == (scan.name, "application/pdf", scan.stat().st_size)
    assert (tmp_path / "files" / stored).read_bytes() == scan.read_bytes()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--desa", "35.08.17.2999"], "belum terdaftar"),
        (["--desa", KELURAHAN], "kelurahan"),
        (["--desa", "35.08.17"], "bukan kode desa"),
        (["--doc", "RPJMDES"], "tidak dikenal"),
        (["--penetapan", "31/09/2024"], "bukan tanggal"),
        (["--penetapan", "2024-02-30"], "bukan tanggal"),
        (["--ta", "1999"], "di luar rentang"),
        (["--ta", "dua ribu"], "bukan tahun"),
        (["--penetapan", "2025-02-01"], "belum terjadi"),
        (["--diterima", "2024-09-01"], "sesudah tanggal diterima"),
        (["--status", "ditolak"], "perlu alasan"),
        (["--alasan", "kurang"], "hanya untuk dokumen yang ditolak"),
        (["--nomor", "x" * 500], "terlalu panjang"),
        (["--file", "tidak-ada.pdf"], "tidak ditemukan"),
        (["--file", "SCRIPT"], "bukan PDF"),
        (["--status", "hilang"], "hilang"),
    ],
)
def test_record_bad_input_says_one_line_and_writes_nothing(klambi, database_url, tmp_path, args, message):
    load_jatiroto(klambi)
    script = tmp_path / "script.sh"
    script.write_text("#!/bin/sh\necho not a document\n")
    args = [str(script) if a == "SCRIPT" else a for a in args]
    base = {"--desa": DESA[0], "--doc": "RKPDES", "--ta": "2025", "--penetapan": "2024-09-27"}
    given = dict(zip(args[::2], args[1::2], strict=True))
    argv = [x for key, value in {**base, **given}.items() for x in (key, value)]
    before = table_counts(database_url)
    result = klambi("record", *argv)
    assert result.code == 2, result
    assert message in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert result.out == ""
    assert table_counts(database_url) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--kecamatan", "35.08.99"], "tidak ada dalam data Kepmendagri"),
        (["--kecamatan", "35.08"], "bukan kode kecamatan"),
        (["--year", "2010"], "di luar rentang"),
        (["--year", "2027"], "di luar rentang"),
        (["--at", "kemarin"], "bukan tanggal"),
    ],
)
def test_indicator_bad_input(klambi, args, message):
    load_jatiroto(klambi)
    base = {"--kecamatan": JATIROTO, "--year": "2024"}
    given = dict(zip(args[::2], args[1::2], strict=True))
    argv = [x for key, value in {**base, **given}.items() for x in (key, value)]
    result = klambi("indicator", *argv)
    assert result.code == 2, result
    assert message in result.err and len(result.err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--awal", "sembilan puluh"], "bukan angka"),
        (["--awal", "94.444"], "dua desimal"),
        (["--awal", "-3"], "di antara"),
        (["--awal", "0"], "di antara"),
        (["--awal", "188,89"], "di antara 0 dan 100"),
        (["--renstra", "100,01"], "di antara 0 dan 100"),
        (["--indicator", "XYZ"], "tidak dikenal"),
        ([], "paling sedikit satu target"),
    ],
)
def test_target_bad_input(klambi, database_url, args, message):
    load_jatiroto(klambi)
    before = table_counts(database_url)
    result = klambi("target", "set", "--kecamatan", JATIROTO, "--year", "2024", *args)
    assert result.code == 2, result
    assert message in result.err
    assert table_counts(database_url) == before


def test_target_keeps_figures_not_given(klambi, database_url):
    load_jatiroto(klambi)
    klambi("target", "set", "--kecamatan", JATIROTO, "--year", "2024", "--awal", "88,89")
    klambi("target", "set", "--kecamatan", JATIROTO, "--year", "2024", "--perubahan", "94,44")
    rows = query(database_url, select(Target.awal, Target.perubahan, Target.renstra))
    assert [tuple(str(v) if v is not None else None for v in r) for r in rows] == [("88.89", "94.44", None)]


def test_kecamatan_without_desa_has_no_indicator(klambi):
    assert klambi("villages", "import", "--area", "35.02.17").code == 0  # all kelurahan
    text = klambi("indicator", "--kecamatan", "35.02.17", "--year", "2024")
    assert text.code == 0 and "tidak punya desa" in text.out
    data = klambi("indicator", "--kecamatan", "35.02.17", "--year", "2024", "--format", "json").json()
    assert data["desa_count"] == 0 and data["realisasi"] is None and data["predikat"] is None


def test_every_change_is_in_the_audit_log_which_cannot_be_rewritten(klambi, database_url):
    load_jatiroto(klambi)
    klambi("record", "--desa", DESA[0], "--doc", "RKPDES", "--ta", "2025", "--penetapan", "2024-09-27")
    klambi("target", "set", "--kecamatan", JATIROTO, "--year", "2024", "--awal", "88,89")
    actions = [r[0] for r in query(database_url, select(AuditEntry.action).order_by(AuditEntry.id))]
    assert actions == ["villages.import", "submission.record", "target.set"]

    import asyncio

    from sqlalchemy import text

    from bot.db import make_engine

    async def tamper(statement: str) -> None:
        engine = make_engine(database_url)
        try:
            async with engine.begin() as connection:
                await connection.execute(text(statement))
        finally:
            await engine.dispose()

    for statement in ("UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(Exception, match="append-only"):
            asyncio.run(tamper(statement))
    assert len(query(database_url, select(AuditEntry.id))) == 3


def test_received_time_uses_the_kecamatan_time_zone(klambi, database_url):
    load_jatiroto(klambi)
    klambi("record", "--desa", DESA[0], "--doc", "LPPDES", "--ta", "2023", "--penetapan", "2024-03-20",
           "--diterima", "2024-03-31")  # fmt: skip
    [(received_at,)] = query(database_url, select(Submission.received_at))
    assert received_at.astimezone(WIB).date().isoformat() == "2024-03-31"


# --- odd option values: one line, exit 2, never a traceback (issue 15, item 11) --------------------------------

ODD_VALUES = [
    "99999999999d", "99999999999", "-99999999999999999999", "99999999999999999999", "²", "2024²", "٢٠٢٤", "２０２４",
    "2_024", "9999-12-31", "0001-01-01", "31/02/2024", "27/13/2024", "1e309", "-1", "NaN", "Infinity", "", " ",
    "1" * 60, "x" * 300, "-²²²²²²", "-1001234567890123456789", "9999-12-31T23:59:59", "0001-01-01T00:00",
]  # fmt: skip
ODD_COMMANDS = [
    ["indicator", "--kecamatan", JATIROTO, "--year", "{}"],
    ["indicator", "--kecamatan", JATIROTO, "--year", "2024", "--at", "{}"],
    ["indicator", "--kecamatan", "{}", "--year", "2024"],
    ["indicator", "--kabupaten", "{}", "--year", "2024"],
    ["obligations", "--kecamatan", JATIROTO, "--year", "{}"],
    ["target", "set", "--kecamatan", JATIROTO, "--year", "{}", "--awal", "90"],
    ["target", "set", "--kecamatan", JATIROTO, "--year", "2024", "--awal", "{}"],
    ["target", "set", "--kecamatan", JATIROTO, "--year", "2024", "--indicator", "{}", "--awal", "90"],
    ["record", "--desa", DESA[0], "--doc", "RKPDES", "--ta", "{}", "--penetapan", "2024-09-27"],
    ["record", "--desa", DESA[0], "--doc", "RKPDES", "--ta", "2025", "--penetapan", "{}"],
    ["record", "--desa", DESA[0], "--doc", "RKPDES", "--ta", "2025", "--penetapan", "2024-09-27", "--diterima", "{}"],
    ["record", "--desa", "{}", "--doc", "RKPDES", "--ta", "2025", "--penetapan", "2024-09-27"],
    ["record", "--desa", DESA[0], "--doc", "{}", "--ta", "2025", "--penetapan", "2024-09-27"],
    ["record", "--desa", DESA[0], "--doc", "RKPDES", "--ta", "2025", "--penetapan", "2024-09-27", "--nomor", "{}"],
    ["record", "--desa", DESA[0], "--doc", "RKPDES", "--ta", "2025", "--penetapan", "2024-09-27", "--status", "{}"],
    ["deadlines", "set", "--kecamatan", JATIROTO, "--doc", "APBDES", "--ta", "{}", "--agreed", "2024-12-31"],
    ["deadlines", "set", "--kecamatan", JATIROTO, "--doc", "APBDES", "--ta", "2025", "--agreed", "{}"],
    ["deadlines", "list", "--kecamatan", JATIROTO, "--year", "{}"],
    ["reminders", "preview", "--kecamatan", JATIROTO, "--from", "{}", "--to", "2025-02-01"],
    ["reminders", "preview", "--kecamatan", JATIROTO, "--from", "2025-01-01", "--to", "{}"],
    ["holidays", "list", "--year", "{}"],
    ["holidays", "add", "{}", "--name", "Cuti bersama"],
    ["holidays", "remove", "{}"],
    ["invite", "--role", "camat", "--kecamatan", JATIROTO, "--expires", "{}"],
    ["invite", "--role", "sekdes", "--desa", "{}"],
    ["invite", "--role", "admin", "--kabupaten", "{}"],
    ["person", "revoke", "--person", "{}"],
    ["person", "export", "--person", "{}"],
    ["person", "forget", "--person", "{}", "--yes"],
    ["person", "list", "--kecamatan", "{}"],
    ["forum", "--kecamatan", JATIROTO, "--chat", "{}"],
    ["history", "list", "--kecamatan", "{}"],
    ["--now", "{}", "indicator", "--kecamatan", JATIROTO, "--year", "2024"],
    ["villages", "import", "--area", "{}"],
    ["record", "template", "--kecamatan", JATIROTO, "--year", "{}", "-o", "{tmp}/t.xlsx", "--force"],
    ["files", "export", "--kecamatan", JATIROTO, "--year", "{}", "-o", "{tmp}/a.zip", "--force"],
]
ARGUMENT_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30)


def test_odd_option_values_get_one_line_and_exit_2(klambi, monkeypatch, tmp_path):
    """Every command with an odd value in one option (huge numbers, superscript and Arabic digits, year 1 and 9999,
    nonsense): exit 0 or 2, at most one line on stderr, never a traceback or a database error."""
    load_jatiroto(klambi)
    monkeypatch.setenv("KLAMBI_TELEGRAM__USERNAME", "ngobras_klambi_bot")

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(command=st.sampled_from(ODD_COMMANDS), value=st.one_of(st.sampled_from(ODD_VALUES), ARGUMENT_TEXT))
    @example(command=["--now", "{}", "indicator", "--kecamatan", JATIROTO, "--year", "2024"], value="0001-01-01")
    @example(command=["person", "forget", "--person", "{}", "--yes"], value="²")
    @example(command=["person", "revoke", "--person", "{}"], value="99999999999999999999")
    @example(command=["forum", "--kecamatan", JATIROTO, "--chat", "{}"], value="-²²²²²²")
    @example(command=["forum", "--kecamatan", JATIROTO, "--chat", "{}"], value="-99999999999999999999")
    @example(command=["invite", "--role", "camat", "--kecamatan", JATIROTO, "--expires", "{}"], value="99999999999d")
    @example(command=["indicator", "--kecamatan", JATIROTO, "--year", "{}"], value="2024\n2025")
    @example(command=["indicator", "--kecamatan", JATIROTO, "--year", "2024", "--at", "{}"], value="9999-12-31")
    def run(command, value):
        if value.startswith("-") and not command[command.index("{}") - 1].startswith("--"):
            value = " " + value  # a positional argument starting with '-' is an option to any program
        args = [a.replace("{tmp}", str(tmp_path)) if a != "{}" else value for a in command]
        result = klambi(*args)
        assert result.code in (0, 2), (args, result)
        assert len(result.err.strip().splitlines()) <= 1 and "Traceback" not in result.err, (args, result)

    run()


# --- click in Indonesian (issue 15, item 14) --------------------------------------------------------------------


def _run_cli(capsys, *args: str) -> tuple[int, str, str]:
    from bot.cli import main

    capsys.readouterr()
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_help_and_usage_errors_speak_indonesian(capsys):
    code, out, _ = _run_cli(capsys, "target", "set", "--help")
    assert code == 0
    assert "Penggunaan: klambi target set [OPSI]" in out and "Opsi:" in out and "[wajib]" in out
    assert "[bawaan: IKU]" in out and "Tampilkan bantuan ini lalu keluar." in out
    code, out, _ = _run_cli(capsys, "--help")
    assert "Perintah:" in out and "PERINTAH [ARG]..." in out and "Tampilkan versi lalu keluar." in out
    english = ["Usage", "Options", "Commands", "Show this", "[required]", "default:", "TEXT", "PATH", "OPTIONS"]
    for args in (["--help"], ["target", "set", "--help"], ["record", "--help"], ["restore", "--help"]):
        code, out, _ = _run_cli(capsys, *args)
        assert not [w for w in english if w in out], (args, out)
    for args, expected in (
        (["indicator", "--kecamatan", JATIROTO], "klambi: Galat: Opsi wajib belum diisi '--year'."),
        (["indicator", "--year", "2024", "--format", "x"], "Nilai '--format' tidak sah: 'x' bukan salah satu dari"),
        (["indicatr"], "Tidak ada perintah 'indicatr'. (Maksudnya 'indicator'?)"),
        (
            ["indicator", "--fromat", "json"],
            "Tidak ada opsi '--fromat'. (Maksudnya salah satu dari: '--at', '--format'?)",
        ),
        (["indicator", "--year"], "Opsi '--year' perlu nilai."),
        (["invite", "--kecamatan", JATIROTO], "Sebutkan --role (pilih dari: sekdes, pendamping,"),
        (["indicator", "--year", "2024", "extra"], "Ada argumen lebih yang tidak dikenal (extra)"),
    ):
        code, _, err = _run_cli(capsys, *args)
        assert code == 2 and expected in err and len(err.strip().splitlines()) == 1, (args, err)


def test_every_message_click_can_print_is_in_the_indonesian_catalog():
    """Each `_()` and `ngettext()` text of the installed click, with the same placeholders."""
    import re
    from importlib import resources
    from pathlib import Path

    import click
    from babel.messages.extract import extract_from_file
    from babel.messages.pofile import read_po

    with resources.files("bot.i18n").joinpath("click-id.po").open("rb") as source:
        catalog = read_po(source, locale="id")
    found = 0
    for module in sorted(Path(click.__file__).parent.glob("*.py")):
        for _, message, _, _ in extract_from_file("python", module, keywords={"_": None, "ngettext": (1, 2)}):
            found += 1
            entry = catalog.get(message[0] if isinstance(message, tuple) else message)
            assert entry is not None and entry.string, (module.name, message)
            translated = entry.string if isinstance(entry.string, tuple) else (entry.string,)
            placeholders = set(re.findall(r"\{[^}]*\}|%\(\w+\)s", "".join(message)))
            assert len(translated) == (2 if isinstance(message, tuple) else 1), message
            for text in translated:
                assert text and set(re.findall(r"\{[^}]*\}|%\(\w+\)s", text)) <= placeholders, (message, text)
    assert found > 60


# --- smaller things a newcomer met (issue 15, item 15) ----------------------------------------------------------


def test_record_takes_dates_as_the_chat_does_and_status_in_any_case(klambi, database_url):
    load_jatiroto(klambi)
    result = klambi("record", "--desa", DESA[0], "--doc", "rkpdes", "--ta", "2025", "--penetapan", "27/09/2024",
                    "--diterima", "30 September 2024", "--status", "Ditolak", "--alasan", "Belum ttd")  # fmt: skip
    assert result.code == 0, result
    assert "27 September 2024" in result.out and "30 September 2024" in result.out
    rows = query(database_url, select(Submission.tanggal_penetapan))
    assert [r[0].isoformat() for r in rows] == ["2024-09-27"]


def test_an_urban_kecamatan_is_said_to_hold_only_kelurahan_at_import_and_after(klambi):
    imported = klambi("villages", "import", "--area", "35.02.17")  # Ponorogo: all kelurahan
    assert imported.code == 0, imported
    assert "hanya berisi kelurahan" in imported.out and "(35.02.17)" in imported.out
    for args in (
        ["obligations", "--kecamatan", "35.02.17", "--year", "2024"],
        ["deadlines", "list", "--kecamatan", "35.02.17", "--year", "2024"],
        ["reminders", "preview", "--kecamatan", "35.02.17", "--from", "2025-01-01", "--to", "2025-01-31"],
    ):
        result = klambi(*args)
        assert result.code == 0 and "hanya berisi kelurahan" in result.out, (args, result)
    rural = klambi("villages", "import", "--area", JATIROTO)
    assert rural.code == 0 and "hanya berisi kelurahan" not in rural.out
    jatiroto = klambi("obligations", "--kecamatan", JATIROTO, "--year", "2024")
    assert jatiroto.code == 0 and "hanya berisi kelurahan" not in jatiroto.out


def test_an_unknown_kecamatan_is_offered_only_an_import_that_works(klambi):
    load_jatiroto(klambi)
    loaded_not = klambi("obligations", "--kecamatan", "35.08.16", "--year", "2024")
    assert loaded_not.code == 2 and "`klambi villages import --area 35.08.16`" in loaded_not.err
    assert klambi("villages", "import", "--area", "35.08.16").code == 0  # the suggestion works
    unknown = klambi("obligations", "--kecamatan", "35.08.99", "--year", "2024")
    assert unknown.code == 2 and "--area" not in unknown.err and "BERKAS.csv" in unknown.err, unknown
    assert klambi("villages", "import", "--area", "35.08.99").code == 2  # what it no longer suggests


def test_history_list_says_what_the_star_means(klambi):
    from tests.test_history import SAMPLE

    load_jatiroto(klambi)
    assert klambi("history", "import", str(SAMPLE)).code == 0
    result = klambi("history", "list", "--kecamatan", JATIROTO)
    assert result.code == 0 and " *" in result.out
    assert "* capaian terbitan tidak sama dengan realisasi ÷ target" in result.out and "2023: 99,66%" in result.out


def test_people_read_rkpdes_while_options_json_and_csv_keep_the_code(klambi, tmp_path):
    """RKPDes, APBDes, LPPDes as people and the LKjIP write them; `--doc`, JSON and CSV keep RKPDES …"""
    load_jatiroto(klambi)
    record_all_on_time(klambi)
    table = klambi("indicator", "--kecamatan", JATIROTO, "--year", "2024")
    assert table.code == 0 and {"RKPDes", "APBDes", "LPPDes"} <= set(table.out.split()), table.out
    assert "RKPDES" not in table.out and "⭕ tidak ada" in table.out and "❌ ditolak" in table.out
    recorded = klambi("record", "--desa", DESA[0], "--doc", "rkpdes", "--ta", "2026", "--penetapan", "2025-09-20",
                      "--diterima", "2025-09-22", now=datetime(2025, 10, 1, 9, 0, tzinfo=WIB))  # fmt: skip
    assert recorded.code == 0 and "RKPDes TA 2026" in recorded.out, recorded
    data = klambi("indicator", "--kecamatan", JATIROTO, "--year", "2024", "--format", "json").json()
    assert set(data["documents"]) == {"RKPDES", "APBDES", "LPPDES"}
    out = tmp_path / "per-desa.csv"
    assert klambi("report", "--kecamatan", JATIROTO, "--year", "2024", "--format", "csv", "-o", str(out)).code == 0
    assert "RKPDES" in out.read_text(encoding="utf-8-sig") and "RKPDes" not in out.read_text(encoding="utf-8-sig")
