"""The database tables (SQLAlchemy 2). Alembic migrations in `migrations/` create exactly these."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy import Enum as SAEnum
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from models.documents import DeadlineRule, DocumentKind, TimelinessBasis
from models.status import ReviewStatus, VersionFacts

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """An instant: stored as naive UTC on every database, returned aware in UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("instants must carry a time zone")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Hundredths(TypeDecorator[Decimal]):
    """A two-decimal figure (94.44) stored exactly as an integer of hundredths on every database."""

    impl = Integer
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Any) -> int | None:
        if value is None:
            return None
        scaled = Decimal(value) * 100
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{value} has more than two decimals")
        return int(scaled)

    def process_result_value(self, value: int | None, dialect: Any) -> Decimal | None:
        return None if value is None else (Decimal(value) / 100).quantize(Decimal("0.01"))


def _enum(enum: type[StrEnum], name: str) -> SAEnum:
    return SAEnum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda e: [m.value for m in e],
    )


class Role(StrEnum):
    SEKDES = "sekdes"
    PENDAMPING = "pendamping"
    STAF = "staf"
    CAMAT = "camat"
    ADMIN = "admin"


class ScopeKind(StrEnum):
    DESA = "desa"
    KECAMATAN = "kecamatan"
    KABUPATEN = "kabupaten"
    DEPLOYMENT = "deployment"


class Channel(StrEnum):
    """How a version reached the kecamatan."""

    TELEGRAM = "telegram"
    PAPER = "kertas"  # a paper copy recorded by staf in the chat
    CLI = "cli"  # recorded with `klambi record` (paper copies, past years)
    IMPORT = "impor"  # a bulk import
    WHATSAPP = "whatsapp"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Provinsi(Base):
    __tablename__ = "provinsi"
    kode: Mapped[str] = mapped_column(String(2), primary_key=True)
    nama: Mapped[str] = mapped_column(String(120))


class Kabupaten(Base):
    __tablename__ = "kabupaten"
    kode: Mapped[str] = mapped_column(String(5), primary_key=True)
    nama: Mapped[str] = mapped_column(String(120))
    provinsi_kode: Mapped[str] = mapped_column(ForeignKey("provinsi.kode"), index=True)


class Kecamatan(Base):
    __tablename__ = "kecamatan"
    kode: Mapped[str] = mapped_column(String(8), primary_key=True)
    nama: Mapped[str] = mapped_column(String(120))
    kabupaten_kode: Mapped[str] = mapped_column(ForeignKey("kabupaten.kode"), index=True)
    timezone: Mapped[str] = mapped_column(String(40))
    forum_chat_id: Mapped[int | None] = mapped_column(BigInteger)  # the chat group of its secretaries, if any


class Desa(Base):
    """A village (desa, or desa adat in Papua). Kelurahan are never stored: they have none of these documents."""

    __tablename__ = "desa"
    kode: Mapped[str] = mapped_column(String(13), primary_key=True)
    nama: Mapped[str] = mapped_column(String(120))
    kecamatan_kode: Mapped[str] = mapped_column(ForeignKey("kecamatan.kode"), index=True)
    is_adat: Mapped[bool] = mapped_column(Boolean, default=False)


class Person(Base):
    __tablename__ = "person"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    forgotten_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # `klambi person forget`: name, ids gone
    roles: Mapped[list[RoleAssignment]] = relationship(back_populates="person", foreign_keys="RoleAssignment.person_id")


