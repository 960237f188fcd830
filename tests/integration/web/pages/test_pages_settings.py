"""The settings page through the browser's eyes (QuickBooks Desktop): the connections and
their health, each company settings form saved by an ERP Integrations admin and refused with
the rule and the fix on bad input, read-only for everyone else, whose posts get 403."""

from __future__ import annotations

import re
from typing import Any

import pytest

from integration.web.pages.pages_client import PagesClient, csrf_token, visible_text
from integration.workflow.workflow_stack import Stack
from procore_qb.app.company import load_settings
from procore_qb.sandbox import seed
from procore_qb.store.models import AuditEntry

GENERAL = {
    "customer_job_mode": "customers_are_jobs",
    "default_template_id": "2",
    "quickbooks_changes": "hold",
}


def _settings(stack: Stack) -> dict[str, Any]:
    with stack.sessions.begin() as session:
        return load_settings(session, stack.company_id).to_json()


def _audit(stack: Stack, action: str) -> list[AuditEntry]:
    with stack.sessions.begin() as session:
        return list(
            session.query(AuditEntry).filter_by(action=action).order_by(AuditEntry.id).all()
        )


def _signed_in(stack: Stack, user: str) -> tuple[PagesClient, str]:
    browser = PagesClient(stack)
    browser.sign_in(user)
    page = browser.get("/settings")
    assert page.status_code == 200, page.text
    return browser, page.text


def _section(html: str, anchor: str) -> str:
    """The visible text of the settings page's section ``anchor``."""
    found = re.search(rf'<section[^>]*aria-labelledby="{anchor}".*?</section>', html, re.S)
    assert found is not None, anchor
    return visible_text(found.group(0))


def test_ada_saves_the_general_settings(stack: Stack) -> None:
    browser, html = _signed_in(stack, "ada")
    # The template picker offers Procore's templates.
    for template in seed.PROJECT_TEMPLATES:
        assert f'<option value="{template.id}">{template.name}</option>' in html
    answer = browser.post("/settings/general", GENERAL, token=csrf_token(html))
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/settings#general"
    page = browser.get("/settings")
    assert "Done: Settings saved." in visible_text(page.text)
    assert 'value="customers_are_jobs" checked' in page.text
    assert '<option value="2" selected>' in page.text
    assert 'value="hold" checked' in page.text
    saved = _settings(stack)
    assert saved["customer_job_mode"] == "customers_are_jobs"
    assert saved["default_template_id"] == 2
    assert saved["quickbooks_changes"] == "hold"
    changed = _audit(stack, "settings_changed")[-1]
    assert changed.actor == "ada@summit.example"
    assert changed.detail["default_template_id"] == {"from": None, "to": 2}
    # No template is a choice too.
    again = browser.post(
        "/settings/general", {**GENERAL, "default_template_id": ""}, token=csrf_token(page.text)
    )
    assert again.status_code == 303
    assert _settings(stack)["default_template_id"] is None


def test_ada_saves_the_sync_schedule_and_the_item_accounts(stack: Stack) -> None:
    browser, html = _signed_in(stack, "ada")
    assert "Refresh QuickBooks Job List" in _section(html, "schedule")
    answer = browser.post(
        "/settings/schedule",
        {
            "job_list_schedule": "every_4_hours",
            "cost_code_list_schedule": "hourly",
            "job_cost_schedule": "daily",
        },
        token=csrf_token(html),
    )
    assert answer.status_code == 303, answer.text
    assert _settings(stack)["job_list_schedule"] == "every_4_hours"
    assert _settings(stack)["job_cost_schedule"] == "daily"
    assert _settings(stack)["cost_code_list_schedule"] == "hourly"
    page = browser.get("/settings")
    assert '<option value="every_4_hours" selected>Every 4 hours</option>' in page.text
    answer = browser.post(
        "/settings/items",
        {"item_income_account_id": " 80000001-1 ", "item_expense_account_id": ""},
        token=csrf_token(page.text),
    )
    assert answer.status_code == 303, answer.text
    saved = _settings(stack)
    assert saved["item_income_account_id"] == "80000001-1"
    assert saved["item_expense_account_id"] is None
    page = browser.get("/settings")
    pattern = r"^(?P<code>[A-Z]+\d+) (?P<description>.+)$"
    answer = browser.post(
        "/settings/items",
        {"item_income_account_id": "80000001-1", "item_name_pattern": pattern},
        token=csrf_token(page.text),
    )
    assert answer.status_code == 303, answer.text
    assert _settings(stack)["item_name_pattern"] == pattern


