"""Batch operations: up to 30 operations per ``POST /batch``, one answer per operation.

Facts (spec §A.8): body ``{"BatchItemRequest": [{"bId", "operation", <Entity>} | {"bId",
"Query"}]}``; answer ``{"BatchItemResponse": [{"bId", <Entity>} | {"bId", "Fault"} | {"bId",
"QueryResponse"}]}``; at most 30 items (python-quickbooks chunks at 30 too); items run in order
but cannot see what earlier items of the same batch created; a ``bId`` is at most 10 characters
when the call has a ``requestid``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from procore_qb.quickbooks.online.client import QboClient, batch_request_id
from procore_qb.quickbooks.online.errors import QboError, QboProtocolError, error_from_fault
from procore_qb.quickbooks.online.query import MAX_PAGE_SIZE, Query

__all__ = [
    "MAX_BATCH_ITEMS",
    "BatchAnswer",
    "BatchOperation",
    "chunked",
    "query_in_batches",
    "run_batch",
]

MAX_BATCH_ITEMS = 30
_MAX_BID = 10
T = TypeVar("T")

Operation = Literal["create", "update", "delete"]


@dataclass(frozen=True, slots=True)
class BatchOperation:
    """One item: a write (``operation`` + ``entity`` + ``body``) or a ``query``."""

    bid: str
    entity: str = ""
    operation: Operation | None = None
    body: Mapping[str, Any] | None = None
    query: str | None = None

    def __post_init__(self) -> None:
        if not self.bid or len(self.bid) > _MAX_BID:
            raise ValueError(f"a batch bId must be 1-{_MAX_BID} characters, got {self.bid!r}")
        if (self.query is None) == (self.operation is None):
            raise ValueError("a batch item is either a write (operation) or a query")
        if self.operation is not None and (not self.entity or self.body is None):
            raise ValueError("a batch write needs an entity and a body")

    def to_json(self) -> dict[str, Any]:
        if self.query is not None:
            return {"bId": self.bid, "Query": self.query}
        return {"bId": self.bid, "operation": self.operation, self.entity: dict(self.body or {})}


@dataclass(frozen=True, slots=True)
class BatchAnswer:
    bid: str
    entity: dict[str, Any] | None = None
    query_response: dict[str, Any] | None = None
    error: QboError | None = None


def chunked(items: Sequence[T], size: int = MAX_BATCH_ITEMS) -> Iterator[Sequence[T]]:
    if size < 1:
        raise ValueError("chunk size must be at least 1")
    for start in range(0, len(items), size):
        yield items[start : start + size]


def run_batch(
    client: QboClient,
    operations: Sequence[BatchOperation],
    *,
    keys: Sequence[str],
    max_items: int = MAX_BATCH_ITEMS,
) -> dict[str, BatchAnswer]:
    """One batch call; ``keys`` are the idempotency keys the ``requestid`` derives from.
    Returns an answer per ``bId`` (a protocol error for an item QuickBooks did not answer)."""
    if not operations:
        return {}
    if len(operations) > max_items:
        raise ValueError(f"a batch holds at most {max_items} operations, got {len(operations)}")
    bids = [op.bid for op in operations]
    if len(set(bids)) != len(bids):
        raise ValueError("batch bIds must be unique within one call")
    answers = client.batch([op.to_json() for op in operations], request_id=batch_request_id(keys))
    by_bid: dict[str, BatchAnswer] = {}
    wanted = {op.bid: op for op in operations}
    for item in answers:
        bid = str(item.get("bId", ""))
        op = wanted.get(bid)
        if op is None:
            continue
        fault = item.get("Fault")
        if isinstance(fault, Mapping):
            by_bid[bid] = BatchAnswer(bid, error=error_from_fault(fault, realm_id=client.realm_id))
        elif op.query is not None:
            qr = item.get("QueryResponse")
            by_bid[bid] = BatchAnswer(
                bid, query_response=dict(qr) if isinstance(qr, Mapping) else {}
            )
        else:
            entity = item.get(op.entity)
            if isinstance(entity, Mapping):
                by_bid[bid] = BatchAnswer(bid, entity=dict(entity))
            else:
                by_bid[bid] = BatchAnswer(
                    bid, error=QboProtocolError(f"batch item {bid} came back without {op.entity}")
                )
    for bid in bids:
        if bid not in by_bid:
            by_bid[bid] = BatchAnswer(
                bid, error=QboProtocolError(f"QuickBooks did not answer batch item {bid}")
            )
    return by_bid


def query_in_batches(
    client: QboClient,
    query: Query,
    *,
    request_key: str,
    pages_per_call: int = MAX_BATCH_ITEMS,
    page_size: int = MAX_PAGE_SIZE,
) -> Iterator[list[dict[str, Any]]]:
    """Every page of ``query``, ``pages_per_call`` pages to a batch call: ``STARTPOSITION`` 1,
    1 + ``page_size``, ... as ``Query`` items of one ``POST /batch`` (spec §A.8), so a list of
    up to 30,000 objects takes one call of the 40 batch calls a minute instead of 30 of the
    500 plain ones (each item is still metered as a request). Stops after the first short or
    empty page. ``request_key`` makes the calls' ``requestid``s: give a new one per read, so
    a read is never answered from QuickBooks' replay of an earlier one."""
    if not 1 <= pages_per_call <= MAX_BATCH_ITEMS:
        raise ValueError(f"pages_per_call must be 1-{MAX_BATCH_ITEMS}")
    start = 1
    for call in range(1_000_000):
        operations = [
            BatchOperation(f"p{n}", query=query.render(start + n * page_size, page_size))
            for n in range(pages_per_call)
        ]
        answers = run_batch(client, operations, keys=[f"{request_key}:{call}"])
        for operation in operations:
            answer = answers[operation.bid]
            if answer.error is not None:
                raise answer.error
            rows = (answer.query_response or {}).get(query.entity, [])
            if not isinstance(rows, list):
                raise QboProtocolError(f"QueryResponse.{query.entity} is not a list")
            if rows:
                yield rows
            if len(rows) < page_size:
                return
        start += pages_per_call * page_size
    raise QboProtocolError("QuickBooks kept answering full pages past a billion objects")
