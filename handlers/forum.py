"""The forum in the chat: /umumkan and /pengumuman, /kendala, /tanya, /rapat and /agenda, and the buttons on what they
send (Sudah dibaca, Jawab, Tutup, Hadir / Tidak hadir).

Steps live in the person's draft; every button carries ids only, and the services check the authorization table again.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.authz import Action, allowed, places
from bot.errors import InputError
from bot.i18n import doc_label, fmt_datetime
from bot.parsing import parse_chat_datetime, whole_number
from bot.services import forum
from bot.services.audit import Actor
from bot.services.drafts import clear_draft, get_draft, save_draft
from bot.services.people import desa_of_grants
from bot.services.submissions import open_obligations, zone_label
from handlers.common import Turn, turn
from models.tables import Announcement, Desa, Kecamatan, Person, Role, ScopeKind, ThreadKind

CANCEL = "batal"
LISTED = 20


def _cancel_row(current: Turn) -> list[tuple[str, str]]:
    return [(current.t("button.cancel"), CANCEL)]


async def _draft(current: Turn, flow: str, step: str):
    draft = await get_draft(current.session, current.require_person().id)
    if draft is None or (draft.flow, draft.step) != (flow, step):
        raise InputError("chat.stale_button")
    return draft


async def _save(current: Turn, flow: str, step: str, data: dict) -> None:
    await save_draft(current.session, current.require_person().id, flow, step, data, current.app.clock.now())


async def _desa_for(current: Turn, action: Action) -> list[Desa]:
    """The desa where this person may do `action`, by code."""
    roles = {Role.STAF, Role.CAMAT, Role.ADMIN, Role.SEKDES, Role.PENDAMPING}
    desa = await desa_of_grants(current.session, places(current.grants, action), roles)
    return [d for d in desa if allowed(current.grants, action, d.kode)]


def _audience_keyboard(
    current: Turn, desa: list[Desa], chosen: list[str], prefix: str, roles: list[str] | None = None
) -> list[list[tuple[str, str]]]:
    """Toggles: (roles,) all desa, each desa; then Next and Cancel."""
    rows: list[list[tuple[str, str]]] = []
    if roles is not None:
        rows.append(
            [(("☑️ " if r in roles else "⬜ ") + current.t(f"role.{r}"), f"{prefix}:r:{r}") for r in forum.FIELD_ROLES]
        )
    everyone = len(chosen) == len(desa)
    rows.append([(("☑️ " if everyone else "⬜ ") + current.t("forum.all_desa", count=len(desa)), f"{prefix}:a")])
    toggles = [(("☑️ " if d.kode in chosen else "⬜ ") + d.nama, f"{prefix}:t:{d.kode}") for d in desa[:40]]
    rows += [toggles[i : i + 2] for i in range(0, len(toggles), 2)]
    rows.append([(current.t("button.next"), f"{prefix}:g"), (current.t("button.cancel"), CANCEL)])
    return rows


def _toggle(chosen: list[str], desa: list[Desa], code: str | None) -> list[str]:
    codes = [d.kode for d in desa]
    if code is None:  # all
        return [] if len(chosen) == len(codes) else codes
    if code not in codes:
        raise InputError("chat.not_allowed")
    return [c for c in codes if (c in chosen) != (c == code)]


def _names(desa: list[Desa], chosen: list[str], current: Turn) -> str:
    """'Semua desa (6)' when `chosen` is every desa of the kecamatan (`desa`), else their names."""
    if set(chosen) == {d.kode for d in desa}:
        return current.t("forum.all_desa", count=len(desa))
    return ", ".join(d.nama for d in desa if d.kode in chosen)


# --- /umumkan: an announcement ----------------------------------------------------------------------------------


@turn
async def umumkan(current: Turn) -> None:
    current.require_person()
    desa = await _desa_for(current, Action.ANNOUNCE)
    if not desa:
        raise InputError("chat.not_allowed")
    kecamatan = sorted({d.kecamatan_kode for d in desa})
    if len(kecamatan) > 1:
        names = {k.kode: k.nama for k in await current.session.scalars(select(Kecamatan).where(
            Kecamatan.kode.in_(kecamatan)))}  # fmt: skip
        await _save(current, "umumkan", "kecamatan", {})
        buttons = [[(names[k], f"n:k:{k}")] for k in kecamatan]
        current.reply(current.t("umumkan.choose_kecamatan"), [*buttons, _cancel_row(current)])
        return
    await _start_announcement(current, kecamatan[0], desa)


async def umumkan_kecamatan(current: Turn, kode: str) -> None:
    await _draft(current, "umumkan", "kecamatan")
    desa = await _desa_for(current, Action.ANNOUNCE)
    if kode not in {d.kecamatan_kode for d in desa}:
        raise InputError("chat.not_allowed")
    current.mark_pressed("➡️ " + kode)
    await _start_announcement(current, kode, desa)


async def _start_announcement(current: Turn, kecamatan: str, desa: list[Desa]) -> None:
    codes = [d.kode for d in desa if d.kecamatan_kode == kecamatan]
    await _save(current, "umumkan", "text", {"kecamatan": kecamatan, "chosen": codes, "attachment": None})
    kec = await current.session.get(Kecamatan, kecamatan)
    assert kec is not None
    current.reply(
        current.t("umumkan.ask_text", kecamatan=kec.nama, limit=forum.ANNOUNCEMENT_LIMIT), [_cancel_row(current)]
    )


async def _announce_desa(current: Turn, kecamatan: str) -> list[Desa]:
    return [d for d in await _desa_for(current, Action.ANNOUNCE) if d.kecamatan_kode == kecamatan]


async def umumkan_text(current: Turn, text: str) -> None:
    draft = await _draft(current, "umumkan", "text")
    if len(text) > forum.ANNOUNCEMENT_LIMIT:
        raise InputError("error.text_too_long", option="Pengumuman", limit=forum.ANNOUNCEMENT_LIMIT)
    data = {**draft.data, "text": text}
    desa = await _announce_desa(current, data["kecamatan"])
    if len(desa) == 1:  # a pendamping of one desa: nothing to choose
        await _confirm_announcement(current, data)
        return
    await _save(current, "umumkan", "audience", data)
    current.reply(current.t("umumkan.choose_audience"), _audience_keyboard(current, desa, data["chosen"], "n"))


async def umumkan_toggle(current: Turn, code: str | None) -> None:
    draft = await _draft(current, "umumkan", "audience")
    desa = await _announce_desa(current, draft.data["kecamatan"])
    chosen = _toggle(draft.data["chosen"], desa, code)
    await _save(current, "umumkan", "audience", {**draft.data, "chosen": chosen})
    current.edit_pressed(current.t("umumkan.choose_audience"), _audience_keyboard(current, desa, chosen, "n"))


async def umumkan_next(current: Turn) -> None:
    draft = await _draft(current, "umumkan", "audience")
    if not draft.data["chosen"]:
        raise InputError("forum.no_desa_chosen")
    everything = await forum.kecamatan_desa(current.session, draft.data["kecamatan"])
    current.edit_pressed("➡️ " + _names(everything, draft.data["chosen"], current))
    await _confirm_announcement(current, draft.data)


async def _confirm_announcement(current: Turn, data: dict) -> None:
    await _save(current, "umumkan", "confirm", data)
    audience = await forum.members(current.session, data["chosen"])
    audience = [m for m in audience if m.person.id != current.require_person().id]
    reachable = sum(m.reachable for m in audience)
    kecamatan = await current.session.get(Kecamatan, data["kecamatan"])
    assert kecamatan is not None
    everything = await forum.kecamatan_desa(current.session, kecamatan.kode)
    whole = set(data["chosen"]) == {d.kode for d in everything}
    lines = [
        current.t("umumkan.check"),
        "",
        data["text"],
        "",
        current.t("umumkan.audience", names=_names(everything, data["chosen"], current), reachable=reachable,
                  unreachable=len(audience) - reachable),
    ]  # fmt: skip
    if whole and kecamatan.forum_chat_id is not None:
        lines.append(current.t("umumkan.with_forum"))
    if data.get("attachment"):
        lines.append(current.t("umumkan.with_file", name=data["attachment"].get("original_name") or "foto"))
    else:
        lines.append(current.t("umumkan.may_attach"))
    current.reply("\n".join(lines), [[(current.t("button.send"), "n:s"), (current.t("button.cancel"), CANCEL)]])


async def umumkan_file(current: Turn, stored: dict, caption: str | None) -> None:
    """A file for the announcement: with its caption as the text, before the text, or added at the check."""
    person = current.require_person()
    draft = await get_draft(current.session, person.id)
    if draft is None or draft.flow != "umumkan" or draft.step not in ("text", "confirm"):
        raise InputError("chat.not_understood")
    data = {**draft.data, "attachment": stored}
    if draft.step == "confirm":
        await _confirm_announcement(current, data)
    elif caption:
        await _save(current, "umumkan", "text", data)
        await umumkan_text(current, caption)
    else:
        await _save(current, "umumkan", "text", data)
        current.reply(current.t("umumkan.file_then_text"), [_cancel_row(current)])


async def umumkan_send(current: Turn) -> None:
    draft = await _draft(current, "umumkan", "confirm")
    person = current.require_person()
    data = draft.data
    result = await forum.create_announcement(
        current.session, person, current.grants, data["kecamatan"], data["text"], data["chosen"],
        data.get("attachment"), current.app.clock.now(),
        actor=Actor(current.person.id, "telegram"),
    )  # fmt: skip
    await clear_draft(current.session, person.id)
    current.mark_pressed(current.t("umumkan.queued_mark"))
    forum_line = current.t("umumkan.forum_line") if result.forum else ""
    current.reply(
        current.t("umumkan.queued", number=result.announcement.id, count=result.queued,
                  unreachable=result.unreachable, forum=forum_line)
    )  # fmt: skip


async def umumkan_read(current: Turn, announcement_id: str) -> None:
    """'Sudah dibaca' under an announcement."""
    number = whole_number(announcement_id)
    if number is None:
        raise InputError("chat.stale_button")
    first = await forum.acknowledge(current.session, number, current.require_person(), current.app.clock.now())
    current.callback_answer = current.t("umumkan.read_thanks" if first else "umumkan.read_already")
    query = current.update.callback_query
    message = query.message if query else None
    if first and message is not None:
        current.later(lambda bot: bot.edit_message_reply_markup(message.chat.id, message.message_id, reply_markup=None))


@turn
async def pengumuman(current: Turn) -> None:
    """The sender's view: recent announcements, each with who received and who read it."""
    person = current.require_person()
    if not places(current.grants, Action.ANNOUNCE):
        raise InputError("chat.not_allowed")
    found = await forum.recent_announcements(current.session, person, current.grants)
    if not found:
        current.reply(current.t("pengumuman.none"))
        return
    lines, buttons = [current.t("pengumuman.title")], []
    for announcement in found:
        counts = {"read": 0, "sent": 0, "queued": 0, "unreachable": 0}
        for delivery in await forum.deliveries(current.session, announcement.id):
            counts[delivery.state] += 1
        when = _when(current, announcement.created_at, await _tz(current, announcement.kecamatan_kode))
        lines += ["", current.t("pengumuman.line", number=announcement.id, when=when, text=_short(announcement.text),
                                total=sum(counts.values()), **counts)]  # fmt: skip
        buttons.append([(current.t("button.details", number=announcement.id), f"n:d:{announcement.id}")])
    current.reply("\n".join(lines), buttons)