def test_ada_saves_the_job_cost_settings_and_reads_them_back(stack: Stack) -> None:
    browser, html = _signed_in(stack, "ada")
    assert "Read Only, Populate From QuickBooks" in _section(html, "job-costs")
    answer = browser.post(
        "/settings/job-costs",
        {
            "budget_direct_cost_columns": "editable",
            "job_cost_account_cost_codes": "\r\n 80000007-1795996800 = 01-100 \r\n\n6=03-300\n",
        },
        token=csrf_token(html),
    )
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/settings#job-costs"
    saved = _settings(stack)
    assert saved["budget_direct_cost_columns"] == "editable"
    assert saved["job_cost_account_cost_codes"] == {"80000007-1795996800": "01-100", "6": "03-300"}
    page = browser.get("/settings")
    assert 'value="editable" checked' in page.text
    assert "6 = 03-300\n80000007-1795996800 = 01-100\n</textarea>" in page.text
    assert _audit(stack, "settings_changed")[-1].detail["budget_direct_cost_columns"] == {
        "from": "read_only",
        "to": "editable",
    }
    # Emptied: no table.
    answer = browser.post(
        "/settings/job-costs",
        {"budget_direct_cost_columns": "read_only", "job_cost_account_cost_codes": ""},
        token=csrf_token(page.text),
    )
    assert answer.status_code == 303
    assert _settings(stack)["job_cost_account_cost_codes"] == {}


@pytest.mark.parametrize(
    ("form", "posted", "field", "says"),
    [
        (
            "job-costs",
            {"budget_direct_cost_columns": "sometimes"},
            "budget_direct_cost_columns",
            "must be 'Read Only, Populate From QuickBooks' or 'Editable, Do Not Populate",
        ),
        (
            "job-costs",
            {"budget_direct_cost_columns": "read_only", "job_cost_account_cost_codes": "6 01-100"},
            "job_cost_account_cost_codes",
            "line 1: must be ACCOUNT ID = COST CODE",
        ),
        (
            "job-costs",
            {
                "budget_direct_cost_columns": "read_only",
                "job_cost_account_cost_codes": "6 = 01-100\n7 = 02-100\n6 = 03-300",
            },
            "job_cost_account_cost_codes",
            "line 3: account 6 is already on line 1: keep one cost code per account",
        ),
        (
            "job-costs",
            {
                "budget_direct_cost_columns": "read_only",
                "job_cost_account_cost_codes": "x" * 65 + " = 01-100",
            },
            "job_cost_account_cost_codes",
            "line 1: the account id must be at most 64 characters",
        ),
        (
            "general",
            {**GENERAL, "customer_job_mode": "jobs_only"},
            "customer_job_mode",
            "must be 'Customer:Job (each project becomes a job under a customer)' or "
            "'Customers = Jobs (each project becomes a customer)': pick one",
        ),
        (
            "general",
            {**GENERAL, "default_template_id": "-3"},
            "default_template_id",
            "must be one of the company's project templates in Procore (or none)",
        ),
        (
            "general",
            {**GENERAL, "default_template_id": "999"},
            "default_template_id",
            "999 is not: pick one from the list",
        ),
        (
            "general",
            {k: v for k, v in GENERAL.items() if k != "quickbooks_changes"},
            "quickbooks_changes",
            "must be 'Apply to Procore' or 'Hold for review': pick one",
        ),
        (
            "schedule",
            {
                "job_list_schedule": "weekly",
                "cost_code_list_schedule": "daily",
                "job_cost_schedule": "every_2_hours",
            },
            "job_list_schedule",
            "must be 'Hourly' or 'Every 2 hours' or 'Every 4 hours' or 'Daily' or 'Never'",
        ),
        (
            "items",
            {"item_income_account_id": "x" * 65},
            "item_income_account_id",
            "at most 64 characters, no control characters",
        ),
        (
            "items",
            {"item_expense_account_id": "80\u00000"},
            "item_expense_account_id",
            "at most 64 characters, no control characters",
        ),
        (
            "items",
            {"item_name_pattern": r"^(\d+) (.*)$"},
            "item_name_pattern",
            "needs the named groups",
        ),
    ],
)
def test_bad_input_is_refused_with_the_rule_and_the_fix_and_nothing_is_saved(
    stack: Stack, form: str, posted: dict[str, str], field: str, says: str
) -> None:
    browser, html = _signed_in(stack, "ada")
    before = _settings(stack)
    answer = browser.post(f"/settings/{form}", posted, token=csrf_token(html))
    assert answer.status_code == 422, answer.text
    text = visible_text(answer.text)
    assert "Not saved: 1 problem" in text
    assert says in text
    assert f"invalid_{field}" in text
    # The field is marked and described by its error; the summary links to it.
    assert f'aria-invalid="true" aria-describedby="error-{field}"' in answer.text
    assert f'href="#field-{field}"' in answer.text
    assert _settings(stack) == before
    assert _audit(stack, "settings_changed") == []


