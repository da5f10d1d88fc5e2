"""Documents sent in the chat: the open obligations a secretary may send, the receipt, and the verdict."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.authz import Action, Grant, allowed, places
from bot.chat.messages import OutFile
from bot.config import RemindersSettings
from bot.errors import InputError
from bot.services.audit import Actor, audit
from bot.services.places import document_kinds, place_of
from bot.services.planning import plan_again
from bot.storage import received_as
from models.status import ReviewStatus, VersionFacts, on_time_on_its_face
from models.tables import Channel, Desa, Kecamatan, Obligation, Person, Submission, SubmissionFile

ZONE_LABELS = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}
NOMOR_LIMIT = 120
REASON_LIMIT = 1000
OFFERED_LIMIT = 12


def zone_label(tz: str) -> str:
    return ZONE_LABELS.get(tz, tz)


def receipt_number(submission: Submission, tz: ZoneInfo) -> str:
    return f"TT-{submission.received_at.astimezone(tz):%Y%m%d}-{submission.id:05d}"


@dataclass(frozen=True)
class OpenObligation:
    obligation_id: int
    desa_kode: str
    desa_nama: str
    document_code: str
    tahun_anggaran: int
    legal_deadline: date
    agreed_date: date
    waiting: bool  # a version waits for a decision
    rejected: bool  # the latest version was rejected


@dataclass(frozen=True)
class Receipt:
    number: str
    submission_id: int
    version: int
    received_at: datetime  # local to the kecamatan
    zone: str
    desa_kode: str
    desa_nama: str
    kecamatan_kode: str
    document_code: str
    tahun_anggaran: int
    tanggal_penetapan: date
    nomor: str | None
    legal_deadline: date
    on_time: bool  # on its face, if accepted
    files: int


@dataclass(frozen=True)
class Decision:
    submission_id: int
    decided_now: bool  # False: someone had decided already
    status: ReviewStatus
    decided_by: str
    reason: str | None
    desa_kode: str
    desa_nama: str
    document_code: str
    tahun_anggaran: int
    version: int
    submitter: Person | None  # the secretary who sent it, to be told the verdict
    on_time: bool


@dataclass(frozen=True)
class WaitingItem:
    submission_id: int
    desa_kode: str
    desa_nama: str
    document_code: str
    tahun_anggaran: int
    version: int
    received_at: datetime  # local
    zone: str
    tanggal_penetapan: date
    nomor: str | None
    submitted_by: str | None
    files: list[OutFile]
    on_time: bool  # on its face, if accepted


async def open_obligations(session: AsyncSession, desa_kode: str) -> list[OpenObligation]:
    """Obligations of one desa with no accepted version, the nearest deadline first: one statement, rows not
    objects (the desa's name and each version's verdict, in version order)."""
    rows = await session.execute(
        select(
            Obligation.id, Desa.nama, Obligation.document_code, Obligation.tahun_anggaran, Obligation.legal_deadline,
            Obligation.agreed_date, Submission.review_status,
        )
        .join(Desa, Desa.kode == Obligation.desa_kode)
        .outerjoin(Submission, Submission.obligation_id == Obligation.id)
        .where(Obligation.desa_kode == desa_kode)
        .order_by(Obligation.legal_deadline, Obligation.document_code, Obligation.id, Submission.version)
    )  # fmt: skip
    found: dict[int, tuple[tuple[Any, ...], list[ReviewStatus]]] = {}
    for obligation_id, *facts, review_status in rows:
        statuses = found.setdefault(obligation_id, (tuple(facts), []))[1]
        if review_status is not None:
            statuses.append(review_status)
    offered = []
    for obligation_id, ((nama, code, ta, legal, agreed), statuses) in found.items():
        if ReviewStatus.ACCEPTED in statuses:
            continue
        offered.append(
            OpenObligation(
                obligation_id, desa_kode, nama, code, ta, legal, agreed, ReviewStatus.MENUNGGU in statuses,
                bool(statuses) and statuses[-1] is ReviewStatus.REJECTED,
            )
        )  # fmt: skip
    return offered[:OFFERED_LIMIT]


@dataclass(frozen=True)
class ObligationGlance:
    """What a /kirim step shows of an obligation: its document, its desa's name, its kecamatan's time zone."""

    id: int
    desa_kode: str
    document_code: str
    tahun_anggaran: int
    desa_nama: str
    timezone: str


async def obligation_glance(session: AsyncSession, obligation_id: int) -> ObligationGlance | None:
    """One row, one statement (a step used to read the obligation, the desa and the kecamatan one by one)."""
    found = await session.execute(
        select(Obligation.id, Obligation.desa_kode, Obligation.document_code, Obligation.tahun_anggaran, Desa.nama,
               Kecamatan.timezone)
        .join(Desa, Desa.kode == Obligation.desa_kode)
        .join(Kecamatan, Kecamatan.kode == Desa.kecamatan_kode)
        .where(Obligation.id == obligation_id)
    )  # fmt: skip
    row = found.first()
    return ObligationGlance(*row) if row is not None else None


async def submit_from_chat(
    session: AsyncSession,
    person: Person,
    grants: list[Grant],
    obligation_id: int,
    files: list[dict[str, Any]],
    tanggal_penetapan: date,
    nomor: str | None,
    now: datetime,
    *,
    actor: Actor,
    reminders: RemindersSettings | None = None,
) -> Receipt:
    """A secretary confirms a submission: a new version waiting for the kecamatan's decision, received now."""
    found = (
        await session.execute(
            select(Obligation, Desa, Kecamatan)
            .join(Desa, Desa.kode == Obligation.desa_kode)
            .join(Kecamatan, Kecamatan.kode == Desa.kecamatan_kode)
            .where(Obligation.id == obligation_id)
            .options(selectinload(Obligation.submissions))
        )
    ).first()
    if found is None or not allowed(grants, Action.SUBMIT, found[0].desa_kode):
        raise InputError("error.not_allowed")
    obligation, desa, kecamatan = found
    if any(s.review_status is ReviewStatus.ACCEPTED for s in obligation.submissions):
        raise InputError("error.already_accepted")
    if not files:
        raise InputError("error.no_file")
    tz = ZoneInfo(kecamatan.timezone)
    if tanggal_penetapan > now.astimezone(tz).date():
        raise InputError("error.future_date_chat")
    if nomor and len(nomor) > NOMOR_LIMIT:
        raise InputError("error.text_too_long", option="Nomor", limit=NOMOR_LIMIT)
    version = max((s.version for s in obligation.submissions), default=0) + 1  # every version: loaded above
    submission = Submission(
        obligation_id=obligation.id,
        version=version,
        tanggal_penetapan=tanggal_penetapan,
        nomor=nomor,
        received_at=now,
        received_by_id=person.id,
        channel=Channel(actor.channel),
        review_status=ReviewStatus.MENUNGGU,
        recorded_at=now,
    )
    session.add(submission)
    await session.flush()
    for position, f in enumerate(files, 1):
        session.add(
            SubmissionFile(
                submission_id=submission.id,
                position=position,
                sha256=f["sha256"],
                stored_path=f["stored_path"],
                original_name=f.get("original_name"),
                mime_type=f["mime_type"],
                size_bytes=f["size_bytes"],
                telegram_file_id=f.get("telegram_file_id"),
                telegram_kind=received_as(f) if f.get("telegram_file_id") else None,
            )
        )
    kind = {k.code: k for k in await document_kinds(session)}[obligation.document_code]
    facts = VersionFacts(version, tanggal_penetapan, now, ReviewStatus.MENUNGGU, None)
    on_time = on_time_on_its_face(obligation.legal_deadline, kind.basis, facts, tz)
    audit(
        session, now, "submission.submit", "submission", submission.id,
        {"desa": desa.kode, "document": obligation.document_code, "tahun_anggaran": obligation.tahun_anggaran,
         "version": version, "files": [f["sha256"] for f in files]},
        actor=actor,
    )  # fmt: skip
    await session.flush()
    await plan_again(session, [kecamatan.kode], now, reminders)
    return Receipt(
        receipt_number(submission, tz), submission.id, version, now.astimezone(tz), zone_label(kecamatan.timezone),
        desa.kode, desa.nama, kecamatan.kode, obligation.document_code, obligation.tahun_anggaran, tanggal_penetapan,
        nomor, obligation.legal_deadline, on_time, len(files),
    )  # fmt: skip


