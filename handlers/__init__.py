"""Telegram I/O only: parse an update, call one service from `bot.services`, render the answer.

Empty until the bot issue: the services it will call (records, indicator, places) already exist.
"""
