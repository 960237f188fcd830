"""Purchase: checks, cash and credit-card expenses (spec §A.5).

``PaymentType`` is ``Cash``, ``Check`` or ``CreditCard``; ``Credit=true`` marks a card refund,
whose lines reduce cost. The payee is ``EntityRef``.
"""

from __future__ import annotations

from collections.abc import Container, Mapping
from typing import Any, ClassVar

from procore_qb.domain.commands import JobCostLine, JobCostSource
from procore_qb.quickbooks.online.job_costs import expense_lines
from procore_qb.quickbooks.online.resources.base import EntityResource, reader

__all__ = ["PurchaseResource", "purchase_source"]


def purchase_source(purchase: Mapping[str, Any]) -> tuple[JobCostSource, bool]:
    """The cost source of a purchase and whether its lines reduce cost."""
    payment_type = purchase.get("PaymentType")
    credit = bool(purchase.get("Credit", False))
    if payment_type == "Check":
        return JobCostSource.CHECK, False
    if payment_type == "CreditCard":
        if credit:
            return JobCostSource.CREDIT_CARD_CREDIT, True
        return JobCostSource.CREDIT_CARD_CHARGE, False
    return JobCostSource.PURCHASE, credit


class PurchaseResource(EntityResource):
    ENTITY: ClassVar[str] = "Purchase"

    @staticmethod
    @reader("Purchase")
    def cost_lines(
        purchase: Mapping[str, Any], wanted: Container[str] | None = None
    ) -> list[JobCostLine]:
        source, negative = purchase_source(purchase)
        return expense_lines(
            purchase, source=source, negative=negative, vendor_key="EntityRef", wanted=wanted
        )
