"""/kirim: a secretary sends a document — choose it, send the file, the tanggal penetapan, the nomor, confirm.

Every step is saved in the person's draft, so a restart (or a weak connection that delivers the next message an hour
later) continues where they were. The file is downloaded at once and stored by content hash.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.app import App
from bot.authz import Action, places
from bot.chat.actions import (
    Accept,
    Cancel,
    KirimDate,
    KirimObligation,
    KirimPagesDone,
    KirimSend,
    KirimSkipNomor,
    Reject,
)
from bot.chat.messages import Incoming, IncomingFile, OutFile
from bot.clock import today
from bot.errors import InputError
from bot.i18n import fmt_date, fmt_datetime
from bot.parsing import limit_text, parse_chat_date
from bot.services.drafts import clear_draft, get_draft, save_draft, step_of_sender
from bot.services.people import people_with_role_covering
from bot.services.submissions import (
    NOMOR_LIMIT,
    Receipt,
    obligation_glance,
    open_obligations,
    submit_from_chat,
)
from bot.storage import sniff_mime_type
from handlers.common import Buttons, ChannelFacts, Conversations, Outcome, Turn
from models.tables import Role

log = logging.getLogger("klambi.handlers")
FLOW = "kirim"
MAX_FILES = 30
SINGLE_FILE_TYPES = {
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def _sekdes_desa(current: Turn) -> list[str]:
    return [g.scope_code for g in places(current.grants, Action.SUBMIT) if g.scope_code]


async def kirim(current: Turn) -> None:
    person = current.require_person()
    if not _sekdes_desa(current):
        raise InputError("chat.not_allowed")
    options = []
    for desa_kode in _sekdes_desa(current):
        options += await open_obligations(current.session, desa_kode)
    if not options:
        current.reply(current.t("kirim.none_open"))
        return
    await save_draft(current.session, person.id, FLOW, "choose", {}, current.app.clock.now())
    several = len({o.desa_kode for o in options}) > 1
    buttons = []
    for o in options:
        mark = current.t("kirim.mark_rejected") if o.rejected else current.t("kirim.mark_waiting") if o.waiting else ""
        label = current.t("kirim.option", doc=o.document_code, ta=o.tahun_anggaran,
                          deadline=fmt_date(o.agreed_date, current.lang), mark=mark)  # fmt: skip
        buttons.append([(f"{o.desa_nama}: {label}" if several else label, KirimObligation(o.obligation_id))])
    current.reply(current.t("kirim.choose"), [*buttons, [(current.t("button.cancel"), Cancel())]])


async def from_reminder(current: Turn, obligation_id: int) -> None:
    """The button under a reminder starts /kirim at its obligation."""
    await save_draft(current.session, current.require_person().id, FLOW, "choose", {}, current.app.clock.now())
    await choose(current, obligation_id)


async def choose(current: Turn, obligation_id: int) -> None:
    """The obligation button: the service-side check is repeated here from the database, not the button."""
    assert current.person is not None
    obligation = await obligation_glance(current.session, obligation_id)
    if obligation is None or obligation.desa_kode not in _sekdes_desa(current):
        raise InputError("chat.not_allowed")
    data = {"obligation_id": obligation.id, "files": []}
    await save_draft(current.session, current.person.id, FLOW, "file", data, current.app.clock.now())
    text = current.t("kirim.send_file", doc=obligation.document_code, ta=obligation.tahun_anggaran,
                     desa=obligation.desa_nama, limit=current.app.settings.storage.max_file_mb)  # fmt: skip
    current.edit_pressed(text)


FILE_STEPS = {
    (FLOW, "file"),
    (FLOW, "more"),
    ("catat", "files"),
    ("umumkan", "text"),
    ("umumkan", "confirm"),
    ("notulen", "text"),
}


async def receive_files(core: Conversations, incoming: Incoming, channel: ChannelFacts) -> Outcome:
    """A document or photo: part of a submission (or a paper record, an announcement) in progress, or a hint to start
    one.

    The file is fetched before the message's transaction opens: a slow download must not hold the database (on
    SQLite, the write lock) while other work waits. The draft is checked again when the file is added to it.
    """
    app = core.app
    async with app.sessions() as session:
        expected = await step_of_sender(session, incoming.sender) in FILE_STEPS
    if not expected:
        return await core.handle(incoming, channel, _file_not_expected)
    try:
        stored = [await download_attachment(app, incoming.channel, f) for f in incoming.files]
    except InputError as problem:
        return await core.handle(incoming, channel, _refuse(problem))

    async def received(current: Turn) -> None:
        for one in stored:
            await _file_received(current, one)

    return await core.handle(incoming, channel, received)


async def _file_not_expected(current: Turn) -> None:
    current.require_person()
    raise InputError("chat.not_understood")


def _refuse(problem: InputError):
    async def refuse(current: Turn) -> None:
        raise problem

    return refuse


async def _file_received(current: Turn, stored: dict) -> None:
    person = current.require_person()
    draft = await get_draft(current.session, person.id)
    if draft is not None and (draft.flow, draft.step) == ("catat", "files"):
        from handlers.desk import catat_file  # a scan for a paper record

        await catat_file(current, stored)
        return
    if draft is not None and draft.flow in ("umumkan", "notulen"):
        from handlers.forum import announcements, meetings  # an announcement's or the notulen's attachment

        caption = (current.incoming.caption or "").strip()
        attach = announcements.umumkan_file if draft.flow == "umumkan" else meetings.notulen_file
        await attach(current, stored, caption or None)
        return
    if draft is None or (draft.flow, draft.step) not in FILE_STEPS:  # cancelled while it downloaded
        raise InputError("chat.not_understood")
    files = add_file(draft.data.get("files", []), stored)
    data = {**draft.data, "files": files}
    now = current.app.clock.now()
    if stored["mime_type"] in SINGLE_FILE_TYPES and len(files) == 1:
        await save_draft(current.session, current.person.id, FLOW, "date", data, now)
        _ask_date(current)
        return
    await save_draft(current.session, current.person.id, FLOW, "more", data, now)
    current.reply(
        current.t("kirim.file_received", count=len(files)),
        [[(current.t("button.next"), KirimPagesDone()), (current.t("button.cancel"), Cancel())]],
    )


def add_file(files: list[dict], stored: dict) -> list[dict]:
    """One kind of file per version: a single PDF or DOCX, or up to MAX_FILES photos of its pages."""
    if files and SINGLE_FILE_TYPES & {stored["mime_type"], files[0]["mime_type"]}:
        raise InputError("kirim.one_kind")
    if len(files) >= MAX_FILES:
        raise InputError("kirim.too_many_files", limit=MAX_FILES)
    return [*files, stored]


async def download_attachment(app: App, channel: str, attachment: IncomingFile) -> dict:
    """Fetch the file at once (a channel's link expires) and store it by content hash, checking size and type.

    `kind` is how it came, "document" or "photo": a file is sent on the same way (Telegram refuses a document's
    file_id in sendPhoto). Sniffing and storing run in a worker thread, never on the event loop.
    """
    limit = app.settings.storage.max_file_mb * 2**20
    announced = attachment.size or 0
    if announced > limit:
        raise InputError("kirim.too_big", size=f"{announced / 2**20:.1f}".replace(".", ","), limit=limit // 2**20)
    incoming = app.files.root / "incoming"
    incoming.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=incoming) as folder:
        target = Path(folder) / "upload"
        await attachment.fetch(target, limit)
        mime_type = await asyncio.to_thread(sniff_mime_type, target)
        if mime_type is None:
            raise InputError("kirim.wrong_type")
        stored = await asyncio.to_thread(app.files.store, target, mime_type)
    return {
        "sha256": stored.sha256,
        "stored_path": stored.relative_path,
        "mime_type": stored.mime_type,
        "size_bytes": stored.size_bytes,
        "original_name": (attachment.name or "")[:255] or None,
        # the submission_file column caches Telegram's id of the file, to show it again without uploading
        "telegram_file_id": attachment.channel_file_id if channel == "telegram" else None,
        "kind": attachment.kind,
    }


def _ask_date(current: Turn) -> None:
    current.reply(
        current.t("kirim.ask_date"),
        [[(current.t("button.today"), KirimDate(0)), (current.t("button.yesterday"), KirimDate(1))],
         [(current.t("button.cancel"), Cancel())]],
    )  # fmt: skip


async def next_step(current: Turn) -> None:
    """'Lanjut' after the pages."""
    draft = await _draft_at(current, "more")
    await save_draft(current.session, draft.person_id, FLOW, "date", draft.data, current.app.clock.now())
    current.mark_pressed(current.t("chat.files_chosen", count=len(draft.data.get("files", []))))
    _ask_date(current)


async def date_button(current: Turn, days_back: int) -> None:
    draft = await _draft_at(current, "date")
    today = await obligation_today(current, draft.data["obligation_id"])
    chosen = today - timedelta(days=1 if days_back == 1 else 0)
    current.mark_pressed(f"➡️ {fmt_date(chosen, current.lang)}")
    await _set_date(current, draft.data, chosen)


async def date_text(current: Turn, text: str) -> None:
    draft = await _draft_at(current, "date")
    chosen = parse_chat_date(text)
    if chosen > await obligation_today(current, draft.data["obligation_id"]):
        raise InputError("error.future_date_chat")
    await _set_date(current, draft.data, chosen)


async def _set_date(current: Turn, data: dict, chosen: date) -> None:
    assert current.person is not None
    data = {**data, "penetapan": chosen.isoformat()}
    await save_draft(current.session, current.person.id, FLOW, "nomor", data, current.app.clock.now())
    current.reply(
        current.t("kirim.ask_nomor"),
        [[(current.t("button.skip"), KirimSkipNomor()), (current.t("button.cancel"), Cancel())]],
    )


async def nomor_text(current: Turn, text: str | None) -> None:
    draft = await _draft_at(current, "nomor")
    nomor = limit_text("Nomor", text, NOMOR_LIMIT) if text else None
    data = {**draft.data, "nomor": nomor}
    await save_draft(current.session, draft.person_id, FLOW, "confirm", data, current.app.clock.now())
    obligation = await obligation_glance(current.session, data["obligation_id"])
    assert obligation is not None
    if text is None:
        current.mark_pressed("➡️ —")
    summary = current.t(
        "kirim.summary",
        doc=obligation.document_code,
        ta=obligation.tahun_anggaran,
        desa=obligation.desa_nama,
        files=len(data["files"]),
        penetapan=fmt_date(date.fromisoformat(data["penetapan"]), current.lang),
        nomor=nomor or "—",
    )
    current.reply(summary, [[(current.t("button.send"), KirimSend()), (current.t("button.cancel"), Cancel())]])


async def confirm(current: Turn) -> None:
    """Kirim: the version is received now. A second press finds no draft and is told the button is stale."""
    draft = await _draft_at(current, "confirm")
    assert current.person is not None
    data = draft.data
    receipt = await submit_from_chat(
        current.session, current.person, current.grants, data["obligation_id"], data["files"],
        date.fromisoformat(data["penetapan"]), data.get("nomor"), current.app.clock.now(),
        actor=current.actor, reminders=current.app.settings.reminders,
    )  # fmt: skip
    await clear_draft(current.session, current.person.id)
    current.mark_pressed(current.t("kirim.sent"))
    current.reply(_receipt_text(current, receipt))
    await _alert_staf(current, receipt, data["files"])


def _receipt_text(current: Turn, receipt: Receipt) -> str:
    return current.t(
        "receipt.text",
        number=receipt.number,
        doc=receipt.document_code,
        ta=receipt.tahun_anggaran,
        desa=receipt.desa_nama,
        version=receipt.version,
        received=fmt_datetime(receipt.received_at, current.lang),
        zone=receipt.zone,
        penetapan=fmt_date(receipt.tanggal_penetapan, current.lang),
        nomor=receipt.nomor or "—",
        deadline=fmt_date(receipt.legal_deadline, current.lang),
        verdict=current.t("receipt.on_time" if receipt.on_time else "receipt.late"),
    )


async def _alert_staf(current: Turn, receipt: Receipt, files: list[dict]) -> None:
    """Every staf of the kecamatan gets the files and the Terima / Tolak buttons."""
    staf = await people_with_role_covering(current.session, {Role.STAF}, receipt.desa_kode)
    assert current.person is not None
    text = alert_text(current, receipt.document_code, receipt.tahun_anggaran, receipt.desa_nama, receipt.version,
                      current.person.name, receipt.received_at, receipt.zone, receipt.tanggal_penetapan, receipt.nomor,
                      len(files), receipt.on_time)  # fmt: skip
    buttons = verdict_buttons(current, receipt.submission_id)
    for person in staf:
        current.tell(person, text, buttons, [OutFile.stored(f) for f in files], about=f"alert:{receipt.submission_id}",
                     kecamatan_kode=receipt.kecamatan_kode, role=Role.STAF.value)  # fmt: skip


def alert_text(current: Turn, doc, ta, desa, version, sender, received, zone, penetapan, nomor, files, on_time) -> str:
    return current.t(
        "verif.alert", doc=doc, ta=ta, desa=desa, version=version, sender=sender or "—",
        received=fmt_datetime(received, current.lang), zone=zone, penetapan=fmt_date(penetapan, current.lang),
        nomor=nomor or "—", files=files, verdict=current.t("receipt.on_time" if on_time else "receipt.late"),
    )  # fmt: skip


def verdict_buttons(current: Turn, submission_id: int) -> Buttons:
    return [[(current.t("button.accept"), Accept(submission_id)), (current.t("button.reject"), Reject(submission_id))]]


async def _draft_at(current: Turn, step: str):
    if current.person is None:
        raise InputError("chat.unknown_person")
    draft = await get_draft(current.session, current.person.id)
    if draft is None or draft.flow != FLOW or draft.step != step:
        raise InputError("chat.stale_button")
    return draft


async def obligation_today(current: Turn, obligation_id: int) -> date:
    """Today where the obligation's desa is."""
    obligation = await obligation_glance(current.session, obligation_id)
    assert obligation is not None
    return today(current.app.clock, ZoneInfo(obligation.timezone))
