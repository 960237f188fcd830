"""Batch: up to 30 items, per-item faults, no cross-item visibility, requestid replay."""

from __future__ import annotations

from typing import Any

from .conftest import Api, fault


def batch(api: Api, items: list[dict[str, Any]], **params: str) -> Any:
    return api.post("/batch", {"BatchItemRequest": items}, **params)


def job(bid: str, name: str, parent: str = "25") -> dict[str, Any]:
    return {
        "bId": bid,
        "operation": "create",
        "Customer": {"DisplayName": name, "Job": True, "ParentRef": {"value": parent}},
    }


def test_items_succeed_or_fail_one_by_one(api: Api) -> None:
    response = batch(
        api,
        [
            job("b1", "Batch Job A"),
            job("b2", "Willow Creek Condos"),  # a seeded job: duplicate name
            {"bId": "b3", "Query": "select count(*) from Customer where Job = true"},
        ],
    )
    assert response.status_code == 200
    items = {item["bId"]: item for item in response.json()["BatchItemResponse"]}
    assert items["b1"]["Customer"]["FullyQualifiedName"] == "Greenleaf Properties:Batch Job A"
    assert items["b2"]["Fault"]["Error"][0]["code"] == "6240"
    assert items["b2"]["Fault"]["type"] == "ValidationFault"
    # The query does not see the job created by b1 in the same batch.
    assert items["b3"]["QueryResponse"] == {"totalCount": 4}


def test_no_item_sees_what_an_earlier_item_created(api: Api) -> None:
    response = batch(
        api,
        [
            {"bId": "p", "operation": "create", "Customer": {"DisplayName": "New Owner"}},
            job("c", "Child Of New Owner", parent="PLACEHOLDER"),
        ],
    )
    items = response.json()["BatchItemResponse"]
    parent_id = items[0]["Customer"]["Id"]
    again = batch(api, [job("c", "Child", parent=parent_id)])
    assert "Customer" in again.json()["BatchItemResponse"][0]
    hidden = batch(
        api,
        [
            {"bId": "p2", "operation": "create", "Customer": {"DisplayName": "Owner Two"}},
            {"bId": "q", "Query": "select * from Customer where DisplayName = 'Owner Two'"},
        ],
    ).json()["BatchItemResponse"]
    assert hidden[1]["QueryResponse"] == {}


def test_update_and_delete_items(api: Api) -> None:
    customer = api.one("Customer", "DisplayName = 'Harbor Holdings'")
    bill = api.one("Bill", "DocNumber = 'VP-330'")
    response = batch(
        api,
        [
            {
                "bId": "u",
                "operation": "update",
                "Customer": {
                    "Id": customer["Id"],
                    "SyncToken": customer["SyncToken"],
                    "sparse": True,
                    "Notes": "batched",
                },
            },
            {
                "bId": "s",
                "operation": "update",
                "Customer": {
                    "Id": customer["Id"],
                    "SyncToken": customer["SyncToken"],
                    "sparse": True,
                    "Notes": "stale",
                },
            },
            {"bId": "d", "operation": "delete", "Bill": {"Id": bill["Id"], "SyncToken": "0"}},
        ],
    )
    items = response.json()["BatchItemResponse"]
    assert items[0]["Customer"]["SyncToken"] == "1"
    assert items[1]["Fault"]["Error"][0]["code"] == "5010"
    assert items[2]["Bill"]["status"] == "Deleted"


def test_at_most_30_items(api: Api) -> None:
    items = [job(f"b{n}", f"Thirty {n}") for n in range(31)]
    response = batch(api, items)
    assert response.status_code == 400
    assert "30" in fault(response)["Detail"]
    assert api.rows("select * from Customer where DisplayName = 'Thirty 0'") == []
    ok = batch(api, items[:30])
    assert all("Customer" in item for item in ok.json()["BatchItemResponse"])


def test_item_shape_is_checked(api: Api) -> None:
    assert fault(api.post("/batch", {"Items": []}))["element"] == "BatchItemRequest"
    assert fault(batch(api, [{"operation": "create", "Customer": {}}]))["element"] == "bId"
    duplicate = batch(api, [job("x", "One"), job("x", "Two")])
    assert fault(duplicate)["code"] == "6000"
    bad_op = batch(api, [{"bId": "m", "operation": "merge", "Customer": {}}])
    assert bad_op.json()["BatchItemResponse"][0]["Fault"]["Error"][0]["code"] == "2170"


def test_requestid_replays_the_batch_response(api: Api) -> None:
    first = batch(api, [job("r1", "Replay Job")], requestid="batch-0001")
    second = batch(api, [job("r1", "Replay Job")], requestid="batch-0001")
    assert second.json() == first.json()
    assert len(api.rows("select * from Customer where DisplayName = 'Replay Job'")) == 1
    long_bid = batch(api, [job("b" * 11, "Long Bid")], requestid="batch-0002")
    assert fault(long_bid)["code"] == "2050"
    long_id = batch(api, [job("b", "Long Id")], requestid="r" * 37)
    assert fault(long_id)["code"] == "2050"
