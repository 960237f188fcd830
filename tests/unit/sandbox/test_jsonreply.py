"""The simulators' JSON answers (orjson): whatever a simulator holds, the JSON Starlette's own
``JSONResponse`` would write, read back as the same value."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from starlette.responses import JSONResponse

from procore_qb.sandbox.jsonbody import loads
from procore_qb.sandbox.jsonreply import JsonReply

_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
"""Any text a simulator can hold (lone surrogates are refused on the way in)."""


def _values(integers: st.SearchStrategy[int]) -> st.SearchStrategy[Any]:
    return st.recursive(
        st.none()
        | st.booleans()
        | integers
        | st.floats(allow_nan=False, allow_infinity=False)
        | _text,
        lambda children: (
            st.lists(children, max_size=5) | st.dictionaries(_text, children, max_size=5)
        ),
        max_leaves=30,
    )


values = _values(st.integers())
stored = _values(st.integers(min_value=-(10**38), max_value=10**38))
"""What a simulator keeps: its JSON reader takes numbers of at most 40 characters."""


@given(values)
def test_an_answer_reads_back_as_what_starlette_would_have_written(value: Any) -> None:
    body = bytes(JsonReply(value).body)
    assert json.loads(body) == json.loads(bytes(JSONResponse(value).body)) == value


@given(stored)
def test_an_answer_is_json_the_simulators_own_reader_takes(value: Any) -> None:
    assert loads(bytes(JsonReply(value).body)) == value


def test_an_integer_beyond_64_bits_is_written_whole() -> None:
    big = {"id": 2**70, "amount": -(2**64) - 1}
    assert json.loads(bytes(JsonReply(big).body)) == big


def test_text_is_utf8_without_escapes_or_spaces() -> None:
    assert bytes(JsonReply({"name": "Café \u2013 Nord", "n": [1, 2]}).body) == (
        '{"name":"Café \u2013 Nord","n":[1,2]}'.encode()
    )
