"""Bill: a vendor's bill; its expense lines coded to a job are cost (spec §A.5)."""

from __future__ import annotations

from collections.abc import Container, Mapping
from typing import Any, ClassVar

from procore_qb.domain.commands import JobCostLine, JobCostSource
from procore_qb.quickbooks.online.job_costs import expense_lines
from procore_qb.quickbooks.online.resources.base import EntityResource, reader

__all__ = ["BillResource"]


class BillResource(EntityResource):
    ENTITY: ClassVar[str] = "Bill"

    @staticmethod
    @reader("Bill")
    def cost_lines(
        bill: Mapping[str, Any], wanted: Container[str] | None = None
    ) -> list[JobCostLine]:
        return expense_lines(
            bill,
            source=JobCostSource.BILL,
            negative=False,
            vendor_key="VendorRef",
            wanted=wanted,
        )
