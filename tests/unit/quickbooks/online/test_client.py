from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx2
import pytest

from procore_qb.quickbooks.online import errors as e
from procore_qb.quickbooks.online.client import batch_request_id, check_request_id
from procore_qb.quickbooks.online.query import Query
from procore_qb.retrying import RetryLater

from .helpers import REALM, TIME, FixedTokens, fault, json_response, make_client


def test_create_sends_minorversion_requestid_and_bearer() -> None:
    seen: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return json_response(200, {"Customer": {"Id": "1", "SyncToken": "0"}, "time": TIME})

    client = make_client(handler)
    created = client.create("Customer", {"DisplayName": "Acme"}, request_id="key-1")
    assert created == {"Id": "1", "SyncToken": "0"}
    request = seen[0]
    assert request.url.path == f"/v3/company/{REALM}/customer"
    assert request.url.params["minorversion"] == "75"
    assert request.url.params["requestid"] == "key-1"
    assert request.headers["Authorization"] == "Bearer token-1"
    assert json.loads(request.content) == {"DisplayName": "Acme"}
    assert client.last_server_time == datetime(2026, 11, 28, 11, 0, tzinfo=UTC)


def test_update_is_sparse_and_needs_sync_token() -> None:
    seen: list[dict[str, object]] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(json.loads(request.content))
        return json_response(200, {"Customer": {"Id": "1", "SyncToken": "1"}})

    client = make_client(handler)
    client.update("Customer", {"Id": "1", "SyncToken": "0", "Notes": "x"}, request_id="k")
    assert seen[0]["sparse"] is True
    with pytest.raises(ValueError, match="SyncToken"):
        client.update("Customer", {"Id": "1"}, request_id="k")


def test_request_id_limits() -> None:
    assert check_request_id("a" * 50) == "a" * 50
    with pytest.raises(ValueError, match="1-50"):
        check_request_id("a" * 51)
    with pytest.raises(ValueError, match="1-36"):
        check_request_id("a" * 37, batch=True)
    one = batch_request_id(["k1", "k2"])
    assert len(one) == 36
    assert one == batch_request_id(["k1", "k2"])
    assert one != batch_request_id(["k2", "k1"])


def test_paging_is_one_based_and_stops_on_short_page() -> None:
    statements: list[str] = []
    rows = [{"Id": str(i)} for i in range(1, 2501)]

    def handler(request: httpx2.Request) -> httpx2.Response:
        text = request.content.decode()
        statements.append(text)
        assert request.headers["Content-Type"] == "application/text"
        start = int(text.split("STARTPOSITION ")[1].split()[0])
        size = int(text.split("MAXRESULTS ")[1])
        page = rows[start - 1 : start - 1 + size]
        body = (
            {"QueryResponse": {"Customer": page, "startPosition": start, "maxResults": len(page)}}
            if page
            else {"QueryResponse": {}}
        )
        return json_response(200, body)

    client = make_client(handler)
    got = list(client.query_all(Query("Customer")))
    assert [r["Id"] for r in got] == [str(i) for i in range(1, 2501)]
    assert len(statements) == 3
    assert "STARTPOSITION 1 " in statements[0]
    assert "STARTPOSITION 1001 " in statements[1]
    assert "STARTPOSITION 2001 " in statements[2]


def test_paging_stops_on_empty_response_after_exact_multiple() -> None:
    calls = 0

    def handler(request: httpx2.Request) -> httpx2.Response:
        nonlocal calls
        calls += 1
        if calls == 1:
            return json_response(
                200, {"QueryResponse": {"Item": [{"Id": "1"}, {"Id": "2"}], "maxResults": 2}}
            )
        return json_response(200, {"QueryResponse": {}})

    client = make_client(handler)
    assert len(list(client.query_all(Query("Item"), page_size=2))) == 2
    assert calls == 2


def test_count() -> None:
    client = make_client(lambda r: json_response(200, {"QueryResponse": {"totalCount": 2500}}))
    assert client.count(Query("Customer")) == 2500


def test_throttle_then_success_honours_retry_after() -> None:
    answers = [
        json_response(
            429,
            fault(
                "3001", "message=ThrottleExceeded; errorCode=003001; statusCode=429", kind="SERVICE"
            ),
            {"Retry-After": "2"},
        ),
        json_response(200, {"Customer": {"Id": "5"}}),
    ]
    sleeps: list[float] = []
    client = make_client(lambda r: answers.pop(0), sleeps=sleeps)
    assert client.read("Customer", "5") == {"Id": "5"}
    assert sleeps == [2.0]
    assert client.calls == 2


