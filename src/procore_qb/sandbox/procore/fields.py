"""Type checks for request attributes, answering 422 ``{"errors": {field: [message]}}``.

Procore validates attribute types and presence and reports failures per field as 422 (spec
procore-api.md §1.6). Attributes a request body may carry are the ones Procore's collection shows
for that request; others are dropped, as Rails' strong parameters do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from procore_qb.sandbox.procore.errors import Unprocessable

__all__ = ["TimeText", "clean", "render_time"]

KINDS = ("str", "int", "bool", "date", "number", "ids", "dict", "list")

_KEPT = {"str": str, "int": int, "number": float}
"""Kinds whose conversion gives back a value of exactly this type unchanged (``str`` of a
``str``, ``int`` of an ``int``, ``float`` of a ``float``), so :func:`clean` keeps it as sent."""

_PLAIN = frozenset({str, int, float, bool, type(None)})
"""Types :func:`render_time` always gives back unchanged (they have no ``isoformat``)."""


def _check(kind: str, value: Any) -> tuple[Any, str | None]:
    if value is None:
        return None, None
    if kind == "str":
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            return str(value), None
        return None, "must be a string"
    if kind == "int":
        if isinstance(value, bool):
            return None, "must be an integer"
        try:
            return int(value), None
        except (TypeError, ValueError):
            return None, "must be an integer"
    if kind == "bool":
        if isinstance(value, bool):
            return value, None
        if value in ("true", "false"):
            return value == "true", None
        return None, "must be true or false"
    if kind == "date":
        try:
            if isinstance(value, str):
                return date.fromisoformat(value[:10]).isoformat(), None
        except ValueError:
            return None, "must be a date in the form YYYY-MM-DD"
        return None, "must be a date in the form YYYY-MM-DD"
    if kind == "number":
        if isinstance(value, bool):
            return None, "must be a number"
        try:
            return float(value), None
        except (TypeError, ValueError):
            return None, "must be a number"
    if kind == "ids":
        if isinstance(value, list) and all(
            isinstance(v, int) and not isinstance(v, bool) for v in value
        ):
            return value, None
        return None, "must be a list of integer ids"
    if kind == "list":
        if isinstance(value, list):
            return value, None
        return None, "must be a list"
    if kind == "dict":
        if isinstance(value, dict):
            return value, None
        return None, "must be an object"
    raise ValueError(f"unknown field kind {kind!r}; use one of {KINDS}")


def clean(values: dict[str, Any], spec: dict[str, str]) -> dict[str, Any]:
    """The attributes of ``values`` named in ``spec`` (name -> kind), converted; 422 on bad ones."""
    out: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, kind in spec.items():
        if name not in values:
            continue
        value = values[name]
        if value is None or type(value) is _KEPT.get(kind):
            out[name] = value
            continue
        converted, problem = _check(kind, value)
        if problem:
            errors[name] = [f"{problem}; got {values[name]!r}"]
        else:
            out[name] = converted
    if errors:
        raise Unprocessable(errors)
    return out


def render_time(value: Any) -> Any:
    """ISO 8601 with ``Z`` for datetimes; other values unchanged."""
    if hasattr(value, "isoformat") and hasattr(value, "tzinfo"):
        return value.isoformat().replace("+00:00", "Z")
    return value


class TimeText:
    """:func:`render_time` for the values of one answer, each datetime rendered once.

    The records one request writes all carry the same ``now`` (``created_at`` and
    ``updated_at``), and the records a list answers were mostly written in batches, so an
    answer of a thousand records holds a handful of datetimes. Each is remembered by identity
    (the memo keeps it alive, so its id is not reused while the memo lives); make one per
    answer."""

    __slots__ = ("_done", "_plans")

    def __init__(self) -> None:
        self._done: dict[int, tuple[datetime, Any]] = {}
        self._plans: dict[tuple[tuple[str, ...], tuple[type, ...]], _Plan] = {}

    def __call__(self, value: Any) -> Any:
        if type(value) in _PLAIN:
            return value
        if type(value) is not datetime:
            return render_time(value)
        seen = self._done.get(id(value))
        if seen is not None and seen[0] is value:
            return seen[1]
        text = render_time(value)
        self._done[id(value)] = (value, text)
        return text

    def public(self, record: dict[str, Any]) -> dict[str, Any]:
        """The record's attributes but the internal ones (``_``...), times rendered, in the
        record's order: ``{k: render_time(v) for k, v in record.items() if not
        k.startswith("_")}``.

        Records of one table share their keys and mostly the types of their values, so what
        to drop and what to render is worked out once per layout (the keys in order and the
        exact type of each value) and the record is copied, not rebuilt key by key."""
        layout = (tuple(record), tuple(map(type, record.values())))
        plan = self._plans.get(layout)
        if plan is None:
            plan = self._plans[layout] = _Plan(
                internal=tuple(k for k in record if k.startswith("_")),
                rendered=tuple(
                    k for k, v in record.items() if not k.startswith("_") and type(v) not in _PLAIN
                ),
            )
        out = record.copy()
        for key in plan.internal:
            del out[key]
        for key in plan.rendered:
            out[key] = self(out[key])
        return out


@dataclass(frozen=True, slots=True)
class _Plan:
    internal: tuple[str, ...]
    """Keys starting with ``_``, which never leave the simulator."""
    rendered: tuple[str, ...]
    """Other keys whose values are not of a type :func:`render_time` leaves alone."""
