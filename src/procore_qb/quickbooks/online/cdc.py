"""Changed and deleted entities since a moment, with ChangeDataCapture and its fallback.

CDC facts (spec §A.7, Intuit's change-data-capture page): look-back at most 30 days; at most
1,000 objects per answer; deleted objects come back as ``Id`` + ``MetaData`` with
``status="Deleted"``; the answer's ``time`` is the next watermark (QuickBooks' clock, not ours).

Beyond the window, or when the answer reaches the cap (counting every entity in it; the
answer is then incomplete), :func:`changes_since` reads every object of the requested
entities instead, with automatic paging, and says so with ``full_read=True``: deletions are
then not reported, and the caller treats anything it knows that is absent from ``changed``
as gone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from procore_qb.quickbooks.online.client import QboClient
from procore_qb.quickbooks.online.errors import QboProtocolError
from procore_qb.quickbooks.online.query import Query
from procore_qb.quickbooks.online.resources.base import reader

__all__ = [
    "CDC_MAX_OBJECTS",
    "CDC_WINDOW",
    "NAME_LIST_ENTITIES",
    "Changes",
    "capture",
    "changes_since",
]

CDC_WINDOW = timedelta(days=30)
CDC_MAX_OBJECTS = 1000
#: Entities that are deactivated rather than deleted; a full read must ask for inactive ones too.
NAME_LIST_ENTITIES = frozenset({"Customer", "Vendor", "Employee", "Item", "Account", "Class"})


@dataclass
class Changes:
    changed: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    deleted: dict[str, list[str]] = field(default_factory=dict)
    as_of: datetime | None = None
    full_read: bool = False
    calls: int = 0


def changes_since(
    client: QboClient,
    entities: Sequence[str],
    since: datetime,
    *,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    window: timedelta = CDC_WINDOW,
    cap: int = CDC_MAX_OBJECTS,
) -> Changes:
    if since.tzinfo is None:
        raise ValueError("since must be timezone-aware")
    if not entities:
        raise ValueError("name at least one entity")
    before = client.calls
    captured = capture(client, entities, since, clock=clock, window=window, cap=cap)
    if captured is not None and not captured.full_read:
        changes = captured
    else:
        changes = _full_read(client, entities)
        if captured is not None:
            changes.as_of = captured.as_of or changes.as_of
    changes.calls = client.calls - before
    return changes


def capture(
    client: QboClient,
    entities: Sequence[str],
    since: datetime,
    *,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    window: timedelta = CDC_WINDOW,
    cap: int = CDC_MAX_OBJECTS,
) -> Changes | None:
    """One ChangeDataCapture call: the changes (at most ``cap`` objects, so its memory is
    bounded), or, when they are incomplete, an empty :class:`Changes` with ``full_read=True``
    and the answer's ``as_of``: the caller reads every object instead (page by page, see
    :func:`changes_since`). None when ``since`` is beyond the look-back window (no call)."""
    if since.tzinfo is None:
        raise ValueError("since must be timezone-aware")
    if not entities:
        raise ValueError("name at least one entity")
    if clock() - since >= window:
        return None
    body = client.change_data_capture(entities, since)
    changes = _parse(body, entities)
    # The cap is on the whole answer, whatever the mix of entities (spec §A.7).
    received = sum(
        len(changes.changed.get(e, ())) + len(changes.deleted.get(e, ())) for e in entities
    )
    if received >= cap:
        return Changes(as_of=changes.as_of, full_read=True)
    return changes


@reader("change data capture answer")
def _parse(body: Mapping[str, Any], entities: Sequence[str]) -> Changes:
    changes = Changes(
        changed={e: [] for e in entities},
        deleted={e: [] for e in entities},
    )
    raw_time = body.get("time")
    if isinstance(raw_time, str):
        parsed = datetime.fromisoformat(raw_time)
        changes.as_of = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    cdc = body.get("CDCResponse", [])
    if not isinstance(cdc, list):
        raise QboProtocolError("CDCResponse is not a list")
    for block in cdc:
        responses = block.get("QueryResponse", []) if isinstance(block, Mapping) else []
        if isinstance(responses, Mapping):
            responses = [responses]
        for response in responses:
            if not isinstance(response, Mapping):
                continue
            for entity in entities:
                for obj in response.get(entity, ()):
                    if not isinstance(obj, Mapping):
                        continue
                    if obj.get("status") == "Deleted":
                        changes.deleted[entity].append(str(obj.get("Id")))
                    else:
                        changes.changed[entity].append(dict(obj))
    return changes


def _full_read(client: QboClient, entities: Sequence[str]) -> Changes:
    changes = Changes(full_read=True)
    for entity in entities:
        query = Query(entity)
        if entity in NAME_LIST_ENTITIES:
            query = query.where("Active", "IN", [True, False])
        rows: list[dict[str, Any]] = []
        for i, page in enumerate(client.query_pages(query)):
            if i == 0 and entity == entities[0]:
                changes.as_of = client.last_server_time
            rows.extend(page)
        if changes.as_of is None:
            changes.as_of = client.last_server_time
        changes.changed[entity] = rows
        changes.deleted[entity] = []
    return changes
