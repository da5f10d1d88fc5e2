"""The WhatsApp Graph API sandbox on its own, over real HTTP on loopback: an aiohttp client plays the bot's calls,
a tiny aiohttp receiver plays the bot's webhook route."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp import ClientSession, FormData, web

from bot.channels.whatsapp.graph import Graph
from bot.channels.whatsapp.graph import GraphError as ClientGraphError
from bot.clock import ManualClock
from bot.config import WhatsAppSettings
from bot.errors import InputError
from bot.sandbox.whatsapp import GraphSandbox, WaPerson, WebhookRefused

TOKEN = "EAAG-sandbox-token"
SECRET = "app-secret-for-tests"
VERIFY = "verify-me"
NOW = datetime(2025, 1, 15, 2, 0, tzinfo=UTC)
PDF = b"%PDF-1.7\n" + bytes(range(256)) * 4 + b"\n%%EOF"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
SITI, BUDI = "6281234567890", "6281298765432"
BEARER = {"Authorization": f"Bearer {TOKEN}"}


@dataclass
class Receiver:
    """The bot's webhook route, reduced to recording: raw bytes and headers of every POST."""

    status: int = 200
    posts: list[tuple[bytes, dict[str, str]]] = field(default_factory=list)
    url: str = ""

    async def post(self, request: web.Request) -> web.Response:
        self.posts.append((await request.read(), dict(request.headers)))
        return web.Response(status=self.status, text="ok")

    async def get(self, request: web.Request) -> web.Response:
        query = request.query
        if query.get("hub.mode") == "subscribe" and query.get("hub.verify_token") == VERIFY:
            return web.Response(text=query.get("hub.challenge", ""))
        return web.Response(status=403, text="forbidden")

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(raw) for raw, _ in self.posts]

    def messages(self) -> list[dict[str, Any]]:
        return [
            message
            for body in self.bodies()
            for entry in body["entry"]
            for change in entry["changes"]
            for message in change["value"].get("messages", [])
        ]


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    receiver = Receiver()
    app = web.Application()
    app.router.add_post("/whatsapp", receiver.post)
    app.router.add_get("/whatsapp", receiver.get)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    receiver.url = f"http://127.0.0.1:{runner.addresses[0][1]}/whatsapp"
    yield receiver
    await runner.cleanup()


@pytest.fixture
async def monotonic() -> FakeMonotonic:
    return FakeMonotonic()


@pytest.fixture
async def graph(clock, receiver, monotonic) -> AsyncIterator[GraphSandbox]:
    sandbox = GraphSandbox(access_token=TOKEN, app_secret=SECRET, clock=clock.now, monotonic=monotonic)
    async with sandbox:
        sandbox.webhook_url = receiver.url
        yield sandbox


@pytest.fixture
async def http() -> AsyncIterator[ClientSession]:
    async with ClientSession() as session:
        yield session


async def call(
    http: ClientSession, method: str, url: str, body: Any = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, Any]]:
    async with http.request(method, url, json=body, headers=BEARER if headers is None else headers) as response:
        return response.status, await response.json()


async def send(http: ClientSession, graph: GraphSandbox, to: str, **content: Any) -> tuple[int, dict[str, Any]]:
    """A /messages call as the bot makes it; `to` starting with "ID." goes as `recipient`."""
    address = {"recipient": to} if to.startswith("ID.") else {"to": to}
    body = {"messaging_product": "whatsapp", "recipient_type": "individual"} | address | content
    return await call(http, "POST", f"{graph.graph_url}/{graph.phone_number_id}/messages", body)


def text(body: str) -> dict[str, Any]:
    return {"type": "text", "text": {"body": body}}


def buttons(*titles: str, body: str = "Pilih:") -> dict[str, Any]:
    listed = [{"type": "reply", "reply": {"id": f"id:{title}", "title": title}} for title in titles]
    return {
        "type": "interactive",
        "interactive": {"type": "button", "body": {"text": body}, "action": {"buttons": listed}},
    }


def rows(*titles: str, label: str = "Pilih dokumen", sections: int = 1) -> dict[str, Any]:
    listed = [{"id": f"row:{title}", "title": title, "description": f"tentang {title}"} for title in titles]
    chunks = [listed[i::sections] for i in range(sections)]
    made = [{"title": f"Bagian {i + 1}", "rows": chunk} for i, chunk in enumerate(chunks)]
    action = {"button": label, "sections": made}
    return {"type": "interactive", "interactive": {"type": "list", "body": {"text": "Dokumen:"}, "action": action}}


def error_of(status_body: tuple[int, dict[str, Any]]) -> tuple[int, int]:
    status, body = status_body
    return status, body["error"]["code"]


async def opened(person: WaPerson) -> WaPerson:
    """The person writes once, so their 24-hour window is open."""
    await person.say("halo")
    return person


def signed(raw: bytes) -> str:
    return "sha256=" + hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()


