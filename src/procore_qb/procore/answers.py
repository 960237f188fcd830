"""Reading the fields of Procore's answers, refusing what its API does not document.

Procore's JSON rows reach the domain only through these helpers: an id is a positive integer
that fits a signed 64-bit column (a JSON number, or a string of ASCII digits as some endpoints
send), an amount a finite decimal within :data:`MAX_AMOUNT`, a row a JSON object. Anything else
raises :class:`~procore_qb.procore.errors.ProcoreProtocolError` naming the resource, the field
and what was sent, e.g. "Procore sent a budget line whose cost_code_id is 'abc', not a number".
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from procore_qb.procore.errors import ProcoreProtocolError

__all__ = [
    "MAX_AMOUNT",
    "MAX_ID",
    "amount",
    "answer_list",
    "answer_object",
    "opt_id",
    "opt_text",
    "read_id",
    "shown",
    "to_id",
]

MAX_ID = 2**63 - 1
"""The largest id we accept: a signed 64-bit integer, what Procore's and our columns hold."""
MAX_AMOUNT = Decimal("1e15")
"""Amounts beyond a quadrillion (in any currency) are no figure Procore holds."""

_DIGITS = re.compile(r"[0-9]{1,19}")
_MAX_EXACT_FLOAT = 2**53
_SHOWN = 60


def shown(value: Any) -> str:
    """``value`` as the message shows it: text quoted, JSON otherwise, at most 60 characters."""
    try:
        text = repr(value) if isinstance(value, str) else json.dumps(value, default=repr)
    except (TypeError, ValueError, RecursionError):
        # a number too long to print, or something no JSON parser returns
        text = f"({_kind(value)})"
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


def _a(noun: str) -> str:
    return f"an {noun}" if noun[:1].lower() in "aeiou" else f"a {noun}"


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, dict):
        return "a JSON object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "text"
    return "a number" if isinstance(value, int | float) else type(value).__name__


def _refused(what: str, field: str, value: Any, expected: str) -> ProcoreProtocolError:
    sent = shown(value)
    return ProcoreProtocolError(
        f"Procore sent {_a(what)} whose {field} is {sent}, not {expected}",
        resource=what,
        field=field,
        sent=sent,
    )


def answer_object(value: Any, what: str) -> dict[str, Any]:
    """``value`` when it is a JSON object (the shape of every single-record answer)."""
    if isinstance(value, dict):
        return value
    sent = shown(value)
    raise ProcoreProtocolError(
        f"Procore sent {_kind(value)} ({sent}) where {_a(what)} belongs, not a JSON object",
        resource=what,
        sent=sent,
    )


def answer_list(value: Any, what: str) -> list[dict[str, Any]]:
    """``value`` when it is a list of JSON objects (``null`` reads as none), each ``what``."""
    if value is None:
        return []
    if not isinstance(value, list):
        sent = shown(value)
        raise ProcoreProtocolError(
            f"Procore sent {_kind(value)} ({sent}) where a list of {what}s belongs",
            resource=what,
            sent=sent,
        )
    return [answer_object(item, what) for item in value]


def to_id(value: Any, *, field: str, what: str) -> int:
    """A Procore id: an int (not a boolean), an integral float that is exact, or ASCII digits,
    between 1 and :data:`MAX_ID`."""
    if isinstance(value, bool):
        raise _refused(what, field, value, "a number")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer() or abs(value) > _MAX_EXACT_FLOAT:
            raise _refused(what, field, value, "a whole number")
        number = int(value)
    elif isinstance(value, str):
        if not _DIGITS.fullmatch(value):
            raise _refused(what, field, value, "a number")
        number = int(value)
    else:
        raise _refused(what, field, value, "a number")
    if not 1 <= number <= MAX_ID:
        raise _refused(what, field, value, "an id between 1 and 2^63-1")
    return number


def read_id(row: Mapping[str, Any], field: str, *, what: str) -> int:
    """``row[field]`` as an id; missing or null is refused."""
    value = row.get(field)
    if value is None:
        raise ProcoreProtocolError(
            f"Procore sent {_a(what)} without its {field}", resource=what, field=field
        )
    return to_id(value, field=field, what=what)


def opt_id(row: Mapping[str, Any], field: str, *, what: str) -> int | None:
    """``row[field]`` as an id, or None when it is missing, null or empty text."""
    value = row.get(field)
    if value is None or value == "":
        return None
    return to_id(value, field=field, what=what)


def opt_text(row: Mapping[str, Any], field: str, *, what: str) -> str | None:
    """``row[field]`` as text (origin ids, codes), or None when missing, null or empty."""
    value = row.get(field)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise _refused(what, field, value, "text")
    return value


def amount(row: Mapping[str, Any], field: str, *, what: str) -> Decimal:
    """``row[field]`` as a finite decimal within :data:`MAX_AMOUNT`; zero when missing, null or
    empty. Procore sends amounts as JSON numbers or as decimal strings."""
    value = row.get(field)
    if value is None or value == "":
        return Decimal("0")
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _refused(what, field, value, "an amount")
    if isinstance(value, int):
        number = Decimal(value) if abs(value) <= MAX_AMOUNT else Decimal("Infinity")
    else:
        if isinstance(value, str) and len(value) > 40:
            raise _refused(what, field, value, "an amount")
        try:
            number = Decimal(value.strip() if isinstance(value, str) else repr(value))
        except InvalidOperation:
            raise _refused(what, field, value, "an amount") from None
    if not number.is_finite() or abs(number) > MAX_AMOUNT:
        raise _refused(what, field, value, "an amount (finite, at most 10^15)")
    return number
