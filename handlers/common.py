"""What every handler shares: one database session per update, the person behind it, and an outbox.

Replies are queued while the update is handled and sent only after the transaction committed: a user is never told
"received" about something the database did not keep. An update handled before (delivered again) changes nothing
and gets no second answer (`bot.services.updates`). Bad input (`InputError`) rolls the handler's work back (a
savepoint) and gets its friendly text, and the update counts as handled: a redelivery is not answered again. A busy
database rolls everything back, the update's key too, and asks to try again; anything else is logged and answered
kindly. A stranger is told how to join at most once in `STRANGER_QUIET`.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, MessageEntity, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.app import App
from bot.authz import Grant
from bot.chat.messages import Sender
from bot.clock import today
from bot.errors import InputError
from bot.i18n import Language, t
from bot.services.contacts import person_by_sender
from bot.services.people import active_grants
from bot.services.updates import first_delivery
from bot.views import Formatted
from models.tables import Person

log = logging.getLogger("klambi.handlers")
Send = Callable[[Any], Awaitable[Any]]  # bot -> coroutine


@dataclass
class Turn:
    """One update being handled."""

    app: App
    session: AsyncSession
    update: Update
    context: ContextTypes.DEFAULT_TYPE
    person: Person | None
    grants: list[Grant]
    outbox: list[Send] = field(default_factory=list)
    callback_answer: str | None = None

    @property
    def lang(self) -> Language:
        return self.app.settings.bot.language

    def t(self, key: str, **values: object) -> str:
        return t(key, self.lang, **values)

    @property
    def chat_id(self) -> int:
        assert self.update.effective_chat is not None
        return self.update.effective_chat.id

    def require_person(self) -> Person:
        """The registered person behind this update; a stranger is told how to get an invitation."""
        if self.person is None:
            raise InputError("chat.unknown_person")
        return self.person

    def reply(self, text: str | Formatted, buttons: list[list[tuple[str, str]]] | None = None) -> None:
        self.send(self.chat_id, text, buttons)

    def send(self, chat_id: int, text: str | Formatted, buttons: list[list[tuple[str, str]]] | None = None) -> None:
        markup = keyboard(buttons) if buttons else None
        formatted = text if isinstance(text, Formatted) else Formatted(text)
        self.outbox.append(
            lambda bot: bot.send_message(
                chat_id,
                formatted.text,
                reply_markup=markup,
                entities=[MessageEntity(s.kind, s.offset, s.length) for s in formatted.spans] or None,
            )
        )

    def later(self, action: Send) -> None:
        self.outbox.append(action)

    def edit_pressed(self, text: str, buttons: list[list[tuple[str, str]]] | None = None) -> None:
        """Replace the message whose button was pressed (its buttons disappear unless new ones are given)."""
        query = self.update.callback_query
        if query is None or query.message is None:
            return
        message = query.message
        markup = keyboard(buttons) if buttons else None
        self.outbox.append(
            lambda bot: bot.edit_message_text(
                text, chat_id=message.chat.id, message_id=message.message_id, reply_markup=markup
            )
        )

    @property
    def pressed_text(self) -> str:
        """The text of the button that was pressed, as the message showed it ("" when it is not there)."""
        query = self.update.callback_query
        markup = getattr(query.message, "reply_markup", None) if query else None
        for row in getattr(markup, "inline_keyboard", None) or ():
            for button in row:
                if button.callback_data == query.data:
                    return button.text
        return ""

    def mark_pressed(self, line: str) -> None:
        """Keep the pressed message's text, add `line`, and take its buttons away."""
        query = self.update.callback_query
        message = query.message if query else None
        original = getattr(message, "text", None) or ""
        self.edit_pressed(f"{original}\n\n{line}".strip())


async def local_today(current: Turn, desa_kode: str) -> date:
    """Today in the desa's kecamatan time zone, by the one clock."""
    from bot.services.places import place_of

    _, kecamatan = await place_of(current.session, desa_kode)
    return today(current.app.clock, ZoneInfo(kecamatan.timezone))


