"""Who may do what: Procore tool access levels, the "Can Push to Accounting" privilege, and one
table from action to requirement (spec/procore-workflow.md §2.1 and §4; issue 2 item 5).

A requirement is a conjunction: every listed tool level and, when asked, the privilege.
:func:`check` raises :class:`PermissionDenied` naming each thing the user lacks.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from procore_qb.domain.errors import PermissionDenied

__all__ = [
    "REQUIREMENTS",
    "AccessLevel",
    "Action",
    "MissingPermission",
    "Requirement",
    "Tool",
    "ToolLevel",
    "UserPermissions",
    "allowed_actions",
    "check",
    "missing_for",
]


class AccessLevel(enum.IntEnum):
    """Procore's tool permission levels, ordered: None < Read Only < Standard < Admin."""

    NONE = 0
    READ_ONLY = 1
    STANDARD = 2
    ADMIN = 3

    @property
    def label(self) -> str:
        """Procore's name for the level: 'None', 'Read Only', 'Standard', 'Admin'."""
        return _LEVEL_LABELS[self]

    @property
    def code(self) -> str:
        """The stored form: 'none', 'read_only', 'standard', 'admin'."""
        return self.name.lower()

    @classmethod
    def from_code(cls, code: str) -> AccessLevel:
        """Parse the stored form (or Procore's label, any case)."""
        key = code.strip().lower().replace(" ", "_")
        for level in cls:
            if level.code == key:
                return level
        known = ", ".join(repr(level.code) for level in cls)
        raise ValueError(f"unknown Procore access level {code!r}; expected one of {known}")


_LEVEL_LABELS = {
    AccessLevel.NONE: "None",
    AccessLevel.READ_ONLY: "Read Only",
    AccessLevel.STANDARD: "Standard",
    AccessLevel.ADMIN: "Admin",
}


class Tool(enum.StrEnum):
    """The Procore tools whose levels matter here. ``project_admin`` is per project."""

    ERP_INTEGRATIONS = "erp_integrations"
    DIRECTORY = "directory"
    PROJECT_ADMIN = "project_admin"

    @property
    def label(self) -> str:
        return _TOOL_LABELS[self]

    @property
    def per_project(self) -> bool:
        return self is Tool.PROJECT_ADMIN


_TOOL_LABELS = {
    Tool.ERP_INTEGRATIONS: "the ERP Integrations tool",
    Tool.DIRECTORY: "the Directory tool",
    Tool.PROJECT_ADMIN: "the project's Admin tool",
}


class Action(enum.StrEnum):
    """Everything a user can ask procore-qb to do."""

    SEND = "send"
    RETRIEVE = "retrieve"
    RESEND = "resend"
    ACCEPT = "accept"
    REJECT = "reject"
    RETRY = "retry"
    IMPORT_NEW = "import_new"
    LINK = "link"
    ARCHIVE = "archive"
    RESTORE = "restore"
    REFRESH_JOBS = "refresh_jobs"
    RESET = "reset"
    VIEW_JOBS = "view_jobs"
    CONFIGURE = "configure"
    ENABLE_JOB_COST_SYNC = "enable_job_cost_sync"
    SYNC_JOB_COSTS = "sync_job_costs"
    VIEW_JOB_COSTS = "view_job_costs"
    ACCEPT_COST_CODES = "accept_cost_codes"
    REJECT_COST_CODES = "reject_cost_codes"
    RETRY_COST_CODES = "retry_cost_codes"
    REFRESH_COST_CODES = "refresh_cost_codes"
    DELETE_PROJECT_COST_CODE = "delete_project_cost_code"

    @property
    def label(self) -> str:
        return _ACTION_LABELS[self]


