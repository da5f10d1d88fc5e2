"""/kirim: a secretary sends a document — choose it, send the file, the tanggal penetapan, the nomor, confirm.

Every step is saved in the person's draft, so a restart (or a weak connection that delivers the next message an hour
later) continues where they were. The file is downloaded at once and stored by content hash.

The bot reads the document (docs/domain.md, "Reading a document"): a PDF or DOCX as it arrives, photos of pages when
Lanjut is pressed, both before the step's transaction and off the event loop (`app.reader`). It proposes what it read
("Saya membaca: … Benar?"), warns when the file seems to be another document, year or desa than the one chosen, or
says another date or nomor than the one typed, and lets the secretary choose; what she confirms or types is what
counts. Staf see in the alert what was read and where it differs.
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
    KirimReadChange,
    KirimReadRight,
    KirimSend,
    KirimSkipNomor,
    KirimUseRead,
    Reject,
)
from bot.chat.messages import Incoming, IncomingFile, OutFile
from bot.clock import today
from bot.errors import InputError
from bot.i18n import doc_label, fmt_date, fmt_datetime
from bot.parsing import limit_text, parse_chat_date
from bot.reading import DOCUMENTS, Reading, normalise_nomor
from bot.services.drafts import clear_draft, draft_of_sender, get_draft, save_draft, step_of_sender
from bot.services.people import people_with_role_covering
from bot.services.submissions import (
    NOMOR_LIMIT,
    Receipt,
    obligation_glance,
    open_obligations,
    submit_from_chat,
)
from bot.storage import sniff_mime_type
from bot.wilayah import fold_name
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
        step = await step_of_sender(session, incoming.sender)
    if step not in FILE_STEPS:
        return await core.handle(incoming, channel, _file_not_expected)
    try:
        stored = [await download_attachment(app, incoming.channel, f) for f in incoming.files]
    except InputError as problem:
        return await core.handle(incoming, channel, _refuse(problem))
    reading = None
    if step == (FLOW, "file") and len(stored) == 1 and stored[0]["mime_type"] in SINGLE_FILE_TYPES:
        reading = await read_stored(app, stored)  # a whole document: read now, outside the transaction

    async def received(current: Turn) -> None:
        for one in stored:
            await _file_received(current, one, reading)

    return await core.handle(incoming, channel, received)


async def _file_not_expected(current: Turn) -> None:
    current.require_person()
    raise InputError("chat.not_understood")


def _refuse(problem: InputError):
    async def refuse(current: Turn) -> None:
        raise problem

    return refuse


async def read_stored(app: App, files: list[dict]) -> Reading | None:
    """What the stored files say, as the pages of one document; None when nothing could be read."""
    return await app.reader.read([app.files.path_of(f["stored_path"]) for f in files])


async def pages_done(core: Conversations, incoming: Incoming, channel: ChannelFacts) -> Outcome:
    """'Lanjut' after the photos of the pages: they are read (OCR) first, outside the transaction, as a file is
    fetched; the step itself checks the draft again."""
    async with core.app.sessions() as session:
        found = await draft_of_sender(session, incoming.sender)
    reading = None
    if found is not None and found[:2] == (FLOW, "more") and found[2].get("files"):
        reading = await read_stored(core.app, found[2]["files"])

    async def pages_read(current: Turn) -> None:
        await next_step(current, reading)

    return await core.handle(incoming, channel, pages_read)


APP_NAMES = {"telegram": "Telegram", "whatsapp": "WhatsApp"}


async def _file_received(current: Turn, stored: dict, reading: Reading | None = None) -> None:
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
        await _propose(current, data, reading)
        return
    await save_draft(current.session, current.person.id, FLOW, "more", data, now)
    text = current.t("kirim.file_received", count=len(files))
    if len(files) == 1 and stored.get("kind") == "photo":  # the app shrank it: a scan reads better as a document
        app = APP_NAMES.get(current.channel.name, current.t("kirim.photo_app"))
        text = f"{text}\n\n{current.t('kirim.photo_hint', app=app)}"
    current.reply(text, [[(current.t("button.next"), KirimPagesDone()), (current.t("button.cancel"), Cancel())]])


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


def _ask_date(current: Turn, before: list[str] | None = None) -> None:
    current.reply(
        "\n\n".join([*(before or []), current.t("kirim.ask_date")]),
        [[(current.t("button.today"), KirimDate(0)), (current.t("button.yesterday"), KirimDate(1))],
         [(current.t("button.cancel"), Cancel())]],
    )  # fmt: skip


async def next_step(current: Turn, reading: Reading | None = None) -> None:
    """'Lanjut' after the pages (read by `pages_done` before this transaction)."""
    draft = await _draft_at(current, "more")
    current.mark_pressed(current.t("chat.files_chosen", count=len(draft.data.get("files", []))))
    await _propose(current, draft.data, reading)


# --- what the file says ---------------------------------------------------------------------------------------------


async def _propose(current: Turn, data: dict, reading: Reading | None) -> None:
    """After the file(s): propose the date and nomor read from them (Benar / Ubah), with a warning first when the file
    seems to be another document, year or desa; without a date read, ask for it as before."""
    assert current.person is not None
    now = current.app.clock.now()
    if reading is None:  # nothing read (reading off, or the file said nothing): the date is asked, as before
        await save_draft(current.session, current.person.id, FLOW, "date", {**data, "read": None}, now)
        _ask_date(current)
        return
    obligation = await obligation_glance(current.session, data["obligation_id"])
    assert obligation is not None
    data = {**data, "read": reading.as_json()}
    warnings = _other_document(current, obligation, reading)
    penetapan = _readable_date(reading, today(current.app.clock, ZoneInfo(obligation.timezone)))
    if penetapan is None:
        await save_draft(current.session, current.person.id, FLOW, "date", data, now)
        _ask_date(current, warnings)
        return
    await save_draft(current.session, current.person.id, FLOW, "read", data, now)
    what = _read_words(current, obligation.document_code, reading.nomor, penetapan)
    current.reply(
        "\n\n".join([*warnings, current.t("kirim.read_proposal", what=what)]),
        [[(current.t("button.read_right"), KirimReadRight()), (current.t("button.read_change"), KirimReadChange())],
         [(current.t("button.cancel"), Cancel())]],
    )  # fmt: skip


def _readable_date(reading: Reading | None, today_there: date) -> date | None:
    """The date read, when it can be the tanggal penetapan: not in the future."""
    if reading is None or reading.tanggal_penetapan is None or reading.tanggal_penetapan > today_there:
        return None
    return reading.tanggal_penetapan


def _read_words(current: Turn, document_code: str, nomor: str | None, penetapan: date | None) -> str:
    """The words of a proposal: Perdes Nomor 5 Tahun 2024, ditetapkan 27 September 2024 (a report: laporan …)."""
    parts = []
    if nomor:
        number, _, year = nomor.partition("/")
        perdes = document_code != "LPPDES" and number.isdigit() and year.isdigit()
        parts.append(current.t("kirim.read_perdes", number=number, year=year) if perdes
                     else current.t("kirim.read_nomor", nomor=nomor))  # fmt: skip
    if penetapan is not None:
        key = "kirim.read_dated" if document_code == "LPPDES" else "kirim.read_established"
        parts.append(current.t(key, date=fmt_date(penetapan, current.lang)))
    return ", ".join(parts)


def _document_words(document: str | None, tahun_anggaran: int | None, current: Turn) -> str:
    label = doc_label(document) if document else current.t("kirim.read_some_document")
    return f"{label} TA {tahun_anggaran}" if tahun_anggaran else label


def _mismatches(
    reading: Reading,
    document_code: str,
    tahun_anggaran: int,
    desa_nama: str,
    given: tuple[date, str | None] | None = None,
) -> set[str]:
    """Where the file disagrees with the obligation chosen ("document": another document or year; "desa") and, once
    the secretary gave them, with her tanggal penetapan and nomor ("date", "nomor"). The one rule the secretary's
    warnings and the staf's alert both say."""
    found = set()
    if document_code in DOCUMENTS and (
        (reading.document is not None and reading.document != document_code)
        or (reading.tahun_anggaran is not None and reading.tahun_anggaran != tahun_anggaran)
    ):
        found.add("document")
    if reading.desa_nama is not None and fold_name(reading.desa_nama) != fold_name(desa_nama):
        found.add("desa")
    if given is not None:
        penetapan, nomor = given
        if reading.tanggal_penetapan is not None and reading.tanggal_penetapan != penetapan:
            found.add("date")
        if reading.nomor is not None and not _same_nomor(nomor, reading.nomor):
            found.add("nomor")
    return found


