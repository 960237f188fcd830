"""The project list and the project page through the pages: the ERP status, the send checklist
with each fix, Send / Retrieve / Re-send to ERP, the QuickBooks job and the history, and every
refusal, read from the HTML."""

from __future__ import annotations

import re

import pytest

from integration.web.pages.jobs_pages import (
    GENERIC_LIST,
    NAME_TOO_LONG,
    RIVERSIDE,
    buttons,
    customer_id,
    flashes,
    follow,
    post_from,
    refresh_job_list,
    send,
    signed_in,
)
from integration.web.pages.pages_client import visible_text
from integration.workflow.workflow_stack import Stack

pytestmark = pytest.mark.filterwarnings(
    "ignore:You should not use the 'timeout' argument with the TestClient"
)


def test_each_person_sees_the_projects_they_may_act_on(stack: Stack) -> None:
    cara = signed_in(stack, "cara")  # project Admin everywhere, no ERP Integrations
    listed = cara.get("/projects")
    assert listed.status_code == 200
    text = visible_text(listed.text)
    assert "The Procore projects whose Admin tool you hold" in text
    assert "10 projects" in text
    assert re.search(
        r"Northgate Regional Medical Center Parking Expansion NG-106 Unsynced ✗ No: 1 problem "
        r"name_too_long : The project name is 51 characters",
        text,
    ), text
    assert "Riverside Clinic TI RC-101 Unsynced ✓ Yes" in text
    eve = signed_in(stack, "eve")  # Read Only on ERP Integrations: every project, to read
    assert "Every Procore project of the company" in visible_text(eve.get("/projects").text)


def test_the_project_page_shows_the_checklist_and_the_fix_of_each_unmet_rule(
    stack: Stack,
) -> None:
    cara = signed_in(stack, "cara")
    page = cara.get(f"/projects/{GENERIC_LIST}")
    assert page.status_code == 200
    text = visible_text(page.text)
    assert "ERP status: Unsynced" in text
    assert "✓ Met: 'Active Project' is checked" in text
    assert (
        "✗ Not met: The project uses the QuickBooks Standard Cost Codes list How to fix: "
        "not_on_quickbooks_cost_codes Projects that do not use the QuickBooks Standard Cost "
        "Codes list cannot be integrated"
    ) in text
    assert text.count("Not met:") == 1
    assert buttons(page.text) == ["Sign out", "Send to ERP"]


def test_a_refused_send_shows_the_rule_and_its_fix(stack: Stack) -> None:
    cara = signed_in(stack, "cara")
    page = f"/projects/{NAME_TOO_LONG}"
    answer = post_from(cara, page, f"{page}/send-to-erp")
    assert answer.status_code == 422
    text = visible_text(answer.text)
    assert "Rule violated (422)" in text
    assert (
        "name_too_long : The project name is 51 characters; QuickBooks Desktop allows at most 41 "
        "in a customer or job Name. Open the project's Admin tool → General and change 'Project "
        "Name' (41 characters at most)."
    ) in text
    # Nothing was sent.
    assert "ERP status: Unsynced" in visible_text(cara.get(page).text)
    assert stack.ok("ada", "GET", f"/audit?project_id={NAME_TOO_LONG}")["items"] == []


def test_send_then_retrieve_from_erp(stack: Stack) -> None:
    cara = signed_in(stack, "cara")
    page = f"/projects/{RIVERSIDE}"
    sent = follow(cara, post_from(cara, page, f"{page}/send-to-erp"))
    assert flashes(sent.text) == [
        "Done: Sent 'Riverside Clinic TI' to ERP: it waits in Ready to Export for an accounting "
        "approver. Its name and address are locked until then."
    ]
    text = visible_text(sent.text)
    assert "ERP status: Ready to Export" in text
    assert "Sent to ERP by cara@summit.example at 2026-11-30 15:00 UTC" in text
    assert buttons(sent.text) == ["Sign out", "Retrieve from ERP"]
    retrieved = follow(cara, post_from(cara, page, f"{page}/retrieve-from-erp"))
    assert flashes(retrieved.text) == [
        "Done: Retrieved from ERP: the project is Unsynced and can be edited again; send it "
        "when it is ready."
    ]
    text = visible_text(retrieved.text)
    assert "ERP status: Unsynced" in text
    history = text.split("History", 1)[1]
    assert history.index("Retrieved from ERP") < history.index("Sent to ERP")


def test_a_synced_project_shows_its_quickbooks_job_history_and_re_send(stack: Stack) -> None:
    refresh_job_list(stack)
    item = send(stack, RIVERSIDE)
    parent = customer_id(stack, "Riverside Health")
    stack.ok("ben", "POST", f"/erp/jobs/{item}/accept", {"customer_id": parent})
    stack.settle()
    cara = signed_in(stack, "cara")
    page = cara.get(f"/projects/{RIVERSIDE}")
    text = visible_text(page.text)
    assert "ERP status: Synced" in text
    assert "Synced with the QuickBooks job Riverside Health:Riverside Clinic TI" in text
    assert "Full name Riverside Health:Riverside Clinic TI" in text
    assert re.search(r"Last sync 2026-11-30 15:00 UTC", text)
    history = text.split("History", 1)[1]
    for words in (
        "Sent to ERP",
        "Accepted for export",
        "QuickBooks job created",
        "Marked synced in Procore",
    ):
        assert words in history, words
    # Synced: its admin may also unlink its cost codes (the export linked all three) and turn
    # job cost syncing on.
    assert buttons(page.text) == [
        "Sign out",
        "Re-send to ERP",
        "Enable ERP Job Cost Transaction Syncing",
        *["Unlink…"] * 3,
    ]
    resent = follow(
        cara, post_from(cara, f"/projects/{RIVERSIDE}", f"/projects/{RIVERSIDE}/send-to-erp")
    )
    assert flashes(resent.text)[0].startswith("Done: Re-sent 'Riverside Clinic TI' to ERP")
    assert "ERP status: Ready to Update" in visible_text(resent.text)


@pytest.mark.parametrize("user", ["eve", "ben"])
def test_without_the_project_admin_tool_no_button_shows_and_sending_is_refused(
    stack: Stack, user: str
) -> None:
    browser = signed_in(stack, user)
    page = f"/projects/{RIVERSIDE}"
    shown = browser.get(page)
    assert shown.status_code == 200
    assert buttons(shown.text) == ["Sign out"]
    for action in ("send-to-erp", "retrieve-from-erp"):
        answer = post_from(browser, page, f"{page}/{action}")
        assert answer.status_code == 403, action
        text = visible_text(answer.text)
        assert "Permission missing (403)" in text
        assert "needs 'Admin' on the project's Admin tool" in text
    assert "ERP status: Unsynced" in visible_text(browser.get(page).text)


def test_an_unknown_project_is_a_404_page(stack: Stack) -> None:
    cara = signed_in(stack, "cara")
    page = cara.get("/projects/987654")
    assert page.status_code == 404
    assert "Not found (404)" in visible_text(page.text)
    assert cara.get("/projects/0").status_code == 422
