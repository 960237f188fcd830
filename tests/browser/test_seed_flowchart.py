"""The seed flowchart across the three apps of ``procore-qb demo`` (QuickBooks Desktop): a project
made in the Procore console is sent, accepted and created as a QuickBooks job by a Web Connector
run started from the QuickBooks Desktop console; a job made in that console is refreshed into
procore-qb and added to Procore, where the Procore console shows it linked."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from playwright.sync_api import Page, expect

from integration.test_demo import DemoProcess

PROJECT = "Lakeview Condos"
JOB = "Elm Court Parking Deck"
CUSTOMER = "Greenleaf Properties"
SETTLE_SECONDS = 90.0
"""How long the demo's job worker may take to hand work to the next Web Connector run."""


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[str]:
    running = DemoProcess(tmp_path / "demo", "--backend", "desktop", "--no-webconnector")
    try:
        banner = running.banner()
        url = next(
            line.split(" at ", 1)[1] for line in banner if line.startswith("procore-qb demo")
        )
        yield url.rstrip("/")
    finally:
        assert running.stop() == 0


class Api:
    """procore-qb's JSON API as the seed users, with their demo tokens."""

    def __init__(self, client: httpx2.Client) -> None:
        self.client = client

    def call(self, user: str, method: str, path: str, body: Any = None) -> Any:
        answer = self.client.request(
            method,
            f"/api/v1{path}",
            json=body,
            headers={"Authorization": f"Bearer demo-{user}"},
        )
        assert answer.status_code < 300, f"{method} {path} as {user}: {answer.text}"
        return answer.json()

    def items(self, user: str, filter: str) -> list[dict[str, Any]]:
        return list(self.call(user, "GET", f"/erp/jobs?filter={filter}&per_page=500")["items"])


def until(what: str, step: Callable[[], bool]) -> None:
    """Repeat ``step`` (each one a real action: a Web Connector run, an API call) until it
    reports done; the demo's job worker runs on its own schedule in the other process."""
    deadline = time.monotonic() + SETTLE_SECONDS
    while not step():
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not done after {SETTLE_SECONDS:g} s")


def run_web_connector(page: Page) -> None:
    page.get_by_role("button", name="Run Web Connector now").click()
    expect(page.get_by_role("status")).to_contain_text("Web Connector run finished")


def qbd_masks(page: Page) -> list[Any]:
    """What changes from run to run: ListIDs, edit sequences, times, the application's port."""
    table = page.locator("#customers + table")
    return [
        table.locator("td:nth-child(2)"),
        table.locator("td:nth-child(6)"),
        table.locator("td:nth-child(7)"),
        page.locator("#wc-app-url"),
        page.locator("#web-connector ~ section pre, #web-connector ~ section details"),
    ]


