"""/start with an invitation code (or DAFTAR KODE), /bantuan, /menu, /undang, and each person's command menu."""

from __future__ import annotations

from datetime import timedelta

from bot.authz import INVITABLE, Action, places
from bot.chat.actions import Cancel, MenuPage, RunCommand, UndangChannel, UndangPlace, UndangRole
from bot.chat.messages import Choice, Formatted, OutMessage
from bot.errors import InputError
from bot.i18n import Language, fmt_datetime, t
from bot.services.drafts import clear_draft, get_draft, save_draft
from bot.services.links import TELEGRAM, WHATSAPP, configured_channels, telegram_invite_link, whatsapp_invite_link
from bot.services.people import (
    WrongCode,
    channel_label,
    create_invitation,
    desa_of_grants,
    record_wrong_code,
    redeem_invitation,
    scope_name,
)
from handlers.common import Turn
from models.tables import Role

COMMANDS_BY_ROLE: dict[Role, tuple[str, ...]] = {
    Role.SEKDES: ("kirim", "status", "arsip", "kendala", "tanya", "agenda", "hubungkan", "batal"),
    Role.PENDAMPING: ("status", "umumkan", "pengumuman", "kendala", "tanya", "agenda", "hubungkan", "batal"),
    Role.STAF: (
        "verifikasi",
        "status",
        "indikator",
        "rekap",
        "dasbor",
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
        "hubungkan",
        "batal",
    ),
    Role.CAMAT: ("indikator", "rekap", "dasbor", "status", "arsip", "libur", "umumkan", "pengumuman", "hubungkan"),
    Role.ADMIN: (
        "undang",
        "cabut",
        "indikator",
        "rekap",
        "dasbor",
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
        "hubungkan",
        "batal",
    ),
}
ORDER = (
    "kirim",
    "verifikasi",
    "status",
    "indikator",
    "rekap",
    "dasbor",
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
    "hubungkan",
    "batal",
    "bantuan",
)


def commands_for(roles: set[Role], language: Language) -> list[tuple[str, str]]:
    """The commands a person with these roles may use, each with its one-line description, in the menu's order."""
    names = {"bantuan"} | {c for role in roles for c in COMMANDS_BY_ROLE[role]}
    return [(name, t(f"command.{name}", language)) for name in ORDER if name in names]


def default_commands(language: Language) -> list[tuple[str, str]]:
    return [("start", t("command.start", language)), ("bantuan", t("command.bantuan", language))]


def _help_text(current: Turn) -> str:
    if current.person is None:
        return current.t("help.stranger")
    roles = {g.role for g in current.grants}
    lines = [current.t("help.title")]
    prefix = current.channel.command_prefix
    lines += [f"{prefix}{name} — {description}" for name, description in commands_for(roles, current.lang)]
    if prefix:  # where commands are shown without the slash, they are already the words to type
        lines += ["", current.t("help.words")]
    return "\n".join(lines)


# The menu: a person's commands as choices, grouped in sections (a channel that shows a list shows them as its
# sections), at most MENU_ROWS a message (WhatsApp's list), "Berikutnya" leading to the next page.
MENU_SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("dokumen", ("kirim", "verifikasi", "status", "arsip", "catat", "koreksi")),
    ("kecamatan", ("indikator", "rekap", "dasbor", "tenggat", "perpanjang", "libur", "undang", "cabut")),
    ("forum", ("umumkan", "pengumuman", "kendala", "tanya", "rapat", "agenda")),
    ("akun", ("hubungkan", "batal", "bantuan")),
)
MENU_ROWS = 10
LABEL_LIMIT, DESCRIPTION_LIMIT = 24, 72  # a WhatsApp list row's title and description


def menu_pages(commands: set[str]) -> list[list[tuple[str, str]]]:
    """The (section, command) rows of the menu of these commands, page by page. A page holds at most MENU_ROWS rows,
    one of them "Berikutnya" when another page follows; a section goes whole onto a page where it fits there, and is
    split only when it is longer than a page."""
    groups = [[(section, c) for c in names if c in commands] for section, names in MENU_SECTIONS]
    left = sum(len(group) for group in groups)
    pages: list[list[tuple[str, str]]] = []
    page: list[tuple[str, str]] = []
    for group in groups:
        while group:
            room = MENU_ROWS - 1 - len(page)  # one row for "Berikutnya"
            if len(page) + left <= MENU_ROWS or len(group) <= room:  # all that is left fits, or this whole section
                page, left, group = page + group, left - len(group), []
            elif page:  # the section begins the next page
                pages.append(page)
                page = []
            else:  # a section longer than a page
                page, left, group = group[:room], left - room, group[room:]
                pages.append(page)
                page = []
    if page:
        pages.append(page)
    return pages


