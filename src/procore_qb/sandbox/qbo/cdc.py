"""ChangeDataCapture: what changed or was deleted since a moment (spec A.7).

- ``GET /cdc?entities=Customer,Item&changedSince=<dateTime>``; look-back at most 30 days.
- At most 1,000 objects per response (oldest changes first, so a client can continue from the
  last ``LastUpdatedTime`` it received or fall back to a full read).
- A deleted object is a tombstone: ``Id``, ``MetaData.LastUpdatedTime``, ``status: Deleted``.
- Shape: ``{"CDCResponse": [{"QueryResponse": [{"<Entity>": [...], "startPosition": 1,
  "maxResults": n}, ...]}], "time": ...}`` (real response in intuit/QuickBooks-V3-PHP-SDK#116;
  parsing path in python-quickbooks ``quickbooks/cdc.py``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from procore_qb.sandbox.qbo import faults
from procore_qb.sandbox.qbo.clock import parse_time
from procore_qb.sandbox.qbo.entities import Context, Record, spec_by_name
from procore_qb.sandbox.qbo.operations import render

__all__ = ["NOT_SUPPORTED", "change_data_capture"]

NOT_SUPPORTED = ("CompanyInfo", "Preferences")
"""Entities this simulator serves that CDC does not return (Intuit lists JournalCode, TaxAgency,
TimeActivity, TaxCode, TaxRate as unsupported; the two company records are read singly)."""


def change_data_capture(
    ctx: Context, entities: str | None, changed_since: str | None
) -> dict[str, Any]:
    if not entities:
        raise faults.required_missing("entities", "a comma-separated list such as Customer,Item")
    if not changed_since:
        raise faults.required_missing("changedSince", "an ISO 8601 date-time")
    try:
        since = parse_time(changed_since)
    except ValueError:
        raise faults.invalid_property(
            "changedSince", f"CDC ({changed_since!r} is not an ISO 8601 date-time)"
        ) from None
    oldest = ctx.now - timedelta(days=ctx.config.cdc_max_days)
    if since < oldest:
        # Real text: Wish-Org/QuickBooksSharp#19; the window is 30 days (spec A.7).
        raise faults.business_validation(
            f"Operation cdc with changedSince date {changed_since} which is older than fixed "
            f"days is not supported. The look-back is {ctx.config.cdc_max_days} days; read "
            "everything with a paged query instead.",
            "changedSince",
        )
    names = [name.strip() for name in entities.split(",") if name.strip()]
    changes: list[tuple[datetime, str, Record]] = []
    for name in names:
        spec = spec_by_name(name)
        if spec is None or name in NOT_SUPPORTED:
            raise faults.business_validation(
                f"CDC does not support entity {name!r}; names are case-sensitive, e.g. "
                "Customer,Item,Bill",
                "entities",
            )
        for record in ctx.visible(name):
            when = parse_time(record["MetaData"]["LastUpdatedTime"])
            if when >= since:
                changes.append((when, name, render(ctx, spec, record)))
        for entity_id, deleted in ctx.realm.tombstones.get(name, {}).items():
            when = parse_time(deleted)
            if when >= since:
                tombstone = {
                    "Id": entity_id,
                    "status": "Deleted",
                    "domain": "QBO",
                    "MetaData": {"LastUpdatedTime": deleted},
                }
                changes.append((when, name, tombstone))
    changes.sort(key=lambda change: (change[0], int(change[2]["Id"])))
    kept = changes[: ctx.config.cdc_max_objects]
    responses: list[dict[str, Any]] = []
    for name in dict.fromkeys(names):
        objects = [record for _, entity, record in kept if entity == name]
        if objects:
            responses.append({name: objects, "startPosition": 1, "maxResults": len(objects)})
        else:
            responses.append({})
    return {"QueryResponse": responses}
