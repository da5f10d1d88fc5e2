"""The desk's commands (`deadlines`, `record import|template`, `files export`, `person`) on both databases."""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
import zipfile
from datetime import UTC, date, datetime

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import event, select, update
from sqlalchemy.engine import Engine

from bot.chat.messages import Sender
from bot.db import LOCK_FREE, make_engine, session_factory
from bot.errors import InputError
from bot.services.audit import CLI, Actor
from bot.storage import minimal_pdf
from models.tables import (
    AuditEntry,
    Channel,
    Contact,
    Desa,
    Extension,
    IndicatorHistory,
    Obligation,
    OutboxMessage,
    OutboxStatus,
    Person,
    Role,
    RoleAssignment,
    Submission,
)
from tests.conftest import WIB, query, table_counts

JATIROTO = "35.08.17"
DESA = [f"35.08.17.200{i}" for i in range(1, 7)]
NAMES = ["Banyuputih Kidul", "Rojopolo", "Kaliboto Kidul", "Kaliboto Lor", "Sukosari", "Jatiroto"]
AUGUST = datetime(2024, 8, 1, 9, 0, tzinfo=WIB)  # before the RKPDes season: reminders lie ahead
HEADER = "desa,doc,ta,penetapan,diterima,nomor,status,alasan"


def one_line_error(result) -> None:
    assert result.code == 2, result
    assert result.out == "" and len(result.err.strip().splitlines()) == 1, result


def run_in_session(database_url: str, work):
    """Run `work(session)` in one committed transaction, as a service caller would."""

    async def go():
        engine = make_engine(database_url)
        try:
            async with session_factory(engine)() as session, session.begin():
                return await work(session)
        finally:
            await engine.dispose()

    return asyncio.run(go())


def register(database_url: str, role: str, place: str | None, user_id: int, name: str, now=AUGUST) -> int:
    """A person who opened an invitation to `role` in `place` (a chat with the bot): their id."""
    from bot.services.people import create_invitation, redeem_invitation

    async def work(session):
        invitation = await create_invitation(session, Role(role), place, now)
        sender = Sender("telegram", str(user_id), str(user_id), name)
        redeemed = await redeem_invitation(session, invitation.code, sender, now)
        return redeemed.person.id

    return run_in_session(database_url, work)


def plan(database_url: str, now=AUGUST) -> None:
    from bot.config import RemindersSettings
    from scheduler.planner import plan_kecamatan

    run_in_session(database_url, lambda session: plan_kecamatan(session, JATIROTO, now, RemindersSettings()))


def obligation_id(database_url: str, desa: str, doc: str, ta: int) -> int:
    [(found,)] = query(
        database_url,
        select(Obligation.id).where(
            Obligation.desa_kode == desa, Obligation.document_code == doc, Obligation.tahun_anggaran == ta
        ),
    )
    return found


def extend(database_url: str, obligation: int, new_date: date, reason: str, now=AUGUST) -> None:
    from bot.services.deadlines import grant_extension

    run_in_session(database_url, lambda s: grant_extension(s, None, None, obligation, new_date, reason, now, actor=CLI))


# --- deadlines -------------------------------------------------------------------------------------------------


def test_deadlines_set_moves_every_desa_but_an_extension_tells_people_and_replans(klambi, database_url):
    assert klambi("villages", "import", "--area", JATIROTO, now=AUGUST).code == 0
    sekdes = register(database_url, "sekdes", DESA[0], 101, "Sekdes Banyuputih")
    pendamping = register(database_url, "pendamping", DESA[1], 102, "Pendamping Rojopolo")
    register(database_url, "sekdes", DESA[2], 103, "Sekdes Kaliboto Kidul")
    extended = obligation_id(database_url, DESA[2], "RKPDES", 2025)
    extend(database_url, extended, date(2024, 10, 14), "Kepala desa baru dilantik")

    result = klambi("deadlines", "set", "--kecamatan", JATIROTO, "--doc", "rkpdes", "--ta", "2025",
                    "--agreed", "2024-09-13", now=AUGUST)  # fmt: skip
    assert result.code == 0, result
    assert "13 September 2024" in result.out and "tetap 30 September 2024" in result.out
    assert "Berubah (5 desa): Banyuputih Kidul, Rojopolo, Kaliboto Lor, Sukosari, Jatiroto." in result.out
    assert "Tetap dengan perpanjangannya sendiri (1 desa): Kaliboto Kidul." in result.out
    assert "2 orang" in result.out

    dates = query(database_url, select(Obligation.desa_kode, Obligation.agreed_date, Obligation.legal_deadline)
                  .where(Obligation.document_code == "RKPDES", Obligation.tahun_anggaran == 2025))  # fmt: skip
    agreed = {kode: (a, legal) for kode, a, legal in dates}
    for kode in DESA:
        expected = date(2024, 10, 14) if kode == DESA[2] else date(2024, 9, 13)
        assert agreed[kode] == (expected, date(2024, 9, 30))

    notices = query(database_url, select(OutboxMessage.person_id, OutboxMessage.details)
                    .where(OutboxMessage.subject_type == "notice"))  # fmt: skip
    assert sorted(p for p, _ in notices) == [sekdes, pendamping]
    assert all("13 September 2024" in d["text"] for _, d in notices)

    # re-planned: the sekdes' reminders count down to the new agreed date, not the legal deadline
    planned = query(database_url, select(OutboxMessage.send_at, OutboxMessage.kind, OutboxMessage.details).where(
        OutboxMessage.person_id == sekdes, OutboxMessage.subject_type == "obligation",
        OutboxMessage.status == OutboxStatus.PLANNED))  # fmt: skip
    on_day = {s.astimezone(WIB).date() for s, kind, d in planned if kind == "H" and d["document"] == "RKPDES"}
    assert on_day == {date(2024, 9, 13)}

    before = table_counts(database_url)
    again = klambi("deadlines", "set", "--kecamatan", JATIROTO, "--doc", "RKPDES", "--ta", "2025",
                   "--agreed", "2024-09-13", now=AUGUST)  # fmt: skip
    assert again.code == 0 and "Tidak ada desa yang berubah" in again.out and "0 orang" in again.out
    assert table_counts(database_url) == before


def test_deadlines_after_the_legal_deadline_is_kept_with_a_note(klambi):
    assert klambi("villages", "import", "--area", JATIROTO, now=AUGUST).code == 0
    result = klambi("deadlines", "set", "--kecamatan", JATIROTO, "--doc", "APBDES", "--ta", "2025",
                    "--agreed", "2025-01-10", now=AUGUST)  # fmt: skip
    assert result.code == 0 and "Berubah (6 desa)" in result.out
    assert "sesudah batas waktu peraturan (31 Desember 2024)" in result.out


