"""A builder for the QuickBooks Online query language, limited to what the service accepts.

Grammar (spec §A.6; Intuit's "data queries" page, URL in the spec)::

    SELECT * | COUNT(*) FROM <Entity> [WHERE <prop> <op> <value> [AND ...]]
        [ORDERBY <prop> [ASC|DESC]] [STARTPOSITION n] [MAXRESULTS n]

Operators ``=, <, >, <=, >=, IN, LIKE``; conditions joined by AND only (no OR, JOIN, GROUP BY
or projections, so the builder has no way to write them). String literals are single-quoted
with ``'`` escaped as ``\\'`` (Intuit's gist 6582149). ``STARTPOSITION`` is 1-based and
``MAXRESULTS`` at most 1000.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TypeAlias

__all__ = ["MAX_PAGE_SIZE", "Query", "QueryError", "Value", "literal"]

MAX_PAGE_SIZE = 1000
_OPERATORS = frozenset({"=", "<", ">", "<=", ">=", "IN", "LIKE"})
_ENTITY = re.compile(r"^[A-Z][A-Za-z]*$")
_PROPERTY = re.compile(r"^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)*$")

Value: TypeAlias = str | bool | int | Decimal | date | datetime


class QueryError(ValueError):
    """A query the QuickBooks Online grammar cannot express."""


def literal(value: Value) -> str:
    """``value`` as a query literal."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise QueryError("datetimes in queries must be timezone-aware (pass UTC)")
        return "'" + value.astimezone(UTC).isoformat(timespec="seconds") + "'"
    if isinstance(value, date):
        return "'" + value.isoformat() + "'"
    if isinstance(value, str):
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    raise QueryError(f"unsupported query value {value!r}")


@dataclass(frozen=True, slots=True)
class _Condition:
    prop: str
    op: str
    value: Value | tuple[Value, ...]

    def render(self) -> str:
        if isinstance(self.value, tuple):
            return f"{self.prop} IN ({', '.join(literal(v) for v in self.value)})"
        return f"{self.prop} {self.op} {literal(self.value)}"


@dataclass(frozen=True, slots=True)
class Query:
    """An immutable query on one entity; each method returns a new query.

    ``Query("Customer").where("Job", "=", True).order_by("Id").render(1, 1000)`` is
    ``SELECT * FROM Customer WHERE Job = true ORDERBY Id STARTPOSITION 1 MAXRESULTS 1000``.
    """

    entity: str
    conditions: tuple[_Condition, ...] = ()
    order: str | None = None
    descending: bool = False

    def __post_init__(self) -> None:
        if not _ENTITY.match(self.entity):
            raise QueryError(
                f"entity {self.entity!r} is not a QuickBooks Online entity name "
                "(one word, capitalised, e.g. 'Customer')"
            )

    def where(self, prop: str, op: str, value: Value | Sequence[Value]) -> Query:
        """Add ``prop op value``; conditions are joined with AND (QuickBooks has no OR)."""
        _check_property(prop)
        op = op.strip().upper()
        if op not in _OPERATORS:
            raise QueryError(
                f"operator {op!r} is not supported by QuickBooks Online queries; "
                f"use one of {', '.join(sorted(_OPERATORS))} (conditions join with AND only)"
            )
        if op == "IN":
            if isinstance(value, str | bytes) or not isinstance(value, Sequence):
                raise QueryError("IN needs a list of values")
            values = tuple(value)
            if not values:
                raise QueryError("IN needs at least one value")
            for v in values:
                literal(v)
            return replace(self, conditions=(*self.conditions, _Condition(prop, op, values)))
        if isinstance(value, Sequence) and not isinstance(value, str):
            raise QueryError(f"operator {op} takes one value, not a list")
        if op == "LIKE" and (not isinstance(value, str) or "%" not in value):
            raise QueryError("LIKE needs a string with a % wildcard (QuickBooks supports only %)")
        literal(value)
        return replace(self, conditions=(*self.conditions, _Condition(prop, op, value)))

    def order_by(self, prop: str, *, descending: bool = False) -> Query:
        _check_property(prop)
        return replace(self, order=prop, descending=descending)

    def _where(self) -> str:
        if not self.conditions:
            return ""
        return " WHERE " + " AND ".join(c.render() for c in self.conditions)

    def render(self, start_position: int = 1, max_results: int = MAX_PAGE_SIZE) -> str:
        """The statement for one page. ``start_position`` is 1-based."""
        if start_position < 1:
            raise QueryError("STARTPOSITION is 1-based; it must be at least 1")
        if not 1 <= max_results <= MAX_PAGE_SIZE:
            raise QueryError(f"MAXRESULTS must be between 1 and {MAX_PAGE_SIZE}")
        # Not SQL: the QuickBooks query language; every literal goes through literal().
        text = f"SELECT * FROM {self.entity}{self._where()}"  # noqa: S608
        if self.order:
            text += f" ORDERBY {self.order}" + (" DESC" if self.descending else "")
        return f"{text} STARTPOSITION {start_position} MAXRESULTS {max_results}"

    def render_count(self) -> str:
        return f"SELECT COUNT(*) FROM {self.entity}{self._where()}"  # noqa: S608


def _check_property(prop: str) -> None:
    if not _PROPERTY.match(prop):
        raise QueryError(
            f"property {prop!r} is not a property path (letters and digits, dots between parts)"
        )
