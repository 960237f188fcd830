"""``POST /batch``: up to 30 operations in one call, each with its own result (spec A.8).

- ``BatchItemRequest[]`` items carry ``bId``, ``operation`` (create, update, delete) and one
  entity, or a ``Query``; the response lists ``BatchItemResponse[]`` with the same ``bId`` and
  either the entity, a ``QueryResponse`` or a ``Fault``.
- Items run in order, but no item sees what earlier items of the same batch created (Intuit's
  2017 batch blog, spec A.8).
- ``bId`` is at most 10 characters when the call carries a ``requestid`` (spec A.10).
"""

from __future__ import annotations

from typing import Any

from procore_qb.sandbox.qbo import faults
from procore_qb.sandbox.qbo.entities import Context, spec_by_name
from procore_qb.sandbox.qbo.errors import QboFault
from procore_qb.sandbox.qbo.faults import fault_body
from procore_qb.sandbox.qbo.operations import ChangeEvent, delete, write
from procore_qb.sandbox.qbo.query import execute

__all__ = ["run_batch"]

OPERATIONS = ("create", "update", "delete")


def run_batch(
    ctx: Context, body: Any, events: list[ChangeEvent], *, with_request_id: bool
) -> dict[str, Any]:
    items = body.get("BatchItemRequest") if isinstance(body, dict) else None
    if not isinstance(items, list) or not items:
        raise faults.required_missing("BatchItemRequest", "a list of batch items")
    limit = ctx.config.batch_max_items
    if len(items) > limit:
        raise faults.business_validation(
            f"The batch has {len(items)} items; the maximum number of payloads in a single "
            f"BatchItemRequest is {limit}. Split it into several batch calls.",
            "BatchItemRequest",
        )
    seen: set[str] = set()
    for item in items:
        bid = item.get("bId") if isinstance(item, dict) else None
        if not isinstance(bid, str) or not bid:
            raise faults.required_missing("bId", "every batch item needs a bId")
        if bid in seen:
            raise faults.business_validation(f"bId {bid!r} is used twice in one batch", "bId")
        if with_request_id and len(bid) > 10:
            raise faults.string_length("bId", 10, len(bid))
        seen.add(bid)
    responses = []
    for item in items:
        bid = item["bId"]
        try:
            result = _run_item(ctx, item, events)
        except QboFault as fault:
            result = {"Fault": fault_body(fault, "")["Fault"]}
        responses.append({"bId": bid, **result})
    return {"BatchItemResponse": responses}


def _run_item(ctx: Context, item: dict[str, Any], events: list[ChangeEvent]) -> dict[str, Any]:
    if "Query" in item:
        return {"QueryResponse": execute(ctx, str(item["Query"]))}
    operation = item.get("operation")
    if operation not in OPERATIONS:
        raise faults.invalid_enum("operation", operation, OPERATIONS)
    payload = [key for key in item if key not in ("bId", "operation", "optionsData")]
    if len(payload) != 1:
        raise faults.required_missing("entity", "each batch item carries exactly one entity")
    name = payload[0]
    spec = spec_by_name(name)
    if spec is None:
        raise faults.invalid_property(name, "BatchItemRequest")
    body = item[name]
    before = len(events)
    if operation == "delete":
        result = delete(ctx, spec, body, events)
    else:
        if operation == "update" and (not isinstance(body, dict) or not body.get("Id")):
            raise faults.required_missing("Id", "an update names the Id it changes")
        if operation == "create" and isinstance(body, dict) and body.get("Id"):
            raise faults.invalid_property("Id", f"{name} create (Id is assigned by QuickBooks)")
        result = write(ctx, spec, body, events)
    for event in events[before:]:
        if event.operation == "Create":
            ctx.hidden.add((event.entity, event.entity_id))
    return {name: result}
