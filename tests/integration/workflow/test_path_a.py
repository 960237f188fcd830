"""Path A end to end through the HTTP API, with both QuickBooks editions."""

from __future__ import annotations

import pytest
from workflow_stack import Stack

from procore_qb.domain.commands import QueryAccounts
from procore_qb.procore.gateway import NewCostCode

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
    for action in ("export_send", "export_accept", "quickbooks_job_created"):
        assert action in actions
    assert "procore_project_marked_synced" in actions


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


def _project(stack: Stack, project_id: int) -> dict[str, object]:
    answer = stack.procore.get(
        f"/rest/v1.0/projects/{project_id}",
        params={"company_id": 4263},
        headers=_service_headers(stack),
    )
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def _patch_project(stack: Stack, project_id: int, changes: dict[str, object]) -> None:
    answer = stack.procore.patch(
        f"/rest/v1.0/projects/{project_id}",
        params={"company_id": 4263},
        json={"project": changes},
        headers=_service_headers(stack),
    )
    assert answer.status_code == 200, answer.text


def _send_and_accept(stack: Stack, project_id: int, body: dict[str, str] | None) -> str:
    sent = stack.ok("cara", "POST", f"/projects/{project_id}/send-to-erp")
    stack.ok("ben", "POST", f"/erp/jobs/{sent['id']}/accept", body)
    stack.settle()
    return str(sent["id"])


def test_accept_into_a_new_customer_creates_the_customer_and_the_job(stack: Stack) -> None:
    _refresh(stack)
    item = _send_and_accept(stack, HARBOR, {"new_customer": "Seacoast Partners"})
    synced = stack.ok("ben", "GET", f"/erp/jobs/{item}")
    assert synced["state"] == "synced", synced
    assert synced["quickbooks"]["full_name"] == "Seacoast Partners:Harbor View Offices"
    customers = stack.ok("ben", "GET", "/erp/customers?search=Seacoast Partners")["items"]
    assert [c["full_name"] for c in customers] == ["Seacoast Partners"]


def test_customers_are_jobs_mode_makes_a_top_level_customer(stack: Stack) -> None:
    stack.ok("ada", "PATCH", "/settings", {"customer_job_mode": "customers_are_jobs"})
    _refresh(stack)
    item = _send_and_accept(stack, RIVERSIDE, None)
    synced = stack.ok("ben", "GET", f"/erp/jobs/{item}")
    assert synced["state"] == "synced", synced
    assert synced["quickbooks"]["full_name"] == "Riverside Clinic TI"


def test_a_first_export_without_a_customer_is_refused_in_customer_job_mode(stack: Stack) -> None:
    _refresh(stack)
    sent = stack.ok("cara", "POST", f"/projects/{RIVERSIDE}/send-to-erp")
    answer = stack.call("ben", "POST", f"/erp/jobs/{sent['id']}/accept")
    assert answer.status_code == 422
    assert answer.json()["rule"] == "customer_required"


def test_reject_with_a_comment_then_resend(stack: Stack) -> None:
    _refresh(stack)
    sent = stack.ok("cara", "POST", f"/projects/{RIVERSIDE}/send-to-erp")
    rejected = stack.ok(
        "ben", "POST", f"/erp/jobs/{sent['id']}/reject", {"comment": "Use the HV number"}
    )
    assert rejected["state"] == "rejected"
    assert rejected["comment"] == "Use the HV number"
    again = stack.ok("cara", "POST", f"/projects/{RIVERSIDE}/send-to-erp")
    assert again["state"] == "ready_to_export"
    assert again["id"] == sent["id"]


def test_retrieve_before_a_decision_and_not_after(stack: Stack) -> None:
    _refresh(stack)
    sent = stack.ok("cara", "POST", f"/projects/{RIVERSIDE}/send-to-erp")
    back = stack.ok("cara", "POST", f"/projects/{RIVERSIDE}/retrieve-from-erp")
    assert back["state"] == "unsynced"
    assert stack.items("ben", "ready_to_export") == []
    stack.ok("cara", "POST", f"/projects/{RIVERSIDE}/send-to-erp")
    customer = _customer(stack, "")
    stack.ok("ben", "POST", f"/erp/jobs/{sent['id']}/accept", {"customer_id": customer})
    late = stack.call("cara", "POST", f"/projects/{RIVERSIDE}/retrieve-from-erp")
    assert late.status_code == 409
    assert "retrieve" in late.json()["detail"]


