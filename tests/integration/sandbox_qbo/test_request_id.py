"""``requestid``: the same id gets the same response, never a second create (spec A.10)."""

from __future__ import annotations

from .conftest import Api, fault


def test_same_request_id_same_response_no_second_create(api: Api) -> None:
    body = {"DisplayName": "Idempotent Co"}
    first = api.post("/customer", body, requestid="cmd-42")
    second = api.post("/customer", body, requestid="cmd-42")
    assert first.status_code == second.status_code == 200
    assert second.json() == first.json()
    assert len(api.rows("select * from Customer where DisplayName = 'Idempotent Co'")) == 1
    other = api.post("/customer", body, requestid="cmd-43")
    assert fault(other)["code"] == "6240"


def test_a_fault_is_replayed_too(api: Api) -> None:
    first = api.post("/customer", {"DisplayName": "Bad:Name"}, requestid="cmd-44")
    second = api.post("/customer", {"DisplayName": "Good Name"}, requestid="cmd-44")
    assert second.status_code == 400
    assert second.json() == first.json()


def test_request_ids_are_per_company_and_at_most_50_characters(api: Api) -> None:
    assert (
        fault(api.post("/customer", {"DisplayName": "Long"}, requestid="x" * 51))["code"] == "2050"
    )
    assert api.post("/customer", {"DisplayName": "Fifty"}, requestid="x" * 50).status_code == 200
