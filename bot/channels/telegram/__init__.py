"""Telegram: the python-telegram-bot Application, polling and the webhook, rendering, downloads."""
