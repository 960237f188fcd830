"""Whatever JSON Procore sends in an id field, the gateway returns valid ids or raises
:class:`ProcoreProtocolError` naming the resource and the field, never anything else."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import httpx2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procore_qb.domain.quickbooks_job import QuickBooksJob
from procore_qb.procore.answers import MAX_ID
from procore_qb.procore.errors import ProcoreProtocolError
from procore_qb.procore.gateway import DirectCostEntry, DirectCostLine, ProcoreGateway

from .fakes import FakeProcore, make_client, reply
from .json_values import json_values

Body = Any


class Routes(FakeProcore):
    """Answers each ``(method, path)`` with one JSON body; a ``*`` segment matches any one."""

    def __init__(self, answers: dict[tuple[str, str], Body]) -> None:
        super().__init__()
        self.answers = answers

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        parts = request.url.path.split("/")
        for (method, path), body in self.answers.items():
            pattern = path.split("/")
            if (
                method == request.method
                and len(pattern) == len(parts)
                and all(p in ("*", q) for p, q in zip(pattern, parts, strict=True))
            ):
                return reply(200, body)
        return reply(404, {"error": "no route"})


def gateway(answers: dict[tuple[str, str], Body]) -> ProcoreGateway:
    return ProcoreGateway(
        make_client(Routes(answers)), clock=lambda: datetime(2026, 11, 28, 12, tzinfo=UTC)
    )


def outcome(call: Callable[[], Any]) -> Any:
    """What ``call`` returns, or the ProcoreProtocolError it raises (anything else fails)."""
    try:
        return call()
    except ProcoreProtocolError as refused:
        error = refused
    assert str(error).startswith("Procore sent") or "no JSON" in str(error)
    assert error.resource
    return error


def valid(value: Any) -> bool:
    return type(value) is int and 1 <= value <= MAX_ID


def is_id(value: Any) -> bool:
    """Whether Procore's ``value`` reads as an id (the property does not depend on this)."""
    return (type(value) is int and 1 <= value <= MAX_ID) or (
        isinstance(value, str) and value.isascii() and value.isdigit() and 1 <= int(value) < 2**63
    )


ids = st.one_of(json_values, st.integers(min_value=1, max_value=10**6))


@settings(max_examples=150)
@given(row_id=ids, cost_code_id=ids, category_id=ids, original=json_values)
def test_budget_rows(row_id: Any, cost_code_id: Any, category_id: Any, original: Any) -> None:
    row = {
        "id": row_id,
        "cost_code_id": cost_code_id,
        "category_id": category_id,
        "original_budget_amount": original,
    }
    gw = gateway(
        {
            ("GET", "/rest/v1.0/budget_views"): [{"id": 5}],
            ("GET", "/rest/v1.0/budget_views/5/detail_rows"): [row],
        }
    )
    got = outcome(lambda: gw.budget_rows(2001))
    if isinstance(got, ProcoreProtocolError):
        assert got.resource == "budget line"
        assert got.field in {"id", "cost_code_id", "category_id", "original_budget_amount"}
        return
    for budget_row in got:
        assert valid(budget_row.id)
        assert valid(budget_row.cost_code_id)
        assert valid(budget_row.line_item_type_id)
        assert isinstance(budget_row.original_budget_amount, Decimal)
    if all(is_id(v) for v in (row_id, cost_code_id, category_id)):
        assert [r.id for r in got] == [int(row_id)]


@settings(max_examples=100)
@given(view=json_values)
def test_a_budget_view_whatever_its_id(view: Any) -> None:
    gw = gateway(
        {
            ("GET", "/rest/v1.0/budget_views"): [view],
            ("GET", "/rest/v1.0/budget_views/*/detail_rows"): [],
        }
    )
    got = outcome(lambda: gw.budget_rows(2001))
    assert got == [] or isinstance(got, ProcoreProtocolError)


