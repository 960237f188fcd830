"""Errors the domain raises when a workflow step, a rule or a permission says no.

Hierarchy::

    DomainError
    ├── TransitionRefused   the item's state does not allow the action (HTTP 409)
    ├── RuleViolation       the project or job breaks one or more eligibility rules (HTTP 422)
    └── PermissionDenied    the user lacks a tool level or privilege (HTTP 403)

Each message is written for the person who clicked the button: it names the state and the
action, every broken rule with its fix, or exactly which permission is missing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from procore_qb.domain.permissions import Action, MissingPermission
    from procore_qb.domain.problems import Problem

__all__ = [
    "DomainError",
    "Labelled",
    "PermissionDenied",
    "RuleViolation",
    "TransitionRefused",
]


class DomainError(Exception):
    """Root of every error raised by :mod:`procore_qb.domain`."""


class Labelled(Protocol):
    """A state or action that knows how Procore's screens name it."""

    @property
    def value(self) -> str: ...

    @property
    def label(self) -> str: ...


class TransitionRefused(DomainError):
    """The action is not allowed from the item's current state.

    ``str(error)`` reads like "cannot retrieve a project that is Synced".
    """

    def __init__(self, state: Labelled, action: Labelled, *, subject: str = "project") -> None:
        self.state = state
        self.action = action
        self.subject = subject
        super().__init__(f"cannot {action.label} a {subject} that is {state.label}")


class RuleViolation(DomainError):
    """One or more eligibility rules are broken; ``problems`` lists every one of them."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        if not self.problems:
            raise ValueError("RuleViolation needs at least one problem")
        super().__init__(" ".join(p.message for p in self.problems))

    @property
    def rules(self) -> tuple[str, ...]:
        """The stable rule codes, in the order the problems were found."""
        return tuple(p.rule.value for p in self.problems)


class PermissionDenied(DomainError):
    """The user may not perform ``action``; ``missing`` lists each permission they lack.

    ``str(error)`` reads like "You cannot import a QuickBooks job: needs 'Admin' on the
    Directory tool; you have 'Standard'."
    """

    def __init__(self, action: Action, missing: Iterable[MissingPermission]) -> None:
        self.action = action
        self.missing: tuple[MissingPermission, ...] = tuple(missing)
        if not self.missing:
            raise ValueError("PermissionDenied needs at least one missing permission")
        needs = " and ".join(str(m) for m in self.missing)
        super().__init__(f"You cannot {action.label}: {needs}.")
