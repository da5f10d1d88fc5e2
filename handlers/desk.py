"""The kecamatan's desk in the chat: /tenggat, /catat, /koreksi, /cabut, /arsip, /libur.

Every button names ids only; each step re-reads the database and re-checks the authorization table.
"""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from bot.authz import Action, allowed, may_invite, places
from bot.chat import actions
from bot.chat.messages import OutFile
from bot.errors import InputError
from bot.i18n import doc_label, fmt_date
from bot.parsing import FIRST_YEAR, parse_chat_date, whole_number
from bot.services import desk as queries
from bot.services.archive import EXTENSIONS
from bot.services.calendar import days_off, load_calendar
from bot.services.deadlines import set_agreed_dates
from bot.services.drafts import clear_draft, get_draft, save_draft
from bot.services.people import desa_of_grants, people_with_role_covering, revoke_assignment, scope_name
from bot.services.places import document_kinds, place_of
from bot.services.records import RecordRequest, record_document
from bot.services.submissions import open_obligations, recent_verdicts, stored_file, undo_verdict
from bot.storage import StoredFile, received_as
from handlers.common import Buttons, Turn, local_today
from handlers.submission import add_file
from models.documents import performance_year_obligations
from models.status import ReviewStatus, VersionFacts, on_time_on_its_face, start_of_day
from models.tables import Channel, Desa, Obligation, Person, Role, RoleAssignment, ScopeKind

CANCEL = actions.Cancel()


def _cancel_row(current: Turn) -> list[tuple[str, actions.Action]]:
    return [(current.t("button.cancel"), CANCEL)]


async def _draft(current: Turn, flow: str, step: str):
    person = current.require_person()
    draft = await get_draft(current.session, person.id)
    if draft is None or (draft.flow, draft.step) != (flow, step):
        raise InputError("chat.stale_button")
    return draft


async def _save(current: Turn, flow: str, step: str, data: dict) -> None:
    await save_draft(current.session, current.require_person().id, flow, step, data, current.app.clock.now())


def _kecamatan_codes(current: Turn, action: Action) -> list[str]:
    return sorted(
        {g.scope_code for g in places(current.grants, action) if g.scope_kind is ScopeKind.KECAMATAN and g.scope_code}
    )


async def _desa_buttons(current: Turn, action: Action, choice: type[actions.Action]) -> Buttons:
    desa = await desa_of_grants(
        current.session, places(current.grants, action), {Role.STAF, Role.ADMIN, Role.CAMAT, Role.SEKDES}
    )
    desa = [d for d in desa if allowed(current.grants, action, d.kode)]
    if not desa:
        raise InputError("status.nothing")
    return [[(d.nama, choice(d.kode))] for d in desa[:30]]  # type: ignore[call-arg]


# --- /tenggat: the kesepakatan for a whole kecamatan ------------------------------------------------------------


async def tenggat(current: Turn) -> None:
    current.require_person()
    codes = _kecamatan_codes(current, Action.SET_AGREED)
    if not codes:
        raise InputError("chat.not_allowed")
    kecamatan = codes[0]
    _, kec = await place_of(current.session, (await _first_desa(current, kecamatan)).kode)
    year = current.app.clock.now().year
    kinds = await document_kinds(current.session)
    pairs = performance_year_obligations(kinds, year) + performance_year_obligations(kinds, year + 1)
    await _save(current, "tenggat", "document", {"kecamatan": kecamatan})
    buttons = [
        [
            (
                f"{doc_label(k.code)} TA {ta} · {fmt_date(k.rule.legal_deadline(ta), current.lang)}",
                actions.TenggatDocument(k.code, ta),
            )
        ]
        for k, ta in sorted(pairs, key=lambda p: p[0].rule.legal_deadline(p[1]))
    ]
    current.reply(current.t("tenggat.choose", kecamatan=kec.nama), [*buttons, _cancel_row(current)])


async def _first_desa(current: Turn, kecamatan: str) -> Desa:
    desa = await queries.first_desa(current.session, kecamatan)
    if desa is None:
        raise InputError("status.nothing")
    return desa


async def tenggat_document(current: Turn, code: str, ta: int) -> None:
    draft = await _draft(current, "tenggat", "document")
    kinds = {k.code: k for k in await document_kinds(current.session)}
    year = ta
    if code not in kinds or not FIRST_YEAR <= year <= 2100:
        raise InputError("chat.stale_button")
    legal = kinds[code].rule.legal_deadline(year, await load_calendar(current.session))
    await _save(current, "tenggat", "date", {**draft.data, "document": code, "ta": year})
    current.mark_pressed(f"➡️ {doc_label(code)} TA {ta}")
    current.reply(
        current.t("tenggat.ask_date", doc=code, ta=ta, legal=fmt_date(legal, current.lang)), [_cancel_row(current)]
    )


