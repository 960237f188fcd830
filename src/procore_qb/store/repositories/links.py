"""Links between Procore records and QuickBooks records."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from procore_qb.store.errors import Conflict
from procore_qb.store.models import RecordLink

__all__ = ["RecordLinks"]


class RecordLinks:
    def __init__(self, session: Session) -> None:
        self._session = session

    def by_procore(self, company_id: int, kind: str, procore_id: int) -> RecordLink | None:
        return self._session.scalars(
            sa.select(RecordLink).where(
                RecordLink.company_id == company_id,
                RecordLink.kind == kind,
                RecordLink.procore_id == procore_id,
            )
        ).one_or_none()

    def by_quickbooks(self, company_id: int, kind: str, qb_id: str) -> RecordLink | None:
        return self._session.scalars(
            sa.select(RecordLink).where(
                RecordLink.company_id == company_id,
                RecordLink.kind == kind,
                RecordLink.qb_id == qb_id,
            )
        ).one_or_none()

    def link(
        self,
        company_id: int,
        kind: str,
        *,
        procore_id: int,
        qb_id: str,
        qb_full_name: str,
        qb_version: str | None,
        now: datetime,
    ) -> RecordLink:
        """Pair two records. Refuses when either side is already paired with something else:
        records never get merged silently."""
        existing = self.by_procore(company_id, kind, procore_id)
        if existing is not None and existing.qb_id != qb_id:
            raise Conflict(
                f"Procore {kind} record {procore_id} is already linked to QuickBooks "
                f"{existing.qb_full_name or existing.qb_id}"
            )
        other = self.by_quickbooks(company_id, kind, qb_id)
        if other is not None and other.procore_id != procore_id:
            raise Conflict(
                f"QuickBooks record {qb_full_name or qb_id} is already linked to Procore "
                f"{kind} record {other.procore_id}"
            )
        row = existing or other
        if row is None:
            row = RecordLink(
                company_id=company_id,
                kind=kind,
                procore_id=procore_id,
                qb_id=qb_id,
                linked_at=now,
            )
            self._session.add(row)
        row.qb_full_name = qb_full_name
        row.qb_version = qb_version
        row.updated_at = now
        self._session.flush()
        return row

    def unlink(self, company_id: int, kind: str, procore_id: int) -> None:
        row = self.by_procore(company_id, kind, procore_id)
        if row is not None:
            self._session.delete(row)
            self._session.flush()

    def all(self, company_id: int, kind: str) -> list[RecordLink]:
        return list(
            self._session.scalars(
                sa.select(RecordLink)
                .where(RecordLink.company_id == company_id, RecordLink.kind == kind)
                .order_by(RecordLink.id)
            )
        )
