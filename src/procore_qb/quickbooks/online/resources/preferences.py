"""Preferences of the company (``GET /preferences``), e.g. whether class tracking is on."""

from __future__ import annotations

from typing import Any, ClassVar

from procore_qb.quickbooks.online.resources.base import EntityResource

__all__ = ["PreferencesResource"]


class PreferencesResource(EntityResource):
    ENTITY: ClassVar[str] = "Preferences"

    def current(self) -> dict[str, Any]:
        return self.client.read_singleton(self.ENTITY, "preferences")

    def class_tracking(self) -> bool:
        accounting = self.current().get("AccountingInfoPrefs", {})
        return bool(
            accounting.get("ClassTrackingPerTxnLine") or accounting.get("ClassTrackingPerTxn")
        )
