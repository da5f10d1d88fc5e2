"""WhatsApp message templates: the definitions obey Meta's rules, every outbox row finds its template with parameters
read from a real database, parameters are cleaned for Graph, and the Graph client and `klambi whatsapp templates`
talk real HTTP (a local Graph endpoint for templates)."""

from __future__ import annotations

import asyncio
import json
import re
import threading
from datetime import date, datetime, time, timedelta

import pytest
from aiohttp import web
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from bot.channels.whatsapp.graph import Graph, GraphError
from bot.channels.whatsapp.templates import (
    CACHE_FOR,
    CAMAT_SUMMARY,
    NEW_MESSAGE,
    NOTICE,
    REMINDER,
    REMINDER_PENDAMPING,
    STAF_DIGEST,
    TEMPLATES,
    Template,
    TemplateCall,
    TemplateRegistry,
    clean_param,
    template_call,
)
from bot.chat.actions import KirimFromReminder, decode, encode
from bot.chat.messages import OutMessage, Sender
from bot.config import WhatsAppSettings
from bot.errors import InputError
from bot.i18n import t
from bot.sandbox.whatsapp import GraphSandbox
from bot.services.audit import Actor
from bot.services.calendar import load_calendar
from bot.services.deadlines import set_agreed_dates
from bot.services.forum import create_announcement, create_meeting, raise_thread
from bot.services.notices import queue_notice
from bot.services.people import active_grants, create_invitation, redeem_invitation, revoke_assignment
from bot.services.places import import_area
from bot.services.records import RecordRequest, record_document
from models.tables import OutboxMessage, OutboxStatus, Person, Role, RoleAssignment, ThreadKind
from scheduler.messages import compose, unreachable_notice
from tests.conftest import WIB

JATIROTO, ROJOPOLO, SUKOSARI = "35.08.17", "35.08.17.2002", "35.08.17.2005"
T0 = datetime(2024, 9, 20, 9, 0, tzinfo=WIB)
TOKEN = "EAAG-secret-token-never-shown"
WABA = "102030405060"


# --- the definitions ---------------------------------------------------------------------------------------------


def test_every_definition_obeys_the_rules_of_a_utility_template():
    assert len({(x.name, x.language) for x in TEMPLATES}) == len(TEMPLATES)
    for template in TEMPLATES:
        assert template.problems() == [], template.name
        assert re.fullmatch(r"klambi_[a-z_]+_v\d+", template.name)
        assert (template.language, template.category) == ("id", "UTILITY")
        assert template.parameter_count == len(template.examples) >= 1
        longest = template.render(["x" * template.param_limit] * template.parameter_count)
        assert len(longest) <= 1024, template.name  # the body with its longest parameters
        assert all(len(b) <= 25 for b in template.buttons)
        assert "*baca*" in template.body or "*kirim*" in template.body or not template.buttons


@pytest.mark.parametrize(
    ("body", "examples", "buttons", "problem"),
    [
        ("{{1}} menunggu dokumen desa Anda hari ini.", ("Jatiroto",), (), "start or end"),
        ("Dokumen desa Anda ditunggu oleh Kecamatan {{1}}", ("Jatiroto",), (), "start or end"),
        ("Kecamatan {{1}} {{2}} menunggu dokumen desa Anda.", ("a", "b"), (), "side by side"),
        ("Kecamatan {{1}} menunggu {{3}} dari desa Anda.", ("a", "b"), (), "{{1}}..{{n}}"),
        ("Kecamatan {{1}} menunggu dokumen desa Anda.", (), (), "one for each"),
        ("Kecamatan {{1}} menunggu dokumen desa Anda.", ("dua\nbaris",), (), "one line"),
        ("Dari {{1}} ke {{2}} di {{3}}.", ("a", "b", "c"), (), "too many parameters"),
        ("Kecamatan {{1}} menunggu dokumen desa Anda.", ("a",), ("Kirim dokumen desa sekarang juga",), "25"),
    ],
)
def test_the_rules_refuse_what_meta_refuses(body, examples, buttons, problem):
    bad = Template("klambi_coba_v1", body, examples, buttons)
    assert any(problem in p for p in bad.problems()), bad.problems()
    assert Template("klambi_coba", "Kecamatan {{1}} menunggu dokumen.", ("a",)).problems()  # no version
    with pytest.raises(ValueError):
        NOTICE.render(("one",))


