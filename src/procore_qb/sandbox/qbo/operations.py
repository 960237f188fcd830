"""Create, read, update (full and sparse) and delete, with SyncToken and MetaData (spec A.9).

Each write appends a ``ChangeEvent`` (for webhooks, spec A.14); CDC reads ``MetaData`` and the
tombstones (spec A.7).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from procore_qb.sandbox.qbo import faults
from procore_qb.sandbox.qbo.clock import format_time
from procore_qb.sandbox.qbo.entities import Context, EntitySpec, Record
from procore_qb.sandbox.qbo.entities.common import reindex_name

__all__ = ["ChangeEvent", "create", "delete", "read", "render", "update", "void", "write"]


@dataclass(frozen=True, slots=True)
class ChangeEvent:
    realm_id: str
    entity: str
    entity_id: str
    operation: str  # Create, Update, Delete, Void (spec A.14)
    time: str


def render(ctx: Context, spec: EntitySpec, record: Record) -> Record:
    """The record as the API returns it: a new top-level object whose nested values (lines,
    references, MetaData) are the stored record's own, not copies. That is safe because a
    stored record is never changed in place: every write (create, update, void) stores a new
    record built from copies, so what a caller was given stays as it was read. Callers
    treat the answer as read-only (it is serialised), or copy what they change."""
    return spec.render(ctx, record)


def read(ctx: Context, spec: EntitySpec, entity_id: str) -> Record:
    record = ctx.get(spec.name, entity_id)
    if record is None:
        # Spec A.11: 610 Object Not Found (also for a deleted transaction).
        raise faults.not_found(spec.name, entity_id)
    return render(ctx, spec, record)


def _check_fields(spec: EntitySpec, body: Record) -> None:
    unknown = sorted(set(body) - spec.accepted())
    if unknown:
        raise faults.invalid_property(unknown[0], spec.name)


def _writable(spec: EntitySpec, body: Record) -> Record:
    return {k: copy.deepcopy(v) for k, v in body.items() if k in spec.writable and v is not None}


def write(ctx: Context, spec: EntitySpec, body: Any, events: list[ChangeEvent]) -> Record:
    """``POST /{entity}``: an update when ``Id`` is present, else a create (spec A.9)."""
    if not isinstance(body, dict):
        raise faults.invalid_property(spec.name, f"{spec.name} (send a JSON object)")
    if not spec.creatable:
        raise faults.unsupported_operation(f"create/update is not supported for {spec.name}")
    _check_fields(spec, body)
    if body.get("Id") not in (None, ""):
        return update(ctx, spec, body, events)
    return create(ctx, spec, body, events)


def create(ctx: Context, spec: EntitySpec, body: Record, events: list[ChangeEvent]) -> Record:
    data = spec.validate(ctx, _writable(spec, body), None)
    entity_id = ctx.realm.new_id()
    stamp = format_time(ctx.now)
    record: Record = {
        "Id": entity_id,
        "SyncToken": "0",
        "MetaData": {"CreateTime": stamp, "LastUpdatedTime": stamp},
        "domain": "QBO",
        "sparse": False,
        **data,
    }
    ctx.realm.table(spec.name)[entity_id] = record
    reindex_name(ctx.realm, spec.name, None, record)
    events.append(ChangeEvent(ctx.realm.realm_id, spec.name, entity_id, "Create", stamp))
    return render(ctx, spec, record)


def _current(ctx: Context, spec: EntitySpec, body: Record) -> Record:
    entity_id = str(body.get("Id", "")).strip()
    if not entity_id:
        raise faults.required_missing("Id", f"updating a {spec.name} needs its Id")
    current = ctx.get(spec.name, entity_id)
    if current is None:
        raise faults.not_found(spec.name, entity_id)
    token = body.get("SyncToken")
    if token in (None, ""):
        # SyncToken is "Required for the update operation" (XSD IntuitEntity.SyncToken).
        raise faults.required_missing("SyncToken", "send the SyncToken you last read")
    if str(token) != current["SyncToken"]:
        # A stale SyncToken: 5010 (spec A.9).
        raise faults.stale_object()
    return current


def update(ctx: Context, spec: EntitySpec, body: Record, events: list[ChangeEvent]) -> Record:
    """Full update replaces every writable field; ``sparse: true`` changes only those sent."""
    current = _current(ctx, spec, body)
    sparse = body.get("sparse") is True
    if sparse:
        merged = {k: copy.deepcopy(v) for k, v in current.items() if k in spec.writable}
        for key, value in body.items():
            if key in spec.writable:
                if value is None:
                    merged.pop(key, None)
                else:
                    merged[key] = copy.deepcopy(value)
        # DisplayName "Cannot be removed with sparse update" (spec A.2): an empty one keeps
        # the current value.
        if "DisplayName" in current and not merged.get("DisplayName"):
            merged["DisplayName"] = current["DisplayName"]
    else:
        merged = _writable(spec, body)
    data = spec.validate(ctx, merged, current)
    stamp = format_time(ctx.now)
    record: Record = {
        "Id": current["Id"],
        "SyncToken": str(int(current["SyncToken"]) + 1),
        "MetaData": {"CreateTime": current["MetaData"]["CreateTime"], "LastUpdatedTime": stamp},
        "domain": "QBO",
        "sparse": False,
        **data,
    }
    ctx.realm.table(spec.name)[current["Id"]] = record
    reindex_name(ctx.realm, spec.name, current, record)
    events.append(ChangeEvent(ctx.realm.realm_id, spec.name, current["Id"], "Update", stamp))
    return render(ctx, spec, record)


def delete(ctx: Context, spec: EntitySpec, body: Any, events: list[ChangeEvent]) -> Record:
    """``POST /{entity}?operation=delete`` with ``Id`` and ``SyncToken``: transactions only."""
    if not spec.deletable:
        # Names and other lists are never deleted: Active=false hides them (spec A.2).
        raise faults.unsupported_operation(
            f"delete is not supported for {spec.name}; send a sparse update with "
            '"Active": false instead'
        )
    if not isinstance(body, dict):
        raise faults.invalid_property(spec.name, f"{spec.name} (send a JSON object)")
    current = _current(ctx, spec, body)
    del ctx.realm.table(spec.name)[current["Id"]]
    stamp = format_time(ctx.now)
    ctx.realm.tombstones.setdefault(spec.name, {})[current["Id"]] = stamp
    events.append(ChangeEvent(ctx.realm.realm_id, spec.name, current["Id"], "Delete", stamp))
    return {"Id": current["Id"], "status": "Deleted", "domain": "QBO"}


VOIDED = "Voided"


def void(ctx: Context, spec: EntitySpec, body: Any, events: list[ChangeEvent]) -> Record:
    """Void a transaction as a QuickBooks user does in QuickBooks Online: it stays, its amounts
    become zero and ``PrivateNote`` starts with "Voided" (Intuit's "Voiding Invoice Objects":
    "The Invoice Amounts and Quantities are zeroed; PrivateNote is marked as 'Voided'"; a bill
    or expense voided in QuickBooks Online reads back the same way [I]). It is a change like
    any update: a new SyncToken and LastUpdatedTime, so change data capture reports it."""
    if not spec.deletable:
        raise faults.unsupported_operation(f"void is not supported for {spec.name}")
    if not isinstance(body, dict):
        raise faults.invalid_property(spec.name, f"{spec.name} (send a JSON object)")
    current = _current(ctx, spec, body)
    record = copy.deepcopy(current)
    for line in record.get("Line", []):
        if isinstance(line, dict) and "Amount" in line:
            line["Amount"] = 0.0
            detail = line.get(str(line.get("DetailType")))
            if isinstance(detail, dict) and "Qty" in detail:
                detail["Qty"] = 0.0
    for total in ("TotalAmt", "Balance"):
        if total in record:
            record[total] = 0.0
    note = str(record.get("PrivateNote") or "")
    if not note.startswith(VOIDED):
        record["PrivateNote"] = f"{VOIDED} - {note}" if note else VOIDED
    stamp = format_time(ctx.now)
    record["SyncToken"] = str(int(current["SyncToken"]) + 1)
    record["MetaData"] = {**current["MetaData"], "LastUpdatedTime": stamp}
    ctx.realm.table(spec.name)[current["Id"]] = record
    events.append(ChangeEvent(ctx.realm.realm_id, spec.name, current["Id"], "Void", stamp))
    return render(ctx, spec, record)
