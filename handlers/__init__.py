"""The chat core's router: what a person did, to the conversation that continues it. No channel is known here.

Commands go to their handler (each command's entry in `bot.authz.COMMANDS` says who may use it); a pressed choice is
decoded to its typed action (`bot.chat.actions`) and goes to its handler; text and files go where the person's draft
(in the database, not in memory) says the conversation stands. `dispatch` is the one entry for every channel.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot.chat import actions
from bot.chat.messages import Incoming
from bot.cleaning import clean_text
from bot.errors import InputError
from bot.parsing import parse_chat_date
from bot.services.drafts import clear_draft, get_draft
from handlers import deadlines, desk, onboarding, status, submission, verification
from handlers.common import ChannelFacts, Conversations, Handler, Outcome, Turn
from handlers.forum import announcements, meetings, threads

# The steps whose text may have lines (and a reply to an alert, with no step): every other text is one line.
MULTILINE_STEPS = {("umumkan", "text"), ("kendala", "text"), ("tanya", "text"), ("jawab", "text"), ("tutup", "text"),
                   ("notulen", "text"), None}  # fmt: skip


async def batal(current: Turn) -> None:
    if current.person is None:
        raise InputError("chat.unknown_person")
    cleared = await clear_draft(current.session, current.person.id)
    if current.pressed:
        current.mark_pressed(current.t("chat.cancelled"))
    else:
        current.reply(current.t("chat.cancelled" if cleared else "chat.nothing_to_cancel"))


async def on_text(current: Turn) -> None:
    if current.person is None:
        raise InputError("chat.unknown_person")
    assert current.incoming.text is not None
    draft = await get_draft(current.session, current.person.id)
    step = (draft.flow, draft.step) if draft else None
    text = clean_text(current.incoming.text, multiline=step in MULTILINE_STEPS).strip()
    if step is None and await threads.reply_to_alert(current, text):
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
    elif step == ("undang", "place"):
        await onboarding.undang_typed_place(current, text)
    elif step == ("umumkan", "text"):
        await announcements.umumkan_text(current, text)
    elif step == ("kendala", "text"):
        await threads.kendala_text(current, text)
    elif step == ("tanya", "text"):
        await threads.tanya_text(current, text)
    elif step == ("jawab", "text"):
        await threads.jawab_text(current, text)
    elif step == ("tutup", "text"):
        await threads.tutup_text(current, text)
    elif step in (("rapat", "title"), ("rapat", "when"), ("rapat", "place")):
        await meetings.rapat_text(current, step[1], text)
    elif step == ("notulen", "text"):
        await meetings.notulen_text(current, text)
    elif step is not None and step[0] in ("umumkan", "kendala", "tanya", "rapat"):
        current.reply(current.t("chat.use_buttons"))
    else:
        current.reply(current.t("chat.not_understood"))


def at_step(flow: str, step: str, then: Callable[[Turn, Any], Awaitable[None]]):
    """A choice that continues only when the person's conversation stands at this step; otherwise it is stale."""

    async def continuing(current: Turn, chosen: Any) -> None:
        await _require_step(current, flow, step)
        await then(current, chosen)

    return continuing


async def _require_step(current: Turn, flow: str, step: str):
    if current.person is None:
        raise InputError("chat.unknown_person")
    draft = await get_draft(current.session, current.person.id)
    if draft is None or (draft.flow, draft.step) != (flow, step):
        raise InputError("chat.stale_button")
    return draft