async def replan(current: Turn, kecamatan_kode: str) -> None:
    """Planning follows every change: re-plan this kecamatan's reminders in the same transaction."""
    if not current.app.settings.reminders.enabled:
        return
    from scheduler.planner import plan_kecamatan

    await plan_kecamatan(current.session, kecamatan_kode, current.app.clock.now(), current.app.settings.reminders)


def keyboard(rows: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(text, callback_data=data) for text, data in row] for row in rows]
    )


Handler = Callable[[Turn], Awaitable[None]]


def turn(handler: Handler) -> Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]:
    """Wrap a handler: session and transaction, person and grants, outbox after commit, kind answers on failure."""

    @functools.wraps(handler)
    async def wrapper(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        app: App = context.bot_data["app"]
        language = app.settings.bot.language
        query = update.callback_query
        current: Turn | None = None
        refusal: InputError | None = None
        try:
            async with app.sessions() as session, session.begin():
                if not await first_delivery(session, context.bot.id, update.update_id, app.clock.now()):
                    log.info("update %s was handled before: not again", update.update_id)
                    return
                user = update.effective_user
                chat = update.effective_chat  # they wrote to the bot: reachable again there, and preferred
                address = str(chat.id if chat else user.id) if user else ""
                sender = Sender("telegram", str(user.id), address, user.full_name) if user else None
                person, _ = await person_by_sender(session, sender, app.clock.now()) if sender else (None, None)
                grants = await active_grants(session, person.id) if person else []
                current = Turn(app, session, update, context, person, grants)
                try:
                    async with session.begin_nested():
                        await handler(current)
                except InputError as problem:  # its work undone; the key commits: it is answered once
                    refusal = problem
        except (OperationalError, DBAPIError):
            log.warning("database unavailable while handling %s", handler.__name__, exc_info=True)
            await answer(update, t("chat.busy", language))
            return
        if refusal is not None:
            user = update.effective_user
            stranger = refusal.key == "chat.unknown_person" and query is None  # a press is answered anyway
            if stranger and user is not None and _told_lately(context, user.id, app):
                log.info("refused %s: a stranger told how to join lately, not again", handler.__name__)
                return
            log.info("refused %s: %s", handler.__name__, refusal.key)
            await answer(update, t(refusal.key, language, **refusal.values))
            return
        assert current is not None
        if query is not None:
            await _safe(query.answer(current.callback_answer))
        for send in current.outbox:
            await _safe(send(context.bot))

    return wrapper


STRANGER_QUIET = timedelta(minutes=10)


def _told_lately(context: ContextTypes.DEFAULT_TYPE, user_id: int, app: App) -> bool:
    """Whether this stranger was told how to join within `STRANGER_QUIET`; if not, they are being told now. In memory,
    per process: a stranger is told at most once a while by each worker."""
    told: dict[int, datetime] = context.bot_data.setdefault("strangers_told", {})
    now = app.clock.now()
    last = told.get(user_id)
    if last is not None and now - last < STRANGER_QUIET:
        return True
    if len(told) >= 10_000:
        told = context.bot_data["strangers_told"] = {u: at for u, at in told.items() if now - at < STRANGER_QUIET}
    told[user_id] = now
    return False


async def answer(update: Update, text: str) -> None:
    if update.callback_query is not None:
        await _safe(update.callback_query.answer(text[:200], show_alert=True))
    elif update.effective_chat is not None:
        await _safe(update.get_bot().send_message(update.effective_chat.id, text))


async def _safe(call: Awaitable[Any]) -> None:
    """Telegram may refuse one message (a chat that blocked the bot); the rest still goes out."""
    try:
        await call
    except TelegramError:
        log.warning("Telegram refused a message", exc_info=True)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The last resort: log, and tell the person kindly."""
    log.error("unhandled error", exc_info=context.error)
    app: App | None = context.bot_data.get("app")
    language: Language = app.settings.bot.language if app else "id"
    if isinstance(update, Update):
        await answer(update, t("chat.error", language))
