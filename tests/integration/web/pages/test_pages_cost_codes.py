"""ERP Integrations → Cost Codes through the pages (QuickBooks Desktop, the Web Connector
simulated): the tab answers, Refresh, Accept, Reject with a comment, Retry, and the buttons
each person sees, read from the HTML."""

from __future__ import annotations

import re

import pytest

from integration.web.pages.jobs_pages import buttons, counts, flashes, follow, post_from, signed_in
from integration.web.pages.pages_client import visible_text
from integration.workflow.workflow_stack import Stack
from procore_qb.procore.gateway import NewCostCode
from procore_qb.sandbox import seed

pytestmark = pytest.mark.filterwarnings(
    "ignore:You should not use the 'timeout' argument with the TestClient"
)

TAB = "/erp/cost-codes?filter=ready_to_export"


def _new_code(stack: Stack, code: str, name: str) -> None:
    written = stack.ctx.procore().write_standard_cost_codes(
        seed.QUICKBOOKS_LIST_ID, [NewCostCode(code=code, name=name)]
    )
    assert not written.errors


def _accounts(stack: Stack) -> None:
    assert stack.qbd is not None
    found = {o.name: o.list_id for o in stack.qbd.company.lists(["Account"])}
    stack.ok(
        "ada",
        "PATCH",
        "/settings",
        {
            "item_income_account_id": found["Construction Income"],
            "item_expense_account_id": found["Subcontractors"],
        },
    )


def _rows(html: str) -> dict[str, str]:
    return dict(re.findall(r'<tr id="row-([0-9]+)">(.*?)</tr>', html, re.S))


def test_the_tab_answers_and_shows_every_filter(stack: Stack) -> None:
    eve = signed_in(stack, "eve")
    page = eve.get("/erp/cost-codes")
    assert page.status_code == 200, visible_text(page.text)[:1500]
    assert counts(page.text) == {
        "Ready to Export": 0,
        "Exporting": 0,
        "Failed to Export": 0,
        "Synced": 0,
        "Rejected": 0,
    }
    # Read Only on ERP Integrations: no action buttons.
    assert "Refresh" not in buttons(page.text)
    assert 'aria-current="page"' in page.text


def test_refresh_accept_and_synced(stack: Stack) -> None:
    _new_code(stack, "07-100", "Roofing")
    _accounts(stack)
    ada = signed_in(stack, "ada")
    page = follow(ada, post_from(ada, TAB, "/erp/cost-codes/refresh", {"back": TAB}))
    assert any("1 unsynced cost code now Ready to Export" in f for f in flashes(page.text))
    assert counts(page.text)["Ready to Export"] == 1
    ben = signed_in(stack, "ben")
    shown = ben.get(TAB)
    assert {"Accept", "Reject", "Accept selected", "Reject selected"} <= set(buttons(shown.text))
    assert "Refresh" not in buttons(shown.text)  # ben is not an ERP Integrations admin
    (entry,) = _rows(shown.text)
    accepted = follow(ben, post_from(ben, TAB, "/erp/cost-codes/accept", {"ids": [entry]}))
    assert any("Accepted '07-100'" in f for f in flashes(accepted.text))
    assert counts(accepted.text)["Exporting"] == 1
    stack.settle()
    synced = ben.get("/erp/cost-codes?filter=synced")
    assert "07-100" in visible_text(synced.text)
    assert "Service item" in visible_text(synced.text)


def test_reject_with_a_comment(stack: Stack) -> None:
    _new_code(stack, "07-100", "Roofing")
    stack.ok("ada", "POST", "/erp/cost-codes/refresh")
    ben = signed_in(stack, "ben")
    (entry,) = _rows(ben.get(TAB).text)
    done = follow(
        ben,
        post_from(
            ben,
            TAB,
            "/erp/cost-codes/reject",
            {"ids": [entry], "comment": "Use 06-100", "back": TAB},
        ),
    )
    assert any("Rejected '07-100'" in f for f in flashes(done.text))
    rejected = ben.get("/erp/cost-codes?filter=rejected")
    assert "Comment: Use 06-100" in visible_text(rejected.text)


def test_refusals_are_pages_naming_the_rule_or_the_permission(stack: Stack) -> None:
    _new_code(stack, "07-100", "Roofing")
    stack.ok("ada", "POST", "/erp/cost-codes/refresh")
    ben = signed_in(stack, "ben")
    (entry,) = _rows(ben.get(TAB).text)
    refused = post_from(ben, TAB, "/erp/cost-codes/accept", {"ids": [entry]})
    assert refused.status_code == 422
    assert "item_income_account_id" in visible_text(refused.text)
    dan = signed_in(stack, "dan")
    denied = post_from(dan, TAB, "/erp/cost-codes/accept", {"ids": [entry]})
    assert denied.status_code == 403
    assert "Can Push to Accounting" in visible_text(denied.text)
    bad = post_from(ben, TAB, "/erp/cost-codes/accept", {"ids": ["nope"]})
    assert bad.status_code == 422
    missing_token = ben.post("/erp/cost-codes/accept", {"ids": [entry]}, token="")
    assert missing_token.status_code == 403