@settings(max_examples=150)
@given(row_id=ids, direct_cost_id=ids, cost_code_id=ids, type_id=ids, amount=json_values)
def test_direct_cost_lines_of_types(
    row_id: Any, direct_cost_id: Any, cost_code_id: Any, type_id: Any, amount: Any
) -> None:
    row = {
        "id": row_id,
        "direct_cost_id": direct_cost_id,
        "cost_code_id": cost_code_id,
        "line_item_type_id": type_id,
        "amount": amount,
    }
    gw = gateway({("GET", "/rest/v1.0/projects/2001/direct_costs/line_items"): [row]})
    got = outcome(lambda: gw.direct_cost_lines_of_types(2001, [type_id if valid(type_id) else 5]))
    if isinstance(got, ProcoreProtocolError):
        assert got.resource == "direct cost line item"
        return
    for line in got:
        assert valid(line.id)
        assert valid(line.cost_code_id)
        assert valid(line.line_item_type_id)
        assert line.direct_cost_id == 0 or valid(line.direct_cost_id)


@settings(max_examples=150)
@given(project_id=ids, list_id=json_values, code_id=ids, origin=json_values)
def test_projects_and_their_cost_codes(
    project_id: Any, list_id: Any, code_id: Any, origin: Any
) -> None:
    gw = gateway(
        {
            ("GET", "/rest/v1.0/projects"): [
                {"id": project_id, "standard_cost_code_list_id": list_id, "origin_id": origin}
            ],
            ("GET", "/rest/v1.0/cost_codes"): [{"id": code_id, "code": "100"}],
        }
    )
    got = outcome(gw.projects)
    if isinstance(got, ProcoreProtocolError):
        assert got.resource in {"project", "cost code"}
        return
    for project in got:
        assert valid(project.id)
        assert project.standard_cost_code_list_id is None or valid(
            project.standard_cost_code_list_id
        )
        assert project.origin_id is None or isinstance(project.origin_id, str)
        assert all(valid(c.id) for c in project.cost_codes)


@settings(max_examples=100)
@given(body=json_values)
def test_a_project_answer_of_any_shape(body: Any) -> None:
    gw = gateway(
        {
            ("GET", "/rest/v1.0/projects/2001"): body,
            ("GET", "/rest/v1.0/cost_codes"): body,
        }
    )
    got = outcome(lambda: gw.project(2001))
    assert isinstance(got, ProcoreProtocolError) or valid(got.id)


@settings(max_examples=100)
@given(items=st.lists(json_values, max_size=3))
def test_list_items_of_any_shape(items: list[Any]) -> None:
    gw = gateway(
        {
            ("GET", "/rest/v1.0/line_item_types"): items,
            ("GET", "/rest/v1.0/standard_cost_code_lists"): items,
            ("GET", "/rest/v1.0/project_templates"): items,
        }
    )
    for call in (gw.cost_types, gw.cost_code_lists, gw.project_templates):
        got = outcome(call)
        if not isinstance(got, ProcoreProtocolError):
            assert len(got) == len(items)


@settings(max_examples=150)
@given(header_id=ids, origin=json_values, line_id=ids)
def test_direct_costs_written_and_found(header_id: Any, origin: Any, line_id: Any) -> None:
    gw = gateway(
        {
            ("PATCH", "/rest/v1.0/projects/2001/direct_costs/sync"): {
                "entities": [{"id": header_id, "origin_id": "BILL-1"}],
                "errors": [],
            },
            ("PATCH", "/rest/v1.0/projects/2001/direct_costs/line_items/sync"): {
                "entities": [{"id": line_id, "origin_id": "BILL-1:1"}]
            },
            ("GET", "/rest/v1.0/projects/2001/direct_costs"): [
                {"id": header_id, "origin_id": origin}
            ],
            ("GET", "/rest/v1.0/projects/2001/direct_costs/*/line_items"): [
                {"id": line_id, "origin_id": origin}
            ],
        }
    )
    entry = DirectCostEntry("BILL-1", date(2026, 11, 2), (DirectCostLine(11, 5, Decimal("12.50")),))
    written = outcome(lambda: gw.write_direct_costs(2001, [entry]))
    if not isinstance(written, ProcoreProtocolError):
        assert all(valid(i) for i in written[0].ids_by_origin(what="direct cost").values())
    found = outcome(lambda: gw.find_direct_costs(2001, ["BILL-1", str(origin)]))
    if not isinstance(found, ProcoreProtocolError):
        assert all(valid(i) for i in found.values())
    lines = outcome(lambda: gw.direct_cost_line_ids(2001, 900))
    if not isinstance(lines, ProcoreProtocolError):
        assert all(isinstance(k, str) and valid(i) for k, i in lines.items())