async def pengumuman_detail(current: Turn, announcement_id: str) -> None:
    person = current.require_person()
    number = whole_number(announcement_id)
    announcement = await current.session.get(Announcement, number) if number is not None else None
    if announcement is None or not await forum.may_see_announcement(
        current.session, announcement, person, current.grants
    ):
        raise InputError("chat.not_allowed")
    tz = await _tz(current, announcement.kecamatan_kode)
    lines = [current.t("pengumuman.detail_title", number=announcement.id, text=_short(announcement.text))]
    deliveries = await forum.deliveries(current.session, announcement.id)
    for d in deliveries:
        read = fmt_datetime(d.read_at.astimezone(tz), current.lang) if d.read_at else ""
        lines.append(current.t(f"pengumuman.state.{d.state}", name=d.name, role=current.t(f"role.{d.role}"),
                               desa=d.desa, read=read))  # fmt: skip
    reached = {d.desa for d in deliveries}
    desa = await current.session.scalars(select(Desa).where(Desa.kode.in_(announcement.desa_codes)).order_by(Desa.kode))
    nobody = [d.nama for d in desa if d.nama not in reached]
    if nobody:
        lines.append(current.t("pengumuman.nobody", names=", ".join(nobody)))
    if announcement.to_forum:
        lines.append(current.t("pengumuman.forum"))
    current.reply("\n".join(lines))


