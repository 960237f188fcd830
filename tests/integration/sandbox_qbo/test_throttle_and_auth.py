"""Throttling (429, code 3001), bearer-token checks (401, code 3200) and minorversion."""

from __future__ import annotations

import threading

from procore_qb.sandbox.qbo import ManualClock

from .conftest import BASE, REALM, Api, fault


def test_past_the_per_minute_limit_429_then_success(api: Api, clock: ManualClock) -> None:
    api.client.post("/_sandbox/config", json={"requests_per_minute": 3})
    for _ in range(3):
        assert api.get("/preferences").status_code == 200
    throttled = api.get("/preferences")
    assert throttled.status_code == 429
    error = fault(throttled)
    assert error["code"] == "3001"
    assert error["Message"] == "message=ThrottleExceeded; errorCode=003001; statusCode=429"
    assert throttled.json()["Fault"]["type"] == "SERVICE"
    clock.advance(60)
    assert api.get("/preferences").status_code == 200


def test_the_default_limit_is_500_per_minute(api: Api) -> None:
    statuses = [api.get("/preferences").status_code for _ in range(501)]
    assert statuses[:500] == [200] * 500
    assert statuses[500] == 429


def test_batch_calls_have_their_own_limit(api: Api, clock: ManualClock) -> None:
    api.client.post("/_sandbox/config", json={"batch_requests_per_minute": 2})
    body = {"BatchItemRequest": [{"bId": "q", "Query": "select count(*) from Item"}]}
    assert [api.post("/batch", body).status_code for _ in range(3)] == [200, 200, 429]
    assert api.get("/preferences").status_code == 200
    clock.advance(60)
    assert api.post("/batch", body).status_code == 200


def test_the_default_batch_limit_is_120_per_minute(api: Api) -> None:
    # Production since 2025-10-31 (Intuit blog 2025-08-13); 40 before.
    body = {"BatchItemRequest": [{"bId": "q", "Query": "select count(*) from Item"}]}
    statuses = [api.post("/batch", body).status_code for _ in range(121)]
    assert statuses[:120] == [200] * 120
    assert statuses[120] == 429


def test_too_many_concurrent_requests(api: Api) -> None:
    api.client.post("/_sandbox/config", json={"max_concurrent": 2, "latency_seconds": 1.0})
    statuses: list[int] = []
    lock = threading.Lock()

    def call() -> None:
        status = api.get("/preferences").status_code
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=call) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses.count(429) >= 1
    assert statuses.count(200) >= 2
    api.client.post("/_sandbox/config", json={"latency_seconds": 0.0})
    assert api.get("/preferences").status_code == 200


def test_missing_unknown_and_expired_tokens_are_401_3200(api: Api, clock: ManualClock) -> None:
    bare = api.client.get(BASE + "/preferences")
    assert bare.status_code == 401
    assert fault(bare)["code"] == "3200"
    assert bare.json()["Fault"]["type"] == "AUTHENTICATION"
    wrong = api.client.get(BASE + "/preferences", headers={"Authorization": "Bearer nope"})
    assert fault(wrong)["code"] == "3200"
    clock.advance(3599)
    assert api.get("/preferences").status_code == 200
    clock.advance(1)
    expired = api.get("/preferences")
    assert expired.status_code == 401
    assert "expired" in fault(expired)["Detail"]


def test_lower_case_auth_fault_variant(api: Api) -> None:
    api.client.post("/_sandbox/config", json={"auth_fault_lower_case": True})
    body = api.client.get(BASE + "/preferences").json()
    assert body["fault"]["error"][0]["code"] == "3200"
    assert "Fault" not in body


def test_a_token_works_only_for_its_company(api: Api) -> None:
    other = api.client.get("/v3/company/123/preferences", headers=api.headers)
    assert other.status_code == 403
    assert fault(other)["code"] == "3100"
    assert (
        api.client.get(f"/v3/company/{REALM}/preferences", headers=api.headers).status_code == 200
    )


def test_expire_control_forgets_access_tokens(api: Api) -> None:
    assert api.client.post("/_sandbox/tokens/expire").json()["expired"] >= 1
    assert api.get("/preferences").status_code == 401


def test_minorversion_below_75_is_accepted_as_75(api: Api) -> None:
    assert api.get("/preferences", minorversion="4").status_code == 200
    assert api.get("/preferences", minorversion="75").status_code == 200
    bad = api.get("/preferences", minorversion="latest")
    assert fault(bad)["code"] == "2010"


def test_every_response_carries_intuit_tid(api: Api) -> None:
    assert api.get("/preferences").headers["intuit_tid"]
