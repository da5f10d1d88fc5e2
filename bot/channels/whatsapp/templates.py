"""WhatsApp message templates: what the bot may send when a person's 24-hour window is closed.

Outside the window WhatsApp delivers only templates the WhatsApp Business Account registered and Meta approved
(/work/shared facts, summarised in docs/DECISIONS.md). Everything the bot starts — a reminder, a digest, the camat's
summary, a notice, an announcement, a meeting — can go as one of the few UTILITY templates below, in Indonesian.

- The definitions are data here, in the repository: a changed wording is a new name (`_v2`) while the old one keeps
  working until it is retired. `klambi whatsapp templates` prints them in the shape the Graph API takes, `push`
  registers the missing ones, `status` shows Meta's verdicts.
- `template_call` turns one outbox row (and its message as composed) into the template to send and its parameters,
  read from the database. A reminder's template says it all; the others are teasers: a short notice that something
  waits ("Balas *baca*"), whose content follows free-form once the person answers and the window is open.
- `TemplateRegistry` is the Graph client for templates: list, create, and `approved()` with a short cache for the
  transport. The access token travels only in the Authorization header: never in a log line, a message or an error.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import aiohttp
from sqlalchemy.ext.asyncio import AsyncSession

from bot.chat.actions import KirimFromReminder, encode
from bot.chat.messages import OutMessage
from bot.cleaning import clean_text
from bot.clock import Clock, SystemClock
from bot.config import WhatsAppSettings
from bot.errors import InputError
from bot.i18n import Language, doc_label, fmt_date, fmt_datetime, fmt_percent, t
from bot.services.forum import thread_number
from bot.services.indicator import kecamatan_indicator
from models.status import ReviewStatus
from models.tables import (
    Announcement,
    Desa,
    ForumThread,
    Kecamatan,
    Meeting,
    Obligation,
    OutboxMessage,
    Person,
    Role,
    RoleAssignment,
    Submission,
)
from scheduler.messages import _countdown

log = logging.getLogger("klambi.whatsapp.templates")

UTILITY = "UTILITY"
BODY_LIMIT = 1024  # characters of a template's body, with its parameters filled in
BUTTON_TEXT_LIMIT = 25
BUTTONS_LIMIT = 10
PARAM_LIMIT = 200  # characters of one parameter: a name, a title, a date; never a whole message
READ_PAYLOAD = "baca"  # the quick reply "Baca": the same as typing *baca*, open what the template announced
KIRIM_PAYLOAD = "kirim"  # a reminder's quick reply when its message carries no choice to continue from
_NAME = re.compile(r"[a-z0-9_]{1,512}")
_PARAM = re.compile(r"\{\{(\d+)\}\}")


# --- the definitions ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Template:
    """One message template as it is registered: positional parameters `{{1}}`..`{{n}}`, an example for each, and
    optional quick-reply buttons (their labels). The name carries a version: a new wording is a new name."""

    name: str
    body: str
    examples: tuple[str, ...]
    buttons: tuple[str, ...] = ()
    language: str = "id"
    category: str = UTILITY

    @property
    def parameter_count(self) -> int:
        return len(set(_PARAM.findall(self.body)))

    @property
    def param_limit(self) -> int:
        """The longest a parameter may be, so that the body filled with the longest ones stays within 1,024."""
        fixed = len(_PARAM.sub("", self.body))
        return min(PARAM_LIMIT, (BODY_LIMIT - fixed) // max(self.parameter_count, 1))

    def render(self, params: Iterable[str]) -> str:
        """The body with its parameters filled in (for logs, tests and the demo's transcript)."""
        values = tuple(params)
        if len(values) != self.parameter_count:
            raise ValueError(f"{self.name} takes {self.parameter_count} parameters, not {len(values)}")
        return _PARAM.sub(lambda m: values[int(m.group(1)) - 1], self.body)

    def creation(self) -> dict[str, Any]:
        """The template in the shape `POST /{waba_id}/message_templates` takes."""
        components: list[dict[str, Any]] = [
            {"type": "BODY", "text": self.body, "example": {"body_text": [list(self.examples)]}}
        ]
        if self.buttons:
            components.append(
                {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": b} for b in self.buttons]}
            )
        return {"name": self.name, "language": self.language, "category": self.category, "components": components}

    def problems(self) -> list[str]:
        """What Meta's review would refuse (empty when the template is valid): the rules of a UTILITY template with
        positional parameters."""
        found = []
        if not _NAME.fullmatch(self.name) or not re.search(r"_v\d+$", self.name):
            found.append("name: lowercase letters, digits and _, ending in a version (_v1)")
        if self.category != UTILITY:
            found.append("category: UTILITY")
        numbers = [int(n) for n in _PARAM.findall(self.body)]
        if sorted(set(numbers)) != list(range(1, len(set(numbers)) + 1)) or len(numbers) != len(set(numbers)):
            found.append("parameters: {{1}}..{{n}}, each once")
        if len(self.examples) != len(set(numbers)):
            found.append("examples: one for each parameter")
        if any(clean_param(e) != e or not e for e in self.examples):
            found.append("examples: one line, not empty, no runs of spaces")
        if re.match(r"\s*\{\{", self.body) or re.search(r"\}\}\s*$", self.body):
            found.append("body: may not start or end with a parameter")
        if re.search(r"\}\}\s*\{\{", self.body):
            found.append("body: two parameters side by side")
        words = len(_PARAM.sub(" ", self.body).split())
        if words < 2 * len(set(numbers)):
            found.append("body: too many parameters for its length")
        if "\n\n\n" in self.body or "    " in self.body or len(self.body) > BODY_LIMIT:
            found.append("body: at most 1,024 characters, no runs of spaces or empty lines")
        if len(self.buttons) > BUTTONS_LIMIT or any(not b or len(b) > BUTTON_TEXT_LIMIT for b in self.buttons):
            found.append("buttons: at most 10 quick replies of at most 25 characters")
        return found


REMINDER = Template(
    "klambi_pengingat_v1",
    "Pengingat dari Kecamatan {{1}}: {{2}} Desa {{3}} tahun anggaran {{4}} ditunggu paling lambat {{5}} ({{6}}). "
    "Balas *kirim* untuk mengirim dokumennya.",
    ("Jatiroto", "RKPDes", "Rojopolo", "2025", "30 September 2024", "tinggal 7 hari"),
    ("Kirim sekarang",),
)
REMINDER_PENDAMPING = Template(
    "klambi_pengingat_pendamping_v1",
    "Pengingat dari Kecamatan {{1}}: {{2}} Desa {{3}} tahun anggaran {{4}} ditunggu paling lambat {{5}} ({{6}}). "
    "Mohon dampingi sekretaris desa agar dokumennya segera dikirim.",
    ("Jatiroto", "RKPDes", "Rojopolo", "2025", "30 September 2024", "tinggal 7 hari"),
)
STAF_DIGEST = Template(
    "klambi_ringkasan_staf_v1",
    "Ringkasan pagi Kecamatan {{1}} tanggal {{2}}: {{3}} dokumen jatuh tempo dalam 7 hari, {{4}} lewat batas "
    "kesepakatan, dan {{5}} menunggu verifikasi. Balas *baca* untuk melihat rinciannya.",
    ("Jatiroto", "23 September 2024", "4", "1", "2"),
    ("Baca",),
)
CAMAT_SUMMARY = Template(
    "klambi_ringkasan_camat_v1",
    "Ringkasan Kecamatan {{1}} untuk Camat: batas waktu {{2}} tahun anggaran {{3}} sudah lewat dan {{4}} dari {{5}} "
    "desa belum diterima. Realisasi indikator tahun {{6}} saat ini {{7}}. Balas *baca* untuk melihat nama desanya.",
    ("Jatiroto", "RKPDes", "2025", "2", "6", "2024", "61,11%"),
    ("Baca",),
)
NOTICE = Template(
    "klambi_kabar_v1",
    "Ada kabar baru dari Kecamatan {{1}} tentang {{2}}. Balas *baca* untuk membukanya.",
    ("Jatiroto", "RKPDes TA 2025 Desa Rojopolo"),
    ("Baca",),
)
NEW_MESSAGE = Template(
    "klambi_pesan_baru_v1",
    "Ada pesan baru dari Kecamatan {{1}}: {{2}}. Balas *baca* untuk membukanya.",
    ("Jatiroto", "undangan rapat Arisan desa, 14 Oktober 2024 09.00 WIB"),
    ("Baca",),
)
TEMPLATES: tuple[Template, ...] = (REMINDER, REMINDER_PENDAMPING, STAF_DIGEST, CAMAT_SUMMARY, NOTICE, NEW_MESSAGE)


def template_named(name: str, language: str = "id") -> Template | None:
    return next((x for x in TEMPLATES if x.name == name and x.language == language), None)


# --- parameters --------------------------------------------------------------------------------------------------

_C1 = re.compile(r"[\x80-\x9f]")


def clean_param(text: str, limit: int = PARAM_LIMIT) -> str:
    """A parameter as Graph takes it: one line (no newline or tab, no run of spaces), trimmed, at most `limit`
    characters, cut at a space where there is one in the second half (then "…"), and never empty ("—")."""
    words = _C1.sub(" ", clean_text(text)).split()  # every control character and every kind of space
    line = " ".join(words)
    if len(line) > limit:
        cut = line[: limit - 1]
        space = cut.rfind(" ")
        if space >= limit // 2:
            cut = cut[:space]
        line = cut.rstrip() + "…"
    return line or "—"


@dataclass(frozen=True)
class TemplateCall:
    """The template that carries one outbox row, with its parameters and a payload for each quick reply.
    `teaser`: the template only announces a content that follows free-form once the person answers."""

    template: Template
    params: tuple[str, ...]
    payloads: tuple[str, ...] = ()
    teaser: bool = True

    def __post_init__(self) -> None:
        if len(self.params) != self.template.parameter_count or len(self.payloads) != len(self.template.buttons):
            raise ValueError(f"{self.template.name}: {len(self.params)} parameters, {len(self.payloads)} payloads")

    def text(self) -> str:
        return self.template.render(self.params)

    def graph(self) -> dict[str, Any]:
        """The `template` object of a Graph `/messages` call."""
        components: list[dict[str, Any]] = [
            {"type": "body", "parameters": [{"type": "text", "text": p} for p in self.params]}
        ]
        components += [
            {"type": "button", "sub_type": "quick_reply", "index": str(index),
             "parameters": [{"type": "payload", "payload": payload}]}
            for index, payload in enumerate(self.payloads)
        ]  # fmt: skip
        return {
            "name": self.template.name,
            "language": {"policy": "deterministic", "code": self.template.language},
            "components": components,
        }


def _call(template: Template, params: Iterable[object], payloads: Iterable[str] = (), teaser: bool = True):
    limit = template.param_limit
    return TemplateCall(template, tuple(clean_param(str(p), limit) for p in params), tuple(payloads), teaser)


def _read(template: Template, params: Iterable[object]) -> TemplateCall:
    return _call(template, params, (READ_PAYLOAD,) * len(template.buttons))


# --- the call for one outbox row ---------------------------------------------------------------------------------


async def template_call(
    session: AsyncSession, row: OutboxMessage, message: OutMessage, now: datetime, lang: Language
) -> TemplateCall:
    """The template that carries `row` to a person whose window is closed, its parameters read from the database
    as it is now. `message` is the row as `scheduler.messages.compose` made it (a reminder's button is taken from
    it). The templates are Indonesian: their parameters are too, whatever `lang` is."""
    del lang  # the parameters are in the template's language (templates exist in Indonesian only)
    words: Language = "id"
    kecamatan = await session.get(Kecamatan, row.kecamatan_kode)
    assert kecamatan is not None
    today = now.astimezone(ZoneInfo(kecamatan.timezone)).date()
    subject = row.subject_type
    if subject == "obligation":
        obligation = await session.get(Obligation, int(row.subject_id))
        desa = await session.get(Desa, obligation.desa_kode) if obligation else None
        if obligation is not None and desa is not None:
            agreed = obligation.agreed_date
            params = (kecamatan.nama, doc_label(obligation.document_code), desa.nama, obligation.tahun_anggaran,
                      fmt_date(agreed, words), _countdown(agreed, today, words))  # fmt: skip
            if row.role == Role.SEKDES.value:
                return _call(REMINDER, params, (_kirim_payload(message),), teaser=False)
            return _call(REMINDER_PENDAMPING, params, teaser=False)
    elif subject == "digest":
        due, overdue, waiting = await _digest_counts(session, kecamatan, today)
        return _read(STAF_DIGEST, (kecamatan.nama, fmt_date(today, words), due, overdue, waiting))
    elif subject == "camat":
        call = await _camat(session, kecamatan, row, now, words)
        if call is not None:
            return call
    elif subject == "recap":
        return _read(NEW_MESSAGE, (kecamatan.nama, t("template.about.recap", words)))
    elif subject == "announcement":
        announcement = await session.get(Announcement, int(row.subject_id))
        if announcement is not None:
            about = t("template.about.announcement", words, number=announcement.id,
                      sender=t(f"role.{announcement.author_role}", words))  # fmt: skip
            return _read(NEW_MESSAGE, (kecamatan.nama, about))
    elif subject == "meeting":
        meeting = await session.get(Meeting, int(row.subject_id))
        if meeting is not None:
            return _read(NEW_MESSAGE, (kecamatan.nama, _meeting_about(meeting, row.kind, kecamatan, words)))
    return _read(NOTICE, (kecamatan.nama, await _notice_about(session, row, words)))


def _kirim_payload(message: OutMessage) -> str:
    """The wire id of the reminder's own "Kirim dokumen" choice: pressing the quick reply continues exactly like
    pressing the button."""
    for row in message.choices:
        for choice in row:
            if isinstance(choice.action, KirimFromReminder):
                return encode(choice.action)
    return KIRIM_PAYLOAD


async def _digest_counts(session: AsyncSession, kecamatan: Kecamatan, today) -> tuple[int, int, int]:
    """The staf digest's figures, from what the digest itself lists: due, overdue, waiting for a verdict."""
    from scheduler.messages import digest_obligations

    found = await digest_obligations(session, kecamatan.kode, today)
    return len(found.due), len(found.overdue), found.waiting


async def _camat(
    session: AsyncSession, kecamatan: Kecamatan, row: OutboxMessage, now: datetime, words: Language
) -> TemplateCall | None:
    from scheduler.messages import camat_obligations

    _, document, ta = row.subject_id.split(":")
    obligations = await camat_obligations(session, kecamatan.kode, row.subject_id)
    if not obligations:
        return None
    missing = sum(ReviewStatus.ACCEPTED not in [s.review_status for s in o.submissions] for o in obligations)
    year = obligations[0].legal_deadline.year  # the performance year whose indicator this deadline counts in
    indicator = await kecamatan_indicator(session, kecamatan.kode, year, now)
    figure = fmt_percent(indicator.result.realisasi if indicator.result else None, words)
    return _read(CAMAT_SUMMARY, (kecamatan.nama, doc_label(document), ta, missing, len(obligations), year, figure))


def _meeting_about(meeting: Meeting, kind: str, kecamatan: Kecamatan, words: Language) -> str:
    when = fmt_datetime(meeting.starts_at.astimezone(ZoneInfo(kecamatan.timezone)), words)
    what = {"undangan": "invitation", "notulen": "notulen"}.get(kind, "reminder")
    return t(f"template.about.meeting_{what}", words, title=clean_param(meeting.title, 80), when=when)


_SUBMISSION_KEYS = ("alert", "verdict", "paper", "undo")
_OBLIGATION_KEYS = ("extension", "agreed")
_THREAD_KEYS = ("thread", "reply", "closed")


async def _notice_about(session: AsyncSession, row: OutboxMessage, words: Language) -> str:
    """What a notice is about, from its key (`verdict:12@…`, `agreed:7:2024-09-30`, `thread:3`, `revoke:5`,
    `unreachable:9`): the document and desa, the problem or question, the role, the person."""
    prefix, _, rest = row.subject_id.partition(":")
    number = rest.split("@")[0].split(":")[0]
    found = int(number) if number.isascii() and number.isdigit() and len(number) < 10 else None
    if found is not None:
        if prefix in _SUBMISSION_KEYS:
            submission = await session.get(Submission, found)
            if submission is not None:
                return await _document_about(session, submission.obligation_id, words)
        elif prefix in _OBLIGATION_KEYS:
            return await _document_about(session, found, words)
        elif prefix in _THREAD_KEYS:
            thread = await session.get(ForumThread, found)
            if thread is not None:
                desa = await session.get(Desa, thread.desa_kode)
                return t(f"template.about.{thread.kind.value}", words, number=await thread_number(session, thread),
                         desa=desa.nama if desa else thread.desa_kode)  # fmt: skip
        elif prefix == "revoke":
            assignment = await session.get(RoleAssignment, found)
            if assignment is not None:
                return t("template.about.revoke", words, role=t(f"role.{assignment.role.value}", words))
        elif prefix == "unreachable" or row.kind == "unreachable":
            person = await session.get(Person, found)
            if person is not None:
                return t("template.about.unreachable", words, name=clean_param(person.name, 80))
    return t("template.about.other", words)


async def _document_about(session: AsyncSession, obligation_id: int, words: Language) -> str:
    obligation = await session.get(Obligation, obligation_id)
    if obligation is None:
        return t("template.about.other", words)
    desa = await session.get(Desa, obligation.desa_kode)
    return t("template.about.document", words, doc=obligation.document_code, ta=obligation.tahun_anggaran,
             desa=desa.nama if desa else obligation.desa_kode)  # fmt: skip


# --- the Graph client for templates ------------------------------------------------------------------------------

STATUSES = ("APPROVED", "PENDING", "REJECTED", "PAUSED", "DISABLED", "IN_APPEAL", "PENDING_DELETION")
APPROVED = "APPROVED"
CACHE_FOR = timedelta(minutes=5)
TIMEOUT = aiohttp.ClientTimeout(total=30)
MAX_PAGES = 50


class TemplateRegistry:
    """The templates registered on `[whatsapp] waba_id`, over the Graph API with `[whatsapp] access_token`.

    `approved(name, language)` answers from a listing at most `CACHE_FOR` old (refreshed on demand; when Graph cannot
    be reached, a previous listing still answers). Errors are `InputError`s whose text never holds the token."""

    def __init__(
        self, settings: WhatsAppSettings, clock: Clock | None = None, http: aiohttp.ClientSession | None = None
    ) -> None:
        self.settings = settings
        self.clock = clock or SystemClock()
        self.http = http  # shared when given; otherwise one session per call
        self._cache: dict[tuple[str, str], str] | None = None
        self._cached_at: datetime | None = None
        self._lock = asyncio.Lock()

    def _needs(self) -> tuple[str, str]:
        if not self.settings.waba_id:
            raise InputError("whatsapp.missing_key", setting="waba_id", env="WABA_ID")
        if self.settings.access_token is None or not self.settings.access_token.get_secret_value():
            raise InputError("whatsapp.missing_key", setting="access_token", env="ACCESS_TOKEN")
        return self.settings.waba_id, self.settings.access_token.get_secret_value()

    @property
    def _url(self) -> str:
        return f"{self.settings.graph_url}/{self._needs()[0]}/message_templates"

    async def list(self) -> dict[tuple[str, str], str]:
        """(name, language) -> status of every template on the account, following `paging.next`."""
        token = self._needs()[1]
        found: dict[tuple[str, str], str] = {}
        url: str | None = self._url
        params: dict[str, str] | None = {"fields": "name,language,status", "limit": "100"}
        for _ in range(MAX_PAGES):
            if url is None:
                break
            answer = await self._request("GET", url, token, params=params)
            for item in answer.get("data") or []:
                if isinstance(item, dict) and isinstance(item.get("name"), str):
                    found[(item["name"], str(item.get("language", "")))] = str(item.get("status", "")).upper()
            url, params = self._next(answer), None
        self._cache, self._cached_at = dict(found), self.clock.now()
        return found

    def _next(self, answer: dict[str, Any]) -> str | None:
        """The next page's URL, followed only on Graph's own host (it carries the Bearer token)."""
        paging = answer.get("paging")
        following = paging.get("next") if isinstance(paging, dict) else None
        if not isinstance(following, str) or not answer.get("data"):
            return None
        ours, theirs = urlsplit(self.settings.graph_url), urlsplit(following)
        if (theirs.scheme, theirs.netloc) != (ours.scheme, ours.netloc):
            log.warning("a template listing's next page is on another host: not followed")
            return None
        return following

    async def create(self, template: Template) -> str:
        """Register `template`; Meta's status for it (PENDING while it is reviewed, or APPROVED at once)."""
        token = self._needs()[1]
        answer = await self._request("POST", self._url, token, json=template.creation())
        status = str(answer.get("status") or "PENDING").upper()
        if self._cache is not None:
            self._cache[(template.name, template.language)] = status
        return status

    async def refresh(self) -> dict[tuple[str, str], str]:
        async with self._lock:
            return await self.list()

    def known_status(self, name: str, language: str = "id") -> str | None:
        """The status the last listing gave (None: not listed yet, or not on the account); never calls Graph."""
        return (self._cache or {}).get((name, language))

    async def approved(self, name: str, language: str = "id") -> bool:
        """Whether Meta approved this template: from a listing at most `CACHE_FOR` old."""
        now = self.clock.now()
        if self._cache is None or self._cached_at is None or now - self._cached_at >= CACHE_FOR:
            async with self._lock:
                if self._cache is None or self._cached_at is None or now - self._cached_at >= CACHE_FOR:
                    try:
                        await self.list()
                    except InputError as problem:
                        if self._cache is None:
                            raise
                        log.warning("template listing not refreshed (%s): the previous one answers", problem.key)
        assert self._cache is not None
        return self._cache.get((name, language)) == APPROVED

    async def _request(self, method: str, url: str, token: str, **kwargs: Any) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"}
        try:
            if self.http is not None:
                return await self._send(self.http, method, url, headers, token, **kwargs)
            async with aiohttp.ClientSession(timeout=TIMEOUT) as http:
                return await self._send(http, method, url, headers, token, **kwargs)
        except (aiohttp.ClientError, TimeoutError) as problem:
            log.debug("Graph API not reached: %s", type(problem).__name__)
            raise InputError("whatsapp.graph_unreachable", host=urlsplit(url).netloc) from None

    async def _send(self, http, method: str, url: str, headers: dict, token: str, **kwargs: Any) -> dict[str, Any]:
        async with http.request(method, url, headers=headers, **kwargs) as response:
            try:
                answer = await response.json(content_type=None)
            except ValueError:
                answer = None
            if response.status < 400 and isinstance(answer, dict):
                return answer
            error = answer.get("error") if isinstance(answer, dict) else None
            error = error if isinstance(error, dict) else {}
            code = error.get("code")
            if code == 190 or response.status == 401:
                raise InputError("whatsapp.graph_token")
            said = error.get("error_user_msg") or error.get("message") or f"HTTP {response.status}"
            text = " ".join(str(said).replace(token, "***").split())[:200] if token else str(said)[:200]
            raise InputError("whatsapp.graph_error", status=response.status, code=code if code is not None else "-",
                             message=text)  # fmt: skip