def test_a_send_twice_is_a_state_conflict(stack: Stack) -> None:
    stack.ok("cara", "POST", f"/projects/{RIVERSIDE}/send-to-erp")
    again = stack.call("cara", "POST", f"/projects/{RIVERSIDE}/send-to-erp")
    assert again.status_code == 409


def test_a_failed_export_shows_quickbooks_words_then_retry_succeeds(stack: Stack) -> None:
    _refresh(stack)
    customer = stack.ok("ben", "GET", "/erp/customers?search=Greenleaf")["items"][0]
    # Someone creates the same job in QuickBooks after the last refresh.
    stack.qb_add_job("Riverside Clinic TI", customer["full_name"])
    item = _send_and_accept(stack, RIVERSIDE, {"customer_id": customer["id"]})
    failed = stack.ok("ben", "GET", f"/erp/jobs/{item}")
    assert failed["state"] == "failed_to_export", failed
    assert failed["error"]
    assert [i["id"] for i in stack.items("ben", "failed_to_export")] == [item]
    # The clash is fixed in QuickBooks, then the approver retries.
    stack.qb_rename(f"{customer['full_name']}:Riverside Clinic TI", "Riverside Clinic (old)")
    stack.ok("ben", "POST", f"/erp/jobs/{item}/retry")
    stack.settle()
    synced = stack.ok("ben", "GET", f"/erp/jobs/{item}")
    assert synced["state"] == "synced", synced
    jobs = stack.qb_jobs()
    assert f"{customer['full_name']}:Riverside Clinic TI" in jobs
    assert synced["quickbooks"]["id"] == jobs[f"{customer['full_name']}:Riverside Clinic TI"].id


def test_resend_after_an_edit_updates_the_job(stack: Stack) -> None:
    _refresh(stack)
    customer = _customer(stack, "Greenleaf")
    item = _send_and_accept(stack, RIVERSIDE, {"customer_id": customer})
    _patch_project(stack, RIVERSIDE, {"name": "Riverside Clinic Phase 2"})
    again = stack.ok("cara", "POST", f"/projects/{RIVERSIDE}/send-to-erp")
    assert again["id"] == item
    assert again["state"] == "ready_to_update"
    assert [i["id"] for i in stack.items("ben", "ready_to_update")] == [item]
    stack.ok("ben", "POST", f"/erp/jobs/{item}/accept")
    stack.settle()
    synced = stack.ok("ben", "GET", f"/erp/jobs/{item}")
    assert synced["state"] == "synced", synced
    assert synced["quickbooks"]["full_name"].endswith(":Riverside Clinic Phase 2")
    assert any(n.endswith(":Riverside Clinic Phase 2") for n in stack.qb_jobs())


def test_a_stale_version_during_an_update_fails_with_a_message_then_retry_applies(
    stack: Stack,
) -> None:
    _refresh(stack)
    customer = stack.ok("ben", "GET", "/erp/customers?search=Greenleaf")["items"][0]
    item = _send_and_accept(stack, RIVERSIDE, {"customer_id": customer["id"]})
    full = f"{customer['full_name']}:Riverside Clinic TI"
    # Someone edits the job in QuickBooks; procore-qb has not read the list since.
    stack.qb_rename(full, "Riverside Clinic TI-A")
    stack.ok("cara", "POST", f"/projects/{RIVERSIDE}/send-to-erp")
    stack.ok("ben", "POST", f"/erp/jobs/{item}/accept")
    stack.settle()
    failed = stack.ok("ben", "GET", f"/erp/jobs/{item}")
    assert failed["state"] == "failed_to_export", failed
    assert "changed in QuickBooks" in failed["error"]
    # The failure asked for a fresh read of the job list; a retry applies over the new version.
    stack.ok("ben", "POST", f"/erp/jobs/{item}/retry")
    stack.settle()
    synced = stack.ok("ben", "GET", f"/erp/jobs/{item}")
    assert synced["state"] == "synced", synced
    assert f"{customer['full_name']}:Riverside Clinic TI" in stack.qb_jobs()