async def tenggat_date(current: Turn, text: str) -> None:
    draft = await _draft(current, "tenggat", "date")
    agreed = parse_chat_date(text)
    data = draft.data
    if not allowed(current.grants, Action.SET_AGREED, data["kecamatan"]):
        raise InputError("chat.not_allowed")
    result = await set_agreed_dates(
        current.session, data["kecamatan"], data["document"], data["ta"], agreed, current.app.clock.now(),
        actor=current.actor, language=current.lang, reminders=current.app.settings.reminders,
    )  # fmt: skip
    await clear_draft(current.session, current.require_person().id)
    if agreed > result.legal_deadline:
        current.reply(current.t("tenggat.after_legal", legal=fmt_date(result.legal_deadline, current.lang)))
    kept = current.t("tenggat.kept", names=", ".join(result.kept_extension)) if result.kept_extension else ""
    current.reply(
        current.t("tenggat.done", doc=result.document_code, ta=result.tahun_anggaran,
                  date=fmt_date(agreed, current.lang), count=len(result.changed), kept=kept, notified=result.notified)
    )  # fmt: skip


# --- /catat: a document that arrived on paper -------------------------------------------------------------------


async def catat(current: Turn) -> None:
    current.require_person()
    if not places(current.grants, Action.RECORD_PAPER):
        raise InputError("chat.not_allowed")
    buttons = await _desa_buttons(current, Action.RECORD_PAPER, actions.CatatDesa)
    await _save(current, "catat", "desa", {})
    current.reply(current.t("desk.choose_desa"), [*buttons, _cancel_row(current)])


async def catat_desa(current: Turn, desa_kode: str) -> None:
    await _draft(current, "catat", "desa")
    if not allowed(current.grants, Action.RECORD_PAPER, desa_kode):
        raise InputError("chat.not_allowed")
    options = await open_obligations(current.session, desa_kode)
    if not options:
        raise InputError("extend.none_open")
    await _save(current, "catat", "document", {"desa": desa_kode})
    current.mark_pressed(f"➡️ {options[0].desa_nama}")
    buttons = [
        [(f"{doc_label(o.document_code)} TA {o.tahun_anggaran}", actions.CatatObligation(o.obligation_id))]
        for o in options
    ]
    current.reply(current.t("desk.choose_document"), [*buttons, _cancel_row(current)])


def _date_buttons(current: Turn, choice: type[actions.CatatPenetapan | actions.CatatReceived]) -> Buttons:
    return [
        [(current.t("button.today"), choice(0)), (current.t("button.yesterday"), choice(1))],
        _cancel_row(current),
    ]


async def catat_obligation(current: Turn, obligation_id: int) -> None:
    draft = await _draft(current, "catat", "document")
    obligation = await current.session.get(Obligation, obligation_id)
    if obligation is None or obligation.desa_kode != draft.data["desa"]:
        raise InputError("chat.stale_button")
    await _save(current, "catat", "penetapan", {**draft.data, "obligation_id": obligation.id, "files": []})
    current.mark_pressed(f"➡️ {doc_label(obligation.document_code)} TA {obligation.tahun_anggaran}")
    current.reply(current.t("catat.ask_penetapan"), _date_buttons(current, actions.CatatPenetapan))


async def catat_date(current: Turn, step: str, chosen: date | None, days_back: int | None = None) -> None:
    draft = await _draft(current, "catat", step)
    today = await local_today(current, draft.data["desa"])
    if chosen is None:
        chosen = today - timedelta(days=1 if days_back == 1 else 0)
        current.mark_pressed(f"➡️ {fmt_date(chosen, current.lang)}")
    if chosen > today:
        raise InputError("error.future_date_chat")
    if step == "penetapan":
        await _save(current, "catat", "received", {**draft.data, "penetapan": chosen.isoformat()})
        current.reply(current.t("catat.ask_received"), _date_buttons(current, actions.CatatReceived))
        return
    penetapan = date.fromisoformat(draft.data["penetapan"])
    if chosen < penetapan:
        raise InputError("catat.received_before", penetapan=fmt_date(penetapan, current.lang))
    await _save(current, "catat", "files", {**draft.data, "received": chosen.isoformat()})
    current.reply(
        current.t("catat.ask_files"),
        [
            [
                (current.t("button.skip"), actions.CatatFilesDone()),
                (current.t("button.next"), actions.CatatFilesDone()),
            ],
            _cancel_row(current),
        ],
    )