def _other_document(current: Turn, obligation, reading: Reading | None) -> list[str]:
    """Warnings when the file seems to be another document or year than chosen, or of another desa."""
    if reading is None:
        return []
    differ = _mismatches(reading, obligation.document_code, obligation.tahun_anggaran, obligation.desa_nama)
    warnings = []
    if "document" in differ:
        found = _document_words(reading.document, reading.tahun_anggaran, current)
        chosen = _document_words(obligation.document_code, obligation.tahun_anggaran, current)
        warnings.append(current.t("kirim.read_other_document", found=found, chosen=chosen))
    if "desa" in differ:
        warnings.append(current.t("kirim.read_other_desa", found=reading.desa_nama, chosen=obligation.desa_nama))
    return warnings


def _same_nomor(typed: str | None, read: str) -> bool:
    return typed is not None and (normalise_nomor(typed) or fold_name(typed)) == read


def _typed_differs(current: Turn, obligation, data: dict, reading: Reading | None) -> list[str]:
    """Where what the secretary gave differs from what the file says."""
    if reading is None:
        return []
    typed_date = date.fromisoformat(data["penetapan"])
    differ = _mismatches(reading, obligation.document_code, obligation.tahun_anggaran, obligation.desa_nama,
                         (typed_date, data.get("nomor")))  # fmt: skip
    lines = []
    if "date" in differ:
        lines.append(current.t("kirim.read_differs_date", typed=fmt_date(typed_date, current.lang),
                               read=fmt_date(reading.tanggal_penetapan, current.lang)))  # fmt: skip
    if "nomor" in differ:
        lines.append(current.t("kirim.read_differs_nomor", typed=data.get("nomor") or "—", read=reading.nomor))
    return lines


