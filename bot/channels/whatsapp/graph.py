"""Meta's Graph API for WhatsApp, as plain HTTP: send a message, upload and fetch media, mark a message read.

One `aiohttp.ClientSession` per process, the access token in the Authorization header only (never in a URL, a log
line or an exception). A refusal becomes `GraphError` with Meta's code: the callers decide what each code means
(docs/architecture.md, "WhatsApp"; the codes are listed in `THROTTLED` and below).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections import deque
from pathlib import Path
from typing import Any

from aiohttp import ClientError, ClientSession, ClientTimeout, FormData

from bot.config import WhatsAppSettings
from bot.errors import InputError

log = logging.getLogger("klambi.whatsapp.graph")
TIMEOUT = ClientTimeout(total=60, sock_connect=15)
DOWNLOAD_TIMEOUT = ClientTimeout(total=300, sock_connect=30, sock_read=60)
CHUNK = 64 * 1024

UNREACHABLE = {131026}  # not on WhatsApp, or cannot receive (blocked): mark the contact, tell staf once
WINDOW_CLOSED = {131047}  # more than 24 hours since the person wrote: only a template goes
THROTTLED = {4, 80007, 130429, 131048, 131056, 133016}  # too fast (per number, per pair, per account): later, slower
MEDIA_FAILED = {131053}  # media could not be fetched: try again
TEMPLATE_MISSING = {132000, 132001, 132005, 132007, 132012, 132015, 132016}  # not approved, paused, wrong params


class GraphError(Exception):
    """Meta refused a call: its error code (and subcode), and whether trying again later may work."""

    def __init__(self, status: int, code: int | None, subcode: int | None, message: str) -> None:
        super().__init__(f"Graph API error {code} ({status}): {message}")
        self.status, self.code, self.subcode, self.message = status, code, subcode, message

    @property
    def passing(self) -> bool:
        """Worth trying again later: throttled, a media hiccup, or Meta's side failing (5xx)."""
        return self.code in THROTTLED or self.code in MEDIA_FAILED or self.status >= 500


SEND_RATE = 80  # messages a second for one number (Meta's default throughput)
PAIR_BURST, PAIR_SECONDS = 10, 6.0  # to one person: a short burst, then about one message every few seconds


class Pace:
    """Sends spaced to at most `rate` a second for the number (halved for a minute after Meta said "too fast"), and
    at most `burst` to one person within `seconds`: the caller waits its turn rather than being refused."""

    def __init__(self, rate: float = SEND_RATE, burst: int = PAIR_BURST, seconds: float = PAIR_SECONDS) -> None:
        self.rate, self.burst, self.seconds = rate, burst, seconds
        self._next, self._slow_until = 0.0, 0.0
        self._lock = asyncio.Lock()
        self._recent: dict[str, deque[float]] = {}

    async def wait(self, to: str) -> None:
        recent = self._recent.setdefault(to, deque())
        while True:
            moment = time.monotonic()
            while recent and moment - recent[0] >= self.seconds:
                recent.popleft()
            if len(recent) < self.burst:
                break
            await asyncio.sleep(self.seconds - (moment - recent[0]))
        async with self._lock:
            moment = time.monotonic()
            interval = (2.0 if moment < self._slow_until else 1.0) / self.rate
            if self._next > moment:
                await asyncio.sleep(self._next - moment)
                moment = self._next
            self._next = moment + interval
        recent.append(moment)
        if len(self._recent) > 10_000:  # forget people not written to lately
            self._recent = {k: v for k, v in self._recent.items() if v and moment - v[-1] < self.seconds}

    def slow_down(self) -> None:
        self._slow_until = time.monotonic() + 60.0


