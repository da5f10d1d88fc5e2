"""`WebApp`: the one aiohttp application, its shared parts, and its start and stop.

Shared by every route: a body cap (`MAX_BODY_BYTES`; a larger body gets 413 when the route reads it), a health route
(`GET /healthz`, "ok", touching nothing), the access log of `bot.web.access` (no paths, queries or headers), and a
graceful stop (requests in flight get up to `SHUTDOWN_SECONDS` to finish). A channel adds its routes with `add_route`
and, if it must tell someone where it listens (Telegram's setWebhook), registers `on_listening`; then the caller
enters the application:

    webapp = WebApp(settings.web)
    async with telegram_webhook(app, token, webapp), webapp:   # mount the route; listen; then setWebhook
        await stopped.wait()

Leaving stops listening first (in-flight requests finish), then the channels stop.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from types import TracebackType

from aiohttp import web

from bot.config import HEALTH_PATH, WebSettings
from bot.web.access import Refusals, access_logger
from bot.web.access import log as access_log

log = logging.getLogger("klambi.web")
MAX_BODY_BYTES = 1024 * 1024  # a Telegram update is a few kilobytes; a WhatsApp notification too
SHUTDOWN_SECONDS = 5.0

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class WebApp:
    """The aiohttp application every channel's routes are mounted on, listening on `[web] listen`:`port`."""

    def __init__(self, settings: WebSettings, *, max_body: int = MAX_BODY_BYTES) -> None:
        self.listen, self.port, self.public_url = settings.listen, settings.port, settings.public_url
        self.application = web.Application(client_max_size=max_body)
        self._routes: dict[str, str] = {}  # path -> route name (a path may have a route per method: one name)
        self._methods: set[tuple[str, str]] = set()
        self._resources: dict[str, web.Resource] = {}
        self._on_listening: list[Callable[[], Awaitable[None]]] = []
        self._runner: web.AppRunner | None = None
        self.add_route("GET", HEALTH_PATH, _health, name="health")

    def add_route(self, method: str, path: str, handler: Handler, *, name: str) -> None:
        """Serve `path` (`method` "*" for any) with `handler`; `name` is what the access log writes for it. Another
        method of the same path may be added (it is logged under the path's first name)."""
        if self._runner is not None:
            raise RuntimeError("routes are added before the web application starts")
        if (method, path) in self._methods or (path in self._routes and "*" in (method, *self._methods_of(path))):
            raise ValueError(f"{path} is already served by the {self._routes[path]} route")
        if path not in self._resources:
            self._resources[path] = self.application.router.add_resource(path, name=name)
        self._resources[path].add_route(method, handler)
        self._routes.setdefault(path, name)
        self._methods.add((method, path))

    def _methods_of(self, path: str) -> list[str]:
        return [m for m, p in self._methods if p == path]

    def on_listening(self, callback: Callable[[], Awaitable[None]]) -> None:
        """Call `callback` once the application listens (in the order added); an error stops it again."""
        self._on_listening.append(callback)

    @property
    def routes(self) -> dict[str, str]:
        """Path to route name, for every route mounted."""
        return dict(self._routes)

    def local_url(self, path: str = "") -> str:
        """Where this process answers `path` (tests, the reverse proxy's upstream); the port is known once started."""
        host = f"[{self.listen}]" if ":" in self.listen else self.listen
        return f"http://{host}:{self.port}{path}"

    def public_url_for(self, path: str) -> str | None:
        """Where the world reaches `path` through the reverse proxy (`[web] public_url` + path), if it is published."""
        return self.public_url + path if self.public_url else None

    async def start(self) -> None:
        if self._runner is not None:
            raise RuntimeError("the web application is already started")
        runner = web.AppRunner(
            self.application,
            access_log=access_log,
            access_log_class=access_logger(Refusals()),
            shutdown_timeout=SHUTDOWN_SECONDS,
        )
        await runner.setup()
        self._runner = runner
        try:
            await web.TCPSite(runner, self.listen, self.port).start()
            self.port = runner.addresses[0][1]
            log.info("web listening on %s (%s)", self.local_url(), ", ".join(sorted(self._routes.values())))
            for callback in self._on_listening:
                await callback()
        except BaseException:
            await self.stop()
            raise

    async def stop(self) -> None:
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def __aenter__(self) -> WebApp:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()


async def _health(request: web.Request) -> web.Response:
    """Alive and answering; touches no database (a load balancer asks often)."""
    return web.Response(text="ok")