async def catat_file(current: Turn, stored: dict) -> None:
    """A scan or a photo for the paper record, downloaded and checked like a secretary's upload."""
    draft = await _draft(current, "catat", "files")
    files = add_file(draft.data["files"], stored)
    await _save(current, "catat", "files", {**draft.data, "files": files})
    current.reply(
        current.t("kirim.file_received", count=len(files)),
        [[(current.t("button.next"), actions.CatatFilesDone())], _cancel_row(current)],
    )


async def catat_summary(current: Turn) -> None:
    draft = await _draft(current, "catat", "files")
    data = draft.data
    obligation = await current.session.get(Obligation, data["obligation_id"])
    assert obligation is not None
    desa, _ = await place_of(current.session, obligation.desa_kode)
    await _save(current, "catat", "confirm", data)
    current.mark_pressed(current.t("chat.files_chosen", count=len(data.get("files", []))))
    current.reply(
        current.t("catat.summary", doc=obligation.document_code, ta=obligation.tahun_anggaran, desa=desa.nama,
                  penetapan=fmt_date(date.fromisoformat(data["penetapan"]), current.lang),
                  received=fmt_date(date.fromisoformat(data["received"]), current.lang), files=len(data["files"])),
        [[(current.t("button.save"), actions.CatatSave()), (current.t("button.cancel"), CANCEL)]],
    )  # fmt: skip


async def catat_save(current: Turn) -> None:
    draft = await _draft(current, "catat", "confirm")
    person = current.require_person()
    data = draft.data
    obligation = await current.session.get(Obligation, data["obligation_id"])
    if obligation is None or not allowed(current.grants, Action.RECORD_PAPER, obligation.desa_kode):
        raise InputError("chat.not_allowed")
    stored = tuple(
        StoredFile(f["sha256"], f["stored_path"], f["size_bytes"], f["mime_type"], f.get("original_name"),
                   f.get("telegram_file_id"), received_as(f))
        for f in data["files"]
    )  # fmt: skip
    request = RecordRequest(
        obligation.desa_kode, obligation.document_code, obligation.tahun_anggaran,
        date.fromisoformat(data["penetapan"]), date.fromisoformat(data["received"]), stored_files=stored,
        channel=Channel.PAPER,
    )  # fmt: skip
    outcome = await record_document(
        current.session,
        request,
        current.app.clock.now(),
        current.app.files,
        actor=current.actor,
        reminders=current.app.settings.reminders,
    )
    await clear_draft(current.session, person.id)
    desa, kecamatan = await place_of(current.session, obligation.desa_kode)
    kind = {k.code: k for k in await document_kinds(current.session)}[obligation.document_code]
    tz = ZoneInfo(kecamatan.timezone)
    facts = VersionFacts(
        1, outcome.tanggal_penetapan, start_of_day(outcome.received_on, tz), ReviewStatus.MENUNGGU, None
    )
    on_time = on_time_on_its_face(obligation.legal_deadline, kind.basis, facts, tz)
    values = {"doc": obligation.document_code, "ta": obligation.tahun_anggaran, "desa": desa.nama,
              "received": fmt_date(outcome.received_on, current.lang)}  # fmt: skip
    current.mark_pressed(current.t("kirim.sent"))
    current.reply(
        current.t("catat.saved", version=outcome.version,
                  verdict=current.t("verif.on_time" if on_time else "verif.late"), **values)
    )  # fmt: skip
    for role in (Role.SEKDES, Role.PENDAMPING):
        for person_told in await people_with_role_covering(current.session, {role}, desa.kode):
            current.tell(person_told, current.t("catat.told", **values), about=f"paper:{outcome.submission_id}",
                         kecamatan_kode=kecamatan.kode, role=role.value)  # fmt: skip


# --- /koreksi: undo a wrong verdict -----------------------------------------------------------------------------


async def koreksi(current: Turn) -> None:
    current.require_person()
    if not places(current.grants, Action.CORRECT):
        raise InputError("chat.not_allowed")
    verdicts = await recent_verdicts(current.session, current.grants)
    if not verdicts:
        current.reply(current.t("koreksi.none"))
        return
    await _save(current, "koreksi", "choose", {})
    buttons = [
        [(f"{d.nama}: {doc_label(s.obligation.document_code)} TA {s.obligation.tahun_anggaran} v{s.version} · "
          f"{current.t(f'review.{s.review_status.value}')}", actions.KoreksiSubmission(s.id))]
        for s, d in verdicts
    ]  # fmt: skip
    current.reply(current.t("koreksi.choose"), [*buttons, _cancel_row(current)])


