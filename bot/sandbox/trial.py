"""`klambi try`: the real bot on this machine, offline, played by hand in a browser.

A fresh database and file store in a temporary folder (never klambi.db, never the configured database), the chosen
kecamatan and its desa imported as `klambi demo` imports Jatiroto (`bot.sandbox.demo.prepare_area`), three people
already joined through their invitations: the secretary of the first desa on WhatsApp, the Kasi Pemerintahan and the
camat on Telegram. The bot is the one `klambi run` starts (`bot.channels.run.running`), against the Bot API and Graph
API sandboxes, on a `ManualClock`. One page (`try.html`, served on 127.0.0.1) shows the three phones; it polls
`/api/keadaan` and acts through a small JSON API that drives the sandboxes' people (`SandboxUser`, `WaPerson`), so
every tap and file goes to the bot as Telegram's or Meta's servers would send it. The clock control moves the clock
and runs what the scheduler would have run by then (`scheduler.jobs.Jobs.reminders`: planning and the sweep).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import itertools
import logging
import mimetypes
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.app import App
from bot.channels.run import Runtime, running
from bot.clock import ManualClock
from bot.config import Settings
from bot.errors import InputError
from bot.i18n import fmt_date
from bot.sandbox.demo import (
    DEMO_TOKEN,
    Season,
    WhatsAppUser,
    prepare_area,
    sandboxed,
)
from bot.sandbox.telegram import BotApiSandbox, SandboxMessage, SandboxUser
from bot.sandbox.whatsapp import GraphMessage, GraphSandbox, WaPerson
from bot.wilayah import Level, find_kecamatan, parent_of, reference_areas
from models.tables import Role
from scheduler.jobs import Jobs

log = logging.getLogger("klambi.try")
DEFAULT_KECAMATAN = "35.08.17"  # Jatiroto, Lumajang: the demo's kecamatan
DEFAULT_PORT = 8090
SWEEP_SECONDS = 5.0  # real seconds between the background reminder rounds (as `klambi run`'s job would)
CHOICES_SHOWN = 8  # kecamatan listed when a name matches several
STEPS = {"hari": timedelta(days=1), "minggu": timedelta(weeks=1)}


def choose_kecamatan(query: str) -> tuple[str, str, str]:
    """(kode, nama, kabupaten) of the one kecamatan `query` names (a code, a name, "name, kabupaten": the finder of
    `klambi setup`); InputError when none or several match, the latter listing them."""
    found = find_kecamatan(query)
    if not found:
        raise InputError("try.no_kecamatan", query=query[:60])
    areas = reference_areas()
    kabupaten = {a.kode: areas[parent_of(a.kode) or ""].nama for a in found}
    if len(found) > 1:
        shown = "; ".join(f"{a.nama} ({a.kode}, {kabupaten[a.kode]})" for a in found[:CHOICES_SHOWN])
        more = f"; … {len(found) - CHOICES_SHOWN} lagi" if len(found) > CHOICES_SHOWN else ""
        raise InputError("try.several_kecamatan", query=query[:60], choices=shown + more)
    return found[0].kode, found[0].nama, kabupaten[found[0].kode]


@dataclass
class Mine:
    """Something a person sent from the WhatsApp phone (Graph keeps only what the bot sent)."""

    before: int  # how many bot messages the phone held when it was sent: it shows before the next one
    text: str
    at: datetime
    file: str | None = None  # a key of `Trial.files`
    image: bool = False


@dataclass
class Phone:
    key: str
    title: str
    name: str
    channel: str  # "telegram" or "whatsapp"
    telegram: SandboxUser | None = None
    whatsapp: WaPerson | None = None
    mine: list[Mine] = field(default_factory=list)


class Trial:
    """The world, the running bot, and the page's API."""

    def __init__(self, app: App, runtime: Runtime, sandbox: BotApiSandbox, graph: GraphSandbox, clock: ManualClock,
                 season: Season, kecamatan: tuple[str, str, str]) -> None:  # fmt: skip
        self.app, self.runtime, self.sandbox, self.graph, self.clock = app, runtime, sandbox, graph, clock
        self.season, self.kecamatan = season, kecamatan
        self.phones: dict[str, Phone] = {}
        self.files: dict[str, tuple[bytes, str, str]] = {}  # key → (data, file name, MIME type)
        self.jobs = Jobs(app, runtime.transports, runtime.worker)
        self.lock = asyncio.Lock()  # one reminder round at a time; the clock moves between rounds
        self._numbers = itertools.count(1)
        self.tz = ZoneInfo(app.settings.bot.timezone)

    # --- what the page shows ---------------------------------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        now = self.clock.now().astimezone(self.tz)
        return {
            "kecamatan": f"{self.kecamatan[1]} ({self.kecamatan[0]}), {self.kecamatan[2]}",
            "jam": f"{fmt_date(now.date(), self.app.language)}, {now:%H.%M}",
            "phones": [self._phone_state(phone) for phone in self.phones.values()],
        }

    def _phone_state(self, phone: Phone) -> dict[str, Any]:
        base = {"key": phone.key, "title": phone.title, "name": phone.name, "channel": phone.channel}
        if phone.telegram is not None:
            chat = phone.telegram.chat
            keyboard = chat.keyboard or []
            toasts = [(n, a.text) for n, a in enumerate(self.sandbox.answers, 1) if a.user is phone.telegram and a.text]
            toast = {"n": toasts[-1][0], "text": toasts[-1][1]} if toasts else None  # a tap's answer, shown briefly
            messages = [self._telegram(m) for m in chat.history]
            return base | {"messages": messages, "keyboard": keyboard, "toast": toast}
        assert phone.whatsapp is not None
        shown: list[dict[str, Any]] = []
        mine = iter(phone.mine)
        pending = next(mine, None)
        for index, message in enumerate([*phone.whatsapp.messages, None]):
            while pending is not None and pending.before <= index:
                shown.append(self._mine(pending))
                pending = next(mine, None)
            if message is not None and message.type != "reaction":
                shown.append(self._whatsapp(message))
        return base | {"messages": shown, "keyboard": []}

    def _time(self, moment: datetime) -> str:
        return f"{moment.astimezone(self.tz):%H.%M}"

    def _day(self, moment: datetime) -> str:
        return fmt_date(moment.astimezone(self.tz).date(), self.app.language)

    def _telegram(self, message: SandboxMessage) -> dict[str, Any]:
        raw = message.raw
        shown: dict[str, Any] = {
            "from": "bot" if message.from_bot else "me",
            "text": message.text,
            "time": self._time(datetime.fromtimestamp(raw["date"], UTC)),
            "day": self._day(datetime.fromtimestamp(raw["date"], UTC)),
            "edited": message.edited,
            "id": str(message.message_id),
        }
        if document := message.document:
            key = f"tg-{document['file_id']}"
            if key not in self.files:
                data = self.sandbox.downloaded(document["file_id"])
                name = document.get("file_name") or "berkas"
                self.files[key] = (data, name, document.get("mime_type") or "application/octet-stream")
            shown["file"] = {"url": f"/api/berkas/{key}", "name": self.files[key][1], "image": False}
        if photo := message.photo:
            file_id = photo[-1]["file_id"]
            key = f"tg-{file_id}"
            if key not in self.files:
                data = self.sandbox.downloaded(file_id)
                png = data.startswith(b"\x89PNG")  # the bot's charts; Telegram would re-encode them as JPEG
                self.files[key] = (data, "foto.png" if png else "foto.jpg", "image/png" if png else "image/jpeg")
            shown["file"] = {"url": f"/api/berkas/{key}", "name": self.files[key][1], "image": True}
        shown["buttons"] = [
            [{"label": text, "press": {"message": str(message.message_id), "data": data}} for text, data in row]
            for row in message.buttons
        ]
        return shown

    def _whatsapp(self, message: GraphMessage) -> dict[str, Any]:
        shown: dict[str, Any] = {
            "from": "bot",
            "text": message.text,
            "time": self._time(message.at),
            "day": self._day(message.at),
            "id": message.wamid,
            "header": message.header,
            "footer": message.footer,
        }
        media = message.media
        if media is not None and media.data is not None:
            key = f"wa-{message.wamid}"
            image = message.type == "image"
            name = media.filename or ("foto.jpg" if image else "berkas")
            self.files.setdefault(key, (media.data, name, media.mime_type or "application/octet-stream"))
            shown["file"] = {"url": f"/api/berkas/{key}", "name": name, "image": image}
        presses = [(title, {"message": message.wamid, "id": i, "kind": "button"}) for title, i in message.buttons]
        presses += [
            (text, {"message": message.wamid, "id": p, "kind": "quick"}) for text, p in message.template_buttons
        ]
        shown["buttons"] = [[{"label": label, "press": press}] for label, press in presses]
        if message.list_button is not None:
            sections = []
            for title, rows in message.sections:
                shown_rows = [
                    {"title": t, "description": d, "press": {"message": message.wamid, "id": i, "kind": "list"}}
                    for t, i, d in rows
                ]
                sections.append({"title": title, "rows": shown_rows})
            shown["list"] = {"button": message.list_button, "sections": sections}
        return shown

    def _mine(self, mine: Mine) -> dict[str, Any]:
        shown: dict[str, Any] = {
            "from": "me",
            "text": mine.text,
            "time": self._time(mine.at),
            "day": self._day(mine.at),
            "buttons": [],
        }
        if mine.file is not None:
            shown["file"] = {"url": f"/api/berkas/{mine.file}", "name": self.files[mine.file][1], "image": mine.image}
        return shown

    # --- what people do --------------------------------------------------------------------------------------------

    async def say(self, phone: Phone, text: str) -> None:
        if phone.telegram is not None:
            await phone.telegram.send_text(text)
        else:
            assert phone.whatsapp is not None
            phone.mine.append(Mine(len(phone.whatsapp.messages), text, self.clock.now()))
            await phone.whatsapp.say(text)

    async def press(self, phone: Phone, press: dict[str, Any], label: str) -> None:
        if phone.telegram is not None:
            message = phone.telegram.chat.message(int(press["message"]))
            await phone.telegram.press_callback(message, str(press["data"]), label)
            return
        person = phone.whatsapp
        assert person is not None
        phone.mine.append(Mine(len(person.messages), label, self.clock.now()))
        if press.get("kind") == "quick":
            await person.tap(str(press["id"]))
        else:
            kind = "list" if press.get("kind") == "list" else "button"
            await person.press_id(str(press["id"]), label, kind=kind, context=str(press["message"]))

    async def send_file(self, phone: Phone, data: bytes, name: str, mime: str) -> None:
        image = mime in ("image/jpeg", "image/png")
        if phone.telegram is not None:
            if image:
                await phone.telegram.send_photo(data)
            else:
                await phone.telegram.send_document(data, name, mime)
            return
        person = phone.whatsapp
        assert person is not None
        key = f"mine-{next(self._numbers)}"
        self.files[key] = (data, name, mime)
        phone.mine.append(Mine(len(person.messages), "" if image else name, self.clock.now(), key, image))
        if image:
            await person.send_image(data, mime)
        else:
            await person.send_document(data, name, mime)

    async def round(self) -> None:
        """What the bot's repeating job does: plan what changed (hourly by the clock), sweep what is due."""
        async with self.lock:
            await self.jobs.reminders()
        with contextlib.suppress(Exception):
            await self.season.idle()

    async def advance(self, step: timedelta) -> None:
        """Move the clock once the bot is idle (a press being handled would be dated by the new day), then run the
        round the scheduler would have run at the new moment."""
        async with self.lock:
            with contextlib.suppress(Exception):
                await self.season.idle()
            self.clock.advance(step)
            self.jobs.planned_at = None  # the hourly planning is due: hours went by
            await self.jobs.reminders()
        with contextlib.suppress(Exception):
            await self.season.idle()

    async def rounds(self) -> None:
        while True:
            await asyncio.sleep(SWEEP_SECONDS)
            try:
                await self.round()
            except Exception:
                log.warning("the reminder round failed; the next one tries again", exc_info=True)