async def _tz(current: Turn, kecamatan_kode: str) -> ZoneInfo:
    kecamatan = await current.session.get(Kecamatan, kecamatan_kode)
    return ZoneInfo(kecamatan.timezone if kecamatan else "Asia/Jakarta")


def _when(current: Turn, moment: datetime, tz: ZoneInfo) -> str:
    return fmt_datetime(moment.astimezone(tz), current.lang)


def _short(text: str, limit: int = 60) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


# --- /kendala and /tanya: problems and questions ------------------------------------------------------------------


@turn
async def kendala(current: Turn) -> None:
    current.require_person()
    if places(current.grants, Action.ANSWER):
        await _list_threads(current, ThreadKind.KENDALA)
        return
    desa = await _desa_for(current, Action.RAISE)
    if not desa:
        raise InputError("chat.not_allowed")
    if len(desa) > 1:
        await _save(current, "kendala", "desa", {})
        current.reply(current.t("desk.choose_desa"), [*[[(d.nama, f"kd:d:{d.kode}")] for d in desa],
                                                       _cancel_row(current)])  # fmt: skip
        return
    await _kendala_documents(current, desa[0])


async def kendala_desa(current: Turn, kode: str) -> None:
    await _draft(current, "kendala", "desa")
    desa = {d.kode: d for d in await _desa_for(current, Action.RAISE)}
    if kode not in desa:
        raise InputError("chat.not_allowed")
    current.mark_pressed("➡️ " + desa[kode].nama)
    await _kendala_documents(current, desa[kode])