def test_render_and_the_graph_call():
    call = TemplateCall(NOTICE, ("Jatiroto", "RKPDes TA 2025 Desa Rojopolo"), ("baca",))
    assert call.text() == (
        "Ada kabar baru dari Kecamatan Jatiroto tentang RKPDes TA 2025 Desa Rojopolo. Balas *baca* untuk membukanya."
    )
    assert call.graph() == {
        "name": "klambi_kabar_v1",
        "language": {"policy": "deterministic", "code": "id"},
        "components": [
            {"type": "body", "parameters": [{"type": "text", "text": "Jatiroto"},
                                            {"type": "text", "text": "RKPDes TA 2025 Desa Rojopolo"}]},
            {"type": "button", "sub_type": "quick_reply", "index": "0",
             "parameters": [{"type": "payload", "payload": "baca"}]},
        ],
    }  # fmt: skip
    with pytest.raises(ValueError):
        TemplateCall(NOTICE, ("Jatiroto",), ("baca",))  # a parameter short
    with pytest.raises(ValueError):
        TemplateCall(NOTICE, ("Jatiroto", "x"), ())  # the quick reply without its payload


# --- parameters --------------------------------------------------------------------------------------------------


@given(st.text(), st.integers(min_value=10, max_value=200))
def test_a_parameter_is_one_clean_line_within_its_limit(text, limit):
    cleaned = clean_param(text, limit)
    assert cleaned and len(cleaned) <= limit
    assert cleaned == cleaned.strip()
    assert not re.search(r"[\x00-\x1f\x7f-\x9f]", cleaned)
    assert "  " not in cleaned and not any(c.isspace() and c != " " for c in cleaned)
    flat = " ".join(re.sub(r"[\x00-\x1f\x7f-\x9f]", " ", text).split())
    if not flat:
        assert cleaned == "—"
    elif len(flat) <= limit:
        assert cleaned == flat
        assert clean_param(cleaned, limit) == cleaned
    else:
        kept = cleaned.removesuffix("…")
        assert cleaned.endswith("…") and flat.startswith(kept)
        if " " in flat[limit // 2 : limit - 1]:  # a space to cut at: no word is cut in half
            assert flat[len(kept)] == " "


def test_a_long_title_is_cut_between_words():
    title = "Rapat koordinasi penyusunan " + "dokumen perencanaan desa " * 20
    cut = clean_param(f"  {title}\n\tlagi  ", 60)
    assert cut == "Rapat koordinasi penyusunan dokumen perencanaan desa…"
    assert clean_param("a\u2028b\u0085c\x0bd\x00e   f") == "a b c d e f"


# --- every outbox row finds its template -------------------------------------------------------------------------


async def _join(app, sender: Sender, role: Role, place: str, at: datetime) -> Person:
    async with app.sessions() as session, session.begin():
        invitation = await create_invitation(session, role, place, at, channel=sender.channel)
        return (await redeem_invitation(session, invitation.code, sender, at, reminders=app.settings.reminders)).person


async def _jatiroto(app, clock) -> dict[str, Person]:
    clock.set(T0)
    async with app.sessions() as session, session.begin():
        await import_area(session, JATIROTO, T0, [2024, 2025], await load_calendar(session))
    return {
        "siti": await _join(app, Sender("whatsapp", "6281200000001", "6281200000001", "Siti"), Role.SEKDES, ROJOPOLO,
                            T0),
        "dewi": await _join(app, Sender("whatsapp", "6281200000002", "6281200000002", "Dewi"), Role.PENDAMPING,
                            ROJOPOLO, T0),
        "kasi": await _join(app, Sender("telegram", "201", "201", "Kasi Pem"), Role.STAF, JATIROTO, T0),
        "camat": await _join(app, Sender("whatsapp", "6281200000009", "6281200000009", "Pak Camat"), Role.CAMAT,
                             JATIROTO, T0),
    }  # fmt: skip


async def _calls(app, where, now: datetime) -> list[tuple[OutboxMessage, OutMessage, TemplateCall]]:
    """The template calls of the outbox rows `where` selects, each composed at `now` as the sweep would."""
    found = []
    async with app.sessions() as session:
        rows = list(await session.scalars(select(OutboxMessage).where(*where).order_by(OutboxMessage.id)))
        for row in rows:
            message = await compose(session, row, now, "id")
            if message is not None:
                found.append((row, message, await template_call(session, row, message, now, "id")))
    return found


def _bullets(text: str, heading: str) -> int:
    if heading not in text:
        return 0
    section = text.split(heading, 1)[1].strip("\n").split("\n\n")[0]
    return sum(line.startswith("•") for line in section.splitlines())


async def test_reminders_digest_and_the_camat_from_a_real_database(app, clock):
    people = await _jatiroto(app, clock)
    async with app.sessions() as session, session.begin():  # Sukosari's RKPDes arrived on paper, on time
        await record_document(session, RecordRequest(SUKOSARI, "RKPDES", 2025, date(2024, 9, 19)), T0, app.files)

    # H-7 of RKPDes TA 2025 (agreed 30 September 2024) reaches Siti and Dewi on Monday 23 September 2024.
    h7 = datetime(2024, 9, 23, 8, 0, tzinfo=WIB)
    calls = await _calls(
        app,
        (OutboxMessage.subject_type == "obligation", OutboxMessage.kind == "H-7", OutboxMessage.send_at == h7),
        h7,
    )
    mine = [c for c in calls if c[0].person_id == people["siti"].id]
    theirs = [c for c in calls if c[0].person_id == people["dewi"].id]
    assert len(mine) == len(theirs) == 1
    row, message, call = mine[0]
    assert call.template is REMINDER and call.teaser is False
    assert call.params == ("Jatiroto", "RKPDes", "Rojopolo", "2025", "30 September 2024", "tinggal 7 hari")
    assert "Batas kesepakatan: 30 September 2024 — tinggal 7 hari" in message.text.text  # the same words
    [[button]] = message.choices
    assert call.payloads == (encode(button.action),)
    assert decode(call.payloads[0]) == KirimFromReminder(int(row.subject_id))  # pressed: the button's own action
    assert call.text() == (
        "Pengingat dari Kecamatan Jatiroto: RKPDes Desa Rojopolo tahun anggaran 2025 ditunggu paling lambat "
        "30 September 2024 (tinggal 7 hari). Balas *kirim* untuk mengirim dokumennya."
    )
    _, _, for_dewi = theirs[0]
    assert for_dewi.template is REMINDER_PENDAMPING and for_dewi.payloads == () and for_dewi.params == call.params
    assert for_dewi.graph()["components"] == [call.graph()["components"][0]]  # no button for who cannot send

    # The staf's digest: its figures are the ones the digest lists.
    digests = await _calls(app, (OutboxMessage.subject_type == "digest", OutboxMessage.send_at == h7), h7)
    assert len(digests) == 1
    _, message, digest = digests[0]
    text = message.text.text
    assert digest.template is STAF_DIGEST and digest.teaser and digest.payloads == ("baca",)
    due, overdue = _bullets(text, t("digest.due")), _bullets(text, t("digest.overdue"))
    assert due == 5 and overdue == 6  # RKPDes TA 2025 but Sukosari's; six desa overdue with an older document
    assert digest.params == ("Jatiroto", "23 September 2024", "5", "6", "0")

    # The camat on the first working day after RKPDes's legal deadline: five of six missing, 1/18 on time in 2024.
    after = datetime(2024, 10, 1, 8, 0, tzinfo=WIB)
    clock.set(after)
    camat = await _calls(app, (OutboxMessage.subject_type == "camat",), after)
    rkpdes_camat = [c for c in camat if c[0].subject_id.endswith(":RKPDES:2025")]
    assert len(rkpdes_camat) == 1
    _, message, summary = rkpdes_camat[0]
    assert "5 dari 6 desa" in message.text.text
    assert summary.template is CAMAT_SUMMARY and summary.teaser
    assert summary.params == ("Jatiroto", "RKPDes", "2025", "5", "6", "2024", "5,56%")


async def _everything(app, clock) -> dict[str, Person]:
    """Jatiroto with a paper record, a verdict and an alert, agreed dates, a kendala, an announcement, a meeting, a
    revocation and an unreachable person: a notice of every kind on the outbox."""
    people = await _jatiroto(app, clock)
    rina = Sender("whatsapp", "6281200000003", "6281200000003", "Rina")
    people["rina"] = await _join(app, rina, Role.PENDAMPING, SUKOSARI, T0)
    siti, rina, kasi = people["siti"], people["rina"], people["kasi"]
    now = clock.now()
    async with app.sessions() as session, session.begin():
        paper = await record_document(
            session, RecordRequest(SUKOSARI, "RKPDES", 2025, date(2024, 9, 19)), now, app.files
        )
        for person, role, key in (
            (siti, "sekdes", f"verdict:{paper.submission_id}@wamid.1"),
            (kasi, "staf", f"alert:{paper.submission_id}@wamid.2"),
        ):
            assert await queue_notice(session, kecamatan_kode=JATIROTO, person=await session.get(Person, person.id),
                                      role=role, key=key, message=OutMessage.of("verdict"), now=now)  # fmt: skip
        await set_agreed_dates(session, JATIROTO, "APBDES", 2025, date(2024, 12, 20), now)
        await raise_thread(
            session, ThreadKind.KENDALA, await session.get(Person, siti.id), await active_grants(session, siti.id),
            ROJOPOLO, None, "Printer\nrusak", now, "id", actor=Actor(siti.id, "whatsapp"),
        )  # fmt: skip
        staf, grants = await session.get(Person, kasi.id), await active_grants(session, kasi.id)
        await create_announcement(session, staf, grants, JATIROTO, "Mohon hadir\n\nbesok.", [ROJOPOLO], None, now,
                                  actor=Actor(kasi.id, "telegram"))  # fmt: skip
        await create_meeting(
            session, staf, grants, JATIROTO, "Arisan   desa\tTriwulan III", datetime(2024, 10, 14, 9, 0, tzinfo=WIB),
            "Pendopo", ["sekdes", "pendamping"], [ROJOPOLO], now, time(8, 0), actor=Actor(kasi.id, "telegram"),
        )  # fmt: skip
    async with app.sessions() as session, session.begin():
        assignment = await session.scalar(select(RoleAssignment.id).where(RoleAssignment.person_id == rina.id))
        await revoke_assignment(session, assignment_id=assignment, actor=Actor(kasi.id, "telegram"), now=now,
                                reminders=app.settings.reminders, language="id")  # fmt: skip
        row = OutboxMessage(kecamatan_kode=JATIROTO, subject_type="obligation", subject_id="1", role="sekdes",
                            kind="H", details={"desa": ROJOPOLO})  # fmt: skip
        await unreachable_notice(session, await session.get(Person, siti.id), row, now, "id")
    return people


async def test_notices_announcements_and_meetings_are_teasers_about_their_subject(app, clock):
    people = await _everything(app, clock)
    siti, kasi = people["siti"], people["kasi"]
    now = clock.now()
    sent_at_once = (OutboxMessage.subject_type.in_(("notice", "announcement", "meeting")),)
    calls = await _calls(app, sent_at_once, now)
    about = {(r.subject_type, r.subject_id.split(":")[0].split("@")[0], r.person_id, r.kind): c for r, _, c in calls}
    expected = {
        ("notice", "verdict", siti.id, "notice"): (NOTICE, "RKPDes TA 2025 Desa Sukosari"),
        ("notice", "alert", kasi.id, "notice"): (NOTICE, "RKPDes TA 2025 Desa Sukosari"),
        ("notice", "agreed", siti.id, "notice"): (NOTICE, "APBDes TA 2025 Desa Rojopolo"),
        ("notice", "thread", kasi.id, "notice"): (NOTICE, "kendala #1 Desa Rojopolo"),
        ("notice", "revoke", people["rina"].id, "notice"): (NOTICE, "peran Anda sebagai Pendamping Desa"),
        ("notice", "unreachable", kasi.id, "notice"): (NOTICE, "kontak Siti yang tidak bisa lagi dihubungi bot"),
        ("announcement", "1", siti.id, "pengumuman"): (NEW_MESSAGE, "pengumuman #1 dari Staf Kecamatan"),
        ("meeting", "1", siti.id, "undangan"): (
            NEW_MESSAGE,
            "undangan rapat Arisan desa Triwulan III, 14 Oktober 2024 09.00",
        ),
        ("meeting", "1", siti.id, "H-1"): (
            NEW_MESSAGE,
            "pengingat rapat Arisan desa Triwulan III, 14 Oktober 2024 09.00",
        ),
    }
    for key, (template, subject) in expected.items():
        call = about[key]
        assert (call.template, call.params) == (template, ("Jatiroto", subject)), key
        assert call.teaser and call.payloads == ("baca",)
    for _, _, call in calls:  # every parameter as Graph takes it
        assert all(p == clean_param(p) and "\n" not in p for p in call.params)

    # A notice whose subject is gone or unknown still goes, about the village documents in general.
    async with app.sessions() as session:
        stray = OutboxMessage(kecamatan_kode=JATIROTO, subject_type="notice", subject_id="verdict:99999@x",
                              role="sekdes", kind="notice")  # fmt: skip
        call = await template_call(session, stray, OutMessage.of("?"), now, "en")
        assert call.params == ("Jatiroto", "dokumen administrasi desa")
        row = OutboxMessage(kecamatan_kode=JATIROTO, subject_type="recap", subject_id=JATIROTO, role="forum",
                            kind="recap")  # fmt: skip
        weekly = await template_call(session, row, OutMessage.of("matrix"), now, "id")
        assert weekly.template is NEW_MESSAGE and weekly.params == ("Jatiroto", "rekap mingguan dokumen desa")


async def test_every_planned_row_of_a_season_has_a_valid_call(app, clock):
    """Every row the planner makes in a season, composed at its time, is carried by a template with the right count
    of parameters and payloads (TemplateCall checks both), each parameter clean."""
    await _jatiroto(app, clock)
    async with app.sessions() as session:
        moments = sorted(set(await session.scalars(select(OutboxMessage.send_at))))
    assert len(moments) > 10
    seen = set()
    for moment in moments[:40]:
        for row, _, call in await _calls(app, (OutboxMessage.send_at == moment,), moment):
            seen.add((row.subject_type, call.template.name))
            assert all(p == clean_param(p, call.template.param_limit) for p in call.params)
    assert {("obligation", REMINDER.name), ("obligation", REMINDER_PENDAMPING.name),
            ("digest", STAF_DIGEST.name)} <= seen  # fmt: skip
    statuses = set()
    async with app.sessions() as session:
        statuses = set(await session.scalars(select(OutboxMessage.status)))
    assert statuses == {OutboxStatus.PLANNED}  # composing and calling changed nothing


# --- a local Graph endpoint for templates ------------------------------------------------------------------------


class LocalGraph:
    """`GET`/`POST /v23.0/{waba}/message_templates` over real HTTP, paged two at a time with a `next` URL that carries
    the token (as Meta's does); run in its own thread so the CLI's own event loop can call it."""

    def __init__(self) -> None:
        self.templates: list[dict] = []
        self.gets = 0
        self.refuse: tuple[int, dict] | None = None
        self.next_host: str | None = None
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def start(self) -> LocalGraph:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self.loop).result()
        return self

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_get("/v23.0/{waba}/message_templates", self._list)
        app.router.add_post("/v23.0/{waba}/message_templates", self._create)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]

    @property
    def graph_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v23.0"

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()

    def _check(self, request: web.Request) -> web.Response | None:
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return web.json_response({"error": {"message": "Invalid OAuth access token.", "code": 190}}, status=401)
        if request.match_info["waba"] != WABA:
            return web.json_response({"error": {"message": "Unsupported get request.", "code": 100}}, status=400)
        if self.refuse is not None:
            return web.json_response(self.refuse[1], status=self.refuse[0])
        return None

    async def _list(self, request: web.Request) -> web.Response:
        self.gets += 1
        refused = self._check(request)
        if refused is not None:
            return refused
        start = int(request.query.get("after", "0"))
        page = self.templates[start : start + 2]
        answer: dict = {"data": page, "paging": {"cursors": {"before": str(start), "after": str(start + 2)}}}
        if start + 2 < len(self.templates):
            host = self.next_host or f"127.0.0.1:{self.port}"
            answer["paging"]["next"] = (
                f"http://{host}/v23.0/{WABA}/message_templates?access_token={TOKEN}&after={start + 2}"
            )
        return web.json_response(answer)

    async def _create(self, request: web.Request) -> web.Response:
        refused = self._check(request)
        if refused is not None:
            return refused
        body = await request.json()
        if any((x["name"], x["language"]) == (body["name"], body["language"]) for x in self.templates):
            return web.json_response({"error": {"message": "Content in this language already exists", "code": 100,
                                                "error_subcode": 2388024}}, status=400)  # fmt: skip
        self.templates.append({"name": body["name"], "language": body["language"], "status": "PENDING",
                               "category": body["category"], "components": body["components"]})  # fmt: skip
        return web.json_response({"id": str(len(self.templates)), "status": "PENDING", "category": body["category"]})

    def set_status(self, name: str, status: str) -> None:
        for x in self.templates:
            if x["name"] == name:
                x["status"] = status


