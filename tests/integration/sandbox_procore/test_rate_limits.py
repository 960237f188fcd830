"""Hourly and 10-second limits: headers on every answer, 429 with Retry-After, recovery."""

from __future__ import annotations

from procore_qb.sandbox.procore import SandboxConfig

from .conftest import ADA, BEN, COMPANY, START, make_sim


def test_headers_report_the_spike_window() -> None:
    sim = make_sim(SandboxConfig(hourly_limit=600, spike_limit=25))
    r = sim.http.get("/rest/v1.0/me", headers=ADA)
    assert r.headers["X-Rate-Limit-Limit"] == "25"
    assert r.headers["X-Rate-Limit-Remaining"] == "24"
    assert int(r.headers["X-Rate-Limit-Reset"]) == int(START.timestamp()) + 10


def test_spike_limit_429_with_retry_after_then_recovery() -> None:
    sim = make_sim(SandboxConfig(hourly_limit=600, spike_limit=3))
    for _ in range(3):
        assert sim.http.get("/rest/v1.0/me", headers=ADA).status_code == 200
    sim.advance(4)
    r = sim.http.get("/rest/v1.0/me", headers=ADA)
    assert r.status_code == 429
    assert r.headers["Retry-After"] == "6"
    assert r.headers["X-Rate-Limit-Remaining"] == "0"
    assert "max number of requests" in r.json()["message"]
    sim.advance(6)
    assert sim.http.get("/rest/v1.0/me", headers=ADA).status_code == 200


def test_limits_are_per_caller() -> None:
    sim = make_sim(SandboxConfig(hourly_limit=600, spike_limit=1))
    assert sim.http.get("/rest/v1.0/me", headers=ADA).status_code == 200
    assert sim.http.get("/rest/v1.0/me", headers=ADA).status_code == 429
    assert sim.http.get("/rest/v1.0/me", headers=BEN).status_code == 200


def test_failed_requests_count_too() -> None:
    sim = make_sim(SandboxConfig(hourly_limit=600, spike_limit=2))
    assert (
        sim.http.get(
            "/rest/v1.0/projects/404404", params={"company_id": COMPANY}, headers=ADA
        ).status_code
        == 404
    )
    assert (
        sim.http.get(
            "/rest/v1.0/projects", headers={"Authorization": "Bearer demo-ada"}
        ).status_code
        == 400
    )
    assert sim.http.get("/rest/v1.0/me", headers=ADA).status_code == 429


def test_hourly_limit_is_reported_when_nearly_used_up() -> None:
    sim = make_sim(SandboxConfig(hourly_limit=5, spike_limit=4))

    def limit() -> tuple[str, str]:
        r = sim.http.get("/rest/v1.0/me", headers=ADA)
        return r.headers["X-Rate-Limit-Limit"], r.headers["X-Rate-Limit-Remaining"]

    assert limit() == ("4", "3")  # spike 3 left, hourly 4 left: spike
    sim.advance(10)
    assert limit() == ("4", "3")  # a tie (3 and 3): spike
    sim.advance(10)
    assert limit() == ("5", "2")  # hourly 2 left, spike 3 left: hourly
    assert limit() == ("5", "1")
    assert limit() == ("5", "0")
    r = sim.http.get("/rest/v1.0/me", headers=ADA)
    assert r.status_code == 429
    assert r.headers["X-Rate-Limit-Limit"] == "5"
    assert r.headers["Retry-After"] == str(3600 - 20)
    assert "an hour" in r.json()["message"]
    sim.advance(3600 - 20)
    assert sim.http.get("/rest/v1.0/me", headers=ADA).status_code == 200


def test_errors_carry_rate_headers() -> None:
    sim = make_sim()
    r = sim.http.get("/rest/v1.0/projects/404404", params={"company_id": COMPANY}, headers=ADA)
    assert r.status_code == 404
    assert "X-Rate-Limit-Remaining" in r.headers


def test_limits_can_be_changed_through_the_controls() -> None:
    sim = make_sim()
    r = sim.http.put("/_sandbox/rate-limits", json={"hourly_limit": 10, "spike_limit": 1})
    assert r.status_code == 200
    sim.http.get("/rest/v1.0/me", headers=ADA)
    assert sim.http.get("/rest/v1.0/me", headers=ADA).status_code == 429
    assert sim.http.put("/_sandbox/rate-limits", json={"hourly_limit": 0}).status_code == 400


def test_heavy_load_answers_503_with_retry_after() -> None:
    sim = make_sim()
    r = sim.http.put("/_sandbox/unavailable", json={"count": 2, "retry_after": 7})
    assert r.status_code == 200
    for _ in range(2):
        r = sim.http.get("/rest/v1.0/me", headers=ADA)
        assert r.status_code == 503
        assert r.headers["Retry-After"] == "7"
    assert sim.http.get("/rest/v1.0/me", headers=ADA).status_code == 200
    assert sim.http.put("/_sandbox/unavailable", json={"count": -1}).status_code == 400