async def _kendala_documents(current: Turn, desa: Desa) -> None:
    await _save(current, "kendala", "document", {"desa": desa.kode})
    options = await open_obligations(current.session, desa.kode)
    buttons = [
        [(f"{doc_label(o.document_code)} TA {o.tahun_anggaran}", f"kd:o:{o.obligation_id}")] for o in options[:6]
    ]
    buttons.append([(current.t("kendala.no_document"), "kd:o:0")])
    current.reply(current.t("kendala.choose_document", desa=desa.nama), [*buttons, _cancel_row(current)])


async def kendala_document(current: Turn, obligation_id: str) -> None:
    draft = await _draft(current, "kendala", "document")
    number = whole_number(obligation_id)
    if number is None:
        raise InputError("chat.stale_button")
    chosen = number or None
    label = current.t("kendala.no_document")
    if chosen is not None:
        offered = {o.obligation_id: o for o in await open_obligations(current.session, draft.data["desa"])}
        if chosen not in offered:
            raise InputError("chat.not_allowed")
        label = f"{doc_label(offered[chosen].document_code)} TA {offered[chosen].tahun_anggaran}"
    await _save(current, "kendala", "text", {**draft.data, "obligation": chosen})
    current.mark_pressed("➡️ " + label)
    current.reply(current.t("kendala.ask_text", limit=forum.THREAD_LIMIT), [_cancel_row(current)])


async def kendala_text(current: Turn, text: str) -> None:
    draft = await _draft(current, "kendala", "text")
    thread, alerted = await forum.raise_thread(
        current.session, ThreadKind.KENDALA, current.require_person(), current.grants, draft.data["desa"],
        draft.data.get("obligation"), text, current.app.clock.now(), current.lang,
        actor=Actor(current.person.id, "telegram"),
    )  # fmt: skip
    await clear_draft(current.session, current.require_person().id)
    number = await forum.thread_number(current.session, thread)
    current.reply(current.t("kendala.recorded", number=number, alerted=alerted))