def _menu(current: Turn, page: int, title_key: str) -> OutMessage | None:
    """One page of this person's menu; None when they may do nothing but ask for help."""
    commands = {name for name, _ in commands_for({g.role for g in current.grants}, current.lang)}
    pages = menu_pages(commands)
    if not pages:
        return None
    if not 0 <= page < len(pages):
        raise InputError("chat.stale_button")
    rows = [
        (Choice(current.t(f"menu.label.{name}"), RunCommand(name), current.t(f"command.{name}"),
                current.t(f"menu.section.{section}")),)
        for section, name in pages[page]
    ]  # fmt: skip
    text = current.t(title_key)
    if len(pages) > 1:
        text += "\n" + current.t("menu.page", page=page + 1, pages=len(pages))
    if page + 1 < len(pages):
        more = current.t("menu.next_description", page=page + 2, pages=len(pages))
        rows.append((Choice(current.t("menu.next"), MenuPage(page + 1), more, current.t("menu.section.lainnya")),))
    return OutMessage(Formatted(text), tuple(rows))


async def _show_menu(current: Turn, page: int, title_key: str) -> None:
    if current.person is None:
        current.reply(current.t("help.stranger"))  # how to join; nothing to choose yet
        return
    message = _menu(current, page, title_key)
    if message is None:
        current.reply(_help_text(current))
    else:
        current.outcome.answers.append(message)


async def menu(current: Turn) -> None:
    """`menu`: what this person may do, as choices."""
    await _show_menu(current, 0, "menu.title")


async def menu_page(current: Turn, page: int) -> None:
    """The next page of the menu ("Berikutnya"), as a new message (a channel may not edit the old one)."""
    current.require_person()
    await _show_menu(current, page, "menu.title")


async def not_understood(current: Turn) -> None:
    """A text the bot cannot place: sorry, and the menu."""
    await _show_menu(current, 0, "menu.not_understood")


async def start(current: Turn) -> None:
    args = current.args
    sender = current.incoming.sender
    if not args:
        person = current.require_person()
        current.reply(current.t("start.hello", name=person.name) + "\n\n" + _help_text(current))
        return
    now = current.app.clock.now()
    try:
        async with current.session.begin_nested():
            redeemed = await redeem_invitation(
                current.session, " ".join(args), sender, now, reminders=current.app.settings.reminders
            )
    except WrongCode as wrong:
        await record_wrong_code(current.session, sender, now)  # kept: the outer transaction commits
        current.reply(current.t(wrong.key, **wrong.values))
        return
    where = await scope_name(current.session, redeemed.scope_kind, redeemed.scope_code)
    key = "start.already" if redeemed.already_held else "start.welcome"
    role = current.t(f"role.{redeemed.role.value}")
    current.reply(current.t(key, name=redeemed.person.name, role=role, scope=where))
    current.person = redeemed.person
    from bot.services.people import active_grants

    current.grants = await active_grants(current.session, redeemed.person.id)
    current.reply(_help_text(current))
    current.menu_changed(commands_for({g.role for g in current.grants}, current.lang))


LINK_CHANNELS = ("telegram", "whatsapp")
LINK_EXPIRY = timedelta(minutes=30)


async def hubungkan(current: Turn) -> None:
    """One person, several apps. Without an argument (or with an app's name): a one-time code for this person's
    account in another app (or a second account in this one, a new phone). With a code: that code redeemed from here,
    as `/start CODE` does."""
    arg = current.args[0] if current.args else None
    if arg is not None and arg.lower() not in (*LINK_CHANNELS, current.incoming.channel):
        await start(current)  # a code, typed in the other app
        return
    person = current.require_person()
    channel = arg.lower() if arg else current.incoming.channel
    if not current.grants:
        raise InputError("chat.not_allowed")
    grant = current.grants[0]  # redeeming it gives no new role: it adds the account to this person
    now = current.app.clock.now()
    invitation = await create_invitation(
        current.session, grant.role, grant.scope_code, now, expires_in=LINK_EXPIRY, invited_by=person,
        actor=current.actor, channel=channel, person_id=person.id,
    )  # fmt: skip
    link = ""
    if channel == current.incoming.channel:
        link = current.channel.invite_link(invitation.code)
    elif channel == "whatsapp" and current.app.settings.whatsapp.business_number:  # tap, Send: linked
        link = whatsapp_invite_link(current.app.settings.whatsapp.business_number, invitation.code)
    current.reply(current.t("hubungkan.code", channel=channel_label(channel), code=invitation.code, link=link,
                            expires=fmt_datetime(invitation.expires_at, current.lang) + " UTC"))  # fmt: skip


async def bantuan(current: Turn) -> None:
    current.reply(_help_text(current))


async def undang(current: Turn) -> None:
    """Invite from the chat: admin anyone, staf only sekdes or pendamping of their own kecamatan. When the deployment
    runs both Telegram and WhatsApp, the app the invitation is for is asked first."""
    person = current.require_person()
    inviters = places(current.grants, Action.INVITE)
    if not inviters:
        raise InputError("chat.not_allowed")
    channels = configured_channels(current.app.settings)
    if len(channels) > 1:
        await save_draft(current.session, person.id, "undang", "channel", {}, current.app.clock.now())
        buttons = [[(channel_label(c), UndangChannel(c))] for c in channels]
        current.reply(current.t("invite.choose_channel"), [*buttons, [(current.t("button.cancel"), Cancel())]])
        return
    # one app (or, in tests, none configured): the invitation is for the app this person writes from
    await _ask_role(current, channels[0] if channels else current.incoming.channel)


