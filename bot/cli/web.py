"""`klambi web`: the dashboard alone (no chat channel), and the operator's sign-in links and sessions.

- `klambi web` serves the dashboard on `[web] listen`:`port` until interrupted;
- `klambi web link (--person ID | --kecamatan CODE | --kabupaten CODE) [--minutes N]` prints a one-use sign-in URL
  alone on stdout (base: `[web] public_url`, else `http://<listen>:<port>`);
- `klambi web sessions` lists live sessions and unused links; `klambi web revoke` ends one, or all of a person's.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from zoneinfo import ZoneInfo

import click

from bot.app import App, until_stopped
from bot.cli.common import Context, echo_json, format_option, group, pass_context, person_number, ready
from bot.errors import InputError
from bot.i18n import fmt_datetime, t
from bot.services.audit import CLI
from bot.services.signin import dashboard_base
from bot.views import render_table

log = logging.getLogger("klambi")


@group("web", invoke_without_command=True)
@click.pass_context
def web(click_ctx: click.Context) -> None:
    """Dasbor kantor kecamatan: tanpa perintah lain, sajikan dasbor saja (tanpa kanal chat) di [web] listen:port."""
    if click_ctx.invoked_subcommand is not None:
        return
    ctx = click_ctx.find_object(Context)
    assert ctx is not None
    _serve(ctx)


def _serve(ctx: Context) -> None:
    from bot.web import WebApp
    from bot.web.dashboard import mount_dashboard

    logging.getLogger().setLevel(logging.INFO)
    ctx.run(ready)
    app = App.create(ctx.settings, ctx.clock)

    async def serve() -> None:
        webapp = WebApp(app.settings.web)
        mount_dashboard(webapp, app)
        try:
            async with webapp:
                log.info("dashboard on %s/dasbor", dashboard_base(app.settings.web))
                await until_stopped()
        finally:
            await app.close()
        log.info("stopped")

    try:
        asyncio.run(serve())
    except OSError as exc:  # the port is taken, the address is not this machine's
        raise InputError("web.cannot_listen", listen=ctx.settings.web.listen, port=ctx.settings.web.port,
                         reason=exc.strerror or type(exc).__name__) from None  # fmt: skip


@web.command("link")
@click.option("--person", "person_text", metavar="ID", help="Tautan untuk orang ini (staf, camat, atau admin).")
@click.option("--kecamatan", metavar="KODE", help="Tautan hanya-baca untuk satu kecamatan.")
@click.option("--kabupaten", metavar="KODE", help="Tautan hanya-baca untuk satu kabupaten (mis. Dinas PMD).")
@click.option("--minutes", "minutes_text", default="10", show_default=True, metavar="N",
              help="Masa berlaku tautan dalam menit (paling lama 10080 = 7 hari).")  # fmt: skip
@pass_context
def link(
    ctx: Context, person_text: str | None, kecamatan: str | None, kabupaten: str | None, minutes_text: str
) -> None:
    """Cetak tautan masuk sekali pakai ke dasbor (hanya URL-nya, di stdout)."""
    from bot.services.signin import MAX_LINK_MINUTES, create_link, link_url

    given = [v for v in (person_text, kecamatan, kabupaten) if v is not None]
    if len(given) != 1:
        raise InputError("dasbor.person_or_place")
    text = minutes_text.strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 6):
        raise InputError("dasbor.bad_minutes", low=1, high=MAX_LINK_MINUTES)
    minutes = int(text)
    person_id = person_number(person_text) if person_text is not None else None
    place = kecamatan if kecamatan is not None else kabupaten
    if kabupaten is not None and place is not None and place.strip().count(".") != 1:
        raise InputError("dasbor.viewer_place", kode=place.strip()[:20])
    if kecamatan is not None and place is not None and place.strip().count(".") != 2:
        raise InputError("dasbor.viewer_place", kode=place.strip()[:20])

    async def work(app: App):
        await ready(app)
        async with app.sessions() as session, session.begin():
            return await create_link(session, app.clock.now(), actor=CLI, person_id=person_id, place=place,
                                     minutes=minutes)  # fmt: skip

    made = ctx.run(work)
    click.echo(link_url(dashboard_base(ctx.settings.web), made.token))
    zone = ZoneInfo(ctx.settings.bot.timezone)
    click.echo(t("web.link_made", ctx.language, who=made.scope_name,
                 until=fmt_datetime(made.expires_at.astimezone(zone), ctx.language)), err=True)  # fmt: skip


@web.command("sessions")
@format_option
@pass_context
def sessions(ctx: Context, output: str) -> None:
    """Sesi dasbor yang masih berlaku dan tautan masuk yang belum dipakai."""
    from bot.services.signin import live_access

    async def work(app: App):
        await ready(app)
        async with app.sessions() as session:
            return await live_access(session, app.clock.now())

    rows = ctx.run(work)
    if output == "json":
        echo_json([{"kind": r.kind, "id": r.id, "who": r.who, "person_id": r.person_id, "place": r.place,
                    "since": r.since.isoformat(), "until": r.until.isoformat(),
                    "last_seen": r.last_seen.isoformat() if r.last_seen else None} for r in rows])  # fmt: skip
        return
    lang = ctx.language
    if not rows:
        click.echo(t("web.no_sessions", lang))
        return
    zone = ZoneInfo(ctx.settings.bot.timezone)

    def local(moment: datetime | None) -> str:
        return fmt_datetime(moment.astimezone(zone), lang) if moment else "-"

    table = [[r.kind, str(r.id), r.who, str(r.person_id or "-"), r.place or "-", local(r.since), local(r.until),
              local(r.last_seen)] for r in rows]  # fmt: skip
    headers = [t("web.col.kind", lang), "ID", t("web.col.who", lang), t("web.col.person", lang),
               t("web.col.place", lang), t("web.col.since", lang), t("web.col.until", lang),
               t("web.col.seen", lang)]  # fmt: skip
    click.echo(render_table(headers, table))


@web.command("revoke")
@click.option("--session", "session_text", metavar="ID", help="Akhiri satu sesi.")
@click.option("--link", "link_text", metavar="ID", help="Batalkan satu tautan yang belum dipakai.")
@click.option("--person", "person_text", metavar="ID", help="Akhiri semua sesi dan tautan orang ini.")
@pass_context
def revoke(ctx: Context, session_text: str | None, link_text: str | None, person_text: str | None) -> None:
    """Akhiri sesi dasbor (lihat `klambi web sessions`) atau batalkan tautan masuk."""
    from bot.services.signin import revoke as revoke_access

    given = [v for v in (session_text, link_text, person_text) if v is not None]
    if len(given) != 1:
        raise InputError("web.revoke_one")
    session_id = _number("--session", session_text) if session_text is not None else None
    link_id = _number("--link", link_text) if link_text is not None else None
    person_id = person_number(person_text) if person_text is not None else None

    async def work(app: App) -> int:
        await ready(app)
        async with app.sessions() as session, session.begin():
            return await revoke_access(session, app.clock.now(), actor=CLI, session_id=session_id, link_id=link_id,
                                       person_id=person_id)  # fmt: skip

    count = ctx.run(work)
    if count == 0:
        raise InputError("web.nothing_revoked")
    click.echo(t("web.revoked", ctx.language, count=count))


def _number(option: str, text: str) -> int:
    """A session's or a link's id as `klambi web sessions` shows it."""
    value = text.strip()
    if not (value.isascii() and value.isdigit() and len(value) <= 9):
        raise InputError("web.bad_id", option=option, value=value[:20])
    return int(value)
