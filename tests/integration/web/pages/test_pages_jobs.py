"""ERP Integrations → Jobs through the pages (QuickBooks Desktop, the Web Connector simulated):
the filters, search and paging, each action and each refusal, read from the HTML."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from integration.web.pages.jobs_pages import (
    ERP_SYNC_OFF,
    HARBOR,
    MAPLE,
    RIVERSIDE,
    buttons,
    counts,
    customer_id,
    flashes,
    follow,
    names,
    post_from,
    refresh_job_list,
    row_named,
    rows,
    send,
    signed_in,
)
from integration.web.pages.pages_client import PagesClient, visible_text
from integration.workflow.workflow_stack import Stack

pytestmark = pytest.mark.filterwarnings(
    "ignore:You should not use the 'timeout' argument with the TestClient"
)

JOBS = "/erp/jobs?filter=ready_to_export"


def _accept_into(browser: PagesClient, item_ids: list[str], choice: str, new: str = "") -> str:
    """Accept ``item_ids`` from the Jobs tab: the button leads to the customer picker, where
    ``choice`` is picked; the page the accept leads to."""
    picker = post_from(browser, JOBS, "/erp/jobs/accept", {"ids": item_ids, "back": JOBS})
    assert picker.status_code == 303
    assert picker.headers["location"].startswith("/erp/jobs/accept?")
    shown = browser.get(picker.headers["location"])
    assert shown.status_code == 200, visible_text(shown.text)[:1500]
    done = post_from(
        browser,
        picker.headers["location"],
        "/erp/jobs/accept",
        {"ids": item_ids, "back": JOBS, "step": "choose", "choice": choice, "new_customer": new},
    )
    return follow(browser, done).text


# ------------------------------------------------------------------ the list


def test_the_six_filters_with_their_counts_and_the_last_refresh(stack: Stack) -> None:
    refresh_job_list(stack)
    ben = signed_in(stack, "ben")
    page = ben.get("/erp/jobs?filter=ready_to_import")
    assert page.status_code == 200
    assert counts(page.text) == {
        "Ready to Import": 4,
        "Ready to Export": 0,
        "Ready to Update": 0,
        "Failed to Export": 0,
        "Synced": 0,
        "Archived": 0,
    }
    text = visible_text(page.text)
    assert (
        "Job list: last refreshed 2026-11-30 15:00 UTC (8 read, 4 new in Ready to Import)" in text
    )
    assert 'aria-current="page">Ready to Import' in page.text
    names = [visible_text(r) for r in rows(page.text).values()]
    assert any("Willow Creek Condos" in n for n in names)
    # Elm Court matches a Procore project by name; it is staged all the same, and linked or
    # archived by a person, never merged.
    assert any("Fire Station 3" in n for n in names)
    # Nothing idle is polled.
    assert "data-poll=" not in page.text


def test_search_and_paging_keep_to_the_filter(stack: Stack) -> None:
    for project_id in (RIVERSIDE, HARBOR, MAPLE):
        send(stack, project_id)
    ben = signed_in(stack, "ben")
    found = ben.get("/erp/jobs?filter=ready_to_export&search=harbor")
    assert names(found.text) == ["Harbor View Offices"]
    assert "1 item matching “harbor”" in visible_text(found.text)
    first = ben.get("/erp/jobs?filter=ready_to_export&per_page=25")
    assert len(rows(first.text)) == 3
    nothing = ben.get("/erp/jobs?filter=ready_to_export&search=nowhere")
    assert "Nothing under Ready to Export matches “nowhere”." in visible_text(nothing.text)
    beyond = ben.get("/erp/jobs?filter=ready_to_export&page=9")
    assert rows(beyond.text) == {}


@pytest.mark.parametrize(
    "query",
    ["filter=everything", "page=0", "per_page=7", "per_page=5000", "search=" + "x" * 201],
)
def test_a_bad_query_is_a_422_page_naming_the_field(stack: Stack, query: str) -> None:
    ben = signed_in(stack, "ben")
    page = ben.get(f"/erp/jobs?{query}")
    assert page.status_code == 422
    text = visible_text(page.text)
    assert "Invalid request (422)" in text
    assert query.split("=")[0] in text


def test_rows_show_only_the_actions_each_person_may_take(stack: Stack) -> None:
    refresh_job_list(stack)
    send(stack, RIVERSIDE)
    ben = signed_in(stack, "ben")  # accounting approver
    ada = signed_in(stack, "ada")  # ERP Integrations and Directory Admin
    eve = signed_in(stack, "eve")  # Read Only everywhere
    dan = signed_in(stack, "dan")  # ERP Integrations Admin, Directory Standard
    export_page = "/erp/jobs?filter=ready_to_export"
    import_page = "/erp/jobs?filter=ready_to_import"
    # The summary opening the comment dialog, and the button in it, both say "Reject".
    assert buttons(ben.get(export_page).text) == [
        "Sign out",
        "Search",
        "Accept selected",
        "Reject selected",
        "Reject selected",
        "Accept",
        "Reject",
        "Reject",
    ]
    assert buttons(ben.get(import_page).text) == ["Sign out", "Search"]
    ada_import = buttons(ada.get(import_page).text)
    assert ada_import[:4] == ["Sign out", "Refresh Job List", "Sync Now", "Search"]
    assert ada_import.count("Add to Procore") == 4
    assert ada_import.count("Link to Existing Project") == 4
    assert ada_import.count("Archive") == 4
    for person in (eve, dan):
        for page in (export_page, import_page, "/erp/jobs?filter=archived"):
            assert buttons(person.get(page).text) == ["Sign out", "Search"], page


def test_a_person_without_access_to_the_tool_is_refused(stack: Stack) -> None:
    cara = signed_in(stack, "cara")
    page = cara.get("/erp/jobs")
    assert page.status_code == 403
    text = visible_text(page.text)
    assert "Permission missing (403)" in text
    assert "needs 'Read Only' or higher on the ERP Integrations tool; you have 'None'" in text
    assert cara.get("/erp/jobs/progress").status_code == 403


# ------------------------------------------------------------------ Path A


def test_accept_into_an_existing_customer_exports_and_syncs(stack: Stack) -> None:
    refresh_job_list(stack)
    item = send(stack, RIVERSIDE)
    ben = signed_in(stack, "ben")
    listed = ben.get(JOBS)
    item_id, row = row_named(listed.text, "Riverside Clinic TI")
    assert item_id == item
    assert "cara@summit.example" in visible_text(row)
    assert "not in QuickBooks yet" in visible_text(row)
    # The picker: QuickBooks' customers, searchable.
    picker = ben.get(f"/erp/jobs/accept?ids={item}&back=/erp/jobs?filter%3Dready_to_export")
    text = visible_text(picker.text)
    for name in (
        "City of Springfield",
        "Greenleaf Properties",
        "Harbor Holdings",
        "Riverside Health",
    ):
        assert name in text
    searched = ben.get(f"/erp/jobs/accept?ids={item}&search=river")
    assert "Riverside Health" in visible_text(searched.text)
    assert "Greenleaf Properties" not in visible_text(searched.text)
    parent = customer_id(stack, "Riverside Health")
    after = _accept_into(ben, [item], f"customer:{parent}")
    assert flashes(after) == [
        "Done: Accepted 'Riverside Clinic TI' for export to QuickBooks; the export runs at "
        "the QuickBooks Web Connector's next run (see Failed to Export while it is Exporting)."
    ]
    waiting = ben.get("/erp/jobs?filter=failed_to_export")
    _, row = row_named(waiting.text, "Riverside Clinic TI")
    assert "Exporting Waiting for the QuickBooks Web Connector's next run" in visible_text(row)
    assert "Exports: 1 QuickBooks request(s) waiting" in visible_text(waiting.text)
    # While QuickBooks works, the sync line is polled; it says when it is done.
    assert 'data-poll="/erp/jobs/progress"' in waiting.text
    progress = ben.get("/erp/jobs/progress")
    assert progress.headers["x-poll-done"] == "0"
    stack.settle()
    progress = ben.get("/erp/jobs/progress")
    assert progress.headers["x-poll-done"] == "1"
    assert "Done. Reload the list" in visible_text(progress.text)
    synced = ben.get("/erp/jobs?filter=synced")
    _, row = row_named(synced.text, "Riverside Clinic TI")
    assert "Synced" in visible_text(row)
    assert "Riverside Health:Riverside Clinic TI" in visible_text(row)


def test_accept_into_a_new_customer(stack: Stack) -> None:
    refresh_job_list(stack)
    item = send(stack, HARBOR)
    ben = signed_in(stack, "ben")
    _accept_into(ben, [item], "new", "Harbor View Partners")
    stack.settle()
    _, row = row_named(ben.get("/erp/jobs?filter=synced").text, "Harbor View Offices")
    assert "Harbor View Partners:Harbor View Offices" in visible_text(row)


def test_accept_refused_by_a_rule_shows_the_picker_again_with_the_fix(stack: Stack) -> None:
    refresh_job_list(stack)
    item = send(stack, MAPLE)
    ben = signed_in(stack, "ben")
    answer = post_from(
        ben,
        f"/erp/jobs/accept?ids={item}",
        "/erp/jobs/accept",
        {"ids": [item], "step": "choose", "choice": "new", "new_customer": "Harbor Holdings"},
    )
    assert answer.status_code == 422
    text = visible_text(answer.text)
    assert "What to fix" in text
    assert "job_already_exists : QuickBooks already has the customer 'Harbor Holdings'" in text
    assert "Choose it from the Customer list instead, or enter another name." in text
    assert 'value="Harbor Holdings"' in answer.text  # what was typed is kept
    # Nothing was accepted.
    assert row_named(ben.get(JOBS).text, "Maple Street Duplex")
    # No customer picked at all: the picker asks for one.
    answer = post_from(
        ben, f"/erp/jobs/accept?ids={item}", "/erp/jobs/accept", {"ids": [item], "step": "choose"}
    )
    assert answer.status_code == 422
    assert "customer_required" in visible_text(answer.text)


def test_bulk_accept_and_bulk_reject(stack: Stack) -> None:
    refresh_job_list(stack)
    items = [send(stack, p) for p in (RIVERSIDE, HARBOR, MAPLE)]
    ben = signed_in(stack, "ben")
    parent = customer_id(stack, "City of Springfield")
    after = _accept_into(ben, items[:2], f"customer:{parent}")
    assert flashes(after)[0].startswith("Done: Accepted 2 projects for export to QuickBooks")
    rejected = follow(
        ben,
        post_from(
            ben,
            JOBS,
            "/erp/jobs/reject",
            {"ids": items[2:], "comment": "Wrong customer list", "back": JOBS},
        ),
    )
    assert flashes(rejected.text)[0].startswith("Done: Rejected 'Maple Street Duplex'")
    assert counts(rejected.text)["Ready to Export"] == 0
    assert counts(rejected.text)["Failed to Export"] == 2  # both exporting
    stack.settle()
    assert counts(ben.get(JOBS).text)["Synced"] == 2


def test_reject_with_a_comment_then_re_send(stack: Stack) -> None:
    item = send(stack, RIVERSIDE)
    ben = signed_in(stack, "ben")
    page = follow(
        ben,
        post_from(
            ben,
            JOBS,
            "/erp/jobs/reject",
            {"ids": [item], "comment": "Use the client's legal name", "back": JOBS},
        ),
    )
    assert flashes(page.text) == [
        "Done: Rejected 'Riverside Clinic TI'; the sender and the accounting approvers are "
        "told by e-mail, and the project can be edited and re-sent."
    ]
    assert rows(page.text) == {}
    cara = signed_in(stack, "cara")
    project = visible_text(cara.get(f"/projects/{RIVERSIDE}").text)
    assert "ERP status: Rejected" in project
    assert "with the comment “Use the client's legal name”" in project
    resent = follow(
        cara, post_from(cara, f"/projects/{RIVERSIDE}", f"/projects/{RIVERSIDE}/send-to-erp")
    )
    assert "ERP status: Ready to Export" in visible_text(resent.text)
    assert row_named(ben.get(JOBS).text, "Riverside Clinic TI")


def test_a_failed_export_shows_quickbooks_error_and_can_be_retried(stack: Stack) -> None:
    refresh_job_list(stack)
    item = send(stack, RIVERSIDE)
    ben = signed_in(stack, "ben")
    _accept_into(ben, [item], f"customer:{customer_id(stack, 'Greenleaf Properties')}")
    # Before the Web Connector runs, someone makes the same job in QuickBooks by hand:
    # QuickBooks refuses the duplicate, in its own words.
    stack.qb_add_job("Riverside Clinic TI", "Greenleaf Properties")
    stack.settle()
    failed = ben.get("/erp/jobs?filter=failed_to_export")
    _, row = row_named(failed.text, "Riverside Clinic TI")
    text = visible_text(row)
    assert "Failed to Export" in text
    assert re.search(r"QuickBooks error: .*already in use", text), text
    assert buttons(row) == ["Retry", "Reject", "Reject"]
    retried = follow(
        ben,
        post_from(
            ben,
            "/erp/jobs?filter=failed_to_export",
            f"/erp/jobs/{item}/retry",
            {"back": "/erp/jobs?filter=failed_to_export"},
        ),
    )
    assert flashes(retried.text)[0].startswith("Done: Retrying 'Riverside Clinic TI'")
    _, row = row_named(retried.text, "Riverside Clinic TI")
    assert "Exporting" in visible_text(row)


def test_changed_in_procore_after_sending_is_marked(stack: Stack) -> None:
    item = send(stack, RIVERSIDE)
    stack.procore_sim.world.table("projects")[RIVERSIDE]["address"] = "14 River Rd"
    stack.procore_sim.changed()
    ben = signed_in(stack, "ben")
    _, row = row_named(ben.get(JOBS).text, "Riverside Clinic TI")
    assert "⚠ Changed in Procore since it was sent" in visible_text(row)
    assert item


@pytest.mark.parametrize(
    ("action", "data", "field"),
    [
        ("/erp/jobs/accept", {"ids": ["export-x"]}, "ids"),
        ("/erp/jobs/accept", {}, "ids"),
        ("/erp/jobs/accept", {"ids": ["import-1"]}, "ids"),
        ("/erp/jobs/reject", {"ids": ["export-1"], "comment": "x" * 2001}, "comment"),
        ("/erp/jobs/accept", {"ids": ["export-1"], "choice": "customer:\x01"}, "choice"),
        ("/erp/jobs/accept", {"ids": ["export-1"], "choice": "new"}, "new_customer"),
    ],
)
def test_bad_form_input_is_a_422_page_and_changes_nothing(
    stack: Stack, action: str, data: dict[str, object], field: str
) -> None:
    send(stack, RIVERSIDE)
    ben = signed_in(stack, "ben")
    answer = post_from(ben, JOBS, action, data)
    assert answer.status_code == 422
    text = visible_text(answer.text)
    assert "Invalid request (422)" in text
    assert field in text
    assert counts(ben.get(JOBS).text)["Ready to Export"] == 1


# ------------------------------------------------------------------ Path B


def test_refresh_job_list_shows_progress_until_quickbooks_answers(stack: Stack) -> None:
    ada = signed_in(stack, "ada")
    page = follow(
        ada,
        post_from(
            ada,
            "/erp/jobs?filter=ready_to_import",
            "/erp/jobs/refresh",
            {"back": "/erp/jobs?filter=ready_to_import"},
        ),
    )
    assert flashes(page.text)[0].startswith("Note: Asked QuickBooks for the job list")
    text = visible_text(page.text)
    assert "Job list: refreshing (asked at 2026-11-30 15:00 UTC" in text
    assert "waiting for the QuickBooks Web Connector's next run)" in text
    assert 'data-poll="/erp/jobs/progress"' in page.text
    assert ada.get("/erp/jobs/progress").headers["x-poll-done"] == "0"
    stack.settle()
    progress = ada.get("/erp/jobs/progress")
    assert progress.headers["x-poll-done"] == "1"
    assert "4 new in Ready to Import" in visible_text(progress.text)
    assert "Web Connector: last run 2026-11-30 15:00 UTC" in visible_text(progress.text)
    assert counts(ada.get("/erp/jobs").text)["Ready to Import"] == 4


def test_sync_now_asks_for_the_job_list_and_the_cost_codes(stack: Stack) -> None:
    ada = signed_in(stack, "ada")
    page = follow(ada, post_from(ada, "/erp/jobs", "/erp/jobs/sync-now", {"back": "/erp/jobs"}))
    assert flashes(page.text)[0].startswith(
        "Note: Asked QuickBooks for the job list and the service items"
    )
    text = visible_text(page.text)
    assert "Job list: refreshing" in text
    assert "Cost codes: updating the QuickBooks Standard Cost Codes list" in text
    stack.settle()
    done = visible_text(ada.get("/erp/jobs/progress").text)
    assert "Cost codes: list updated 2026-11-30 15:00 UTC" in done
    assert "4 new in Ready to Import" in done


def test_add_to_procore_makes_a_synced_project(stack: Stack) -> None:
    refresh_job_list(stack)
    ada = signed_in(stack, "ada")
    page = "/erp/jobs?filter=ready_to_import"
    item, _ = row_named(ada.get(page).text, "Willow Creek Condos")
    done = follow(ada, post_from(ada, page, f"/erp/jobs/{item}/add", {"back": page}))
    message = flashes(done.text)[0]
    assert re.fullmatch(
        r"Done: Added 'Greenleaf Properties:Willow Creek Condos' to Procore as project "
        r"[0-9]+; it is Synced\.",
        message,
    ), message
    assert "Willow Creek Condos" not in visible_text(done.text.split("<table", 1)[1])
    assert counts(done.text)["Synced"] == 1


def test_link_to_existing_project_offers_only_eligible_projects(stack: Stack) -> None:
    refresh_job_list(stack)
    ada = signed_in(stack, "ada")
    page = "/erp/jobs?filter=ready_to_import"
    item, _ = row_named(ada.get(page).text, "Fire Station 3")
    picker = ada.get(f"/erp/jobs/{item}/link?back=/erp/jobs%3Ffilter%3Dready_to_import")
    assert picker.status_code == 200
    options = re.findall(r'<option value="([0-9]+)"', picker.text)
    # Unsynced, active, ERP-sync, on the QuickBooks list: not 2004 (generic list), 2008
    # (inactive), 2010 (ERP-sync off).
    assert sorted(int(o) for o in options) == [2001, 2002, 2003, 2005, 2006, 2007, 2009]
    assert "3 other projects cannot" in visible_text(picker.text)
    refused = post_from(
        ada, picker.url.path, f"/erp/jobs/{item}/link", {"project_id": ERP_SYNC_OFF}
    )
    assert refused.status_code == 422
    assert "erp_sync_off : 'ERP-sync this Project' is off." in visible_text(refused.text)
    done = follow(
        ada,
        post_from(
            ada,
            picker.url.path,
            f"/erp/jobs/{item}/link",
            {"project_id": MAPLE, "back": page},
        ),
    )
    assert flashes(done.text) == [
        "Done: Linked 'City of Springfield:Fire Station 3' to Procore project 2003; it is Synced."
    ]
    cara = signed_in(stack, "cara")
    project = visible_text(cara.get(f"/projects/{MAPLE}").text)
    assert "ERP status: Synced" in project
    assert "Full name City of Springfield:Fire Station 3" in project
    assert "Linked to the QuickBooks job" in project


def test_archive_and_restore(stack: Stack) -> None:
    refresh_job_list(stack)
    ada = signed_in(stack, "ada")
    page = "/erp/jobs?filter=ready_to_import"
    item, _ = row_named(ada.get(page).text, "Pier 9 Restaurant")
    archived = follow(ada, post_from(ada, page, f"/erp/jobs/{item}/archive", {"back": page}))
    assert flashes(archived.text)[0].startswith(
        "Done: Archived 'Harbor Holdings:Pier 9 Restaurant'"
    )
    assert counts(archived.text)["Archived"] == 1
    shelf = "/erp/jobs?filter=archived"
    _, row = row_named(ada.get(shelf).text, "Pier 9 Restaurant")
    assert buttons(row) == ["Restore"]
    restored = follow(ada, post_from(ada, shelf, f"/erp/jobs/{item}/restore", {"back": shelf}))
    assert flashes(restored.text) == [
        "Done: Restored 'Harbor Holdings:Pier 9 Restaurant' to Ready to Import."
    ]
    assert counts(restored.text)["Ready to Import"] == 4


# ------------------------------------------------------------------ refusals


@pytest.mark.parametrize("user", ["eve", "dan", "ben"])
def test_path_b_actions_are_refused_without_erp_and_directory_admin(
    stack: Stack, user: str
) -> None:
    refresh_job_list(stack)
    browser = signed_in(stack, user)
    item, _ = row_named(browser.get("/erp/jobs?filter=ready_to_import").text, "Willow Creek")
    for action, data in (
        ("/erp/jobs/refresh", {}),
        ("/erp/jobs/sync-now", {}),
        (f"/erp/jobs/{item}/add", {}),
        (f"/erp/jobs/{item}/link", {"project_id": MAPLE}),
        (f"/erp/jobs/{item}/archive", {}),
        (f"/erp/jobs/{item}/restore", {}),
    ):
        answer = post_from(browser, "/erp/jobs", action, data)
        assert answer.status_code == 403, action
        text = visible_text(answer.text)
        assert "Permission missing (403)" in text
        assert "'Admin' on the" in text
    assert browser.get(f"/erp/jobs/{item}/link").status_code == 403
    # Nothing changed.
    assert counts(browser.get("/erp/jobs").text)["Ready to Import"] == 4
    assert stack.ok("ada", "GET", "/audit?action=import_add_new")["items"] == []


@pytest.mark.parametrize("user", ["eve", "dan"])
def test_approver_actions_are_refused_without_can_push_to_accounting(
    stack: Stack, user: str
) -> None:
    item = send(stack, RIVERSIDE)
    browser = signed_in(stack, user)
    for action, data in (
        ("/erp/jobs/accept", {"ids": [item]}),
        ("/erp/jobs/reject", {"ids": [item], "comment": "no"}),
        (f"/erp/jobs/{item}/retry", {}),
    ):
        answer = post_from(browser, "/erp/jobs", action, data)
        assert answer.status_code == 403, action
        assert "needs the 'Can Push to Accounting' privilege" in visible_text(answer.text)
    assert browser.get(f"/erp/jobs/accept?ids={item}").status_code == 403
    assert counts(browser.get(JOBS).text)["Ready to Export"] == 1


# ------------------------------------------------------------------ other modes and editions


def test_in_customers_are_jobs_mode_accept_asks_for_no_customer(stack: Stack) -> None:
    stack.ok("ada", "PATCH", "/settings", {"customer_job_mode": "customers_are_jobs"})
    item = send(stack, RIVERSIDE)
    ben = signed_in(stack, "ben")
    assert 'Accepted projects become QuickBooks customers ("Customers = Jobs")' in visible_text(
        ben.get(JOBS).text
    )
    done = follow(ben, post_from(ben, JOBS, "/erp/jobs/accept", {"ids": [item], "back": JOBS}))
    assert flashes(done.text)[0].startswith("Done: Accepted 'Riverside Clinic TI'")
    stack.settle()
    _, row = row_named(ben.get("/erp/jobs?filter=synced").text, "Riverside Clinic TI")
    # The QuickBooks customer is the job: a top-level record with the project's name.
    assert "Synced" in visible_text(row)
    assert stack.qb_jobs()["Riverside Clinic TI"].parent_id is None


def test_on_quickbooks_online_an_accept_is_exported_at_once(tmp_path: Path) -> None:
    online = Stack("online", tmp_path)
    try:
        refresh_job_list(online)
        item = send(online, RIVERSIDE)
        ben = signed_in(online, "ben")
        after = _accept_into(ben, [item], f"customer:{customer_id(online, 'Riverside Health')}")
        assert flashes(after)[0].endswith(
            "the export runs at QuickBooks Online (see Failed to Export while it is Exporting)."
        )
        assert "Web Connector" not in visible_text(after)
        online.run_jobs()
        _, row = row_named(ben.get("/erp/jobs?filter=synced").text, "Riverside Clinic TI")
        assert "Riverside Health:Riverside Clinic TI" in visible_text(row)
        ada = signed_in(online, "ada")
        synced = follow(ada, post_from(ada, "/erp/jobs", "/erp/jobs/sync-now", {}))
        assert "QuickBooks Online" in flashes(synced.text)[0]
        online.run_jobs()
        progress = ada.get("/erp/jobs/progress")
        assert progress.headers["x-poll-done"] == "1"
        assert "Cost codes: list updated" in visible_text(progress.text)
    finally:
        online.close()
