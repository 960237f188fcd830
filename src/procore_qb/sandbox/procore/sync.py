"""Procore's batch "sync" (upsert) semantics, shared by every ``…/sync`` endpoint.

Rules (spec procore-api.md §1.7, D-sync):

* at most 1,000 items per call (checked by ``Call.updates``; more answers 400);
* the answer is always HTTP 200 ``{"entities": [...], "errors": [...]}``; a failed item comes back
  with the attributes it was sent plus ``"errors": {field: [message]}``;
* matching: neither ``id`` nor ``origin_id`` → create; ``id`` not found → error "Entity with this
  ID not found"; ``id`` found → update; ``origin_id`` not found → create; ``origin_id`` found →
  update; ``id`` + ``origin_id`` → update matched by id, the only way to change an ``origin_id``;
* ``origin_id`` is unique per company: an item that would reuse another record's ``origin_id``
  fails with an error on ``origin_id``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from procore_qb.sandbox.procore.core import Call, Reply
from procore_qb.sandbox.procore.errors import ApiError, Conflict, Unprocessable

__all__ = ["run_sync"]

Record = dict[str, Any]


def run_sync(
    call: Call,
    table: str,
    company_id: int,
    items: list[Any],
    *,
    in_scope: Callable[[Record], bool],
    create: Callable[[dict[str, Any]], Record],
    update: Callable[[Record, dict[str, Any]], Record],
    render: Callable[[Record], Any],
) -> Reply:
    rows = call.world.table(table)
    entities: list[Any] = []
    errors: list[Any] = []
    for item in items:
        if not isinstance(item, dict):
            errors.append({"errors": {"base": ["each update must be a JSON object"]}})
            continue
        try:
            record = _match(call, table, company_id, rows, item, in_scope)
            record = create(item) if record is None else update(record, item)
            entities.append(render(record))
        except (Conflict, Unprocessable) as exc:
            errors.append({**item, "errors": exc.errors})
        except ApiError as exc:
            errors.append({**item, "errors": {"base": [exc.message]}})
    return Reply({"entities": entities, "errors": errors})


def _match(
    call: Call,
    table: str,
    company_id: int,
    rows: dict[int, Record],
    item: dict[str, Any],
    in_scope: Callable[[Record], bool],
) -> Record | None:
    rid = item.get("id")
    origin = item.get("origin_id")
    if rid is not None:
        try:
            record = rows.get(int(rid))
        except (TypeError, ValueError):
            record = None
        if record is None or not in_scope(record):
            raise Unprocessable({"id": ["Entity with this ID not found"]})
        return record
    if origin is None:
        return None
    record = call.world.by_origin(table, company_id, str(origin))
    if record is not None and not in_scope(record):
        raise Conflict(
            {
                "origin_id": [
                    f"has already been taken: '{origin}' belongs to record {record['id']} "
                    "elsewhere in this company; origin_id must be unique per company"
                ]
            }
        )
    return record
