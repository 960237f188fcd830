"""Export items (Path A) and import items (Path B), stored and loaded as domain entities, with
an event in the history for every change."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from procore_qb.domain import export_workflow as ew
from procore_qb.domain import import_workflow as iw
from procore_qb.domain.commands import job_from_json, job_to_json
from procore_qb.domain.project import project_from_json, project_to_json
from procore_qb.store.errors import Conflict, NotFound
from procore_qb.store.models import ExportEvent, ExportItem, ImportEvent, ImportItem

__all__ = ["ExportItems", "ImportItems", "StoredExport", "StoredImport"]


@dataclass(frozen=True, slots=True)
class StoredExport:
    """An export item with the row id (the API's item id) and its optimistic-lock version."""

    id: int
    version: int
    item: ew.ExportItem
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class StoredImport:
    id: int
    version: int
    item: iw.ImportItem
    created_at: datetime
    updated_at: datetime


def _export_to_domain(row: ExportItem) -> ew.ExportItem:
    customer = None
    if row.customer_id is not None or row.new_customer_name is not None:
        customer = ew.CustomerChoice(
            customer_id=row.customer_id, new_customer_name=row.new_customer_name
        )
    quickbooks = None
    if row.qb_job_id is not None:
        quickbooks = ew.QuickBooksLink(
            job_id=row.qb_job_id, full_name=row.qb_full_name or "", version=row.qb_version or ""
        )
    return ew.ExportItem(
        project_id=row.procore_project_id,
        company_id=row.company_id,
        state=ew.ExportState(row.state),
        snapshot=None if row.snapshot is None else project_from_json(row.snapshot),
        sent_by=row.sent_by,
        sent_at=row.sent_at,
        customer=customer,
        decided_by=row.decided_by,
        comment=row.comment,
        quickbooks=quickbooks,
        error=row.error,
        changed_by=row.changed_by,
        changed_at=row.updated_at,
    )


def _export_onto_row(item: ew.ExportItem, row: ExportItem, now: datetime) -> None:
    row.state = item.state.value
    row.snapshot = None if item.snapshot is None else project_to_json(item.snapshot)
    row.sent_by = item.sent_by
    row.sent_at = item.sent_at
    row.customer_id = None if item.customer is None else item.customer.customer_id
    row.new_customer_name = None if item.customer is None else item.customer.new_customer_name
    row.decided_by = item.decided_by
    row.comment = item.comment
    row.error = item.error
    row.qb_job_id = None if item.quickbooks is None else item.quickbooks.job_id
    row.qb_full_name = None if item.quickbooks is None else item.quickbooks.full_name
    row.qb_version = None if item.quickbooks is None else item.quickbooks.version
    row.changed_by = item.changed_by
    row.updated_at = item.changed_at or now


def _check_version(current: int, expected: int | None, what: str) -> None:
    if expected is None:
        raise Conflict(f"{what} was added by someone else meanwhile; reload it and decide again")
    if current != expected:
        raise Conflict(
            f"{what} was changed by someone else (version {current}, you had {expected}); "
            "reload it and decide again"
        )


def _flush(session: Session, what: str) -> None:
    try:
        session.flush()
    except StaleDataError as exc:
        raise Conflict(
            f"{what} was changed by someone else at the same moment; reload it and decide again"
        ) from exc


def _stored_export(row: ExportItem) -> StoredExport:
    return StoredExport(row.id, row.version, _export_to_domain(row), row.created_at, row.updated_at)


class ExportItems:
    def __init__(self, session: Session) -> None:
        self._session = session

    def _row(self, company_id: int, project_id: int) -> ExportItem | None:
        return self._session.scalars(
            sa.select(ExportItem).where(
                ExportItem.company_id == company_id,
                ExportItem.procore_project_id == project_id,
            )
        ).one_or_none()

    def get(self, item_id: int) -> StoredExport:
        row = self._session.get(ExportItem, item_id)
        if row is None:
            raise NotFound(f"no export item with id {item_id}")
        return _stored_export(row)

    def for_project(self, company_id: int, project_id: int) -> StoredExport | None:
        row = self._row(company_id, project_id)
        return None if row is None else _stored_export(row)

    def in_states(self, company_id: int, states: Collection[ew.ExportState]) -> list[StoredExport]:
        rows = self._session.scalars(
            sa.select(ExportItem)
            .where(
                ExportItem.company_id == company_id,
                ExportItem.state.in_([s.value for s in states]),
            )
            .order_by(ExportItem.updated_at.desc(), ExportItem.id.desc())
        )
        return [_stored_export(row) for row in rows]

    def save(
        self,
        item: ew.ExportItem,
        *,
        action: str,
        from_state: ew.ExportState,
        now: datetime,
        actor: int | None = None,
        detail: dict[str, Any] | None = None,
        expected_version: int | None,
    ) -> StoredExport:
        """Write ``item`` (insert or update its project's row) and append the history event.

        Optimistic lock: ``expected_version`` is the version the decision was based on (None:
        there was no row yet). If the row is at another version, or another transaction
        changes it between this check and the write, :class:`Conflict` is raised and nothing
        is written, so two decisions never both win.
        """
        row = self._row(item.company_id, item.project_id)
        if row is None:
            row = ExportItem(
                company_id=item.company_id, procore_project_id=item.project_id, created_at=now
            )
            self._session.add(row)
        else:
            _check_version(row.version, expected_version, f"project {item.project_id}")
        _export_onto_row(item, row, now)
        _flush(self._session, f"project {item.project_id}")
        self._session.add(
            ExportEvent(
                export_item_id=row.id,
                at=now,
                action=action,
                from_state=from_state.value,
                to_state=row.state,
                actor=actor,
                detail=detail or {},
            )
        )
        self._session.flush()
        return _stored_export(row)

    def next_attempt(self, item_id: int) -> int:
        """Count one more export attempt of the item and return its number (1, 2, ...)."""
        row = self._session.get(ExportItem, item_id)
        if row is None:
            raise NotFound(f"no export item with id {item_id}")
        row.attempt += 1
        _flush(self._session, f"project {row.procore_project_id}")
        return row.attempt

    def attempt(self, item_id: int) -> int:
        row = self._session.get(ExportItem, item_id)
        return 0 if row is None else row.attempt

    def history(self, item_id: int) -> list[ExportEvent]:
        return list(
            self._session.scalars(
                sa.select(ExportEvent)
                .where(ExportEvent.export_item_id == item_id)
                .order_by(ExportEvent.id)
            )
        )


def _import_to_domain(row: ImportItem) -> iw.ImportItem:
    return iw.ImportItem(
        company_id=row.company_id,
        job=job_from_json(row.snapshot),
        state=iw.ImportState(row.state),
        procore_project_id=row.procore_project_id,
        method=None if row.method is None else iw.ImportMethod(row.method),
        changed_by=row.changed_by,
        changed_at=row.updated_at,
    )


def _stored_import(row: ImportItem) -> StoredImport:
    return StoredImport(row.id, row.version, _import_to_domain(row), row.created_at, row.updated_at)


class ImportItems:
    def __init__(self, session: Session) -> None:
        self._session = session

    def _row(self, company_id: int, qb_job_id: str) -> ImportItem | None:
        return self._session.scalars(
            sa.select(ImportItem).where(
                ImportItem.company_id == company_id, ImportItem.qb_job_id == qb_job_id
            )
        ).one_or_none()

    def get(self, item_id: int) -> StoredImport:
        row = self._session.get(ImportItem, item_id)
        if row is None:
            raise NotFound(f"no import item with id {item_id}")
        return _stored_import(row)

    def for_job(self, company_id: int, qb_job_id: str) -> StoredImport | None:
        row = self._row(company_id, qb_job_id)
        return None if row is None else _stored_import(row)

    def in_states(self, company_id: int, states: Collection[iw.ImportState]) -> list[StoredImport]:
        rows = self._session.scalars(
            sa.select(ImportItem)
            .where(
                ImportItem.company_id == company_id,
                ImportItem.state.in_([s.value for s in states]),
            )
            .order_by(ImportItem.qb_full_name, ImportItem.id)
        )
        return [_stored_import(row) for row in rows]

    def save(
        self,
        item: iw.ImportItem,
        *,
        action: str,
        from_state: iw.ImportState | None,
        now: datetime,
        actor: int | None = None,
        detail: dict[str, Any] | None = None,
        expected_version: int | None,
    ) -> StoredImport:
        """Write ``item`` and append the history event (``from_state`` None: newly staged).
        The optimistic lock works as in :meth:`ExportItems.save`."""
        job_id = item.job_id
        row = self._row(item.company_id, job_id)
        if row is None:
            row = ImportItem(company_id=item.company_id, qb_job_id=job_id, created_at=now)
            self._session.add(row)
        else:
            _check_version(row.version, expected_version, f"QuickBooks job {job_id}")
        row.qb_full_name = item.job.full_name or item.job.name
        row.state = item.state.value
        row.snapshot = job_to_json(item.job)
        row.procore_project_id = item.procore_project_id
        row.method = None if item.method is None else item.method.value
        row.changed_by = item.changed_by
        row.updated_at = item.changed_at or now
        _flush(self._session, f"QuickBooks job {job_id}")
        self._session.add(
            ImportEvent(
                import_item_id=row.id,
                at=now,
                action=action,
                from_state="" if from_state is None else from_state.value,
                to_state=row.state,
                actor=actor,
                detail=detail or {},
            )
        )
        self._session.flush()
        return _stored_import(row)

    def history(self, item_id: int) -> list[ImportEvent]:
        return list(
            self._session.scalars(
                sa.select(ImportEvent)
                .where(ImportEvent.import_item_id == item_id)
                .order_by(ImportEvent.id)
            )
        )