@pytest.fixture
def graph():
    local = LocalGraph().start()
    yield local
    local.stop()


def _settings(graph: LocalGraph, **changes) -> WhatsAppSettings:
    return WhatsAppSettings(**({"waba_id": WABA, "access_token": TOKEN, "graph_url": graph.graph_url} | changes))


async def test_the_registry_pages_creates_and_caches(graph, clock):
    registry = TemplateRegistry(_settings(graph), clock)
    assert await registry.list() == {}
    for template in TEMPLATES:
        assert await registry.create(template) == "PENDING"
    assert [x["components"] for x in graph.templates] == [x.creation()["components"] for x in TEMPLATES]
    graph.set_status(NOTICE.name, "APPROVED")
    graph.gets = 0
    listed = await registry.list()
    assert graph.gets == 3  # six templates, two a page: the next pages followed
    assert listed == {(x.name, "id"): "APPROVED" if x is NOTICE else "PENDING" for x in TEMPLATES}

    # approved(): from a listing at most five minutes old
    fresh = TemplateRegistry(_settings(graph), clock)
    graph.gets = 0
    assert await fresh.approved(NOTICE.name) and not await fresh.approved(REMINDER.name)
    assert not await fresh.approved(NOTICE.name, "en")
    assert (fresh.known_status(NOTICE.name), fresh.known_status(REMINDER.name), fresh.known_status("x")) == (
        "APPROVED", "PENDING", None)  # fmt: skip
    assert graph.gets == 3
    graph.set_status(REMINDER.name, "APPROVED")
    clock.advance(CACHE_FOR - timedelta(seconds=1))
    assert not await fresh.approved(REMINDER.name)  # still the old listing
    assert graph.gets == 3
    clock.advance(timedelta(seconds=1))
    assert await fresh.approved(REMINDER.name)
    assert graph.gets == 6
    graph.refuse = (500, {"error": {"message": "Service temporarily unavailable", "code": 2}})
    clock.advance(CACHE_FOR)
    assert await fresh.approved(REMINDER.name)  # Graph away: the previous listing answers
    graph.refuse = None
    graph.set_status(REMINDER.name, "PAUSED")
    await fresh.refresh()
    assert not await fresh.approved(REMINDER.name)


