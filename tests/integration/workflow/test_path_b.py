"""Path B end to end through the HTTP API, with both QuickBooks editions."""

from __future__ import annotations

import pytest
from workflow_stack import Stack

pytestmark = pytest.mark.filterwarnings(
    "ignore:You should not use the 'timeout' argument with the TestClient"
)

MAPLE = 2003  # seed: an eligible, unsynced project


def _refresh(stack: Stack) -> list[dict[str, object]]:
    answer = stack.ok("ada", "POST", "/erp/jobs/refresh")
    assert answer["command"]
    stack.settle()
    return stack.items("ada", "ready_to_import")


def _service_get(stack: Stack, path: str, **params: object) -> object:
    token = stack.procore.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": "demo-procore-client",
            "client_secret": "demo-procore-secret",
        },
    ).json()["access_token"]
    answer = stack.procore.get(
        path,
        params={"company_id": 4263, **params},
        headers={"Authorization": f"Bearer {token}", "Procore-Company-Id": "4263"},
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_refresh_stages_the_jobs_that_are_not_in_procore(stack: Stack) -> None:
    staged = _refresh(stack)
    names = {str(i["quickbooks"]["full_name"]) for i in staged}  # type: ignore[index]
    assert names
    assert all(":" in n for n in names)  # Customer:Job mode stages jobs, not customers
    # A second refresh stages nothing twice.
    assert len(_refresh(stack)) == len(staged)


def test_add_to_procore_creates_a_linked_project(stack: Stack) -> None:
    staged = _refresh(stack)
    item = staged[0]
    added = stack.ok("ada", "POST", f"/erp/jobs/{item['id']}/import", {"method": "new"})
    assert added["state"] == "imported"
    project_id = added["procore_project_id"]
    project = _service_get(stack, f"/rest/v1.0/projects/{project_id}")
    assert isinstance(project, dict)
    assert project["origin_id"] == item["quickbooks"]["id"]  # type: ignore[index]
    assert project["name"] == item["name"]
    codes = _service_get(stack, "/rest/v1.0/cost_codes", project_id=project_id)
    assert isinstance(codes, list)
    assert codes
    assert item["id"] not in [i["id"] for i in stack.items("ada", "ready_to_import")]
    synced = {i["procore_project_id"] for i in stack.items("ada", "synced")}
    assert project_id in synced
    # The same job cannot be added twice.
    again = stack.call("ada", "POST", f"/erp/jobs/{item['id']}/import", {"method": "new"})
    assert again.status_code == 409


def test_link_to_an_existing_unsynced_project(stack: Stack) -> None:
    item = _refresh(stack)[0]
    linked = stack.ok(
        "ada", "POST", f"/erp/jobs/{item['id']}/import", {"method": "link", "project_id": MAPLE}
    )
    assert linked["state"] == "imported"
    assert linked["procore_project_id"] == MAPLE
    project = _service_get(stack, f"/rest/v1.0/projects/{MAPLE}")
    assert isinstance(project, dict)
    assert project["origin_id"] == item["quickbooks"]["id"]  # type: ignore[index]
    # A project that is synced now cannot be linked to another job.
    other = _refresh(stack)[0]
    refused = stack.call(
        "ada", "POST", f"/erp/jobs/{other['id']}/import", {"method": "link", "project_id": MAPLE}
    )
    assert refused.status_code == 422
    assert refused.json()["rule"] == "project_not_unsynced"


def test_archive_and_restore(stack: Stack) -> None:
    item = _refresh(stack)[0]
    archived = stack.ok("ada", "POST", f"/erp/jobs/{item['id']}/archive")
    assert archived["state"] == "archived"
    assert item["id"] in [i["id"] for i in stack.items("ada", "archived")]
    assert item["id"] not in [i["id"] for i in stack.items("ada", "ready_to_import")]
    restored = stack.ok("ada", "POST", f"/erp/jobs/{item['id']}/restore")
    assert restored["state"] == "ready_to_import"


def test_a_job_created_in_quickbooks_later_shows_up_on_the_next_refresh(stack: Stack) -> None:
    before = {i["id"] for i in _refresh(stack)}
    stack.clock.advance(hours=1)
    stack.qb_add_job("Lakefront Pavilion", "City of Springfield")
    after = _refresh(stack)
    new = [i for i in after if i["id"] not in before]
    assert [i["quickbooks"]["full_name"] for i in new] == [  # type: ignore[index]
        "City of Springfield:Lakefront Pavilion"
    ]


def test_a_quickbooks_rename_of_a_synced_job_reaches_procore(stack: Stack) -> None:
    item = _refresh(stack)[0]
    added = stack.ok("ada", "POST", f"/erp/jobs/{item['id']}/import", {"method": "new"})
    full_name = str(item["quickbooks"]["full_name"])  # type: ignore[index]
    stack.clock.advance(hours=1)
    stack.qb_rename(full_name, "Renamed In QuickBooks")
    _refresh(stack)
    project = _service_get(stack, f"/rest/v1.0/projects/{added['procore_project_id']}")
    assert isinstance(project, dict)
    assert project["name"] == "Renamed In QuickBooks"
    actions = [e["action"] for e in stack.ok("ada", "GET", "/audit?limit=50")["items"]]
    assert "quickbooks_change_applied" in actions
    assert "procore_project_updated_from_quickbooks" in actions


def test_held_quickbooks_changes_are_shown_not_applied(stack: Stack) -> None:
    stack.ok("ada", "PATCH", "/settings", {"quickbooks_changes": "hold"})
    item = _refresh(stack)[0]
    added = stack.ok("ada", "POST", f"/erp/jobs/{item['id']}/import", {"method": "new"})
    full_name = str(item["quickbooks"]["full_name"])  # type: ignore[index]
    stack.qb_rename(full_name, "Held Rename")
    _refresh(stack)
    project = _service_get(stack, f"/rest/v1.0/projects/{added['procore_project_id']}")
    assert isinstance(project, dict)
    assert project["name"] == item["name"]
    synced = [
        i
        for i in stack.items("ada", "synced")
        if i["procore_project_id"] == added["procore_project_id"]
    ]
    assert synced[0]["quickbooks_flags"] == ["changed_in_quickbooks"]


def test_a_quickbooks_online_webhook_triggers_an_incremental_refresh(online: Stack) -> None:
    before = {i["id"] for i in _refresh(online)}
    online.ok("ada", "GET", "/me")
    online.qbo_clock.advance(60)
    online.clock.advance(minutes=1)
    online.qb_add_job("Webhook Pavilion", "City of Springfield")
    online.deliver_webhooks()
    online.settle()
    new = [i for i in online.items("ada", "ready_to_import") if i["id"] not in before]
    assert [i["quickbooks"]["full_name"] for i in new] == [  # type: ignore[index]
        "City of Springfield:Webhook Pavilion"
    ]
    actions = [e["action"] for e in online.ok("ada", "GET", "/audit?limit=20")["items"]]
    assert "job_list_refresh_requested" in actions
    reasons = [
        e["detail"].get("reason")
        for e in online.ok("ada", "GET", "/audit?action=job_list_refresh_requested")["items"]
    ]
    assert "QuickBooks webhook" in reasons


def test_a_synced_job_made_inactive_in_quickbooks_is_shown_and_reaches_procore(
    stack: Stack,
) -> None:
    item = _refresh(stack)[0]
    added = stack.ok("ada", "POST", f"/erp/jobs/{item['id']}/import", {"method": "new"})
    stack.clock.advance(hours=1)
    stack.qb_modify(str(item["quickbooks"]["full_name"]), active=False)  # type: ignore[index]
    _refresh(stack)
    synced = [
        i
        for i in stack.items("ada", "synced")
        if i["procore_project_id"] == added["procore_project_id"]
    ]
    assert "inactive_in_quickbooks" in synced[0]["quickbooks_flags"]
    project = _service_get(stack, f"/rest/v1.0/projects/{added['procore_project_id']}")
    assert isinstance(project, dict)
    assert project["active"] is False