async def undang_channel(current: Turn, channel: str) -> None:
    await _draft_at(current, "channel")
    if channel not in configured_channels(current.app.settings):
        raise InputError("chat.stale_button")
    current.mark_pressed(f"➡️ {channel_label(channel)}")
    await _ask_role(current, channel)


async def undang_typed_channel(current: Turn, text: str) -> None:
    """The app typed instead of pressed ("whatsapp", "Telegram"); anything else asks again."""
    channels = configured_channels(current.app.settings)
    if text.strip().lower() in channels:
        await undang_channel(current, text.strip().lower())
        return
    buttons = [[(channel_label(c), UndangChannel(c))] for c in channels]
    current.reply(current.t("invite.choose_channel"), [*buttons, [(current.t("button.cancel"), Cancel())]])


async def _ask_role(current: Turn, channel: str) -> None:
    person = current.require_person()
    inviters = places(current.grants, Action.INVITE)
    roles = sorted({r for g in inviters for r in INVITABLE[g.role]}, key=list(Role).index)
    await save_draft(current.session, person.id, "undang", "role", {"channel": channel}, current.app.clock.now())
    buttons = [[(current.t(f"role.{r.value}"), UndangRole(r.value))] for r in roles]
    current.reply(current.t("invite.choose_role"), [*buttons, [(current.t("button.cancel"), Cancel())]])


async def _draft_at(current: Turn, step: str) -> dict:
    person = current.require_person()
    draft = await get_draft(current.session, person.id)
    if draft is None or (draft.flow, draft.step) != ("undang", step):
        raise InputError("chat.stale_button")
    return draft.data


async def undang_role(current: Turn, role_value: str) -> None:
    data = await _draft_at(current, "role")
    assert current.person is not None
    try:
        role = Role(role_value)
    except ValueError:
        raise InputError("chat.stale_button") from None
    now = current.app.clock.now()
    carried = {"role": role.value, "channel": data.get("channel") or current.incoming.channel}
    if role in (Role.SEKDES, Role.PENDAMPING):
        desa = await desa_of_grants(current.session, places(current.grants, Action.INVITE), {Role.STAF, Role.ADMIN})
        if not desa:
            raise InputError("status.nothing")
        await save_draft(current.session, current.person.id, "undang", "desa", carried, now)
        buttons = [[(d.nama, UndangPlace(d.kode))] for d in desa[:30]]
        current.mark_pressed(f"➡️ {current.t(f'role.{role.value}')}")
        current.reply(current.t("invite.choose_desa"), [*buttons, [(current.t("button.cancel"), Cancel())]])
        return
    await save_draft(current.session, current.person.id, "undang", "place", carried, now)
    current.mark_pressed(f"➡️ {current.t(f'role.{role.value}')}")
    current.reply(current.t("invite.type_place"))


async def undang_desa(current: Turn, kode: str) -> None:
    """A desa chosen by its button."""
    data = await _draft_at(current, "desa")
    await undang_place(current, data["role"], kode, data.get("channel"))


async def undang_typed_place(current: Turn, place: str) -> None:
    """A kecamatan or kabupaten typed by its code."""
    data = await _draft_at(current, "place")
    await undang_place(current, data["role"], place, data.get("channel"))


async def undang_place(current: Turn, role_value: str, place: str, channel: str | None = None) -> None:
    """Create the invitation for `channel` (the service checks again that this person may invite there) and give
    its link: a t.me deep link, or a wa.me link that fills in DAFTAR and the code."""
    assert current.person is not None
    channel = channel or current.incoming.channel
    now = current.app.clock.now()
    invitation = await create_invitation(
        current.session, Role(role_value), place, now, invited_by=current.person, inviter_grants=current.grants,
        actor=current.actor, channel=channel,
    )  # fmt: skip
    await clear_draft(current.session, current.person.id)
    text = current.t(
        "invite.created",
        role=current.t(f"role.{invitation.role.value}"),
        scope=invitation.scope_name,
        expires=fmt_datetime(invitation.expires_at, current.lang) + " UTC",
        link=_invite_link(current, channel, invitation.code),
        code=invitation.code,
    )
    current.reply(text + "\n\n" + current.t("invite.forward"))


def _invite_link(current: Turn, channel: str, code: str) -> str:
    """The link that opens `channel` with the code; when it cannot be built here, how to send the code by hand."""
    settings = current.app.settings
    if channel == WHATSAPP and settings.whatsapp.business_number:
        return whatsapp_invite_link(settings.whatsapp.business_number, code)
    if channel == current.incoming.channel:
        return current.channel.invite_link(code)
    if channel == TELEGRAM and settings.telegram.username:
        return telegram_invite_link(settings.telegram.username, code)
    return current.t("invite.whatsapp_no_link" if channel == WHATSAPP else "invite.telegram_no_link", code=code)
