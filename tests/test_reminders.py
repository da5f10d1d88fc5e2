"""Reminders and escalations: the schedule rules, the preview, and the outbox swept against the sandbox."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time, timedelta

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.app import App
from bot.sandbox.telegram import FloodControl
from models.calendar import WorkingCalendar
from models.reminders import DEFAULT_OFFSETS, reminder_days
from models.tables import Contact, Kecamatan, Obligation, OutboxMessage, OutboxStatus, Role
from scheduler.planner import plan_everywhere
from scheduler.sweep import claim, sweep
from tests.conftest import WIB
from tests.world import JATIROTO, ROJOPOLO, SUKOSARI, World, matrix_grid, send_rkpdes

CALENDAR = WorkingCalendar()


# --- the rules -------------------------------------------------------------------------------------------------


def test_domain_example_lppdes_due_on_idul_fitri():
    """LPPDes TA 2024 is due Monday 31 March 2025 (Idul Fitri); 28 March is cuti bersama, 29-30 March a weekend."""
    days = {d.day: d.kind for d in reminder_days(date(2025, 3, 31), DEFAULT_OFFSETS, CALENDAR)}
    assert days == {
        date(2025, 2, 28): "H-30",  # 1 March is a Saturday
        date(2025, 3, 17): "H-14",
        date(2025, 3, 24): "H-7",
        date(2025, 3, 27): "H",  # H-3 (cuti bersama), H-1 (Sunday) and H (Idul Fitri) become one
        date(2025, 4, 8): "H+1",  # H+1, H+3, H+7 all fall in the Lebaran holidays
    }


def test_an_admin_holiday_moves_the_reminder():
    moved = WorkingCalendar.with_overrides(days_off=[(date(2024, 9, 27), "Libur daerah")])
    before = {d.kind: d.day for d in reminder_days(date(2024, 9, 30), DEFAULT_OFFSETS, CALENDAR)}
    after = {d.kind: d.day for d in reminder_days(date(2024, 9, 30), DEFAULT_OFFSETS, moved)}
    assert before["H-1"] == date(2024, 9, 27) and after["H-1"] == date(2024, 9, 26)


@given(st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31)))
def test_reminders_fall_on_working_days_on_the_right_side_of_the_date(agreed):
    days = reminder_days(agreed, DEFAULT_OFFSETS, CALENDAR)
    assert len({d.day for d in days}) == len(days)  # one reminder a day at most
    for d in days:
        assert CALENDAR.is_working_day(d.day)
        assert (d.day > agreed) if d.after_date else (d.day <= agreed)


# --- the preview -----------------------------------------------------------------------------------------------


def test_a_year_of_preview_for_jatiroto(klambi):
    assert klambi("villages", "import", "--area", JATIROTO, now=datetime(2024, 6, 1, 9, tzinfo=WIB)).code == 0
    assert klambi("forum", "--kecamatan", JATIROTO, "--chat", "-1001234567890").code == 0
    result = klambi("reminders", "preview", "--kecamatan", JATIROTO, "--from", "2024-07-01", "--to", "2025-06-30",
                    "--format", "json")  # fmt: skip
    assert result.code == 0, result
    rows = result.json()
    assert rows, "a year without reminders"
    for row in rows:
        moment = datetime.fromisoformat(row["send_at"])
        assert moment.utcoffset() == timedelta(hours=7) and moment.time() == time(8, 0)
        assert CALENDAR.is_working_day(moment.date()), row
    kinds = {(r["recipient_role"], r["kind"]) for r in rows}
    assert {("sekdes", "H-7"), ("pendamping", "H"), ("sekdes", "H+7"), ("staf", "digest"), ("camat", "camat"),
            ("forum", "recap")} <= kinds  # fmt: skip
    rkpdes_sukosari = [
        r for r in rows if r["desa"] == SUKOSARI and r["document"] == "RKPDES" and r["tahun_anggaran"] == 2025
    ]
    assert [(r["send_at"][:10], r["kind"]) for r in rkpdes_sukosari if r["recipient_role"] == "sekdes"] == [
        ("2024-08-30", "H-30"), ("2024-09-13", "H-14"), ("2024-09-23", "H-7"), ("2024-09-27", "H-1"),
        ("2024-09-30", "H"), ("2024-10-01", "H+1"), ("2024-10-03", "H+3"), ("2024-10-07", "H+7"),
    ]  # fmt: skip
    lppdes = [
        r for r in rows if r["desa"] == SUKOSARI and r["document"] == "LPPDES" and r["recipient_role"] == "sekdes"
    ]
    assert ("2025-03-27T08:00:00+07:00", "H") in [(r["send_at"], r["kind"]) for r in lppdes]
    camat = [r for r in rows if r["recipient_role"] == "camat"]
    assert [(r["send_at"][:10], r["document"]) for r in camat] == [
        ("2024-10-01", "RKPDES"), ("2025-01-02", "APBDES"), ("2025-04-08", "LPPDES"),
    ]  # fmt: skip
    recaps = [datetime.fromisoformat(r["send_at"]).date() for r in rows if r["recipient_role"] == "forum"]
    assert all(d.weekday() == 0 or not CALENDAR.is_working_day(d - timedelta(days=d.weekday())) for d in recaps)
    assert date(2025, 4, 8) in recaps  # Monday 7 April 2025 is cuti bersama: the recap waits for Tuesday
    table = klambi("reminders", "preview", "--kecamatan", JATIROTO, "--from", "2024-09-23", "--to", "2024-09-23")
    assert table.code == 0 and "23 September 2024 08.00" in table.out
    # people read the table: kinds and recipients in Indonesian, desa by name, documents as they are written
    lines = table.out.splitlines()
    assert any("Staf Kecamatan" in line and "ringkasan pagi" in line for line in lines), table.out
    assert any("grup forum" in line and "rekap mingguan" in line for line in lines), table.out
    assert any(
        "Sekretaris Desa" in line
        and f"Sukosari ({SUKOSARI})" in line
        and "RKPDes TA 2025" in line
        and "pengingat H-7" in line
        for line in lines
    ), table.out
    assert not {"digest", "recap", "sekdes", "RKPDES"} & set(table.out.split())


def test_preview_bad_input(klambi):
    assert klambi("villages", "import", "--area", JATIROTO).code == 0
    for args, message in (
        (["--from", "2025-02-01", "--to", "2025-01-01"], "sesudah"),
        (["--from", "1/2/25", "--to", "2025-03-01"], "bukan tanggal"),  # 1/2/2025 is a date, as in the chat
    ):
        result = klambi("reminders", "preview", "--kecamatan", JATIROTO, *args)
        assert result.code == 2 and message in result.err


# --- the outbox, swept against the sandbox ---------------------------------------------------------------------


async def outbox(world: World, *statuses: OutboxStatus) -> list[OutboxMessage]:
    async with world.app.sessions() as session:
        query = select(OutboxMessage).order_by(OutboxMessage.send_at, OutboxMessage.id)
        if statuses:
            query = query.where(OutboxMessage.status.in_(statuses))
        return list(await session.scalars(query))


async def at(world: World, moment: datetime) -> None:
    world.clock.set(moment)


async def test_reminders_reach_the_secretary_with_a_button_and_the_staf_get_a_digest(world):
    world.clock.set(datetime(2024, 9, 20, 9, 0, tzinfo=WIB))
    sekdes = await world.join(101, "Siti", Role.SEKDES, ROJOPOLO, "Sekdes Rojopolo")
    staf = await world.join(201, "Kasi Pem", Role.STAF, JATIROTO, "Kasi Pemerintahan")
    assert await outbox(world, OutboxStatus.PLANNED)  # planned when they joined
    await at(world, datetime(2024, 9, 23, 8, 0, tzinfo=WIB))
    result = await sweep(world.app, world.transports)
    assert result.sent >= 2
    reminder = await sekdes.expect("Pengingat H-7: RKPDes TA 2025 Desa Rojopolo")
    assert "Batas kesepakatan: 30 September 2024 — tinggal 7 hari" in reminder.text
    digest = await staf.expect("Ringkasan pagi Kecamatan Jatiroto, 23 September 2024")
    assert "Rojopolo — RKPDes TA 2025 (tinggal 7 hari)" in digest.text
    assert (
        "Desa tanpa sekdes terdaftar di bot: Banyuputih Kidul, Kaliboto Kidul, Kaliboto Lor, Sukosari, Jatiroto"
        in digest.text
    )
    assert "https://wa.me/?text=" in digest.text
    again = await sweep(world.app, world.transports)
    assert again.sent == 0  # nothing twice
    await sekdes.press("📤 Kirim dokumen")
    await sekdes.expect("Kirim berkas RKPDes TA 2025 Desa Rojopolo")


async def test_a_submission_cancels_what_is_pending_and_a_rejection_brings_it_back(world):
    sekdes = await world.join(101, "Siti", Role.SEKDES, ROJOPOLO, "Sekdes Rojopolo")  # 27 September 2024
    staf = await world.join(201, "Kasi Pem", Role.STAF, JATIROTO, "Kasi Pemerintahan")
    rkpdes = str(await world.obligation_id(ROJOPOLO, "RKPDES", 2025))
    planned = [r for r in await outbox(world, OutboxStatus.PLANNED) if r.subject_id == rkpdes]
    assert {r.kind for r in planned} == {"H", "H+1", "H+3", "H+7"}
    await send_rkpdes(world, sekdes)
    await world.sandbox.settle()
    assert [r for r in await outbox(world, OutboxStatus.PLANNED) if r.subject_id == rkpdes] == []
    await staf.expect("Dokumen masuk")
    await staf.press("❌ Tolak")
    await staf.expect("Tulis alasan")
    await staf.send_text("Tanda tangan kurang")
    await sekdes.expect("ditolak")
    await world.sandbox.settle()
    back = [r for r in await outbox(world, OutboxStatus.PLANNED) if r.subject_id == rkpdes]
    assert {r.kind for r in back} == {"H", "H+1", "H+3", "H+7"}
    await at(world, datetime(2024, 9, 30, 8, 0, tzinfo=WIB))
    await sweep(world.app, world.transports)
    reminder = await sekdes.expect("Pengingat H: RKPDes TA 2025")
    assert "Versi sebelumnya ditolak (Tanda tangan kurang)" in reminder.text


async def test_reminders_checked_again_at_sending_time(world):
    sekdes = await world.join(101, "Siti", Role.SEKDES, ROJOPOLO, "Sekdes Rojopolo")
    rkpdes = await world.obligation_id(ROJOPOLO, "RKPDES", 2025)
    await world.stack.aclose()  # the bot is down: a paper copy is recorded meanwhile
    from bot.services.records import RecordRequest, record_document

    async with world.app.sessions() as session, session.begin():
        await record_document(
            session, RecordRequest(ROJOPOLO, "RKPDES", 2025, date(2024, 9, 26)), world.clock.now(), world.app.files
        )
    from contextlib import AsyncExitStack

    world.stack = AsyncExitStack()
    await world.start_bot()
    await at(world, datetime(2024, 9, 30, 8, 0, tzinfo=WIB))
    result = await sweep(world.app, world.transports)
    assert result.cancelled >= 1
    rows = [r for r in await outbox(world) if r.subject_id == str(rkpdes) and r.kind == "H"]
    assert [r.status for r in rows] == [OutboxStatus.CANCELLED]
    assert not any("RKPDes TA 2025" in m.text for m in sekdes.messages if "Pengingat" in m.text)


async def test_after_downtime_only_the_latest_reminder_goes_out(world):
    world.clock.set(datetime(2024, 9, 20, 9, 0, tzinfo=WIB))
    sekdes = await world.join(101, "Siti", Role.SEKDES, ROJOPOLO, "Sekdes Rojopolo")
    await at(world, datetime(2024, 10, 2, 9, 0, tzinfo=WIB))  # down from 20 September to 2 October
    result = await sweep(world.app, world.transports)
    rkpdes = str(await world.obligation_id(ROJOPOLO, "RKPDES", 2025))
    statuses = {
        r.kind: r.status for r in await outbox(world) if r.subject_id == rkpdes and r.send_at <= world.clock.now()
    }
    assert statuses == {"H-7": OutboxStatus.SUPERSEDED, "H-1": OutboxStatus.SUPERSEDED, "H": OutboxStatus.SUPERSEDED,
                        "H+1": OutboxStatus.SENT}  # fmt: skip
    assert result.superseded >= 3
    reminders = [m for m in sekdes.messages if "Pengingat" in m.text and "RKPDes TA 2025" in m.text]
    assert len(reminders) == 1 and "lewat 2 hari" in reminders[0].text


async def test_a_crash_in_the_middle_of_a_sweep_sends_each_once(world):
    world.clock.set(datetime(2024, 9, 20, 9, 0, tzinfo=WIB))
    sekdes = await world.join(101, "Siti", Role.SEKDES, ROJOPOLO, "Sekdes Rojopolo")
    await world.join(102, "Dewi", Role.PENDAMPING, ROJOPOLO, "Pendamping Rojopolo")
    await at(world, datetime(2024, 9, 23, 8, 0, tzinfo=WIB))
    claimed = await claim(world.app, "worker-that-dies", world.clock.now())  # claimed, then killed before sending
    assert claimed
    assert (await sweep(world.app, world.transports, "survivor")).sent == 0  # not someone else's yet
    await at(world, datetime(2024, 9, 23, 8, 11, tzinfo=WIB))  # the claim goes stale after 10 minutes
    result = await sweep(world.app, world.transports, "survivor")
    assert result.sent == len(claimed)
    assert len([m for m in sekdes.messages if "Pengingat H-7" in m.text]) == 1
    assert (await sweep(world.app, world.transports, "survivor")).sent == 0


async def test_a_person_who_blocked_the_bot_is_marked_and_staf_told_once(world):
    world.clock.set(datetime(2024, 9, 20, 9, 0, tzinfo=WIB))
    sekdes = await world.join(101, "Siti", Role.SEKDES, ROJOPOLO, "Sekdes Rojopolo")
    staf = await world.join(201, "Kasi Pem", Role.STAF, JATIROTO, "Kasi Pemerintahan")
    sekdes.blocked = True
    await at(world, datetime(2024, 9, 23, 8, 0, tzinfo=WIB))
    result = await sweep(world.app, world.transports)
    assert result.unreachable == 1
    await sweep(world.app, world.transports)  # the notice to staf goes out on the next sweep
    notice = await staf.expect("Siti (sekdes, Rojopolo) tidak bisa lagi dihubungi bot")
    assert notice
    [(unreachable_since,)] = await world.rows(select(Contact.unreachable_since).where(Contact.user_id == "101"))
    assert unreachable_since is not None
    async with world.app.sessions() as session, session.begin():
        await plan_everywhere(session, world.clock.now(), world.app.settings.reminders)
    planned_for_her = [r for r in await outbox(world, OutboxStatus.PLANNED) if r.person_id == 1]
    assert planned_for_her == []
    await at(world, datetime(2024, 9, 24, 8, 0, tzinfo=WIB))
    await sweep(world.app, world.transports)
    assert len([m for m in staf.messages if "tidak bisa lagi dihubungi" in m.text]) == 1
    digest = await staf.expect("Ringkasan pagi")
    assert "Rojopolo" in digest.text.split("Desa tanpa sekdes terdaftar di bot:")[1]


async def test_the_camat_hears_after_a_legal_deadline_and_the_forum_gets_a_recap(world):
    async with world.app.sessions() as session, session.begin():
        (await session.get(Kecamatan, JATIROTO)).forum_chat_id = -1001234567890
    forum = world.sandbox.group(-1001234567890, "Forum Sekdes Jatiroto")
    camat = await world.join(301, "Pak Camat", Role.CAMAT, JATIROTO, "Camat")
    await at(world, datetime(2024, 9, 30, 7, 0, tzinfo=WIB))
    async with world.app.sessions() as session, session.begin():
        await plan_everywhere(session, world.clock.now(), world.app.settings.reminders)
    await at(world, datetime(2024, 9, 30, 8, 0, tzinfo=WIB))  # Monday: the weekly recap
    await sweep(world.app, world.transports)
    recap = await forum.expect("Rekap mingguan")
    assert "▫️      ▫️      ⭕      Rojopolo" in matrix_grid(recap) and "Siti" not in recap.text
    await at(world, datetime(2024, 10, 1, 8, 0, tzinfo=WIB))  # the first working day after 30 September
    await sweep(world.app, world.transports)
    escalation = await camat.expect("Batas waktu RKPDes TA 2025 (30 September 2024) sudah lewat")
    assert "6 dari 6 desa belum diterima" in escalation.text


async def test_an_extension_moves_the_reminders_not_the_indicator(world):
    sekdes = await world.join(101, "Siti", Role.SEKDES, ROJOPOLO, "Sekdes Rojopolo")
    staf = await world.join(201, "Kasi Pem", Role.STAF, JATIROTO, "Kasi Pemerintahan")
    await staf.send_text("/perpanjang")
    await staf.expect("Perpanjangan untuk desa mana")
    await staf.press("Rojopolo")
    await staf.expect("Dokumen mana")
    await staf.press("RKPDes TA 2025 · 30 September 2024")
    await staf.expect("Batas kesepakatan baru")
    await staf.send_text("20/09/2024")
    await staf.expect("sudah lewat")
    await staf.send_text("14 Oktober 2024")
    await staf.expect("Alasannya")
    await staf.send_text("Kepala desa baru dilantik")
    done = await staf.expect("30 September 2024 → 14 Oktober 2024")
    assert "indikator tidak berubah" in done.text
    await sekdes.expect("kini paling lambat 14 Oktober 2024 (Kepala desa baru dilantik)")
    rkpdes = await world.obligation_id(ROJOPOLO, "RKPDES", 2025)
    [(agreed, legal)] = await world.rows(
        select(Obligation.agreed_date, Obligation.legal_deadline).where(Obligation.id == rkpdes)
    )
    assert (agreed, legal) == (date(2024, 10, 14), date(2024, 9, 30))
    kinds = {r.kind: r.for_date for r in await outbox(world, OutboxStatus.PLANNED) if r.subject_id == str(rkpdes)}
    assert kinds["H"] == date(2024, 10, 14) and kinds["H-7"] == date(2024, 10, 7)
    cancelled = [r for r in await outbox(world, OutboxStatus.CANCELLED) if r.subject_id == str(rkpdes)]
    assert {r.for_date for r in cancelled} >= {date(2024, 9, 30)}


async def test_sending_honours_429_and_loses_nothing(world):
    world.clock.set(datetime(2024, 9, 20, 9, 0, tzinfo=WIB))
    sekdes = await world.join(101, "Siti", Role.SEKDES, ROJOPOLO, "Sekdes Rojopolo")
    world.sandbox.flood_control = FloodControl(per_second=30, per_chat_per_second=1)
    await at(world, datetime(2025, 3, 27, 8, 0, tzinfo=WIB))  # several of her reminders are due at once
    async with world.app.sessions() as session, session.begin():
        await plan_everywhere(session, datetime(2025, 3, 26, 8, 0, tzinfo=WIB), world.app.settings.reminders)
    due = [r for r in await outbox(world, OutboxStatus.PLANNED) if r.send_at <= world.clock.now() and r.person_id]
    total = 0
    for _ in range(5):
        result = await sweep(world.app, world.transports)
        total += result.sent
        if not await outbox(world, OutboxStatus.PLANNED, OutboxStatus.SENDING):
            break
    assert world.sandbox.flood_429_count >= 1
    assert total >= 2
    sent = await outbox(world, OutboxStatus.SENT)
    assert len([m for m in sekdes.messages if "Pengingat" in m.text]) == len([r for r in sent if r.person_id == 1])
    assert len(due) >= 2


async def test_two_workers_send_each_reminder_once(world, settings):
    world.clock.set(datetime(2024, 9, 20, 9, 0, tzinfo=WIB))
    people = [
        await world.join(500 + i, f"Sekdes {i}", Role.SEKDES, f"35.08.17.200{i}", f"Sekdes {i}") for i in range(1, 7)
    ]
    await at(world, datetime(2024, 9, 23, 8, 0, tzinfo=WIB))
    due = [r for r in await outbox(world, OutboxStatus.PLANNED) if r.send_at <= world.clock.now()]
    second_app = App.create(world.app.settings, world.clock)
    try:
        first, second = await asyncio.gather(
            sweep(world.app, world.transports, "worker-1", limit=2),
            sweep(second_app, world.transports, "worker-2", limit=2),
        )
        rest = await sweep(world.app, world.transports, "worker-1")
    finally:
        await second_app.close()
    assert first.sent + second.sent + rest.sent == len(due)
    assert set(first.sent_ids).isdisjoint(second.sent_ids)
    for person in people:
        assert len([m for m in person.messages if "Pengingat H-7" in m.text]) == 1
    async with world.app.sessions() as session:
        assert (
            await session.scalar(
                select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == OutboxStatus.SENDING)
            )
            == 0
        )


async def test_the_bots_own_job_plans_and_sweeps_by_itself(world):
    """`klambi run` registers the sweep on PTB's JobQueue; here it runs with nobody calling `sweep`."""
    from contextlib import AsyncExitStack

    from bot.channels.telegram.application import running
    from tests.world import TOKEN

    world.clock.set(datetime(2024, 9, 20, 9, 0, tzinfo=WIB))
    sekdes = await world.join(101, "Siti", Role.SEKDES, ROJOPOLO, "Sekdes Rojopolo")
    await world.stack.aclose()
    world.clock.set(datetime(2024, 9, 23, 8, 0, tzinfo=WIB))
    world.stack = AsyncExitStack()
    world.bot = await world.stack.enter_async_context(running(world.app, TOKEN, jobs=True))
    reminder = await sekdes.expect("Pengingat H-7: RKPDes TA 2025 Desa Rojopolo", timeout=15)
    assert "tinggal 7 hari" in reminder.text


