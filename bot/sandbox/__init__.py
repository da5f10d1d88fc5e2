"""Offline stand-ins for the platforms (the Telegram Bot API sandbox) and the demo season played against them."""