async def decide(
    session: AsyncSession,
    reviewer: Person,
    grants: list[Grant],
    submission_id: int,
    accept: bool,
    reason: str | None,
    now: datetime,
    *,
    actor: Actor,
    reminders: RemindersSettings | None = None,
) -> Decision:
    """Accept or reject a waiting version. Two staf at once, or one pressing twice, give one verdict."""
    submission = await session.scalar(
        select(Submission).where(Submission.id == submission_id).options(selectinload(Submission.obligation))
    )
    if submission is None or not allowed(grants, Action.VERIFY, submission.obligation.desa_kode):
        raise InputError("error.not_allowed")
    if not accept and not (reason and reason.strip()):
        raise InputError("error.reason_required_chat")
    if reason and len(reason) > REASON_LIMIT:
        raise InputError("error.text_too_long", option="Alasan", limit=REASON_LIMIT)
    verdict = ReviewStatus.ACCEPTED if accept else ReviewStatus.REJECTED
    claimed = await session.execute(
        update(Submission)
        .where(Submission.id == submission_id, Submission.review_status == ReviewStatus.MENUNGGU)
        .values(
            review_status=verdict,
            reviewed_by_id=reviewer.id,
            reviewed_at=now,
            review_reason=None if accept else reason.strip() if reason else None,
        )
        .execution_options(synchronize_session=False)
    )
    decided_now = claimed.rowcount == 1
    await session.refresh(submission)
    if decided_now:
        audit(
            session, now, "submission.accept" if accept else "submission.reject", "submission", submission.id,
            {"reason": submission.review_reason}, actor=actor,
        )  # fmt: skip
    decider = await session.get(Person, submission.reviewed_by_id) if submission.reviewed_by_id else None
    submitter = await session.get(Person, submission.received_by_id) if submission.received_by_id else None
    desa, kecamatan = await place_of(session, submission.obligation.desa_kode)
    kind = {k.code: k for k in await document_kinds(session)}[submission.obligation.document_code]
    on_time = on_time_on_its_face(
        submission.obligation.legal_deadline, kind.basis, submission.facts(), ZoneInfo(kecamatan.timezone)
    )
    await session.flush()
    if decided_now:  # accepted: its reminders stop; rejected: they resume
        await plan_again(session, [kecamatan.kode], now, reminders)
    return Decision(
        submission.id, decided_now, submission.review_status, decider.name if decider else "?",
        submission.review_reason, desa.kode, desa.nama, submission.obligation.document_code,
        submission.obligation.tahun_anggaran, submission.version,
        submitter, on_time,
    )  # fmt: skip