@turn
async def tanya(current: Turn) -> None:
    current.require_person()
    if places(current.grants, Action.ANSWER):
        await _list_threads(current, ThreadKind.TANYA)
        return
    desa = await _desa_for(current, Action.RAISE)
    if not desa:
        raise InputError("chat.not_allowed")
    question = " ".join(current.context.args or [])
    if question and len(desa) == 1:
        await _ask(current, desa[0].kode, question)
        return
    if len(desa) > 1:
        await _save(current, "tanya", "desa", {"text": question})
        current.reply(current.t("tanya.choose_desa"), [*[[(d.nama, f"q:d:{d.kode}")] for d in desa],
                                                        _cancel_row(current)])  # fmt: skip
        return
    await _save(current, "tanya", "text", {"desa": desa[0].kode})
    current.reply(current.t("tanya.ask_text", limit=forum.THREAD_LIMIT), [_cancel_row(current)])


async def tanya_desa(current: Turn, kode: str) -> None:
    draft = await _draft(current, "tanya", "desa")
    desa = {d.kode: d for d in await _desa_for(current, Action.RAISE)}
    if kode not in desa:
        raise InputError("chat.not_allowed")
    current.mark_pressed("➡️ " + desa[kode].nama)
    if draft.data.get("text"):
        await _ask(current, kode, draft.data["text"])
        return
    await _save(current, "tanya", "text", {"desa": kode})
    current.reply(current.t("tanya.ask_text", limit=forum.THREAD_LIMIT), [_cancel_row(current)])


async def tanya_text(current: Turn, text: str) -> None:
    draft = await _draft(current, "tanya", "text")
    await _ask(current, draft.data["desa"], text)


async def _ask(current: Turn, desa_kode: str, text: str) -> None:
    thread, alerted = await forum.raise_thread(
        current.session, ThreadKind.TANYA, current.require_person(), current.grants, desa_kode, None, text,
        current.app.clock.now(), current.lang,
        actor=Actor(current.person.id, "telegram"),
    )  # fmt: skip
    await clear_draft(current.session, current.require_person().id)
    number = await forum.thread_number(current.session, thread)
    current.reply(current.t("tanya.recorded", number=number, alerted=alerted))


async def _list_threads(current: Turn, kind: ThreadKind) -> None:
    """Staf: what is still open, by desa, each with its buttons."""
    kecamatan = sorted({g.scope_code for g in places(current.grants, Action.ANSWER) if g.scope_code})
    threads = await forum.open_threads(current.session, kind, [k[:8] for k in kecamatan])
    threads = [th for th in threads if allowed(current.grants, Action.ANSWER, th.desa_kode)]
    if not threads:
        current.reply(current.t(f"{kind.value}.none_open"))
        return
    names = {d.kode: d.nama for d in await current.session.scalars(
        select(Desa).where(Desa.kode.in_({th.desa_kode for th in threads})))}  # fmt: skip
    tz = await _tz(current, threads[0].kecamatan_kode)
    lines, buttons, desa = [current.t(f"{kind.value}.open_title", count=len(threads))], [], None
    for th in threads[:LISTED]:
        if th.desa_kode != desa:
            desa = th.desa_kode
            lines += ["", f"🏠 {names.get(desa, desa)}"]
        replies = current.t("kendala.replies", count=len(th.replies)) if th.replies else ""
        number = await forum.thread_number(current.session, th)
        lines.append(f"#{number} · {_when(current, th.created_at, tz)} · {current.t(f'role.{th.author_role}')}: "
                     f"{_short(th.text, 100)}{replies}")  # fmt: skip
        row = [(current.t("button.answer_number", number=number), f"f:j:{th.id}")]
        if kind is ThreadKind.KENDALA:
            row.append((current.t("button.close_number", number=number), f"f:c:{th.id}"))
        buttons.append(row)
    current.reply("\n".join(lines), buttons)


