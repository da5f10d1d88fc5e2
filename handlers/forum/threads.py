"""/kendala and /tanya: a problem or a question from a desa, answered and closed by staf."""

from __future__ import annotations

from bot.authz import Action, allowed, places
from bot.chat import actions
from bot.errors import InputError
from bot.i18n import doc_label
from bot.services import forum
from bot.services.drafts import clear_draft
from bot.services.places import place_names
from bot.services.submissions import open_obligations
from handlers.common import Buttons, Turn
from handlers.forum.common import LISTED, cancel_row, desa_for, draft_at, kecamatan_tz, local_time, save, short
from models.tables import Desa, Person, ThreadKind

# --- /kendala and /tanya: problems and questions ------------------------------------------------------------------


async def kendala(current: Turn) -> None:
    current.require_person()
    if places(current.grants, Action.ANSWER):
        await _list_threads(current, ThreadKind.KENDALA)
        return
    desa = await desa_for(current, Action.RAISE)
    if not desa:
        raise InputError("chat.not_allowed")
    if len(desa) > 1:
        await save(current, "kendala", "desa", {})
        current.reply(current.t("desk.choose_desa"), [*[[(d.nama, actions.KendalaDesa(d.kode))] for d in desa],
                                                       cancel_row(current)])  # fmt: skip
        return
    await _kendala_documents(current, desa[0])


async def kendala_desa(current: Turn, kode: str) -> None:
    await draft_at(current, "kendala", "desa")
    desa = {d.kode: d for d in await desa_for(current, Action.RAISE)}
    if kode not in desa:
        raise InputError("chat.not_allowed")
    current.mark_pressed("➡️ " + desa[kode].nama)
    await _kendala_documents(current, desa[kode])


async def _kendala_documents(current: Turn, desa: Desa) -> None:
    await save(current, "kendala", "document", {"desa": desa.kode})
    options = await open_obligations(current.session, desa.kode)
    buttons: Buttons = [
        [(f"{doc_label(o.document_code)} TA {o.tahun_anggaran}", actions.KendalaObligation(o.obligation_id))]
        for o in options[:6]
    ]
    buttons.append([(current.t("kendala.no_document"), actions.KendalaObligation(0))])  # 0: about no document
    current.reply(current.t("kendala.choose_document", desa=desa.nama), [*buttons, cancel_row(current)])


async def kendala_document(current: Turn, obligation_id: int) -> None:
    draft = await draft_at(current, "kendala", "document")
    chosen = obligation_id or None
    label = current.t("kendala.no_document")
    if chosen is not None:
        offered = {o.obligation_id: o for o in await open_obligations(current.session, draft.data["desa"])}
        if chosen not in offered:
            raise InputError("chat.not_allowed")
        label = f"{doc_label(offered[chosen].document_code)} TA {offered[chosen].tahun_anggaran}"
    await save(current, "kendala", "text", {**draft.data, "obligation": chosen})
    current.mark_pressed("➡️ " + label)
    current.reply(current.t("kendala.ask_text", limit=forum.THREAD_LIMIT), [cancel_row(current)])


async def kendala_text(current: Turn, text: str) -> None:
    draft = await draft_at(current, "kendala", "text")
    thread, alerted = await forum.raise_thread(
        current.session, ThreadKind.KENDALA, current.require_person(), current.grants, draft.data["desa"],
        draft.data.get("obligation"), text, current.app.clock.now(), current.lang,
        actor=current.actor,
    )  # fmt: skip
    await clear_draft(current.session, current.require_person().id)
    number = await forum.thread_number(current.session, thread)
    current.reply(current.t("kendala.recorded", number=number, alerted=alerted))


async def tanya(current: Turn) -> None:
    current.require_person()
    if places(current.grants, Action.ANSWER):
        await _list_threads(current, ThreadKind.TANYA)
        return
    desa = await desa_for(current, Action.RAISE)
    if not desa:
        raise InputError("chat.not_allowed")
    question = " ".join(current.args)
    if question and len(desa) == 1:
        await _ask(current, desa[0].kode, question)
        return
    if len(desa) > 1:
        await save(current, "tanya", "desa", {"text": question})
        current.reply(current.t("tanya.choose_desa"), [*[[(d.nama, actions.TanyaDesa(d.kode))] for d in desa],
                                                        cancel_row(current)])  # fmt: skip
        return
    await save(current, "tanya", "text", {"desa": desa[0].kode})
    current.reply(current.t("tanya.ask_text", limit=forum.THREAD_LIMIT), [cancel_row(current)])


