"""The chat core's router: what a person did, to the conversation that continues it. No channel is known here.

Commands go to their handler (each command's entry in `bot.authz.COMMANDS` says who may use it); a pressed choice is
decoded to its typed action (`bot.chat.actions`) and goes to its handler; text and files go where the person's draft
(in the database, not in memory) says the conversation stands. `dispatch` is the one entry for every channel.

A command comes three ways and all meet in `run_command` (one lookup in `COMMAND_HANDLERS`, the handler's own
permission checks): a channel's command ("/kirim" on Telegram), a text that is a command (`command_in` decides: "kirim",
"KIRIM", " /Status ", "daftar KODE"), and a pressed menu choice (`RunCommand`).
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Awaitable, Callable
from typing import Any

from bot.chat import actions
from bot.chat.messages import Incoming
from bot.cleaning import clean_text
from bot.errors import InputError
from bot.i18n import Language, t
from bot.parsing import parse_chat_date
from bot.services import forum as forum_service  # not `forum`: importing handlers.forum rebinds that name here
from bot.services.drafts import clear_draft, get_draft
from bot.services.people import CODE_LENGTH
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


# The steps where the conversation waits for a typed text, and what takes it. While one of them waits, a text is its
# answer, not a command (but "batal", and a command with a slash: `command_in`).
TEXT_STEPS: dict[tuple[str, str], Callable[[Turn, str], Awaitable[None]]] = {
    ("kirim", "date"): submission.date_text,
    ("kirim", "nomor"): submission.nomor_text,
    ("kirim", "read"): submission.read_typed,
    ("tolak", "reason"): verification.reason_text,
    ("tenggat", "date"): desk.tenggat_date,
    ("catat", "penetapan"): lambda c, text: desk.catat_date(c, "penetapan", parse_chat_date(text)),
    ("catat", "received"): lambda c, text: desk.catat_date(c, "received", parse_chat_date(text)),
    ("koreksi", "reason"): desk.koreksi_reason,
    ("perpanjang", "date"): deadlines.date_text,
    ("perpanjang", "reason"): deadlines.reason_text,
    ("undang", "place"): onboarding.undang_typed_place,
    ("undang", "channel"): onboarding.undang_typed_channel,
    ("umumkan", "text"): announcements.umumkan_text,
    ("kendala", "text"): threads.kendala_text,
    ("tanya", "text"): threads.tanya_text,
    ("jawab", "text"): threads.jawab_text,
    ("tutup", "text"): threads.tutup_text,
    ("rapat", "title"): lambda c, text: meetings.rapat_text(c, "title", text),
    ("rapat", "when"): lambda c, text: meetings.rapat_text(c, "when", text),
    ("rapat", "place"): lambda c, text: meetings.rapat_text(c, "place", text),
    ("notulen", "text"): meetings.notulen_text,
}


async def on_text(current: Turn) -> None:
    assert current.incoming.text is not None
    draft = await get_draft(current.session, current.person.id) if current.person is not None else None
    step = (draft.flow, draft.step) if draft else None
    text = clean_text(current.incoming.text, multiline=step in MULTILINE_STEPS).strip()
    replied = await _replied_thread(current) if step is None else None  # a staf's answer by the channel's reply
    said = command_in(text, waiting=step in TEXT_STEPS or replied is not None, language=current.lang)
    if said is not None:
        await run_command(current, *said)
        return
    if current.person is None:
        raise InputError("chat.unknown_person")
    answer = TEXT_STEPS.get(step) if step is not None else None
    if replied is not None:
        await threads.jawab_text(current, text, replied)
    elif answer is not None:
        await answer(current, text)
    elif step in (("kirim", "file"), ("kirim", "more")):
        current.reply(current.t("kirim.expect_file"))
    elif step == ("kirim", "confirm"):
        current.reply(current.t("kirim.expect_buttons"))
    elif step == ("catat", "files"):
        current.reply(current.t("catat.ask_files"))
    elif step is not None and step[0] in ("umumkan", "kendala", "tanya", "rapat"):
        current.reply(current.t("chat.use_buttons"))
    else:
        await onboarding.not_understood(current)


async def _replied_thread(current: Turn) -> int | None:
    """The problem or question whose alert this text replies to (the channel's 'reply'), if it is one."""
    incoming = current.incoming
    if incoming.reply_to is None or current.person is None:
        return None
    return await forum_service.thread_of_reply(
        current.session, incoming.sender.address, incoming.reply_to, incoming.channel
    )


# --- commands typed as words ----------------------------------------------------------------------------------------

_WORD = re.compile(r"(/?)([^\W_]+)")  # an optional slash and a word (letters or digits of any script)
_CODE_ARGUMENT = re.compile(r"[A-Za-z0-9_-]{1,64}")  # an invitation or link code, or an app's name
_YEAR_OR_PLACE = re.compile(r"\d[\d.]{0,20}")  # a year (2024) or a place's code (35.08.17)


def _one_code(args: tuple[str, ...]) -> bool:
    """One code, or a code typed in pieces ("daftar ACDEF 34679"): pieces that make exactly one code's length, so
    a sentence after "daftar" is not taken for a wrong code."""
    if not all(_CODE_ARGUMENT.fullmatch(a) for a in args):
        return False
    return len(args) <= 1 or (len(args) <= 5 and len("".join(args).replace("-", "")) == CODE_LENGTH)


def _years_or_places(args: tuple[str, ...]) -> bool:
    return len(args) <= 2 and all(_YEAR_OR_PLACE.fullmatch(a) for a in args)


# The commands that take arguments after their word, and what those look like; every other command is its word alone.
# A text whose arguments do not look like these is not a command ("kirim dokumen desa" is not understood, and answered
# with the menu).
ARGUMENTS: dict[str, Callable[[tuple[str, ...]], bool]] = {
    "start": _one_code,  # daftar KODE
    "hubungkan": _one_code,  # hubungkan KODE, hubungkan whatsapp
    "status": _years_or_places,
    "indikator": _years_or_places,
    "rekap": _years_or_places,
    "libur": _years_or_places,
    "tanya": lambda args: True,  # tanya <the question>
}


@functools.cache
def command_words(language: Language) -> dict[str, str]:
    """Each word that means a command (folded to lower case) -> the command's name: every command's own name, and the
    words the catalog gives it (`word.<name>`), so a deployment in another language may add its own."""
    words = {name: name for name in COMMAND_HANDLERS}
    for name in COMMAND_HANDLERS:
        for word in t(f"word.{name}", language).split():
            words.setdefault(word.casefold(), name)
    return words


def command_in(text: str, *, waiting: bool, language: Language) -> tuple[str, tuple[str, ...]] | None:
    """The command a typed text gives, with its arguments, or None when the text is just text. The one rule:

    - a text that starts with "/" and a word is a command, always, mid-conversation too, as a channel's command
      ("/kirim" on Telegram) always is; an unknown one gets the help, as there;
    - otherwise it must be a command's word (`command_words`; any case; a ":" after it is allowed: "Daftar: KODE")
      and nothing else but arguments the command takes (`ARGUMENTS`);
    - "batal" alone always counts; every other word counts only while no step of a conversation waits for text
      (`waiting`: the text is then the answer, e.g. the problem a person reports may be the word "status").
    """
    found = _WORD.match(text.strip())
    if found is None:
        return None
    slash, word = found[1] == "/", found[2].casefold()
    rest = text.strip()[found.end() :]
    if rest and not (rest[0].isspace() or rest[0] == ":" or rest.strip(".!?") == ""):
        return None  # "kirim-dokumen", "status/2024": not a word on its own
    rest = rest.strip().removeprefix(":").strip()
    args = tuple(rest.split()) if rest.strip(".!?") else ()
    name = command_words(language).get(word)
    if slash:
        return name or word, args
    if name is None:
        return None
    if name == "batal":
        return (name, ()) if not args else None
    if waiting or not ARGUMENTS.get(name, lambda a: not a)(args):
        return None
    return name, args


async def run_command(current: Turn, name: str, args: tuple[str, ...]) -> None:
    """Where every way of giving a command meets: its handler, or the help for a name the chat does not know. A
    command that came as a text is from then on that command (its handler reads `current.args`)."""
    incoming = current.incoming
    if not current.pressed and (incoming.command, incoming.args) != (name, args):
        current.incoming = dataclasses.replace(incoming, command=name, args=args, text=None)
    await COMMAND_HANDLERS.get(name, onboarding.bantuan)(current)


async def typed_command(current: Turn) -> None:
    """A channel's command ("/kirim x" on Telegram): its name may be any of the command's words ("/daftar KODE")."""
    typed = current.incoming.command or ""
    await run_command(current, command_words(current.lang).get(typed.casefold(), typed), current.args)


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
    actions.KirimReadRight: lambda c, a: submission.read_right(c),
    actions.KirimReadChange: lambda c, a: submission.read_change(c),
    actions.KirimUseRead: lambda c, a: submission.use_read(c),
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
    actions.UndangChannel: lambda c, a: onboarding.undang_channel(c, a.channel),
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
    actions.RunCommand: lambda c, a: run_command(c, a.name, ()),
    actions.MenuPage: lambda c, a: onboarding.menu_page(c, a.page),
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
    "menu": onboarding.menu,
    "undang": onboarding.undang,
    "kirim": submission.kirim,
    "batal": batal,
    "hubungkan": onboarding.hubungkan,
    "status": status.status,
    "indikator": status.indikator,
    "rekap": status.rekap,
    "dasbor": status.dasbor,
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
        return typed_command
    if incoming.text is not None:
        return on_text
    return unsupported


async def dispatch(core: Conversations, incoming: Incoming, channel: ChannelFacts) -> Outcome:
    """Handle what a person did, on any channel. Files are fetched (and a document read) first, outside the
    transaction (`submission.receive_files`); so are the photos of the pages read when Lanjut is pressed
    (`submission.pages_done`)."""
    if incoming.files and incoming.group is None:
        return await submission.receive_files(core, incoming, channel)
    if incoming.group is None and isinstance(actions.decode_or_none(incoming.choice), actions.KirimPagesDone):
        return await submission.pages_done(core, incoming, channel)  # the photos are read first
    handler = route(incoming)
    if handler is None:
        return Outcome()
    return await core.handle(incoming, channel, handler)
