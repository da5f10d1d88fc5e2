"""The WhatsApp adapter end to end: signed webhooks into the running bot, answers read back from the Graph sandbox,
on both databases (tests/wa_world.py)."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.i18n import t
from models.tables import InboxMessage
from tests.wa_world import VERIFY_TOKEN


async def test_the_handshake_answers_the_challenge_only_for_the_verify_token(wa_world):
    assert await wa_world.graph.verify(VERIFY_TOKEN, "c-1234") == (200, "c-1234")
    status, _ = await wa_world.graph.verify("not-the-token", "c-1234")
    assert status == 403


async def test_a_stranger_is_told_how_to_join(wa_world):
    stranger = wa_world.graph.person("6281299990000", "Orang Asing")
    await stranger.say("halo")
    await stranger.expect(t("chat.unknown_person")[:30])
    await wa_world.idle()
    assert await wa_world.rows(select(func.count()).select_from(InboxMessage)) == [(1,)]


def head(key: str, **values) -> str:
    import re

    return re.split(r"[{\n]", t(key), maxsplit=1)[0].strip()


async def test_a_secretary_on_whatsapp_sends_a_document_and_a_staf_on_telegram_accepts_it(wa_world):
    from models.status import ReviewStatus
    from models.tables import Contact, Role, Submission
    from tests.world import JATIROTO, ROJOPOLO

    staf = await wa_world.join_telegram(501, "Bu Kasi", Role.STAF, JATIROTO)
    siti = await wa_world.join_whatsapp("6281234567001", "Siti", Role.SEKDES, ROJOPOLO)

    await accept_a_document(wa_world, siti, staf, nomor="7 Tahun 2024")
    await staf.press(t("button.accept"))
    await staf.expect(head("verif.accepted_by"))
    await siti.expect(head("verif.to_sender_accepted"))

    assert await wa_world.rows(select(Submission.review_status, Submission.nomor)) == [
        (ReviewStatus.ACCEPTED, "7 Tahun 2024")
    ]
    [(phone,)] = await wa_world.rows(select(Contact.phone).where(Contact.channel == "whatsapp"))
    assert phone == "6281234567001"
    assert wa_world.graph.media_fetches  # the PDF came through the media endpoint
    assert set(wa_world.graph.read_marks) >= set(siti.inbound)  # blue ticks for every message


async def sweep_now(wa_world):
    from scheduler.sweep import sweep

    result = await sweep(wa_world.app, wa_world.runtime.transports, "test")
    await wa_world.idle()
    return result


async def plan(wa_world):
    from scheduler.planner import plan_everywhere

    async with wa_world.app.sessions() as session, session.begin():
        await plan_everywhere(session, wa_world.clock.now(), wa_world.app.settings.reminders)


async def test_a_reminder_goes_as_itself_inside_the_window_and_as_its_template_outside(wa_world):
    from datetime import datetime

    from models.tables import OutboxMessage, Role
    from tests.conftest import WIB
    from tests.world import JATIROTO, ROJOPOLO

    staf = await wa_world.join_telegram(501, "Bu Kasi", Role.STAF, JATIROTO)
    siti = await wa_world.join_whatsapp("6281234567002", "Siti", Role.SEKDES, ROJOPOLO)
    await plan(wa_world)
    wa_world.clock.set(datetime(2024, 9, 30, 7, 0, tzinfo=WIB))
    await siti.say("status")  # Monday 07:00: she writes, her window opens until Tuesday 07:00
    await siti.expect(head("status.title"))
    wa_world.clock.set(datetime(2024, 9, 30, 8, 0, tzinfo=WIB))
    await sweep_now(wa_world)  # H (08:00), inside her window: the reminder as itself
    inside = await siti.expect(head("reminder.agreed"))
    assert inside.template is None and t("button.kirim") in [title for title, _ in inside.buttons]

    wa_world.clock.set(datetime(2024, 10, 1, 8, 0, tzinfo=WIB))  # H+1, 25 hours after she wrote: window closed
    received = len(siti.messages)
    result = await sweep_now(wa_world)
    assert result.waiting == 1 and len(siti.messages) == received  # no approved template: it waits, not free-form
    await sweep_now(wa_world)  # the next sweep (a minute later) tells the staf, once, what waits
    await staf.expect("klambi_pengingat_v1")
    await sweep_now(wa_world)
    await wa_world.telegram.settle()
    assert len([m for m in staf.messages if "klambi_pengingat_v1" in m.text]) == 1

    await wa_world.approve_templates()
    result = await sweep_now(wa_world)
    assert result.outside_window == 1 and len(siti.messages) == received + 1
    outside = siti.messages[-1]
    assert outside.template == "klambi_pengingat_v1"
    assert "Rojopolo" in outside.text and "30 September 2024" in outside.text
    [(template, follow_up)] = await wa_world.rows(
        select(OutboxMessage.template, OutboxMessage.follow_up).where(OutboxMessage.template.is_not(None))
    )
    assert (template, follow_up) == ("klambi_pengingat_v1", False)  # a reminder's template says it all

    await siti.tap("Kirim sekarang")  # the template's quick reply continues like the reminder's button
    await siti.expect(head("kirim.send_file"))


async def test_a_redelivered_wamid_changes_nothing_and_is_not_answered_twice(wa_world):
    from models.tables import Role
    from tests.world import ROJOPOLO

    siti = await wa_world.join_whatsapp("6281234567003", "Siti", Role.SEKDES, ROJOPOLO)
    wamid = await siti.say("status")
    await siti.expect(head("status.title"))
    await wa_world.idle()
    before = len(siti.messages)
    await wa_world.graph.redeliver(wamid)
    await wa_world.graph.batch(siti.message_dict("text", "status") | {"id": wamid})  # the same id in a batch
    await wa_world.idle()
    assert len(siti.messages) == before
    assert await wa_world.rows(select(func.count()).select_from(InboxMessage)) == [(2,)]  # DAFTAR and status


async def test_a_bad_or_missing_signature_is_refused_and_nothing_is_stored(wa_world):
    person = wa_world.graph.person("6281234567004", "Siapa")
    body = b'{"object": "whatsapp_business_account", "entry": []}'
    assert await wa_world.graph.post_webhook(body, signature="sha256=" + "0" * 64) == 403
    assert await wa_world.graph.post_webhook(body, signature=None) == 401
    assert await wa_world.graph.post_webhook(body) == 200  # signed right: accepted (and empty)
    forged = wa_world.graph.batch  # a real message, signed with another secret
    import json

    message = {"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"field": "messages",
               "value": {"metadata": {"phone_number_id": wa_world.graph.phone_number_id},
                         "messages": [person.message_dict("text", "kirim")]}}]}]}  # fmt: skip
    raw = json.dumps(message).encode()
    import hashlib
    import hmac

    wrong = "sha256=" + hmac.new(b"another-secret", raw, hashlib.sha256).hexdigest()
    assert await wa_world.graph.post_webhook(raw, signature=wrong) == 403
    await wa_world.idle()
    assert forged is not None and await wa_world.rows(select(func.count()).select_from(InboxMessage)) == [(0,)]
    assert person.messages == []


async def test_a_list_for_seven_choices_and_pages_for_fourteen(wa_world):
    from bot.services.calendar import load_calendar
    from bot.services.places import import_area
    from models.tables import Role
    from tests.world import JATIROTO

    async with wa_world.app.sessions() as session, session.begin():
        await import_area(session, "35.08.05", wa_world.clock.now(), [2024, 2025], await load_calendar(session))
    jatiroto = await wa_world.join_whatsapp("6281234567005", "Bu Kasi", Role.STAF, JATIROTO)
    await jatiroto.say("catat")
    listed = await jatiroto.expect(head("desk.choose_desa"))
    assert len(listed.rows) == 7 and not listed.buttons  # six desa and "Batal": one list, no paging

    tempeh = await wa_world.join_whatsapp("6281234567006", "Pak Kasi", Role.STAF, "35.08.05")
    await tempeh.say("catat")
    first = await tempeh.expect(head("desk.choose_desa"))
    assert len(first.rows) == 10 and first.rows[-1][1] == "wa:page:1"  # 9 of 14 and "Berikutnya"
    await tempeh.press("wa:page:1")
    second = await tempeh.expect(head("whatsapp.more_choices"))
    assert len(second.rows) == 5  # the other 5 (12 desa left of 13, and Batal)
    titles = [title for title, _, _ in first.rows[:-1] + second.rows]
    assert len(set(titles)) == 14
    await tempeh.press(second.rows[0][1])  # a desa on the second page continues the conversation
    await tempeh.expect(head("desk.choose_document"))


async def accept_a_document(wa_world, siti, staf, nomor: str | None = None):
    """Siti sends Rojopolo's RKPDes from WhatsApp, typing the date (and the nomor, when given); the staf on Telegram
    is alerted."""
    from bot.chat.actions import KirimObligation, encode
    from tests.world import PDF, ROJOPOLO

    await siti.say("kirim")
    await siti.expect(head("kirim.choose"))
    await siti.press(encode(KirimObligation(await wa_world.obligation_id(ROJOPOLO, "RKPDES", 2025))))
    await siti.expect(head("kirim.send_file"))
    await siti.send_document(PDF, "Perdes RKPDes 2025.pdf", "application/pdf")
    await siti.expect(head("kirim.ask_date"))
    await siti.say("27/09/2024")
    await siti.expect(head("kirim.ask_nomor"))
    await (siti.say(nomor) if nomor else siti.press(t("button.skip")))
    await siti.expect(head("kirim.summary"))
    await siti.press(t("button.send"))
    await siti.expect(head("receipt.text"))
    await staf.expect(head("verif.alert"))


async def test_an_album_of_ten_pages_gets_one_acknowledgement(wa_world):
    from bot.chat.actions import KirimObligation, encode
    from models.tables import Role, Submission, SubmissionFile
    from tests.world import JPEG, ROJOPOLO

    siti = await wa_world.join_whatsapp("6281234567007", "Siti", Role.SEKDES, ROJOPOLO)
    await siti.say("kirim")
    await siti.press(encode(KirimObligation(await wa_world.obligation_id(ROJOPOLO, "RKPDES", 2025))))
    await siti.expect(head("kirim.send_file"))
    before = len(siti.messages)
    pages = [siti.message_dict("image", JPEG + bytes([page])) for page in range(10)]
    await wa_world.graph.batch(*pages)  # an album: ten images in one webhook
    await wa_world.idle()
    answers = siti.messages[before:]
    assert len(answers) == 1, [m.text for m in answers]  # one acknowledgement, not ten
    assert "(10 berkas)" in answers[0].text
    await siti.press(t("button.next"))
    await siti.expect(head("kirim.ask_date"))
    await siti.press(t("button.today"))
    await siti.press(t("button.skip"))
    await siti.press(t("button.send"))
    await siti.expect(head("receipt.text"))
    [(files,)] = await wa_world.rows(select(func.count()).select_from(SubmissionFile).join(Submission))
    assert files == 10


async def test_a_sticker_gets_a_kind_line_and_a_reaction_nothing(wa_world):
    from models.tables import Role
    from tests.world import ROJOPOLO

    siti = await wa_world.join_whatsapp("6281234567008", "Siti", Role.SEKDES, ROJOPOLO)
    await siti.send_other("sticker")
    await siti.expect(head("chat.unsupported_message"))
    before = len(siti.messages)
    await siti.send_other("reaction")
    await siti.send_other("location")
    await siti.expect(head("chat.unsupported_message"))
    assert len(siti.messages) == before + 1  # the location answered, the reaction not


async def test_a_closed_window_after_all_falls_back_to_the_template_and_baca_opens_it(wa_world):
    """Meta says 131047 (the window closed after all): the verdict goes as its template, announced only; when Siti
    answers "baca", the verdict itself follows."""
    from models.tables import OutboxMessage, Role
    from tests.world import JATIROTO, ROJOPOLO

    await wa_world.approve_templates()
    staf = await wa_world.join_telegram(501, "Bu Kasi", Role.STAF, JATIROTO)
    siti = await wa_world.join_whatsapp("6281234567009", "Siti", Role.SEKDES, ROJOPOLO)
    await accept_a_document(wa_world, siti, staf)
    wa_world.graph.fail_next(131047, to="6281234567009")
    await staf.press(t("button.accept"))
    await staf.expect(head("verif.accepted_by"))
    await wa_world.idle()
    announced = siti.messages[-1]
    assert announced.template == "klambi_kabar_v1" and "baca" in announced.text.lower()
    [(follow_up,)] = await wa_world.rows(
        select(OutboxMessage.follow_up).where(OutboxMessage.template == "klambi_kabar_v1")
    )
    assert follow_up is True
    await siti.tap("baca")
    await siti.expect(head("verif.to_sender_accepted"))
    assert await wa_world.rows(select(OutboxMessage.follow_up).where(OutboxMessage.follow_up.is_(True))) == []


async def test_a_number_that_cannot_receive_is_marked_and_staf_are_told_once(wa_world):
    from models.tables import Contact, Role
    from tests.world import JATIROTO, ROJOPOLO

    staf = await wa_world.join_telegram(501, "Bu Kasi", Role.STAF, JATIROTO)
    siti = await wa_world.join_whatsapp("6281234567010", "Siti", Role.SEKDES, ROJOPOLO)
    await accept_a_document(wa_world, siti, staf)
    wa_world.graph.fail_next(131026, to="6281234567010")
    await staf.press(t("button.accept"))
    await staf.expect(head("notice.unreachable"))
    [(since,)] = await wa_world.rows(select(Contact.unreachable_since).where(Contact.channel == "whatsapp"))
    assert since is not None


async def test_whatsapp_read_receipts_count_an_announcement_as_read(wa_world):
    from models.tables import AnnouncementRecipient, Role
    from tests.world import JATIROTO, ROJOPOLO

    staf = await wa_world.join_telegram(501, "Bu Kasi", Role.STAF, JATIROTO)
    siti = await wa_world.join_whatsapp("6281234567011", "Siti", Role.SEKDES, ROJOPOLO)
    await staf.send_text("/umumkan")
    await staf.send_text("Rapat koordinasi Senin pukul 9.")
    await staf.expect("Untuk desa mana")
    await staf.press("n:g")
    await staf.press("n:s")
    got = await siti.expect("Pengumuman #1")
    await wa_world.idle()
    read = select(AnnouncementRecipient.read_at).where(AnnouncementRecipient.read_at.is_not(None))
    assert await wa_world.rows(read) == []
    await wa_world.graph.status(got.wamid, "delivered")
    await wa_world.graph.status(got.wamid, "read")
    assert len(await wa_world.rows(read)) == 1  # Siti's, by WhatsApp's read receipt alone


async def test_forgetting_a_person_removes_their_number_and_what_they_wrote(wa_world):
    from bot.services.privacy import forget_person
    from models.tables import Contact, Person, Role
    from tests.world import ROJOPOLO

    siti = await wa_world.join_whatsapp("6281234567012", "Siti", Role.SEKDES, ROJOPOLO)
    await siti.say("status")
    await siti.expect(head("status.title"))
    await wa_world.idle()
    [(person_id,)] = await wa_world.rows(select(Person.id).where(Person.name == "Siti"))
    async with wa_world.app.sessions() as session, session.begin():
        await forget_person(session, person_id, wa_world.clock.now())
    assert await wa_world.rows(select(Contact.phone)) == []
    assert await wa_world.rows(select(InboxMessage.id)) == []  # DAFTAR and status, with her number: gone


async def test_whatsapp_shows_commands_as_the_words_to_type(wa_world):
    from models.tables import Role
    from tests.world import ROJOPOLO

    siti = await wa_world.join_whatsapp("6281234567013", "Siti", Role.SEKDES, ROJOPOLO)
    welcome = siti.messages[0].text
    assert "\nkirim — " in welcome and "/kirim" not in welcome  # no slash to type on WhatsApp
    await siti.say("bantuan")
    help_text = (await siti.expect("status — ")).text
    assert "/status" not in help_text


async def test_a_file_whose_bytes_do_not_match_its_sha256_is_refused_kindly(wa_world):
    from bot.chat.actions import KirimObligation, encode
    from models.tables import Draft, Role
    from tests.world import PDF, ROJOPOLO

    siti = await wa_world.join_whatsapp("6281234567014", "Siti", Role.SEKDES, ROJOPOLO)
    await siti.say("kirim")
    await siti.press(encode(KirimObligation(await wa_world.obligation_id(ROJOPOLO, "RKPDES", 2025))))
    await siti.expect(head("kirim.send_file"))
    document = siti.message_dict("document", PDF, "rkpdes.pdf", "application/pdf")
    wa_world.graph.corrupt_media(document["document"]["id"])
    await wa_world.graph.batch(document)
    await siti.expect(head("kirim.download_failed"))
    [(data,)] = await wa_world.rows(select(Draft.data))
    assert not data.get("files")  # nothing kept from a file that is not what WhatsApp announced


async def test_a_body_over_the_cap_is_refused_unread(wa_world):
    big = b'{"object": "whatsapp_business_account", "entry": [], "pad": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    assert await wa_world.graph.post_webhook(big) == 413
    assert await wa_world.rows(select(func.count()).select_from(InboxMessage)) == [(0,)]


async def test_a_person_known_by_username_only_is_answered_by_recipient(wa_world):
    from models.tables import Contact, Role
    from tests.world import ROJOPOLO

    person = wa_world.graph.person(None, "Rina", user_id="ID.rina-username")
    await person.say(f"daftar {await wa_world.invite(Role.SEKDES, ROJOPOLO)}")
    await person.expect("Selamat datang")
    await person.say("status")
    await person.expect(head("status.title"))
    assert await wa_world.rows(select(Contact.user_id, Contact.phone).where(Contact.channel == "whatsapp")) == [
        ("ID.rina-username", None)
    ]


async def test_near_the_daily_limit_verdicts_go_first_and_reminders_wait_with_staf_told_once(wa_world):
    """`[whatsapp] daily_limit` people outside their window in 24 hours: a reminder may use 90% of it, a notice all
    of it; what waits is told to staf once."""
    from datetime import datetime

    from models.tables import OutboxMessage, Role
    from tests.conftest import WIB
    from tests.world import JATIROTO, KALIBOTO_LOR, ROJOPOLO, SUKOSARI

    await wa_world.approve_templates()
    wa_world.app.settings.whatsapp.daily_limit = 2
    staf = await wa_world.join_telegram(501, "Bu Kasi", Role.STAF, JATIROTO)
    people = [
        await wa_world.join_whatsapp(f"62812345670{20 + i}", name, Role.SEKDES, desa)
        for i, (name, desa) in enumerate((("Siti", ROJOPOLO), ("Wahyu", SUKOSARI), ("Agus", KALIBOTO_LOR)))
    ]
    await plan(wa_world)
    wa_world.clock.set(datetime(2024, 9, 30, 8, 0, tzinfo=WIB))  # H: three reminders, every window closed
    result = await sweep_now(wa_world)
    assert result.waiting == 2  # 90% of 2 is 1.8: one person reached by a reminder, two wait
    reached = [p for p in people if p.messages and p.messages[-1].template == "klambi_pengingat_v1"]
    assert len(reached) == 1
    await sweep_now(wa_world)
    await staf.expect(words("notice.daily_limit"))
    waiting = await wa_world.rows(
        select(OutboxMessage.id).where(OutboxMessage.last_error.like("daily limit%"), OutboxMessage.status == "planned")
    )
    assert len(waiting) == 2
    await sweep_now(wa_world)
    await wa_world.telegram.settle()
    assert len([m for m in staf.messages if words("notice.daily_limit") in m.text]) == 1  # once


def words(key: str) -> str:
    import re

    return max(re.split(r"\{[^}]*\}|\n", t(key)), key=len).strip()


async def test_klambi_run_names_the_missing_whatsapp_secret_in_one_line(klambi, monkeypatch):
    monkeypatch.setenv("KLAMBI_WHATSAPP__PHONE_NUMBER_ID", "100200300")
    monkeypatch.setenv("KLAMBI_WHATSAPP__BUSINESS_NUMBER", "6281100000000")
    result = klambi("run")
    assert result.code == 2 and "Traceback" not in result.err
    assert "access_token" in result.err and len(result.err.strip().splitlines()) == 1
    monkeypatch.delenv("KLAMBI_WHATSAPP__PHONE_NUMBER_ID")
    result = klambi("run")
    assert result.code == 2 and "klambi demo" in result.err and len(result.err.strip().splitlines()) == 1


async def test_a_camat_on_whatsapp_gets_the_indicator_with_its_chart_and_a_staf_the_recap_workbook(wa_world):
    from models.tables import Role
    from tests.world import JATIROTO

    camat = await wa_world.join_whatsapp("6281234567030", "Pak Camat", Role.CAMAT, JATIROTO)
    await camat.say("indikator 2024")
    text = await camat.expect("Indikator")
    await wa_world.idle()
    images = [m for m in camat.messages if m.image is not None]
    assert images and images[-1].image.data.startswith(b"\x89PNG")  # the chart, uploaded as media
    assert "Realisasi" in text.text or "realisasi" in text.text.lower()
    staf = await wa_world.join_whatsapp("6281234567031", "Bu Kasi", Role.STAF, JATIROTO)
    await staf.say("rekap 2024")
    await wa_world.idle()
    workbooks = [m for m in staf.messages if m.document is not None]
    assert workbooks and workbooks[-1].document.filename.endswith(".xlsx")
    assert workbooks[-1].document.data[:2] == b"PK"
