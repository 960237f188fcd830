"""The QuickBooks Desktop console in a browser: the Customer:Job list, QuickBooks' refusals, and
a Web Connector run against an application over loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
from lxml import etree
from playwright.sync_api import Page, expect

from integration.sandbox_consoles.support import JobListService, served
from procore_qb.sandbox.qbd import (
    CONSOLE_PATH,
    ManualClock,
    WebConnectorTarget,
    create_app,
    open_simulator,
)


class Door:
    """The simulator's raw qbXML door over loopback."""

    def __init__(self, client: httpx2.Client) -> None:
        self.client = client

    def customer(self, full_name: str) -> etree._Element | None:
        body = (
            '<?xml version="1.0" encoding="utf-8"?><?qbxml version="13.0"?><QBXML>'
            '<QBXMLMsgsRq onError="stopOnError"><CustomerQueryRq>'
            f"<FullName>{full_name}</FullName></CustomerQueryRq></QBXMLMsgsRq></QBXML>"
        )
        r = self.client.post("/_sandbox/qbd/qbxml", content=body.encode())
        assert r.status_code == 200, r.text
        return etree.fromstring(r.content).find("QBXMLMsgsRs/CustomerQueryRs/CustomerRet")


@pytest.fixture
def qbd() -> Iterator[tuple[str, Door, JobListService]]:
    service = JobListService()
    simulator = open_simulator(None, ManualClock())
    with served(service.app()) as app_url:
        target = WebConnectorTarget(f"{app_url}/qbwc", "demo", "demo", timeout_seconds=30)
        with (
            served(create_app(simulator, web_connector=target)) as base,
            httpx2.Client(base_url=base, trust_env=False) as client,
        ):
            yield base, Door(client), service
    simulator.company.close()


def test_jobs_refusals_and_the_web_connector(
    page: Page, qbd: tuple[str, Door, JobListService], images: Path
) -> None:
    base, door, service = qbd
    page.goto(base + CONSOLE_PATH)
    expect(page.get_by_role("heading", name="QuickBooks Desktop sandbox console")).to_be_visible()
    expect(page.get_by_role("cell", name="Elm Court Apartments job")).to_be_visible()
    page.screenshot(path=str(images / "console-qbd.png"))

    # A new job under a customer.
    page.get_by_label("Name", exact=True).fill("Lakeview Condos")
    page.get_by_label("Job of (leave empty for a new customer)").select_option(
        label="Greenleaf Properties"
    )
    page.get_by_role("button", name="Add customer or job").click()
    expect(page.get_by_role("status")).to_have_text(
        "Added job 'Greenleaf Properties:Lakeview Condos'."
    )
    made = door.customer("Greenleaf Properties:Lakeview Condos")
    assert made is not None
    assert made.findtext("Sublevel") == "1"

    # Rename it; make it inactive.
    form = page.get_by_role("form", name="Edit a customer or job")
    form.get_by_label("Customer or job").select_option(label="Greenleaf Properties:Lakeview Condos")
    form.get_by_label("New name").fill("Lakeview Condos II")
    form.get_by_role("button", name="Rename").click()
    expect(page.get_by_role("status")).to_have_text(
        "Saved 'Greenleaf Properties:Lakeview Condos II' (active)."
    )
    form = page.get_by_role("form", name="Make a customer or job active or inactive")
    form.get_by_label("Customer or job").select_option(
        label="Greenleaf Properties:Lakeview Condos II"
    )
    form.get_by_role("button", name="Make inactive").click()
    expect(page.get_by_role("status")).to_have_text(
        "Saved 'Greenleaf Properties:Lakeview Condos II' (inactive)."
    )
    renamed = door.customer("Greenleaf Properties:Lakeview Condos II")
    assert renamed is not None
    assert renamed.findtext("IsActive") == "false"
    assert door.customer("Greenleaf Properties:Lakeview Condos") is None

    # QuickBooks' refusals: over 41 characters, a colon, a name in use.
    for name, words in (
        ("Lakeview Condominiums at the Old Mill Pond", "QuickBooks refused (status 3070)"),
        ("Phase 2: Lakeview", 'contains ":", which QuickBooks uses between levels'),
        ("Elm Court Apartments", "QuickBooks refused (status 3100)"),
    ):
        page.get_by_label("Name", exact=True).fill(name)
        page.get_by_label("Job of (leave empty for a new customer)").select_option(
            label="Greenleaf Properties"
        )
        page.get_by_role("button", name="Add customer or job").click()
        expect(page.get_by_role("alert")).to_contain_text(words)
    page.screenshot(path=str(images / "console-qbd-refusal.png"))
    assert door.customer("Greenleaf Properties:Lakeview Condominiums at the Old Mill Pond") is None

    # Run the Web Connector now: one session against the application over loopback.
    page.get_by_role("button", name="Run Web Connector now").click()
    expect(page.get_by_role("status")).to_have_text("Web Connector run finished: done (100%).")
    transcript = page.get_by_label("Last session transcript")
    expect(transcript).to_contain_text("request 1: CustomerQueryRq -> percent 100")
    expect(page.get_by_text('<CustomerQueryRq requestID="1">')).to_be_visible()
    page.get_by_role("heading", name="Web Connector").scroll_into_view_if_needed()
    # The application's port changes from run to run: masked, so the image stays the same.
    page.screenshot(
        path=str(images / "console-qbd-webconnector.png"), mask=[page.locator("#wc-app-url")]
    )
    assert service.sessions == 1
    assert "Lakeview Condos II" in service.responses[0]
