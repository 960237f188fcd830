"""The QuickBooks Online console in a browser: customers and jobs, a bill, and QBO's refusals."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx2
import pytest
from playwright.sync_api import Page, expect

from integration.sandbox_consoles.support import served
from procore_qb.sandbox.qbo import CONSOLE_PATH, ManualClock, Simulator, create_app
from procore_qb.sandbox.seed import QBO_REALM_ID

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


class Api:
    """The Accounting API over loopback, with a sandbox token."""

    def __init__(self, client: httpx2.Client) -> None:
        self.client = client
        token = client.post("/_sandbox/tokens").json()["access_token"]
        self.headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}

    def get(self, path: str) -> httpx2.Response:
        return self.client.get(f"/v3/company/{QBO_REALM_ID}{path}", headers=self.headers)

    def rows(self, query: str) -> list[dict[str, Any]]:
        r = self.client.post(
            f"/v3/company/{QBO_REALM_ID}/query",
            content=query,
            headers={**self.headers, "Content-Type": "application/text"},
        )
        assert r.status_code == 200, r.text
        entity = query.split()[3]
        return list(r.json()["QueryResponse"].get(entity, []))


@pytest.fixture
def qbo() -> Iterator[tuple[str, Api]]:
    simulator = Simulator(clock=ManualClock(START))
    with served(create_app(simulator)) as base, httpx2.Client(base_url=base, trust_env=False) as c:
        yield base, Api(c)


def test_customers_jobs_a_bill_and_refusals(page: Page, qbo: tuple[str, Api], images: Path) -> None:
    base, api = qbo
    page.goto(base + CONSOLE_PATH)
    expect(page.get_by_role("heading", name="QuickBooks Online sandbox console")).to_be_visible()
    expect(page.get_by_role("link", name="Greenleaf Properties")).to_be_visible()
    page.screenshot(path=str(images / "console-qbo.png"))

    # A new customer, typed and sent with the keyboard.
    page.get_by_label("Display name").fill("Lakeshore Partners")
    page.get_by_label("Display name").press("Enter")
    expect(page.get_by_role("status")).to_have_text("Created customer 'Lakeshore Partners'.")
    # A job under it.
    page.get_by_label("New job under Lakeshore Partners").fill("Lakeshore Lofts")
    page.get_by_role("button", name="Add job").click()
    expect(page.get_by_role("status")).to_have_text(
        "Created job 'Lakeshore Partners:Lakeshore Lofts'."
    )
    (job,) = api.rows("select * from Customer where DisplayName = 'Lakeshore Lofts'")
    assert job["FullyQualifiedName"] == "Lakeshore Partners:Lakeshore Lofts"
    assert job["Job"] is True

    # Rename it, then make it inactive.
    page.get_by_label("Display name").fill("Lakeshore Lofts East")
    page.get_by_role("button", name="Rename").click()
    expect(page.get_by_role("status")).to_contain_text("'Lakeshore Partners:Lakeshore Lofts East'")
    page.get_by_role("button", name="Make inactive").click()
    expect(page.get_by_role("status")).to_contain_text("(inactive)")
    read = api.get(f"/customer/{job['Id']}").json()["Customer"]
    assert read["DisplayName"] == "Lakeshore Lofts East"
    assert read["Active"] is False

    # QuickBooks' own refusals: a duplicate name, a colon.
    page.get_by_role("link", name="All customers and jobs").click()
    page.get_by_label("Display name").fill("Greenleaf Properties")
    page.get_by_role("button", name="Save customer or job").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "QuickBooks refused (6240 Duplicate Name Exists Error)"
    )
    page.get_by_label("Display name").fill("Greenleaf: Phase 2")
    page.get_by_role("button", name="Save customer or job").click()
    expect(page.get_by_role("alert")).to_contain_text("contains ':'")
    page.screenshot(path=str(images / "console-qbo-refusal.png"))
    assert api.rows("select * from Customer where DisplayName = 'Greenleaf: Phase 2'") == []

    # A bill coded to a job and an item; then edited and deleted.
    page.get_by_label("Type").select_option(label="Bill")
    page.get_by_label("Vendor (bill, check, card)").select_option(label="Ace Concrete Supply")
    page.get_by_label("Job", exact=True).select_option(
        label="Greenleaf Properties:Elm Court Apartments"
    )
    page.get_by_label("Item (bill, check, card)").select_option(label="03-300 - Concrete")
    page.get_by_label("Amount").fill("1250.00")
    page.get_by_label("No. (DocNumber)").fill("ACS-9001")
    page.get_by_role("button", name="Save transaction").click()
    expect(page.get_by_role("status")).to_contain_text("Created Bill")
    bill_id = re.search(r"/Bill/(\d+)", page.url).group(1)  # type: ignore[union-attr]
    bill = api.get(f"/bill/{bill_id}").json()["Bill"]
    detail = bill["Line"][0]["ItemBasedExpenseLineDetail"]
    assert detail["CustomerRef"]["name"] == "Elm Court Apartments"
    assert detail["ItemRef"]["name"] == "03-300"
    assert bill["TotalAmt"] == 1250.0

    page.get_by_label("Amount").fill("1300.50")
    page.get_by_role("button", name="Save Bill").click()
    expect(page.get_by_role("status")).to_have_text(f"Saved Bill {bill_id}.")
    assert api.get(f"/bill/{bill_id}").json()["Bill"]["TotalAmt"] == 1300.5
    page.get_by_role("button", name=f"Delete Bill {bill_id}").click()
    expect(page.get_by_role("status")).to_have_text(f"Deleted Bill {bill_id}.")
    assert api.get(f"/bill/{bill_id}").status_code == 400
