"""Bodies no real service would store are refused in Procore's error shape and never stored."""

from __future__ import annotations

import pytest

from .conftest import ADA, COMPANY, Sim

HOSTILE = [
    b'{"company_id": 4263, "project": {"name": NaN}}',
    b'{"company_id": 4263, "project": {"name": "A", "office_id": 1e999}}',
    b'{"company_id": 4263, "project": {"name": "\\ud800"}}',
    b'{"company_id": 4263, "project": {"name": "A", "office_id": ' + b"9" * 4000 + b"}}",
    b'{"company_id": 4263, "project": {"name": "A", "x": ' + b"[" * 5000 + b"]" * 5000 + b"}}",
]


@pytest.mark.parametrize("body", HOSTILE, ids=["nan", "inf", "surrogate", "digits", "deep"])
def test_hostile_json_is_a_400_and_later_reads_work(sim: Sim, body: bytes) -> None:
    before = sim.http.get("/rest/v1.0/projects", params={"company_id": COMPANY}, headers=ADA)
    r = sim.http.post(
        "/rest/v1.0/projects", content=body, headers={**ADA, "Content-Type": "application/json"}
    )
    assert r.status_code == 400, r.text
    assert r.json()["error"]["message"]
    after = sim.http.get("/rest/v1.0/projects", params={"company_id": COMPANY}, headers=ADA)
    assert after.status_code == 200
    assert after.json() == before.json()


def test_a_malformed_redirect_uri_is_refused_not_a_crash(sim: Sim) -> None:
    params = {
        "response_type": "code",
        "client_id": "demo-procore-client",
        "redirect_uri": "http://[::1",
        "state": "xyz",
    }
    r = sim.http.get("/oauth/authorize", params=params, follow_redirects=False)
    assert 400 <= r.status_code < 500
