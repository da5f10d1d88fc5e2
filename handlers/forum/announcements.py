"""/umumkan and /pengumuman: an announcement to every desa or to chosen ones, and who has read it."""

from __future__ import annotations

from bot.authz import Action, places
from bot.chat import actions
from bot.errors import InputError
from bot.i18n import fmt_datetime
from bot.services import forum
from bot.services.drafts import clear_draft, get_draft
from bot.services.places import place_names
from handlers.common import Turn
from handlers.forum.common import (
    CANCEL,
    audience_keyboard,
    audience_names,
    cancel_row,
    desa_for,
    draft_at,
    kecamatan_tz,
    local_time,
    save,
    short,
    toggle,
)
from models.tables import Announcement, Desa, Kecamatan

# --- /umumkan: an announcement ----------------------------------------------------------------------------------


async def umumkan(current: Turn) -> None:
    current.require_person()
    desa = await desa_for(current, Action.ANNOUNCE)
    if not desa:
        raise InputError("chat.not_allowed")
    kecamatan = sorted({d.kecamatan_kode for d in desa})
    if len(kecamatan) > 1:
        names = await place_names(current.session, Kecamatan, kecamatan)
        await save(current, "umumkan", "kecamatan", {})
        buttons = [[(names[k], actions.UmumkanKecamatan(k))] for k in kecamatan]
        current.reply(current.t("umumkan.choose_kecamatan"), [*buttons, cancel_row(current)])
        return
    await _start_announcement(current, kecamatan[0], desa)


async def umumkan_kecamatan(current: Turn, kode: str) -> None:
    await draft_at(current, "umumkan", "kecamatan")
    desa = await desa_for(current, Action.ANNOUNCE)
    if kode not in {d.kecamatan_kode for d in desa}:
        raise InputError("chat.not_allowed")
    current.mark_pressed("➡️ " + kode)
    await _start_announcement(current, kode, desa)


async def _start_announcement(current: Turn, kecamatan: str, desa: list[Desa]) -> None:
    codes = [d.kode for d in desa if d.kecamatan_kode == kecamatan]
    await save(current, "umumkan", "text", {"kecamatan": kecamatan, "chosen": codes, "attachment": None})
    kec = await current.session.get(Kecamatan, kecamatan)
    assert kec is not None
    current.reply(
        current.t("umumkan.ask_text", kecamatan=kec.nama, limit=forum.ANNOUNCEMENT_LIMIT), [cancel_row(current)]
    )


async def _announce_desa(current: Turn, kecamatan: str) -> list[Desa]:
    return [d for d in await desa_for(current, Action.ANNOUNCE) if d.kecamatan_kode == kecamatan]


async def umumkan_text(current: Turn, text: str) -> None:
    draft = await draft_at(current, "umumkan", "text")
    if len(text) > forum.ANNOUNCEMENT_LIMIT:
        raise InputError("error.text_too_long", option="Pengumuman", limit=forum.ANNOUNCEMENT_LIMIT)
    data = {**draft.data, "text": text}
    desa = await _announce_desa(current, data["kecamatan"])
    if len(desa) == 1:  # a pendamping of one desa: nothing to choose
        await _confirm_announcement(current, data)
        return
    await save(current, "umumkan", "audience", data)
    current.reply(current.t("umumkan.choose_audience"), audience_keyboard(current, desa, data["chosen"], "n"))


async def umumkan_toggle(current: Turn, code: str | None) -> None:
    draft = await draft_at(current, "umumkan", "audience")
    desa = await _announce_desa(current, draft.data["kecamatan"])
    chosen = toggle(draft.data["chosen"], desa, code)
    await save(current, "umumkan", "audience", {**draft.data, "chosen": chosen})
    current.edit_pressed(current.t("umumkan.choose_audience"), audience_keyboard(current, desa, chosen, "n"))


async def umumkan_next(current: Turn) -> None:
    draft = await draft_at(current, "umumkan", "audience")
    if not draft.data["chosen"]:
        raise InputError("forum.no_desa_chosen")
    everything = await forum.kecamatan_desa(current.session, draft.data["kecamatan"])
    current.edit_pressed("➡️ " + audience_names(everything, draft.data["chosen"], current))
    await _confirm_announcement(current, draft.data)


