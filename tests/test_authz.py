"""The one table of (action, role, scope): every action × every role × own place, a place inside, another place."""

from __future__ import annotations

import pytest

from bot.authz import POLICY, Action, Grant, allowed, may_invite
from models.tables import Role, ScopeKind

OWN_DESA, OTHER_DESA = "35.08.17.2001", "35.08.17.2002"
OWN_KECAMATAN, OTHER_KECAMATAN_DESA = "35.08.17", "35.08.07.2001"


def grant(role: Role) -> Grant:
    if role in (Role.SEKDES, Role.PENDAMPING):
        return Grant(role, ScopeKind.DESA, OWN_DESA)
    return Grant(role, ScopeKind.KECAMATAN, OWN_KECAMATAN)


EXPECTED = {  # action -> roles allowed in their own place
    Action.SUBMIT: {Role.SEKDES},
    Action.VIEW_STATUS: set(Role),
    Action.VERIFY: {Role.STAF, Role.ADMIN},
    Action.LIST_WAITING: {Role.STAF, Role.ADMIN},
    Action.VIEW_INDICATOR: {Role.STAF, Role.CAMAT, Role.ADMIN},
    Action.INVITE: {Role.STAF, Role.ADMIN},
    Action.EXTEND: {Role.STAF, Role.ADMIN},
    Action.SET_AGREED: {Role.STAF, Role.ADMIN},
    Action.RECORD_PAPER: {Role.STAF, Role.ADMIN},
    Action.CORRECT: {Role.STAF, Role.ADMIN},
    Action.ARCHIVE: {Role.SEKDES, Role.STAF, Role.CAMAT, Role.ADMIN},
    Action.VIEW_HOLIDAYS: {Role.STAF, Role.CAMAT, Role.ADMIN},
    Action.ANNOUNCE: {Role.STAF, Role.CAMAT, Role.PENDAMPING, Role.ADMIN},
    Action.RAISE: {Role.SEKDES, Role.PENDAMPING},
    Action.ANSWER: {Role.STAF, Role.ADMIN},
    Action.SCHEDULE_MEETING: {Role.STAF, Role.ADMIN},
    Action.VIEW_DASHBOARD: {Role.STAF, Role.CAMAT, Role.ADMIN},
}


def test_the_policy_is_the_documented_one():
    assert {a: set(r) for a, r in POLICY.items()} == EXPECTED


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("role", list(Role))
def test_every_action_for_every_role_in_and_out_of_scope(action, role):
    grants = [grant(role)]
    assert allowed(grants, action, OWN_DESA) is (role in EXPECTED[action])
    assert allowed(grants, action, OTHER_KECAMATAN_DESA) is False
    desa_scoped = role in (Role.SEKDES, Role.PENDAMPING)
    assert allowed(grants, action, OTHER_DESA) is (role in EXPECTED[action] and not desa_scoped)


@pytest.mark.parametrize("action", list(Action))
def test_no_role_no_right(action):
    assert allowed([], action, OWN_DESA) is False


def test_scopes_cover_only_what_lies_inside():
    kabupaten = Grant(Role.ADMIN, ScopeKind.KABUPATEN, "35.08")
    assert kabupaten.covers("35.08.17.2001") and kabupaten.covers("35.08")
    assert not kabupaten.covers("35.09.01") and not kabupaten.covers("35.081")
    assert Grant(Role.ADMIN, ScopeKind.DEPLOYMENT, None).covers("91.01.01.3001")


def test_staf_invites_only_sekdes_and_pendamping_of_their_own_kecamatan():
    staf = [grant(Role.STAF)]
    assert may_invite(staf, Role.SEKDES, OWN_DESA)
    assert may_invite(staf, Role.PENDAMPING, OTHER_DESA)
    assert not may_invite(staf, Role.SEKDES, OTHER_KECAMATAN_DESA)
    for role in (Role.STAF, Role.CAMAT, Role.ADMIN):
        assert not may_invite(staf, role, OWN_KECAMATAN)
    admin = [Grant(Role.ADMIN, ScopeKind.DEPLOYMENT, None)]
    assert all(may_invite(admin, role, OWN_KECAMATAN) for role in Role)
    assert may_invite(admin, Role.ADMIN, None)
    assert not may_invite([grant(Role.ADMIN)], Role.ADMIN, None)
    for role in (Role.SEKDES, Role.PENDAMPING, Role.CAMAT):
        assert not may_invite([grant(role)], Role.SEKDES, OWN_DESA)


def test_several_grants_add_up():
    pendamping_of_two = [
        Grant(Role.PENDAMPING, ScopeKind.DESA, OWN_DESA),
        Grant(Role.PENDAMPING, ScopeKind.DESA, OTHER_DESA),
    ]
    assert allowed(pendamping_of_two, Action.VIEW_STATUS, OTHER_DESA)
    assert not allowed(pendamping_of_two, Action.SUBMIT, OTHER_DESA)
    both = [grant(Role.SEKDES), grant(Role.STAF)]
    assert allowed(both, Action.VERIFY, OTHER_DESA) and allowed(both, Action.SUBMIT, OWN_DESA)
    assert not allowed(both, Action.SUBMIT, OTHER_DESA)
