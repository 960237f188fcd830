"""The body of ``POST /api/v1/projects/{id}/job-cost-sync``: exactly ``{"enabled": bool}``."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from procore_qb.web.api.models import JobCostSyncBody

values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


@given(st.booleans())
def test_true_and_false_are_taken(enabled: bool) -> None:
    assert JobCostSyncBody.model_validate({"enabled": enabled}).enabled is enabled


@given(values.filter(lambda v: not isinstance(v, bool)))
def test_nothing_but_a_boolean_is_taken(value: Any) -> None:
    with pytest.raises(ValidationError):
        JobCostSyncBody.model_validate({"enabled": value})


@given(st.dictionaries(st.text(max_size=10).filter(lambda k: k != "enabled"), values, min_size=1))
def test_unknown_members_are_refused(extra: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        JobCostSyncBody.model_validate({"enabled": True, **extra})
    with pytest.raises(ValidationError):
        JobCostSyncBody.model_validate(extra)