def test_deadlines_list_json_and_table(klambi, database_url):
    assert klambi("villages", "import", "--area", JATIROTO, now=AUGUST).code == 0
    grantor = register(database_url, "staf", JATIROTO, 201, "Staf Pemerintahan")
    assert klambi("deadlines", "set", "--kecamatan", JATIROTO, "--doc", "RKPDES", "--ta", "2025",
                  "--agreed", "2024-09-13", now=AUGUST).code == 0  # fmt: skip
    from bot.services.deadlines import grant_extension

    kaliboto_lor = obligation_id(database_url, DESA[3], "RKPDES", 2025)

    async def grant(session):
        staf = await session.get(Person, grantor)
        return await grant_extension(session, staf, None, kaliboto_lor, date(2024, 9, 27), "Musdes diundur", AUGUST,
                                     actor=Actor(staf.id, "telegram"))  # fmt: skip

    run_in_session(database_url, grant)

    result = klambi("deadlines", "list", "--kecamatan", JATIROTO, "--year", "2024", "--format", "json", now=AUGUST)
    assert result.code == 0, result
    data = result.json()
    assert data["kecamatan"] == {"kode": JATIROTO, "nama": "Jatiroto"} and data["year"] == 2024
    assert [(d["document"], d["tahun_anggaran"], d["legal_deadline"]) for d in data["documents"]] == [
        ("RKPDES", 2025, "2024-09-30"), ("APBDES", 2025, "2024-12-31"), ("LPPDES", 2023, "2024-03-31"),
    ]  # fmt: skip
    rkpdes = data["documents"][0]["desa"]
    assert [d["desa"] for d in rkpdes] == [{"kode": k, "nama": n} for k, n in zip(DESA, NAMES, strict=True)]
    assert [d["agreed_date"] for d in rkpdes] == ["2024-09-13"] * 3 + ["2024-09-27"] + ["2024-09-13"] * 2
    assert rkpdes[3]["extensions"] == [
        {
            "previous_agreed_date": "2024-09-13",
            "new_agreed_date": "2024-09-27",
            "reason": "Musdes diundur",
            "granted_at": "2024-08-01T09:00:00+07:00",
            "granted_by": {"id": grantor, "name": "Staf Pemerintahan"},
        }
    ]
    assert all(d["extensions"] == [] for i, d in enumerate(rkpdes) if i != 3)
    lppdes = data["documents"][2]["desa"]  # nobody agreed on another date: the legal deadline
    assert {d["agreed_date"] for d in lppdes} == {"2024-03-31"}

    table = klambi("deadlines", "list", "--kecamatan", JATIROTO, "--year", "2024", now=AUGUST)
    assert table.code == 0 and "Batas kesepakatan" in table.out and "Perpanjangan" in table.out
    assert "RKPDes" in table.out and "RKPDES" not in table.out  # as people write it; the JSON keeps the code
    assert "13 September 2024 → 27 September 2024 (Musdes diundur; diberikan 1 Agustus 2024 09.00)" in table.out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--kecamatan", "35.08.99"], "tidak ada dalam data Kepmendagri"),
        (["--kecamatan", "35.08.16"], "villages import --area 35.08.16"),  # in the reference, not loaded
        (["--kecamatan", "35.08"], "bukan kode kecamatan"),
        (["--doc", "RPJMDES"], "Pilihan: RKPDES, APBDES, LPPDES."),
        (["--doc", "APBDES", "--agreed", "2023-12-31"], "sebelum tahun 2024"),  # a year before TA 2025's deadline
        (["--doc", "LPPDES", "--ta", "2024", "--agreed", "2024-12-31"], "sebelum tahun 2025"),
        (["--ta", "2014"], "di luar rentang"),
        (["--ta", "dua ribu"], "bukan tahun"),
        (["--agreed", "31/09/2024"], "bukan tanggal"),
    ],
)
def test_deadlines_set_bad_input(klambi, database_url, args, message):
    assert klambi("villages", "import", "--area", JATIROTO).code == 0
    base = {"--kecamatan": JATIROTO, "--doc": "RKPDES", "--ta": "2025", "--agreed": "2024-09-13"}
    given = dict(zip(args[::2], args[1::2], strict=True))
    before = table_counts(database_url)
    result = klambi("deadlines", "set", *[x for k, v in {**base, **given}.items() for x in (k, v)])
    one_line_error(result)
    assert message in result.err
    assert table_counts(database_url) == before


def test_deadlines_list_bad_input(klambi):
    assert klambi("villages", "import", "--area", JATIROTO).code == 0
    one_line_error(klambi("deadlines", "list", "--kecamatan", "35.08.99", "--year", "2024"))
    one_line_error(klambi("deadlines", "list", "--kecamatan", JATIROTO, "--year", "2030"))


# --- record import ---------------------------------------------------------------------------------------------


def versions(database_url):
    return query(
        database_url,
        select(Obligation.desa_kode, Obligation.document_code, Obligation.tahun_anggaran, Submission.version,
               Submission.tanggal_penetapan, Submission.nomor, Submission.received_at, Submission.review_status,
               Submission.review_reason, Submission.channel)
        .join(Obligation, Obligation.id == Submission.obligation_id)
        .order_by(Obligation.desa_kode, Obligation.document_code, Submission.version),
    )  # fmt: skip


def test_record_import_csv_all_good_and_twice_changes_nothing(klambi, database_url, tmp_path):
    assert klambi("villages", "import", "--area", JATIROTO).code == 0
    lines = [HEADER]
    for i, desa in enumerate(DESA, 1):
        lines.append(f"{desa},RKPDES,2025,2024-09-2{i},2024-09-27,{i}/2024,,")
    lines.append(f"{DESA[0]},APBDES,2025,2024-12-20,,,ditolak,Lampiran kurang")
    lines.append(f"{DESA[0]},apbdes,2025,2024-12-20,2025-01-03,7/2024,DITERIMA,")
    lines.append(f"{DESA[1]},LPPDES,2023,2024-03-20,2024-03-28,,menunggu,")
    path = tmp_path / "dokumen.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    result = klambi("record", "import", str(path))
    assert result.code == 0, result
    assert "9 versi baru, 0 sudah tercatat (tidak diubah), 0 baris salah" in result.out
    rows = versions(database_url)
    assert len(rows) == 9 and {r.channel for r in rows} == {Channel.IMPORT}
    apbdes = [r for r in rows if r.document_code == "APBDES"]
    assert [(r.version, r.review_status.value, r.review_reason, r.nomor) for r in apbdes] == [
        (1, "ditolak", "Lampiran kurang", None), (2, "diterima", None, "7/2024"),
    ]  # fmt: skip
    assert apbdes[1].received_at.astimezone(WIB).date() == date(2025, 1, 3)
    status = klambi("obligations", "--kecamatan", JATIROTO, "--year", "2024", "--format", "json").json()
    by = {(o["desa"]["kode"], o["document"]): o["status"] for o in status["obligations"]}
    assert {by[(d, "RKPDES")] for d in DESA} == {"tepat_waktu"}
    assert (by[(DESA[0], "APBDES")], by[(DESA[1], "LPPDES")]) == ("tepat_waktu", "menunggu_verifikasi")

    before = table_counts(database_url)
    again = klambi("record", "import", str(path))
    assert again.code == 0 and "0 versi baru, 9 sudah tercatat" in again.out
    assert table_counts(database_url) == before