async def jawab_start(current: Turn, thread_id: str) -> None:
    thread = await forum.thread_for_staf(current.session, _number(thread_id), current.grants)
    await _save(current, "jawab", "text", {"thread": thread.id})
    current.reply(
        current.t(
            "jawab.ask",
            what=current.t(f"{thread.kind.value}.noun"),
            number=await forum.thread_number(current.session, thread),
            text=_short(thread.text, 200),
            limit=forum.REPLY_LIMIT,
        ),
        [_cancel_row(current)],
    )


async def jawab_text(current: Turn, text: str, thread_id: int | None = None) -> None:
    person = current.require_person()
    if thread_id is None:
        thread_id = (await _draft(current, "jawab", "text")).data["thread"]
        await clear_draft(current.session, person.id)
    thread = await forum.answer_thread(
        current.session, thread_id, person, current.grants, text, current.app.clock.now(), current.lang,
        actor=Actor(current.person.id, "telegram"),
    )  # fmt: skip
    author = await current.session.get(Person, thread.author_id)
    number = await forum.thread_number(current.session, thread)
    current.reply(current.t("jawab.sent", what=current.t(f"{thread.kind.value}.noun"), number=number,
                            name=author.name if author else "—"))  # fmt: skip


async def tutup_start(current: Turn, thread_id: str) -> None:
    thread = await forum.thread_for_staf(current.session, _number(thread_id), current.grants)
    if thread.kind is not ThreadKind.KENDALA:
        raise InputError("chat.stale_button")
    await _save(current, "tutup", "text", {"thread": thread.id})
    number = await forum.thread_number(current.session, thread)
    current.reply(current.t("tutup.ask", number=number, text=_short(thread.text, 200)), [_cancel_row(current)])


async def tutup_text(current: Turn, text: str) -> None:
    person = current.require_person()
    draft = await _draft(current, "tutup", "text")
    thread = await forum.close_thread(
        current.session, draft.data["thread"], person, current.grants, text, current.app.clock.now(), current.lang,
        actor=Actor(current.person.id, "telegram"),
    )  # fmt: skip
    await clear_draft(current.session, person.id)
    current.reply(current.t("tutup.done", number=await forum.thread_number(current.session, thread)))


async def reply_to_alert(current: Turn, text: str) -> bool:
    """A staf answered a problem's or question's alert with Telegram's 'reply': that is their answer."""
    message = current.update.effective_message
    replied = message.reply_to_message if message else None
    if replied is None or replied.from_user is None or not replied.from_user.is_bot:
        return False
    thread_id = await forum.thread_of_reply(current.session, current.chat_id, replied.message_id)
    if thread_id is None:
        return False
    await jawab_text(current, text, thread_id)
    return True


def _number(value: str) -> int:
    number = whole_number(value)
    if number is None:
        raise InputError("chat.stale_button")
    return number


# --- /rapat and /agenda: meetings -------------------------------------------------------------------------------


@turn
async def rapat(current: Turn) -> None:
    current.require_person()
    scopes = places(current.grants, Action.SCHEDULE_MEETING)
    kecamatan = sorted({g.scope_code for g in scopes if g.scope_kind is ScopeKind.KECAMATAN and g.scope_code})
    if not kecamatan:
        raise InputError("chat.not_allowed")
    desa = await forum.kecamatan_desa(current.session, kecamatan[0])
    data = {"kecamatan": kecamatan[0], "chosen": [d.kode for d in desa], "roles": list(forum.FIELD_ROLES)}
    await _save(current, "rapat", "title", data)
    current.reply(current.t("rapat.ask_title"), [_cancel_row(current)])


