"""Terima / Tolak, the rejection reason, and /verifikasi."""

from __future__ import annotations

from bot.authz import Action, places
from bot.chat.actions import Cancel
from bot.errors import InputError
from bot.i18n import t
from bot.services.drafts import clear_draft, get_draft, save_draft
from bot.services.submissions import Decision, decide, waiting_submissions
from handlers.common import Turn
from handlers.submission import alert_text, verdict_buttons
from models.status import ReviewStatus
from models.tables import Desa, Obligation, Role, Submission

FLOW = "tolak"


async def accept(current: Turn, submission_id: int) -> None:
    if current.person is None:
        raise InputError("chat.unknown_person")
    decision = await decide(
        current.session, current.person, current.grants, submission_id, True, None,
        current.app.clock.now(),
        actor=current.actor, reminders=current.app.settings.reminders,
    )  # fmt: skip
    await _decided(current, decision)


async def reject(current: Turn, submission_id: int) -> None:
    """Tolak asks for the reason first; a version already decided is answered at once."""
    if current.person is None:
        raise InputError("chat.unknown_person")
    sid = submission_id
    submission = await current.session.get(Submission, sid)
    obligation = await current.session.get(Obligation, submission.obligation_id) if submission else None
    if (
        submission is None
        or obligation is None
        or not any(g.covers(obligation.desa_kode) for g in places(current.grants, Action.VERIFY))
    ):
        raise InputError("chat.not_allowed")
    if submission.review_status is not ReviewStatus.MENUNGGU:
        decision = await decide(
            current.session, current.person, current.grants, sid, True, None, current.app.clock.now(),
            actor=current.actor, reminders=current.app.settings.reminders,
        )  # fmt: skip
        _announce(current, decision)
        return
    desa = await current.session.get(Desa, obligation.desa_kode)
    assert desa is not None
    await save_draft(
        current.session, current.person.id, FLOW, "reason", {"submission_id": sid}, current.app.clock.now()
    )
    current.reply(
        current.t("verif.ask_reason", doc=obligation.document_code, ta=obligation.tahun_anggaran, desa=desa.nama),
        [[(current.t("button.cancel"), Cancel())]],
    )


async def reason_text(current: Turn, text: str) -> None:
    assert current.person is not None
    draft = await get_draft(current.session, current.person.id)
    assert draft is not None
    decision = await decide(
        current.session, current.person, current.grants, draft.data["submission_id"], False, text,
        current.app.clock.now(),
        actor=current.actor, reminders=current.app.settings.reminders,
    )  # fmt: skip
    await clear_draft(current.session, current.person.id)
    await _decided(current, decision)


async def _decided(current: Turn, decision: Decision) -> None:
    _announce(current, decision)


def _announce(current: Turn, decision: Decision) -> None:
    """The staf who decided sees it; the secretary hears the verdict; a late press is told who decided."""
    if not decision.decided_now:
        status = t(f"review.{decision.status.value}", current.lang)
        text = current.t("verif.already", name=decision.decided_by, status=status)
        if current.pressed:
            current.note(text)
            current.mark_pressed(text)
        else:
            current.reply(text)
        return
    accepted = decision.status is ReviewStatus.ACCEPTED
    line = (
        current.t("verif.accepted_by", name=decision.decided_by)
        if accepted
        else current.t("verif.rejected_by", name=decision.decided_by, reason=decision.reason)
    )
    if current.pressed:
        current.mark_pressed(line)
    else:
        current.reply(line)
    if decision.submitter is not None:
        key = "verif.to_sender_accepted" if accepted else "verif.to_sender_rejected"
        verdict = current.t("verif.on_time" if decision.on_time else "verif.late")
        current.tell(
            decision.submitter,
            current.t(key, doc=decision.document_code, ta=decision.tahun_anggaran, desa=decision.desa_nama,
                      version=decision.version, reason=decision.reason, verdict=verdict),
            about=f"verdict:{decision.submission_id}", kecamatan_kode=decision.desa_kode.rsplit(".", 1)[0],
            role=Role.SEKDES.value,
        )  # fmt: skip


async def verifikasi(current: Turn) -> None:
    current.require_person()
    if not places(current.grants, Action.LIST_WAITING):
        raise InputError("chat.not_allowed")
    items = await waiting_submissions(current.session, current.grants)
    if not items:
        current.reply(current.t("verif.none"))
        return
    current.reply(current.t("verif.list_title", count=len(items)))
    for item in items[:20]:
        current.reply_files(item.files)
        text = alert_text(current, item.document_code, item.tahun_anggaran, item.desa_nama, item.version,
                          item.submitted_by, item.received_at, item.zone, item.tanggal_penetapan, item.nomor,
                          len(item.files), item.on_time)  # fmt: skip
        current.reply(text, verdict_buttons(current, item.submission_id))