def test_record_import_xlsx_with_date_cells_and_text_dates(klambi, database_url, tmp_path):
    assert klambi("villages", "import", "--area", JATIROTO).code == 0
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["DESA", "Nama Desa", "Doc", "TA", "Penetapan", "Diterima", "Nomor", "Status", "Alasan"])
    sheet.append([DESA[0], NAMES[0], "RKPDES", 2025, datetime(2024, 9, 21), date(2024, 9, 27), 5, None, None])
    sheet.append([DESA[1], NAMES[1], "RKPDES", "2025", "2024-09-22", None, "5/2024", "diterima", None])
    sheet.append([DESA[2], NAMES[2], "RKPDES", 2025.0, date(2024, 10, 2), None, None, None, None])
    sheet.append([DESA[3], NAMES[3], "RKPDES", 2025, None, None, None, None, None])  # not filled in: skipped
    sheet.append([None] * 9)
    path = tmp_path / "dokumen.xlsx"
    workbook.save(path)

    result = klambi("record", "import", str(path))
    assert result.code == 0, result
    assert "3 versi baru" in result.out and "1 baris belum diisi dilewati" in result.out
    rows = {r.desa_kode: r for r in versions(database_url)}
    assert set(rows) == set(DESA[:3])
    assert (rows[DESA[0]].tanggal_penetapan, rows[DESA[0]].nomor) == (date(2024, 9, 21), "5")
    assert rows[DESA[0]].received_at.astimezone(WIB).date() == date(2024, 9, 27)
    assert (rows[DESA[1]].tanggal_penetapan, rows[DESA[1]].nomor) == (date(2024, 9, 22), "5/2024")
    assert rows[DESA[2]].received_at.astimezone(WIB).date() == date(2024, 10, 2)  # diterima defaults to penetapan
    again = klambi("record", "import", str(path))
    assert again.code == 0 and "0 versi baru, 3 sudah tercatat" in again.out


BAD_ROWS = [
    f"{DESA[0]},RKPDES,2025,2024-09-21,,1/2024,,",  # 2: good
    f"{DESA[1]},RKPDES,2025,2024-09-22,,,,",  # 3: good
    "35.08.17.2099,RKPDES,2025,2024-09-22,,,,",  # 4: unknown desa
    f"{DESA[2]},RKPDES,2025,22/09/2024,,,,",  # 5: not a date
    f"{DESA[3]},RPJMDES,2025,2024-09-22,,,,",  # 6: unknown document
    f"{DESA[4]},RKPDES,2025,2025-09-22,,,,",  # 7: in the future
    f"{DESA[5]},RKPDES,2025,2024-09-22,,,ditolak,",  # 8: rejected without a reason
    f"{DESA[5]},RKPDES,2025,2024-09-22,2024-09-01,,,",  # 9: received before established
    f"{DESA[5]},RKPDES,2025,2024-09-22,,,hilang,",  # 10: unknown status
    f"{DESA[5]},RKPDES,1999,2024-09-22,,,,",  # 11: year out of range
    ",RKPDES,2025,2024-09-22,,,,",  # 12: no desa
    f"{DESA[5]},RKPDES,2025,2024-09-22,,,,{'x' * 1001}",  # 13: a reason far too long
    f"{DESA[5]},RKPDES,2025,2024-09-23,,,,",  # 14: good
]


def bad_lines(result) -> list[str]:
    """The error lines after the heading line: one per row and column."""
    heading, *lines = result.err.strip().splitlines()
    assert heading.startswith("klambi: ") and all(line.startswith("  baris ") for line in lines), result
    return [line.strip() for line in lines]


BAD_REASONS = {
    4: ["kolom desa: Desa 35.08.17.2099 belum terdaftar"],
    5: ["kolom penetapan: '22/09/2024' bukan tanggal"],
    6: ["kolom doc: Dokumen RPJMDES tidak dikenal"],
    7: ["kolom penetapan: 2025-09-22 belum terjadi"],
    8: ["kolom alasan: status ditolak perlu alasan"],
    9: ["kolom diterima: Tanggal penetapan 2024-09-22 sesudah tanggal diterima 2024-09-01"],
    10: ["kolom status: 'hilang' tidak dikenal"],
    11: ["kolom ta: tahun 1999 di luar rentang"],
    12: ["kolom desa: kosong, padahal wajib diisi"],
    13: ["kolom alasan: terlalu panjang", "kolom alasan: hanya untuk status ditolak"],
}


def test_record_import_reports_every_bad_row_and_writes_nothing(klambi, database_url, tmp_path):
    """Each error on its own line, naming its row and column; every error of a row, not only the first."""
    assert klambi("villages", "import", "--area", JATIROTO).code == 0
    path = tmp_path / "salah.csv"
    path.write_text("\n".join([HEADER, *BAD_ROWS]) + "\n", encoding="utf-8")
    before = table_counts(database_url)
    result = klambi("record", "import", str(path))
    assert result.code == 2 and result.out == "", result
    assert "10 baris salah, tidak ada yang disimpan" in result.err.splitlines()[0]
    lines = bad_lines(result)
    assert len(lines) == sum(len(v) for v in BAD_REASONS.values())
    for number, reasons in BAD_REASONS.items():
        found = [line for line in lines if line.startswith(f"baris {number},")]
        assert len(found) == len(reasons), (number, found)
        for line, why in zip(found, reasons, strict=True):
            assert why in line, (line, why)
    assert not [line for line in lines if line.startswith(("baris 2,", "baris 3,", "baris 14,"))]
    assert table_counts(database_url) == before


def test_record_import_reports_every_error_of_a_row(klambi, database_url, tmp_path):
    assert klambi("villages", "import", "--area", JATIROTO).code == 0
    path = tmp_path / "salah.csv"
    path.write_text(f"{HEADER}\n35.08.17.2099,RPJMDES,dua,27/09/2024,kemarin,,hilang,\n", encoding="utf-8")
    result = klambi("record", "import", str(path))
    assert result.code == 2 and "1 baris salah" in result.err.splitlines()[0]
    assert [line.split(":", 1)[0] for line in bad_lines(result)] == [
        "baris 2, kolom desa", "baris 2, kolom doc", "baris 2, kolom ta", "baris 2, kolom penetapan",
        "baris 2, kolom diterima", "baris 2, kolom status",
    ]  # fmt: skip
    assert versions(database_url) == []


def test_record_import_partial_writes_the_good_rows(klambi, database_url, tmp_path):
    assert klambi("villages", "import", "--area", JATIROTO).code == 0
    path = tmp_path / "salah.csv"
    path.write_text("\n".join([HEADER, *BAD_ROWS]) + "\n", encoding="utf-8")
    result = klambi("record", "import", str(path), "--partial")
    assert result.code == 0, result
    assert "3 versi baru, 0 sudah tercatat (tidak diubah), 10 baris salah" in result.out
    assert "10 baris salah tidak disimpan" in result.err.splitlines()[0]
    lines = bad_lines(result)
    assert len(lines) == 11 and lines[0].startswith("baris 4, kolom desa") and lines[-1].startswith("baris 13,")
    assert sorted((r.desa_kode, r.tanggal_penetapan) for r in versions(database_url)) == [
        (DESA[0], date(2024, 9, 21)), (DESA[1], date(2024, 9, 22)), (DESA[5], date(2024, 9, 23)),
    ]  # fmt: skip
    before = table_counts(database_url)
    again = klambi("record", "import", str(path), "--partial")
    assert again.code == 0 and "0 versi baru, 3 sudah tercatat" in again.out
    assert table_counts(database_url) == before


