"""ERP Integrations → Jobs and the project page in a browser, on the demo with QuickBooks
Desktop and its simulated Web Connector polling: Path A (send, accept into a customer, synced;
reject with a comment and re-send; retrieve; a refused send with its fix), Path B (Refresh Job
List, Add to Procore, Link to Existing Project, Archive and Restore), and a person without
permission seeing no action and refused when forcing one. Screenshots for the README."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from itertools import count

import httpx2
import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from browser.web_app import WebApp, screenshot, sign_in
from procore_qb.demo import Demo, DemoOptions

TEMPLATE_PROJECT = 2001  # seed: eligible; each test sends copies of it
NAME_TOO_LONG = 2006  # seed
_numbers = count(1)


@pytest.fixture(scope="module")
def polling_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebApp]:
    """The demo as ``procore-qb demo`` runs it, the Web Connector polling every second; the
    job list read once, so QuickBooks' customers can be picked."""
    demo = Demo(
        DemoOptions(
            port=0,
            backend="desktop",
            webconnector=True,
            webconnector_every=1.0,
            data_dir=tmp_path_factory.mktemp("jobs-browser"),
        )
    )
    demo.start()
    try:
        app = WebApp(demo.url, demo)
        with httpx2.Client(base_url=app.url, trust_env=False) as api:
            answer = api.post(
                "/api/v1/erp/jobs/refresh", headers={"Authorization": "Bearer demo-ada"}
            )
            assert answer.status_code == 202, answer.text
            deadline = time.monotonic() + 60
            while True:
                customers = api.get(
                    "/api/v1/erp/customers", headers={"Authorization": "Bearer demo-ben"}
                ).json()
                if customers["total"] or time.monotonic() > deadline:
                    break
                time.sleep(0.5)
        yield app
    finally:
        demo.stop()


def new_project(app: WebApp, name: str) -> int:
    """An eligible Procore project (a copy of a seed one) made by someone in Procore."""
    assert app.demo.sims is not None
    sim = app.demo.sims.procore
    with sim.lock:
        world = sim.world
        projects = world.table("projects")
        project_id = max(projects) + 1
        number = f"BR-{next(_numbers):03d}"
        world.insert(
            "projects",
            {
                **projects[TEMPLATE_PROJECT],
                "id": project_id,
                "name": name,
                "project_number": number,
                "display_name": f"{number} - {name}",
                "origin_id": None,
                "origin_data": None,
                "origin_code": None,
            },
            sim.clock.now(),
        )
        for code in [
            c for c in world.table("cost_codes").values() if c["_project_id"] == TEMPLATE_PROJECT
        ]:
            copied = {k: v for k, v in code.items() if k != "id"}
            world.insert("cost_codes", {**copied, "_project_id": project_id}, sim.clock.now())
        sim.changed()
    return project_id


def send_to_erp(page: Page, app: WebApp, project_id: int) -> None:
    """cara (project Admin) presses Send to ERP on the project page."""
    sign_in(page, app, "cara", f"/projects/{project_id}")
    page.get_by_role("button", name="Send to ERP").click()
    expect(
        page.get_by_role("heading", name=re.compile("ERP status: Ready to Export"))
    ).to_be_visible()


def row(page: Page, name: str) -> Locator:
    return page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=name))


def sign_out_and_in(page: Page, app: WebApp, user: str, path: str) -> None:
    """Sign in afresh as ``user`` and open ``path``."""
    page.context.clear_cookies()
    sign_in(page, app, user)
    page.goto(app.at(path))