# --- the page and its API --------------------------------------------------------------------------------------------

TRIAL: web.AppKey[dict[str, Trial]] = web.AppKey("trial", dict)  # {"trial": …} once the bot runs


def _page() -> str:
    return resources.files("bot.sandbox").joinpath("try.html").read_text(encoding="utf-8")


async def _index(request: web.Request) -> web.Response:
    return web.Response(text=_page(), content_type="text/html", charset="utf-8")


def _trial(request: web.Request) -> Trial:
    trial = request.app[TRIAL].get("trial")
    if trial is None:
        raise web.HTTPServiceUnavailable(text="Sebentar: bot sedang disiapkan.")
    return trial


def _phone(trial: Trial, request: web.Request) -> Phone:
    phone = trial.phones.get(request.match_info["phone"])
    if phone is None:
        raise web.HTTPNotFound(text="Tidak ada ponsel itu.")
    return phone


async def _state(request: web.Request) -> web.Response:
    return web.json_response(_trial(request).state())


async def _act(request: web.Request) -> web.Response:
    trial = _trial(request)
    phone = _phone(trial, request)
    kind = request.match_info["kind"]
    try:
        if kind == "berkas":
            form = await request.post()
            upload = form.get("berkas")
            if not isinstance(upload, web.FileField):
                raise web.HTTPBadRequest(text="Pilih berkas dulu.")
            name = Path(unquote(upload.filename or "") or "berkas").name
            mime = upload.content_type
            if not mime or mime == "application/octet-stream":
                mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
            await trial.send_file(phone, upload.file.read(), name, mime)
        else:
            body = await request.json()
            if kind == "teks":
                text = str(body.get("text", "")).strip()
                if not text:
                    raise web.HTTPBadRequest(text="Pesan kosong.")
                await trial.say(phone, text[:4096])
            elif kind == "tekan":
                await trial.press(phone, dict(body.get("press") or {}), str(body.get("label", "")))
            else:
                raise web.HTTPNotFound()
    except (KeyError, ValueError, AssertionError) as exc:
        raise web.HTTPBadRequest(text=f"Tidak bisa: {exc}") from None
    return web.json_response({"ok": True})


