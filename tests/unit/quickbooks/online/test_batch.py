from __future__ import annotations

import json

import httpx2
import pytest

from procore_qb.quickbooks.online.batch import (
    BatchOperation,
    chunked,
    query_in_batches,
    run_batch,
)
from procore_qb.quickbooks.online.errors import DuplicateName, QboError, QboProtocolError
from procore_qb.quickbooks.online.query import Query

from .helpers import json_response, make_client


def test_per_item_faults_and_missing_answers() -> None:
    seen: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return json_response(
            200,
            {
                "BatchItemResponse": [
                    {"bId": "b0", "Customer": {"Id": "1"}},
                    {
                        "bId": "b1",
                        "Fault": {
                            "Error": [{"Message": "Duplicate Name Exists Error", "code": "6240"}],
                            "type": "ValidationFault",
                        },
                    },
                    {"bId": "b3", "QueryResponse": {"Item": []}},
                ]
            },
        )

    client = make_client(handler)
    ops = [
        BatchOperation("b0", "Customer", "create", {"DisplayName": "A"}),
        BatchOperation("b1", "Customer", "create", {"DisplayName": "B"}),
        BatchOperation("b2", "Customer", "create", {"DisplayName": "C"}),
        BatchOperation("b3", query="select * from Item"),
    ]
    answers = run_batch(client, ops, keys=["k0", "k1", "k2", "k3"])
    assert answers["b0"].entity == {"Id": "1"}
    assert isinstance(answers["b1"].error, DuplicateName)
    assert isinstance(answers["b2"].error, QboProtocolError)
    assert answers["b3"].query_response == {"Item": []}
    body = json.loads(seen[0].content)
    assert body["BatchItemRequest"][0] == {
        "bId": "b0",
        "operation": "create",
        "Customer": {"DisplayName": "A"},
    }
    assert body["BatchItemRequest"][3] == {"bId": "b3", "Query": "select * from Item"}
    assert len(seen[0].url.params["requestid"]) <= 36


def test_limits() -> None:
    client = make_client(lambda r: json_response(200, {}))
    ops = [BatchOperation(f"b{i}", "Customer", "create", {}) for i in range(31)]
    with pytest.raises(ValueError, match="at most 30"):
        run_batch(client, ops, keys=["k"])
    with pytest.raises(ValueError, match="unique"):
        run_batch(client, [ops[0], ops[0]], keys=["k"])
    with pytest.raises(ValueError, match="1-10"):
        BatchOperation("b" * 11, "Customer", "create", {})
    with pytest.raises(ValueError, match="either"):
        BatchOperation("b1")
    assert [len(c) for c in chunked(list(range(65)))] == [30, 30, 5]


def _paging_server(total: int, seen: list[dict[str, object]]) -> object:
    """Answers each ``Query`` item with its page of ``total`` customers."""

    def handler(request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content)
        seen.append({"items": len(body["BatchItemRequest"]), **dict(request.url.params)})
        answers = []
        for item in body["BatchItemRequest"]:
            words = item["Query"].split()
            start = int(words[words.index("STARTPOSITION") + 1])
            size = int(words[words.index("MAXRESULTS") + 1])
            rows = [{"Id": str(i)} for i in range(start, min(start + size, total + 1))]
            answers.append(
                {"bId": item["bId"], "QueryResponse": {"Customer": rows} if rows else {}}
            )
        return json_response(200, {"BatchItemResponse": answers})

    return handler


@pytest.mark.parametrize(
    ("total", "calls"), [(0, 1), (999, 1), (10_000, 1), (30_000, 2), (30_001, 2)]
)
def test_query_in_batches_reads_30_pages_a_call(total: int, calls: int) -> None:
    seen: list[dict[str, object]] = []
    client = make_client(_paging_server(total, seen))  # type: ignore[arg-type]
    query = Query("Customer").order_by("Id")
    rows = [r["Id"] for page in query_in_batches(client, query, request_key="r1") for r in page]
    assert rows == [str(i) for i in range(1, total + 1)]
    assert len(seen) == calls
    assert all(call["items"] == 30 for call in seen)
    assert len({call["requestid"] for call in seen}) == calls


def test_query_in_batches_raises_a_page_fault_and_needs_a_fresh_key_per_read() -> None:
    def handler(request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content)
        fault = {"Error": [{"Message": "Invalid query", "code": "4000"}], "type": "ValidationFault"}
        return json_response(
            200,
            {
                "BatchItemResponse": [
                    {"bId": i["bId"], "Fault": fault} for i in body["BatchItemRequest"]
                ]
            },
        )

    client = make_client(handler)
    with pytest.raises(QboError):
        list(query_in_batches(client, Query("Customer"), request_key="r2"))
    with pytest.raises(ValueError, match="pages_per_call"):
        list(query_in_batches(client, Query("Customer"), request_key="r3", pages_per_call=31))