def _reading_of(data: dict) -> Reading | None:
    return Reading.from_json(data["read"]) if data.get("read") else None


async def read_right(current: Turn) -> None:
    """Benar: the date and nomor read are the ones given."""
    draft = await _draft_at(current, "read")
    reading = _reading_of(draft.data)
    penetapan = _readable_date(reading, await obligation_today(current, draft.data["obligation_id"]))
    if reading is None or penetapan is None:
        raise InputError("chat.stale_button")
    current.mark_pressed(f"➡️ {current.t('button.read_right')}")
    await _summarise(current, {**draft.data, "penetapan": penetapan.isoformat(), "nomor": reading.nomor})


async def read_change(current: Turn) -> None:
    """Ubah: the secretary types the date and the nomor herself."""
    draft = await _draft_at(current, "read")
    await save_draft(current.session, draft.person_id, FLOW, "date", draft.data, current.app.clock.now())
    current.mark_pressed(f"➡️ {current.t('button.read_change')}")
    _ask_date(current)


async def read_typed(current: Turn, text: str) -> None:
    """A date typed instead of pressing Benar or Ubah: it is the date given (as after Ubah)."""
    draft = await _draft_at(current, "read")
    await save_draft(current.session, draft.person_id, FLOW, "date", draft.data, current.app.clock.now())
    await date_text(current, text)


async def use_read(current: Turn) -> None:
    """At the summary: take the date and nomor the file says instead of what was typed."""
    draft = await _draft_at(current, "confirm")
    reading = _reading_of(draft.data)
    if reading is None:
        raise InputError("chat.stale_button")
    data = dict(draft.data)
    penetapan = _readable_date(reading, await obligation_today(current, data["obligation_id"]))
    if penetapan is not None:
        data["penetapan"] = penetapan.isoformat()
    if reading.nomor is not None:
        data["nomor"] = reading.nomor
    current.mark_pressed(f"➡️ {current.t('button.use_read')}")
    await _summarise(current, data)


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
    if text is None:
        current.mark_pressed("➡️ —")
    await _summarise(current, {**draft.data, "nomor": nomor})