def test_seed_flowchart_across_the_consoles_and_procore_qb(
    page: Page, demo: str, images: Path
) -> None:
    with httpx2.Client(base_url=demo, timeout=120.0, trust_env=False) as client:
        api = Api(client)
        simulators = client.get("/api/v1/demo").json()["simulators"]
        procore_console = simulators["procore"]["console"]
        qbd_console = simulators["quickbooks_desktop"]["console"]

        # The start page links the three apps.
        page.goto(demo + "/")
        expect(page.get_by_role("heading", name="procore-qb demo", level=1)).to_be_visible()
        expect(page.get_by_role("link", name="procore-qb API docs")).to_have_attribute(
            "href", "/docs"
        )
        expect(page.get_by_role("link", name="Procore console").first).to_have_attribute(
            "href", procore_console
        )
        expect(page.get_by_role("link", name="QuickBooks Desktop console").first).to_have_attribute(
            "href", qbd_console
        )
        page.screenshot(path=str(images / "demo-start-page.png"), full_page=True)

        # First contact with QuickBooks (the demo runs no Web Connector on a schedule here): the
        # company's cost code list is built from QuickBooks' service items, and Ada's job-list
        # refresh brings the customers for the accept step.
        page.get_by_role("link", name="QuickBooks Desktop console").first.click()
        expect(
            page.get_by_role("heading", name="QuickBooks Desktop sandbox console")
        ).to_be_visible()
        expect(page.locator("#wc-app-url")).to_have_text(re.compile(r"^http://.*/qbwc$"))
        api.call("ada", "POST", "/erp/jobs/refresh")

        def first_contact() -> bool:
            run_web_connector(page)
            listed = api.call("ada", "GET", "/settings").get("quickbooks_cost_code_list_id")
            found = api.call("ben", "GET", f"/erp/customers?search={CUSTOMER}")["items"]
            return listed is not None and any(c["full_name"] == CUSTOMER for c in found)

        until("the cost code list and the job list", first_contact)
        customer = next(
            c
            for c in api.call("ben", "GET", f"/erp/customers?search={CUSTOMER}")["items"]
            if c["full_name"] == CUSTOMER
        )

        # Procore: a new ERP-synced project with the QuickBooks list's cost codes.
        page.goto(procore_console)
        expect(page.get_by_role("heading", name="Procore sandbox console")).to_be_visible()
        page.get_by_label("Project name").fill(PROJECT)
        page.get_by_label("Project number").fill("LC-201")
        page.get_by_label("Address").fill("1 Lakeview Dr")
        page.get_by_label("City").fill("Springfield")
        page.get_by_label("State code").fill("IL")
        page.get_by_label("ZIP").fill("62702")
        page.get_by_label("Start date").fill("2026-12-01")
        page.get_by_label("Completion date").fill("2027-09-30")
        page.get_by_label("Cost code list").select_option(label="QuickBooks Standard Cost Codes")
        expect(page.get_by_label("ERP-sync this project")).to_be_checked()
        expect(page.get_by_label("Copy the list's cost codes to the project")).to_be_checked()
        page.get_by_role("button", name="Create project").click()
        expect(page.get_by_role("status")).to_contain_text("Created project")

        # procore-qb sees it; Cara sends it to ERP.
        made = [p for p in api.call("ada", "GET", "/projects")["items"] if p["name"] == PROJECT]
        assert len(made) == 1
        project = made[0]
        assert project["erp_sync"] is True
        assert project["cost_codes"] > 0
        sent = api.call("cara", "POST", f"/projects/{project['id']}/send-to-erp")
        assert sent["state"] == "ready_to_export"

        page.goto(qbd_console)
        # Ben accepts it into the customer; the next Web Connector run creates the job.
        accepted = api.call(
            "ben", "POST", f"/erp/jobs/{sent['id']}/accept", {"customer_id": customer["id"]}
        )
        assert accepted["state"] == "exporting"
        job_cell = page.get_by_role("cell", name=re.compile(f"{PROJECT}.* job$"))

        def job_made() -> bool:
            run_web_connector(page)
            return job_cell.count() == 1

        until("the accepted job in QuickBooks", job_made)
        expect(job_cell).to_be_visible()

        def synced() -> bool:
            run_web_connector(page)
            return bool(api.call("ben", "GET", f"/erp/jobs/{sent['id']}")["state"] == "synced")

        until("the project synced", synced)

        # QuickBooks: a new job, refreshed into procore-qb and added to Procore.
        page.get_by_label("Name", exact=True).fill(JOB)
        page.get_by_label("Job of (leave empty for a new customer)").select_option(label=CUSTOMER)
        page.get_by_role("button", name="Add customer or job").click()
        expect(page.get_by_role("status")).to_have_text(f"Added job '{CUSTOMER}:{JOB}'.")
        api.call("ada", "POST", "/erp/jobs/refresh")
        staged: list[dict[str, Any]] = []

        def job_staged() -> bool:
            run_web_connector(page)
            staged[:] = [
                i
                for i in api.items("ada", "ready_to_import")
                if i["quickbooks"]["full_name"] == f"{CUSTOMER}:{JOB}"
            ]
            return bool(staged)

        until("the new job in ready_to_import", job_staged)
        expect(page.get_by_role("cell", name=f"{JOB} job", exact=True)).to_be_visible()
        page.get_by_role("heading", name="Customer:Job list").scroll_into_view_if_needed()
        page.screenshot(path=str(images / "demo-flowchart-qbd.png"), mask=qbd_masks(page))
        added = api.call("ada", "POST", f"/erp/jobs/{staged[0]['id']}/import", {"method": "new"})
        assert added["state"] == "imported"

        # Procore: the new project is there, linked to the QuickBooks job.
        page.goto(procore_console)
        row = page.locator("tr", has=page.get_by_role("link", name=JOB, exact=True))
        expect(row).to_be_visible()
        expect(row.locator("td").nth(5)).to_have_text(staged[0]["quickbooks"]["id"])
        sent_row = page.locator("tr", has=page.get_by_role("link", name=PROJECT, exact=True))
        expect(sent_row.locator("td").nth(5)).not_to_be_empty()
        # The project table only; QuickBooks' ListIDs and the new projects' ids vary by run.
        page.locator("#projects + table").screenshot(
            path=str(images / "demo-flowchart-procore.png"),
            mask=[
                page.locator("#projects + table td:nth-child(6)"),
                row.locator("td").first,
                sent_row.locator("td").first,
            ],
        )
