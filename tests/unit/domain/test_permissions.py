from __future__ import annotations

import itertools

import pytest

from procore_qb.domain.errors import PermissionDenied
from procore_qb.domain.permissions import (
    REQUIREMENTS,
    AccessLevel,
    Action,
    MissingPermission,
    Tool,
    UserPermissions,
    allowed_actions,
    check,
    missing_for,
)

L = AccessLevel
ERP, DIR, PADMIN = Tool.ERP_INTEGRATIONS, Tool.DIRECTORY, Tool.PROJECT_ADMIN
PROJECT = 1042

# spec/procore-workflow.md §4 and issue 2 item 5, written out independently of the module:
# action -> (minimum level per tool, needs "Can Push to Accounting").
EXPECTED: dict[Action, tuple[dict[Tool, AccessLevel], bool]] = {
    Action.SEND: ({PADMIN: L.ADMIN}, False),
    Action.RETRIEVE: ({PADMIN: L.ADMIN}, False),
    Action.RESEND: ({PADMIN: L.ADMIN}, False),
    Action.ACCEPT: ({ERP: L.STANDARD}, True),
    Action.REJECT: ({ERP: L.STANDARD}, True),
    Action.RETRY: ({ERP: L.STANDARD}, True),
    Action.IMPORT_NEW: ({ERP: L.ADMIN, DIR: L.ADMIN}, False),
    Action.LINK: ({ERP: L.ADMIN, DIR: L.ADMIN}, False),
    Action.ARCHIVE: ({ERP: L.ADMIN, DIR: L.ADMIN}, False),
    Action.RESTORE: ({ERP: L.ADMIN, DIR: L.ADMIN}, False),
    Action.REFRESH_JOBS: ({ERP: L.ADMIN, DIR: L.ADMIN}, False),
    Action.RESET: ({ERP: L.ADMIN}, False),
    Action.VIEW_JOBS: ({ERP: L.READ_ONLY}, False),
    Action.CONFIGURE: ({ERP: L.ADMIN}, False),
    Action.ENABLE_JOB_COST_SYNC: ({PADMIN: L.ADMIN}, False),
    Action.SYNC_JOB_COSTS: ({ERP: L.ADMIN}, False),
    Action.VIEW_JOB_COSTS: ({ERP: L.ADMIN}, False),
    # "Accept/Reject/Export ... cost codes" [S4, S16, S28].
    Action.ACCEPT_COST_CODES: ({ERP: L.STANDARD}, True),
    Action.REJECT_COST_CODES: ({ERP: L.STANDARD}, True),
    Action.RETRY_COST_CODES: ({ERP: L.STANDARD}, True),
    Action.REFRESH_COST_CODES: ({ERP: L.ADMIN}, False),
    # "Delete project cost codes (QBD)": 'Admin' on project Admin [S34].
    Action.DELETE_PROJECT_COST_CODE: ({PADMIN: L.ADMIN}, False),
}


def user(levels: dict[Tool, AccessLevel], *, push: bool = False) -> UserPermissions:
    company = {t: lv for t, lv in levels.items() if t is not PADMIN}
    project = {PROJECT: levels[PADMIN]} if PADMIN in levels else {}
    return UserPermissions(
        user_id=7, company_tools=company, project_admin=project, can_push_to_accounting=push
    )


def project_id_for(action: Action) -> int | None:
    return PROJECT if REQUIREMENTS[action].per_project else None


def test_every_action_has_a_requirement() -> None:
    assert set(REQUIREMENTS) == set(Action)


@pytest.mark.parametrize("action", list(Action))
def test_the_table_matches_the_spec(action: Action) -> None:
    levels, push = EXPECTED[action]
    requirement = REQUIREMENTS[action]
    assert {t.tool: t.level for t in requirement.tools} == levels
    assert requirement.can_push_to_accounting is push


CASES = [(action, tool, level) for action in Action for tool in Tool for level in AccessLevel]


@pytest.mark.parametrize(("action", "tool", "level"), CASES)
def test_every_action_against_every_access_level(
    action: Action, tool: Tool, level: AccessLevel
) -> None:
    needed, push = EXPECTED[action]
    # Everything else the action needs is granted; only `tool` varies.
    levels = {**needed, tool: level}
    granted = user(levels, push=push)
    pid = project_id_for(action)
    allowed = level >= needed.get(tool, L.NONE)
    if allowed:
        check(granted, action, project_id=pid)
        assert missing_for(granted, action, project_id=pid) == ()
        return
    with pytest.raises(PermissionDenied) as denied:
        check(granted, action, project_id=pid)
    assert denied.value.missing == (MissingPermission(tool, needed[tool], level),)
    assert f"you have '{level.label}'" in str(denied.value)
    assert tool.label in str(denied.value)