def test_record_import_xlsx_never_guesses_a_cell_it_cannot_read(klambi, database_url, tmp_path):
    """A formula Excel never calculated, a merged range, a nomor Excel made a date, an error cell, a missing date
    received where it decides timeliness: each reported by row and column, and nothing written."""
    assert klambi("villages", "import", "--area", JATIROTO).code == 0
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["desa", "doc", "ta", "penetapan", "diterima", "nomor", "status", "alasan"])
    late = date(2024, 4, 15)  # LPPDes TA 2023 is due 31 March 2024: received on 15 April it is late
    sheet.append([DESA[0], "LPPDES", 2023, date(2024, 3, 20), "=D2+26", None, None, None])  # 2: no cached value
    sheet.append([DESA[1], "LPPDES", 2023, date(2024, 3, 20), late, None, None, None])  # 3: merged E3:E4
    sheet.append([DESA[2], "LPPDES", 2023, date(2024, 3, 20), None, None, None, None])  # 4: inside the merge
    sheet.append([DESA[3], "RKPDES", 2025, date(2024, 9, 20), None, datetime(2024, 5, 1), None, None])  # 5
    sheet.append([DESA[4], "RKPDES", 2025, date(2024, 9, 20), None, "#REF!", "ditolak", date(2024, 9, 1)])  # 6
    sheet.append([DESA[5], "LPPDES", 2023, date(2024, 3, 20), None, "3/2024", None, None])  # 7: no date received
    sheet.append([DESA[5], "RKPDES", 2025, date(2024, 9, 20), None, "4/2024", None, None])  # 8: good
    sheet.merge_cells("E3:E4")
    path = tmp_path / "dokumen.xlsx"
    workbook.save(path)
    before = table_counts(database_url)

    result = klambi("record", "import", str(path))
    assert result.code == 2, result
    assert "6 baris salah, tidak ada yang disimpan" in result.err.splitlines()[0]
    assert bad_lines(result) == [
        "baris 2, kolom diterima: rumus =D2+26 tanpa nilai tersimpan; buka dan simpan ulang di Excel, atau ketik "
        "nilainya",
        "baris 3, kolom diterima: sel gabungan E3:E4; pisahkan selnya dan isi setiap baris",
        "baris 4, kolom diterima: sel gabungan E3:E4; pisahkan selnya dan isi setiap baris",
        "baris 5, kolom nomor: Excel mengubahnya menjadi tanggal (2024-05-01); format kolom sebagai Teks lalu ketik "
        "ulang",
        "baris 6, kolom nomor: rumus menghasilkan galat #REF!",
        "baris 6, kolom alasan: Excel mengubahnya menjadi tanggal (2024-09-01); format kolom sebagai Teks lalu ketik "
        "ulang",
        "baris 7, kolom diterima: wajib untuk LPPDes: ketepatan waktunya dinilai dari tanggal diterima kecamatan",
    ]
    assert table_counts(database_url) == before

    partial = klambi("record", "import", str(path), "--partial")
    assert partial.code == 0 and "1 versi baru" in partial.out and "6 baris salah" in partial.out, partial
    assert [(r.desa_kode, r.document_code, r.nomor) for r in versions(database_url)] == [(DESA[5], "RKPDES", "4/2024")]


def test_record_requires_the_date_received_where_it_decides_timeliness(klambi, database_url):
    assert klambi("villages", "import", "--area", JATIROTO).code == 0
    lppdes = ["record", "--desa", DESA[0], "--doc", "LPPDES", "--ta", "2023", "--penetapan", "2024-03-20"]
    refused = klambi(*lppdes)
    one_line_error(refused)
    assert "--diterima wajib untuk LPPDes" in refused.err
    assert versions(database_url) == []
    assert klambi(*lppdes, "--diterima", "2024-04-15").code == 0
    rkpdes = klambi("record", "--desa", DESA[0], "--doc", "RKPDES", "--ta", "2025", "--penetapan", "2024-09-20")
    assert rkpdes.code == 0, rkpdes  # judged by its penetapan: the date received may default to it
    received = {r.document_code: r.received_at.astimezone(WIB).date() for r in versions(database_url)}
    assert received == {"LPPDES": date(2024, 4, 15), "RKPDES": date(2024, 9, 20)}


def test_imported_text_is_cleaned_of_control_characters(klambi, database_url, tmp_path):
    """Word's line break in a nomor, a NUL in a reason or a code (PostgreSQL refuses NUL): cleaned where they enter."""
    villages = tmp_path / "desa.csv"
    villages.write_text("kode,nama\n35.08.17.2001,Banyuputih\x0bKidul\n", encoding="utf-8")
    assert klambi("villages", "import", str(villages)).code == 0
    assert query(database_url, select(Desa.nama)) == [("Banyuputih Kidul",)]
    records = tmp_path / "dokumen.csv"
    records.write_text(
        f"{HEADER}\n{DESA[0]}\x00,RKPDES,2025,2024-09-21,,5\x0b2024,,\n"
        f"{DESA[0]},APBDES,2025,2024-12-20,,,ditolak,Lampiran\x00kurang\x1b[31m\n",
        encoding="utf-8",
    )
    result = klambi("record", "import", str(records))
    assert result.code == 0, result
    assert [(r.document_code, r.nomor, r.review_reason) for r in versions(database_url)] == [
        ("APBDES", None, "Lampiran kurang [31m"), ("RKPDES", "5 2024", None),
    ]  # fmt: skip
    history = tmp_path / "riwayat.csv"
    history.write_text("kecamatan,year,indicator,target,realisasi,capaian\n35.08.17\x00,2023,IKU,94.44,94.12,\n")
    assert klambi("history", "import", str(history)).code == 0
    assert query(database_url, select(IndicatorHistory.kecamatan_kode, IndicatorHistory.year)) == [("35.08.17", 2023)]


def test_record_import_audits_every_version_and_plans_the_reminders_again(klambi, database_url, tmp_path):
    assert klambi("villages", "import", "--area", JATIROTO, now=AUGUST).code == 0
    sekdes = register(database_url, "sekdes", DESA[0], 101, "Sekdes Banyuputih")
    plan(database_url)

    def rkpdes_reminders() -> int:
        return len(query(database_url, select(OutboxMessage.id).where(
            OutboxMessage.person_id == sekdes, OutboxMessage.subject_type == "obligation",
            OutboxMessage.status == OutboxStatus.PLANNED)))  # fmt: skip

    assert rkpdes_reminders() > 0
    path = tmp_path / "dokumen.csv"
    rows = [f"{DESA[0]},RKPDES,2025,2024-07-29,2024-07-30,1/2024,,",
            f"{DESA[1]},LPPDES,2023,2024-03-20,2024-04-15,,ditolak,Tanpa tanda tangan"]  # fmt: skip
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    result = klambi("record", "import", str(path), now=AUGUST)
    assert result.code == 0 and "2 versi baru" in result.out, result
    assert rkpdes_reminders() == 0  # accepted: nothing left to remind the sekdes of
    recorded = {r.id: r for r in query(database_url, select(Submission))}
    entries = query(database_url, select(AuditEntry).where(AuditEntry.action == "submission.record"))
    assert sorted(int(e.entity_id) for e in entries) == sorted(recorded)
    details = sorted((e.details for e in entries), key=lambda d: d["desa"])
    assert details == [
        {"desa": DESA[0], "document": "RKPDES", "tahun_anggaran": 2025, "version": 1, "tanggal_penetapan": "2024-07-29",
         "received_on": "2024-07-30", "review_status": "diterima", "channel": "impor", "files": []},
        {"desa": DESA[1], "document": "LPPDES", "tahun_anggaran": 2023, "version": 1, "tanggal_penetapan": "2024-03-20",
         "received_on": "2024-04-15", "review_status": "ditolak", "channel": "impor", "files": []},
    ]  # fmt: skip
    assert all(e.actor_label == "cli" and e.at == datetime(2024, 8, 1, 2, 0, tzinfo=UTC) for e in entries)


