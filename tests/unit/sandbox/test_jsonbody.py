"""The simulators' JSON reader: whatever the bytes, a value that can be stored and written
back, or JsonRefused."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from procore_qb.sandbox.jsonbody import JsonRefused, loads

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
