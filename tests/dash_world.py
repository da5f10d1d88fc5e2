"""The world the dashboard tests play in: a real web application with the dashboard mounted on a free port, a real
database (both kinds), Jatiroto's 2024 season and a second kecamatan of the same kabupaten, and people to sign in.

Jatiroto 2024 (performance year) as the LKjIP tells it: 17 of 18 obligations on time (94,44%). Sukosari's APBDes TA
2025 was established late; Rojopolo's RKPDes was first rejected (no signature) and then accepted; each desa's
documents carry a nomor and one a PDF file. Yosowilangun (35.08.07) has three LPPDes TA 2023 on time.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import aiohttp
import pytest

from bot.app import App
from bot.clock import ManualClock
from bot.config import Settings
from bot.services.audit import CLI
from bot.services.calendar import load_calendar
from bot.services.places import import_area
from bot.services.records import RecordRequest, record_document
from bot.services.signin import create_link, link_url
from bot.storage import minimal_pdf
from bot.web import WebApp
from bot.web.dashboard import mount_dashboard
from models.status import ReviewStatus
from models.tables import Contact, Person, Role, RoleAssignment, ScopeKind
from tests.conftest import WIB

JATIROTO, YOSOWILANGUN, LUMAJANG = "35.08.17", "35.08.07", "35.08"
DESA = [f"35.08.17.200{i}" for i in range(1, 7)]
NAMES = ["Banyuputih Kidul", "Rojopolo", "Kaliboto Kidul", "Kaliboto Lor", "Sukosari", "Jatiroto"]
ROJOPOLO, SUKOSARI = DESA[1], DESA[4]
NOW = datetime(2025, 1, 15, 9, 0, tzinfo=WIB)  # the day Jatiroto's LKjIP 2024 was signed
PDF = minimal_pdf(b" RKPDes Rojopolo 2025 " + b"x" * 500)
SEKDES_PHONE = "6281234567890"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class Dash:
    app: App
    clock: ManualClock
    webapp: WebApp
    tmp: Path
    people: dict[str, int] = field(default_factory=dict)
    clients: list[aiohttp.ClientSession] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.webapp.local_url(path)

    async def person(self, name: str, role: Role, kind: ScopeKind, code: str | None, phone: str | None = None) -> int:
        async with self.app.sessions() as session, session.begin():
            person = Person(name=name, created_at=self.clock.now())
            session.add(person)
            await session.flush()
            session.add(RoleAssignment(person_id=person.id, role=role, scope_kind=kind, scope_code=code,
                                       granted_at=self.clock.now()))  # fmt: skip
            if phone:
                session.add(Contact(person_id=person.id, channel="whatsapp", user_id=phone, phone=phone,
                                    display_name=name, linked_at=self.clock.now()))  # fmt: skip
            self.people[name] = person.id
            return person.id

    async def link(self, person_id: int | None = None, place: str | None = None, minutes: int = 10) -> str:
        """A one-use sign-in link, as `/dasbor` or `klambi web link` makes it."""
        async with self.app.sessions() as session, session.begin():
            made = await create_link(session, self.clock.now(), actor=CLI, person_id=person_id, place=place,
                                     minutes=minutes)  # fmt: skip
        return link_url(self.webapp.local_url(), made.token)

    def client(self) -> aiohttp.ClientSession:
        """A browser of its own: its own cookie jar (unsafe=True: the server is an IP address)."""
        client = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.clients.append(client)
        return client

    async def sign_in(self, client: aiohttp.ClientSession, link: str) -> aiohttp.ClientResponse:
        """Open the link (GET), then press "Masuk" (POST with the form's token). Its response (not followed)."""
        async with client.get(link) as page:
            html = await page.text()
            assert page.status == 200, html
        token = CSRF.search(html)
        assert token is not None, html
        async with client.post(link, data={"csrf": token.group(1)}, allow_redirects=False) as reply:
            await reply.read()
            return reply

    async def client_for(self, person_id: int | None = None, place: str | None = None) -> aiohttp.ClientSession:
        """A browser signed in as this person (or as a viewer of this place)."""
        client = self.client()
        reply = await self.sign_in(client, await self.link(person_id, place))
        assert reply.status == 303 and reply.headers["Location"] == "/dasbor", reply
        return client

    async def get(self, client: aiohttp.ClientSession, path: str) -> tuple[int, str, aiohttp.ClientResponse]:
        async with client.get(self.url(path), allow_redirects=False) as reply:
            return reply.status, await reply.text(errors="replace"), reply


async def _record(app: App, now: datetime, desa: str, doc: str, ta: int, penetapan: date, received: date, **kw) -> None:
    async with app.sessions() as session, session.begin():
        await record_document(session, RecordRequest(desa, doc, ta, penetapan, received, **kw), now, app.files)


async def load_season(app: App, now: datetime, tmp: Path) -> None:
    async with app.sessions() as session, session.begin():
        calendar = await load_calendar(session)
        await import_area(session, JATIROTO, now, [2024, 2025], calendar)
        await import_area(session, YOSOWILANGUN, now, [2024, 2025], calendar)
    pdf = tmp / "rkpdes-rojopolo.pdf"
    pdf.write_bytes(PDF)
    for i, desa in enumerate(DESA, 1):
        await _record(app, now, desa, "LPPDES", 2023, date(2024, 2, 10 + i), date(2024, 3, i), nomor=f"{i}/LPPDES/2023")
        if desa == ROJOPOLO:
            await _record(app, now, desa, "RKPDES", 2025, date(2024, 9, 20), date(2024, 9, 23), nomor="1/RKP/2024",
                          review=ReviewStatus.REJECTED, reason="Belum ditandatangani kepala desa")  # fmt: skip
        await _record(app, now, desa, "RKPDES", 2025, date(2024, 9, 20 + i), date(2024, 9, 27), nomor=f"{i}/RKP/2024",
                      file=pdf if desa == ROJOPOLO else None)  # fmt: skip
        late = desa == SUKOSARI
        await _record(app, now, desa, "APBDES", 2025, date(2025, 1, 5) if late else date(2024, 12, 10 + i),
                      date(2025, 1, 6) if late else date(2024, 12, 20), nomor=f"{i}/APB/2024")  # fmt: skip
    for i in (1, 2, 3):
        await _record(app, now, f"{YOSOWILANGUN}.200{i}", "LPPDES", 2023, date(2024, 2, 10), date(2024, 3, 5))


@dataclass(frozen=True)
class DesaExtras:
    """What `desa_extras` adds around Rojopolo (and a little beside it, which its page must not show)."""

    kendala_text: str
    tanya_text: str
    reply_text: str
    closed_text: str
    answered_text: str
    other_desa_text: str
    sent_at: datetime  # the H-7 reminder of Rojopolo's RKPDes TA 2025 to its sekdes
    read_at: datetime
    planned: int  # the outbox's planned reminders of Rojopolo's obligations after planning


async def desa_extras(dash: Dash) -> DesaExtras:
    """Rojopolo's page with everything it can show: its RKPDes versions verified by Bu Staf Jatiroto, a pendamping
    without a chat, an open kendala (typed with markup) answered once, an open question, a closed kendala and an
    answered question (not open: not shown), a question of Sukosari; the H-7 reminder of its RKPDes sent by WhatsApp
    and read, the same reminder to the pendamping that reached nobody, a notice (not a reminder) and Sukosari's
    reminder (not Rojopolo's); then the kecamatan planned as the bot plans it. Not part of the `dash` fixture: the
    other dashboard tests keep their world as it is."""
    from sqlalchemy import select, update

    from bot.services.audit import Actor
    from bot.services.forum import answer_thread, close_thread, raise_thread
    from bot.services.people import active_grants
    from models.tables import Obligation, OutboxMessage, OutboxStatus, Submission, ThreadKind
    from scheduler.planner import plan_kecamatan

    staf, sekdes = dash.people["Bu Staf Jatiroto"], dash.people["Sekdes Rojopolo"]
    pendamping = await dash.person("Pendamping Rojopolo", Role.PENDAMPING, ScopeKind.DESA, ROJOPOLO)
    sukosari = await dash.person("Sekdes Sukosari", Role.SEKDES, ScopeKind.DESA, SUKOSARI, phone="6289900001111")
    texts = DesaExtras(
        kendala_text='Kepala desa sakit, <script>alert("kendala")</script> penetapan tertunda',
        tanya_text="Apakah RKPDes perlu cap basah?",
        reply_text="Kami bantu jadwalkan ulang minggu depan.",
        closed_text="Printer rusak (sudah selesai)",
        answered_text="Kapan batas APBDes? (sudah dijawab)",
        other_desa_text="Pertanyaan dari Sukosari",
        sent_at=datetime(2024, 9, 23, 8, 0, 5, tzinfo=WIB),
        read_at=datetime(2024, 9, 23, 9, 12, tzinfo=WIB),
        planned=0,
    )
    async with dash.app.sessions() as session, session.begin():
        rkpdes = await session.scalar(
            select(Obligation).where(Obligation.desa_kode == ROJOPOLO, Obligation.document_code == "RKPDES",
                                     Obligation.tahun_anggaran == 2025)
        )  # fmt: skip
        assert rkpdes is not None
        verified = update(Submission).where(Submission.obligation_id == rkpdes.id).values(reviewed_by_id=staf)
        await session.execute(verified)
        sukosari_rkpdes = await session.scalar(
            select(Obligation.id).where(Obligation.desa_kode == SUKOSARI, Obligation.document_code == "RKPDES",
                                        Obligation.tahun_anggaran == 2025)
        )  # fmt: skip
        staf_person, sekdes_grants = await session.get(Person, staf), await active_grants(session, sekdes)
        staf_grants, author = await active_grants(session, staf), await session.get(Person, sekdes)
        as_sekdes, as_staf = Actor(sekdes, "whatsapp"), Actor(staf, "telegram")
        moment = datetime(2024, 9, 18, 10, 0, tzinfo=WIB)

        async def thread(kind: ThreadKind, text: str, obligation: int | None = None):
            made, _ = await raise_thread(session, kind, author, sekdes_grants, ROJOPOLO, obligation, text, moment, "id",
                                         actor=as_sekdes)  # fmt: skip
            return made

        kendala = await thread(ThreadKind.KENDALA, texts.kendala_text, rkpdes.id)
        await answer_thread(session, kendala.id, staf_person, staf_grants, texts.reply_text, moment, "id",
                            actor=as_staf)  # fmt: skip
        await thread(ThreadKind.TANYA, texts.tanya_text)
        closed = await thread(ThreadKind.KENDALA, texts.closed_text)
        await close_thread(session, closed.id, staf_person, staf_grants, "Beres", moment, "id", actor=as_staf)
        answered = await thread(ThreadKind.TANYA, texts.answered_text)
        await answer_thread(session, answered.id, staf_person, staf_grants, "31 Desember", moment, "id", actor=as_staf)
        other, _ = await raise_thread(session, ThreadKind.TANYA, await session.get(Person, sukosari),
                                      await active_grants(session, sukosari), SUKOSARI, None, texts.other_desa_text,
                                      moment, "id", actor=Actor(sukosari, "whatsapp"))  # fmt: skip

        def row(subject: str, subject_id: object, person: int, role: str, kind: str, status: OutboxStatus, **kw):
            return OutboxMessage(
                kecamatan_kode=JATIROTO, subject_type=subject, subject_id=str(subject_id),
                recipient_key=f"person:{person}", person_id=person, role=role, kind=kind, for_date=date(2024, 9, 23),
                send_at=datetime(2024, 9, 23, 8, 0, tzinfo=WIB), status=status, attempts=1,
                created_at=datetime(2024, 9, 1, 8, 0, tzinfo=WIB), details={"desa": ROJOPOLO}, **kw,
            )  # fmt: skip

        session.add_all([
            row("obligation", rkpdes.id, sekdes, "sekdes", "H-7", OutboxStatus.SENT, channel="whatsapp",
                address=SEKDES_PHONE, sent_at=texts.sent_at, read_at=texts.read_at),
            row("obligation", rkpdes.id, pendamping, "pendamping", "H-7", OutboxStatus.UNREACHABLE),
            row("notice", "verdict:1", sekdes, "sekdes", "notice", OutboxStatus.SENT, channel="whatsapp",
                sent_at=texts.sent_at),
            row("obligation", sukosari_rkpdes, sukosari, "sekdes", "H-3", OutboxStatus.SENT, channel="whatsapp",
                sent_at=texts.sent_at),
            row("obligation", rkpdes.id, sekdes, "sekdes", "H-3", OutboxStatus.CANCELLED),
        ])  # fmt: skip
        await plan_kecamatan(session, JATIROTO, dash.clock.now(), dash.app.settings.reminders)
        await session.flush()
        rojopolo = select(Obligation.id).where(Obligation.desa_kode == ROJOPOLO)
        planned = list(
            await session.scalars(
                select(OutboxMessage.id).where(
                    OutboxMessage.subject_type == "obligation",
                    OutboxMessage.status == OutboxStatus.PLANNED,
                    OutboxMessage.subject_id.in_([str(i) for i in await session.scalars(rojopolo)]),
                )
            )
        )
        assert other.desa_kode == SUKOSARI
    return DesaExtras(**{**texts.__dict__, "planned": len(planned)})


@pytest.fixture
async def dash(settings: Settings, tmp_path: Path) -> AsyncIterator[Dash]:
    clock = ManualClock(NOW)
    app = App.create(settings.model_copy(update={"web": settings.web.model_copy(update={"port": 0})}), clock)
    await load_season(app, NOW, tmp_path)
    webapp = WebApp(app.settings.web)
    mount_dashboard(webapp, app)
    world = Dash(app, clock, webapp, tmp_path)
    await world.person("Bu Staf Jatiroto", Role.STAF, ScopeKind.KECAMATAN, JATIROTO)
    await world.person("Pak Camat Jatiroto", Role.CAMAT, ScopeKind.KECAMATAN, JATIROTO)
    await world.person("Staf Yosowilangun", Role.STAF, ScopeKind.KECAMATAN, YOSOWILANGUN)
    await world.person("Admin Lumajang", Role.ADMIN, ScopeKind.KABUPATEN, LUMAJANG)
    await world.person("Admin Pusat", Role.ADMIN, ScopeKind.DEPLOYMENT, None)
    await world.person("Sekdes Rojopolo", Role.SEKDES, ScopeKind.DESA, ROJOPOLO, phone=SEKDES_PHONE)
    async with webapp:
        yield world
        for client in world.clients:
            await client.close()
    await app.close()