_ACTION_LABELS = {
    Action.SEND: "send a project to ERP",
    Action.RETRIEVE: "retrieve a project from ERP",
    Action.RESEND: "re-send a project to ERP",
    Action.ACCEPT: "accept a project for export to QuickBooks",
    Action.REJECT: "reject a project for export to QuickBooks",
    Action.RETRY: "retry a failed export to QuickBooks",
    Action.IMPORT_NEW: "add a QuickBooks job to Procore",
    Action.LINK: "link a QuickBooks job to an existing project",
    Action.ARCHIVE: "archive a QuickBooks job",
    Action.RESTORE: "restore an archived QuickBooks job",
    Action.REFRESH_JOBS: "refresh the QuickBooks job list",
    Action.RESET: "reset a synced project",
    Action.VIEW_JOBS: "view the ERP Integrations jobs",
    Action.CONFIGURE: "configure the QuickBooks integration",
    Action.ENABLE_JOB_COST_SYNC: "change job cost syncing on a project",
    Action.SYNC_JOB_COSTS: "sync job costs from QuickBooks",
    Action.VIEW_JOB_COSTS: "view the ERP job costs",
    Action.ACCEPT_COST_CODES: "accept standard cost codes for export to QuickBooks",
    Action.REJECT_COST_CODES: "reject standard cost codes for export to QuickBooks",
    Action.RETRY_COST_CODES: "retry a failed cost code export to QuickBooks",
    Action.REFRESH_COST_CODES: "refresh the QuickBooks Standard Cost Codes list",
    Action.DELETE_PROJECT_COST_CODE: "delete a synced project cost code",
}


@dataclass(frozen=True, slots=True)
class ToolLevel:
    """At least ``level`` on ``tool``."""

    tool: Tool
    level: AccessLevel


@dataclass(frozen=True, slots=True)
class Requirement:
    """Every one of ``tools`` and, if set, the "Can Push to Accounting" privilege."""

    tools: tuple[ToolLevel, ...]
    can_push_to_accounting: bool = False
    source: str = ""

    @property
    def per_project(self) -> bool:
        return any(t.tool.per_project for t in self.tools)


_ERP = Tool.ERP_INTEGRATIONS
_DIR = Tool.DIRECTORY
_PADMIN = Tool.PROJECT_ADMIN
_L = AccessLevel

# The project's sender: 'Admin' on the project-level Admin tool [S3, S21, S22].
_PROJECT_ADMIN = Requirement((ToolLevel(_PADMIN, _L.ADMIN),), source="spec §4 [S3, S21, S22]")
# Accounting Approver: 'Standard' or 'Admin' on ERP Integrations AND 'Can Push to Accounting'
# [S4, S16, S28].
_APPROVER = Requirement(
    (ToolLevel(_ERP, _L.STANDARD),), can_push_to_accounting=True, source="spec §4 [S4, S16, S28]"
)
# The whole "Sync Procore Projects with QuickBooks Jobs" procedure, which Path B is part of:
# 'Admin' on ERP Integrations AND 'Admin' on the company Directory [S1]; importing creates a
# project, hence the Directory (spec §2.3).
_ERP_AND_DIRECTORY_ADMIN = Requirement(
    (ToolLevel(_ERP, _L.ADMIN), ToolLevel(_DIR, _L.ADMIN)), source="spec §4 [S1], §2.3"
)
_ERP_ADMIN = Requirement((ToolLevel(_ERP, _L.ADMIN),), source="spec §4 [S12, S33, S27]")

REQUIREMENTS: Mapping[Action, Requirement] = MappingProxyType(
    {
        Action.SEND: _PROJECT_ADMIN,
        Action.RETRIEVE: _PROJECT_ADMIN,
        Action.RESEND: _PROJECT_ADMIN,
        Action.ACCEPT: _APPROVER,
        Action.REJECT: _APPROVER,
        # Retrying re-runs the export the approver accepted: the approver's requirement.
        Action.RETRY: _APPROVER,
        Action.IMPORT_NEW: _ERP_AND_DIRECTORY_ADMIN,
        Action.LINK: _ERP_AND_DIRECTORY_ADMIN,
        Action.ARCHIVE: _ERP_AND_DIRECTORY_ADMIN,
        Action.RESTORE: _ERP_AND_DIRECTORY_ADMIN,
        # "Refresh Job List" stages QuickBooks jobs for import: part of Path B.
        Action.REFRESH_JOBS: _ERP_AND_DIRECTORY_ADMIN,
        # Procore keeps reset for its ERP support; here the ERP Integrations admin (issue 2).
        Action.RESET: _ERP_ADMIN,
        # Reading the Jobs tab: any access to the tool.
        Action.VIEW_JOBS: Requirement((ToolLevel(_ERP, _L.READ_ONLY),), source="spec §3.1"),
        # Settings and sync schedule [S12, S33].
        Action.CONFIGURE: _ERP_ADMIN,
        # Project Admin → General → Advanced → "Enable ERP Job Cost Transaction Syncing" [S25].
        Action.ENABLE_JOB_COST_SYNC: Requirement(
            (ToolLevel(_PADMIN, _L.ADMIN),), source="spec §2.6 [S25]"
        ),
        # The company-level Job Costs report and its on-demand update need ERP Admin [S27].
        Action.SYNC_JOB_COSTS: _ERP_ADMIN,
        Action.VIEW_JOB_COSTS: _ERP_ADMIN,
        # Accept/Reject/Export "cost codes": the accounting approver [S4, S16, S28].
        Action.ACCEPT_COST_CODES: _APPROVER,
        Action.REJECT_COST_CODES: _APPROVER,
        Action.RETRY_COST_CODES: _APPROVER,
        # Rebuilding the list from QuickBooks' items is part of the sync schedule [S12, S33].
        Action.REFRESH_COST_CODES: _ERP_ADMIN,
        # "Delete Project Cost Codes from a Procore + QuickBooks Project": project Admin [S34].
        Action.DELETE_PROJECT_COST_CODE: Requirement(
            (ToolLevel(_PADMIN, _L.ADMIN),), source="spec §4, §3.4 [S34]"
        ),
    }
)


