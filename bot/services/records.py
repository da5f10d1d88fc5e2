"""Recording a document version: a paper copy, a past year's Perdes, or (later) one sent in the chat."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.errors import InputError
from bot.parsing import FIRST_YEAR
from bot.services.audit import audit
from bot.services.calendar import load_calendar
from bot.services.places import require_desa, require_document
from bot.storage import FileStore, StoredFile, sniff_mime_type
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
    received_on: date | None = None  # defaults to the tanggal penetapan
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
    actor_label: str = "cli",
    actor_id: int | None = None,
) -> RecordOutcome:
    """Record one version. Recording the very same facts again changes nothing."""
    desa = await require_desa(session, request.desa_kode)
    kind = await require_document(session, request.document_code)
    kecamatan = await session.get(Kecamatan, desa.kecamatan_kode)
    assert kecamatan is not None
    tz = ZoneInfo(kecamatan.timezone)
    today = now.astimezone(tz).date()
    if not FIRST_YEAR <= request.tahun_anggaran <= today.year + 2:
        raise InputError(
            "error.year_out_of_range", option="--ta", value=request.tahun_anggaran, low=FIRST_YEAR, high=today.year + 2
        )
    received_on = request.received_on or request.tanggal_penetapan
    for option, day in (("--penetapan", request.tanggal_penetapan), ("--diterima", received_on)):
        if day > today:
            raise InputError("error.future_date", option=option, value=day.isoformat(), today=today.isoformat())
    if request.tanggal_penetapan > received_on:
        raise InputError(
            "error.penetapan_after_received",
            penetapan=request.tanggal_penetapan.isoformat(),
            diterima=received_on.isoformat(),
        )
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
        received_by_id=actor_id,
        channel=request.channel,
        review_status=request.review,
        reviewed_by_id=actor_id if decided else None,
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
        actor_id=actor_id,
        actor_label=actor_label,
    )
    await session.flush()
    return outcome(submission, True)


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
    for s in submissions:
        hashes = [f.sha256 for f in s.files]
        if (
            s.tanggal_penetapan == request.tanggal_penetapan
            and s.nomor == request.nomor
            and s.received_at == received_at
            and s.review_status is request.review
            and s.review_reason == request.reason
            and hashes == [f.sha256 for f in stored]
        ):
            return s
    return None
