from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procore_qb.domain.project import (
    Address,
    CostCode,
    ProcoreProject,
    project_from_json,
    project_to_json,
)

from .factories import eligible_project

texts = st.text(max_size=30)
projects = st.builds(
    ProcoreProject,
    id=st.integers(1, 2**53),
    company_id=st.integers(1, 2**31),
    name=texts,
    project_number=texts,
    address=st.builds(Address, texts, texts, texts, texts, texts, texts),
    start_date=st.none() | st.dates(),
    completion_date=st.none() | st.dates(),
    active=st.booleans(),
    erp_sync=st.booleans(),
    standard_cost_code_list_id=st.none() | st.integers(1, 10**6),
    cost_codes=st.lists(
        st.builds(CostCode, st.integers(1, 10**6), texts, texts, st.none() | texts), max_size=3
    ).map(tuple),
    origin_id=st.none() | texts,
)


@settings(deadline=None)  # never a wall-clock assertion
@given(projects)
def test_a_snapshot_survives_json(project: ProcoreProject) -> None:
    text = json.dumps(project_to_json(project))
    assert project_from_json(json.loads(text)) == project


def test_the_json_shape() -> None:
    data = project_to_json(eligible_project())
    assert data["start_date"] == "2026-04-01"
    assert data["address"]["zip"] == "62701"
    assert data["cost_codes"][0]["full_code"] == "01-100"


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"id": "x", "company_id": 1, "name": "n"},
        {"id": 1, "company_id": 1, "name": "n", "start_date": "yesterday"},
    ],
)
def test_a_malformed_snapshot_is_refused(data: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="malformed project snapshot"):
        project_from_json(data)