# --- authorization and errors ----------------------------------------------------------------------------------------


async def test_every_graph_call_needs_the_bearer_token(graph, http):
    siti = await opened(graph.person(SITI, "Siti"))
    url = f"{graph.graph_url}/{graph.phone_number_id}/messages"
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
        status, body = await call(http, "POST", url, {"messaging_product": "whatsapp", "to": SITI} | text("x"), headers)
        assert status == 401
        assert body["error"]["code"] == 190 and body["error"]["type"] == "OAuthException"
        assert body["error"]["fbtrace_id"] and TOKEN not in json.dumps(body)
    status, _ = await call(http, "GET", f"{graph.graph_url}/{graph.waba_id}/message_templates", headers={})
    assert status == 401
    assert graph.sent == [] and siti.messages == []
    assert (await send(http, graph, SITI, **text("ada")))[0] == 200
    assert [m.text for m in siti.messages] == ["ada"]


async def test_errors_have_graphs_shape(graph, http):
    status, body = await send(http, graph, SITI, **text("halo"))
    assert status == 400
    error = body["error"]
    assert error["code"] == 131026 and error["message"] == "(#131026) Message undeliverable"
    assert error["error_data"]["messaging_product"] == "whatsapp" and error["error_data"]["details"]
    assert set(error) >= {"message", "type", "code", "error_data", "fbtrace_id"}
    status, body = await call(http, "POST", f"{graph.graph_url}/999/messages", {"messaging_product": "whatsapp"})
    assert (status, body["error"]["code"], body["error"]["error_subcode"]) == (400, 100, 33)
    status, body = await call(http, "POST", f"{graph.base_url}/v1.0/{graph.phone_number_id}/messages", {})
    assert (status, body["error"]["code"]) == (400, 2500)
    assert graph.refusals[0] == (131026, SITI)
    await opened(graph.person(SITI, "Siti"))
    odd = buttons("Ya")
    odd["interactive"]["footer"] = "not an object"
    assert error_of(await send(http, graph, SITI, **odd)) == (400, 100)
    assert error_of(await send(http, graph, SITI, type="sticker", sticker={"id": "1"})) == (400, 100)
    assert graph.sent == []


async def test_unknown_and_blocked_people_are_undeliverable(graph, http):
    siti = await opened(graph.person(SITI, "Siti"))
    assert error_of(await send(http, graph, BUDI, **text("halo"))) == (400, 131026)
    status, body = await send(http, graph, "+62 812-3456-7890", **text("halo"))
    assert status == 200 and body["contacts"] == [{"input": "+62 812-3456-7890", "wa_id": SITI}]
    graph.block(SITI)
    assert error_of(await send(http, graph, SITI, **text("lagi"))) == (400, 131026)
    assert len(siti.messages) == 1
    graph.unblock(SITI)
    assert (await send(http, graph, SITI, **text("lagi")))[0] == 200


async def test_a_username_person_is_reached_by_recipient_only(graph, http, receiver):
    ana = graph.person(None, "Ana", user_id="ID.ana42")
    await ana.say("halo")
    posted = receiver.bodies()[-1]["entry"][0]["changes"][0]["value"]
    assert posted["contacts"] == [{"profile": {"name": "Ana"}, "user_id": "ID.ana42"}]
    assert posted["messages"][0]["from"] == "ID.ana42"
    status, body = await send(http, graph, "ID.ana42", **text("Selamat datang"))
    assert status == 200 and body["contacts"] == [{"input": "ID.ana42", "user_id": "ID.ana42"}]
    assert graph.sent_to("ID.ana42")[0].to == "ID.ana42"
    assert error_of(await send(http, graph, "ID.nobody", **text("x"))) == (400, 131026)


# --- the 24-hour window --------------------------------------------------------------------------------------------


async def test_free_form_needs_the_window_and_the_window_moves_with_the_clock(graph, http, clock):
    siti = graph.person(SITI, "Siti")
    assert error_of(await send(http, graph, SITI, **text("halo"))) == (400, 131047)
    await siti.say("kirim")
    clock.advance(timedelta(hours=23, minutes=59, seconds=59))
    status, body = await send(http, graph, SITI, **text("masih boleh"))
    assert status == 200 and body["messages"][0]["id"].startswith("wamid.")
    clock.advance(timedelta(seconds=1))
    status, body = await send(http, graph, SITI, **buttons("Ya"))
    assert (status, body["error"]["code"]) == (400, 131047)
    assert "24 hours" in body["error"]["error_data"]["details"]
    await siti.say("saya kembali")
    assert (await send(http, graph, SITI, **text("selamat datang kembali")))[0] == 200
    assert [m.text for m in siti.messages] == ["masih boleh", "selamat datang kembali"]
    assert siti.messages[0].at == NOW + timedelta(hours=23, minutes=59, seconds=59)


# --- what the bot sends: limits ------------------------------------------------------------------------------------


