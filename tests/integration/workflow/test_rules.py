"""Every eligibility rule, the "existing jobs/projects cannot be integrated" rule and the
notifications, through the HTTP API."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from workflow_stack import Stack

from procore_qb.app.notifications import queue_daily_digest
from procore_qb.store.models import MailMessage

pytestmark = pytest.mark.filterwarnings(
    "ignore:You should not use the 'timeout' argument with the TestClient"
)

# Seed projects (sandbox/seed.py) and the rule each one breaks.
BROKEN = {
    2004: "not_on_quickbooks_cost_codes",
    2005: "no_cost_codes",
    2006: "name_too_long",
    2007: "address_has_comma",
    2008: "project_inactive",
    2010: "erp_sync_off",
}


@pytest.mark.parametrize(("project_id", "rule"), sorted(BROKEN.items()))
def test_each_rule_refuses_the_send_with_its_code_and_fix(
    desktop: Stack, project_id: int, rule: str
) -> None:
    answer = desktop.call("cara", "POST", f"/projects/{project_id}/send-to-erp")
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert rule in [p["rule"] for p in problem["problems"]]
    assert all(p["message"] for p in problem["problems"])
    assert desktop.items("ben", "ready_to_export") == []


def test_the_project_list_shows_each_rule_before_sending(desktop: Stack) -> None:
    rows = {p["id"]: p for p in desktop.ok("ada", "GET", "/projects")["items"]}
    for project_id, rule in BROKEN.items():
        assert rule in [p["rule"] for p in rows[project_id]["problems"]]
    assert rows[2001]["problems"] == []
    assert rows[2001]["actions"] == []  # ada holds no project's Admin tool
    cara = {p["id"]: p for p in desktop.ok("cara", "GET", "/projects")["items"]}
    assert "send" in cara[2001]["actions"]


def test_quickbooks_online_takes_names_over_41_characters(online: Stack) -> None:
    rows = {p["id"]: p for p in online.ok("ada", "GET", "/projects")["items"]}
    assert "name_too_long" not in [p["rule"] for p in rows[2006]["problems"]]


def test_a_project_whose_name_is_an_existing_quickbooks_job_is_refused(stack: Stack) -> None:
    stack.ok("ada", "POST", "/erp/jobs/refresh")
    stack.settle()
    answer = stack.call("cara", "POST", "/projects/2009/send-to-erp")
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert problem["rule"] == "job_already_exists"
    assert "Elm Court Apartments" in problem["detail"]


def test_an_import_whose_job_matches_an_existing_project_is_refused(stack: Stack) -> None:
    stack.ok("ada", "POST", "/erp/jobs/refresh")
    stack.settle()
    elm = [
        i
        for i in stack.items("ada", "ready_to_import")
        if str(i["quickbooks"]["full_name"]).endswith(":Elm Court Apartments")
    ]
    assert elm, "the seed has a QuickBooks job named like Procore project 2009"
    answer = stack.call("ada", "POST", f"/erp/jobs/{elm[0]['id']}/import", {"method": "new"})
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert problem["rule"] == "job_already_exists"
    assert "Elm Court Apartments" in problem["detail"]
    assert "2009" in problem["detail"]
    # Linking is the way to join the two.
    linked = stack.ok(
        "ada", "POST", f"/erp/jobs/{elm[0]['id']}/import", {"method": "link", "project_id": 2009}
    )
    assert linked["state"] == "imported"


def test_a_rejection_mails_the_sender_and_the_approvers(desktop: Stack) -> None:
    sent = desktop.ok("cara", "POST", "/projects/2001/send-to-erp")
    desktop.ok("ben", "POST", f"/erp/jobs/{sent['id']}/reject", {"comment": "Wrong customer"})
    with desktop.sessions.begin() as session:
        mails = list(session.scalars(sa.select(MailMessage).where(MailMessage.kind == "rejection")))
    assert len(mails) == 1
    assert "cara@summit.example" in mails[0].recipients
    assert "ben@summit.example" in mails[0].recipients
    assert "Wrong customer" in mails[0].body
    assert "Riverside Clinic TI" in mails[0].subject + mails[0].body


def test_the_daily_digest_lists_what_waits(desktop: Stack) -> None:
    # The approvers procore-qb knows are those who signed in; their permissions are read from
    # Procore when they first use it.
    desktop.ok("ben", "GET", "/me")
    desktop.ok("cara", "POST", "/projects/2001/send-to-erp")
    with desktop.sessions.begin() as session:
        queued = queue_daily_digest(session, company_id=desktop.company_id, now=desktop.clock.now())
    assert queued >= 1
    with desktop.sessions.begin() as session:
        digests = list(session.scalars(sa.select(MailMessage).where(MailMessage.kind == "digest")))
    assert digests
    assert "Riverside Clinic TI" in digests[0].body


def test_a_project_procore_does_not_know_is_a_404_naming_it(desktop: Stack) -> None:
    answer = desktop.call("cara", "POST", "/projects/987654/send-to-erp")
    assert answer.status_code == 404, answer.text
    assert "987654" in answer.json()["detail"]