async def koreksi_choose(current: Turn, submission_id: int) -> None:
    await _draft(current, "koreksi", "choose")
    await _save(current, "koreksi", "reason", {"submission_id": submission_id})
    current.mark_pressed(f"➡️ {current.pressed_text}")
    current.reply(current.t("koreksi.ask_reason"), [_cancel_row(current)])


async def koreksi_reason(current: Turn, text: str) -> None:
    draft = await _draft(current, "koreksi", "reason")
    person = current.require_person()
    undone = await undo_verdict(
        current.session, person, current.grants, draft.data["submission_id"], text, current.app.clock.now(),
        actor=current.actor, reminders=current.app.settings.reminders,
    )  # fmt: skip
    await clear_draft(current.session, person.id)
    values = {"doc": undone.document_code, "ta": undone.tahun_anggaran, "desa": undone.desa_nama,
              "version": undone.version}  # fmt: skip
    current.reply(current.t("koreksi.done", previous=current.t(f"review.{undone.previous.value}"), **values))
    told = {p.id: p for p in await people_with_role_covering(current.session, {Role.SEKDES}, undone.desa_kode)}
    if undone.submitter is not None:
        told[undone.submitter.id] = undone.submitter
    for person_id in sorted(told):
        if person_id != person.id:
            current.tell(told[person_id], current.t("koreksi.told", reason=text.strip(), **values),
                         about=f"undo:{undone.submission_id}", kecamatan_kode=undone.kecamatan_kode,
                         role=Role.SEKDES.value)  # fmt: skip


# --- /cabut: a secretary replaced -------------------------------------------------------------------------------


async def cabut(current: Turn) -> None:
    current.require_person()
    if not places(current.grants, Action.INVITE):
        raise InputError("chat.not_allowed")
    rows = await queries.active_assignments(current.session)
    buttons = []
    for assignment, person in rows:
        if person.id == current.require_person().id or not may_invite(
            current.grants, assignment.role, assignment.scope_code
        ):
            continue
        where = await scope_name(current.session, assignment.scope_kind, assignment.scope_code)
        buttons.append(
            [
                (
                    f"{person.name} — {current.t(f'role.{assignment.role.value}')} {where}",
                    actions.CabutAssignment(assignment.id),
                )
            ]
        )
    if not buttons:
        current.reply(current.t("cabut.none"))
        return
    await _save(current, "cabut", "choose", {})
    current.reply(current.t("cabut.choose"), [*buttons[:30], _cancel_row(current)])


async def _assignment(current: Turn, assignment_id: int) -> tuple[RoleAssignment, Person, str]:
    assignment = await current.session.get(RoleAssignment, assignment_id)
    if assignment is None or assignment.revoked_at is not None:
        raise InputError("chat.stale_button")
    person = await current.session.get(Person, assignment.person_id)
    assert person is not None
    return assignment, person, await scope_name(current.session, assignment.scope_kind, assignment.scope_code)


async def cabut_choose(current: Turn, assignment_id: int) -> None:
    await _draft(current, "cabut", "choose")
    assignment, person, where = await _assignment(current, assignment_id)
    await _save(current, "cabut", "confirm", {"assignment": assignment.id})
    current.mark_pressed(f"➡️ {current.pressed_text}")
    current.reply(
        current.t("cabut.confirm", role=current.t(f"role.{assignment.role.value}"), scope=where, name=person.name),
        [[(current.t("button.revoke"), actions.CabutConfirm(assignment.id)), (current.t("button.cancel"), CANCEL)]],
    )


async def cabut_confirm(current: Turn, assignment_id: int) -> None:
    draft = await _draft(current, "cabut", "confirm")
    if draft.data["assignment"] != assignment_id:
        raise InputError("chat.stale_button")
    assignment, person, where = await _assignment(current, assignment_id)
    me = current.require_person()
    await revoke_assignment(  # the one use-case: revoked, re-planned and told on the outbox, as the CLI does
        current.session, assignment_id=assignment.id, actor=current.actor, now=current.app.clock.now(),
        reminders=current.app.settings.reminders, language=current.lang, revoker_grants=current.grants,
    )  # fmt: skip
    await clear_draft(current.session, me.id)
    role = current.t(f"role.{assignment.role.value}")
    current.mark_pressed(current.t("cabut.done", role=role, scope=where, name=person.name))