async def tanya_desa(current: Turn, kode: str) -> None:
    draft = await draft_at(current, "tanya", "desa")
    desa = {d.kode: d for d in await desa_for(current, Action.RAISE)}
    if kode not in desa:
        raise InputError("chat.not_allowed")
    current.mark_pressed("➡️ " + desa[kode].nama)
    if draft.data.get("text"):
        await _ask(current, kode, draft.data["text"])
        return
    await save(current, "tanya", "text", {"desa": kode})
    current.reply(current.t("tanya.ask_text", limit=forum.THREAD_LIMIT), [cancel_row(current)])


async def tanya_text(current: Turn, text: str) -> None:
    draft = await draft_at(current, "tanya", "text")
    await _ask(current, draft.data["desa"], text)


async def _ask(current: Turn, desa_kode: str, text: str) -> None:
    thread, alerted = await forum.raise_thread(
        current.session, ThreadKind.TANYA, current.require_person(), current.grants, desa_kode, None, text,
        current.app.clock.now(), current.lang,
        actor=current.actor,
    )  # fmt: skip
    await clear_draft(current.session, current.require_person().id)
    number = await forum.thread_number(current.session, thread)
    current.reply(current.t("tanya.recorded", number=number, alerted=alerted))


async def _list_threads(current: Turn, kind: ThreadKind) -> None:
    """Staf: what is still open, by desa, each with its buttons."""
    kecamatan = sorted({g.scope_code for g in places(current.grants, Action.ANSWER) if g.scope_code})
    threads = await forum.open_threads(current.session, kind, [k[:8] for k in kecamatan])
    threads = [th for th in threads if allowed(current.grants, Action.ANSWER, th.desa_kode)]
    if not threads:
        current.reply(current.t(f"{kind.value}.none_open"))
        return
    names = await place_names(current.session, Desa, {th.desa_kode for th in threads})
    tz = await kecamatan_tz(current, threads[0].kecamatan_kode)
    lines, buttons, desa = [current.t(f"{kind.value}.open_title", count=len(threads))], [], None
    for th in threads[:LISTED]:
        if th.desa_kode != desa:
            desa = th.desa_kode
            lines += ["", f"🏠 {names.get(desa, desa)}"]
        replies = current.t("kendala.replies", count=len(th.replies)) if th.replies else ""
        number = await forum.thread_number(current.session, th)
        lines.append(f"#{number} · {local_time(current, th.created_at, tz)} · {current.t(f'role.{th.author_role}')}: "
                     f"{short(th.text, 100)}{replies}")  # fmt: skip
        row = [(current.t("button.answer_number", number=number), actions.ThreadAnswer(th.id))]
        if kind is ThreadKind.KENDALA:
            row.append((current.t("button.close_number", number=number), actions.ThreadClose(th.id)))
        buttons.append(row)
    current.reply("\n".join(lines), buttons)


async def jawab_start(current: Turn, thread_id: int) -> None:
    thread = await forum.thread_for_staf(current.session, thread_id, current.grants)
    await save(current, "jawab", "text", {"thread": thread.id})
    current.reply(
        current.t(
            "jawab.ask",
            what=current.t(f"{thread.kind.value}.noun"),
            number=await forum.thread_number(current.session, thread),
            text=short(thread.text, 200),
            limit=forum.REPLY_LIMIT,
        ),
        [cancel_row(current)],
    )


async def jawab_text(current: Turn, text: str, thread_id: int | None = None) -> None:
    person = current.require_person()
    if thread_id is None:
        thread_id = (await draft_at(current, "jawab", "text")).data["thread"]
        await clear_draft(current.session, person.id)
    thread = await forum.answer_thread(
        current.session,
        thread_id,
        person,
        current.grants,
        text,
        current.app.clock.now(),
        current.lang,
        actor=current.actor,
    )
    author = await current.session.get(Person, thread.author_id)
    number = await forum.thread_number(current.session, thread)
    current.reply(current.t("jawab.sent", what=current.t(f"{thread.kind.value}.noun"), number=number,
                            name=author.name if author else "—"))  # fmt: skip


async def tutup_start(current: Turn, thread_id: int) -> None:
    thread = await forum.thread_for_staf(current.session, thread_id, current.grants)
    if thread.kind is not ThreadKind.KENDALA:
        raise InputError("chat.stale_button")
    await save(current, "tutup", "text", {"thread": thread.id})
    number = await forum.thread_number(current.session, thread)
    current.reply(current.t("tutup.ask", number=number, text=short(thread.text, 200)), [cancel_row(current)])


async def tutup_text(current: Turn, text: str) -> None:
    person = current.require_person()
    draft = await draft_at(current, "tutup", "text")
    thread = await forum.close_thread(
        current.session,
        draft.data["thread"],
        person,
        current.grants,
        text,
        current.app.clock.now(),
        current.lang,
        actor=current.actor,
    )
    await clear_draft(current.session, person.id)
    current.reply(current.t("tutup.done", number=await forum.thread_number(current.session, thread)))