def test_path_a_send_accept_into_a_customer_synced(page: Page, polling_app: WebApp) -> None:
    name = "Summit Library Annex"
    project_id = new_project(polling_app, name)
    send_to_erp(page, polling_app, project_id)
    sign_out_and_in(page, polling_app, "ben", "/erp/jobs?filter=ready_to_export")
    listed = row(page, name)
    expect(listed).to_contain_text("cara@summit.example")
    listed.get_by_role("button", name=re.compile("^Accept")).click()
    # The customer picker: search QuickBooks' customers, pick one.
    expect(page.get_by_role("heading", name="Accept for export to QuickBooks")).to_be_visible()
    page.get_by_label("Search QuickBooks customers").fill("river")
    page.get_by_role("button", name="Search").click()
    page.get_by_label("Riverside Health").check()
    page.get_by_role("button", name="Accept", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text(f"Accepted '{name}'")
    page.goto(polling_app.at("/erp/jobs?filter=synced"))
    # The Web Connector polls every second; the sync line says when QuickBooks is done.
    deadline = time.monotonic() + 60
    while not row(page, name).count() and time.monotonic() < deadline:
        time.sleep(1)
        page.reload()
    expect(row(page, name)).to_contain_text(f"Riverside Health:{name}")
    sign_out_and_in(page, polling_app, "cara", f"/projects/{project_id}")
    expect(page.get_by_role("heading", name="ERP status: Synced")).to_be_visible()
    expect(page.get_by_text(f"Riverside Health:{name}").first).to_be_visible()
    history = page.get_by_role("table").last
    expect(history).to_contain_text("Sent to ERP")
    expect(history).to_contain_text("Accepted for export")
    expect(history).to_contain_text("QuickBooks job created")
    expect(page.get_by_role("button", name="Re-send to ERP")).to_be_visible()
    screenshot(page, "project", mask=[page.locator("time"), page.locator("code")])


def test_reject_with_a_comment_then_re_send(page: Page, polling_app: WebApp) -> None:
    first, second = "Granite Works Depot", "Granite Works Yard"
    ids = [new_project(polling_app, n) for n in (first, second)]
    for project_id in ids:
        send_to_erp(page, polling_app, project_id)
        page.context.clear_cookies()
    sign_out_and_in(page, polling_app, "ben", "/erp/jobs?filter=ready_to_export&search=granite")
    # Keyboard only: the select-all box, then "Reject selected" opens the comment dialog.
    select_all = page.get_by_label("Select every row on this page")
    select_all.focus()
    page.keyboard.press("Space")
    expect(page.get_by_label(f"Select {first}")).to_be_checked()
    expect(page.get_by_label(f"Select {second}")).to_be_checked()
    opener = page.locator("summary", has_text="Reject selected")
    opener.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Reject selected")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Enter a Comment (Optional)")).to_be_focused()
    page.keyboard.type("Use the client's legal name")
    dialog.get_by_role("button", name="Reject selected").click()
    expect(page.get_by_role("status").first).to_contain_text("Rejected 2 projects")
    sign_out_and_in(page, polling_app, "cara", f"/projects/{ids[0]}")
    expect(page.get_by_role("heading", name="ERP status: Rejected")).to_be_visible()
    expect(page.get_by_role("region", name=re.compile("ERP status"))).to_contain_text(
        "with the comment “Use the client's legal name”"
    )
    page.get_by_role("button", name="Re-send to ERP").click()
    expect(page.get_by_role("heading", name="ERP status: Ready to Export")).to_be_visible()