class Graph:
    """The calls the bot makes, against `[whatsapp] graph_url` (Meta's, or the sandbox of `klambi demo`)."""

    def __init__(self, settings: WhatsAppSettings, pace: Pace | None = None) -> None:
        assert settings.phone_number_id is not None and settings.access_token is not None
        self.base = settings.graph_url
        self.phone_number_id = settings.phone_number_id
        self._auth = {"Authorization": f"Bearer {settings.access_token.get_secret_value()}"}
        self._client: ClientSession | None = None
        self.pace = pace or Pace()

    @property
    def client(self) -> ClientSession:
        if self._client is None or self._client.closed:
            self._client = ClientSession(timeout=TIMEOUT, trust_env=True)
        return self._client

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None

    async def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        url = f"{self.base}/{path}"
        try:
            async with self.client.request(method, url, headers=self._auth, **kwargs) as response:
                try:
                    body = await response.json(content_type=None)
                except ValueError:
                    body = None
                if response.status >= 400 or not isinstance(body, dict):
                    raise _error(response.status, body)
                return body
        except ClientError as exc:
            raise GraphError(503, None, None, f"network: {type(exc).__name__}") from None

    async def send(self, to: str, payload: dict[str, Any]) -> str:
        """Send one message to a wa_id (digits) or a username id ("ID.…"); Meta's id of it (the wamid)."""
        recipient = {"recipient": to} if not to.isdigit() else {"to": to}
        body = {"messaging_product": "whatsapp", "recipient_type": "individual", **recipient, **payload}
        await self.pace.wait(to)
        try:
            answer = await self._call("POST", f"{self.phone_number_id}/messages", json=body)
        except GraphError as error:
            if error.code in THROTTLED:
                self.pace.slow_down()
            raise
        try:
            return str(answer["messages"][0]["id"])
        except (KeyError, IndexError, TypeError):
            raise GraphError(502, None, None, "no message id in the answer") from None

    async def mark_read(self, wamid: str) -> None:
        body = {"messaging_product": "whatsapp", "status": "read", "message_id": wamid}
        await self._call("POST", f"{self.phone_number_id}/messages", json=body)

    async def upload(self, content: bytes, mime_type: str, filename: str) -> str:
        """Upload a file for sending; its media id."""
        form = FormData()
        form.add_field("messaging_product", "whatsapp")
        form.add_field("type", mime_type)
        form.add_field("file", content, filename=filename, content_type=mime_type)
        answer = await self._call("POST", f"{self.phone_number_id}/media", data=form)
        return str(answer["id"])

    async def download(self, media_id: str, target: Path, limit: int) -> str:
        """Fetch a received file into `target`: its size is checked before the download and while it runs, its bytes
        against the sha256 Meta gave. Returns the announced mime type. Refusals are the chat's friendly errors."""
        try:
            info = await self._call("GET", media_id)
        except GraphError as error:
            log.warning("media %s: %s", "lookup", error.code)
            raise InputError("kirim.download_failed") from None
        size, url, expected = info.get("file_size"), info.get("url"), str(info.get("sha256") or "")
        if isinstance(size, int) and size > limit:
            raise InputError("kirim.too_big", size=f"{size / 2**20:.1f}".replace(".", ","), limit=limit // 2**20)
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise InputError("kirim.download_failed")
        digest, received = hashlib.sha256(), 0
        try:
            async with self.client.get(url, headers=self._auth, timeout=DOWNLOAD_TIMEOUT) as response:
                if response.status != 200:
                    log.warning("media download answered HTTP %s", response.status)
                    raise InputError("kirim.download_failed")
                with target.open("wb") as writer:
                    async for chunk in response.content.iter_chunked(CHUNK):
                        received += len(chunk)
                        if received > limit:
                            raise InputError("kirim.over_limit", limit=limit // 2**20)
                        digest.update(chunk)
                        writer.write(chunk)
        except (ClientError, TimeoutError) as exc:
            log.warning("media download failed: %s", type(exc).__name__)
            raise InputError("kirim.download_failed") from None
        if expected and digest.hexdigest() != expected.lower():
            log.warning("media %s: sha256 differs from what Meta announced", media_id)
            raise InputError("kirim.download_failed")
        return str(info.get("mime_type") or "")


def _error(status: int, body: Any) -> GraphError:
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return GraphError(status, None, None, "unexpected answer")
    code, subcode = error.get("code"), error.get("error_subcode")
    message = str(error.get("message") or "")[:300]
    return GraphError(status, code if isinstance(code, int) else None, subcode if isinstance(subcode, int) else None,
                      message)  # fmt: skip