def stored_file(f: SubmissionFile) -> OutFile:
    """A version's file as the chat sends it: by the channel's id of it when there is one, else from storage."""
    ids = {"telegram": f.telegram_file_id} if f.telegram_file_id else {}
    kind = f.telegram_kind or received_as({"original_name": f.original_name, "mime_type": f.mime_type})
    return OutFile(kind, f.original_name, f.mime_type, f.stored_path, None, ids)  # type: ignore[arg-type]


async def waiting_submissions(session: AsyncSession, grants: list[Grant]) -> list[WaitingItem]:
    """Versions waiting for a decision in the places these grants may verify, oldest first."""
    scopes = places(grants, Action.VERIFY)
    if not scopes:
        return []
    rows = await session.execute(
        select(Submission, Obligation, Desa, Kecamatan)
        .join(Obligation, Obligation.id == Submission.obligation_id)
        .join(Desa, Desa.kode == Obligation.desa_kode)
        .join(Kecamatan, Kecamatan.kode == Desa.kecamatan_kode)
        .where(Submission.review_status == ReviewStatus.MENUNGGU)
        .options(selectinload(Submission.files))
        .order_by(Submission.received_at, Submission.id)
    )
    kinds = {k.code: k for k in await document_kinds(session)}
    items = []
    for submission, obligation, desa, kecamatan in rows:
        if not any(g.covers(desa.kode) for g in scopes):
            continue
        submitter = await session.get(Person, submission.received_by_id) if submission.received_by_id else None
        tz = ZoneInfo(kecamatan.timezone)
        items.append(
            WaitingItem(
                submission.id, desa.kode, desa.nama, obligation.document_code, obligation.tahun_anggaran,
                submission.version, submission.received_at.astimezone(tz), zone_label(kecamatan.timezone),
                submission.tanggal_penetapan, submission.nomor, submitter.name if submitter else None,
                [stored_file(f) for f in submission.files],
                on_time_on_its_face(obligation.legal_deadline, kinds[obligation.document_code].basis,
                                    submission.facts(), tz),
            )
        )  # fmt: skip
    return items


