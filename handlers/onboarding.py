"""/start with an invitation code, /bantuan, /undang, and each person's command menu."""

from __future__ import annotations

from telegram import BotCommand, BotCommandScopeChat

from bot.authz import INVITABLE, Action, places
from bot.errors import InputError
from bot.i18n import Language, fmt_datetime, t
from bot.services.audit import Actor
from bot.services.drafts import clear_draft, save_draft
from bot.services.people import (
    WrongCode,
    create_invitation,
    desa_of_grants,
    record_wrong_code,
    redeem_invitation,
    scope_name,
)
from handlers.common import Turn, replan, turn
from models.tables import Role

COMMANDS_BY_ROLE: dict[Role, tuple[str, ...]] = {
    Role.SEKDES: ("kirim", "status", "arsip", "kendala", "tanya", "agenda", "batal"),
    Role.PENDAMPING: ("status", "umumkan", "pengumuman", "kendala", "tanya", "agenda", "batal"),
    Role.STAF: (
        "verifikasi",
        "status",
        "indikator",
        "rekap",
        "catat",
        "tenggat",
        "perpanjang",
        "koreksi",
        "arsip",
        "libur",
        "undang",
        "cabut",
        "umumkan",
        "pengumuman",
        "kendala",
        "tanya",
        "rapat",
        "agenda",
        "batal",
    ),
    Role.CAMAT: ("indikator", "rekap", "status", "arsip", "libur", "umumkan", "pengumuman"),
    Role.ADMIN: (
        "undang",
        "cabut",
        "indikator",
        "rekap",
        "verifikasi",
        "catat",
        "tenggat",
        "perpanjang",
        "koreksi",
        "arsip",
        "libur",
        "status",
        "umumkan",
        "pengumuman",
        "kendala",
        "tanya",
        "rapat",
        "agenda",
        "batal",
    ),
}
ORDER = (
    "kirim",
    "verifikasi",
    "status",
    "indikator",
    "rekap",
    "catat",
    "tenggat",
    "perpanjang",
    "koreksi",
    "arsip",
    "libur",
    "undang",
    "cabut",
    "umumkan",
    "pengumuman",
    "kendala",
    "tanya",
    "rapat",
    "agenda",
    "batal",
    "bantuan",
)


def commands_for(roles: set[Role], language: Language) -> list[BotCommand]:
    names = {"bantuan"} | {c for role in roles for c in COMMANDS_BY_ROLE[role]}
    return [BotCommand(name, t(f"command.{name}", language)) for name in ORDER if name in names]


def default_commands(language: Language) -> list[BotCommand]:
    return [BotCommand("start", t("command.start", language)), BotCommand("bantuan", t("command.bantuan", language))]


def invite_link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username}?start={code}"


def _help_text(current: Turn) -> str:
    if current.person is None:
        return current.t("help.stranger")
    roles = {g.role for g in current.grants}
    lines = [current.t("help.title")]
    lines += [f"/{c.command} — {c.description}" for c in commands_for(roles, current.lang)]
    return "\n".join(lines)


@turn
async def start(current: Turn) -> None:
    args = current.context.args or []
    user = current.update.effective_user
    assert user is not None
    if not args:
        person = current.require_person()
        current.reply(current.t("start.hello", name=person.name) + "\n\n" + _help_text(current))
        return
    now = current.app.clock.now()
    try:
        async with current.session.begin_nested():
            redeemed = await redeem_invitation(
                current.session, args[0][:64], user.id, current.chat_id, user.full_name, now, channel="telegram"
            )
    except WrongCode as wrong:
        await record_wrong_code(current.session, user.id, now)  # kept: the outer transaction commits
        current.reply(current.t(wrong.key, **wrong.values))
        return
    where = await scope_name(current.session, redeemed.scope_kind, redeemed.scope_code)
    key = "start.already" if redeemed.already_held else "start.welcome"
    role = current.t(f"role.{redeemed.role.value}")
    current.reply(current.t(key, name=redeemed.person.name, role=role, scope=where))
    if redeemed.scope_code and redeemed.scope_code.count(".") >= 2:  # a desa or a kecamatan: plan its reminders
        await replan(current, ".".join(redeemed.scope_code.split(".")[:3]))
    current.person = redeemed.person
    from bot.services.people import active_grants

    current.grants = await active_grants(current.session, redeemed.person.id)
    current.reply(_help_text(current))
    commands = commands_for({g.role for g in current.grants}, current.lang)
    chat_id = current.chat_id
    current.later(lambda bot: bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id)))


@turn
async def bantuan(current: Turn) -> None:
    current.reply(_help_text(current))


@turn
async def undang(current: Turn) -> None:
    """Invite from the chat: admin anyone, staf only sekdes or pendamping of their own kecamatan."""
    person = current.require_person()
    inviters = places(current.grants, Action.INVITE)
    if not inviters:
        raise InputError("chat.not_allowed")
    roles = sorted({r for g in inviters for r in INVITABLE[g.role]}, key=list(Role).index)
    await save_draft(current.session, person.id, "undang", "role", {}, current.app.clock.now())
    buttons = [[(current.t(f"role.{r.value}"), f"u:r:{r.value}")] for r in roles]
    current.reply(current.t("invite.choose_role"), [*buttons, [(current.t("button.cancel"), "batal")]])


async def undang_role(current: Turn, draft_data: dict, role_value: str) -> None:
    assert current.person is not None
    try:
        role = Role(role_value)
    except ValueError:
        raise InputError("chat.stale_button") from None
    now = current.app.clock.now()
    if role in (Role.SEKDES, Role.PENDAMPING):
        desa = await desa_of_grants(current.session, places(current.grants, Action.INVITE), {Role.STAF, Role.ADMIN})
        if not desa:
            raise InputError("status.nothing")
        await save_draft(current.session, current.person.id, "undang", "desa", {"role": role.value}, now)
        buttons = [[(d.nama, f"u:d:{d.kode}")] for d in desa[:30]]
        current.mark_pressed(f"➡️ {current.t(f'role.{role.value}')}")
        current.reply(current.t("invite.choose_desa"), [*buttons, [(current.t("button.cancel"), "batal")]])
        return
    await save_draft(current.session, current.person.id, "undang", "place", {"role": role.value}, now)
    current.mark_pressed(f"➡️ {current.t(f'role.{role.value}')}")
    current.reply(current.t("invite.type_place"))


async def undang_place(current: Turn, role_value: str, place: str) -> None:
    """Create the invitation (the service checks again that this person may invite there)."""
    assert current.person is not None
    now = current.app.clock.now()
    invitation = await create_invitation(
        current.session, Role(role_value), place, now, invited_by=current.person, inviter_grants=current.grants,
        actor=Actor(current.person.id, "telegram"),
    )  # fmt: skip
    await clear_draft(current.session, current.person.id)
    username = current.context.bot.username
    text = current.t(
        "invite.created",
        role=current.t(f"role.{invitation.role.value}"),
        scope=invitation.scope_name,
        expires=fmt_datetime(invitation.expires_at, current.lang) + " UTC",
        link=invite_link(username, invitation.code),
        code=invitation.code,
    )
    current.reply(text + "\n\n" + current.t("invite.forward"))
