"""The simulators' JSON reader: whatever the bytes, a value that can be stored and written
back, or JsonRefused."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from procore_qb.sandbox.jsonbody import (
    MAX_DEPTH,
    JsonRefused,
    _constant,
    _float,
    _int,
    check_value,
    loads,
)

fragments = st.sampled_from(
    [
        "NaN",
        "Infinity",
        "-Infinity",
        "1e999",
        "9" * 5000,
        '"\\ud800"',
        "[" * 3000,
        "{",
        '"a"',
        "1",
        "null",
        ",",
        ":",
        "]",
        "}",
        "\u00b2",
        '"\\u0000"',
        "1.5e-400",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.binary(max_size=200), st.lists(fragments, max_size=12).map("".join)))
def test_loads_gives_a_storable_value_or_refuses(data: bytes | str) -> None:
    try:
        value = loads(data)
    except JsonRefused:
        return
    # What was accepted can be written back as UTF-8 JSON and read again unchanged.
    text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    assert json.loads(text.encode("utf-8")) == value


def careful_loads(raw: bytes | str) -> Any:
    """:func:`loads` read the careful way alone: every number through its hook, then
    :func:`check_value` over the whole value."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise JsonRefused(f"the body is not UTF-8 ({exc.reason})") from None
    try:
        value = json.loads(raw, parse_constant=_constant, parse_int=_int, parse_float=_float)
    except JsonRefused:
        raise
    except RecursionError:
        raise JsonRefused(f"the JSON nests deeper than {MAX_DEPTH} levels") from None
    except ValueError as exc:
        raise JsonRefused(f"not valid JSON: {exc}") from None
    check_value(value)
    return value


def outcome(read: Any, raw: bytes | str) -> tuple[str, str]:
    try:
        value = read(raw)
    except JsonRefused as exc:
        return "refused", str(exc)
    # repr tells 0.0 from -0.0 and 1 from 1.0, which == does not
    return "read", repr(value)


json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.integers(min_value=2**120, max_value=2**140),
        st.floats(),
        st.text(max_size=6),
        st.sampled_from(["\ud800", "caf\u00e9", "\U0001f600", "-1e5", "9" * 45]),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=4), inner, max_size=4)
    ),
    max_leaves=12,
)
long_numbers = st.sampled_from(
    ["1" * 41, "-" + "1" * 40, "0." + "1" * 39, "1" * 39, "1e999", "-1e999", "1.5e-400", "2e308"]
)


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(
        json_values.map(lambda v: json.dumps(v, ensure_ascii=False)),
        json_values.map(json.dumps),
        st.lists(st.one_of(long_numbers, st.just("1")), min_size=1, max_size=4).map(
            lambda parts: "[" + ",".join(parts) + "]"
        ),
        st.lists(fragments, max_size=12).map("".join),
        st.binary(max_size=80),
        st.integers(min_value=60, max_value=70).map(lambda n: "[" * n + "]" * n),
    ),
    st.booleans(),
)
def test_loads_reads_as_the_careful_way(raw: str | bytes, as_bytes: bool) -> None:
    if as_bytes and isinstance(raw, str):
        raw = raw.encode("utf-8", "surrogatepass")
    assert outcome(loads, raw) == outcome(careful_loads, raw)