def _bad_payloads() -> list[tuple[str, dict[str, Any], str]]:
    long_section = rows("a")
    long_section["interactive"]["action"]["sections"][0]["title"] = "S" * 25
    no_titles = rows(*"abcd", sections=2)
    for section in no_titles["interactive"]["action"]["sections"]:
        del section["title"]
    long_footer = buttons("Ya")
    long_footer["interactive"]["footer"] = {"text": "f" * 61}
    long_body = buttons("Ya", body="b" * 1025)
    long_id = buttons("Ya")
    long_id["interactive"]["action"]["buttons"][0]["reply"]["id"] = "i" * 257
    long_row_id = rows("a")
    long_row_id["interactive"]["action"]["sections"][0]["rows"][0]["id"] = "r" * 201
    long_description = rows("a")
    long_description["interactive"]["action"]["sections"][0]["rows"][0]["description"] = "d" * 73
    return [
        ("text", text("x" * 4097), "Max length: 4096"),
        ("empty text", text(""), "Min length: 1"),
        ("four buttons", buttons("A", "B", "C", "D"), "Max count: 3"),
        ("button title", buttons("T" * 21), "Button title length invalid: 21"),
        ("button id", long_id, "Button id length invalid: 257"),
        ("button body", long_body, "Max length: 1024"),
        ("footer", long_footer, "footer"),
        ("duplicate buttons", buttons("Ya", "Ya"), "unique"),
        (
            "eleven rows",
            rows(*[f"r{i}" for i in range(11)], sections=2),
            "Total row count exceed max allowed count: 10",
        ),
        ("row title", rows("R" * 25), "Row title length invalid: 25"),
        ("row id", long_row_id, "Row id length invalid: 201"),
        ("row description", long_description, "Row description length invalid: 73"),
        ("list button", rows("a", label="L" * 21), "Max length: 20"),
        ("section title", long_section, "Section title length invalid: 25"),
        ("sections without titles", no_titles, "more than one section"),
        ("caption", {"type": "document", "document": {"link": "https://x.test/a.pdf", "caption": "c" * 1025}}, "1024"),
        ("media id and link", {"type": "image", "image": {"id": "1", "link": "https://x.test/a.jpg"}}, "exactly one"),
    ]


@pytest.mark.parametrize(("what", "payload", "detail"), _bad_payloads(), ids=[c[0] for c in _bad_payloads()])
async def test_limits_are_refused_with_the_limit_named(graph, http, what, payload, detail):
    await opened(graph.person(SITI, "Siti"))
    status, body = await send(http, graph, SITI, **payload)
    assert (status, body["error"]["code"]) == (400, 131009)
    assert detail in body["error"]["error_data"]["details"]
    assert graph.sent == []


async def test_messages_at_the_limits_are_accepted_and_recorded(graph, http):
    siti = await opened(graph.person(SITI, "Siti"))
    assert (await send(http, graph, SITI, **text("x" * 4096)))[0] == 200
    assert (await send(http, graph, SITI, **buttons("T" * 20, "Tolak", "Nanti", body="b" * 1024)))[0] == 200
    titles = [f"Dokumen nomor {i:02d} ......"[:24] for i in range(10)]
    listed = rows(*titles, label="L" * 20, sections=3)
    assert (await send(http, graph, SITI, **listed, context={"message_id": siti.inbound[0]}))[0] == 200
    plain, pressed, chosen = siti.messages
    assert plain.text == "x" * 4096 and plain.buttons == [] and plain.template is None
    assert pressed.buttons == [("T" * 20, "id:" + "T" * 20), ("Tolak", "id:Tolak"), ("Nanti", "id:Nanti")]
    assert chosen.list_button == "L" * 20 and len(chosen.rows) == 10 and chosen.rows[0][2].startswith("tentang")
    assert chosen.context == siti.inbound[0] and chosen.text == "Dokumen:"
    assert siti.last is chosen and graph.sent == [plain, pressed, chosen]


# --- media ---------------------------------------------------------------------------------------------------------


async def upload(http: ClientSession, graph: GraphSandbox, data: bytes, mime_type: str, name: str, headers=None):
    form = FormData()
    form.add_field("messaging_product", "whatsapp")
    form.add_field("type", mime_type)
    form.add_field("file", data, filename=name, content_type=mime_type)
    url = f"{graph.graph_url}/{graph.phone_number_id}/media"
    async with http.post(url, data=form, headers=BEARER if headers is None else headers) as response:
        return response.status, await response.json()