def test_record_import_checks_again_when_a_version_arrives_between_reading_and_writing(
    klambi, database_url, tmp_path, monkeypatch
):
    """The bot records a version of the same obligation while the import checks its rows: the write meets the
    unique version number, the import reads again and its row becomes the next version; nothing is lost."""
    import bot.services.imports as imports
    from bot.services.records import RecordRequest, record_document

    assert klambi("villages", "import", "--area", JATIROTO).code == 0
    real = imports._read_known
    calls = []

    async def read_then_the_bot_records(sessions, rows):
        known = await real(sessions, rows)
        if not calls:
            async with sessions() as session, session.begin():
                request = RecordRequest(DESA[0], "RKPDES", 2025, date(2024, 9, 20), date(2024, 9, 23))
                await record_document(session, request, datetime(2025, 1, 15, 9, tzinfo=WIB), None,
                                      actor=Actor(None, "telegram"))  # fmt: skip
        calls.append(len(rows))
        return known

    monkeypatch.setattr(imports, "_read_known", read_then_the_bot_records)
    path = tmp_path / "dokumen.csv"
    path.write_text(f"{HEADER}\n{DESA[0]},RKPDES,2025,2024-09-21,2024-09-27,5/2024,,\n", encoding="utf-8")
    result = klambi("record", "import", str(path))
    assert result.code == 0 and "1 versi baru" in result.out, result
    assert calls == [1, 1]
    assert [(r.version, r.tanggal_penetapan, r.channel) for r in versions(database_url)] == [
        (1, date(2024, 9, 20), Channel.CLI), (2, date(2024, 9, 21), Channel.IMPORT),
    ]  # fmt: skip


def test_record_import_stages_its_rows_before_the_write_transaction(klambi, database_url, tmp_path):
    """The bulk reads, and the rows on their way to the driver, are in transactions that only read or write temporary
    tables (on SQLite a deferred BEGIN, which takes no lock); the write transaction, which on SQLite holds the
    database's only write lock, copies the rows with one `INSERT … SELECT` per table, whatever their number."""
    assert klambi("villages", "import", "--area", JATIROTO).code == 0
    rows = [f"{d},{doc},2025,2024-09-20,2024-09-23,{n}/2024,," for n, (d, doc) in
            enumerate(((d, doc) for d in DESA for doc in ("RKPDES", "APBDES")), 1)]  # fmt: skip
    path = tmp_path / "dokumen.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    statements = []  # (sql, executemany, parameters, in a temporary-only transaction)

    def record(connection, cursor, statement, parameters, context, executemany):
        staging = connection.get_execution_options().get(LOCK_FREE, False)
        statements.append((statement.strip(), executemany, parameters, staging))

    event.listen(Engine, "before_cursor_execute", record)
    try:
        result = klambi("record", "import", str(path))
    finally:
        event.remove(Engine, "before_cursor_execute", record)
    assert result.code == 0 and "12 versi baru" in result.out, result

    reads = [staging for sql, _, _, staging in statements if sql.startswith("SELECT desa.kode, desa.kecamatan_kode")]
    assert reads and all(reads), reads  # the desa of the file, read in bulk
    many = [(sql.split("(")[0], staging) for sql, executemany, _, staging in statements if executemany]
    assert many and all(staging for _, staging in many), many
    written = [(sql, executemany, parameters) for sql, executemany, parameters, staging in statements
               if not staging and sql.startswith(("INSERT INTO obligation ", "INSERT INTO submission ",
                                                   "INSERT INTO audit_log "))]  # fmt: skip
    assert [sql.split(" (")[0] for sql, _, _ in written] == [
        "INSERT INTO obligation", "INSERT INTO submission", "INSERT INTO audit_log",
    ]  # fmt: skip
    for sql, executemany, parameters in written:
        assert "SELECT" in sql and "FROM import_" in sql and not executemany and len(parameters or ()) <= 3, sql
    if database_url.startswith("sqlite"):
        begins = {(sql, staging) for sql, _, _, staging in statements if sql.startswith("BEGIN")}
        assert begins == {("BEGIN", True), ("BEGIN IMMEDIATE", False)}
    assert len(versions(database_url)) == 12


def test_record_import_semicolon_csv_from_excel(klambi, database_url, tmp_path):
    assert klambi("villages", "import", "--area", JATIROTO).code == 0
    path = tmp_path / "excel.csv"
    path.write_bytes(("\ufeffDesa;Doc;TA;Penetapan\n" + f"{DESA[0]};RKPDES;2025;2024-09-21\n").encode())
    result = klambi("record", "import", str(path))
    assert result.code == 0 and "1 versi baru" in result.out, result


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("a.csv", "desa,doc,ta\n", "kolom penetapan tidak ada"),
        ("a.csv", HEADER + ",catatan\n", "kolom catatan tidak dikenal"),
        ("a.csv", "desa,doc,ta,penetapan,desa\n", "muncul dua kali"),
        ("a.csv", HEADER + "\n", "tidak ada baris yang diisi"),
        ("a.csv", HEADER + f"\n{DESA[0]},RKPDES,2025,,,,,\n", "tidak ada baris yang diisi"),
        ("a.txt", HEADER + "\n", "hanya berkas .csv atau .xlsx"),
        ("a.xlsx", "bukan xlsx", "bukan berkas XLSX"),
        ("latin1.csv", b"desa,doc,ta,penetapan\n35.08.17.2001,RKPDES,2025,2024-09-21,\xe9\n", "bukan teks UTF-8"),
        ("missing.csv", None, "tidak ditemukan"),
    ],
)
def test_record_import_bad_file(klambi, database_url, tmp_path, name, content, message):
    assert klambi("villages", "import", "--area", JATIROTO).code == 0
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    before = table_counts(database_url)
    result = klambi("record", "import", str(path))
    one_line_error(result)
    assert message in result.err
    assert table_counts(database_url) == before


def test_record_group_keeps_the_single_record_and_its_missing_options(klambi, database_url, tmp_path):
    assert klambi("villages", "import", "--area", JATIROTO).code == 0
    before = table_counts(database_url)
    missing = klambi("record")
    one_line_error(missing)
    assert "Opsi wajib belum diisi '--desa'" in missing.err
    partly = klambi("record", "--desa", DESA[0], "--doc", "RKPDES", "--ta", "2025")
    one_line_error(partly)
    assert "Opsi wajib belum diisi '--penetapan'" in partly.err
    mixed = klambi("record", "--desa", DESA[0], "import", str(tmp_path / "x.csv"))
    one_line_error(mixed)
    assert "--desa" in mixed.err and "record import" in mixed.err
    assert table_counts(database_url) == before
    assert klambi("record", "--desa", DESA[0], "--doc", "RKPDES", "--ta", "2025", "--penetapan", "2024-09-27").code == 0


# --- record template -------------------------------------------------------------------------------------------


