"""Export items (Path A) and import items (Path B) with their history."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from procore_qb.store.errors import NotFound
from procore_qb.store.models import ExportEvent, ExportItem, ImportEvent, ImportItem

__all__ = ["ExportItems", "ImportItems"]


class ExportItems:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, item_id: int) -> ExportItem:
        row = self._session.get(ExportItem, item_id)
        if row is None:
            raise NotFound(f"no export item with id {item_id}")
        return row

    def for_project(self, company_id: int, procore_project_id: int) -> ExportItem | None:
        return self._session.scalars(
            sa.select(ExportItem).where(
                ExportItem.company_id == company_id,
                ExportItem.procore_project_id == procore_project_id,
            )
        ).one_or_none()

    def in_states(self, company_id: int, states: Collection[str]) -> list[ExportItem]:
        return list(
            self._session.scalars(
                sa.select(ExportItem)
                .where(ExportItem.company_id == company_id, ExportItem.state.in_(states))
                .order_by(ExportItem.updated_at.desc(), ExportItem.id.desc())
            )
        )

    def add(self, row: ExportItem) -> ExportItem:
        self._session.add(row)
        self._session.flush()
        return row

    def record_event(
        self,
        item: ExportItem,
        *,
        at: datetime,
        action: str,
        from_state: str,
        actor_user_id: int | None,
        detail: dict[str, Any] | None = None,
    ) -> ExportEvent:
        event = ExportEvent(
            export_item_id=item.id,
            at=at,
            action=action,
            from_state=from_state,
            to_state=item.state,
            actor_user_id=actor_user_id,
            detail=detail or {},
        )
        self._session.add(event)
        self._session.flush()
        return event

    def history(self, item_id: int) -> list[ExportEvent]:
        return list(
            self._session.scalars(
                sa.select(ExportEvent)
                .where(ExportEvent.export_item_id == item_id)
                .order_by(ExportEvent.id)
            )
        )


class ImportItems:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, item_id: int) -> ImportItem:
        row = self._session.get(ImportItem, item_id)
        if row is None:
            raise NotFound(f"no import item with id {item_id}")
        return row

    def for_job(self, company_id: int, qb_job_id: str) -> ImportItem | None:
        return self._session.scalars(
            sa.select(ImportItem).where(
                ImportItem.company_id == company_id, ImportItem.qb_job_id == qb_job_id
            )
        ).one_or_none()

    def in_states(self, company_id: int, states: Collection[str]) -> list[ImportItem]:
        return list(
            self._session.scalars(
                sa.select(ImportItem)
                .where(ImportItem.company_id == company_id, ImportItem.state.in_(states))
                .order_by(ImportItem.qb_full_name, ImportItem.id)
            )
        )

    def add(self, row: ImportItem) -> ImportItem:
        self._session.add(row)
        self._session.flush()
        return row

    def record_event(
        self,
        item: ImportItem,
        *,
        at: datetime,
        action: str,
        from_state: str,
        actor_user_id: int | None,
        detail: dict[str, Any] | None = None,
    ) -> ImportEvent:
        event = ImportEvent(
            import_item_id=item.id,
            at=at,
            action=action,
            from_state=from_state,
            to_state=item.state,
            actor_user_id=actor_user_id,
            detail=detail or {},
        )
        self._session.add(event)
        self._session.flush()
        return event

    def history(self, item_id: int) -> list[ImportEvent]:
        return list(
            self._session.scalars(
                sa.select(ImportEvent)
                .where(ImportEvent.import_item_id == item_id)
                .order_by(ImportEvent.id)
            )
        )