def test_a_project_edited_after_sending_is_flagged_and_the_sent_values_are_exported(
    desktop: Stack,
) -> None:
    _refresh(desktop)
    sent = desktop.ok("cara", "POST", f"/projects/{RIVERSIDE}/send-to-erp")
    assert desktop.items("ben", "ready_to_export")[0]["quickbooks_flags"] == []
    _patch_project(desktop, RIVERSIDE, {"name": "Riverside Clinic Edited"})
    flagged = desktop.items("ben", "ready_to_export")[0]
    assert flagged["quickbooks_flags"] == ["changed_in_procore"]
    customer = _customer(desktop, "Greenleaf")
    desktop.ok("ben", "POST", f"/erp/jobs/{sent['id']}/accept", {"customer_id": customer})
    desktop.settle()
    synced = desktop.ok("ben", "GET", f"/erp/jobs/{sent['id']}")
    assert synced["quickbooks"]["full_name"].endswith(":Riverside Clinic TI")


def _new_cost_code(stack: Stack, code: str, name: str) -> None:
    """A new code on the QuickBooks Standard Cost Codes list, added to Riverside (not yet an
    item in QuickBooks)."""
    created = stack.procore.post(
        "/rest/v1.0/standard_cost_codes",
        params={"company_id": 4263, "standard_cost_code_list_id": 1},
        json={"standard_cost_code": {"code": code, "name": name}},
        headers=_service_headers(stack),
    )
    assert created.status_code == 201, created.text
    result = stack.ctx.procore().add_cost_codes(
        RIVERSIDE,
        [NewCostCode(code=code, name=name, standard_cost_code_id=int(created.json()["id"]))],
    )
    assert not result.errors


def test_an_export_creates_the_items_its_cost_codes_lack(desktop: Stack) -> None:
    _refresh(desktop)
    _new_cost_code(desktop, "22-100", "Fire Protection")
    assert desktop.qbd is not None
    expense = next(
        o.list_id for o in desktop.qbd.company.lists(["Account"]) if o.name == "Subcontractors"
    )
    desktop.ok("ada", "PATCH", "/settings", {"item_expense_account_id": expense})
    item = _send_and_accept(desktop, RIVERSIDE, {"customer_id": _customer(desktop, "Greenleaf")})
    synced = desktop.ok("ben", "GET", f"/erp/jobs/{item}")
    assert synced["state"] == "synced", synced
    assert desktop.qbd is not None
    items = {o.name: o.list_id for o in desktop.qbd.company.lists(["ItemService"])}
    assert "22-100" in items
    codes = {c.full_code: c.origin_id for c in desktop.ctx.procore().cost_codes(RIVERSIDE)}
    assert codes["22-100"] == f"{synced['quickbooks']['id']}|{items['22-100']}"
    assert codes["01-100"] == f"{synced['quickbooks']['id']}|{items['01-100']}"


def test_quickbooks_online_needs_an_income_account_for_new_items(online: Stack) -> None:
    _refresh(online)
    _new_cost_code(online, "22-100", "Fire Protection")
    sent = online.ok("cara", "POST", f"/projects/{RIVERSIDE}/send-to-erp")
    customer = _customer(online, "Greenleaf")
    refused = online.call(
        "ben", "POST", f"/erp/jobs/{sent['id']}/accept", {"customer_id": customer}
    )
    assert refused.status_code == 422
    assert "income account" in refused.json()["detail"]
    accounts = online.ctx.online().execute([QueryAccounts(idempotency_key="acc-1")])[0].accounts  # type: ignore[misc]
    income = next(a.id for a in accounts if a.name == "Construction Income")
    online.ok("ada", "PATCH", "/settings", {"item_income_account_id": income})
    online.ok("ben", "POST", f"/erp/jobs/{sent['id']}/accept", {"customer_id": customer})
    online.settle()
    synced = online.ok("ben", "GET", f"/erp/jobs/{sent['id']}")
    assert synced["state"] == "synced", synced
    codes = {c.full_code: c.origin_id for c in online.ctx.procore().cost_codes(RIVERSIDE)}
    assert codes["22-100"] is not None
    assert codes["22-100"].startswith(f"{synced['quickbooks']['id']}|")