async def test_the_registry_follows_no_page_to_another_host(graph, clock):
    registry = TemplateRegistry(_settings(graph), clock)
    for template in TEMPLATES:
        await registry.create(template)
    graph.next_host = "evil.example:443"
    graph.gets = 0
    assert len(await registry.list()) == 2 and graph.gets == 1


async def test_graph_errors_are_one_line_without_the_token(graph, clock):
    async def problem(registry: TemplateRegistry) -> str:
        with pytest.raises(InputError) as caught:
            await registry.list()
        text = t(caught.value.key, "id", **caught.value.values)
        assert TOKEN not in text and "\n" not in text and TOKEN not in repr(caught.value.values)
        return text

    assert "access_token" in await problem(TemplateRegistry(_settings(graph, access_token="wrong"), clock))
    graph.refuse = (400, {"error": {"message": f"Bad request: token {TOKEN}\nrejected", "code": 100}})
    text = await problem(TemplateRegistry(_settings(graph), clock))
    assert text == "Graph API menolak permintaan (HTTP 400, kode 100): Bad request: token *** rejected"
    graph.refuse = None
    away = f"http://127.0.0.1:{_free_port()}/v23.0"
    assert "tidak bisa dihubungi" in await problem(TemplateRegistry(_settings(graph, graph_url=away), clock))
    with pytest.raises(InputError) as caught:
        await TemplateRegistry(_settings(graph, waba_id=None), clock).list()
    assert caught.value.key == "whatsapp.missing_key" and caught.value.values["setting"] == "waba_id"


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- against the Graph sandbox ----------------------------------------------------------------------------------


