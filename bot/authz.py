"""Who may do what, where: one table of (action, role) and one rule for scopes.

A grant is a (role, scope) a person holds. A scope covers a place when it is the whole deployment, or the place's
code is the scope's code or lies inside it (a kecamatan covers its desa, a kabupaten its kecamatan). Handlers ask
before they act; services that write ask again, from the database, never from callback data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from models.tables import Role, ScopeKind


class Action(StrEnum):
    SUBMIT = "submit"  # send a document for a desa
    VIEW_STATUS = "view_status"  # a desa's checklist
    VERIFY = "verify"  # accept or reject a version
    LIST_WAITING = "list_waiting"  # what waits for a decision in a kecamatan
    VIEW_INDICATOR = "view_indicator"  # a kecamatan's indicator
    INVITE = "invite"  # create an invitation to a role in a place
    EXTEND = "extend"  # move one desa's agreed collection date (dispensasi)
    SET_AGREED = "set_agreed"  # the kesepakatan: one agreed date for every desa of a kecamatan
    RECORD_PAPER = "record_paper"  # record a document that arrived on paper
    CORRECT = "correct"  # undo a verdict
    ARCHIVE = "archive"  # get the stored files of any version back
    VIEW_HOLIDAYS = "view_holidays"
    ANNOUNCE = "announce"  # a pengumuman to the sekdes and pendamping of desa
    RAISE = "raise"  # report a problem (kendala) of a desa, or ask the kecamatan a question
    ANSWER = "answer"  # see, answer and close the problems and questions of a kecamatan
    SCHEDULE_MEETING = "schedule_meeting"  # invite to a coordination meeting, send its notulen
    VIEW_DASHBOARD = "view_dashboard"  # a sign-in link to the web dashboard (read-only)


POLICY: dict[Action, frozenset[Role]] = {
    Action.SUBMIT: frozenset({Role.SEKDES}),
    Action.VIEW_STATUS: frozenset({Role.SEKDES, Role.PENDAMPING, Role.STAF, Role.CAMAT, Role.ADMIN}),
    Action.VERIFY: frozenset({Role.STAF, Role.ADMIN}),
    Action.LIST_WAITING: frozenset({Role.STAF, Role.ADMIN}),
    Action.VIEW_INDICATOR: frozenset({Role.STAF, Role.CAMAT, Role.ADMIN}),
    Action.INVITE: frozenset({Role.STAF, Role.ADMIN}),
    Action.EXTEND: frozenset({Role.STAF, Role.ADMIN}),
    Action.SET_AGREED: frozenset({Role.STAF, Role.ADMIN}),
    Action.RECORD_PAPER: frozenset({Role.STAF, Role.ADMIN}),
    Action.CORRECT: frozenset({Role.STAF, Role.ADMIN}),
    Action.ARCHIVE: frozenset({Role.SEKDES, Role.STAF, Role.CAMAT, Role.ADMIN}),
    Action.VIEW_HOLIDAYS: frozenset({Role.STAF, Role.CAMAT, Role.ADMIN}),
    Action.ANNOUNCE: frozenset({Role.STAF, Role.CAMAT, Role.PENDAMPING, Role.ADMIN}),
    Action.RAISE: frozenset({Role.SEKDES, Role.PENDAMPING}),
    Action.ANSWER: frozenset({Role.STAF, Role.ADMIN}),
    Action.SCHEDULE_MEETING: frozenset({Role.STAF, Role.ADMIN}),
    Action.VIEW_DASHBOARD: frozenset({Role.STAF, Role.CAMAT, Role.ADMIN}),  # = bot.services.signin.DASHBOARD_ROLES
}

# What a chat command needs: one of these actions somewhere (an empty tuple: anyone registered; `start`, `bantuan`
# and `menu` also answer strangers). Handlers check the same actions; tests/test_authz_matrix.py drives every command
# for every role from this table, and fails when a registered command is missing here.
COMMANDS: dict[str, tuple[Action, ...]] = {
    "start": (),
    "bantuan": (),
    "help": (),
    "menu": (),  # a stranger's menu says how to join
    "batal": (),
    "hubungkan": (),  # any registered person links another account of theirs
    "agenda": (),
    "kirim": (Action.SUBMIT,),
    "status": (Action.VIEW_STATUS,),
    "indikator": (Action.VIEW_INDICATOR,),
    "rekap": (Action.VIEW_INDICATOR,),
    "dasbor": (Action.VIEW_DASHBOARD,),
    "verifikasi": (Action.LIST_WAITING,),
    "undang": (Action.INVITE,),
    "cabut": (Action.INVITE,),
    "perpanjang": (Action.EXTEND,),
    "tenggat": (Action.SET_AGREED,),
    "catat": (Action.RECORD_PAPER,),
    "koreksi": (Action.CORRECT,),
    "arsip": (Action.ARCHIVE,),
    "libur": (Action.VIEW_HOLIDAYS,),
    "umumkan": (Action.ANNOUNCE,),
    "pengumuman": (Action.ANNOUNCE,),
    "kendala": (Action.RAISE, Action.ANSWER),
    "tanya": (Action.RAISE, Action.ANSWER),
    "rapat": (Action.SCHEDULE_MEETING,),
}

# Which roles a role may invite (on top of INVITE and the scope rule).
INVITABLE: dict[Role, frozenset[Role]] = {
    Role.ADMIN: frozenset(Role),
    Role.STAF: frozenset({Role.SEKDES, Role.PENDAMPING}),
}


@dataclass(frozen=True)
class Grant:
    role: Role
    scope_kind: ScopeKind
    scope_code: str | None

    def covers(self, place: str) -> bool:
        if self.scope_kind is ScopeKind.DEPLOYMENT:
            return True
        assert self.scope_code is not None
        return place == self.scope_code or place.startswith(self.scope_code + ".")


def allowed(grants: Iterable[Grant], action: Action, place: str) -> bool:
    return any(g.role in POLICY[action] and g.covers(place) for g in grants)


def may_invite(grants: Iterable[Grant], role: Role, place: str | None) -> bool:
    """May these grants invite someone to `role` in `place` (None: the whole deployment)?"""
    for g in grants:
        if g.role not in POLICY[Action.INVITE] or role not in INVITABLE.get(g.role, frozenset()):
            continue
        if place is None:
            if g.scope_kind is ScopeKind.DEPLOYMENT:
                return True
        elif g.covers(place):
            return True
    return False


def places(grants: Iterable[Grant], action: Action) -> list[Grant]:
    """The grants that allow `action` somewhere: where this person may do it."""
    return [g for g in grants if g.role in POLICY[action]]
