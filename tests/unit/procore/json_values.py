"""Hypothesis strategies for what a JSON parser can hand back, with ids in mind."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

_scalars: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.integers(min_value=1, max_value=2**40),
    st.floats(),
    st.text(max_size=12),
    st.from_regex(r"[0-9]{1,25}", fullmatch=True),
    st.from_regex(r"\s*-?[0-9]{1,4}(\.[0-9]*)?\s*", fullmatch=True),
)

json_values: st.SearchStrategy[Any] = st.recursive(
    _scalars,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=6,
)
"""Any JSON value (NaN and infinities included: Python's json module reads them)."""
