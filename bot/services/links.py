"""Invitation links for every channel, and which channels a deployment has: channel-neutral, so the chat's handlers,
the scheduler and the command line build the same links without importing a channel (docs/architecture.md)."""

from __future__ import annotations

from urllib.parse import quote

from bot.config import Settings

TELEGRAM = "telegram"
WHATSAPP = "whatsapp"
JOIN_WORD = "DAFTAR"  # what a WhatsApp invitation pre-fills: "DAFTAR <CODE>", redeemed like /start CODE


def telegram_invite_link(bot_username: str, code: str) -> str:
    """The deep link that opens the bot with `/start CODE`."""
    return f"https://t.me/{bot_username}?start={code}"


def whatsapp_invite_link(business_number: str, code: str) -> str:
    """Click-to-chat with the office's number, `DAFTAR <CODE>` filled in (the person still presses Send)."""
    return f"https://wa.me/{business_number}?text={quote(f'{JOIN_WORD} {code}')}"


def telegram_configured(settings: Settings) -> bool:
    return settings.telegram.token is not None or settings.telegram.username is not None


def whatsapp_configured(settings: Settings) -> bool:
    return settings.whatsapp.configured


def configured_channels(settings: Settings) -> list[str]:
    """The channels this deployment runs, Telegram first."""
    found = [TELEGRAM] if telegram_configured(settings) else []
    return found + ([WHATSAPP] if whatsapp_configured(settings) else [])


def default_channel(settings: Settings) -> str:
    """Where an invitation goes when nobody says: the only configured channel, else Telegram (both or neither)."""
    configured = configured_channels(settings)
    return configured[0] if len(configured) == 1 else TELEGRAM
