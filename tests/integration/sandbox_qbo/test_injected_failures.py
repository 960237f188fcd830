"""Failures injected through /_sandbox/faults: 5xx storms and answers lost after the work."""

from __future__ import annotations

from .conftest import Api


def test_a_storm_before_the_work_changes_nothing(api: Api) -> None:
    added = api.client.post(
        "/_sandbox/faults", json={"status": 503, "count": 2, "match": "/customer"}
    )
    assert added.json()["pending"][0]["count"] == 2
    for _ in range(2):
        response = api.post("/customer", {"DisplayName": "Storm Co"})
        assert response.status_code == 503
    assert api.rows("select * from Customer where DisplayName = 'Storm Co'") == []
    assert api.post("/customer", {"DisplayName": "Storm Co"}).status_code == 200
    assert api.client.get("/_sandbox/faults").json()["pending"] == []


def test_an_answer_lost_after_the_work_is_recovered_by_requestid(api: Api) -> None:
    api.client.post("/_sandbox/faults", json={"status": 504, "when": "after"})
    lost = api.post("/customer", {"DisplayName": "Lost Answer Co"}, requestid="cmd-lost")
    assert lost.status_code == 504
    replay = api.post("/customer", {"DisplayName": "Lost Answer Co"}, requestid="cmd-lost")
    assert replay.status_code == 200
    assert len(api.rows("select * from Customer where DisplayName = 'Lost Answer Co'")) == 1


def test_only_matching_paths_fail_and_bad_requests_are_refused(api: Api) -> None:
    api.client.post("/_sandbox/faults", json={"status": 500, "match": "/batch"})
    assert api.get("/preferences").status_code == 200
    assert api.client.get("/_sandbox/faults").json()["pending"][0]["match"] == "/batch"
    assert api.client.delete("/_sandbox/faults").json() == {"pending": []}
    for bad in ({"status": 200}, {"status": 503, "count": 0}, {"status": 503, "when": "later"}):
        assert api.client.post("/_sandbox/faults", json=bad).status_code == 400
