"""Recording a document version: a paper copy, a past year's Perdes, or (later) one sent in the chat."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.config import RemindersSettings
from bot.errors import InputError
from bot.parsing import FIRST_YEAR
from bot.services.audit import CLI, Actor, audit
from bot.services.calendar import load_calendar
from bot.services.places import require_desa, require_document
from bot.services.planning import plan_again
from bot.storage import FileStore, StoredFile, sniff_mime_type
from models.documents import DocumentKind, TimelinessBasis
from models.status import ReviewStatus, start_of_day
from models.tables import Channel, Kecamatan, Obligation, Submission, SubmissionFile

NOMOR_LIMIT = 120
REASON_LIMIT = 1000


@dataclass(frozen=True)
class RecordRequest:
    desa_kode: str
    document_code: str
    tahun_anggaran: int
    tanggal_penetapan: date
    received_on: date | None = None  # defaults to the tanggal penetapan, unless it decides timeliness (LPPDes)
    nomor: str | None = None
    file: Path | None = None
    stored_files: tuple[StoredFile, ...] = ()  # files already in the store (sent in the chat), instead of `file`
    review: ReviewStatus = ReviewStatus.ACCEPTED
    reason: str | None = None
    channel: Channel = Channel.CLI


@dataclass(frozen=True)
class RecordOutcome:
    created: bool
    submission_id: int
    version: int
    desa_kode: str
    desa_nama: str
    document_code: str
    tahun_anggaran: int
    tanggal_penetapan: date
    received_on: date
    review: ReviewStatus


async def record_document(
    session: AsyncSession,
    request: RecordRequest,
    now: datetime,
    files: FileStore,
    *,
    actor: Actor = CLI,
    reminders: RemindersSettings | None = None,
) -> RecordOutcome:
    """Record one version. Recording the very same facts again changes nothing."""
    desa = await require_desa(session, request.desa_kode)
    kind = await require_document(session, request.document_code)
    kecamatan = await session.get(Kecamatan, desa.kecamatan_kode)
    assert kecamatan is not None
    tz = ZoneInfo(kecamatan.timezone)
    problems = version_problems(
        kind, request.tahun_anggaran, request.tanggal_penetapan, request.received_on, now.astimezone(tz).date()
    )
    if problems:
        raise problems[0][1]
    received_on = request.received_on or request.tanggal_penetapan
    if request.review is ReviewStatus.REJECTED and not request.reason:
        raise InputError("error.reason_required")
    if request.review is not ReviewStatus.REJECTED and request.reason:
        raise InputError("error.reason_only_when_rejected")
    if request.nomor and len(request.nomor) > NOMOR_LIMIT:
        raise InputError("error.text_too_long", option="--nomor", limit=NOMOR_LIMIT)
    if request.reason and len(request.reason) > REASON_LIMIT:
        raise InputError("error.text_too_long", option="--alasan", limit=REASON_LIMIT)
    mime_type = _check_file(request.file) if request.file else None

    calendar = await load_calendar(session)
    obligation = await session.scalar(
        select(Obligation)
        .where(
            Obligation.desa_kode == desa.kode,
            Obligation.document_code == kind.code,
            Obligation.tahun_anggaran == request.tahun_anggaran,
        )
        .options(selectinload(Obligation.submissions).selectinload(Submission.files))
    )
    if obligation is None:
        deadline = kind.rule.legal_deadline(request.tahun_anggaran, calendar)
        obligation = Obligation(
            desa_kode=desa.kode,
            document_code=kind.code,
            tahun_anggaran=request.tahun_anggaran,
            legal_deadline=deadline,
            agreed_date=deadline,
            submissions=[],
        )
        session.add(obligation)
        await session.flush()

    received_at = start_of_day(received_on, tz)
    stored_list = list(request.stored_files)
    if request.file and mime_type:
        stored_list.append(files.store(request.file, mime_type))
    same = _same_version(obligation.submissions, request, received_at, stored_list)

    def outcome(submission: Submission, created: bool) -> RecordOutcome:
        return RecordOutcome(
            created, submission.id, submission.version, desa.kode, desa.nama, kind.code,
            request.tahun_anggaran, request.tanggal_penetapan, received_on, request.review,
        )  # fmt: skip

    if same is not None:
        return outcome(same, False)

    version = (
        await session.scalar(select(func.max(Submission.version)).where(Submission.obligation_id == obligation.id)) or 0
    ) + 1
    decided = request.review is not ReviewStatus.MENUNGGU
    submission = Submission(
        obligation_id=obligation.id,
        version=version,
        tanggal_penetapan=request.tanggal_penetapan,
        nomor=request.nomor,
        received_at=received_at,
        received_by_id=actor.person_id,
        channel=request.channel,
        review_status=request.review,
        reviewed_by_id=actor.person_id if decided else None,
        reviewed_at=received_at if decided else None,
        review_reason=request.reason,
        recorded_at=now,
    )
    session.add(submission)
    await session.flush()
    for position, stored in enumerate(stored_list, 1):
        session.add(
            SubmissionFile(
                submission_id=submission.id,
                position=position,
                sha256=stored.sha256,
                stored_path=stored.relative_path,
                original_name=stored.original_name or (request.file.name[:255] if request.file else None),
                mime_type=stored.mime_type,
                size_bytes=stored.size_bytes,
                telegram_file_id=stored.telegram_file_id,
                telegram_kind=stored.telegram_kind if stored.telegram_file_id else None,
            )
        )
    audit(
        session,
        now,
        "submission.record",
        "submission",
        submission.id,
        {
            "desa": desa.kode,
            "document": kind.code,
            "tahun_anggaran": request.tahun_anggaran,
            "version": version,
            "tanggal_penetapan": request.tanggal_penetapan.isoformat(),
            "received_on": received_on.isoformat(),
            "review_status": request.review.value,
            "channel": request.channel.value,
            "files": [f.sha256 for f in stored_list],
        },
        actor=actor,
    )
    await session.flush()
    await plan_again(session, [request.desa_kode.rsplit(".", 1)[0]], now, reminders)
    return outcome(submission, True)


def version_problems(
    kind: DocumentKind, tahun_anggaran: int | None, penetapan: date | None, received_on: date | None, today: date
) -> list[tuple[str, InputError]]:
    """What is wrong with a version's year and dates, each with the option it concerns (`klambi record` and the
    bulk import check the same way). A year or penetapan of None could not be read and is not checked again; a date
    received of None was not given.

    Where the date received decides timeliness (LPPDes and the reports) it is required: defaulting it to the
    penetapan would make a late report on time.
    """
    problems: list[tuple[str, InputError]] = []
    if tahun_anggaran is not None and not FIRST_YEAR <= tahun_anggaran <= today.year + 2:
        problems.append(("--ta", InputError("error.year_out_of_range", option="--ta", value=tahun_anggaran,
                                            low=FIRST_YEAR, high=today.year + 2)))  # fmt: skip
    if received_on is None and kind.basis is TimelinessBasis.DITERIMA:
        problems.append(("--diterima", InputError("error.received_required", option="--diterima", doc=kind.code)))
    received = received_on or penetapan
    for option, day in (("--penetapan", penetapan), ("--diterima", received_on)):
        if day is not None and day > today:
            problems.append(
                (option, InputError("error.future_date", option=option, value=day.isoformat(), today=today.isoformat()))
            )
    if penetapan is not None and received is not None and penetapan > received:
        problems.append(("--diterima", InputError("error.penetapan_after_received", penetapan=penetapan.isoformat(),
                                                  diterima=received.isoformat())))  # fmt: skip
    return problems


def version_key(
    penetapan: date, nomor: str | None, received_at: datetime, review: ReviewStatus, reason: str | None,
    hashes: Sequence[str],
) -> tuple:  # fmt: skip
    """What makes two versions the same: recording the same facts again changes nothing."""
    return (penetapan, nomor, received_at, review, reason, tuple(hashes))


def _check_file(path: Path) -> str:
    if not path.is_file():
        raise InputError("error.file_not_found", path=path)
    if path.stat().st_size == 0:
        raise InputError("error.file_empty", path=path)
    mime_type = sniff_mime_type(path)
    if mime_type is None:
        raise InputError("error.file_type", path=path)
    return mime_type


def _same_version(
    submissions: list[Submission], request: RecordRequest, received_at: datetime, stored: list[StoredFile]
) -> Submission | None:
    wanted = version_key(request.tanggal_penetapan, request.nomor, received_at, request.review, request.reason,
                         [f.sha256 for f in stored])  # fmt: skip
    for s in submissions:
        found = version_key(s.tanggal_penetapan, s.nomor, s.received_at, s.review_status, s.review_reason,
                            [f.sha256 for f in s.files])  # fmt: skip
        if found == wanted:
            return s
    return None