def test_a_refused_form_shows_what_was_typed(stack: Stack) -> None:
    browser, html = _signed_in(stack, "ada")
    answer = browser.post(
        "/settings/items",
        {"item_income_account_id": "4000", "item_expense_account_id": "y" * 70},
        token=csrf_token(html),
    )
    assert answer.status_code == 422
    assert 'name="item_income_account_id" value="4000"' in answer.text


@pytest.mark.parametrize("user", ["ben", "eve"])
def test_people_without_erp_admin_see_the_settings_read_only(stack: Stack, user: str) -> None:
    _, html = _signed_in(stack, user)
    text = visible_text(html)
    assert "Read only: changing settings needs 'Admin' on the ERP Integrations tool" in text
    assert html.count('<fieldset class="settings" disabled>') == 4
    for button in (
        "Save general settings",
        "Save sync schedule",
        "Save item accounts",
        "Save job cost settings",
    ):
        assert button not in text
    assert "Check Procore now" not in text
    # The values are there to read.
    assert 'value="customer_job" checked' in html


@pytest.mark.parametrize(
    ("path", "posted"),
    [
        ("/settings/general", GENERAL),
        ("/settings/schedule", {"job_list_schedule": "never"}),
        ("/settings/items", {"item_income_account_id": "1"}),
        ("/settings/job-costs", {"budget_direct_cost_columns": "editable"}),
        ("/settings/procore/check", {}),
    ],
)
def test_a_forced_change_by_ben_is_refused_with_403(
    stack: Stack, path: str, posted: dict[str, str]
) -> None:
    browser, html = _signed_in(stack, "ben")
    before = _settings(stack)
    answer = browser.post(path, posted, token=csrf_token(html))
    assert answer.status_code == 403, answer.text
    text = visible_text(answer.text)
    assert "Permission missing (403)" in text
    assert "needs 'Admin' on the ERP Integrations tool; you have 'Standard'" in text
    assert _settings(stack) == before
    assert _audit(stack, "settings_changed") == []
    assert _audit(stack, "procore_connection_checked") == []


def test_cara_without_the_erp_tool_may_not_read_the_settings(stack: Stack) -> None:
    browser = PagesClient(stack)
    browser.sign_in("cara")
    assert browser.get("/settings").status_code == 403


def test_dan_an_erp_admin_without_directory_admin_may_change_settings(stack: Stack) -> None:
    browser, html = _signed_in(stack, "dan")
    answer = browser.post(
        "/settings/schedule",
        {
            "job_list_schedule": "daily",
            "cost_code_list_schedule": "daily",
            "job_cost_schedule": "every_2_hours",
        },
        token=csrf_token(html),
    )
    assert answer.status_code == 303
    assert _settings(stack)["job_list_schedule"] == "daily"


