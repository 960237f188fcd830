"""Path A end to end through the HTTP API, with both QuickBooks editions."""

from __future__ import annotations

import pytest
from workflow_stack import Stack

pytestmark = pytest.mark.filterwarnings(
    "ignore:You should not use the 'timeout' argument with the TestClient"
)

RIVERSIDE = 2001  # seed: eligible
HARBOR = 2002  # seed: eligible


def _refresh(stack: Stack) -> None:
    stack.ok("ada", "POST", "/erp/jobs/refresh")
    stack.settle()


def _customer(stack: Stack, name: str) -> str:
    found = stack.ok("ben", "GET", f"/erp/customers?search={name}")["items"]
    assert found, f"no customer {name}"
    return str(found[0]["id"])


def test_send_accept_into_an_existing_customer_makes_a_linked_job(stack: Stack) -> None:
    _refresh(stack)
    sent = stack.ok("cara", "POST", f"/projects/{RIVERSIDE}/send-to-erp")
    assert sent["state"] == "ready_to_export"
    assert [i["id"] for i in stack.items("ben", "ready_to_export")] == [sent["id"]]
    customers = stack.ok("ben", "GET", "/erp/customers")["items"]
    parent = customers[0]
    accepted = stack.ok(
        "ben", "POST", f"/erp/jobs/{sent['id']}/accept", {"customer_id": parent["id"]}
    )
    assert accepted["state"] == "exporting"
    stack.settle()
    synced = stack.ok("ben", "GET", f"/erp/jobs/{sent['id']}")
    assert synced["state"] == "synced", synced
    assert synced["quickbooks"]["full_name"] == f"{parent['full_name']}:Riverside Clinic TI"
    project = stack.procore.get(
        f"/rest/v1.0/projects/{RIVERSIDE}",
        params={"company_id": 4263},
        headers=_service_headers(stack),
    ).json()
    assert project["origin_id"] == synced["quickbooks"]["id"]
    audit = stack.ok("ada", "GET", f"/audit?project_id={RIVERSIDE}")["items"]
    actions = [e["action"] for e in audit]
    assert "export_send" in actions and "export_accept" in actions
    assert "quickbooks_job_created" in actions and "procore_project_marked_synced" in actions


def _service_headers(stack: Stack) -> dict[str, str]:
    token = stack.procore.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": "demo-procore-client",
            "client_secret": "demo-procore-secret",
        },
    ).json()["access_token"]
    return {"Authorization": f"Bearer {token}", "Procore-Company-Id": "4263"}
