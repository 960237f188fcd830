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


def test_request_ids_and_data_are_kept_per_company(api: Api) -> None:
    added = api.client.post("/_sandbox/companies", json={"realm_id": "4620816365", "seed": False})
    assert added.json()["realm_ids"] == ["4620816365", "9130357992221046"]
    other_token = api.client.post("/_sandbox/tokens", json={"realm_id": "4620816365"}).json()
    other = Api(api.client, other_token["access_token"])
    here = api.post("/customer", {"DisplayName": "Twin Co"}, requestid="same-id")
    there = other.client.post(
        "/v3/company/4620816365/customer",
        json={"DisplayName": "Twin Co"},
        params={"requestid": "same-id"},
        headers=other.headers,
    )
    assert there.status_code == 200
    assert there.json()["Customer"]["Id"] == "2"
    assert here.json()["Customer"]["Id"] != "2"
    cross = api.client.get("/v3/company/4620816365/preferences", headers=api.headers)
    assert fault(cross)["code"] == "3100"
    assert (
        api.client.post("/_sandbox/companies", json={"realm_id": "4620816365"}).status_code == 400
    )
    assert api.client.post("/_sandbox/companies", json={"realm_id": "abc"}).status_code == 400
    assert api.client.post("/_sandbox/tokens", json={"realm_id": "1"}).status_code == 404