@settings(max_examples=100)
@given(entity_id=json_values)
def test_the_other_cost_type_created(entity_id: Any) -> None:
    gw = gateway(
        {
            ("GET", "/rest/v1.0/line_item_types"): [],
            ("PATCH", "/rest/v1.0/line_item_types/sync"): {"entities": [{"id": entity_id}]},
        }
    )
    got = outcome(gw.ensure_other_cost_type)
    assert isinstance(got, ProcoreProtocolError) or valid(got.id)


def test_a_budget_line_whose_cost_code_is_no_number_says_so() -> None:
    gw = gateway(
        {
            ("GET", "/rest/v1.0/budget_views"): [{"id": 5}],
            ("GET", "/rest/v1.0/budget_views/5/detail_rows"): [
                {"id": 61, "cost_code_id": "abc", "category_id": 5}
            ],
        }
    )
    with pytest.raises(ProcoreProtocolError) as caught:
        gw.budget_rows(2001)
    assert str(caught.value) == (
        "Procore sent a budget line whose cost_code_id is 'abc', not a number"
    )


def test_a_created_project_without_an_id_says_so() -> None:
    gw = gateway({("POST", "/rest/v1.0/projects"): {"name": "Willow Creek"}})
    job = QuickBooksJob(name="Willow Creek", full_name="Hartley:Willow Creek", id="80-1")
    with pytest.raises(ProcoreProtocolError, match=r"^Procore sent a project without its id$"):
        gw.create_project_from_job(job, cost_code_list_id=1, cost_codes=[])


def test_a_list_holding_no_objects_names_the_endpoint() -> None:
    gw = gateway({("GET", "/rest/v1.0/line_item_types"): [7]})
    with pytest.raises(ProcoreProtocolError) as caught:
        gw.cost_types()
    assert str(caught.value) == (
        "Procore sent a number (7) where an item of the /rest/v1.0/line_item_types list belongs, "
        "not a JSON object"
    )


def test_a_body_that_is_no_json_names_the_call() -> None:
    fake = FakeProcore()
    fake.on("GET", "/rest/v1.0/projects/2001", httpx2.Response(200, content=b"<html>down</html>"))
    gw = ProcoreGateway(make_client(fake))
    with pytest.raises(ProcoreProtocolError) as caught:
        gw.project(2001)
    assert str(caught.value) == (
        "Procore answered GET /rest/v1.0/projects/2001 with 200 but a body that is no JSON: "
        "'<html>down</html>'"
    )


def test_a_sync_answer_that_is_a_list_names_the_sync() -> None:
    gw = gateway(
        {
            ("GET", "/rest/v1.0/line_item_types"): [],
            ("PATCH", "/rest/v1.0/line_item_types/sync"): [{"id": 1}],
        }
    )
    with pytest.raises(ProcoreProtocolError) as caught:
        gw.ensure_other_cost_type()
    assert str(caught.value) == (
        'Procore sent a list ([{"id": 1}]) where a /rest/v1.0/line_item_types/sync answer '
        "belongs, not a JSON object"
    )