def test_a_settings_form_without_the_token_is_refused(stack: Stack) -> None:
    browser, _ = _signed_in(stack, "ada")
    answer = browser.post("/settings/general", GENERAL, token="not-the-token")
    assert answer.status_code == 403
    assert "security token is missing or out of date" in visible_text(answer.text)
    assert _settings(stack)["customer_job_mode"] == "customer_job"


def test_the_procore_connection_is_checked_on_demand(stack: Stack) -> None:
    browser, html = _signed_in(stack, "ada")
    assert "Status Not checked yet" in _section(html, "procore")
    answer = browser.post("/settings/procore/check", token=csrf_token(html))
    assert answer.status_code == 303
    assert answer.headers["location"] == "/settings#procore"
    page = browser.get("/settings")
    assert "Done: Procore is connected" in visible_text(page.text)
    procore = _section(page.text, "procore")
    assert "Status Connected" in procore
    assert "Last check 2026-11-30 15:00 UTC" in procore
    assert "ERP Integrations 'Admin', Directory 'Admin'" in procore
    assert _audit(stack, "procore_connection_checked")[-1].actor == "ada@summit.example"


def test_problems_with_the_service_accounts_manifest_are_named_with_the_fix(
    stack: Stack,
) -> None:
    account = next(
        u for u in stack.procore_sim.world.table("users").values() if u.get("_service_account")
    )
    account["_directory"] = "standard"
    browser, html = _signed_in(stack, "ada")
    answer = browser.post("/settings/procore/check", token=csrf_token(html))
    assert answer.status_code == 303
    page = browser.get("/settings")
    assert "Error: Procore: the service account needs 'Admin' on the company Directory" in (
        visible_text(page.text)
    )
    procore = _section(page.text, "procore")
    assert "Not connected" in procore
    assert "Problems with the permission manifest" in procore
    assert "(it has 'Standard'): give it that level in Procore's company Directory" in procore


def test_the_web_connectors_health_and_the_qwc_file(stack: Stack) -> None:
    browser, html = _signed_in(stack, "ada")
    desktop = _section(html, "quickbooks-desktop")
    assert "Web Connector's last contact never" in desktop
    assert '<a href="/qbwc/app.qwc" download>Download the .qwc file</a>' in html
    qwc = browser.get("/qbwc/app.qwc")
    assert qwc.status_code == 200
    assert "<AppURL>" in qwc.text
    # A refresh waits for the Web Connector's next run, then it calls.
    stack.ok("ada", "POST", "/erp/jobs/refresh")
    waiting = _section(browser.get("/settings").text, "quickbooks-desktop")
    assert re.search(r"Waiting for its next run [1-9]\d* commands?", waiting), waiting
    stack.web_connector()
    after = _section(browser.get("/settings").text, "quickbooks-desktop")
    assert "Web Connector's last contact 2026-11-30 15:00 UTC" in after
    assert "Waiting for its next run 0 commands" in after
    assert "Sessions so far 1" in after


def test_the_mail_settings_are_shown_read_only(stack: Stack) -> None:
    _, html = _signed_in(stack, "ada")
    mail = _section(html, "mail")
    assert "No mail server is configured" in mail
    assert "PROCORE_QB_MAIL__HOST" in mail
    found = re.search(r'aria-labelledby="mail".*?</section>', html, re.S)
    assert found is not None
    assert "<input" not in found.group(0)


def test_a_procore_that_cannot_be_reached_is_reported_as_the_checks_error(stack: Stack) -> None:
    browser, html = _signed_in(stack, "ada")
    # Procore answers 503 to every call for a while: the client's retries run out.
    down = stack.procore.put("/_sandbox/unavailable", json={"count": 1000, "retry_after": 1})
    assert down.status_code == 200, down.text
    answer = browser.post("/settings/procore/check", token=csrf_token(html))
    stack.procore.put("/_sandbox/unavailable", json={"count": 0, "retry_after": 1})
    assert answer.status_code == 303
    page = browser.get("/settings")
    assert "Error: procore-qb could not sign in to Procore as the service account" in (
        visible_text(page.text)
    )
    assert "Not connected" in _section(page.text, "procore")