# Every choice the bot offers and the conversation step it continues. A choice from an older message, or one typed
# by hand, is decoded by the one codec (`bot.chat.actions`) and refused when it is unknown or forged.
ROUTES: dict[type[actions.Action], Callable[[Turn, Any], Awaitable[None]]] = {
    actions.Cancel: lambda c, a: batal(c),
    actions.KirimObligation: at_step("kirim", "choose", lambda c, a: submission.choose(c, a.obligation_id)),
    actions.KirimFromReminder: lambda c, a: submission.from_reminder(c, a.obligation_id),
    actions.KirimPagesDone: lambda c, a: submission.next_step(c),
    actions.KirimDate: lambda c, a: submission.date_button(c, a.days_back),
    actions.KirimSkipNomor: lambda c, a: submission.nomor_text(c, None),
    actions.KirimSend: lambda c, a: submission.confirm(c),
    actions.Accept: lambda c, a: verification.accept(c, a.submission_id),
    actions.Reject: lambda c, a: verification.reject(c, a.submission_id),
    actions.PerpanjangDesa: at_step("perpanjang", "desa", lambda c, a: deadlines.choose_desa(c, a.desa_kode)),
    actions.PerpanjangObligation: at_step(
        "perpanjang", "document", lambda c, a: deadlines.choose_obligation(c, a.obligation_id)
    ),
    actions.TenggatDocument: lambda c, a: desk.tenggat_document(c, a.document_code, a.tahun_anggaran),
    actions.CatatDesa: lambda c, a: desk.catat_desa(c, a.desa_kode),
    actions.CatatObligation: lambda c, a: desk.catat_obligation(c, a.obligation_id),
    actions.CatatPenetapan: lambda c, a: desk.catat_date(c, "penetapan", None, a.days_back),
    actions.CatatReceived: lambda c, a: desk.catat_date(c, "received", None, a.days_back),
    actions.CatatFilesDone: lambda c, a: desk.catat_summary(c),
    actions.CatatSave: lambda c, a: desk.catat_save(c),
    actions.KoreksiSubmission: lambda c, a: desk.koreksi_choose(c, a.submission_id),
    actions.CabutAssignment: lambda c, a: desk.cabut_choose(c, a.assignment_id),
    actions.CabutConfirm: lambda c, a: desk.cabut_confirm(c, a.assignment_id),
    actions.ArsipDesa: lambda c, a: desk.arsip_desa(c, a.desa_kode),
    actions.ArsipObligation: lambda c, a: desk.arsip_document(c, a.obligation_id),
    actions.ArsipVersion: lambda c, a: desk.arsip_version(c, a.submission_id),
    actions.UndangRole: lambda c, a: onboarding.undang_role(c, a.role),
    actions.UndangPlace: lambda c, a: onboarding.undang_desa(c, a.kode),
    actions.UmumkanKecamatan: lambda c, a: announcements.umumkan_kecamatan(c, a.kecamatan_kode),
    actions.UmumkanToggle: lambda c, a: announcements.umumkan_toggle(c, a.desa_kode),
    actions.UmumkanAll: lambda c, a: announcements.umumkan_toggle(c, None),
    actions.UmumkanNext: lambda c, a: announcements.umumkan_next(c),
    actions.UmumkanSend: lambda c, a: announcements.umumkan_send(c),
    actions.AnnouncementRead: lambda c, a: announcements.umumkan_read(c, a.announcement_id),
    actions.AnnouncementDetail: lambda c, a: announcements.pengumuman_detail(c, a.announcement_id),
    actions.KendalaDesa: lambda c, a: threads.kendala_desa(c, a.desa_kode),
    actions.KendalaObligation: lambda c, a: threads.kendala_document(c, a.obligation_id),
    actions.TanyaDesa: lambda c, a: threads.tanya_desa(c, a.desa_kode),
    actions.ThreadAnswer: lambda c, a: threads.jawab_start(c, a.thread_id),
    actions.ThreadClose: lambda c, a: threads.tutup_start(c, a.thread_id),
    actions.RapatRole: lambda c, a: meetings.rapat_toggle(c, role=a.role),
    actions.RapatPlace: lambda c, a: meetings.rapat_toggle(c, code=a.kode),
    actions.RapatAll: lambda c, a: meetings.rapat_toggle(c),
    actions.RapatNext: lambda c, a: meetings.rapat_next(c),
    actions.RapatSave: lambda c, a: meetings.rapat_save(c),
    actions.RapatAttend: lambda c, a: meetings.rapat_answer(c, a.meeting_id, "hadir"),
    actions.RapatDecline: lambda c, a: meetings.rapat_answer(c, a.meeting_id, "tidak"),
    actions.RapatDetail: lambda c, a: meetings.rapat_detail(c, a.meeting_id),
    actions.NotulenStart: lambda c, a: meetings.notulen_start(c, a.meeting_id),
}


async def on_choice(current: Turn) -> None:
    chosen = actions.decode(current.incoming.choice)
    await ROUTES[type(chosen)](current, chosen)


async def unsupported(current: Turn) -> None:
    current.reply(current.t("chat.unsupported_message"))


COMMAND_HANDLERS: dict[str, Handler] = {  # each command's entry in bot.authz.COMMANDS says who may use it
    "start": onboarding.start,
    "bantuan": onboarding.bantuan,
    "help": onboarding.bantuan,
    "undang": onboarding.undang,
    "kirim": submission.kirim,
    "batal": batal,
    "hubungkan": onboarding.hubungkan,
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
    "umumkan": announcements.umumkan,
    "pengumuman": announcements.pengumuman,
    "kendala": threads.kendala,
    "tanya": threads.tanya,
    "rapat": meetings.rapat,
    "agenda": meetings.agenda,
}
GROUP_COMMANDS: dict[str, Handler] = {"status": status.forum_status}  # in a kecamatan's forum group


def route(incoming: Incoming) -> Handler | None:
    """The handler for a message without files; None when the bot stays silent (a group's chatter)."""
    if incoming.group is not None:
        return GROUP_COMMANDS.get(incoming.command or "")
    if incoming.choice is not None:
        return on_choice
    if incoming.command is not None:
        return COMMAND_HANDLERS.get(incoming.command, onboarding.bantuan)
    if incoming.text is not None:
        return on_text
    return unsupported


async def dispatch(core: Conversations, incoming: Incoming, channel: ChannelFacts) -> Outcome:
    """Handle what a person did, on any channel. Files are fetched first, outside the transaction
    (`submission.receive_files`)."""
    if incoming.files and incoming.group is None:
        return await submission.receive_files(core, incoming, channel)
    handler = route(incoming)
    if handler is None:
        return Outcome()
    return await core.handle(incoming, channel, handler)