@dataclass(frozen=True)
class Undone:
    submission_id: int
    previous: ReviewStatus
    desa_kode: str
    desa_nama: str
    kecamatan_kode: str
    document_code: str
    tahun_anggaran: int
    version: int
    submitter: Person | None


async def undo_verdict(
    session: AsyncSession,
    reviewer: Person,
    grants: list[Grant],
    submission_id: int,
    reason: str,
    now: datetime,
    *,
    actor: Actor,
    reminders: RemindersSettings | None = None,
) -> Undone:
    """A wrong verdict is undone, with a reason: the version waits for a decision again; the audit keeps both."""
    submission = await session.scalar(
        select(Submission).where(Submission.id == submission_id).options(selectinload(Submission.obligation))
    )
    if submission is None or not allowed(grants, Action.CORRECT, submission.obligation.desa_kode):
        raise InputError("error.not_allowed")
    reason = (reason or "").strip()
    if not reason:
        raise InputError("koreksi.reason_needed")
    if len(reason) > REASON_LIMIT:
        raise InputError("error.text_too_long", option="Alasan", limit=REASON_LIMIT)
    previous = submission.review_status
    if previous is ReviewStatus.MENUNGGU:
        raise InputError("koreksi.nothing_to_undo")
    undone = await session.execute(
        update(Submission)
        .where(Submission.id == submission_id, Submission.review_status == previous)
        .values(review_status=ReviewStatus.MENUNGGU, reviewed_by_id=None, reviewed_at=None, review_reason=None)
        .execution_options(synchronize_session=False)
    )
    if undone.rowcount != 1:
        raise InputError("koreksi.nothing_to_undo")
    audit(
        session, now, "submission.undo", "submission", submission.id,
        {"previous_status": previous.value, "previous_reviewer_id": submission.reviewed_by_id,
         "previous_reviewed_at": submission.reviewed_at.isoformat() if submission.reviewed_at else None,
         "previous_reason": submission.review_reason, "reason": reason},
        actor=actor,
    )  # fmt: skip
    desa, kecamatan = await place_of(session, submission.obligation.desa_kode)
    submitter = await session.get(Person, submission.received_by_id) if submission.received_by_id else None
    await session.flush()
    await plan_again(session, [kecamatan.kode], now, reminders)  # waiting again: its reminders stop until decided
    return Undone(
        submission.id, previous, desa.kode, desa.nama, kecamatan.kode, submission.obligation.document_code,
        submission.obligation.tahun_anggaran, submission.version, submitter,
    )  # fmt: skip


async def recent_verdicts(session: AsyncSession, grants: list[Grant], limit: int = 10) -> list[tuple[Submission, Desa]]:
    """The latest decided versions in the places these grants may correct, newest first."""
    scopes = places(grants, Action.CORRECT)
    rows = await session.execute(
        select(Submission, Desa)
        .join(Obligation, Obligation.id == Submission.obligation_id)
        .join(Desa, Desa.kode == Obligation.desa_kode)
        .where(Submission.review_status != ReviewStatus.MENUNGGU)
        .options(selectinload(Submission.obligation))
        .order_by(Submission.reviewed_at.desc(), Submission.id.desc())
    )
    found = [(s, d) for s, d in rows if any(g.covers(d.kode) for g in scopes)]
    return found[:limit]