@pytest.fixture
async def sandbox(clock):
    async with GraphSandbox(access_token=TOKEN, app_secret="app-secret", clock=clock.now, pair_limit=1000) as graph:
        yield graph


def _on(sandbox: GraphSandbox, **changes) -> WhatsAppSettings:
    values = {"waba_id": sandbox.waba_id, "phone_number_id": sandbox.phone_number_id, "access_token": TOKEN,
              "graph_url": sandbox.graph_url}  # fmt: skip
    return WhatsAppSettings(**(values | changes))


async def test_a_call_for_every_subject_is_accepted_by_the_graph_sandbox(app, clock, sandbox):
    """Every subject's template call, sent to a person through the sandbox's /messages: Graph checks the template is
    approved (132001) and the count of parameters (132000), and renders the body the person reads."""
    await _everything(app, clock)
    now = clock.now()
    at_once = (OutboxMessage.subject_type.in_(("notice", "announcement", "meeting")),)
    calls = [call for _, _, call in await _calls(app, at_once, now)]
    for moment in (datetime(2024, 9, 23, 8, 0, tzinfo=WIB), datetime(2024, 10, 1, 8, 0, tzinfo=WIB)):
        calls += [call for _, _, call in await _calls(app, (OutboxMessage.send_at == moment,), moment)]
    async with app.sessions() as session:
        recap = OutboxMessage(kecamatan_kode=JATIROTO, subject_type="recap", subject_id=JATIROTO, role="forum",
                              kind="recap")  # fmt: skip
        calls.append(await template_call(session, recap, OutMessage.of("matrix"), now, "id"))
    one_each = {(call.template.name, call.params[1][:10]): call for call in calls}.values()
    assert {call.template.name for call in one_each} == {x.name for x in TEMPLATES}

    registry = TemplateRegistry(_on(sandbox), clock)
    for template in TEMPLATES:
        assert await registry.create(template) == "PENDING"
    graph = Graph(_on(sandbox))
    siti = sandbox.person("6281200000001", "Siti")
    try:
        with pytest.raises(GraphError) as refused:
            await graph.send(siti.wa_id, {"type": "template", "template": NOTICE_CALL.graph()})
        assert refused.value.code == 132001  # not approved yet
        for template in TEMPLATES:
            sandbox.set_template_status(template.name, "APPROVED")
        for call in one_each:
            await graph.send(siti.wa_id, {"type": "template", "template": call.graph()})
            sent = sandbox.sent[-1]
            assert (sent.template, sent.template_params) == (call.template.name, list(call.params))
            assert sent.text == call.text()
            assert sent.quick_replies == list(call.payloads)
        with pytest.raises(GraphError) as short:
            wrong = NOTICE_CALL.graph()
            wrong["components"][0]["parameters"].pop()
            await graph.send(siti.wa_id, {"type": "template", "template": wrong})
        assert short.value.code == 132000  # the sandbox does count: a parameter short is refused
    finally:
        await graph.close()


