"""/rapat and /agenda: a meeting, its invitations and answers, and the notulen."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.authz import Action, allowed, places
from bot.chat import actions
from bot.errors import InputError
from bot.i18n import fmt_datetime
from bot.parsing import parse_chat_datetime
from bot.services import forum
from bot.services.drafts import clear_draft
from bot.services.submissions import zone_label
from handlers.common import Turn
from handlers.forum.common import (
    CANCEL,
    audience_keyboard,
    audience_names,
    cancel_row,
    draft_at,
    kecamatan_tz,
    save,
    toggle,
)
from models.tables import ScopeKind

# --- /rapat and /agenda: meetings -------------------------------------------------------------------------------


async def rapat(current: Turn) -> None:
    current.require_person()
    scopes = places(current.grants, Action.SCHEDULE_MEETING)
    kecamatan = sorted({g.scope_code for g in scopes if g.scope_kind is ScopeKind.KECAMATAN and g.scope_code})
    if not kecamatan:
        raise InputError("chat.not_allowed")
    desa = await forum.kecamatan_desa(current.session, kecamatan[0])
    data = {"kecamatan": kecamatan[0], "chosen": [d.kode for d in desa], "roles": list(forum.FIELD_ROLES)}
    await save(current, "rapat", "title", data)
    current.reply(current.t("rapat.ask_title"), [cancel_row(current)])


async def rapat_text(current: Turn, step: str, text: str) -> None:
    draft = await draft_at(current, "rapat", step)
    data = dict(draft.data)
    if step == "title":
        if len(text) > forum.TITLE_LIMIT:
            raise InputError("error.text_too_long", option="Judul", limit=forum.TITLE_LIMIT)
        await save(current, "rapat", "when", {**data, "title": text})
        current.reply(current.t("rapat.ask_when"), [cancel_row(current)])
    elif step == "when":
        tz = await kecamatan_tz(current, data["kecamatan"])
        starts = parse_chat_datetime(text, tz)
        if starts <= current.app.clock.now():
            raise InputError("rapat.in_the_past")
        await save(current, "rapat", "place", {**data, "starts_at": starts.isoformat()})
        current.reply(current.t("rapat.ask_place"), [cancel_row(current)])
    elif step == "place":
        if len(text) > forum.PLACE_LIMIT:
            raise InputError("error.text_too_long", option="Tempat", limit=forum.PLACE_LIMIT)
        data["place"] = text
        await save(current, "rapat", "who", data)
        desa = await forum.kecamatan_desa(current.session, data["kecamatan"])
        current.reply(current.t("rapat.choose_who"), audience_keyboard(current, desa, data["chosen"], "m",
                                                                         data["roles"]))  # fmt: skip


async def rapat_toggle(current: Turn, code: str | None = None, role: str | None = None) -> None:
    draft = await draft_at(current, "rapat", "who")
    data = dict(draft.data)
    desa = await forum.kecamatan_desa(current.session, data["kecamatan"])
    if role is not None:
        if role not in forum.FIELD_ROLES:
            raise InputError("chat.stale_button")
        data["roles"] = [r for r in forum.FIELD_ROLES if (r in data["roles"]) != (r == role)]
    else:
        data["chosen"] = toggle(data["chosen"], desa, code)
    await save(current, "rapat", "who", data)
    current.edit_pressed(current.t("rapat.choose_who"), audience_keyboard(current, desa, data["chosen"], "m",
                                                                           data["roles"]))  # fmt: skip


async def rapat_next(current: Turn) -> None:
    draft = await draft_at(current, "rapat", "who")
    data = draft.data
    if not data["chosen"]:
        raise InputError("forum.no_desa_chosen")
    if not data["roles"]:
        raise InputError("rapat.no_roles")
    desa = await forum.kecamatan_desa(current.session, data["kecamatan"])
    invited = await forum.members(current.session, data["chosen"], data["roles"])
    await save(current, "rapat", "confirm", data)
    tz = await kecamatan_tz(current, data["kecamatan"])
    current.edit_pressed("➡️ " + audience_names(desa, data["chosen"], current))
    roles = ", ".join(current.t(f"role.{r}") for r in data["roles"])
    current.reply(
        current.t("rapat.check", title=data["title"], when=_meeting_when(current, data, tz), place=data["place"],
                  roles=roles, names=audience_names(desa, data["chosen"], current), count=len(invited),
                  unreachable=sum(not m.reachable for m in invited)),
        [[(current.t("button.send"), actions.RapatSave()), (current.t("button.cancel"), CANCEL)]],
    )  # fmt: skip


def _meeting_when(current: Turn, data: dict, tz: ZoneInfo) -> str:
    starts = datetime.fromisoformat(data["starts_at"]).astimezone(tz)
    return f"{fmt_datetime(starts, current.lang)} {zone_label(str(tz))}"


async def rapat_save(current: Turn) -> None:
    draft = await draft_at(current, "rapat", "confirm")
    person = current.require_person()
    data = draft.data
    result = await forum.create_meeting(
        current.session, person, current.grants, data["kecamatan"], data["title"],
        datetime.fromisoformat(data["starts_at"]), data["place"], data["roles"], data["chosen"],
        current.app.clock.now(), current.app.settings.reminders.local_time,
        actor=current.actor,
    )  # fmt: skip
    await clear_draft(current.session, person.id)
    current.mark_pressed(current.t("umumkan.queued_mark"))
    current.reply(
        current.t("rapat.saved", number=result.meeting.id, invited=result.invited, unreachable=result.unreachable)
    )


async def rapat_answer(current: Turn, meeting_id: int, answer: str) -> None:
    number = meeting_id
    changed = await forum.answer_meeting(
        current.session, number, current.require_person(), answer, current.app.clock.now()
    )
    label = current.t(f"rapat.answer.{answer}")
    current.note(current.t("rapat.answer_noted" if changed else "rapat.answer_same", answer=label))
    if changed:
        current.reply(current.t("rapat.answer_thanks", number=number, answer=label))


async def agenda(current: Turn) -> None:
    person = current.require_person()
    now = current.app.clock.now()
    meetings = await forum.meetings_of(current.session, person, current.grants, now)
    if not meetings:
        current.reply(current.t("agenda.none"))
        return
    lines, buttons = [current.t("agenda.title")], []
    for meeting in meetings:
        tz = await kecamatan_tz(current, meeting.kecamatan_kode)
        when = f"{fmt_datetime(meeting.starts_at.astimezone(tz), current.lang)} {zone_label(str(tz))}"
        people = await forum.invitees(current.session, meeting.id)
        staf = allowed(current.grants, Action.SCHEDULE_MEETING, meeting.kecamatan_kode)
        lines += ["", current.t("agenda.line", number=meeting.id, title=meeting.title, when=when, place=meeting.place)]
        if staf:
            answers = [i.answer if i.reachable else "unreachable" for i, _, _ in people]
            counts = {key: answers.count(key) for key in ("hadir", "tidak", "unreachable")}
            lines.append(current.t("agenda.counts", belum=answers.count(None), **counts))
            row = [(current.t("button.details", number=meeting.id), actions.RapatDetail(meeting.id))]
            if meeting.starts_at <= now and meeting.notulen_at is None:
                row.append((current.t("button.notulen", number=meeting.id), actions.NotulenStart(meeting.id)))
            buttons.append(row)
        else:
            mine = next((i for i, p, _ in people if p.id == person.id), None)
            if mine is not None and mine.answer:
                lines.append(current.t(f"rapat.your_answer.{mine.answer}"))
            if meeting.starts_at > now:
                number = f"#{meeting.id} "
                buttons.append(
                    [
                        (number + current.t("button.hadir"), actions.RapatAttend(meeting.id)),
                        (number + current.t("button.tidak_hadir"), actions.RapatDecline(meeting.id)),
                    ]
                )
    current.reply("\n".join(lines), buttons)


async def rapat_detail(current: Turn, meeting_id: int) -> None:
    meeting = await forum.meeting_for_staf(current.session, meeting_id, current.grants)
    lines = [current.t("rapat.detail_title", number=meeting.id, title=meeting.title)]
    for invitee, person, desa in await forum.invitees(current.session, meeting.id):
        state = invitee.answer or ("belum" if invitee.reachable else "unreachable")
        lines.append(current.t(f"rapat.state.{state}", name=person.name, role=current.t(f"role.{invitee.role}"),
                               desa=desa))  # fmt: skip
    if meeting.notulen_at is not None:
        lines.append(current.t("rapat.notulen_done"))
    current.reply("\n".join(lines))


async def notulen_start(current: Turn, meeting_id: int) -> None:
    meeting = await forum.meeting_for_staf(current.session, meeting_id, current.grants)
    if meeting.starts_at > current.app.clock.now():
        raise InputError("rapat.not_yet")
    if meeting.notulen_at is not None:
        raise InputError("rapat.notulen_sent")
    await save(current, "notulen", "text", {"meeting": meeting.id, "attachment": None})
    current.reply(current.t("notulen.ask", number=meeting.id, title=meeting.title, limit=forum.NOTULEN_LIMIT),
                  [cancel_row(current)])  # fmt: skip


async def notulen_text(current: Turn, text: str) -> None:
    person = current.require_person()
    draft = await draft_at(current, "notulen", "text")
    meeting, sent = await forum.send_notulen(
        current.session, draft.data["meeting"], person, current.grants, text, draft.data.get("attachment"),
        current.app.clock.now(),
        actor=current.actor,
    )  # fmt: skip
    await clear_draft(current.session, person.id)
    current.reply(current.t("notulen.sent", number=meeting.id, count=sent))


async def notulen_file(current: Turn, stored: dict, caption: str | None) -> None:
    draft = await draft_at(current, "notulen", "text")
    await save(current, "notulen", "text", {**draft.data, "attachment": stored})
    if caption:
        await notulen_text(current, caption)
    else:
        current.reply(current.t("notulen.file_then_text"), [cancel_row(current)])
