"""VendorCredit: a vendor's credit; its job-coded lines reduce cost (spec §A.5)."""

from __future__ import annotations

from collections.abc import Container, Mapping
from typing import Any, ClassVar

from procore_qb.domain.commands import JobCostLine, JobCostSource
from procore_qb.quickbooks.online.job_costs import expense_lines
from procore_qb.quickbooks.online.resources.base import EntityResource, reader

__all__ = ["VendorCreditResource"]


class VendorCreditResource(EntityResource):
    ENTITY: ClassVar[str] = "VendorCredit"

    @staticmethod
    @reader("VendorCredit")
    def cost_lines(
        credit: Mapping[str, Any], wanted: Container[str] | None = None
    ) -> list[JobCostLine]:
        return expense_lines(
            credit,
            source=JobCostSource.VENDOR_CREDIT,
            negative=True,
            vendor_key="VendorRef",
            wanted=wanted,
        )