def test_a_single_reject_asks_for_a_comment_in_a_dialog(page: Page, polling_app: WebApp) -> None:
    name = "Quarry Lane Offices"
    project_id = new_project(polling_app, name)
    send_to_erp(page, polling_app, project_id)
    sign_out_and_in(page, polling_app, "ben", "/erp/jobs?filter=ready_to_export")
    row(page, name).locator("summary").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(f"Reject {name}?")
    # Cancel puts everything back; Escape as well.
    dialog.get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    row(page, name).locator("summary").click()
    page.get_by_role("dialog").get_by_label("Enter a Comment (Optional)").fill("Wrong address")
    page.get_by_role("dialog").get_by_role("button", name="Reject", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text(f"Rejected '{name}'")
    expect(row(page, name)).to_have_count(0)


def test_retrieve_from_erp(page: Page, polling_app: WebApp) -> None:
    project_id = new_project(polling_app, "Basalt Ridge Clinic")
    send_to_erp(page, polling_app, project_id)
    page.get_by_role("button", name="Retrieve from ERP").click()
    expect(page.get_by_role("heading", name="ERP status: Unsynced")).to_be_visible()
    expect(page.get_by_role("status").first).to_contain_text("Retrieved from ERP")
    expect(page.get_by_role("button", name="Send to ERP")).to_be_visible()


def test_a_refused_send_shows_the_rule_and_its_fix(page: Page, polling_app: WebApp) -> None:
    sign_in(page, polling_app, "cara", f"/projects/{NAME_TOO_LONG}")
    checklist = page.get_by_role("list").filter(has_text="Not met")
    expect(checklist).to_contain_text("Not met: 'Project Name' is filled in, at most 41 characters")
    page.get_by_role("button", name="Send to ERP").click()
    expect(page.get_by_role("heading", name="Rule violated (422)")).to_be_visible()
    fixes = page.get_by_role("listitem").filter(has_text="name_too_long")
    expect(fixes).to_contain_text("The project name is 51 characters")
    expect(fixes).to_contain_text("change 'Project Name' (41 characters at most)")


def test_path_b_refresh_add_to_procore_and_link(page: Page, polling_app: WebApp) -> None:
    sign_in(page, polling_app, "ada", "/erp/jobs?filter=ready_to_import")
    page.get_by_role("button", name="Refresh Job List").click()
    expect(page.get_by_role("status").first).to_contain_text("Asked QuickBooks for the job list")
    # The sync line is polled until QuickBooks has answered.
    sync = page.locator(".sync-status")
    expect(sync).to_contain_text("Done. Reload the list", timeout=30_000)
    expect(sync).to_contain_text("Job list: last refreshed")
    page.get_by_role("link", name="Reload the list").click()
    add = row(page, "Willow Creek Condos")
    expect(add).to_be_visible()
    screenshot(page, "jobs", mask=[page.locator("time")])
    add.get_by_role("button", name=re.compile("^Add to Procore")).click()
    confirm = page.get_by_role("dialog")
    expect(confirm).to_contain_text("to Procore as a new project?")
    confirm.get_by_role("button", name=re.compile("^Add to Procore")).click()
    expect(page.get_by_role("status").first).to_contain_text(
        "Added 'Greenleaf Properties:Willow Creek Condos' to Procore as project"
    )
    # The job that exists on both sides is joined by a person, never merged by itself.
    row(page, "Elm Court Apartments").get_by_role(
        "link", name=re.compile("^Link to Existing Project")
    ).click()
    page.get_by_label("Procore project").select_option(label="Elm Court Apartments (EC-109)")
    page.get_by_role("button", name="Link", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text(
        "Linked 'Greenleaf Properties:Elm Court Apartments' to Procore project 2009"
    )
    page.get_by_role("link", name=re.compile(r"^Synced \(")).click()
    expect(row(page, "Elm Court Apartments")).to_contain_text("Synced")


def test_archive_and_restore(page: Page, polling_app: WebApp) -> None:
    sign_out_and_in(page, polling_app, "ada", "/erp/jobs?filter=ready_to_import&search=pier")
    row(page, "Pier 9 Restaurant").get_by_role("button", name=re.compile("^Archive")).click()
    expect(page.get_by_role("status").first).to_contain_text("Archived 'Harbor Holdings:Pier 9")
    page.get_by_role("link", name=re.compile(r"^Archived \(")).click()
    row(page, "Pier 9 Restaurant").get_by_role("button", name=re.compile("^Restore")).click()
    expect(page.get_by_role("status").first).to_contain_text("Restored 'Harbor Holdings:Pier 9")


def test_without_permission_no_action_shows_and_forcing_one_is_refused(
    page: Page, polling_app: WebApp
) -> None:
    name = "Flint Hill Storage"
    send_to_erp(page, polling_app, new_project(polling_app, name))
    sign_out_and_in(page, polling_app, "eve", "/erp/jobs?filter=ready_to_export")
    expect(row(page, name)).to_be_visible()
    main = page.get_by_role("main")
    for label in ("Accept", "Reject", "Refresh Job List", "Sync Now", "Accept selected"):
        expect(main.get_by_role("button", name=re.compile(f"^{label}"))).to_have_count(0)
    page.goto(polling_app.at("/erp/jobs?filter=ready_to_import"))
    expect(main.get_by_role("button", name=re.compile("^Add to Procore"))).to_have_count(0)
    expect(main.get_by_role("link", name=re.compile("^Link to Existing"))).to_have_count(0)
    # Forcing the requests from the page, with its own form token: refused, naming the rule.
    statuses = page.evaluate(
        """async () => {
            const token = document.querySelector("input[name=csrf_token]").value;
            const out = [];
            for (const path of ["/erp/jobs/refresh", "/erp/jobs/accept", "/erp/jobs/reject"]) {
                const body = new URLSearchParams({csrf_token: token, ids: "export-1"});
                const answer = await fetch(path, {method: "POST", body});
                out.push([answer.status, await answer.text()]);
            }
            return out;
        }"""
    )
    assert [s for s, _ in statuses] == [403, 403, 403]
    assert all("Permission missing" in text for _, text in statuses)
    sign_out_and_in(page, polling_app, "eve", "/projects")
    page.get_by_role("link", name=name).click()
    expect(page.get_by_role("button", name=re.compile("ERP$"))).to_have_count(0)


def test_everything_works_with_javascript_off(
    page: Page, browser: Browser, polling_app: WebApp
) -> None:
    rejected, accepted = "Cobble Row Lofts", "Cobble Row Garage"
    for name in (rejected, accepted):
        send_to_erp(page, polling_app, new_project(polling_app, name))
        page.context.clear_cookies()
    context = browser.new_context(java_script_enabled=False)
    try:
        plain = context.new_page()
        sign_out_and_in(plain, polling_app, "ben", "/erp/jobs?filter=ready_to_export&search=cobble")
        # Reject: the comment unfolds in place, in the row.
        row(plain, rejected).locator("summary").click()
        row(plain, rejected).get_by_label("Enter a Comment (Optional)").fill("Duplicate")
        row(plain, rejected).get_by_role("button", name="Reject", exact=True).click()
        expect(plain.get_by_role("status").first).to_contain_text(f"Rejected '{rejected}'")
        # Accept: the server leads to the customer picker.
        row(plain, accepted).get_by_role("button", name=re.compile("^Accept")).click()
        plain.get_by_label("New customer", exact=True).check()
        plain.get_by_label("New customer name").fill("Cobble Row Partners")
        plain.get_by_role("button", name="Accept", exact=True).click()
        expect(plain.get_by_role("status").first).to_contain_text(f"Accepted '{accepted}'")
        expect(row(plain, rejected)).to_have_count(0)
        expect(row(plain, accepted)).to_have_count(0)
    finally:
        context.close()