@dataclass(frozen=True, slots=True, kw_only=True)
class UserPermissions:
    """A Procore user's permissions as Procore reports them.

    ``company_tools`` holds company-level tool levels; ``project_admin`` holds the project
    Admin tool level per project id. Anything missing counts as 'None'.
    """

    user_id: int
    company_tools: Mapping[Tool, AccessLevel] = field(default_factory=dict)
    project_admin: Mapping[int, AccessLevel] = field(default_factory=dict)
    can_push_to_accounting: bool = False

    def level(self, tool: Tool, *, project_id: int | None = None) -> AccessLevel:
        if tool.per_project:
            if project_id is None:
                raise ValueError(f"{tool.label} is per project: pass project_id")
            return self.project_admin.get(project_id, AccessLevel.NONE)
        return self.company_tools.get(tool, AccessLevel.NONE)


@dataclass(frozen=True, slots=True)
class MissingPermission:
    """One thing a user lacks: a tool level (``tool`` set) or the privilege (``tool`` None)."""

    tool: Tool | None
    needed: AccessLevel = AccessLevel.NONE
    has: AccessLevel = AccessLevel.NONE

    def __str__(self) -> str:
        if self.tool is None:
            return "needs the 'Can Push to Accounting' privilege"
        return f"needs {_AT_LEAST[self.needed]} on {self.tool.label}; you have '{self.has.label}'"


_AT_LEAST = {
    AccessLevel.NONE: "'None'",
    AccessLevel.READ_ONLY: "'Read Only' or higher",
    AccessLevel.STANDARD: "'Standard' or 'Admin'",
    AccessLevel.ADMIN: "'Admin'",
}


def missing_for(
    user: UserPermissions, action: Action, *, project_id: int | None = None
) -> tuple[MissingPermission, ...]:
    """What ``user`` lacks for ``action`` (empty when allowed).

    Actions on one project (send, retrieve, re-send, job cost syncing) need ``project_id``.
    """
    requirement = REQUIREMENTS[action]
    if requirement.per_project and project_id is None:
        raise ValueError(f"'{action.value}' is checked per project: pass project_id")
    missing: list[MissingPermission] = []
    for need in requirement.tools:
        has = user.level(need.tool, project_id=project_id)
        if has < need.level:
            missing.append(MissingPermission(need.tool, need.level, has))
    if requirement.can_push_to_accounting and not user.can_push_to_accounting:
        missing.append(MissingPermission(None))
    return tuple(missing)


def check(user: UserPermissions, action: Action, *, project_id: int | None = None) -> None:
    """Return if ``user`` may perform ``action``; raise :class:`PermissionDenied` otherwise."""
    missing = missing_for(user, action, project_id=project_id)
    if missing:
        raise PermissionDenied(action, missing)


def allowed_actions(user: UserPermissions, *, project_id: int | None = None) -> frozenset[Action]:
    """Every action ``user`` may perform: company-wide ones, plus those on ``project_id`` when
    given (what a page needs to decide which buttons to show)."""
    return frozenset(
        action
        for action, requirement in REQUIREMENTS.items()
        if (project_id is not None or not requirement.per_project)
        and not missing_for(user, action, project_id=project_id)
    )
