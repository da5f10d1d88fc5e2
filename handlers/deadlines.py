"""/perpanjang: a staf gives one desa more time for one document (the legal deadline and the indicator stay)."""

from __future__ import annotations

from datetime import date

from bot.authz import Action, allowed, places
from bot.chat.actions import Cancel, PerpanjangDesa, PerpanjangObligation
from bot.errors import InputError
from bot.i18n import doc_label, fmt_date
from bot.parsing import parse_chat_date
from bot.services.deadlines import grant_extension
from bot.services.drafts import clear_draft, get_draft, save_draft
from bot.services.people import desa_of_grants, people_with_role_covering
from bot.services.submissions import open_obligations
from handlers.common import Turn
from handlers.submission import obligation_today
from models.tables import Desa, Obligation, Role

FLOW = "perpanjang"


async def perpanjang(current: Turn) -> None:
    person = current.require_person()
    if not places(current.grants, Action.EXTEND):
        raise InputError("chat.not_allowed")
    desa = await desa_of_grants(current.session, places(current.grants, Action.EXTEND), {Role.STAF, Role.ADMIN})
    if not desa:
        raise InputError("status.nothing")
    await save_draft(current.session, person.id, FLOW, "desa", {}, current.app.clock.now())
    buttons = [[(d.nama, PerpanjangDesa(d.kode))] for d in desa[:30]]
    current.reply(current.t("extend.choose_desa"), [*buttons, [(current.t("button.cancel"), Cancel())]])


async def choose_desa(current: Turn, desa_kode: str) -> None:
    if not allowed(current.grants, Action.EXTEND, desa_kode):
        raise InputError("chat.not_allowed")
    options = await open_obligations(current.session, desa_kode)
    if not options:
        raise InputError("extend.none_open")
    assert current.person is not None
    await save_draft(current.session, current.person.id, FLOW, "document", {"desa": desa_kode}, current.app.clock.now())
    current.mark_pressed(f"➡️ {options[0].desa_nama}")
    buttons = [
        [
            (
                f"{doc_label(o.document_code)} TA {o.tahun_anggaran} · {fmt_date(o.agreed_date, current.lang)}",
                PerpanjangObligation(o.obligation_id),
            )
        ]
        for o in options
    ]
    current.reply(current.t("extend.choose_document"), [*buttons, [(current.t("button.cancel"), Cancel())]])


async def choose_obligation(current: Turn, obligation_id: int) -> None:
    obligation = await current.session.get(Obligation, obligation_id)
    if obligation is None or not allowed(current.grants, Action.EXTEND, obligation.desa_kode):
        raise InputError("chat.not_allowed")
    assert current.person is not None
    data = {"obligation_id": obligation.id}
    await save_draft(current.session, current.person.id, FLOW, "date", data, current.app.clock.now())
    desa = await current.session.get(Desa, obligation.desa_kode)
    current.mark_pressed(f"➡️ {doc_label(obligation.document_code)} TA {obligation.tahun_anggaran}")
    current.reply(
        current.t("extend.ask_date", doc=obligation.document_code, ta=obligation.tahun_anggaran,
                  desa=desa.nama if desa else obligation.desa_kode,
                  current=fmt_date(obligation.agreed_date, current.lang)),
        [[(current.t("button.cancel"), Cancel())]],
    )  # fmt: skip


async def date_text(current: Turn, text: str) -> None:
    assert current.person is not None
    draft = await get_draft(current.session, current.person.id)
    assert draft is not None
    chosen = parse_chat_date(text)
    if chosen < await obligation_today(current, draft.data["obligation_id"]):
        raise InputError("extend.date_past")
    data = {**draft.data, "date": chosen.isoformat()}
    await save_draft(current.session, current.person.id, FLOW, "reason", data, current.app.clock.now())
    current.reply(current.t("extend.ask_reason"), [[(current.t("button.cancel"), Cancel())]])


async def reason_text(current: Turn, text: str) -> None:
    assert current.person is not None
    draft = await get_draft(current.session, current.person.id)
    assert draft is not None
    now = current.app.clock.now()
    granted = await grant_extension(
        current.session, current.person, current.grants, draft.data["obligation_id"],
        date.fromisoformat(draft.data["date"]), text, now,
        actor=current.actor, reminders=current.app.settings.reminders,
    )  # fmt: skip
    await clear_draft(current.session, current.person.id)
    values = {"doc": granted.document_code, "ta": granted.tahun_anggaran, "desa": granted.desa_nama}
    current.reply(
        current.t("extend.done", previous=fmt_date(granted.previous, current.lang),
                  date=fmt_date(granted.agreed_date, current.lang),
                  legal=fmt_date(granted.legal_deadline, current.lang), **values)
    )  # fmt: skip
    told = current.t("extend.told", date=fmt_date(granted.agreed_date, current.lang), reason=granted.reason, **values)
    for role in (Role.SEKDES, Role.PENDAMPING):
        for person in await people_with_role_covering(current.session, {role}, granted.desa_kode):
            if person.id != current.person.id:
                current.tell(person, told, about=f"extension:{granted.obligation_id}",
                             kecamatan_kode=granted.kecamatan_kode, role=role.value)  # fmt: skip
