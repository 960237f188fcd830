"""``check_fields``: a request body goes out only with keys Procore documents for it; the
refusal names every unknown key, sorted, and the allowed ones."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from procore_qb.procore.errors import ProcoreUsageError
from procore_qb.procore.resources.fields import check_fields

ALLOWED = frozenset({"amount", "cost_code_id", "description", "origin_id"})
_KEYS = st.one_of(st.sampled_from(sorted(ALLOWED)), st.text(max_size=12))


@given(st.dictionaries(_KEYS, st.integers(), max_size=8))
def test_only_documented_keys_go_out(item: dict[str, int]) -> None:
    unknown = sorted(k for k in item if k not in ALLOWED)
    if not unknown:
        checked = check_fields("line item", item, ALLOWED)
        assert checked == item
        assert checked is not item  # a copy: the caller's mapping is not handed on
        return
    with pytest.raises(ProcoreUsageError) as refused:
        check_fields("line item", item, ALLOWED)
    message = str(refused.value)
    assert message.startswith(f"line item does not take {', '.join(unknown)}; ")
    assert message.endswith(f"allowed fields are: {', '.join(sorted(ALLOWED))}")


def test_allowed_fields_may_be_any_iterable() -> None:
    assert check_fields("x", {"a": 1}, ["a", "b"]) == {"a": 1}
    with pytest.raises(ProcoreUsageError, match="x does not take c; allowed fields are: a, b"):
        check_fields("x", {"c": 1}, iter(["b", "a"]))