NOTICE_CALL = TemplateCall(NOTICE, ("Jatiroto", "RKPDes TA 2025 Desa Rojopolo"), ("baca",))


# --- klambi whatsapp templates -----------------------------------------------------------------------------------


@pytest.fixture
def cli(capsys, monkeypatch):
    from bot.cli import main

    def run(*args: str, **env: str):
        for name in ("waba_id", "access_token", "graph_url"):
            monkeypatch.delenv(f"KLAMBI_WHATSAPP__{name.upper()}", raising=False)
        for name, value in env.items():
            monkeypatch.setenv(f"KLAMBI_WHATSAPP__{name.upper()}", value)
        capsys.readouterr()
        code = main(list(args))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def test_the_definitions_as_json_and_as_text(cli):
    code, out, err = cli("whatsapp", "templates", "--format", "json")
    assert code == 0 and err == ""
    assert json.loads(out) == [x.creation() for x in TEMPLATES]
    first = json.loads(out)[0]
    assert first["components"][0]["example"]["body_text"] == [list(REMINDER.examples)]
    assert first["components"][1] == {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": "Kirim sekarang"}]}
    code, out, _ = cli("whatsapp", "templates")
    assert code == 0
    blocks = out.strip().split("\n\n")
    assert len(blocks) == len(TEMPLATES)
    for block, template in zip(blocks, TEMPLATES, strict=True):
        assert block.startswith(f"{template.name} · bahasa id · UTILITY")
        assert f"Contoh: {template.render(template.examples)}" in block


async def test_push_creates_the_missing_ones_and_status_shows_the_verdicts(cli, sandbox):
    env = {"waba_id": sandbox.waba_id, "access_token": TOKEN, "graph_url": sandbox.graph_url}

    async def klambi(*args: str) -> tuple[int, str, str]:  # the CLI runs its own event loop: in a thread
        return await asyncio.to_thread(cli, "whatsapp", "templates", *args, **env)

    code, out, _ = await klambi("status")
    assert code == 0 and out.splitlines() == [f"{x.name} (id): belum dibuat" for x in TEMPLATES]
    code, out, err = await klambi("push")
    assert code == 0, err
    assert out.splitlines() == [f"{x.name} (id): dibuat (PENDING)" for x in TEMPLATES]  # Meta's rules: all accepted
    code, out, _ = await klambi("status")
    assert code == 0 and out.splitlines() == [f"{x.name} (id): PENDING" for x in TEMPLATES]
    sandbox.set_template_status(NOTICE.name, "APPROVED")
    sandbox.set_template_status(REMINDER.name, "REJECTED")
    code, out, _ = await klambi("push")
    assert code == 0 and f"{NOTICE.name} (id): sudah ada (APPROVED)" in out.splitlines()
    assert out.splitlines() == [f"{x.name} (id): sudah ada ({sandbox.templates[(x.name, 'id')]['status']})"
                                for x in TEMPLATES]  # fmt: skip
    assert len(sandbox.templates) == len(TEMPLATES)  # nothing made twice
    code, out, _ = await klambi("status")
    assert code == 0
    assert f"{NOTICE.name} (id): APPROVED" in out.splitlines()
    assert f"{REMINDER.name} (id): REJECTED" in out.splitlines()
    assert f"{STAF_DIGEST.name} (id): PENDING" in out.splitlines()
    assert TOKEN not in out
    assert [sandbox.templates[(x.name, "id")]["components"] for x in TEMPLATES] == [
        x.creation()["components"] for x in TEMPLATES
    ]


def test_push_without_a_key_says_which_in_one_line(cli, graph):
    code, out, err = cli("whatsapp", "templates", "push", access_token=TOKEN, graph_url=graph.graph_url)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and "[whatsapp] waba_id" in err
    code, _, err = cli("whatsapp", "templates", "status", waba_id=WABA)
    assert code == 2 and err.count("\n") == 1 and "[whatsapp] access_token" in err
    code, _, err = cli("whatsapp", "templates", "status", waba_id=WABA, access_token="nope", graph_url=graph.graph_url)
    assert code == 2 and err.count("\n") == 1 and "access_token" in err and "nope" not in err
    assert graph.templates == []
