"""Vendor (``NameBase``: ``DisplayName`` unique across customers, vendors and employees)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from procore_qb.domain.commands import VendorRecord
from procore_qb.quickbooks.online.resources.base import EntityResource, reader

__all__ = ["VendorResource", "vendor_record"]


@reader("Vendor")
def vendor_record(vendor: Mapping[str, Any]) -> VendorRecord:
    return VendorRecord(
        id=str(vendor["Id"]),
        name=str(vendor.get("DisplayName", "")),
        version=str(vendor.get("SyncToken", "0")),
        active=bool(vendor.get("Active", True)),
    )


class VendorResource(EntityResource):
    ENTITY: ClassVar[str] = "Vendor"
    NAME_LIST: ClassVar[bool] = True
