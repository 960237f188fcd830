"""Path A: a Procore project sent to ERP, approved and exported to QuickBooks.

The states and actions follow Procore's ERP Integrations Jobs tab (spec/procore-workflow.md
§2.2; issue 2 item 5)::

    first export (no QuickBooks job yet)       update (the QuickBooks job exists)
    unsynced         send      ready_to_export  synced           resend    ready_to_update
    ready_to_export  retrieve  unsynced         synced           reset     unsynced
    ready_to_export  reject    rejected         ready_to_update  accept    exporting
    ready_to_export  accept    exporting        ready_to_update  retrieve  synced
    rejected         resend    ready_to_export  ready_to_update  reject    synced
    exporting        succeeded synced           exporting        succeeded synced
    exporting        failed    failed_to_export exporting        failed    failed_to_export
    failed_to_export retry     exporting        failed_to_export retry     exporting
    failed_to_export reject    rejected         failed_to_export reject    synced

**Updates.** Once the QuickBooks job exists the item never falls back to ``unsynced`` or
``rejected`` (only a reset unlinks it). So while a *Re-send to ERP* waits in ``ready_to_update``
the sender may still **retrieve** it and an approver may **reject** it: both return it to
``synced``, keeping the job and its link (a rejection keeps its comment). The same holds for a
failed update that an approver rejects. That is why the table is keyed on whether the item's job
is already in QuickBooks as well as on state and action: ``exporting`` and
``failed_to_export`` are shared by first exports and updates.

Invariants (checked on every :class:`ExportItem`): ``synced`` and ``ready_to_update`` always have
the QuickBooks job; ``unsynced``, ``ready_to_export`` and ``rejected`` never do;
``failed_to_export`` always has QuickBooks' error and no other state has one; the frozen snapshot
is present exactly while a send is pending or exporting; a first export that is ``exporting``
or ``failed_to_export`` always knows the customer chosen at accept time.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from types import MappingProxyType
from typing import Any

from procore_qb.domain.errors import RuleViolation, TransitionRefused
from procore_qb.domain.problems import Problem, RuleCode
from procore_qb.domain.project import ProcoreProject
from procore_qb.domain.times import require_aware

__all__ = [
    "EXPORT_TRANSITIONS",
    "CustomerChoice",
    "ExportAction",
    "ExportItem",
    "ExportState",
    "QuickBooksLink",
    "next_export_state",
]


class ExportState(enum.StrEnum):
    """Where a project stands on its way to QuickBooks (the Jobs tab filters)."""

    UNSYNCED = "unsynced"
    READY_TO_EXPORT = "ready_to_export"
    REJECTED = "rejected"
    EXPORTING = "exporting"
    FAILED_TO_EXPORT = "failed_to_export"
    SYNCED = "synced"
    READY_TO_UPDATE = "ready_to_update"

    @property
    def label(self) -> str:
        return _STATE_LABELS[self]


_STATE_LABELS = {
    ExportState.UNSYNCED: "Unsynced",
    ExportState.READY_TO_EXPORT: "Ready to Export",
    ExportState.REJECTED: "Rejected",
    ExportState.EXPORTING: "Exporting",
    ExportState.FAILED_TO_EXPORT: "Failed to Export",
    ExportState.SYNCED: "Synced",
    ExportState.READY_TO_UPDATE: "Ready to Update",
}


class ExportAction(enum.StrEnum):
    """What a person (or QuickBooks' answer) does to an export item."""

    SEND = "send"
    RETRIEVE = "retrieve"
    REJECT = "reject"
    ACCEPT = "accept"
    EXPORT_SUCCEEDED = "export_succeeded"
    EXPORT_FAILED = "export_failed"
    RETRY = "retry"
    RESEND = "resend"
    RESET = "reset"

    @property
    def label(self) -> str:
        return _ACTION_LABELS[self]


_ACTION_LABELS = {
    ExportAction.SEND: "send",
    ExportAction.RETRIEVE: "retrieve",
    ExportAction.REJECT: "reject",
    ExportAction.ACCEPT: "accept",
    ExportAction.EXPORT_SUCCEEDED: "complete the export of",
    ExportAction.EXPORT_FAILED: "fail the export of",
    ExportAction.RETRY: "retry",
    ExportAction.RESEND: "re-send",
    ExportAction.RESET: "reset",
}

_S = ExportState
_A = ExportAction

# (state, action, the QuickBooks job already exists) -> next state. Sources: issue 2 item 5 and
# spec/procore-workflow.md §2.2 (transition table); the update rows are the documented choice
# in the module docstring.
EXPORT_TRANSITIONS: Mapping[tuple[ExportState, ExportAction, bool], ExportState] = MappingProxyType(
    {
        # First export.
        (_S.UNSYNCED, _A.SEND, False): _S.READY_TO_EXPORT,
        (_S.READY_TO_EXPORT, _A.RETRIEVE, False): _S.UNSYNCED,
        (_S.READY_TO_EXPORT, _A.REJECT, False): _S.REJECTED,
        (_S.READY_TO_EXPORT, _A.ACCEPT, False): _S.EXPORTING,
        (_S.REJECTED, _A.RESEND, False): _S.READY_TO_EXPORT,
        (_S.EXPORTING, _A.EXPORT_SUCCEEDED, False): _S.SYNCED,
        (_S.EXPORTING, _A.EXPORT_FAILED, False): _S.FAILED_TO_EXPORT,
        (_S.FAILED_TO_EXPORT, _A.RETRY, False): _S.EXPORTING,
        (_S.FAILED_TO_EXPORT, _A.REJECT, False): _S.REJECTED,
        # Updates of a job that exists in QuickBooks.
        (_S.SYNCED, _A.RESEND, True): _S.READY_TO_UPDATE,
        (_S.SYNCED, _A.RESET, True): _S.UNSYNCED,
        (_S.READY_TO_UPDATE, _A.ACCEPT, True): _S.EXPORTING,
        (_S.READY_TO_UPDATE, _A.RETRIEVE, True): _S.SYNCED,
        (_S.READY_TO_UPDATE, _A.REJECT, True): _S.SYNCED,
        (_S.EXPORTING, _A.EXPORT_SUCCEEDED, True): _S.SYNCED,
        (_S.EXPORTING, _A.EXPORT_FAILED, True): _S.FAILED_TO_EXPORT,
        (_S.FAILED_TO_EXPORT, _A.RETRY, True): _S.EXPORTING,
        (_S.FAILED_TO_EXPORT, _A.REJECT, True): _S.SYNCED,
    }
)

_ALWAYS_IN_QUICKBOOKS = frozenset({_S.SYNCED, _S.READY_TO_UPDATE})
_NEVER_IN_QUICKBOOKS = frozenset({_S.UNSYNCED, _S.READY_TO_EXPORT, _S.REJECTED})
_WITH_SNAPSHOT = frozenset(
    {_S.READY_TO_EXPORT, _S.READY_TO_UPDATE, _S.EXPORTING, _S.FAILED_TO_EXPORT}
)


def next_export_state(
    state: ExportState, action: ExportAction, *, in_quickbooks: bool | None = None
) -> ExportState:
    """The state after ``action``, or :class:`TransitionRefused`.

    ``in_quickbooks`` says whether the item's QuickBooks job already exists; leave it out for
    states that imply it (only ``exporting`` and ``failed_to_export`` are shared by first
    exports and updates, and default to a first export).
    """
    exists = state in _ALWAYS_IN_QUICKBOOKS if in_quickbooks is None else in_quickbooks
    target = EXPORT_TRANSITIONS.get((state, action, exists))
    if target is None:
        raise TransitionRefused(state, action)
    return target


@dataclass(frozen=True, slots=True)
class QuickBooksLink:
    """The QuickBooks job a project is synced with: ListID/Id, full name, EditSequence/SyncToken."""

    job_id: str
    full_name: str
    version: str

    def __post_init__(self) -> None:
        if not self.job_id or not self.full_name or not self.version:
            raise ValueError("a QuickBooks link needs the job id, full name and version")


@dataclass(frozen=True, slots=True)
class CustomerChoice:
    """The accept step's "Customer" choice: an existing QuickBooks customer, or a new one."""

    customer_id: str | None = None
    new_customer_name: str | None = None

    def __post_init__(self) -> None:
        if (self.customer_id is None) == (self.new_customer_name is None):
            raise ValueError("choose either an existing customer id or a new customer name")
        if self.customer_id == "" or self.new_customer_name == "":
            raise ValueError("a customer choice may not be blank")

    @classmethod
    def existing(cls, customer_id: str) -> CustomerChoice:
        return cls(customer_id=customer_id)

    @classmethod
    def new(cls, name: str) -> CustomerChoice:
        return cls(new_customer_name=name)

    @property
    def is_new(self) -> bool:
        return self.new_customer_name is not None


@dataclass(frozen=True, slots=True, kw_only=True)
class ExportItem:
    """One project's place in Path A. Immutable: every action returns the new item.

    ``by`` arguments identify the user acting (whichever user id the caller keeps); ``at``
    arguments are timezone-aware times supplied by the caller. ``changed_by`` is None after a
    QuickBooks outcome. A refused transition is reported before any problem with the arguments.
    """

    project_id: int
    company_id: int
    state: ExportState = ExportState.UNSYNCED
    snapshot: ProcoreProject | None = None
    sent_by: int | None = None
    sent_at: datetime | None = None
    customer: CustomerChoice | None = None
    decided_by: int | None = None
    comment: str = ""
    quickbooks: QuickBooksLink | None = None
    error: str | None = None
    changed_by: int | None = None
    changed_at: datetime | None = None

    def __post_init__(self) -> None:
        problems = _invariant_breaches(self)
        if problems:
            raise ValueError(f"inconsistent export item for project {self.project_id}: {problems}")

    # ------------------------------------------------------------------ constructors

    @classmethod
    def new(cls, *, project_id: int, company_id: int) -> ExportItem:
        """An unsynced project that has never been sent."""
        return cls(project_id=project_id, company_id=company_id)

    @classmethod
    def linked(
        cls, *, project_id: int, company_id: int, quickbooks: QuickBooksLink, at: datetime
    ) -> ExportItem:
        """A project that became synced through Path B (added from, or linked to, a QuickBooks
        job); it can later be re-sent to update that job."""
        require_aware(at)
        return cls(
            project_id=project_id,
            company_id=company_id,
            state=ExportState.SYNCED,
            quickbooks=quickbooks,
            changed_at=at,
        )

    # ------------------------------------------------------------------ queries

    @property
    def in_quickbooks(self) -> bool:
        """Whether the project's QuickBooks job exists (first export done, not reset)."""
        return self.quickbooks is not None

    def allows(self, action: ExportAction) -> bool:
        return (self.state, action, self.in_quickbooks) in EXPORT_TRANSITIONS

    # ------------------------------------------------------------------ sender side

    def send(self, snapshot: ProcoreProject, *, by: int, at: datetime) -> ExportItem:
        """*Send to ERP*: freeze ``snapshot`` and wait in Ready to Export."""
        self._require(_A.SEND)
        return self._move(_A.SEND, by, at, **self._sent(snapshot, by, at))

    def resend(self, snapshot: ProcoreProject, *, by: int, at: datetime) -> ExportItem:
        """*Re-send to ERP*: after a rejection (→ Ready to Export) or to update the synced job
        (→ Ready to Update)."""
        self._require(_A.RESEND)
        return self._move(_A.RESEND, by, at, comment="", **self._sent(snapshot, by, at))

    def retrieve(self, *, by: int, at: datetime) -> ExportItem:
        """*Retrieve from ERP* before a decision: the project is editable again."""
        return self._move(_A.RETRIEVE, by, at, **_UNSENT)

    # ------------------------------------------------------------------ approver side

    def accept(
        self, *, by: int, at: datetime, customer: CustomerChoice | None = None
    ) -> ExportItem:
        """*Accept* and export. A first export needs the QuickBooks customer the job goes
        under (or a new customer); an update may leave it out to keep the job where it is."""
        self._require(_A.ACCEPT)
        if customer is None and not self.in_quickbooks:
            raise RuleViolation(
                [
                    Problem(
                        RuleCode.CUSTOMER_REQUIRED,
                        "Choose the QuickBooks customer this job goes under, or enter the "
                        "name of a new customer, then click Accept.",
                    )
                ]
            )
        return self._move(_A.ACCEPT, by, at, customer=customer, decided_by=by, comment="")

    def reject(self, *, by: int, at: datetime, comment: str = "") -> ExportItem:
        """*Reject* with an optional comment, from Ready to Export/Update or Failed to Export."""
        return self._move(_A.REJECT, by, at, decided_by=by, comment=comment, **_UNSENT)

    def retry(self, *, by: int, at: datetime) -> ExportItem:
        """Export a failed item again, with the same snapshot and customer."""
        return self._move(_A.RETRY, by, at, error=None)

    def reset(self, *, by: int, at: datetime) -> ExportItem:
        """Unlink a synced project (ERP admin). The QuickBooks job is left as it is."""
        return self._move(_A.RESET, by, at, quickbooks=None, comment="", **_UNSENT)

    # ------------------------------------------------------------------ QuickBooks' answer

    def succeeded(self, *, job_id: str, full_name: str, version: str, at: datetime) -> ExportItem:
        """QuickBooks created or updated the job; ``version`` is its new EditSequence/SyncToken."""
        self._require(_A.EXPORT_SUCCEEDED)
        if self.quickbooks is not None and self.quickbooks.job_id != job_id:
            raise ValueError(
                f"the update of QuickBooks job {self.quickbooks.job_id} came back for job {job_id}"
            )
        link = QuickBooksLink(job_id=job_id, full_name=full_name, version=version)
        return self._move(_A.EXPORT_SUCCEEDED, None, at, quickbooks=link, **_UNSENT)

    def failed(self, *, message: str, at: datetime) -> ExportItem:
        """QuickBooks refused the export; ``message`` is QuickBooks' own text."""
        self._require(_A.EXPORT_FAILED)
        if not message.strip():
            raise ValueError("a failed export needs QuickBooks' error message")
        return self._move(_A.EXPORT_FAILED, None, at, error=message)

    # ------------------------------------------------------------------ internals

    def _require(self, action: ExportAction) -> None:
        next_export_state(self.state, action, in_quickbooks=self.in_quickbooks)

    def _sent(self, snapshot: ProcoreProject, by: int, at: datetime) -> dict[str, Any]:
        if snapshot.id != self.project_id:
            raise ValueError(
                f"snapshot of project {snapshot.id} sent for project {self.project_id}"
            )
        return {"snapshot": snapshot, "sent_by": by, "sent_at": at, "customer": None}

    def _move(
        self, action: ExportAction, by: int | None, at: datetime, **changes: Any
    ) -> ExportItem:
        require_aware(at)
        target = next_export_state(self.state, action, in_quickbooks=self.in_quickbooks)
        return replace(self, state=target, changed_by=by, changed_at=at, **changes)


_UNSENT: Mapping[str, Any] = MappingProxyType({"snapshot": None, "customer": None, "error": None})


def _invariant_breaches(item: ExportItem) -> list[str]:
    state = item.state
    out: list[str] = []
    if state in _ALWAYS_IN_QUICKBOOKS and item.quickbooks is None:
        out.append(f"{state} needs the QuickBooks job")
    if state in _NEVER_IN_QUICKBOOKS and item.quickbooks is not None:
        out.append(f"{state} cannot have a QuickBooks job")
    if (state is _S.FAILED_TO_EXPORT) != bool(item.error):
        out.append("an error is present exactly when the export failed")
    if (state in _WITH_SNAPSHOT) != (item.snapshot is not None):
        out.append(f"{state} {'needs' if state in _WITH_SNAPSHOT else 'cannot have'} a snapshot")
    if item.snapshot is not None and (item.snapshot.id != item.project_id or item.sent_by is None):
        out.append("the snapshot must be of this project and have a sender")
    first_export_running = state in {_S.EXPORTING, _S.FAILED_TO_EXPORT} and not item.quickbooks
    if first_export_running and item.customer is None:
        out.append("a first export needs the customer chosen at accept time")
    return out