class Contact(Base):
    """One way to reach a person: a channel and that channel's ids of them. A person has zero or more; which one a
    message goes to is decided in one place (`bot/services/contacts.py`, docs/domain.md)."""

    __tablename__ = "contact"
    __table_args__ = (
        UniqueConstraint("channel", "user_id", name="uq_contact_channel_user_id"),
        UniqueConstraint("channel", "phone", name="uq_contact_channel_phone"),
        CheckConstraint("user_id IS NOT NULL OR phone IS NOT NULL", name="identified"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    channel: Mapped[str] = mapped_column(String(20))  # telegram, whatsapp
    user_id: Mapped[str | None] = mapped_column(String(64))  # Telegram's user id (= its private chat), WhatsApp's
    phone: Mapped[str | None] = mapped_column(String(32))  # WhatsApp's number, digits with the country code
    display_name: Mapped[str | None] = mapped_column(String(120))
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_message_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # the last message from them
    unreachable_since: Mapped[datetime | None] = mapped_column(UTCDateTime())  # refused by the channel
    # The choices of the last list too long for the channel (WhatsApp: 10 rows), for "Berikutnya" to page through.
    choices: Mapped[list[Any] | None] = mapped_column(JSON)


class RoleAssignment(Base):
    """One (role, scope) a person holds. Revoking keeps the row: what they did stays attributed."""

    __tablename__ = "role_assignment"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    role: Mapped[Role] = mapped_column(_enum(Role, "role"))
    scope_kind: Mapped[ScopeKind] = mapped_column(_enum(ScopeKind, "scope_kind"))
    scope_code: Mapped[str | None] = mapped_column(String(13), index=True)  # None for the whole deployment
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    person: Mapped[Person] = relationship(back_populates="roles", foreign_keys=[person_id])


class DocumentType(Base):
    __tablename__ = "document_type"
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    deadline_month: Mapped[int] = mapped_column(Integer)
    deadline_day: Mapped[int | None] = mapped_column(Integer)  # None: the last day of the month
    deadline_year_offset: Mapped[int] = mapped_column(Integer)  # deadline year = TA + offset
    roll_to_working_day: Mapped[bool] = mapped_column(Boolean, default=False)
    timeliness_basis: Mapped[TimelinessBasis] = mapped_column(_enum(TimelinessBasis, "timeliness_basis"))
    counted: Mapped[bool] = mapped_column(Boolean)
    position: Mapped[int] = mapped_column(Integer, default=0)

    def kind(self) -> DocumentKind:
        rule = DeadlineRule(self.deadline_month, self.deadline_day, self.deadline_year_offset, self.roll_to_working_day)
        return DocumentKind(self.code, self.name, rule, self.timeliness_basis, self.counted, self.position)


class Obligation(Base):
    """One desa's duty to establish or hand in one document for one tahun anggaran."""

    __tablename__ = "obligation"
    __table_args__ = (
        UniqueConstraint("desa_kode", "document_code", "tahun_anggaran", name="uq_obligation_desa_document_ta"),
        Index("ix_obligation_document_ta", "document_code", "tahun_anggaran"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    desa_kode: Mapped[str] = mapped_column(ForeignKey("desa.kode"))
    document_code: Mapped[str] = mapped_column(ForeignKey("document_type.code"))
    tahun_anggaran: Mapped[int] = mapped_column(Integer)
    legal_deadline: Mapped[date] = mapped_column(Date)
    agreed_date: Mapped[date] = mapped_column(Date)  # batas kesepakatan; reminders count down to it
    submissions: Mapped[list[Submission]] = relationship(back_populates="obligation", order_by="Submission.version")


class Extension(Base):
    """A dispensasi: moves one obligation's agreed date, never its legal deadline."""

    __tablename__ = "extension"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    obligation_id: Mapped[int] = mapped_column(ForeignKey("obligation.id"), index=True)
    previous_agreed_date: Mapped[date] = mapped_column(Date)
    new_agreed_date: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Submission(Base):
    """One version of a document as the kecamatan received it. Versions are never edited away, only superseded."""

    __tablename__ = "submission"
    __table_args__ = (UniqueConstraint("obligation_id", "version", name="uq_submission_obligation_version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    obligation_id: Mapped[int] = mapped_column(ForeignKey("obligation.id"))
    version: Mapped[int] = mapped_column(Integer)
    tanggal_penetapan: Mapped[date] = mapped_column(Date)
    nomor: Mapped[str | None] = mapped_column(String(120))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    channel: Mapped[Channel] = mapped_column(_enum(Channel, "channel"))
    review_status: Mapped[ReviewStatus] = mapped_column(_enum(ReviewStatus, "review_status"))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    review_reason: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())  # when the row was written, by the clock
    obligation: Mapped[Obligation] = relationship(back_populates="submissions")
    files: Mapped[list[SubmissionFile]] = relationship(back_populates="submission", order_by="SubmissionFile.position")

    def facts(self) -> VersionFacts:
        return VersionFacts(
            self.version, self.tanggal_penetapan, self.received_at, self.review_status, self.reviewed_at
        )


class SubmissionFile(Base):
    """A stored file of a version (a Perdes photographed page by page is many files)."""

    __tablename__ = "submission_file"
    __table_args__ = (UniqueConstraint("submission_id", "position", name="uq_submission_file_position"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    stored_path: Mapped[str] = mapped_column(String(255))  # relative to [storage] path
    original_name: Mapped[str | None] = mapped_column(String(255))
    mime_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    telegram_file_id: Mapped[str | None] = mapped_column(String(255))  # to show it again without re-uploading
    telegram_kind: Mapped[str | None] = mapped_column(String(10))  # how it came, "document" or "photo": sent so again
    submission: Mapped[Submission] = relationship(back_populates="files")


class Target(Base):
    """A target of one kecamatan, indicator and year (Perjanjian Kinerja and Renstra)."""

    __tablename__ = "target"
    __table_args__ = (
        UniqueConstraint("kecamatan_kode", "indicator", "year", name="uq_target_kecamatan_indicator_year"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kecamatan_kode: Mapped[str] = mapped_column(ForeignKey("kecamatan.kode"))
    indicator: Mapped[str] = mapped_column(String(16))  # "IKU" or a document code (its program indicator)
    year: Mapped[int] = mapped_column(Integer)
    awal: Mapped[Decimal | None] = mapped_column(Hundredths())
    perubahan: Mapped[Decimal | None] = mapped_column(Hundredths())
    renstra: Mapped[Decimal | None] = mapped_column(Hundredths())
    higher_is_better: Mapped[bool] = mapped_column(Boolean, default=True)


class CalendarOverride(Base):
    """An admin's correction of the holiday list: a day off added, or a holiday given back as a working day."""

    __tablename__ = "calendar_override"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    is_working: Mapped[bool] = mapped_column(Boolean)
    name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AuditEntry(Base):
    """The append-only audit log (the database refuses UPDATE and DELETE on it)."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    actor_label: Mapped[str] = mapped_column(String(60))  # "cli", "telegram", "system"
    action: Mapped[str] = mapped_column(String(60))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(40))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Invitation(Base):
    """A single-use, expiring invitation to a role and scope. Only the code's hash is stored (but for the digest's
    standing invitations, `standing_code`)."""

    __tablename__ = "invitation"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[Role] = mapped_column(_enum(Role, "role"))
    scope_kind: Mapped[ScopeKind] = mapped_column(_enum(ScopeKind, "scope_kind"))
    scope_code: Mapped[str | None] = mapped_column(String(13))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    channel: Mapped[str] = mapped_column(String(20), default="telegram", server_default="telegram")
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))  # adds a contact to this person
    # Only a desa's standing invitation in the staf digest keeps its code, so that every morning's digest shows the
    # same link until it is used or expires; every other invitation keeps only the hash (docs/DECISIONS.md).
    standing_code: Mapped[str | None] = mapped_column(String(64))


class StartAttempt(Base):
    """A wrong invitation code, counted per account (channel and its user id) to throttle guessing."""

    __tablename__ = "start_attempt"
    __table_args__ = (Index("ix_start_attempt_channel_user_id", "channel", "user_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class Draft(Base):
    """A conversation in progress (a submission, a rejection reason, an invitation), kept across restarts."""

    __tablename__ = "draft"
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True)
    flow: Mapped[str] = mapped_column(String(20))
    step: Mapped[str] = mapped_column(String(20))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class OutboxStatus(StrEnum):
    PLANNED = "planned"
    SENDING = "sending"  # claimed by a worker
    SENT = "sent"
    CANCELLED = "cancelled"  # re-planned away, or nothing left to say when it was due
    SUPERSEDED = "superseded"  # a later reminder of the same subject went out instead (after downtime)
    UNREACHABLE = "unreachable"  # the recipient blocked the bot


class OutboxMessage(Base):
    """A planned message: a reminder, a digest, an escalation, a recap. Unique per subject, recipient, kind and day."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint(
            "subject_type",
            "subject_id",
            "recipient_key",
            "kind",
            "for_date",
            name="uq_outbox_subject_recipient_kind_day",
        ),
        Index("ix_outbox_status_send_at", "status", "send_at"),
        Index("ix_outbox_kecamatan_status", "kecamatan_kode", "status"),
        Index("ix_outbox_kecamatan_for_date", "kecamatan_kode", "for_date"),  # planning: the window, not the history
        Index("ix_outbox_channel_message", "channel", "channel_message_id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kecamatan_kode: Mapped[str] = mapped_column(ForeignKey("kecamatan.kode"))
    subject_type: Mapped[str] = mapped_column(String(20))  # obligation, digest, camat, recap, notice
    subject_id: Mapped[str] = mapped_column(String(60))
    recipient_key: Mapped[str] = mapped_column(String(40))  # person:<id> or chat:<id>
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    # Where it went: a person's row gets these when it is sent (the contact chosen then); a group's when queued.
    channel: Mapped[str | None] = mapped_column(String(20))
    address: Mapped[str | None] = mapped_column(String(64))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id"))
    role: Mapped[str] = mapped_column(String(20))  # the recipient's role: sekdes, pendamping, staf, camat, forum
    kind: Mapped[str] = mapped_column(String(20))  # H-3, H, H+1, digest, camat, recap, unreachable
    for_date: Mapped[date] = mapped_column(Date)
    send_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[OutboxStatus] = mapped_column(_enum(OutboxStatus, "outbox_status"))
    claimed_by: Mapped[str | None] = mapped_column(String(60))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    channel_message_id: Mapped[str | None] = mapped_column(String(64))  # once sent: a reply to it finds this row
    # WhatsApp outside the 24-hour window: the approved template that carried it, and whether its content still waits
    # for the person to write (a template only announced it: "Balas *baca*"), delivered then as a notice.
    template: Mapped[str | None] = mapped_column(String(64))
    follow_up: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # as the channel reported (WhatsApp statuses)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class IndicatorHistory(Base):
    """An official figure published before the bot (an LKjIP of an earlier year), kept exactly as published."""

    __tablename__ = "indicator_history"
    __table_args__ = (
        UniqueConstraint("kecamatan_kode", "indicator", "year", name="uq_indicator_history_kecamatan_indicator_year"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kecamatan_kode: Mapped[str] = mapped_column(ForeignKey("kecamatan.kode"))
    indicator: Mapped[str] = mapped_column(String(16))  # "IKU" or a document code
    year: Mapped[int] = mapped_column(Integer)
    target: Mapped[Decimal | None] = mapped_column(Hundredths())
    realisasi: Mapped[Decimal] = mapped_column(Hundredths())
    capaian: Mapped[Decimal | None] = mapped_column(Hundredths())  # as published, even where it does not follow
    source: Mapped[str] = mapped_column(String(255))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime())


# --- The forum: announcements, problems and questions, meetings ---------------------------------------------------


class Announcement(Base):
    """A pengumuman from the kecamatan (or a pendamping) to the sekdes and pendamping of chosen desa."""

    __tablename__ = "announcement"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kecamatan_kode: Mapped[str] = mapped_column(ForeignKey("kecamatan.kode"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    author_role: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    desa_codes: Mapped[list[str]] = mapped_column(JSON)  # the audience as chosen
    to_forum: Mapped[bool] = mapped_column(Boolean)
    attachment: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # a stored file: sha256, mime, Telegram file_id
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AnnouncementRecipient(Base):
    """One person an announcement is for: its outbox row says whether it went out, `read_at` whether they read it."""

    __tablename__ = "announcement_recipient"
    __table_args__ = (
        UniqueConstraint("announcement_id", "person_id", name="uq_announcement_recipient_announcement_person"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcement.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    role: Mapped[str] = mapped_column(String(20))
    desa_kode: Mapped[str | None] = mapped_column(ForeignKey("desa.kode"))
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id"))  # None: could not be reached when sent
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ThreadKind(StrEnum):
    KENDALA = "kendala"  # an obstacle of a desa (pemetaan masalah): open until staf close it with a note
    TANYA = "tanya"  # a question: open until staf answer it


class ThreadStatus(StrEnum):
    OPEN = "terbuka"
    ANSWERED = "dijawab"
    CLOSED = "selesai"


class ForumThread(Base):
    """A problem (kendala) or a question (tanya) a sekdes or pendamping raised with the kecamatan."""

    __tablename__ = "forum_thread"
    __table_args__ = (Index("ix_forum_thread_kecamatan_status", "kecamatan_kode", "status"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[ThreadKind] = mapped_column(_enum(ThreadKind, "thread_kind"))
    kecamatan_kode: Mapped[str] = mapped_column(ForeignKey("kecamatan.kode"))
    desa_kode: Mapped[str] = mapped_column(ForeignKey("desa.kode"))
    author_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    author_role: Mapped[str] = mapped_column(String(20))
    obligation_id: Mapped[int | None] = mapped_column(ForeignKey("obligation.id"))  # the document it is about
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[ThreadStatus] = mapped_column(_enum(ThreadStatus, "thread_status"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    closing_note: Mapped[str | None] = mapped_column(Text)
    replies: Mapped[list[ForumReply]] = relationship(order_by="ForumReply.id")


class ForumReply(Base):
    """An answer of the kecamatan's staf to a problem or a question."""

    __tablename__ = "forum_reply"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("forum_thread.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class Meeting(Base):
    """A coordination meeting (rapat koordinasi, arisan, anjangsana) the kecamatan's staf scheduled."""

    __tablename__ = "meeting"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kecamatan_kode: Mapped[str] = mapped_column(ForeignKey("kecamatan.kode"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    place: Mapped[str] = mapped_column(String(200))
    roles: Mapped[list[str]] = mapped_column(JSON)  # sekdes and/or pendamping
    desa_codes: Mapped[list[str]] = mapped_column(JSON)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    notulen: Mapped[str | None] = mapped_column(Text)
    notulen_attachment: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    notulen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class MeetingInvitee(Base):
    """One person invited to a meeting and their answer (hadir / tidak), if any."""

    __tablename__ = "meeting_invitee"
    __table_args__ = (UniqueConstraint("meeting_id", "person_id", name="uq_meeting_invitee_meeting_person"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    role: Mapped[str] = mapped_column(String(20))
    desa_kode: Mapped[str | None] = mapped_column(ForeignKey("desa.kode"))
    answer: Mapped[str | None] = mapped_column(String(10))  # hadir, tidak
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reachable: Mapped[bool] = mapped_column(Boolean)  # False: no chat with the bot when invited


class InboxStatus(StrEnum):
    PENDING = "pending"  # stored, not handled yet (claimed_by says whether a worker holds it)
    HANDLED = "handled"
    FAILED = "failed"  # handling raised past every answer; kept for the log, never retried by itself


class InboxMessage(Base):
    """A message from a channel, stored durably by the channel's own id before it is handled (WhatsApp's wamid):
    the webhook answers at once, a worker handles the rows in order per sender, and a redelivered id finds its row
    and changes nothing. Kept `bot.services.inbox.KEEP` (Meta retries for days)."""

    __tablename__ = "inbox"
    __table_args__ = (
        UniqueConstraint("channel", "external_id", name="uq_inbox_channel_external_id"),
        Index("ix_inbox_status_sender", "status", "channel", "sender"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(128))  # the wamid
    sender: Mapped[str] = mapped_column(String(64))  # the channel's id of who wrote: their messages keep their order
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)  # the message as the channel sent it, with its contact
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    status: Mapped[InboxStatus] = mapped_column(_enum(InboxStatus, "inbox_status"), default=InboxStatus.PENDING)
    claimed_by: Mapped[str | None] = mapped_column(String(60))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


class ProcessedUpdate(Base):
    """A Telegram update whose handling committed: the same update delivered again (a crash before the polling offset
    was confirmed, a webhook retried, two webhook workers) is recognised and changes nothing twice. Written in the
    update's own transaction; pruned after a few days (Telegram keeps an update at most 24 hours)."""

    __tablename__ = "processed_update"
    bot_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    handled_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class WebLink(Base):
    """A one-use sign-in link to the dashboard (`bot/services/signin.py`): for a person (`/dasbor` in the chat, or
    `klambi web link --person`), or for a read-only viewer of one kecamatan or kabupaten (`klambi web link
    --kecamatan/--kabupaten`, the kabupaten's PMD office). Only the token's hash is stored. Opening the link (GET)
    uses nothing; pressing "Masuk" (POST) uses it and opens a `WebSession`."""

    __tablename__ = "web_link"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    scope_kind: Mapped[ScopeKind | None] = mapped_column(_enum(ScopeKind, "scope_kind"))  # a viewer's place
    scope_code: Mapped[str | None] = mapped_column(String(13))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(20))  # "telegram", "whatsapp", "cli"
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class WebSession(Base):
    """A signed-in dashboard session, stored server-side: the cookie carries a random token whose hash is kept here,
    so ending a row (Keluar, `klambi web revoke`, a person's last role revoked) ends the session at once."""

    __tablename__ = "web_session"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("web_link.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    scope_kind: Mapped[ScopeKind | None] = mapped_column(_enum(ScopeKind, "scope_kind"))
    scope_code: Mapped[str | None] = mapped_column(String(13))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_by: Mapped[str | None] = mapped_column(String(20))  # "keluar", "cli", "revoked", "forgotten"


class PlanMark(Base):
    """A place whose reminders a change made stale without planning them again at once (a large import, a holiday, a
    contact that became unreachable): a kecamatan, a kabupaten or provinsi (each kecamatan in it), or `*` (every
    kecamatan). The hourly planning job plans the marked kecamatan and removes their marks in the same transaction;
    planning a kecamatan's whole window (`plan_kecamatan`) removes its own mark too."""

    __tablename__ = "plan_mark"
    place: Mapped[str] = mapped_column(String(13), primary_key=True)


class PlanState(Base):
    """How far the hourly planning job has planned every kecamatan (one row): up to `planned_until`, with the
    settings and rules named by `settings_key`. A restart reads it instead of re-deriving the country."""

    __tablename__ = "plan_state"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # always 1
    planned_until: Mapped[datetime] = mapped_column(UTCDateTime())
    settings_key: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
