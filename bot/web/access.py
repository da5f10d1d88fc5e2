"""The access log: one line per request that names the route, never the path or the query.

A path or a query string may carry a secret (a webhook path someone made of the bot token, WhatsApp's
`hub.verify_token`), and headers do (`X-Telegram-Bot-Api-Secret-Token`): none of them is written. A line says who
asked (the peer's address; behind the reverse proxy that is the proxy), the method, the route's name, the status, the
size and the time taken. Refusals (401, 403, 404, 405, 413) are summed into one line a minute at most: someone
knocking on the door must not fill the log.
"""

from __future__ import annotations

import logging
import time

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

log = logging.getLogger("klambi.web.access")
REFUSALS = frozenset({401, 403, 404, 405, 413})
REFUSALS_LOGGED_EVERY = 60.0  # seconds


class Refusals:
    """How many refusals since the last line about them, for one web application."""

    def __init__(self) -> None:
        self.count, self.logged_at = 0, float("-inf")


def access_logger(refusals: Refusals) -> type[AbstractAccessLogger]:
    """An access logger class bound to one application's refusal count (aiohttp makes one per connection)."""

    class AccessLog(AbstractAccessLogger):
        def log(self, request: web.BaseRequest, response: web.StreamResponse, time_taken: float) -> None:
            route = _route_name(request)
            line = (request.remote or "-", request.method, route, response.status, response.body_length, time_taken)
            if response.status not in REFUSALS:
                self.logger.info('%s "%s %s" %d %dB %.0fms', *line[:5], line[5] * 1000)
                return
            refusals.count += 1
            now = time.monotonic()
            if now - refusals.logged_at >= REFUSALS_LOGGED_EVERY:
                self.logger.info(
                    '%d request(s) refused since the last such line; the last: %s "%s %s" %d', refusals.count, *line[:4]
                )
                refusals.count, refusals.logged_at = 0, now

    return AccessLog


def _route_name(request: web.BaseRequest) -> str:
    """The name a channel gave its route ("telegram", "health"), or "-" for a path no route serves."""
    match_info = getattr(request, "match_info", None)
    if match_info is None or match_info.http_exception is not None:
        return "-"
    return match_info.route.name or "-"
