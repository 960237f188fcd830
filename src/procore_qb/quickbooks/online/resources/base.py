"""What every entity resource shares: read, create, sparse update, query with paging, count."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any, ClassVar, ParamSpec, TypeVar

from procore_qb.quickbooks.online.batch import query_in_batches
from procore_qb.quickbooks.online.client import QboClient
from procore_qb.quickbooks.online.errors import QboProtocolError
from procore_qb.quickbooks.online.query import Query

__all__ = ["EntityResource", "reader", "ref", "ref_value"]

P = ParamSpec("P")
R = TypeVar("R")


def reader(entity: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Make a reader of QuickBooks Online JSON raise only :class:`QboProtocolError`: an
    entity that lacks a field, holds the wrong type or a value out of range is QuickBooks'
    answer being malformed, and fails the command that read it, not the job."""

    def wrap(read: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(read)
        def checked(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return read(*args, **kwargs)
            except (
                KeyError,
                IndexError,
                TypeError,
                AttributeError,
                ValueError,
                ArithmeticError,
            ) as exc:
                detail = str(exc)[:200]
                raise QboProtocolError(
                    f"QuickBooks Online sent a malformed {entity} ({type(exc).__name__}: {detail})"
                ) from exc

        return checked

    return wrap


def ref(value: str, name: str | None = None) -> dict[str, str]:
    """A ``ReferenceType`` (``{"value": id, "name": ...}``; XSD ``IntuitBaseTypes.xsd``)."""
    out = {"value": value}
    if name:
        out["name"] = name
    return out


def ref_value(obj: Mapping[str, Any], key: str) -> str | None:
    value = obj.get(key)
    if isinstance(value, Mapping) and value.get("value") not in (None, ""):
        return str(value["value"])
    return None


class EntityResource:
    """Base of the per-entity resources; ``ENTITY`` is the entity name (``Customer``)."""

    ENTITY: ClassVar[str]
    #: Name lists are deactivated, never deleted; reads of "all" must ask for inactive ones.
    NAME_LIST: ClassVar[bool] = False

    def __init__(self, client: QboClient) -> None:
        self.client = client

    def get(self, entity_id: str) -> dict[str, Any]:
        return self.client.read(self.ENTITY, entity_id)

    def create(self, body: Mapping[str, Any], *, request_id: str) -> dict[str, Any]:
        return self.client.create(self.ENTITY, body, request_id=request_id)

    def update(
        self, body: Mapping[str, Any], *, request_id: str, sparse: bool = True
    ) -> dict[str, Any]:
        return self.client.update(self.ENTITY, body, request_id=request_id, sparse=sparse)

    def query(self) -> Query:
        return Query(self.ENTITY)

    def all(
        self,
        *,
        include_inactive: bool = False,
        modified_since: datetime | None = None,
        query: Query | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Every matching object, page by page."""
        return self.client.query_all(self._all_query(include_inactive, modified_since, query))

    def all_in_batches(
        self, *, request_key: str, include_inactive: bool = False, query: Query | None = None
    ) -> Iterator[dict[str, Any]]:
        """What :meth:`all` reads, up to 30 pages to a batch call (``query_in_batches``)."""
        q = self._all_query(include_inactive, None, query)
        for page in query_in_batches(self.client, q, request_key=request_key):
            yield from page

    def _all_query(
        self, include_inactive: bool, modified_since: datetime | None, query: Query | None
    ) -> Query:
        q = query if query is not None else self.query()
        if self.NAME_LIST and include_inactive:
            q = q.where("Active", "IN", [True, False])
        if modified_since is not None:
            q = q.where("MetaData.LastUpdatedTime", ">=", modified_since)
        return q.order_by("Id")

    def count(self, query: Query | None = None) -> int:
        return self.client.count(query if query is not None else self.query())
