"""Hostile and malformed bodies at the Cost Codes tab's routes: every answer is a problem
document, never a server error, and a refused request changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from workflow_stack import Stack

from procore_qb.store.models import AuditEntry, CostCodeExport, QbCommand

pytestmark = pytest.mark.filterwarnings(
    "ignore:You should not use the 'timeout' argument with the TestClient"
)


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    built = Stack("desktop", Path(tmp_path_factory.mktemp("cost-code-boundary")))
    yield built
    built.close()


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=50),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)
bodies = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {"ids": st.lists(st.one_of(st.integers(), st.text(max_size=8)), max_size=5)},
        optional={"comment": st.one_of(st.text(max_size=2100), st.integers())},
    ),
)
entry_ids = st.one_of(
    st.text(min_size=1, max_size=30).filter(lambda t: t not in (".", "..")),
    st.integers().map(str),
)
paths = st.sampled_from(
    [
        "/erp/cost-codes/{id}/accept",
        "/erp/cost-codes/{id}/reject",
        "/erp/cost-codes/{id}/retry",
        "/erp/cost-codes/accept",
        "/erp/cost-codes/reject",
    ]
)


def _counts(stack: Stack) -> tuple[int, int, int]:
    with stack.sessions.begin() as session:
        return tuple(  # type: ignore[return-value]
            int(session.scalar(sa.select(sa.func.count()).select_from(model)) or 0)
            for model in (QbCommand, CostCodeExport, AuditEntry)
        )


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(path=paths, entry=entry_ids, body=bodies, user=st.sampled_from(["ada", "ben", "eve"]))
def test_malformed_cost_code_actions_get_a_problem_and_change_nothing(
    shared: Stack, path: str, entry: str, body: Any, user: str
) -> None:
    before = _counts(shared)
    answer = shared.call(user, "POST", path.format(id=quote(entry, safe="")), body)
    assert answer.status_code < 500, answer.text
    assert answer.status_code >= 400, answer.text  # no entry exists: nothing can succeed
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert _counts(shared) == before


@settings(max_examples=40, deadline=None)
@given(
    filter=st.text(max_size=20),
    page=st.one_of(st.integers(), st.text(max_size=5)),
    per_page=st.one_of(st.integers(), st.text(max_size=5)),
)
def test_list_queries_are_validated(shared: Stack, filter: str, page: Any, per_page: Any) -> None:
    answer = shared.api.get(
        "/api/v1/erp/cost-codes",
        params={"filter": filter, "page": page, "per_page": per_page},
        headers={"Authorization": "Bearer demo-ben"},
    )
    assert answer.status_code in (200, 422), answer.text