# --- /arsip: the stored files of any version --------------------------------------------------------------------


async def arsip(current: Turn) -> None:
    current.require_person()
    if not places(current.grants, Action.ARCHIVE):
        raise InputError("chat.not_allowed")
    buttons = await _desa_buttons(current, Action.ARCHIVE, actions.ArsipDesa)
    await _save(current, "arsip", "desa", {})
    current.reply(current.t("desk.choose_desa"), [*buttons, _cancel_row(current)])


async def arsip_desa(current: Turn, desa_kode: str) -> None:
    await _draft(current, "arsip", "desa")
    if not allowed(current.grants, Action.ARCHIVE, desa_kode):
        raise InputError("chat.not_allowed")
    obligations = await queries.obligations_with_versions(current.session, desa_kode)
    if not obligations:
        raise InputError("desk.nothing")
    await _save(current, "arsip", "document", {"desa": desa_kode})
    current.mark_pressed(f"➡️ {current.pressed_text}")
    buttons = [
        [(f"{doc_label(o.document_code)} TA {o.tahun_anggaran}", actions.ArsipObligation(o.id))]
        for o in obligations[:30]
    ]
    current.reply(current.t("desk.choose_document"), [*buttons, _cancel_row(current)])


async def arsip_document(current: Turn, obligation_id: int) -> None:
    draft = await _draft(current, "arsip", "document")
    obligation = await current.session.get(Obligation, obligation_id)
    if obligation is None or obligation.desa_kode != draft.data["desa"]:
        raise InputError("chat.stale_button")
    _, kecamatan = await place_of(current.session, obligation.desa_kode)
    tz = ZoneInfo(kecamatan.timezone)
    versions = await queries.versions_of(current.session, obligation.id)
    await _save(current, "arsip", "version", {"desa": obligation.desa_kode, "obligation": obligation.id})
    current.mark_pressed(f"➡️ {current.pressed_text}")
    buttons = [
        [(current.t("arsip.version", version=s.version, status=current.t(f"review.{s.review_status.value}"),
                    received=fmt_date(s.received_at.astimezone(tz).date(), current.lang), files=len(s.files)),
          actions.ArsipVersion(s.id))]
        for s in versions
    ]  # fmt: skip
    current.reply(current.t("arsip.choose_version"), [*buttons, _cancel_row(current)])


async def arsip_version(current: Turn, submission_id: int) -> None:
    draft = await _draft(current, "arsip", "version")
    submission = await queries.version_with_files(current.session, submission_id)
    if submission is None or submission.obligation_id != draft.data["obligation"]:
        raise InputError("chat.stale_button")
    if not allowed(current.grants, Action.ARCHIVE, submission.obligation.desa_kode):
        raise InputError("chat.not_allowed")
    desa, _ = await place_of(current.session, submission.obligation.desa_kode)
    await clear_draft(current.session, current.require_person().id)
    current.mark_pressed(f"➡️ {current.pressed_text}")
    if not submission.files:
        current.reply(current.t("arsip.no_files"))
        return
    current.reply(
        current.t("arsip.sending", doc=submission.obligation.document_code, ta=submission.obligation.tahun_anggaran,
                  desa=desa.nama, version=submission.version, files=len(submission.files))
    )  # fmt: skip
    files = []
    for f in submission.files:
        if f.telegram_file_id:  # sent back the way it came: Telegram refuses a document's file_id as a photo
            files.append(stored_file(f))
            continue
        # a paper scan recorded from the CLI: uploaded from the store as a document, under a name we make
        name = f"{submission.obligation.document_code}_v{submission.version}_{f.position}"
        filename = f"{name}.{EXTENSIONS.get(f.mime_type, 'bin')}"
        files.append(OutFile("document", filename, f.mime_type, f.stored_path))
    current.reply_files(files)


# --- /libur -----------------------------------------------------------------------------------------------------


async def libur(current: Turn) -> None:
    current.require_person()
    if not places(current.grants, Action.VIEW_HOLIDAYS):
        raise InputError("chat.not_allowed")
    args = current.args
    asked = whole_number(args[0], high=2100) if args else None
    year = asked if asked is not None and asked >= FIRST_YEAR else current.app.clock.now().year
    rows = await days_off(current.session, year, current.lang)
    lines = [current.t("libur.title", year=year)]
    lines += [f"• {fmt_date(r.day, current.lang)} — {r.name}{' *' if r.added_by_admin else ''}" for r in rows]
    current.reply("\n".join(lines))
