"""Reading JSON request bodies the simulators can store and serve back.

Python's ``json`` reads things no real service keeps: ``NaN`` and ``Infinity`` (not JSON at
all, RFC 8259 §6), ``1e999`` (read as infinity), integers of thousands of digits (which cannot
even be printed again past 4,300), lone surrogates such as ``"\\ud800"`` (no character: they
cannot be written as UTF-8, so a stored one breaks every later read of the state) and nesting
deep enough to exhaust the stack. :func:`loads` refuses them with :class:`JsonRefused` (a
``ValueError``), which each simulator turns into its own service's error shape.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from typing import Any

__all__ = ["MAX_DEPTH", "MAX_NUMBER_CHARS", "JsonRefused", "check_value", "loads"]

MAX_DEPTH = 64
"""Deepest nesting of arrays and objects accepted (the services' bodies nest 3-4 deep)."""

MAX_NUMBER_CHARS = 40
"""Longest number literal accepted: a 64-bit id has 20 digits, a money amount fewer."""


_NUMBER_CHARS = bytes(0x31 if chr(b) in "-+.0123456789eE" else 0x20 for b in range(256))
"""A translation of UTF-8 bytes: the characters a number is written with to ``1``, all
others (multi-byte characters included) to a space."""

_LONG_RUN = b"1" * (MAX_NUMBER_CHARS + 1)
"""More characters in a row than a number may have, of those a number is written with: where
the translated body has none, no number in it is too long (a string may hold such a run too;
then the body is read the careful way)."""


class JsonRefused(ValueError):
    """A body that is not JSON a real service would store."""


def _constant(name: str) -> Any:
    raise JsonRefused(f"{name} is not a JSON value (RFC 8259 §6 has no NaN or Infinity)")


def _int(text: str) -> int:
    if len(text) > MAX_NUMBER_CHARS:
        raise JsonRefused(f"a number of {len(text)} digits is out of range")
    return int(text)


def _float(text: str) -> float:
    if len(text) > MAX_NUMBER_CHARS:
        raise JsonRefused(f"a number of {len(text)} characters is out of range")
    value = float(text)
    if not math.isfinite(value):
        raise JsonRefused(f"the number {text} is out of range")
    return value


def _check_text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise JsonRefused(
            "a string holds a lone surrogate (\\ud800-\\udfff), which is no character"
        ) from None


def check_value(value: Any, *, max_depth: int = MAX_DEPTH) -> None:
    """Refuse a decoded value (or one built from a form) that could not be stored and
    written back: too deep, a non-finite float, a giant integer or a lone surrogate."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            _check_text(item)
        elif isinstance(item, bool) or item is None:
            continue
        elif isinstance(item, int):
            if item.bit_length() > 128:
                raise JsonRefused("an integer is out of range")
        elif isinstance(item, float):
            if not math.isfinite(item):
                raise JsonRefused("a number is out of range")
        elif isinstance(item, (dict, list)):
            if depth > max_depth:
                raise JsonRefused(f"the JSON nests deeper than {max_depth} levels")
            if isinstance(item, dict):
                for key, child in item.items():
                    _check_text(key)
                    stack.append((child, depth + 1))
            else:
                stack.extend((child, depth + 1) for child in item)


def _encodes(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _plainly_fine(value: Any, max_depth: int) -> bool:
    """True when :func:`check_value` would find nothing to refuse in a decoded object or
    array, judged on exact types; False when it might (check_value then decides)."""
    todo: list[tuple[Any, int]] = [(value, 1)]
    while todo:
        item, depth = todo.pop()
        if depth > max_depth:
            return False
        children: Iterable[Any]
        if type(item) is dict:
            keys = "".join(item)
            if not (keys.isascii() or _encodes(keys)):
                return False
            children = item.values()
        elif type(item) is list:
            children = item
        else:
            return False
        for child in children:
            kind = type(child)
            if kind is str:
                if not (child.isascii() or _encodes(child)):
                    return False
            elif kind is int:
                if child.bit_length() > 128:
                    return False
            elif kind is float:
                if not math.isfinite(child):
                    return False
            elif kind is dict or kind is list:
                todo.append((child, depth + 1))
            elif child is not None and kind is not bool:
                return False
    return True


def loads(raw: bytes | str, *, max_depth: int = MAX_DEPTH) -> Any:
    """Decode a JSON body, refusing what no real service would store (see the module)."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise JsonRefused(f"the body is not UTF-8 ({exc.reason})") from None
    if _LONG_RUN not in raw.encode("utf-8", "surrogatepass").translate(_NUMBER_CHARS):
        # The usual body, read at the decoder's own pace: no number in it is too long, so
        # each reads as the careful way reads it (int() and float() of its text); what the
        # careful way refuses makes the quick one fail or the value not plainly fine, and
        # the body is read again the careful way, for the same answer.
        try:
            quick = json.loads(raw)
        except (ValueError, RecursionError):
            pass
        else:
            if _plainly_fine(quick, max_depth):
                return quick
    try:
        value = json.loads(raw, parse_constant=_constant, parse_int=_int, parse_float=_float)
    except JsonRefused:
        raise
    except RecursionError:
        # The decoder recurses per level; deeper than the interpreter allows is refused.
        raise JsonRefused(f"the JSON nests deeper than {max_depth} levels") from None
    except ValueError as exc:
        raise JsonRefused(f"not valid JSON: {exc}") from None
    check_value(value, max_depth=max_depth)
    return value
