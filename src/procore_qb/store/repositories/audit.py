"""The append-only audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from procore_qb.store.models import AuditEntry

__all__ = ["AuditLog"]


class AuditLog:
    def __init__(self, session: Session) -> None:
        self._session = session

    def append(
        self,
        *,
        at: datetime,
        actor: str,
        action: str,
        company_id: int | None = None,
        subject_type: str = "",
        subject_id: str | int = "",
        detail: dict[str, Any] | None = None,
    ) -> AuditEntry:
        entry = AuditEntry(
            at=at,
            actor=actor,
            action=action,
            company_id=company_id,
            subject_type=subject_type,
            subject_id=str(subject_id),
            detail=detail or {},
        )
        self._session.add(entry)
        self._session.flush()
        return entry

    def page(
        self, company_id: int | None, *, limit: int = 100, before_id: int | None = None
    ) -> list[AuditEntry]:
        """Newest first; pass the smallest id seen as ``before_id`` for the next page."""
        query = sa.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
        if company_id is not None:
            query = query.where(AuditEntry.company_id == company_id)
        if before_id is not None:
            query = query.where(AuditEntry.id < before_id)
        return list(self._session.scalars(query))