async def _summarise(current: Turn, data: dict) -> None:
    """The summary before Kirim, with what the file says where it differs (and the choice to take the file's)."""
    assert current.person is not None
    await save_draft(current.session, current.person.id, FLOW, "confirm", data, current.app.clock.now())
    obligation = await obligation_glance(current.session, data["obligation_id"])
    assert obligation is not None
    summary = current.t(
        "kirim.summary",
        doc=obligation.document_code,
        ta=obligation.tahun_anggaran,
        desa=obligation.desa_nama,
        files=len(data["files"]),
        penetapan=fmt_date(date.fromisoformat(data["penetapan"]), current.lang),
        nomor=data.get("nomor") or "—",
    )
    reading = _reading_of(data)
    differs = _typed_differs(current, obligation, data, reading)
    warnings = _other_document(current, obligation, reading)
    row = [(current.t("button.send"), KirimSend())]
    if differs:
        row.append((current.t("button.use_read"), KirimUseRead()))
        differs.append(current.t("kirim.read_which"))
    current.reply("\n\n".join([*warnings, summary, *differs]), [row, [(current.t("button.cancel"), Cancel())]])


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
    await _alert_staf(current, receipt, data["files"], _reading_of(data))


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


async def _alert_staf(current: Turn, receipt: Receipt, files: list[dict], reading: Reading | None) -> None:
    """Every staf of the kecamatan gets the files and the Terima / Tolak buttons, and what the file says."""
    staf = await people_with_role_covering(current.session, {Role.STAF}, receipt.desa_kode)
    assert current.person is not None
    text = alert_text(current, receipt.document_code, receipt.tahun_anggaran, receipt.desa_nama, receipt.version,
                      current.person.name, receipt.received_at, receipt.zone, receipt.tanggal_penetapan, receipt.nomor,
                      len(files), receipt.on_time)  # fmt: skip
    text = "\n".join([text, *_read_for_staf(current, receipt, reading)])
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


def _read_for_staf(current: Turn, receipt: Receipt, reading: Reading | None) -> list[str]:
    """Terbaca dari berkas: … and, where it differs from what the sender gave, what she gave."""
    if reading is None:
        return []
    parts = []
    if reading.document is not None or reading.tahun_anggaran is not None:
        parts.append(_document_words(reading.document, reading.tahun_anggaran, current))
    if reading.nomor is not None:
        parts.append(current.t("kirim.read_nomor", nomor=reading.nomor))
    if reading.tanggal_penetapan is not None:
        key = "kirim.read_dated" if receipt.document_code == "LPPDES" else "kirim.read_established"
        parts.append(current.t(key, date=fmt_date(reading.tanggal_penetapan, current.lang)))
    if reading.desa_nama is not None:
        parts.append(f"Desa {reading.desa_nama}")
    if not parts:
        return []
    differ = _mismatches(reading, receipt.document_code, receipt.tahun_anggaran, receipt.desa_nama,
                         (receipt.tanggal_penetapan, receipt.nomor))  # fmt: skip
    differs = []
    if "date" in differ:
        differs.append(current.t("verif.read_differs_date", typed=fmt_date(receipt.tanggal_penetapan, current.lang)))
    if "nomor" in differ:
        differs.append(current.t("verif.read_differs_nomor", typed=receipt.nomor or "—"))
    if "document" in differ:
        chosen = _document_words(receipt.document_code, receipt.tahun_anggaran, current)
        differs.append(current.t("verif.read_differs_document", chosen=chosen))
    if "desa" in differ:
        differs.append(current.t("verif.read_differs_desa", chosen=receipt.desa_nama))
    lines = [current.t("verif.read", what=" · ".join(parts))]
    if differs:
        lines.append(current.t("verif.read_differs", what="; ".join(differs)))
    return lines


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
