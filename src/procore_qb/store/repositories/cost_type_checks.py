"""What the last job cost sync found on another cost type than 'Other', per project
(:mod:`procore_qb.store.models.cost_type_checks`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from procore_qb.store.models import CostTypeCheck, OffTypeLineRecord

__all__ = ["CostTypeChecks"]


class CostTypeChecks:
    def __init__(self, session: Session) -> None:
        self._session = session

    def check(self, company_id: int, project_id: int) -> CostTypeCheck | None:
        return self._session.scalars(
            sa.select(CostTypeCheck).where(
                CostTypeCheck.company_id == company_id,
                CostTypeCheck.procore_project_id == project_id,
            )
        ).one_or_none()

    def lines(self, company_id: int, project_id: int) -> list[OffTypeLineRecord]:
        """The lines kept, by kind, cost code, cost type and Procore id."""
        return list(
            self._session.scalars(
                sa.select(OffTypeLineRecord)
                .where(
                    OffTypeLineRecord.company_id == company_id,
                    OffTypeLineRecord.procore_project_id == project_id,
                )
                .order_by(
                    OffTypeLineRecord.kind,
                    OffTypeLineRecord.code,
                    OffTypeLineRecord.cost_code_id,
                    OffTypeLineRecord.cost_type,
                    OffTypeLineRecord.procore_id,
                )
            )
        )

    def replace(
        self,
        company_id: int,
        project_id: int,
        *,
        read_at: datetime,
        other_cost_type_id: int | None,
        budget_total: int,
        direct_cost_total: int,
        lines: Sequence[dict[str, Any]],
    ) -> None:
        """A read that succeeded: its figures and lines take the place of the last ones."""
        check = self._check_row(company_id, project_id)
        check.read_at = read_at
        check.failed_at = None
        check.other_cost_type_id = other_cost_type_id
        check.budget_total = budget_total
        check.direct_cost_total = direct_cost_total
        check.error = None
        self._session.execute(
            sa.delete(OffTypeLineRecord).where(
                OffTypeLineRecord.company_id == company_id,
                OffTypeLineRecord.procore_project_id == project_id,
            )
        )
        if lines:
            self._session.execute(
                sa.insert(OffTypeLineRecord),
                [
                    {**line, "company_id": company_id, "procore_project_id": project_id}
                    for line in lines
                ],
            )

    def failed(self, company_id: int, project_id: int, *, failed_at: datetime, error: str) -> None:
        """A read that failed: the figures and lines of the last read stay, with the error."""
        check = self._check_row(company_id, project_id)
        check.failed_at = failed_at
        check.error = error[:4000]

    def _check_row(self, company_id: int, project_id: int) -> CostTypeCheck:
        check = self.check(company_id, project_id)
        if check is None:
            check = CostTypeCheck(
                company_id=company_id,
                procore_project_id=project_id,
                budget_total=0,
                direct_cost_total=0,
            )
            self._session.add(check)
        return check