async def rapat_text(current: Turn, step: str, text: str) -> None:
    draft = await _draft(current, "rapat", step)
    data = dict(draft.data)
    if step == "title":
        if len(text) > forum.TITLE_LIMIT:
            raise InputError("error.text_too_long", option="Judul", limit=forum.TITLE_LIMIT)
        await _save(current, "rapat", "when", {**data, "title": text})
        current.reply(current.t("rapat.ask_when"), [_cancel_row(current)])
    elif step == "when":
        tz = await _tz(current, data["kecamatan"])
        starts = parse_chat_datetime(text, tz)
        if starts <= current.app.clock.now():
            raise InputError("rapat.in_the_past")
        await _save(current, "rapat", "place", {**data, "starts_at": starts.isoformat()})
        current.reply(current.t("rapat.ask_place"), [_cancel_row(current)])
    elif step == "place":
        if len(text) > forum.PLACE_LIMIT:
            raise InputError("error.text_too_long", option="Tempat", limit=forum.PLACE_LIMIT)
        data["place"] = text
        await _save(current, "rapat", "who", data)
        desa = await forum.kecamatan_desa(current.session, data["kecamatan"])
        current.reply(current.t("rapat.choose_who"), _audience_keyboard(current, desa, data["chosen"], "m",
                                                                         data["roles"]))  # fmt: skip


async def rapat_toggle(current: Turn, code: str | None = None, role: str | None = None) -> None:
    draft = await _draft(current, "rapat", "who")
    data = dict(draft.data)
    desa = await forum.kecamatan_desa(current.session, data["kecamatan"])
    if role is not None:
        if role not in forum.FIELD_ROLES:
            raise InputError("chat.stale_button")
        data["roles"] = [r for r in forum.FIELD_ROLES if (r in data["roles"]) != (r == role)]
    else:
        data["chosen"] = _toggle(data["chosen"], desa, code)
    await _save(current, "rapat", "who", data)
    current.edit_pressed(current.t("rapat.choose_who"), _audience_keyboard(current, desa, data["chosen"], "m",
                                                                           data["roles"]))  # fmt: skip


async def rapat_next(current: Turn) -> None:
    draft = await _draft(current, "rapat", "who")
    data = draft.data
    if not data["chosen"]:
        raise InputError("forum.no_desa_chosen")
    if not data["roles"]:
        raise InputError("rapat.no_roles")
    desa = await forum.kecamatan_desa(current.session, data["kecamatan"])
    invited = await forum.members(current.session, data["chosen"], data["roles"])
    await _save(current, "rapat", "confirm", data)
    tz = await _tz(current, data["kecamatan"])
    current.edit_pressed("➡️ " + _names(desa, data["chosen"], current))
    roles = ", ".join(current.t(f"role.{r}") for r in data["roles"])
    current.reply(
        current.t("rapat.check", title=data["title"], when=_meeting_when(current, data, tz), place=data["place"],
                  roles=roles, names=_names(desa, data["chosen"], current), count=len(invited),
                  unreachable=sum(not m.reachable for m in invited)),
        [[(current.t("button.send"), "m:s"), (current.t("button.cancel"), CANCEL)]],
    )  # fmt: skip


def _meeting_when(current: Turn, data: dict, tz: ZoneInfo) -> str:
    starts = datetime.fromisoformat(data["starts_at"]).astimezone(tz)
    return f"{fmt_datetime(starts, current.lang)} {zone_label(str(tz))}"


async def rapat_save(current: Turn) -> None:
    draft = await _draft(current, "rapat", "confirm")
    person = current.require_person()
    data = draft.data
    result = await forum.create_meeting(
        current.session, person, current.grants, data["kecamatan"], data["title"],
        datetime.fromisoformat(data["starts_at"]), data["place"], data["roles"], data["chosen"],
        current.app.clock.now(), current.app.settings.reminders.local_time,
        actor=Actor(current.person.id, "telegram"),
    )  # fmt: skip
    await clear_draft(current.session, person.id)
    current.mark_pressed(current.t("umumkan.queued_mark"))
    current.reply(
        current.t("rapat.saved", number=result.meeting.id, invited=result.invited, unreachable=result.unreachable)
    )


async def rapat_answer(current: Turn, meeting_id: str, answer: str) -> None:
    number = _number(meeting_id)
    changed = await forum.answer_meeting(
        current.session, number, current.require_person(), answer, current.app.clock.now()
    )
    label = current.t(f"rapat.answer.{answer}")
    current.callback_answer = current.t("rapat.answer_noted" if changed else "rapat.answer_same", answer=label)
    if changed:
        current.reply(current.t("rapat.answer_thanks", number=number, answer=label))


