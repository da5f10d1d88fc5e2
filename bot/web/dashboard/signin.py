"""Signing in and out: the one-use link's page, its "Masuk" button, "Keluar", and `/dasbor` itself.

Chat apps open a link to show its preview, so a GET only shows the "Masuk" button and uses nothing; the POST, with a
CSRF token (double submit: a cookie of the form and the same value in it), uses the link up and sets the session
cookie. docs/architecture.md, "The dashboard".
"""

from __future__ import annotations

from aiohttp import web

from bot.db import reading
from bot.errors import InputError
from bot.services.signin import SESSION_HOURS, end_sessions, link_state, use_link
from bot.web.dashboard.common import (
    COOKIE,
    FORM_COOKIE,
    Dashboard,
    PageContext,
    PageError,
    Routes,
    keluar_token,
    new_form_token,
    redirect,
    same,
    secure_headers,
)

FORM_MINUTES = 15


def _link_error(error: InputError) -> PageError:
    return PageError(404 if error.key == "dasbor.link_unknown" else 410, error.key)


async def sign_in_form(request: web.Request, dashboard: Dashboard) -> web.StreamResponse:
    """GET of a sign-in link: whether it can be used, and a "Masuk" button. Nothing is used up."""
    app = dashboard.app
    token = request.match_info["token"]
    async with reading(app.sessions) as session:
        try:
            link = await link_state(session, token, app.clock.now())
        except InputError as error:
            raise _link_error(error) from None
        viewer_place = link.scope_code
    form = new_form_token()
    response = dashboard.page("masuk.html", csrf=form, viewer=None, keluar_csrf="", tempat=viewer_place)
    response.set_cookie(FORM_COOKIE, form, max_age=FORM_MINUTES * 60, path="/dasbor/masuk", httponly=True,
                        samesite="Strict", secure=dashboard.secure)  # fmt: skip
    return response


async def sign_in(request: web.Request, dashboard: Dashboard) -> web.StreamResponse:
    """POST of "Masuk": the form's token must match its cookie; then the link is used up and the session opens."""
    app = dashboard.app
    form = await request.post()
    typed = form.get("csrf")
    if not isinstance(typed, str) or not same(typed, request.cookies.get(FORM_COOKIE)):
        raise PageError(400, "dasbor.form_expired")
    token = request.match_info["token"]
    try:
        async with app.sessions() as session, session.begin():
            cookie, _ = await use_link(session, token, app.clock.now(), remote=request.remote)
    except InputError as error:
        raise _link_error(error) from None
    response = redirect("/dasbor")
    response.set_cookie(COOKIE, cookie, max_age=SESSION_HOURS * 3600, path="/dasbor", httponly=True, samesite="Lax",
                        secure=dashboard.secure)  # fmt: skip
    response.del_cookie(FORM_COOKIE, path="/dasbor/masuk")
    return response


async def sign_out(request: web.Request, ctx: PageContext) -> web.StreamResponse:
    """POST of "Keluar": the session ends in the database, the cookie goes."""
    form = await request.post()
    typed = form.get("csrf")
    if not isinstance(typed, str) or not same(typed, keluar_token(ctx.cookie)):
        ctx.bad_request("dasbor.form_expired")
    async with ctx.app.sessions() as session, session.begin():
        await end_sessions(session, ctx.now, "keluar", session_id=ctx.viewer.session_id)
    response = ctx.dashboard.message(PageError(200, "dasbor.signed_out"))
    response.del_cookie(COOKIE, path="/dasbor")
    return response


async def home(request: web.Request, ctx: PageContext) -> web.StreamResponse:
    """`/dasbor`: to the viewer's own place."""
    return redirect(ctx.viewer.home())


async def choose(request: web.Request, ctx: PageContext) -> web.StreamResponse:
    """`/dasbor/pilih`: the viewer's places, when there are several."""
    from bot.services.people import scope_name
    from bot.services.signin import path_of
    from models.tables import ScopeKind

    places = []
    for grant in ctx.viewer.places():
        if grant.scope_kind is ScopeKind.DESA:
            continue
        places.append((path_of(grant), await scope_name(ctx.session, grant.scope_kind, grant.scope_code)))
    return ctx.render("pilih.html", tempat=list(dict.fromkeys(places)))


async def stylesheet(request: web.Request, dashboard: Dashboard) -> web.StreamResponse:
    response = web.Response(body=STYLESHEET, content_type="text/css", charset="utf-8")
    return secure_headers(response, personal=False)


def _stylesheet() -> bytes:
    from importlib.resources import files

    return files("bot.web.dashboard").joinpath("static/gaya.css").read_bytes()


STYLESHEET = _stylesheet()


def mount(routes: Routes) -> None:
    routes.open("/dasbor/gaya.css", stylesheet, name="dasbor_gaya")
    routes.open("/dasbor/masuk/{token}", sign_in_form, name="dasbor_masuk")
    routes.open("/dasbor/masuk/{token}", sign_in, name="dasbor_masuk_post", method="POST")
    routes.page("/dasbor/keluar", sign_out, name="dasbor_keluar", method="POST")
    routes.page("/dasbor", home, name="dasbor")
    routes.page("/dasbor/pilih", choose, name="dasbor_pilih")