def test_record_template_has_every_desa_and_can_be_filled_in_and_loaded(klambi, database_url, tmp_path):
    assert klambi("villages", "import", "--area", JATIROTO).code == 0
    path = tmp_path / "templat.xlsx"
    result = klambi("record", "template", "--kecamatan", JATIROTO, "--year", "2024", "-o", str(path))
    assert result.code == 0, result
    assert "18 baris (6 desa × 3 dokumen tahun kinerja 2024)" in result.out
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]

    workbook = load_workbook(path)
    assert workbook.sheetnames == ["Dokumen", "Petunjuk"]
    sheet = workbook["Dokumen"]
    assert [c.value for c in sheet[1]] == ["desa", "nama_desa", "doc", "ta", "penetapan", "diterima", "nomor",
                                           "status", "alasan"]  # fmt: skip
    rows = [[c.value for c in row[:4]] for row in sheet.iter_rows(min_row=2, max_row=19)]
    assert rows[:6] == [[k, n, "RKPDES", 2025] for k, n in zip(DESA, NAMES, strict=True)]
    assert {(r[2], r[3]) for r in rows} == {("RKPDES", 2025), ("APBDES", 2025), ("LPPDES", 2023)}
    assert sheet.freeze_panes == "A2"
    offered = [v.formula1 for v in sheet.data_validations.dataValidation if "C2" in str(v.sqref)]
    assert offered == ['"RKPDES,APBDES,LPPDES"']  # what README describes, no LRA_SEM1 or LPJ_APBDES
    assert sheet["E2"].number_format == "yyyy-mm-dd" and sheet["G2"].number_format == "@"
    assert sheet.column_dimensions["I"].width >= 30
    help_text = " ".join(str(c.value) for row in workbook["Petunjuk"].iter_rows() for c in row if c.value)
    assert "Tanggal penetapan" in help_text and "ditolak" in help_text

    unfilled = klambi("record", "import", str(path))
    one_line_error(unfilled)
    assert "tidak ada baris yang diisi" in unfilled.err

    sheet["E2"] = date(2024, 9, 21)  # RKPDes of Banyuputih Kidul
    sheet["E8"] = date(2024, 12, 20)  # APBDes of Banyuputih Kidul
    sheet["G8"] = "3/2024"
    workbook.save(path)
    loaded = klambi("record", "import", str(path))
    assert loaded.code == 0 and "2 versi baru" in loaded.out and "16 baris belum diisi dilewati" in loaded.out
    assert [(r.desa_kode, r.document_code, r.nomor) for r in versions(database_url)] == [
        (DESA[0], "APBDES", "3/2024"), (DESA[0], "RKPDES", None),
    ]  # fmt: skip


def test_record_template_bad_input(klambi, tmp_path):
    assert klambi("villages", "import", "--area", JATIROTO).code == 0
    path = tmp_path / "templat.xlsx"
    path.write_bytes(b"my filled-in work")
    one_line_error(klambi("record", "template", "--kecamatan", JATIROTO, "-o", str(path)))
    assert path.read_bytes() == b"my filled-in work"
    assert klambi("record", "template", "--kecamatan", JATIROTO, "-o", str(path), "--force").code == 0
    assert load_workbook(path).sheetnames[0] == "Dokumen"
    assert "2025" in klambi("record", "template", "--kecamatan", JATIROTO, "-o", str(tmp_path / "b.xlsx")).out
    one_line_error(klambi("record", "template", "--kecamatan", JATIROTO, "-o", str(tmp_path / "t.csv")))
    one_line_error(klambi("record", "template", "--kecamatan", JATIROTO, "-o", str(tmp_path / "no" / "t.xlsx")))
    one_line_error(klambi("record", "template", "--kecamatan", "35.08.99", "-o", str(tmp_path / "c.xlsx")))
    assert klambi("villages", "import", "--area", "35.02.17").code == 0  # only kelurahan
    one_line_error(klambi("record", "template", "--kecamatan", "35.02.17", "-o", str(tmp_path / "d.xlsx")))


# --- files export ----------------------------------------------------------------------------------------------


def pdf(tmp_path, name: str) -> str:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(minimal_pdf(f" {name}".encode()))
    return str(path)


def test_files_export_packs_the_deciding_accepted_versions_with_an_index(klambi, database_url, tmp_path):
    assert klambi("villages", "import", "--area", JATIROTO).code == 0
    rkpdes = ("--doc", "RKPDES", "--ta", "2025")
    scans = {name: pdf(tmp_path, name) for name in ("a1", "b-rejected", "b2", "c1", "c2", "e-late")}
    assert klambi("record", "--desa", DESA[0], *rkpdes, "--penetapan", "2024-09-21", "--diterima", "2024-09-27",
                  "--nomor", "1|2024", "--file", scans["a1"]).code == 0  # fmt: skip
    assert klambi("record", "--desa", DESA[1], *rkpdes, "--penetapan", "2024-09-22", "--file", scans["b-rejected"],
                  "--status", "ditolak", "--alasan", "Tanda tangan kurang").code == 0  # fmt: skip
    assert klambi("record", "--desa", DESA[1], *rkpdes, "--penetapan", "2024-09-22", "--diterima", "2024-10-02",
                  "--file", scans["b2"]).code == 0  # fmt: skip
    assert klambi("record", "--desa", DESA[2], *rkpdes, "--penetapan", "2024-09-23", "--file", scans["c1"]).code == 0
    # a second accepted version of Kaliboto Kidul: the first one decides
    assert klambi("record", "--desa", DESA[2], *rkpdes, "--penetapan", "2024-09-23", "--diterima", "2024-09-25",
                  "--file", scans["c2"]).code == 0  # fmt: skip
    assert klambi("record", "--desa", DESA[3], *rkpdes, "--penetapan", "2024-09-24").code == 0  # paper, no file
    assert (
        klambi("record", "--desa", DESA[4], *rkpdes, "--penetapan", "2024-10-03", "--file", scans["e-late"]).code == 0
    )
    assert klambi("record", "--desa", DESA[5], *rkpdes, "--penetapan", "2024-09-25", "--status", "menunggu").code == 0

    out = tmp_path / "bukti.zip"
    result = klambi("files", "export", "--kecamatan", JATIROTO, "--year", "2024", "-o", str(out))
    assert result.code == 0, result
    assert "5 dokumen diterima dari 18 kewajiban" in result.out and "(4 berkas, 1 tanpa berkas)" in result.out
    assert "RKPDes TA 2025: Jatiroto" in result.out
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]

    with zipfile.ZipFile(out) as archive:
        names = sorted(archive.namelist())
        expected = {
            f"{DESA[0]} Banyuputih Kidul/RKPDES_TA2025_v1_1.pdf": "a1",
            f"{DESA[1]} Rojopolo/RKPDES_TA2025_v2_1.pdf": "b2",
            f"{DESA[2]} Kaliboto Kidul/RKPDES_TA2025_v1_1.pdf": "c1",
            f"{DESA[4]} Sukosari/RKPDES_TA2025_v1_1.pdf": "e-late",
        }
        assert names == sorted([*expected, "index.csv", "index.md"])
        for name, scan in expected.items():
            assert archive.read(name) == open(scans[scan], "rb").read()  # noqa: SIM115
        index = list(csv.DictReader(io.StringIO(archive.read("index.csv").decode("utf-8-sig"))))
        markdown = archive.read("index.md").decode()

    assert list(index[0]) == ["desa", "nama_desa", "dokumen", "ta", "versi", "tanggal_penetapan", "nomor",
                              "tanggal_diterima", "status", "berkas", "sha256"]  # fmt: skip
    rows = {r["desa"]: r for r in index}
    assert set(rows) == {DESA[0], DESA[1], DESA[2], DESA[3], DESA[4]}
    assert rows[DESA[0]] == {
        "desa": DESA[0], "nama_desa": "Banyuputih Kidul", "dokumen": "RKPDES", "ta": "2025", "versi": "1",
        "tanggal_penetapan": "2024-09-21", "nomor": "1|2024", "tanggal_diterima": "2024-09-27",
        "status": "tepat_waktu", "berkas": f"{DESA[0]} Banyuputih Kidul/RKPDES_TA2025_v1_1.pdf",
        "sha256": hashlib.sha256(open(scans["a1"], "rb").read()).hexdigest(),  # noqa: SIM115
    }  # fmt: skip
    assert (rows[DESA[1]]["versi"], rows[DESA[1]]["tanggal_diterima"]) == ("2", "2024-10-02")
    assert (rows[DESA[3]]["berkas"], rows[DESA[3]]["sha256"]) == ("(tanpa berkas)", "")
    assert rows[DESA[4]]["status"] == "terlambat"
    assert "# Dokumen bukti dukung — Kecamatan Jatiroto (35.08.17), tahun kinerja 2024" in markdown
    assert "| Kaliboto Lor (35.08.17.2004) | RKPDES | 2025 | 1 | 24 September 2024 |" in markdown
    assert "(tanpa berkas)" in markdown and "| terlambat |" in markdown and "1\\|2024" in markdown
    assert "- Jatiroto (35.08.17.2006): RKPDes TA 2025 — menunggu verifikasi" in markdown

    again = klambi("files", "export", "--kecamatan", JATIROTO, "--year", "2024", "-o", str(out))
    one_line_error(again)
    assert "sudah ada" in again.err
    first = out.read_bytes()
    assert klambi("files", "export", "--kecamatan", JATIROTO, "--year", "2024", "-o", str(out), "--force").code == 0
    assert out.read_bytes() == first  # the same facts, the same archive