async def test_media_upload_get_and_download_round_trip(graph, http):
    status, body = await upload(http, graph, PDF, "application/pdf", "rekap.pdf")
    assert status == 200
    media_id = body["id"]
    status, info = await call(http, "GET", f"{graph.graph_url}/{media_id}")
    assert status == 200
    assert info["sha256"] == hashlib.sha256(PDF).hexdigest() and info["file_size"] == len(PDF)
    assert info["mime_type"] == "application/pdf" and info["id"] == media_id
    assert info["messaging_product"] == "whatsapp"
    async with http.get(info["url"]) as response:
        assert response.status == 401
    async with http.get(info["url"], headers=BEARER) as response:
        assert response.status == 200 and await response.read() == PDF
    assert graph.media_fetches[media_id] == 1
    siti = await opened(graph.person(SITI, "Siti"))
    document = {"type": "document", "document": {"id": media_id, "filename": "Rekap 2024.pdf", "caption": "Rekap"}}
    assert (await send(http, graph, SITI, **document))[0] == 200
    sent = siti.last.document
    assert sent is not None and sent.data == PDF and sent.filename == "Rekap 2024.pdf"
    assert sent.mime_type == "application/pdf" and siti.last.text == "Rekap"
    assert error_of(await call(http, "GET", f"{graph.graph_url}/123456")) == (400, 100)


async def test_media_limits_and_a_lying_or_failing_download(graph, http):
    assert error_of(await upload(http, graph, PNG + b"\x00" * (5 * 1024 * 1024), "image/png", "a.png")) == (400, 100)
    assert error_of(await upload(http, graph, b"GIF89a", "image/gif", "a.gif")) == (400, 100)
    assert error_of(await upload(http, graph, PNG, "image/png", "a.png", headers={})) == (401, 190)
    _, body = await upload(http, graph, PDF, "application/pdf", "a.pdf")
    siti = await opened(graph.person(SITI, "Siti"))
    image = {"type": "image", "image": {"id": body["id"]}}
    assert error_of(await send(http, graph, SITI, **image)) == (400, 131009)  # a PDF is no image
    assert error_of(await send(http, graph, SITI, **{"type": "image", "image": {"id": "42"}})) == (400, 131009)
    assert siti.messages == []
    graph.corrupt_media(body["id"])
    _, info = await call(http, "GET", f"{graph.graph_url}/{body['id']}")
    async with http.get(info["url"], headers=BEARER) as response:
        assert hashlib.sha256(await response.read()).hexdigest() != info["sha256"]
    graph.fail_media(body["id"], 404)
    async with http.get(info["url"], headers=BEARER) as response:
        assert response.status == 404
    assert graph.media_fetches[body["id"]] == 1


async def test_a_persons_document_arrives_with_its_hash_and_downloads(graph, http, receiver):
    siti = graph.person(SITI, "Siti")
    wamid = await siti.send_document(PDF, "RKPDes 2025.pdf", "application/pdf", caption="RKPDes")
    message = receiver.messages()[-1]
    assert message["id"] == wamid and message["type"] == "document"
    document = message["document"]
    assert document["filename"] == "RKPDes 2025.pdf" and document["caption"] == "RKPDes"
    assert base64.b64decode(document["sha256"]) == hashlib.sha256(PDF).digest()  # Meta: base64 in the webhook
    _, info = await call(http, "GET", f"{graph.graph_url}/{document['id']}")
    assert info["sha256"] == hashlib.sha256(PDF).hexdigest()  # and hex from the media endpoint
    async with http.get(info["url"], headers=BEARER) as response:
        assert await response.read() == PDF
    await siti.send_image(PNG, "image/png", caption="halaman 1")
    image = receiver.messages()[-1]["image"]
    assert image["mime_type"] == "image/png" and graph.media(image["id"]).data == PNG


# --- templates -----------------------------------------------------------------------------------------------------