def test_a_long_retry_after_is_handed_to_the_job_queue_instead_of_slept() -> None:
    answers = [
        json_response(
            429,
            fault(
                "3001", "message=ThrottleExceeded; errorCode=003001; statusCode=429", kind="SERVICE"
            ),
            {"Retry-After": "600"},
        ),
        json_response(200, {"Customer": {"Id": "5"}}),
    ]
    sleeps: list[float] = []
    client = make_client(lambda r: answers.pop(0), sleeps=sleeps)
    with pytest.raises(RetryLater) as caught:
        client.read("Customer", "5")
    assert caught.value.retry_after == timedelta(minutes=10)
    assert isinstance(caught.value.__cause__, e.QboThrottled)
    assert sleeps == []


def test_server_error_storm_gives_up_after_max_attempts_with_capped_backoff() -> None:
    sleeps: list[float] = []
    client = make_client(lambda r: httpx2.Response(503), sleeps=sleeps, max_attempts=4)
    with pytest.raises(e.QboServerError):
        client.read("Customer", "5")
    assert client.calls == 4
    assert len(sleeps) == 3
    assert all(0 <= s <= 4.0 for s in sleeps)


def test_validation_fault_is_not_retried() -> None:
    client = make_client(lambda r: json_response(400, fault("6240", "Duplicate Name Exists Error")))
    with pytest.raises(e.DuplicateName):
        client.create("Customer", {"DisplayName": "Acme"}, request_id="k")
    assert client.calls == 1


def test_fault_inside_a_200_answer_is_raised() -> None:
    client = make_client(lambda r: json_response(200, fault("610", "Object Not Found")))
    with pytest.raises(e.QboNotFound):
        client.read("Customer", "9")


def test_401_refreshes_once_then_succeeds() -> None:
    tokens = FixedTokens()

    def handler(request: httpx2.Request) -> httpx2.Response:
        if request.headers["Authorization"] == "Bearer token-1":
            return httpx2.Response(
                401, text="message=AuthenticationFailed; errorCode=003200; statusCode=401"
            )
        return json_response(200, {"Customer": {"Id": "1"}})

    client = make_client(handler, tokens=tokens)
    assert client.read("Customer", "1") == {"Id": "1"}
    assert tokens.refreshes == 1


def test_401_after_refresh_is_raised() -> None:
    tokens = FixedTokens()
    client = make_client(
        lambda r: json_response(401, fault("3200", "AuthenticationFailed", kind="AUTHENTICATION")),
        tokens=tokens,
    )
    with pytest.raises(e.QboAuthError):
        client.read("Customer", "1")
    assert tokens.refreshes == 1
    assert client.calls == 2


def test_timeout_after_send_replays_the_same_requestid() -> None:
    seen: list[str] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request.url.params["requestid"])
        if len(seen) == 1:
            raise httpx2.ReadTimeout("read timed out", request=request)
        return json_response(200, {"Customer": {"Id": "7"}})

    client = make_client(handler)
    assert client.create("Customer", {"DisplayName": "A"}, request_id="key-7") == {"Id": "7"}
    assert seen == ["key-7", "key-7"]


def test_write_whose_answer_never_comes_is_outcome_unknown() -> None:
    def handler(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ReadTimeout("read timed out", request=request)

    client = make_client(handler, max_attempts=2)
    with pytest.raises(e.OutcomeUnknown):
        client.create("Customer", {"DisplayName": "A"}, request_id="key-7")


def test_connection_refused_is_transport_error() -> None:
    def handler(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ConnectError("refused", request=request)

    client = make_client(handler, max_attempts=2)
    with pytest.raises(e.QboTransportError):
        client.read("Customer", "1")


def test_not_json_is_protocol_error() -> None:
    client = make_client(lambda r: httpx2.Response(200, text="<html>"))
    with pytest.raises(e.QboProtocolError):
        client.read("Customer", "1")


def test_cdc_parameters() -> None:
    seen: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return json_response(200, {"CDCResponse": [], "time": TIME})

    client = make_client(handler)
    client.change_data_capture(["Customer", "Item"], datetime(2026, 11, 1, tzinfo=UTC))
    assert seen[0].url.path.endswith("/cdc")
    assert seen[0].url.params["entities"] == "Customer,Item"
    assert seen[0].url.params["changedSince"] == "2026-11-01T00:00:00+00:00"


def test_realm_id_must_be_numeric() -> None:
    with pytest.raises(ValueError, match="realmId"):
        make_client(lambda r: httpx2.Response(200)).__class__(
            httpx2.Client(), realm_id="abc", tokens=FixedTokens()
        )