def test_files_export_marks_a_stored_file_that_is_gone(klambi, database_url, tmp_path):
    assert klambi("villages", "import", "--area", JATIROTO).code == 0
    assert klambi("record", "--desa", DESA[0], "--doc", "RKPDES", "--ta", "2025", "--penetapan", "2024-09-21",
                  "--file", pdf(tmp_path, "scan")).code == 0  # fmt: skip
    for stored in (tmp_path / "files" / "files").rglob("*"):
        if stored.is_file():
            stored.unlink()
    out = tmp_path / "bukti.zip"
    result = klambi("files", "export", "--kecamatan", JATIROTO, "--year", "2024", "-o", str(out))
    assert result.code == 0 and "tidak ada di penyimpanan" in result.err, result
    with zipfile.ZipFile(out) as archive:
        assert archive.namelist() == ["index.csv", "index.md"]
        assert "(berkas hilang)" in archive.read("index.csv").decode("utf-8-sig")


def test_files_export_bad_input(klambi, tmp_path):
    assert klambi("villages", "import", "--area", JATIROTO).code == 0
    one_line_error(
        klambi("files", "export", "--kecamatan", "35.08.99", "--year", "2024", "-o", str(tmp_path / "a.zip"))
    )
    one_line_error(klambi("files", "export", "--kecamatan", JATIROTO, "--year", "2030", "-o", str(tmp_path / "a.zip")))
    one_line_error(
        klambi("files", "export", "--kecamatan", JATIROTO, "--year", "2024", "-o", str(tmp_path / "x/a.zip"))
    )
    assert not (tmp_path / "a.zip").exists()
    named = klambi("files", "export", "--kecamatan", JATIROTO, "--year", "2024", "-o", str(tmp_path / "bukti.txt"))
    one_line_error(named)  # a zip is not written under another name
    assert ".zip" in named.err and not (tmp_path / "bukti.txt").exists()


# --- people ----------------------------------------------------------------------------------------------------


def test_person_list_and_revoke(klambi, database_url):
    assert klambi("villages", "import", "--area", JATIROTO, now=AUGUST).code == 0
    assert klambi("villages", "import", "--area", "35.08.16", now=AUGUST).code == 0
    sekdes = register(database_url, "sekdes", DESA[0], 301, "Sekdes Banyuputih")
    register(database_url, "pendamping", DESA[0], 302, "Pendamping Banyuputih")
    staf = register(database_url, "staf", JATIROTO, 303, "Staf Jatiroto")
    register(database_url, "sekdes", "35.08.16.2001", 304, "Sekdes Tetangga")
    register(database_url, "admin", None, 305, "Admin Kabupaten")
    from bot.services.people import create_invitation, redeem_invitation

    async def second_role(session):  # the staf also stands in as sekdes of Rojopolo
        invitation = await create_invitation(session, Role.SEKDES, DESA[1], AUGUST)
        await redeem_invitation(session, invitation.code, Sender("telegram", "303", "303", "Staf Jatiroto"), AUGUST)

    run_in_session(database_url, second_role)
    blocked = (
        update(Contact).where(Contact.person_id == sekdes).values(unreachable_since=datetime(2024, 8, 1, 2, tzinfo=WIB))
    )
    run_in_session(database_url, lambda s: s.execute(blocked))

    data = klambi("person", "list", "--kecamatan", JATIROTO, "--format", "json", now=AUGUST).json()
    assert data["kecamatan"] == {"kode": JATIROTO, "nama": "Jatiroto"}
    assert [p["name"] for p in data["people"]] == ["Sekdes Banyuputih", "Pendamping Banyuputih", "Staf Jatiroto"]
    first = data["people"][0]
    assert first == {
        "id": sekdes, "name": "Sekdes Banyuputih", "telegram_linked": True,
        "unreachable_since": "2024-08-01T02:00:00+07:00",
        "roles": [{"role": "sekdes", "scope": {"kind": "desa", "kode": DESA[0], "nama": "Banyuputih Kidul"},
                   "granted_at": "2024-08-01T09:00:00+07:00"}],
    }  # fmt: skip
    assert [(r["role"], r["scope"]["kode"]) for r in data["people"][2]["roles"]] == [
        ("staf", JATIROTO), ("sekdes", DESA[1]),
    ]  # fmt: skip
    everyone = klambi("person", "list", "--format", "json", now=AUGUST).json()
    assert len(everyone["people"]) == 5 and everyone["kecamatan"] is None
    assert everyone["people"][4]["roles"][0]["scope"] == {"kind": "deployment", "kode": None, "nama": None}
    table = klambi("person", "list", "--kecamatan", JATIROTO, now=AUGUST)
    assert table.code == 0 and "Sekretaris Desa" in table.out and "Desa Banyuputih Kidul (35.08.17.2001)" in table.out
    assert "sejak 1 Agustus 2024" in table.out and "Kecamatan Jatiroto (35.08.17)" in table.out

    def planned_for(person_id, notices=False):
        return query(database_url, select(OutboxMessage.role, OutboxMessage.details).where(
            OutboxMessage.person_id == person_id, OutboxMessage.status == OutboxStatus.PLANNED,
            (OutboxMessage.subject_type == "notice") == notices))  # fmt: skip

    plan(database_url)  # the invitations were redeemed here, not in the chat: plan as the bot would
    assert planned_for(staf)
    result = klambi("person", "revoke", "--person", str(staf), "--role", "sekdes", "--desa", DESA[1], now=AUGUST)
    assert result.code == 0, result
    assert "Dicabut dari Staf Jatiroto" in result.out and "Sekretaris Desa, Desa Rojopolo (35.08.17.2002)" in result.out
    roles = query(database_url, select(RoleAssignment.role, RoleAssignment.revoked_at)
                  .where(RoleAssignment.person_id == staf).order_by(RoleAssignment.id))  # fmt: skip
    assert [(r.value, revoked is not None) for r, revoked in roles] == [("staf", False), ("sekdes", True)]
    assert {r for r, _ in planned_for(staf)} == {"staf"}  # re-planned: no more sekdes reminders for them
    [(_, told)] = planned_for(staf, notices=True)
    assert "Sekretaris Desa Desa Rojopolo" in told["text"] and "dicabut" in told["text"]
    assert "Staf Jatiroto diberi tahu lewat bot." in result.out

    everything = klambi("person", "revoke", "--person", str(staf), now=AUGUST)
    assert everything.code == 0 and "Staf Kecamatan, Kecamatan Jatiroto (35.08.17)" in everything.out
    assert planned_for(staf) == [] and len(planned_for(staf, notices=True)) == 2
    listed = klambi("person", "list", "--kecamatan", JATIROTO, "--format", "json", now=AUGUST).json()
    assert [p["name"] for p in listed["people"]] == ["Sekdes Banyuputih", "Pendamping Banyuputih"]