async def _confirm_announcement(current: Turn, data: dict) -> None:
    await save(current, "umumkan", "confirm", data)
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
        current.t("umumkan.audience", names=audience_names(everything, data["chosen"], current), reachable=reachable,
                  unreachable=len(audience) - reachable),
    ]  # fmt: skip
    if whole and kecamatan.forum_chat_id is not None:
        lines.append(current.t("umumkan.with_forum"))
    if data.get("attachment"):
        lines.append(current.t("umumkan.with_file", name=data["attachment"].get("original_name") or "foto"))
    else:
        lines.append(current.t("umumkan.may_attach"))
    send = [(current.t("button.send"), actions.UmumkanSend()), (current.t("button.cancel"), CANCEL)]
    current.reply("\n".join(lines), [send])


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
        await save(current, "umumkan", "text", data)
        await umumkan_text(current, caption)
    else:
        await save(current, "umumkan", "text", data)
        current.reply(current.t("umumkan.file_then_text"), [cancel_row(current)])


async def umumkan_send(current: Turn) -> None:
    draft = await draft_at(current, "umumkan", "confirm")
    person = current.require_person()
    data = draft.data
    result = await forum.create_announcement(
        current.session, person, current.grants, data["kecamatan"], data["text"], data["chosen"],
        data.get("attachment"), current.app.clock.now(),
        actor=current.actor,
    )  # fmt: skip
    await clear_draft(current.session, person.id)
    current.mark_pressed(current.t("umumkan.queued_mark"))
    forum_line = current.t("umumkan.forum_line") if result.forum else ""
    current.reply(
        current.t("umumkan.queued", number=result.announcement.id, count=result.queued,
                  unreachable=result.unreachable, forum=forum_line)
    )  # fmt: skip


async def umumkan_read(current: Turn, announcement_id: int) -> None:
    """'Sudah dibaca' under an announcement: its button goes, its text stays."""
    first = await forum.acknowledge(current.session, announcement_id, current.require_person(), current.app.clock.now())
    current.note(current.t("umumkan.read_thanks" if first else "umumkan.read_already"))
    if first and current.incoming.pressed is not None:
        current.edit_pressed(current.incoming.pressed.text)


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
        when = local_time(current, announcement.created_at, await kecamatan_tz(current, announcement.kecamatan_kode))
        lines += ["", current.t("pengumuman.line", number=announcement.id, when=when, text=short(announcement.text),
                                total=sum(counts.values()), **counts)]  # fmt: skip
        details = actions.AnnouncementDetail(announcement.id)
        buttons.append([(current.t("button.details", number=announcement.id), details)])
    current.reply("\n".join(lines), buttons)


async def pengumuman_detail(current: Turn, announcement_id: int) -> None:
    person = current.require_person()
    announcement = await current.session.get(Announcement, announcement_id)
    if announcement is None or not await forum.may_see_announcement(
        current.session, announcement, person, current.grants
    ):
        raise InputError("chat.not_allowed")
    tz = await kecamatan_tz(current, announcement.kecamatan_kode)
    lines = [current.t("pengumuman.detail_title", number=announcement.id, text=short(announcement.text))]
    deliveries = await forum.deliveries(current.session, announcement.id)
    for d in deliveries:
        read = fmt_datetime(d.read_at.astimezone(tz), current.lang) if d.read_at else ""
        lines.append(current.t(f"pengumuman.state.{d.state}", name=d.name, role=current.t(f"role.{d.role}"),
                               desa=d.desa, read=read))  # fmt: skip
    reached = {d.desa for d in deliveries}
    desa = await place_names(current.session, Desa, announcement.desa_codes)
    nobody = [nama for nama in desa.values() if nama not in reached]
    if nobody:
        lines.append(current.t("pengumuman.nobody", names=", ".join(nobody)))
    if announcement.to_forum:
        lines.append(current.t("pengumuman.forum"))
    current.reply("\n".join(lines))
