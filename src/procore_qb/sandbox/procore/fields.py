"""Type checks for request attributes, answering 422 ``{"errors": {field: [message]}}``.

Procore validates attribute types and presence and reports failures per field as 422 (spec
procore-api.md §1.6). Attributes a request body may carry are the ones Procore's collection shows
for that request; others are dropped, as Rails' strong parameters do.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from procore_qb.sandbox.procore.errors import Unprocessable

__all__ = ["clean", "render_time"]

KINDS = ("str", "int", "bool", "date", "number", "ids", "dict", "list")


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
        converted, problem = _check(kind, values[name])
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