def test_revoke_assignment_is_the_whole_use_case(klambi, database_url):
    """`/cabut` and `klambi person revoke` share one use-case: the role goes, the kecamatan is planned again in the
    same transaction, the person is told on the outbox, and the audit names who did it through what."""
    from bot.config import RemindersSettings
    from bot.services.people import active_grants, revoke_assignment

    assert klambi("villages", "import", "--area", JATIROTO, now=AUGUST).code == 0
    sekdes = register(database_url, "sekdes", DESA[4], 501, "Sekdes Sukosari")
    staf = register(database_url, "staf", JATIROTO, 502, "Staf Jatiroto")
    plan(database_url)
    reminders = query(database_url, select(OutboxMessage.id).where(
        OutboxMessage.person_id == sekdes, OutboxMessage.status == OutboxStatus.PLANNED))  # fmt: skip
    assert reminders
    [(assignment,)] = query(database_url, select(RoleAssignment.id).where(RoleAssignment.person_id == sekdes))

    async def cabut(session):
        grants = await active_grants(session, staf)
        return await revoke_assignment(
            session, assignment_id=assignment, actor=Actor(staf, "telegram"), now=AUGUST,
            reminders=RemindersSettings(), language="id", revoker_grants=grants,
        )  # fmt: skip

    done = run_in_session(database_url, cabut)
    assert [g.role for g in done.revoked] == [Role.SEKDES] and done.told == 1
    outbox = query(database_url, select(OutboxMessage.subject_type, OutboxMessage.subject_id, OutboxMessage.status,
                                        OutboxMessage.details).where(OutboxMessage.person_id == sekdes))  # fmt: skip
    assert {status for kind, _, status, _ in outbox if kind != "notice"} == {OutboxStatus.CANCELLED}  # re-planned
    [(key, details)] = [(key, details) for kind, key, _, details in outbox if kind == "notice"]
    assert key == f"revoke:{assignment}" and "Sekretaris Desa Desa Sukosari" in details["text"]
    [(actor_id, label, revoked_by)] = query(database_url, select(
        AuditEntry.actor_id, AuditEntry.actor_label, RoleAssignment.revoked_by_id
    ).join(RoleAssignment, RoleAssignment.id == assignment).where(AuditEntry.action == "role.revoke"))  # fmt: skip
    assert (actor_id, label, revoked_by) == (staf, "telegram", staf)
    with pytest.raises(InputError) as again:  # a second press finds nothing to revoke
        run_in_session(database_url, cabut)
    assert again.value.key == "error.unknown_assignment"


def test_person_revoke_tells_each_revocation_even_on_the_same_day(klambi, database_url):
    """Revoked, invited again and revoked again the same day: told twice (the notice's key names the assignment)."""
    assert klambi("villages", "import", "--area", JATIROTO, now=AUGUST).code == 0
    sekdes = register(database_url, "sekdes", DESA[4], 601, "Sekdes Sukosari")
    for _ in range(2):
        result = klambi("person", "revoke", "--person", str(sekdes), now=AUGUST)
        assert result.code == 0 and "Sekdes Sukosari diberi tahu lewat bot." in result.out, result
        register(database_url, "sekdes", DESA[4], 601, "Sekdes Sukosari")
    notices = query(database_url, select(OutboxMessage.subject_id).where(
        OutboxMessage.person_id == sekdes, OutboxMessage.subject_type == "notice"))  # fmt: skip
    assert len(notices) == 2
    [(label,)] = set(query(database_url, select(AuditEntry.actor_label).where(AuditEntry.action == "role.revoke")))
    assert label == "cli"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--person", "abc"], "bukan id orang"),
        (["--person", "999"], "tidak ada"),
        (["--person", "PERSON", "--role", "camat"], "tidak memegang peran itu"),
        (["--person", "PERSON", "--desa", DESA[1]], "tidak memegang peran itu"),
        (["--person", "PERSON", "--desa", JATIROTO], "bukan kode desa"),
        (["--person", "PERSON", "--kecamatan", DESA[0]], "bukan kode kecamatan"),
        (["--person", "PERSON", "--desa", DESA[0], "--kecamatan", JATIROTO], "satu tempat saja"),
        (["--person", "PERSON", "--role", "lurah"], "lurah"),
    ],
)
def test_person_revoke_bad_input(klambi, database_url, args, message):
    assert klambi("villages", "import", "--area", JATIROTO).code == 0
    person = register(database_url, "sekdes", DESA[0], 401, "Sekdes Banyuputih")
    before = table_counts(database_url)
    result = klambi("person", "revoke", *[str(person) if a == "PERSON" else a for a in args])
    one_line_error(result)
    assert message in result.err
    assert table_counts(database_url) == before


def test_person_list_bad_kecamatan(klambi):
    assert klambi("villages", "import", "--area", JATIROTO).code == 0
    one_line_error(klambi("person", "list", "--kecamatan", "35.08.99"))
    assert "Belum ada orang" in klambi("person", "list").out


def test_extension_rows_are_what_deadlines_list_reads(database_url, klambi):
    """The `extension` table is the source: one row per dispensasi, in the order granted."""
    assert klambi("villages", "import", "--area", JATIROTO, now=AUGUST).code == 0
    obligation = obligation_id(database_url, DESA[0], "RKPDES", 2025)
    extend(database_url, obligation, date(2024, 10, 7), "Pertama")
    extend(database_url, obligation, date(2024, 10, 14), "Kedua", now=datetime(2024, 8, 2, 9, tzinfo=WIB))
    assert len(query(database_url, select(Extension.id))) == 2
    data = klambi("deadlines", "list", "--kecamatan", JATIROTO, "--year", "2024", "--format", "json", now=AUGUST).json()
    first = data["documents"][0]["desa"][0]
    assert first["agreed_date"] == "2024-10-14"
    given = [
        (e["previous_agreed_date"], e["new_agreed_date"], e["reason"], e["granted_by"]) for e in first["extensions"]
    ]
    assert given == [
        ("2024-09-30", "2024-10-07", "Pertama", None), ("2024-10-07", "2024-10-14", "Kedua", None),
    ]  # fmt: skip
