from __future__ import annotations

import json

import httpx2
import pytest

from procore_qb.quickbooks.online.batch import BatchOperation, chunked, run_batch
from procore_qb.quickbooks.online.errors import DuplicateName, QboProtocolError

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
