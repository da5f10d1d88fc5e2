"""The one web application: every HTTP route klambi serves, on one address (`[web] listen`, `port`).

Channels contribute routes (the Telegram webhook today; the WhatsApp webhook and a dashboard later) before it starts;
it knows no channel. See `WebApp`.
"""

from bot.web.server import HEALTH_PATH, MAX_BODY_BYTES, WebApp

__all__ = ["HEALTH_PATH", "MAX_BODY_BYTES", "WebApp"]
