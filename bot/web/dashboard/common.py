"""What every dashboard page shares: the session it is read for, the templates, the headers, the refusals.

A page is registered with `Routes.page(path, handler, name=...)` and written as
`async def handler(request, ctx: PageContext) -> web.StreamResponse`. Before it runs, the session cookie is looked up
(`bot.services.signin.look_up`) in a read of its own; the page then reads in one transaction of its own
(`ctx.session`). Both take no lock (`bot.db.reading`): a page never waits for the bot's writes, nor holds them up;
a page writes nothing. A refusal is raised (`ctx.refuse()`, `ctx.not_found()`, `ctx.bad_request(...)`) and becomes the
one message page. Every response of the dashboard carries the same strict headers (`secure_headers`).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NoReturn
from urllib.parse import quote
from zoneinfo import ZoneInfo

import jinja2
from aiohttp import web
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.db import reading
from bot.i18n import doc_label, fmt_date, fmt_datetime, fmt_percent, status_label, t
from bot.parsing import DATE_YEARS
from bot.services.signin import Lookup, Viewer, after_lookup, look_up
from bot.web.server import WebApp
from models.status import end_of_day

log = logging.getLogger("klambi.web.dashboard")

COOKIE = "klambi_sesi"  # the session's token (HttpOnly, SameSite=Lax, Secure behind https)
FORM_COOKIE = "klambi_masuk"  # the sign-in form's CSRF token (double submit)
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
CACHE_ENTRIES = 64


class PageError(Exception):
    """A refusal or a problem, shown as the one message page with this status."""

    def __init__(self, status: int, key: str, **values: object) -> None:
        super().__init__(key)
        self.status, self.key, self.values = status, key, values


def secure_headers(response: web.StreamResponse, *, personal: bool = True) -> web.StreamResponse:
    """The headers of every dashboard response: no framing, no referrer (a sign-in link carries its token), no
    sniffing, a strict CSP; `no-store` unless the response is the same for everyone (the stylesheet)."""
    headers = response.headers
    headers["Content-Security-Policy"] = CSP
    headers["X-Frame-Options"] = "DENY"
    headers["Referrer-Policy"] = "no-referrer"
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Cache-Control"] = "no-store" if personal else "public, max-age=3600"
    return response


def redirect(location: str) -> web.Response:
    """A 303 to a path of the dashboard (returned, so that the page's headers are added to it)."""
    return secure_headers(web.Response(status=303, headers={"Location": location}))


def keluar_token(cookie: str) -> str:
    """The CSRF token of the "Keluar" form: derived from the session's cookie, which only its browser holds."""
    return hmac.new(cookie.encode(), b"keluar", hashlib.sha256).hexdigest()[:32]


def same(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and hmac.compare_digest(a.encode(), b.encode())


def safe_filename(name: str) -> str:
    """A file name as plain ASCII letters, digits, dots and dashes: what goes into a header is never a person's text
    as typed."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip(".-")
    return cleaned[:120] or "berkas"


class Dashboard:
    """The dashboard's shared parts: the application, the templates, whether cookies are Secure, a small cache."""

    def __init__(self, app: App, webapp: WebApp) -> None:
        self.app = app
        self.secure = webapp.public_url is not None  # public_url is https (bot.config): cookies only over https
        self.templates = jinja2.Environment(
            loader=jinja2.PackageLoader("bot.web.dashboard", "templates"),
            autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        lang = app.settings.bot.language
        self.templates.filters.update(
            tanggal=lambda d: fmt_date(d, lang),
            waktu=lambda m: fmt_datetime(m, lang),
            persen=lambda v: fmt_percent(v, lang),
            status=lambda s: status_label(s, lang),
            dokumen=doc_label,
        )
        self.templates.globals["t"] = lambda key, **values: t(key, lang, **values)
        self.cache: OrderedDict[Any, Any] = OrderedDict()  # e.g. a chart by the figures it shows

    def cached(self, key: Any, make: Callable[[], Any]) -> Any:
        """The value kept under `key`, made once; the oldest of `CACHE_ENTRIES` goes first."""
        if key in self.cache:
            self.cache.move_to_end(key)
            return self.cache[key]
        value = self.cache[key] = make()
        while len(self.cache) > CACHE_ENTRIES:
            self.cache.popitem(last=False)
        return value

    def page(self, template: str, status: int = 200, **context: Any) -> web.Response:
        html = self.templates.get_template(template).render(**context)
        return secure_headers(web.Response(text=html, status=status, content_type="text/html", charset="utf-8"))

    def message(self, error: PageError, viewer: Viewer | None = None, cookie: str | None = None) -> web.Response:
        text = t(error.key, self.app.settings.bot.language, **error.values)
        return self.page("pesan.html", error.status, pesan=text, viewer=viewer,
                         keluar_csrf=keluar_token(cookie) if viewer and cookie else "")  # fmt: skip


@dataclass
class PageContext:
    """What a page handler gets: the app, who asks, an open read transaction, the moment."""

    dashboard: Dashboard
    request: web.Request
    viewer: Viewer
    session: AsyncSession
    now: datetime
    cookie: str
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def app(self) -> App:
        return self.dashboard.app

    def render(self, template: str, status: int = 200, **context: Any) -> web.Response:
        return self.dashboard.page(template, status, viewer=self.viewer, keluar_csrf=keluar_token(self.cookie),
                                   **context)  # fmt: skip

    def refuse(self) -> NoReturn:
        """The one 403: outside the viewer's scope, or a code they could not see anyway (no probing)."""
        raise PageError(403, "dasbor.forbidden")

    def not_found(self) -> NoReturn:
        raise PageError(404, "dasbor.not_found")

    def bad_request(self, key: str, **values: object) -> NoReturn:
        raise PageError(400, key, **values)

    def attachment(self, data: bytes, filename: str, content_type: str) -> web.Response:
        """A download: saved, never shown inline; its name as safe ASCII, with the UTF-8 name beside it."""
        response = web.Response(body=data, content_type=content_type)
        response.headers["Content-Disposition"] = (
            f"attachment; filename=\"{safe_filename(filename)}\"; filename*=UTF-8''{quote(filename, safe='')}"
        )
        return secure_headers(response)


def year_and_moment(request: web.Request, ctx: PageContext, timezone: str) -> tuple[int, datetime, date]:
    """`?tahun=YYYY&per=YYYY-MM-DD`: the performance year (default: this year in the kecamatan's zone) and the
    moment the page shows (the end of `per` in that zone; default now). A value that cannot be read is a 400."""
    zone = ZoneInfo(timezone)
    today = ctx.now.astimezone(zone).date()
    per_text = request.query.get("per", "").strip()
    at, local = ctx.now, today
    if per_text:
        try:
            if not per_text.isascii() or len(per_text) != 10:
                raise ValueError(per_text)
            local = date.fromisoformat(per_text)
        except ValueError:
            ctx.bad_request("dasbor.bad_date", value=per_text[:20], example=today.isoformat())
        if not DATE_YEARS[0] <= local.year <= DATE_YEARS[1]:
            ctx.bad_request("dasbor.bad_date", value=per_text[:20], example=today.isoformat())
        at = end_of_day(local, zone)
    year_text = request.query.get("tahun", "").strip()
    year = local.year
    if year_text:
        if not (year_text.isascii() and year_text.isdigit() and len(year_text) == 4):
            ctx.bad_request("dasbor.bad_year", value=year_text[:20], example=today.year)
        year = int(year_text)
        if not DATE_YEARS[0] <= year <= DATE_YEARS[1]:
            ctx.bad_request("dasbor.bad_year", value=year_text, example=today.year)
    return year, at, local


PageHandler = Callable[[web.Request, PageContext], Awaitable[web.StreamResponse]]
OpenHandler = Callable[[web.Request, Dashboard], Awaitable[web.StreamResponse]]


class Routes:
    """Where the dashboard's modules register their routes on the one web application."""

    def __init__(self, webapp: WebApp, dashboard: Dashboard) -> None:
        self.webapp, self.dashboard = webapp, dashboard

    def page(self, path: str, handler: PageHandler, *, name: str, method: str = "GET") -> None:
        """A route for signed-in viewers only: without a live session it answers 401 with how to sign in."""
        dashboard = self.dashboard

        async def serve(request: web.Request) -> web.StreamResponse:
            app = dashboard.app
            now = app.clock.now()
            cookie = request.cookies.get(COOKIE, "")
            viewer: Viewer | None = None
            try:
                async with reading(app.sessions) as session:
                    lookup = await look_up(session, cookie, now)
                if lookup.end is not None or lookup.touch is not None:
                    await _after(app, lookup, now)
                viewer = lookup.viewer
                if viewer is None:
                    raise PageError(401, "dasbor.need_sign_in")
                async with reading(app.sessions) as session:  # a page reads: it never waits for the bot's writes
                    ctx = PageContext(dashboard, request, viewer, session, now, cookie)
                    response = await handler(request, ctx)
            except PageError as error:
                return dashboard.message(error, viewer, cookie)
            except OperationalError:
                log.warning("database busy while serving %s", name, exc_info=True)
                return dashboard.message(PageError(503, "dasbor.busy"), viewer, cookie)
            return secure_headers(response) if "Content-Security-Policy" not in response.headers else response

        self.webapp.add_route(method, path, serve, name=name)

    def open(self, path: str, handler: OpenHandler, *, name: str, method: str = "GET") -> None:
        """A route anyone may ask (the sign-in form, the stylesheet): the handler sets its own headers."""
        dashboard = self.dashboard

        async def serve(request: web.Request) -> web.StreamResponse:
            try:
                return await handler(request, dashboard)
            except PageError as error:
                return dashboard.message(error)
            except OperationalError:
                log.warning("database busy while serving %s", name, exc_info=True)
                return dashboard.message(PageError(503, "dasbor.busy"))

        self.webapp.add_route(method, path, serve, name=name)


async def _after(app: App, lookup: Lookup, now: datetime) -> None:
    """The lookup's write, in a short transaction of its own. A session left unmarked as seen while the database is
    busy is no loss; one that must end is refused either way (its viewer is None)."""
    try:
        async with app.sessions() as session, session.begin():
            await after_lookup(session, lookup, now)
    except OperationalError:
        log.info("a dashboard session could not be marked (database busy); it will be next time")


def new_form_token() -> str:
    return secrets.token_urlsafe(24)
