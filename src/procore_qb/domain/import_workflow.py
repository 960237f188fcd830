"""Path B: a QuickBooks job staged in Procore and imported, linked or archived.

Refreshing the QuickBooks job list stages new jobs in *Ready to Import*; an ERP admin adds one
to Procore as a new project, links it to an existing unsynced project, or archives it (and can
restore it) (spec/procore-workflow.md §2.3)::

    ready_to_import ──add_new / link──▶ imported
    ready_to_import ──archive──▶ archived ──restore──▶ ready_to_import

Invariants (checked on every :class:`ImportItem`): an imported item always has the Procore
project id and the import method; no other state has either.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from types import MappingProxyType
from typing import Any

from procore_qb.domain.errors import TransitionRefused
from procore_qb.domain.quickbooks_job import QuickBooksJob
from procore_qb.domain.times import require_aware

__all__ = [
    "IMPORT_TRANSITIONS",
    "ImportAction",
    "ImportItem",
    "ImportMethod",
    "ImportState",
    "next_import_state",
]


class ImportState(enum.StrEnum):
    READY_TO_IMPORT = "ready_to_import"
    IMPORTED = "imported"
    ARCHIVED = "archived"

    @property
    def label(self) -> str:
        return _STATE_LABELS[self]


_STATE_LABELS = {
    ImportState.READY_TO_IMPORT: "Ready to Import",
    ImportState.IMPORTED: "Imported",
    ImportState.ARCHIVED: "Archived",
}


class ImportAction(enum.StrEnum):
    ADD_NEW = "add_new"
    LINK = "link"
    ARCHIVE = "archive"
    RESTORE = "restore"

    @property
    def label(self) -> str:
        return _ACTION_LABELS[self]


_ACTION_LABELS = {
    ImportAction.ADD_NEW: "add",
    ImportAction.LINK: "link",
    ImportAction.ARCHIVE: "archive",
    ImportAction.RESTORE: "restore",
}


class ImportMethod(enum.StrEnum):
    """The "Import Method" chosen in Ready to Import (spec §2.3, J2 and J2')."""

    NEW = "new"
    LINK = "link"


# Sources: issue 2 item 5; spec/procore-workflow.md §2.3 (J1 → J2 / J2' / J3, archived is
# restorable per [S5b, S37-staged]).
IMPORT_TRANSITIONS: Mapping[tuple[ImportState, ImportAction], ImportState] = MappingProxyType(
    {
        (ImportState.READY_TO_IMPORT, ImportAction.ADD_NEW): ImportState.IMPORTED,
        (ImportState.READY_TO_IMPORT, ImportAction.LINK): ImportState.IMPORTED,
        (ImportState.READY_TO_IMPORT, ImportAction.ARCHIVE): ImportState.ARCHIVED,
        (ImportState.ARCHIVED, ImportAction.RESTORE): ImportState.READY_TO_IMPORT,
    }
)


def next_import_state(state: ImportState, action: ImportAction) -> ImportState:
    """The state after ``action``, or :class:`TransitionRefused`."""
    target = IMPORT_TRANSITIONS.get((state, action))
    if target is None:
        raise TransitionRefused(state, action, subject="QuickBooks job")
    return target


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportItem:
    """One staged QuickBooks job. Immutable: every action returns the new item.

    ``job`` is the job as last read from QuickBooks (its ``id`` is required);
    ``procore_project_id`` and ``method`` are set once it is imported.
    """

    company_id: int
    job: QuickBooksJob
    state: ImportState = ImportState.READY_TO_IMPORT
    procore_project_id: int | None = None
    method: ImportMethod | None = None
    changed_by: int | None = None
    changed_at: datetime | None = None

    def __post_init__(self) -> None:
        if not self.job.id:
            raise ValueError("a staged QuickBooks job needs its id (ListID/Id)")
        imported = self.state is ImportState.IMPORTED
        if imported != (self.procore_project_id is not None and self.method is not None):
            raise ValueError(
                f"import item for job {self.job.id}: the Procore project and the import method "
                "are present exactly when it is imported"
            )

    @classmethod
    def staged(cls, *, company_id: int, job: QuickBooksJob, at: datetime) -> ImportItem:
        """A job that a job-list refresh found and put in Ready to Import."""
        require_aware(at)
        return cls(company_id=company_id, job=job, changed_at=at)

    @property
    def job_id(self) -> str:
        job_id = self.job.id
        if job_id is None:  # __post_init__ refuses this; kept for the type checker
            raise ValueError("a staged QuickBooks job needs its id (ListID/Id)")
        return job_id

    def allows(self, action: ImportAction) -> bool:
        return (self.state, action) in IMPORT_TRANSITIONS

    def add_new(self, *, project_id: int, by: int, at: datetime) -> ImportItem:
        """*Add to Procore*: ``project_id`` is the project created from the job."""
        return self._move(
            ImportAction.ADD_NEW, by, at, procore_project_id=project_id, method=ImportMethod.NEW
        )

    def link(self, *, project_id: int, by: int, at: datetime) -> ImportItem:
        """*Link to Existing Project*: ``project_id`` is the unsynced project chosen."""
        return self._move(
            ImportAction.LINK, by, at, procore_project_id=project_id, method=ImportMethod.LINK
        )

    def archive(self, *, by: int, at: datetime) -> ImportItem:
        return self._move(ImportAction.ARCHIVE, by, at)

    def restore(self, *, by: int, at: datetime) -> ImportItem:
        return self._move(ImportAction.RESTORE, by, at)

    def refreshed(self, job: QuickBooksJob) -> ImportItem:
        """The same item with the job as a later job-list refresh read it (any state)."""
        if job.id != self.job.id:
            raise ValueError(f"refresh of job {self.job.id} got job {job.id}")
        return replace(self, job=job)

    def _move(self, action: ImportAction, by: int, at: datetime, **changes: Any) -> ImportItem:
        require_aware(at)
        target = next_import_state(self.state, action)
        return replace(self, state=target, changed_by=by, changed_at=at, **changes)
