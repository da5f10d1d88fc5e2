"""What the forum's features share: the draft's steps, the audience toggles, times in the kecamatan's zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.authz import Action, allowed, places
from bot.chat import actions
from bot.errors import InputError
from bot.i18n import fmt_datetime
from bot.services import forum
from bot.services.drafts import get_draft, save_draft
from bot.services.people import desa_of_grants
from handlers.common import Buttons, Turn
from models.tables import Desa, Kecamatan, Role

CANCEL = actions.Cancel()
LISTED = 20


def cancel_row(current: Turn) -> list[tuple[str, actions.Action]]:
    return [(current.t("button.cancel"), CANCEL)]


async def draft_at(current: Turn, flow: str, step: str):
    draft = await get_draft(current.session, current.require_person().id)
    if draft is None or (draft.flow, draft.step) != (flow, step):
        raise InputError("chat.stale_button")
    return draft


async def save(current: Turn, flow: str, step: str, data: dict) -> None:
    await save_draft(current.session, current.require_person().id, flow, step, data, current.app.clock.now())


async def desa_for(current: Turn, action: Action) -> list[Desa]:
    """The desa where this person may do `action`, by code."""
    roles = {Role.STAF, Role.CAMAT, Role.ADMIN, Role.SEKDES, Role.PENDAMPING}
    desa = await desa_of_grants(current.session, places(current.grants, action), roles)
    return [d for d in desa if allowed(current.grants, action, d.kode)]


# The toggles of an announcement's and a meeting's audience: (roles,) all desa, each desa, next.
AUDIENCE = {
    "n": (None, actions.UmumkanAll, actions.UmumkanToggle, actions.UmumkanNext),
    "m": (actions.RapatRole, actions.RapatAll, actions.RapatPlace, actions.RapatNext),
}


def audience_keyboard(
    current: Turn, desa: list[Desa], chosen: list[str], prefix: str, roles: list[str] | None = None
) -> Buttons:
    """Toggles: (roles,) all desa, each desa; then Next and Cancel."""
    role_choice, all_choice, desa_choice, next_choice = AUDIENCE[prefix]
    rows: Buttons = []
    if roles is not None and role_choice is not None:
        rows.append(
            [(("☑️ " if r in roles else "⬜ ") + current.t(f"role.{r}"), role_choice(r)) for r in forum.FIELD_ROLES]
        )
    everyone = len(chosen) == len(desa)
    rows.append([(("☑️ " if everyone else "⬜ ") + current.t("forum.all_desa", count=len(desa)), all_choice())])
    toggles = [(("☑️ " if d.kode in chosen else "⬜ ") + d.nama, desa_choice(d.kode)) for d in desa[:40]]
    rows += [toggles[i : i + 2] for i in range(0, len(toggles), 2)]
    rows.append([(current.t("button.next"), next_choice()), (current.t("button.cancel"), CANCEL)])
    return rows


def toggle(chosen: list[str], desa: list[Desa], code: str | None) -> list[str]:
    codes = [d.kode for d in desa]
    if code is None:  # all
        return [] if len(chosen) == len(codes) else codes
    if code not in codes:
        raise InputError("chat.not_allowed")
    return [c for c in codes if (c in chosen) != (c == code)]


def audience_names(desa: list[Desa], chosen: list[str], current: Turn) -> str:
    """'Semua desa (6)' when `chosen` is every desa of the kecamatan (`desa`), else their names."""
    if set(chosen) == {d.kode for d in desa}:
        return current.t("forum.all_desa", count=len(desa))
    return ", ".join(d.nama for d in desa if d.kode in chosen)


async def kecamatan_tz(current: Turn, kecamatan_kode: str) -> ZoneInfo:
    kecamatan = await current.session.get(Kecamatan, kecamatan_kode)
    return ZoneInfo(kecamatan.timezone if kecamatan else "Asia/Jakarta")


def local_time(current: Turn, moment: datetime, tz: ZoneInfo) -> str:
    return fmt_datetime(moment.astimezone(tz), current.lang)


def short(text: str, limit: int = 60) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"