async def _clock(request: web.Request) -> web.Response:
    trial = _trial(request)
    body = await request.json()
    step = STEPS.get(str(body.get("langkah")))
    if step is None:
        raise web.HTTPBadRequest(text="langkah: hari atau minggu")
    await trial.advance(step)
    return web.json_response(trial.state())


async def _file(request: web.Request) -> web.Response:
    trial = _trial(request)
    found = trial.files.get(request.match_info["key"])
    if found is None:
        raise web.HTTPNotFound()
    data, name, mime = found
    disposition = "inline" if mime.startswith("image/") else "attachment"
    quoted = name.replace('"', "")
    return web.Response(body=data, content_type=mime,
                        headers={"Content-Disposition": f'{disposition}; filename="{quoted}"'})  # fmt: skip


def page_app() -> web.Application:
    app = web.Application(client_max_size=25 * 1024 * 1024)
    app.router.add_get("/", _index)
    app.router.add_get("/api/keadaan", _state)
    app.router.add_post("/api/ponsel/{phone}/{kind}", _act)
    app.router.add_post("/api/jam", _clock)
    app.router.add_get("/api/berkas/{key}", _file)
    return app


@contextlib.asynccontextmanager
async def serving(port: int) -> AsyncIterator[tuple[web.Application, int]]:
    """The page on 127.0.0.1:`port` (0: any free port); InputError when the port is taken."""
    page = page_app()
    page[TRIAL] = {}
    runner = web.AppRunner(page, access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", port)
        try:
            await site.start()
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise InputError("try.port_in_use", port=port) from None
            raise InputError("try.port_unusable", port=port, reason=exc.strerror or exc) from None
        yield page, runner.addresses[0][1]
    finally:
        await runner.cleanup()


@contextlib.asynccontextmanager
async def trying(settings: Settings, kecamatan: str = DEFAULT_KECAMATAN, port: int = DEFAULT_PORT,
                 folder: Path | None = None) -> AsyncIterator[tuple[Trial, str]]:  # fmt: skip
    """Serve the page, build the world in a temporary folder, start the sandboxes and the bot; yield the trial and
    the page's URL; on leaving stop everything and remove the folder."""
    place = choose_kecamatan(kecamatan)
    async with serving(port) as (page, bound):
        with tempfile.TemporaryDirectory(prefix="klambi-try-", dir=folder) as temporary:
            async with _world(settings, place, Path(temporary)) as trial:
                page[TRIAL]["trial"] = trial
                rounds = asyncio.create_task(trial.rounds())
                try:
                    yield trial, f"http://127.0.0.1:{bound}/"
                finally:
                    rounds.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await rounds
                    page[TRIAL].pop("trial")


@contextlib.asynccontextmanager
async def _world(settings: Settings, place: tuple[str, str, str], folder: Path) -> AsyncIterator[Trial]:
    kode = place[0]
    async with sandboxed(settings, folder / "try.db", folder / "files") as (app, sandbox, graph, clock):
        await prepare_area(app, kode, clock.now())
        desa = [a for k, a in reference_areas().items() if k.startswith(kode + ".") and
                a.level in (Level.DESA, Level.DESA_ADAT)]  # fmt: skip
        if not desa:
            raise InputError("try.no_desa", kecamatan=place[1])
        first = min(desa, key=lambda a: a.kode)
        season = Season(app, sandbox, graph, clock, lambda _: None)
        async with running(app, telegram_token=DEMO_TOKEN, jobs=False, settle=0.3) as runtime:
            season.runtime = runtime
            assert runtime.whatsapp is not None
            graph.webhook_url = runtime.whatsapp.webhook.url
            await season.templates()
            sekdes = await season.join_whatsapp("6281330000101", "Siti", f"Sekdes {first.nama}", Role.SEKDES,
                                                 first.kode)  # fmt: skip
            staf = await season.join(201, "Rina", "Kasi Pemerintahan", Role.STAF, kode)
            camat = await season.join(301, "Kutum", "Camat", Role.CAMAT, kode)
            trial = Trial(app, runtime, sandbox, graph, clock, season, place)
            said = f"[WA] {sekdes.person.label} > "  # what she wrote to join (Graph keeps only the bot's side)
            joined = [line.removeprefix(said) for line in graph.transcript() if line.startswith(said)]
            for phone in (
                Phone("sekdes", f"Sekdes {first.nama}", "Siti", "whatsapp", whatsapp=_person(sekdes)),
                Phone("staf", "Kasi Pemerintahan", "Rina", "telegram", telegram=staf),
                Phone("camat", f"Camat {place[1]}", "Kutum", "telegram", telegram=camat),
            ):
                trial.phones[phone.key] = phone
            trial.phones["sekdes"].mine = [Mine(0, text, clock.now()) for text in joined]
            yield trial


def _person(user: WhatsAppUser) -> WaPerson:
    return user.person
