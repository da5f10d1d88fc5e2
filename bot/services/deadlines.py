"""Agreed collection dates: an extension (dispensasi) for one desa moves its agreed date, never the legal deadline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.authz import Action, Grant, allowed
from bot.chat.messages import OutMessage
from bot.config import RemindersSettings
from bot.errors import InputError
from bot.i18n import fmt_date, t
from bot.services.audit import CLI, Actor, audit
from bot.services.calendar import load_calendar
from bot.services.notices import queue_notice
from bot.services.people import people_with_role_covering
from bot.services.places import ensure_obligations, place_of, require_document, require_kecamatan
from bot.services.planning import plan_again
from models.tables import Desa, Extension, Obligation, Person, Role

REASON_LIMIT = 500


@dataclass(frozen=True)
class AgreedDates:
    """The result of setting a kecamatan's batas kesepakatan for one document and TA."""

    kecamatan_kode: str
    kecamatan_nama: str
    document_code: str
    tahun_anggaran: int
    agreed_date: date
    legal_deadline: date
    changed: list[str]  # desa names whose agreed date moved
    kept_extension: list[str]  # desa names that keep their own extension
    notified: int


async def set_agreed_dates(
    session: AsyncSession,
    kecamatan_kode: str,
    document_code: str,
    tahun_anggaran: int,
    agreed: date,
    now: datetime,
    *,
    actor: Actor = CLI,
    language: str = "id",
    reminders: RemindersSettings | None = None,
) -> AgreedDates:
    """The kesepakatan bersama: one agreed collection date for every desa of the kecamatan.

    A desa that was granted an extension for this obligation keeps it. Every sekdes and pendamping of a desa whose
    date moved is told (through the outbox). The legal deadline never moves.
    """
    from models.documents import performance_year_obligations  # noqa: F401  (documents' year rule)

    kecamatan = await require_kecamatan(session, kecamatan_kode)
    kind = await require_document(session, document_code)
    if not kind.counted:
        raise InputError("error.not_counted_document", code=kind.code)
    desa = list(await session.scalars(select(Desa).where(Desa.kecamatan_kode == kecamatan.kode).order_by(Desa.kode)))
    calendar = await load_calendar(session)
    performance_year = kind.rule.legal_deadline(tahun_anggaran).year
    await ensure_obligations(session, [d.kode for d in desa], [performance_year], calendar)
    obligations = {
        o.desa_kode: o
        for o in await session.scalars(
            select(Obligation).where(
                Obligation.desa_kode.in_([d.kode for d in desa]),
                Obligation.document_code == kind.code,
                Obligation.tahun_anggaran == tahun_anggaran,
            )
        )
    }
    extended = set(
        await session.scalars(
            select(Extension.obligation_id).where(Extension.obligation_id.in_([o.id for o in obligations.values()]))
        )
    )
    changed, kept, notified = [], [], 0
    legal = kind.rule.legal_deadline(tahun_anggaran, calendar)
    for d in desa:
        obligation = obligations.get(d.kode)
        if obligation is None:
            continue
        legal = obligation.legal_deadline
        if obligation.id in extended:
            kept.append(d.nama)
            continue
        if obligation.agreed_date == agreed:
            continue
        previous = obligation.agreed_date
        obligation.agreed_date = agreed
        changed.append(d.nama)
        audit(
            session, now, "obligation.agreed_date", "obligation", obligation.id,
            {"previous": previous.isoformat(), "agreed_date": agreed.isoformat()},
            actor=actor,
        )  # fmt: skip
        text = t("deadline.told", language, doc=kind.code, ta=tahun_anggaran, desa=d.nama,
                 date=fmt_date(agreed, language), legal=fmt_date(obligation.legal_deadline, language))  # fmt: skip
        for person in await people_with_role_covering(session, {Role.SEKDES, Role.PENDAMPING}, d.kode):
            key = f"agreed:{obligation.id}:{agreed.isoformat()}"
            notified += await queue_notice(session, kecamatan_kode=kecamatan.kode, person=person, role="sekdes",
                                           key=key, message=OutMessage.of(text), now=now)  # fmt: skip
    await session.flush()
    await plan_again(session, [kecamatan.kode], now, reminders)
    return AgreedDates(
        kecamatan.kode, kecamatan.nama, kind.code, tahun_anggaran, agreed, legal, changed, kept, notified
    )


@dataclass(frozen=True)
class Granted:
    obligation_id: int
    desa_kode: str
    desa_nama: str
    kecamatan_kode: str
    document_code: str
    tahun_anggaran: int
    previous: date
    agreed_date: date
    legal_deadline: date
    reason: str


async def grant_extension(
    session: AsyncSession,
    person: Person | None,
    grants: list[Grant] | None,
    obligation_id: int,
    new_date: date,
    reason: str,
    now: datetime,
    *,
    actor: Actor,
    reminders: RemindersSettings | None = None,
) -> Granted:
    obligation = await session.get(Obligation, obligation_id)
    if obligation is None or (grants is not None and not allowed(grants, Action.EXTEND, obligation.desa_kode)):
        raise InputError("chat.not_allowed")
    reason = reason.strip()
    if not reason:
        raise InputError("extend.reason_needed")
    if len(reason) > REASON_LIMIT:
        raise InputError("error.text_too_long", option="Alasan", limit=REASON_LIMIT)
    desa, kecamatan = await place_of(session, obligation.desa_kode)
    if new_date < now.astimezone(ZoneInfo(kecamatan.timezone)).date():
        raise InputError("extend.date_past")
    previous = obligation.agreed_date
    obligation.agreed_date = new_date
    extension = Extension(
        obligation_id=obligation.id, previous_agreed_date=previous, new_agreed_date=new_date, reason=reason,
        granted_by_id=person.id if person else None, granted_at=now,
    )  # fmt: skip
    session.add(extension)
    await session.flush()
    audit(
        session, now, "obligation.extend", "obligation", obligation.id,
        {"previous": previous.isoformat(), "agreed_date": new_date.isoformat(), "reason": reason},
        actor=actor,
    )  # fmt: skip
    await plan_again(session, [kecamatan.kode], now, reminders)
    return Granted(
        obligation.id, desa.kode, desa.nama, kecamatan.kode, obligation.document_code, obligation.tahun_anggaran,
        previous, new_date, obligation.legal_deadline, reason,
    )  # fmt: skip