REMINDER = {
    "name": "klambi_pengingat_v1",
    "language": "id",
    "category": "UTILITY",
    "components": [
        {
            "type": "BODY",
            "text": "Pengingat: {{1}} Desa {{2}} ditunggu paling lambat {{3}}. Balas kirim.",
            "example": {"body_text": [["RKPDes", "Rojopolo", "30 September 2024"]]},
        },
        {"type": "FOOTER", "text": "Kecamatan Jatiroto"},
        {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": "Kirim sekarang"}]},
    ],
}


def reminder_call(*params: str, payload: str | None = "kirim:7") -> dict[str, Any]:
    components: list[dict[str, Any]] = [{"type": "body", "parameters": [{"type": "text", "text": p} for p in params]}]
    if payload is not None:
        parameters = [{"type": "payload", "payload": payload}]
        components.append({"type": "button", "sub_type": "quick_reply", "index": "0", "parameters": parameters})
    template = {"name": "klambi_pengingat_v1", "language": {"policy": "deterministic", "code": "id"}}
    return {"type": "template", "template": template | {"components": components}}


async def test_templates_created_reviewed_and_sent_outside_the_window(graph, http):
    url = f"{graph.graph_url}/{graph.waba_id}/message_templates"
    status, created = await call(http, "POST", url, REMINDER)
    assert status == 200 and created["status"] == "PENDING" and created["category"] == "UTILITY"
    status, body = await call(http, "POST", url, REMINDER)
    assert (status, body["error"]["code"], body["error"]["error_subcode"]) == (400, 100, 2388024)
    siti = graph.person(SITI, "Siti")  # never wrote: only a template reaches her
    status, body = await send(http, graph, SITI, **reminder_call("RKPDes", "Rojopolo", "30 September 2024"))
    assert (status, body["error"]["code"]) == (404, 132001)
    assert "does not exist in id" in body["error"]["error_data"]["details"]
    graph.set_template_status("klambi_pengingat_v1", "APPROVED")
    assert graph.templates[("klambi_pengingat_v1", "id")]["status"] == "APPROVED"
    status, body = await send(http, graph, SITI, **reminder_call("RKPDes", "Rojopolo", "30 September 2024"))
    assert status == 200
    sent = siti.last
    assert sent.wamid == body["messages"][0]["id"] and sent.template == "klambi_pengingat_v1"
    assert sent.text == "Pengingat: RKPDes Desa Rojopolo ditunggu paling lambat 30 September 2024. Balas kirim."
    assert sent.template_params == ["RKPDes", "Rojopolo", "30 September 2024"]
    assert sent.quick_replies == ["kirim:7"]
    assert error_of(await send(http, graph, SITI, **reminder_call("RKPDes", "Rojopolo"))) == (400, 132000)
    assert error_of(await send(http, graph, SITI, **reminder_call("RKPDes\n", "R", "S"))) == (400, 132018)
    assert error_of(await send(http, graph, SITI, **reminder_call("RKPDes", "R     x", "S"))) == (400, 132018)
    wrong_button = reminder_call("a", "b", "c")
    wrong_button["template"]["components"][1]["index"] = "1"
    assert error_of(await send(http, graph, SITI, **wrong_button)) == (400, 131009)
    other_language = reminder_call("a", "b", "c")
    other_language["template"]["language"]["code"] = "en"
    assert error_of(await send(http, graph, SITI, **other_language)) == (404, 132001)
    graph.set_template_status("klambi_pengingat_v1", "PAUSED")
    assert error_of(await send(http, graph, SITI, **reminder_call("a", "b", "c"))) == (404, 132001)
    assert len(siti.messages) == 1


def _broken_templates() -> list[tuple[str, dict[str, Any], int | None]]:
    def body(text: str, examples: list[str] | None) -> dict[str, Any]:
        component: dict[str, Any] = {"type": "BODY", "text": text}
        if examples is not None:
            component["example"] = {"body_text": [examples]}
        return REMINDER | {"components": [component]}

    long_button = REMINDER | {
        "components": [
            REMINDER["components"][0],
            {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": "B" * 26}]},
        ]
    }
    return [
        ("starts with a parameter", body("{{1}} ditunggu.", ["RKPDes"]), 2388299),
        ("ends with a parameter", body("Ditunggu {{1}}", ["RKPDes"]), 2388299),
        ("a gap in the numbers", body("Dokumen {{1}} dan {{3}} ditunggu.", ["a", "b"]), None),
        ("examples missing", body("Dokumen {{1}} ditunggu.", None), 2388043),
        ("too few examples", body("Dokumen {{1}} dan {{2}} ditunggu.", ["a"]), 2388043),
        ("capital letters in the name", REMINDER | {"name": "Klambi_Pengingat"}, None),
        ("no body", REMINDER | {"components": [{"type": "FOOTER", "text": "x"}]}, None),
        ("an unknown category", REMINDER | {"category": "PROMO"}, None),
        ("a button text of 26", long_button, None),
    ]


@pytest.mark.parametrize(
    ("what", "definition", "subcode"), _broken_templates(), ids=[c[0] for c in _broken_templates()]
)
async def test_template_definitions_are_checked_like_meta(graph, http, what, definition, subcode):
    status, body = await call(http, "POST", f"{graph.graph_url}/{graph.waba_id}/message_templates", definition)
    assert status == 400 and body["error"]["code"] in (100, 131009)
    assert body["error"].get("error_subcode") == subcode
    assert graph.templates == {}


async def test_template_listing_filters_and_pages(clock, receiver, http):
    async with GraphSandbox(access_token=TOKEN, app_secret=SECRET, clock=clock.now, auto_approve=True) as graph:
        url = f"{graph.graph_url}/{graph.waba_id}/message_templates"
        for number in range(5):
            status, created = await call(http, "POST", url, REMINDER | {"name": f"klambi_t{number}_v1"})
            assert (status, created["status"]) == (200, "APPROVED")
        status, page = await call(http, "GET", f"{url}?limit=2")
        pages = [[t["name"] for t in page["data"]]]
        while "next" in page["paging"]:
            status, page = await call(http, "GET", page["paging"]["next"])
            assert status == 200
            pages.append([t["name"] for t in page["data"]])
        assert pages == [["klambi_t0_v1", "klambi_t1_v1"], ["klambi_t2_v1", "klambi_t3_v1"], ["klambi_t4_v1"]]
        _, page = await call(http, "GET", f"{url}?name=klambi_t3_v1")
        assert [(t["name"], t["language"], t["status"]) for t in page["data"]] == [("klambi_t3_v1", "id", "APPROVED")]
        assert page["data"][0]["components"] == REMINDER["components"]


# --- faults and throughput -----------------------------------------------------------------------------------------


async def test_fault_injection_hits_the_next_matching_sends(graph, http):
    await opened(graph.person(SITI, "Siti"))
    await opened(graph.person(BUDI, "Budi"))
    graph.fail_next(131053, to=SITI, count=2)
    graph.fail_next(1)
    assert error_of(await send(http, graph, BUDI, **text("a"))) == (400, 1)
    assert error_of(await send(http, graph, SITI, **text("b"))) == (400, 131053)
    assert (await send(http, graph, BUDI, **text("c")))[0] == 200
    assert error_of(await send(http, graph, SITI, **text("d"))) == (400, 131053)
    assert (await send(http, graph, SITI, **text("e")))[0] == 200
    graph.fail_next(132001)
    assert error_of(await send(http, graph, SITI, **text("f"))) == (404, 132001)
    assert [m.text for m in graph.sent] == ["c", "e"]
    assert [code for code, _ in graph.refusals] == [1, 131053, 131053, 132001]


async def test_the_pair_rate_limit(graph, http, monotonic):
    await opened(graph.person(SITI, "Siti"))
    await opened(graph.person(BUDI, "Budi"))
    for number in range(graph.pair_limit):
        assert (await send(http, graph, SITI, **text(f"{number}")))[0] == 200
    assert error_of(await send(http, graph, SITI, **text("satu lagi"))) == (400, 131056)
    assert (await send(http, graph, BUDI, **text("orang lain")))[0] == 200
    monotonic.now += graph.pair_seconds
    assert (await send(http, graph, SITI, **text("sudah boleh")))[0] == 200


async def test_the_throughput_limit(clock, receiver, http, monotonic):
    async with GraphSandbox(
        access_token=TOKEN, app_secret=SECRET, clock=clock.now, monotonic=monotonic, rate_per_second=3
    ) as graph:
        graph.webhook_url = receiver.url
        people = [await opened(graph.person(f"62812000000{n}", f"P{n}")) for n in range(5)]
        for person in people[:3]:
            assert (await send(http, graph, person.wa_id, **text("x")))[0] == 200
        status, body = await send(http, graph, people[3].wa_id, **text("x"))
        assert (status, body["error"]["code"], body["error"]["error_subcode"]) == (400, 130429, 2494055)
        monotonic.now += 0.999
        assert error_of(await send(http, graph, people[3].wa_id, **text("x"))) == (400, 130429)
        monotonic.now += 0.001
        assert (await send(http, graph, people[4].wa_id, **text("x")))[0] == 200


# --- webhooks: what people do reaches the bot signed ---------------------------------------------------------------


async def test_a_webhook_is_signed_over_its_exact_bytes(graph, receiver):
    siti = graph.person(SITI, "Siti", label="Sekdes Rojopolo")
    wamid = await siti.say("kirim")
    raw, headers = receiver.posts[-1]
    assert headers["X-Hub-Signature-256"] == signed(raw)
    body = json.loads(raw)
    assert body["object"] == "whatsapp_business_account" and body["entry"][0]["id"] == graph.waba_id
    change = body["entry"][0]["changes"][0]
    assert change["field"] == "messages"
    value = change["value"]
    assert value["metadata"]["phone_number_id"] == graph.phone_number_id
    assert value["contacts"] == [{"profile": {"name": "Siti"}, "wa_id": SITI}]
    message = value["messages"][0]
    assert message == {"from": SITI, "id": wamid, "timestamp": str(int(NOW.timestamp())), "type": "text",
                       "text": {"body": "kirim"}}  # fmt: skip
    assert siti.last_inbound == NOW and siti.inbound == [wamid]
    assert await graph.redeliver(wamid) == 200
    assert receiver.posts[-1][0] == raw  # byte for byte
    assert graph.transcript() == ["[WA] Sekdes Rojopolo > kirim", f"[WA] (pesan {wamid[:16]}… dikirim ulang)"]


async def test_a_batch_carries_several_entries_in_one_signed_post(graph, http, receiver):
    siti = await opened(graph.person(SITI, "Siti"))
    budi = graph.person(BUDI, "Budi")
    _, answer = await send(http, graph, SITI, **text("Terima kasih"))
    posts = len(receiver.posts)
    first, second = siti.message_dict("text", "satu"), budi.message_dict("document", PDF, "a.pdf", "application/pdf")
    await graph.batch(first, second, graph.status_dict(answer["messages"][0]["id"], "read"))
    assert len(receiver.posts) == posts + 1
    raw, headers = receiver.posts[-1]
    assert headers["X-Hub-Signature-256"] == signed(raw)
    entries = json.loads(raw)["entry"]
    assert len(entries) == 3
    values = [entry["changes"][0]["value"] for entry in entries]
    assert values[0]["messages"][0]["text"]["body"] == "satu" and values[0]["contacts"][0]["wa_id"] == SITI
    assert values[1]["messages"][0]["document"]["filename"] == "a.pdf" and values[1]["contacts"][0]["wa_id"] == BUDI
    assert values[2]["statuses"][0] == {"id": answer["messages"][0]["id"], "status": "read",
                                        "timestamp": str(int(NOW.timestamp())), "recipient_id": SITI}  # fmt: skip
    assert budi.window_open() and await graph.redeliver(first["id"]) == 200
    assert receiver.posts[-1][0] == raw


async def test_refused_webhooks_raise_and_bad_signatures_are_sent_as_asked(graph, receiver):
    siti = graph.person(SITI, "Siti")
    receiver.status = 403
    with pytest.raises(WebhookRefused) as refused:
        await siti.say("halo")
    assert refused.value.status == 403
    assert siti.window_open()  # she wrote, whatever the bot answered
    assert await siti.say("lagi", check=False) == 403
    assert await graph.post_webhook(b'{"object":"x"}', signature="sha256=00") == 403
    assert receiver.posts[-1][1]["X-Hub-Signature-256"] == "sha256=00"
    await graph.post_webhook(b"{}", signature=None)
    assert "X-Hub-Signature-256" not in receiver.posts[-1][1]
    graph.webhook_url = "http://127.0.0.1:9/whatsapp"  # nothing listens there
    with pytest.raises(WebhookRefused):
        await siti.say("tidak sampai")
    assert graph.deliveries[-1][1] == 0


async def test_presses_and_taps_answer_the_newest_message_showing_them(graph, http, receiver):
    siti = await opened(graph.person(SITI, "Siti"))
    await send(http, graph, SITI, **buttons("Terima", "Tolak"))
    menu = siti.last
    await send(http, graph, SITI, **rows("RKPDes", "APBDes"))
    listed = siti.last
    await siti.press("Tolak")
    pressed = receiver.messages()[-1]
    assert pressed["interactive"] == {"type": "button_reply", "button_reply": {"id": "id:Tolak", "title": "Tolak"}}
    assert pressed["context"] == {"from": graph.business_number, "id": menu.wamid}
    await siti.press("row:APBDes")
    chosen = receiver.messages()[-1]["interactive"]
    assert chosen == {"type": "list_reply", "list_reply": {"id": "row:APBDes", "title": "APBDes",
                                                           "description": "tentang APBDes"}}  # fmt: skip
    assert receiver.messages()[-1]["context"]["id"] == listed.wamid
    await siti.press_id("accept:99", "Terima")
    assert receiver.messages()[-1]["interactive"]["button_reply"]["id"] == "accept:99"
    with pytest.raises(AssertionError, match="no button or row 'LPPDes'"):
        await siti.press("LPPDes", timeout=0.05)
    await call(http, "POST", f"{graph.graph_url}/{graph.waba_id}/message_templates", REMINDER)
    graph.set_template_status("klambi_pengingat_v1", "APPROVED")
    await send(http, graph, SITI, **reminder_call("a", "b", "c", payload=None))
    await siti.tap("Kirim sekarang")
    tapped = receiver.messages()[-1]
    assert tapped["type"] == "button" and tapped["button"] == {"text": "Kirim sekarang", "payload": "Kirim sekarang"}
    await send(http, graph, SITI, **reminder_call("a", "b", "c", payload="kirim:7"))
    await siti.tap("kirim:7")
    assert receiver.messages()[-1]["button"]["payload"] == "kirim:7"
    assert receiver.messages()[-1]["context"]["id"] == siti.last.wamid
    with pytest.raises(AssertionError):
        await siti.tap("Baca", timeout=0.05)


async def test_other_kinds_reach_the_bot(graph, receiver):
    siti = graph.person(SITI, "Siti")
    for kind in ("sticker", "audio", "video", "location", "reaction", "unsupported"):
        await siti.send_other(kind)
        assert receiver.messages()[-1]["type"] == kind
    assert receiver.messages()[-1]["errors"][0]["code"] == 131051
    assert receiver.messages()[-6]["sticker"]["mime_type"] == "image/webp"
    assert graph.transcript()[-1] == "[WA] Siti > (unsupported)"


# --- what else the bot does ----------------------------------------------------------------------------------------


async def test_mark_read_and_statuses(graph, http, receiver):
    siti = graph.person(SITI, "Siti")
    wamid = await siti.say("halo")
    url = f"{graph.graph_url}/{graph.phone_number_id}/messages"
    read = {"messaging_product": "whatsapp", "status": "read", "message_id": wamid}
    assert await call(http, "POST", url, read | {"typing_indicator": {"type": "text"}}) == (200, {"success": True})
    assert graph.read_marks == [wamid] and graph.typing == [wamid]
    assert error_of(await call(http, "POST", url, read | {"message_id": "wamid.nope"})) == (400, 100)
    _, answer = await send(http, graph, SITI, **text("Diterima"))
    ours = answer["messages"][0]["id"]
    await graph.status(ours, "failed", errors=[{"code": 131026}])
    raw, headers = receiver.posts[-1]
    assert headers["X-Hub-Signature-256"] == signed(raw)
    status = json.loads(raw)["entry"][0]["changes"][0]["value"]["statuses"][0]
    assert status["id"] == ours and status["status"] == "failed" and status["recipient_id"] == SITI
    assert status["errors"][0]["code"] == 131026 and status["errors"][0]["title"] == "Message undeliverable"
    with pytest.raises(KeyError):
        await graph.status("wamid.unknown", "read")
    graph.auto_statuses = True
    posts = len(receiver.posts)
    _, answer = await send(http, graph, SITI, **text("Lagi"))
    while len(receiver.posts) == posts:
        await graph._wait(1.0)
    delivered = json.loads(receiver.posts[-1][0])["entry"][0]["changes"][0]["value"]["statuses"][0]
    assert (delivered["id"], delivered["status"]) == (answer["messages"][0]["id"], "delivered")


async def test_verify_performs_metas_handshake(graph):
    assert await graph.verify(VERIFY, challenge="1158201444") == (200, "1158201444")
    assert (await graph.verify("wrong"))[0] == 403


async def test_expect_consumes_and_the_transcript_reads_like_a_chat(graph, http):
    siti = graph.person(SITI, "Siti", label="Sekdes Rojopolo")
    await siti.say("kirim")
    await send(http, graph, SITI, **text("Dokumen apa?"))
    await send(http, graph, SITI, **buttons("RKPDes", "APBDes", body="Pilih dokumen"))
    assert (await siti.expect("Dokumen apa")).text == "Dokumen apa?"
    assert (await siti.expect("[APBDes]")).buttons[1] == ("APBDes", "id:APBDes")
    with pytest.raises(AssertionError, match="Dokumen apa"):  # consumed: the listing shows what came
        await siti.expect("Dokumen apa", timeout=0.05)
    assert len(await siti.expect_count(2)) == 2
    with pytest.raises(AssertionError):
        await siti.expect_count(3, timeout=0.05)
    assert graph.transcript() == [
        "[WA] Sekdes Rojopolo > kirim",
        "[WA] bot > Sekdes Rojopolo: Dokumen apa?",
        "[WA] bot > Sekdes Rojopolo: Pilih dokumen [RKPDes] [APBDes]",
    ]


async def test_people_are_checked_when_made(graph):
    graph.person(SITI, "Siti")
    with pytest.raises(ValueError):
        graph.person(SITI, "Siti lagi")
    with pytest.raises(ValueError):
        graph.person(None, "Tanpa nomor")
    with pytest.raises(ValueError):
        graph.person("0812-abc", "Salah")
    with pytest.raises(KeyError):
        graph.sent_to(BUDI)


# --- the bot's Graph client against the sandbox ----------------------------------------------------------------------


async def test_the_bots_graph_client_speaks_the_sandboxs_language(graph, receiver, tmp_path):
    settings = WhatsAppSettings(phone_number_id=graph.phone_number_id, access_token=TOKEN, graph_url=graph.graph_url)
    client = Graph(settings)
    try:
        siti = graph.person(SITI, "Siti")
        with pytest.raises(ClientGraphError) as refused:
            await client.send(SITI, text("halo"))
        assert (refused.value.status, refused.value.code) == (400, 131047)
        wamid = await siti.send_document(PDF, "RKPDes.pdf", "application/pdf")
        await client.mark_read(wamid)
        assert graph.read_marks == [wamid]
        media_id = receiver.messages()[-1]["document"]["id"]
        assert await client.download(media_id, tmp_path / "a.pdf", 10 * 2**20) == "application/pdf"
        assert (tmp_path / "a.pdf").read_bytes() == PDF
        graph.corrupt_media(media_id)
        with pytest.raises(InputError):
            await client.download(media_id, tmp_path / "b.pdf", 10 * 2**20)
        uploaded = await client.upload(PDF, "application/pdf", "rekap.pdf")
        sent = await client.send(SITI, {"type": "document", "document": {"id": uploaded, "filename": "rekap.pdf"}})
        assert siti.last.wamid == sent and siti.last.document.data == PDF
        ana = graph.person(None, "Ana", user_id="ID.ana42")
        await ana.say("halo")
        assert await client.send("ID.ana42", text("Selamat datang")) == ana.last.wamid
    finally:
        await client.close()
