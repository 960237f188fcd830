"""The Cost Codes tab's entries (:class:`~procore_qb.store.models.CostCodeExport`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from procore_qb.store.errors import Conflict, NotFound
from procore_qb.store.models import CostCodeExport

__all__ = ["CostCodeExports"]


class CostCodeExports:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, company_id: int, entry_id: int) -> CostCodeExport:
        row = self._session.get(CostCodeExport, entry_id)
        if row is None or row.company_id != company_id:
            raise NotFound(f"no standard cost code entry {entry_id}")
        return row

    def by_standard_code(self, company_id: int) -> dict[int, CostCodeExport]:
        rows = self._session.scalars(
            sa.select(CostCodeExport).where(CostCodeExport.company_id == company_id)
        )
        return {r.standard_cost_code_id: r for r in rows}

    def add(
        self,
        company_id: int,
        *,
        list_id: int,
        standard_cost_code_id: int,
        code: str,
        description: str,
        state: str,
        item_id: str | None,
        now: datetime,
    ) -> CostCodeExport:
        row = CostCodeExport(
            company_id=company_id,
            list_id=list_id,
            standard_cost_code_id=standard_cost_code_id,
            code=code,
            description=description,
            state=state,
            item_id=item_id,
            error=None,
            comment="",
            attempt=0,
            found_at=now,
            updated_at=now,
            version=1,
        )
        self._session.add(row)
        self._session.flush()
        return row

    def save(self, row: CostCodeExport, *, expected_version: int, now: datetime) -> None:
        """Write ``row``'s changes if nobody else changed it since ``expected_version``."""
        changed = self._session.execute(
            sa.update(CostCodeExport)
            .where(CostCodeExport.id == row.id, CostCodeExport.version == expected_version)
            .values(
                code=row.code,
                description=row.description,
                state=row.state,
                item_id=row.item_id,
                error=row.error,
                comment=row.comment,
                attempt=row.attempt,
                decided_by=row.decided_by,
                updated_at=now,
                version=expected_version + 1,
            )
            .execution_options(synchronize_session=False)
        )
        if changed.rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict(f"standard cost code entry {row.id} was changed at the same time")
        self._session.expire(row)

    def counts(self, company_id: int) -> dict[str, int]:
        rows = self._session.execute(
            sa.select(CostCodeExport.state, sa.func.count())
            .where(CostCodeExport.company_id == company_id)
            .group_by(CostCodeExport.state)
        )
        return {str(state): int(n) for state, n in rows}

    def page(
        self,
        company_id: int,
        states: Sequence[str],
        *,
        offset: int,
        limit: int,
        search: str = "",
    ) -> tuple[list[CostCodeExport], int]:
        where = [CostCodeExport.company_id == company_id, CostCodeExport.state.in_(states)]
        if search:
            like = f"%{search.replace('%', '').replace('_', '')}%"
            where.append(
                sa.or_(CostCodeExport.code.ilike(like), CostCodeExport.description.ilike(like))
            )
        total = (
            self._session.scalar(
                sa.select(sa.func.count()).select_from(CostCodeExport).where(*where)
            )
            or 0
        )
        rows = self._session.scalars(
            sa.select(CostCodeExport)
            .where(*where)
            .order_by(CostCodeExport.code, CostCodeExport.id)
            .offset(offset)
            .limit(limit)
        )
        return list(rows), int(total)