@turn
async def agenda(current: Turn) -> None:
    person = current.require_person()
    now = current.app.clock.now()
    meetings = await forum.meetings_of(current.session, person, current.grants, now)
    if not meetings:
        current.reply(current.t("agenda.none"))
        return
    lines, buttons = [current.t("agenda.title")], []
    for meeting in meetings:
        tz = await _tz(current, meeting.kecamatan_kode)
        when = f"{fmt_datetime(meeting.starts_at.astimezone(tz), current.lang)} {zone_label(str(tz))}"
        people = await forum.invitees(current.session, meeting.id)
        staf = allowed(current.grants, Action.SCHEDULE_MEETING, meeting.kecamatan_kode)
        lines += ["", current.t("agenda.line", number=meeting.id, title=meeting.title, when=when, place=meeting.place)]
        if staf:
            answers = [i.answer if i.reachable else "unreachable" for i, _, _ in people]
            counts = {key: answers.count(key) for key in ("hadir", "tidak", "unreachable")}
            lines.append(current.t("agenda.counts", belum=answers.count(None), **counts))
            row = [(current.t("button.details", number=meeting.id), f"m:d:{meeting.id}")]
            if meeting.starts_at <= now and meeting.notulen_at is None:
                row.append((current.t("button.notulen", number=meeting.id), f"m:c:{meeting.id}"))
            buttons.append(row)
        else:
            mine = next((i for i, p, _ in people if p.id == person.id), None)
            if mine is not None and mine.answer:
                lines.append(current.t(f"rapat.your_answer.{mine.answer}"))
            if meeting.starts_at > now:
                number = f"#{meeting.id} "
                buttons.append([(number + current.t("button.hadir"), f"m:y:{meeting.id}"),
                                (number + current.t("button.tidak_hadir"), f"m:n:{meeting.id}")])  # fmt: skip
    current.reply("\n".join(lines), buttons)


async def rapat_detail(current: Turn, meeting_id: str) -> None:
    meeting = await forum.meeting_for_staf(current.session, _number(meeting_id), current.grants)
    lines = [current.t("rapat.detail_title", number=meeting.id, title=meeting.title)]
    for invitee, person, desa in await forum.invitees(current.session, meeting.id):
        state = invitee.answer or ("belum" if invitee.reachable else "unreachable")
        lines.append(current.t(f"rapat.state.{state}", name=person.name, role=current.t(f"role.{invitee.role}"),
                               desa=desa))  # fmt: skip
    if meeting.notulen_at is not None:
        lines.append(current.t("rapat.notulen_done"))
    current.reply("\n".join(lines))


async def notulen_start(current: Turn, meeting_id: str) -> None:
    meeting = await forum.meeting_for_staf(current.session, _number(meeting_id), current.grants)
    if meeting.starts_at > current.app.clock.now():
        raise InputError("rapat.not_yet")
    if meeting.notulen_at is not None:
        raise InputError("rapat.notulen_sent")
    await _save(current, "notulen", "text", {"meeting": meeting.id, "attachment": None})
    current.reply(current.t("notulen.ask", number=meeting.id, title=meeting.title, limit=forum.NOTULEN_LIMIT),
                  [_cancel_row(current)])  # fmt: skip


async def notulen_text(current: Turn, text: str) -> None:
    person = current.require_person()
    draft = await _draft(current, "notulen", "text")
    meeting, sent = await forum.send_notulen(
        current.session, draft.data["meeting"], person, current.grants, text, draft.data.get("attachment"),
        current.app.clock.now(),
        actor=Actor(current.person.id, "telegram"),
    )  # fmt: skip
    await clear_draft(current.session, person.id)
    current.reply(current.t("notulen.sent", number=meeting.id, count=sent))


async def notulen_file(current: Turn, stored: dict, caption: str | None) -> None:
    draft = await _draft(current, "notulen", "text")
    await _save(current, "notulen", "text", {**draft.data, "attachment": stored})
    if caption:
        await notulen_text(current, caption)
    else:
        current.reply(current.t("notulen.file_then_text"), [_cancel_row(current)])