async def test_a_use_case_plans_its_kecamatan_itself(app, tmp_path):
    """Joining, an agreed date, an extension, a submission, a verdict and its undo each re-plan the kecamatan in
    their own transaction when given the reminder settings: the chat and the command line call the same use-case
    and cannot drift apart (docs/architecture.md)."""
    from bot.chat.messages import Sender
    from bot.services.audit import Actor
    from bot.services.calendar import load_calendar
    from bot.services.deadlines import grant_extension, set_agreed_dates
    from bot.services.people import active_grants, create_invitation, redeem_invitation
    from bot.services.places import import_area
    from bot.services.submissions import decide, submit_from_chat, undo_verdict
    from bot.storage import minimal_pdf

    at = datetime(2024, 11, 25, 9, 0, tzinfo=WIB)  # the APBDes (31 December) is inside the planning window
    reminders = app.settings.reminders
    async with app.sessions() as session, session.begin():
        await import_area(session, JATIROTO, at, [2024, 2025], await load_calendar(session))
        apbdes = await session.scalar(select(Obligation.id).where(
            Obligation.desa_kode == ROJOPOLO, Obligation.document_code == "APBDES",
            Obligation.tahun_anggaran == 2025))  # fmt: skip
        staf_code = (await create_invitation(session, Role.STAF, JATIROTO, at)).code
        sekdes_code = (await create_invitation(session, Role.SEKDES, ROJOPOLO, at)).code
    planned = (OutboxMessage.subject_type == "obligation") & (OutboxMessage.subject_id == str(apbdes))
    planned &= OutboxMessage.status == OutboxStatus.PLANNED

    async def reminders_of_apbdes() -> tuple[int, datetime | None]:
        async with app.sessions() as session:
            row = (await session.execute(select(func.count(), func.max(OutboxMessage.send_at)).where(planned))).one()
            return row[0], row[1]

    assert (await reminders_of_apbdes())[0] == 0
    async with app.sessions() as session, session.begin():
        staf = (await redeem_invitation(session, staf_code, Sender("telegram", "2", "2", "Staf"), at,
                                        reminders=reminders)).person  # fmt: skip
        siti = (await redeem_invitation(session, sekdes_code, Sender("telegram", "1", "1", "Siti"), at,
                                        reminders=reminders)).person  # fmt: skip
        staf_grants, siti_grants = await active_grants(session, staf.id), await active_grants(session, siti.id)
    joined, last = await reminders_of_apbdes()
    assert joined > 0  # planned by joining: no separate plan call

    async with app.sessions() as session, session.begin():
        await set_agreed_dates(session, JATIROTO, "APBDES", 2025, date(2024, 12, 10), at, reminders=reminders)
    _, earlier = await reminders_of_apbdes()
    assert earlier < last  # the kesepakatan brought them forward
    async with app.sessions() as session, session.begin():
        await grant_extension(session, staf, staf_grants, apbdes, date(2025, 1, 10), "musdes tertunda", at,
                              actor=Actor(staf.id, "telegram"), reminders=reminders)  # fmt: skip
    _, later = await reminders_of_apbdes()
    assert later > last  # the extension moved them past the legal deadline's

    pdf = tmp_path / "apbdes.pdf"
    pdf.write_bytes(minimal_pdf(b"APBDes Rojopolo"))
    stored = app.files.store(pdf, "application/pdf")
    file = {"sha256": stored.sha256, "stored_path": stored.relative_path, "mime_type": stored.mime_type,
            "size_bytes": stored.size_bytes, "original_name": "apbdes.pdf", "kind": "document"}  # fmt: skip
    async with app.sessions() as session, session.begin():
        receipt = await submit_from_chat(session, siti, siti_grants, apbdes, [file], date(2024, 11, 20), None, at,
                                         actor=Actor(siti.id, "telegram"), reminders=reminders)  # fmt: skip
    assert (await reminders_of_apbdes())[0] == 0  # waiting for the kecamatan: they stop
    async with app.sessions() as session, session.begin():
        await decide(session, staf, staf_grants, receipt.submission_id, False, "belum ditandatangani", at,
                     actor=Actor(staf.id, "telegram"), reminders=reminders)  # fmt: skip
    assert (await reminders_of_apbdes())[0] > 0  # rejected: they resume
    async with app.sessions() as session, session.begin():
        await undo_verdict(session, staf, staf_grants, receipt.submission_id, "salah tekan", at,
                           actor=Actor(staf.id, "telegram"), reminders=reminders)  # fmt: skip
    assert (await reminders_of_apbdes())[0] == 0  # waiting again
