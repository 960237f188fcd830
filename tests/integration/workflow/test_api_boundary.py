"""Hostile and malformed input at the API boundary: every answer is a problem document or a
success, never a server error, and a refused request changes nothing."""

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

from procore_qb.store.models import AuditEntry, ExportItem, JobCostProject, QbCommand

pytestmark = pytest.mark.filterwarnings(
    "ignore:You should not use the 'timeout' argument with the TestClient"
)


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    built = Stack("desktop", Path(tmp_path_factory.mktemp("boundary")))
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
item_ids = st.one_of(
    st.text(max_size=60),
    st.from_regex(r"(export|import)-[0-9]{1,25}", fullmatch=True),
    st.integers().map(str),
)
paths = st.sampled_from(
    [
        "/erp/jobs/{id}/accept",
        "/erp/jobs/{id}/reject",
        "/erp/jobs/{id}/retry",
        "/erp/jobs/{id}/import",
        "/erp/jobs/{id}/archive",
        "/erp/jobs/{id}/restore",
        "/erp/jobs/accept",
        "/erp/jobs/reject",
    ]
)


def _counts(stack: Stack) -> tuple[int, int, int]:
    with stack.sessions.begin() as session:
        return (
            int(session.scalar(sa.select(sa.func.count()).select_from(QbCommand)) or 0),
            int(session.scalar(sa.select(sa.func.count()).select_from(ExportItem)) or 0),
            int(session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) or 0),
        )


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(path=paths, item=item_ids, body=json_values, user=st.sampled_from(["ada", "ben", "eve"]))
def test_malformed_actions_get_a_problem_and_change_nothing(
    shared: Stack, path: str, item: str, body: Any, user: str
) -> None:
    before = _counts(shared)
    target = path.format(id=quote(item, safe=""))
    answer = shared.call(user, "POST", target, body)
    assert answer.status_code < 500, answer.text
    if answer.status_code >= 400:
        assert answer.headers["content-type"].startswith(
            ("application/problem+json", "application/json")
        )
        if answer.headers["content-type"].startswith("application/problem+json"):
            problem = answer.json()
            assert problem["status"] == answer.status_code
            assert problem["detail"]
        assert _counts(shared)[:2] == before[:2]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    query=st.dictionaries(
        st.sampled_from(["filter", "page", "per_page", "search", "limit", "before_id", "since"]),
        st.one_of(st.text(max_size=30), st.integers().map(str)),
        max_size=4,
    )
)
def test_list_queries_are_bounded(shared: Stack, query: dict[str, str]) -> None:
    for path in ("/erp/jobs", "/audit", "/erp/customers"):
        answer = shared.api.get(
            f"/api/v1{path}", params=query, headers={"Authorization": "Bearer demo-ada"}
        )
        assert answer.status_code < 500, answer.text


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(token=st.binary(max_size=300))
def test_unknown_tokens_are_refused_with_401(shared: Stack, token: bytes) -> None:
    if b"\r" in token or b"\n" in token or b"\x00" in token:
        return  # not a header value any HTTP client sends
    answer = shared.api.get("/api/v1/me", headers={"Authorization": b"Bearer " + token})
    if token.strip() in {b"demo-ada", b"demo-ben", b"demo-cara", b"demo-dan", b"demo-eve"}:
        assert answer.status_code == 200
    else:
        assert answer.status_code == 401
        assert answer.headers["www-authenticate"] == "Bearer"


project_ids = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(["2001", "2009", "0", "-1", "9007199254740993", "1e3", "2009.0"]),
    st.text(max_size=30),
)


def _job_cost_counts(stack: Stack) -> tuple[int, int]:
    with stack.sessions.begin() as session:
        return (
            int(session.scalar(sa.select(sa.func.count()).select_from(QbCommand)) or 0),
            int(session.scalar(sa.select(sa.func.count()).select_from(JobCostProject)) or 0),
        )


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    project=project_ids,
    body=json_values | st.fixed_dictionaries({"enabled": json_values}),
    user=st.sampled_from(["ada", "cara", "eve"]),
)
def test_job_cost_switch_bodies_are_validated(
    shared: Stack, project: str, body: Any, user: str
) -> None:
    """Only ``{"enabled": true|false}`` on a project id in range is ever acted on; anything
    else is a problem document and changes nothing (the seed projects are unsynced, so even a
    well-formed request is refused by the rules)."""
    before = _job_cost_counts(shared)
    answer = shared.call(user, "POST", f"/projects/{quote(project, safe='')}/job-cost-sync", body)
    assert answer.status_code < 500, answer.text
    assert answer.status_code >= 400
    well_formed = (
        isinstance(body, dict) and set(body) == {"enabled"} and isinstance(body["enabled"], bool)
    )
    if not well_formed:
        assert answer.status_code in (404, 422), answer.text
    assert answer.headers["content-type"].startswith(
        ("application/problem+json", "application/json")
    )
    assert _job_cost_counts(shared) == before


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(project=project_ids, body=json_values)
def test_sync_now_and_the_read_are_bounded(shared: Stack, project: str, body: Any) -> None:
    before = _job_cost_counts(shared)
    path = f"/projects/{quote(project, safe='')}"
    answer = shared.call("ada", "POST", f"{path}/job-costs/sync", body)
    assert answer.status_code < 500, answer.text
    assert answer.status_code >= 400  # no seed project has job cost syncing
    read = shared.call("ada", "GET", f"{path}/job-costs")
    assert read.status_code in (404, 422), read.text
    assert _job_cost_counts(shared) == before


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    query=st.dictionaries(
        st.sampled_from(["cost_code_id", "page", "per_page"]),
        st.one_of(st.text(max_size=30), st.integers(min_value=-(2**70), max_value=2**70).map(str)),
        max_size=3,
    )
)
def test_job_cost_queries_are_bounded(shared: Stack, query: dict[str, str]) -> None:
    answer = shared.api.get(
        "/api/v1/projects/2009/job-costs",
        params=query,
        headers={"Authorization": "Bearer demo-ada"},
    )
    assert answer.status_code in (404, 422), answer.text
