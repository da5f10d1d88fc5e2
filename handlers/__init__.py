"""Telegram I/O only: parse an update, call one service from `bot.services`, render the answer.

`register` wires every command and the two routers: one for text, one for buttons. Where a conversation stands lives
in the person's draft (database), not in memory, so the routers ask the draft what a message means.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, TypeHandler, filters

from bot.cleaning import clean_text
from bot.errors import InputError
from bot.parsing import parse_chat_date
from bot.services.drafts import clear_draft, get_draft, save_draft
from handlers import deadlines, desk, flood, forum, onboarding, status, submission, verification
from handlers.common import Turn, on_error, turn

PRIVATE = filters.ChatType.PRIVATE
# The steps whose text may have lines (and a reply to an alert, with no step): every other text is one line.
MULTILINE_STEPS = {("umumkan", "text"), ("kendala", "text"), ("tanya", "text"), ("jawab", "text"), ("tutup", "text"),
                   ("notulen", "text"), None}  # fmt: skip


@turn
async def batal(current: Turn) -> None:
    if current.person is None:
        raise InputError("chat.unknown_person")
    cleared = await clear_draft(current.session, current.person.id)
    if current.update.callback_query is not None:
        current.mark_pressed(current.t("chat.cancelled"))
    else:
        current.reply(current.t("chat.cancelled" if cleared else "chat.nothing_to_cancel"))


@turn
async def on_text(current: Turn) -> None:
    if current.person is None:
        raise InputError("chat.unknown_person")
    message = current.update.effective_message
    assert message is not None and message.text is not None
    draft = await get_draft(current.session, current.person.id)
    step = (draft.flow, draft.step) if draft else None
    text = clean_text(message.text, multiline=step in MULTILINE_STEPS).strip()
    if step is None and await forum.reply_to_alert(current, text):
        return
    if step == ("kirim", "date"):
        await submission.date_text(current, text)
    elif step == ("kirim", "nomor"):
        await submission.nomor_text(current, text)
    elif step in (("kirim", "file"), ("kirim", "more")):
        current.reply(current.t("kirim.expect_file"))
    elif step == ("kirim", "confirm"):
        current.reply(current.t("kirim.expect_buttons"))
    elif step == ("tolak", "reason"):
        await verification.reason_text(current, text)
    elif step == ("tenggat", "date"):
        await desk.tenggat_date(current, text)
    elif step in (("catat", "penetapan"), ("catat", "received")):
        await desk.catat_date(current, step[1], parse_chat_date(text))
    elif step == ("catat", "files"):
        current.reply(current.t("catat.ask_files"))
    elif step == ("koreksi", "reason"):
        await desk.koreksi_reason(current, text)
    elif step == ("perpanjang", "date"):
        await deadlines.date_text(current, text)
    elif step == ("perpanjang", "reason"):
        await deadlines.reason_text(current, text)
    elif step == ("undang", "place") and draft is not None:
        await onboarding.undang_place(current, draft.data["role"], text)
    elif step == ("umumkan", "text"):
        await forum.umumkan_text(current, text)
    elif step == ("kendala", "text"):
        await forum.kendala_text(current, text)
    elif step == ("tanya", "text"):
        await forum.tanya_text(current, text)
    elif step == ("jawab", "text"):
        await forum.jawab_text(current, text)
    elif step == ("tutup", "text"):
        await forum.tutup_text(current, text)
    elif step in (("rapat", "title"), ("rapat", "when"), ("rapat", "place")):
        await forum.rapat_text(current, step[1], text)
    elif step == ("notulen", "text"):
        await forum.notulen_text(current, text)
    elif step is not None and step[0] in ("umumkan", "kendala", "tanya", "rapat"):
        current.reply(current.t("chat.use_buttons"))
    else:
        current.reply(current.t("chat.not_understood"))


@turn
async def on_button(current: Turn) -> None:
    query = current.update.callback_query
    assert query is not None
    data = (query.data or "").split(":")
    match data:
        case ["batal"]:
            await batal.__wrapped__(current)
        case ["k", "o", obligation_id]:
            await _require_step(current, "kirim", "choose")
            await submission.choose(current, obligation_id)
        case ["k", "go", obligation_id]:  # the button of a reminder
            await save_draft(
                current.session, current.require_person().id, "kirim", "choose", {}, current.app.clock.now()
            )
            await submission.choose(current, obligation_id)
        case ["p", "d", desa_kode]:
            await _require_step(current, "perpanjang", "desa")
            await deadlines.choose_desa(current, desa_kode)
        case ["p", "o", obligation_id]:
            await _require_step(current, "perpanjang", "document")
            await deadlines.choose_obligation(current, obligation_id)
        case ["t", "o", code, ta]:
            await desk.tenggat_document(current, code, ta)
        case ["c", "d", desa_kode]:
            await desk.catat_desa(current, desa_kode)
        case ["c", "o", obligation_id]:
            await desk.catat_obligation(current, obligation_id)
        case ["c", "p", days_back]:
            await desk.catat_date(current, "penetapan", None, days_back)
        case ["c", "r", days_back]:
            await desk.catat_date(current, "received", None, days_back)
        case ["c", "f"]:
            await desk.catat_summary(current)
        case ["c", "s"]:
            await desk.catat_save(current)
        case ["x", "s", submission_id]:
            await desk.koreksi_choose(current, submission_id)
        case ["r", "a", assignment_id]:
            await desk.cabut_choose(current, assignment_id)
        case ["r", "y", assignment_id]:
            await desk.cabut_confirm(current, assignment_id)
        case ["a", "d", desa_kode]:
            await desk.arsip_desa(current, desa_kode)
        case ["a", "o", obligation_id]:
            await desk.arsip_document(current, obligation_id)
        case ["a", "v", submission_id]:
            await desk.arsip_version(current, submission_id)
        case ["k", "next"]:
            await submission.next_step(current)
        case ["k", "d", days_back]:
            await submission.date_button(current, days_back)
        case ["k", "skip"]:
            await submission.nomor_text(current, None)
        case ["k", "send"]:
            await submission.confirm(current)
        case ["v", "a", submission_id]:
            await verification.accept(current, submission_id)
        case ["v", "r", submission_id]:
            await verification.reject(current, submission_id)
        case ["u", "r", role]:
            draft = await _require_step(current, "undang", "role")
            await onboarding.undang_role(current, draft.data, role)
        case ["u", "d", kode]:
            draft = await _require_step(current, "undang", "desa")
            await onboarding.undang_place(current, draft.data["role"], kode)
        case ["n", "k", kode]:
            await forum.umumkan_kecamatan(current, kode)
        case ["n", "t", kode]:
            await forum.umumkan_toggle(current, kode)
        case ["n", "a"]:
            await forum.umumkan_toggle(current, None)
        case ["n", "g"]:
            await forum.umumkan_next(current)
        case ["n", "s"]:
            await forum.umumkan_send(current)
        case ["n", "r", announcement_id]:
            await forum.umumkan_read(current, announcement_id)
        case ["n", "d", announcement_id]:
            await forum.pengumuman_detail(current, announcement_id)
        case ["kd", "d", kode]:
            await forum.kendala_desa(current, kode)
        case ["kd", "o", obligation_id]:
            await forum.kendala_document(current, obligation_id)
        case ["q", "d", kode]:
            await forum.tanya_desa(current, kode)
        case ["f", "j", thread_id]:
            await forum.jawab_start(current, thread_id)
        case ["f", "c", thread_id]:
            await forum.tutup_start(current, thread_id)
        case ["m", "r", role]:
            await forum.rapat_toggle(current, role=role)
        case ["m", "t", kode]:
            await forum.rapat_toggle(current, code=kode)
        case ["m", "a"]:
            await forum.rapat_toggle(current)
        case ["m", "g"]:
            await forum.rapat_next(current)
        case ["m", "s"]:
            await forum.rapat_save(current)
        case ["m", "y", meeting_id]:
            await forum.rapat_answer(current, meeting_id, "hadir")
        case ["m", "n", meeting_id]:
            await forum.rapat_answer(current, meeting_id, "tidak")
        case ["m", "d", meeting_id]:
            await forum.rapat_detail(current, meeting_id)
        case ["m", "c", meeting_id]:
            await forum.notulen_start(current, meeting_id)
        case _:
            raise InputError("chat.stale_button")


async def _require_step(current: Turn, flow: str, step: str):
    if current.person is None:
        raise InputError("chat.unknown_person")
    draft = await get_draft(current.session, current.person.id)
    if draft is None or (draft.flow, draft.step) != (flow, step):
        raise InputError("chat.stale_button")
    return draft


@turn
async def unsupported(current: Turn) -> None:
    current.reply(current.t("chat.unsupported_message"))


COMMAND_HANDLERS = {  # each command's entry in bot.authz.COMMANDS says who may use it
    "start": onboarding.start,
    "bantuan": onboarding.bantuan,
    "help": onboarding.bantuan,
    "undang": onboarding.undang,
    "kirim": submission.kirim,
    "batal": batal,
    "status": status.status,
    "indikator": status.indikator,
    "rekap": status.rekap,
    "verifikasi": verification.verifikasi,
    "perpanjang": deadlines.perpanjang,
    "tenggat": desk.tenggat,
    "catat": desk.catat,
    "koreksi": desk.koreksi,
    "cabut": desk.cabut,
    "arsip": desk.arsip,
    "libur": desk.libur,
    "umumkan": forum.umumkan,
    "pengumuman": forum.pengumuman,
    "kendala": forum.kendala,
    "tanya": forum.tanya,
    "rapat": forum.rapat,
    "agenda": forum.agenda,
}


def register(application: Application) -> None:
    application.bot_data["flood_gate"] = flood.FloodGate()
    application.add_handler(TypeHandler(Update, flood.gate), group=-1)  # before any database work
    for name, callback in COMMAND_HANDLERS.items():
        application.add_handler(CommandHandler(name, callback, filters=PRIVATE))
    application.add_handler(CommandHandler("status", status.forum_status, filters=filters.ChatType.GROUPS))
    application.add_handler(CallbackQueryHandler(on_button))
    application.add_handler(MessageHandler(PRIVATE & (filters.Document.ALL | filters.PHOTO), submission.file_message))
    application.add_handler(MessageHandler(PRIVATE & filters.TEXT & ~filters.COMMAND, on_text))
    application.add_handler(MessageHandler(PRIVATE & filters.COMMAND, onboarding.bantuan))
    application.add_handler(MessageHandler(PRIVATE & ~filters.TEXT, unsupported))
    application.add_error_handler(on_error)
