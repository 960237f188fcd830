from __future__ import annotations

import pytest

from procore_qb.domain.errors import (
    DomainError,
    PermissionDenied,
    RuleViolation,
    TransitionRefused,
)
from procore_qb.domain.export_workflow import ExportAction, ExportState
from procore_qb.domain.permissions import AccessLevel, Action, MissingPermission, Tool
from procore_qb.domain.problems import Problem, RuleCode


def test_every_error_shares_one_root() -> None:
    for cls in (TransitionRefused, RuleViolation, PermissionDenied):
        assert issubclass(cls, DomainError)


def test_transition_refused_names_state_and_action() -> None:
    error = TransitionRefused(ExportState.SYNCED, ExportAction.RETRIEVE)
    assert str(error) == "cannot retrieve a project that is Synced"
    assert (error.state, error.action) == (ExportState.SYNCED, ExportAction.RETRIEVE)


def test_rule_violation_carries_every_problem() -> None:
    problems = [
        Problem(RuleCode.PROJECT_INACTIVE, "The project is inactive."),
        Problem(RuleCode.NO_COST_CODES, "The project has no cost codes."),
    ]
    error = RuleViolation(problems)
    assert error.problems == tuple(problems)
    assert error.rules == ("project_inactive", "no_cost_codes")
    assert str(error) == "The project is inactive. The project has no cost codes."


def test_rule_violation_needs_a_problem() -> None:
    with pytest.raises(ValueError, match="at least one problem"):
        RuleViolation([])


def test_permission_denied_names_the_missing_permission() -> None:
    missing = MissingPermission(Tool.DIRECTORY, AccessLevel.ADMIN, AccessLevel.STANDARD)
    error = PermissionDenied(Action.LINK, [missing])
    assert error.action is Action.LINK
    assert error.missing == (missing,)
    assert str(error) == (
        "You cannot link a QuickBooks job to an existing project: "
        "needs 'Admin' on the Directory tool; you have 'Standard'."
    )


def test_permission_denied_needs_something_missing() -> None:
    with pytest.raises(ValueError, match="at least one missing permission"):
        PermissionDenied(Action.LINK, [])