@pytest.mark.parametrize("action", list(Action))
def test_the_privilege(action: Action) -> None:
    needed, push = EXPECTED[action]
    pid = project_id_for(action)
    without = user(needed, push=False)
    if not push:
        check(without, action, project_id=pid)
        return
    with pytest.raises(PermissionDenied) as denied:
        check(without, action, project_id=pid)
    assert denied.value.missing == (MissingPermission(None),)
    assert "needs the 'Can Push to Accounting' privilege" in str(denied.value)
    check(user(needed, push=True), action, project_id=pid)


def test_the_message_names_exactly_what_is_missing() -> None:
    dan = user({ERP: L.ADMIN, DIR: L.STANDARD})
    with pytest.raises(PermissionDenied) as denied:
        check(dan, Action.IMPORT_NEW)
    assert str(denied.value) == (
        "You cannot add a QuickBooks job to Procore: "
        "needs 'Admin' on the Directory tool; you have 'Standard'."
    )


def test_several_missing_permissions_are_all_named() -> None:
    eve = user({ERP: L.READ_ONLY, DIR: L.READ_ONLY})
    with pytest.raises(PermissionDenied) as denied:
        check(eve, Action.ACCEPT)
    assert str(denied.value) == (
        "You cannot accept a project for export to QuickBooks: needs 'Standard' or 'Admin' on "
        "the ERP Integrations tool; you have 'Read Only' and needs the 'Can Push to "
        "Accounting' privilege."
    )


def test_project_admin_is_per_project() -> None:
    cara = user({PADMIN: L.ADMIN})
    check(cara, Action.SEND, project_id=PROJECT)
    with pytest.raises(PermissionDenied, match="the project's Admin tool; you have 'None'"):
        check(cara, Action.SEND, project_id=PROJECT + 1)


def test_a_per_project_action_needs_the_project() -> None:
    with pytest.raises(ValueError, match="pass project_id"):
        check(user({}), Action.RETRIEVE)


def test_access_levels_are_ordered() -> None:
    assert [lv.label for lv in sorted(AccessLevel)] == ["None", "Read Only", "Standard", "Admin"]
    assert all(a < b for a, b in itertools.pairwise(sorted(AccessLevel)))


def test_the_seed_world_users() -> None:
    """The demo users of DESIGN.md §4 get what their descriptions promise."""
    ada = user({ERP: L.ADMIN, DIR: L.ADMIN}, push=True)
    ben = user({ERP: L.STANDARD, DIR: L.READ_ONLY}, push=True)
    cara = user({PADMIN: L.ADMIN})
    dan = user({ERP: L.ADMIN, DIR: L.STANDARD})
    for action in (Action.ACCEPT, Action.IMPORT_NEW, Action.RESET, Action.CONFIGURE):
        check(ada, action)
    check(ben, Action.ACCEPT)
    assert missing_for(ben, Action.LINK)
    check(cara, Action.SEND, project_id=PROJECT)
    assert missing_for(cara, Action.ACCEPT)
    assert missing_for(dan, Action.ARCHIVE) == (MissingPermission(DIR, L.ADMIN, L.STANDARD),)


@pytest.mark.parametrize("level", list(AccessLevel))
def test_access_level_codes_round_trip(level: AccessLevel) -> None:
    assert AccessLevel.from_code(level.code) is level
    assert AccessLevel.from_code(level.label) is level


def test_access_level_codes_match_the_store() -> None:
    assert [lv.code for lv in AccessLevel] == ["none", "read_only", "standard", "admin"]


def test_an_unknown_access_level_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown Procore access level 'owner'"):
        AccessLevel.from_code("owner")


def test_allowed_actions() -> None:
    ben = user({ERP: L.STANDARD, DIR: L.READ_ONLY}, push=True)
    assert allowed_actions(ben) == {
        Action.ACCEPT,
        Action.REJECT,
        Action.RETRY,
        Action.VIEW_JOBS,
        Action.ACCEPT_COST_CODES,
        Action.REJECT_COST_CODES,
        Action.RETRY_COST_CODES,
    }
    cara = user({PADMIN: L.ADMIN})
    assert allowed_actions(cara) == frozenset()
    assert allowed_actions(cara, project_id=PROJECT) == {
        Action.SEND,
        Action.RETRIEVE,
        Action.RESEND,
        Action.ENABLE_JOB_COST_SYNC,
        Action.DELETE_PROJECT_COST_CODE,
    }
    everything = user({ERP: L.ADMIN, DIR: L.ADMIN, PADMIN: L.ADMIN}, push=True)
    assert allowed_actions(everything, project_id=PROJECT) == set(Action)
