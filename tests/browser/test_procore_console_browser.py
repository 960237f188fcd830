"""The Procore console in a browser: create, edit, deactivate, and Procore's own refusal."""

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
from procore_qb.sandbox.procore import CONSOLE_PATH, ManualClock, ProcoreSandbox, create_app

COMPANY = 4263
ADA = {"Authorization": "Bearer demo-ada", "Procore-Company-Id": str(COMPANY)}
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def procore() -> Iterator[tuple[str, httpx2.Client]]:
    sandbox = ProcoreSandbox(clock=ManualClock(START))
    with served(create_app(sandbox)) as base, httpx2.Client(base_url=base, trust_env=False) as rest:
        yield base, rest


def projects(rest: httpx2.Client) -> list[dict[str, Any]]:
    r = rest.get(
        "/rest/v1.0/projects",
        params={"company_id": COMPANY, "filters[by_status]": "All", "per_page": 1000},
        headers=ADA,
    )
    assert r.status_code == 200, r.text
    return list(r.json())


def by_name(rest: httpx2.Client, name: str) -> list[dict[str, Any]]:
    return [p for p in projects(rest) if p["name"] == name]


def connect_erp(rest: httpx2.Client) -> None:
    """The ERP connection with QuickBooks Desktop's 41-character save rule on project names."""
    token = rest.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": "demo-procore-client",
            "client_secret": "demo-procore-secret",
        },
    ).json()["access_token"]
    rule = {"enabled": True, "validation": {"max_length": {"enabled": True, "length": 41}}}
    metadata = {"settings": {"entities": {"jobs": {"rules": {"save": {"fields": {"name": rule}}}}}}}
    r = rest.post(
        f"/rest/v1.0/companies/{COMPANY}/erp_connections",
        json={"connection": {"service_url": "http://127.0.0.1:9/erp", "metadata": metadata}},
        headers={"Authorization": f"Bearer {token}", "Procore-Company-Id": str(COMPANY)},
    )
    assert r.status_code == 201, r.text


def test_create_edit_deactivate_and_refuse(
    page: Page, procore: tuple[str, httpx2.Client], images: Path
) -> None:
    base, rest = procore
    page.goto(base + CONSOLE_PATH)
    expect(page.get_by_role("heading", name="Procore sandbox console")).to_be_visible()
    expect(page.get_by_role("link", name="Riverside Clinic TI")).to_be_visible()
    page.screenshot(path=str(images / "console-procore.png"))

    # Create a New Project, as Ada (Directory Admin).
    page.get_by_label("Project name").fill("Lakeview Condos")
    page.get_by_label("Project number").fill("LC-201")
    page.get_by_label("Address").fill("1 Lakeview Dr")
    page.get_by_label("City").fill("Springfield")
    page.get_by_label("State code").fill("IL")
    page.get_by_label("ZIP").fill("62702")
    page.get_by_label("Start date").fill("2026-12-01")
    page.get_by_label("Completion date").fill("2027-09-30")
    page.get_by_label("Cost code list").select_option(label="QuickBooks Standard Cost Codes")
    page.get_by_role("button", name="Create project").click()
    expect(page.get_by_role("status")).to_contain_text("Created project")
    expect(page.get_by_role("heading", name=re.compile("Lakeview Condos"))).to_be_visible()
    made = by_name(rest, "Lakeview Condos")
    assert len(made) == 1
    assert made[0]["project_number"] == "LC-201"
    assert made[0]["is_erp_integrated"] is True
    assert made[0]["standard_cost_code_list_id"] == 1

    # Edit it, as Cara (Admin on the project's Admin tool).
    page.get_by_label("Project name").fill("Lakeview Condos North")
    page.get_by_label("Address").fill("3 Lakeview Dr")
    page.get_by_role("button", name="Save project").click()
    expect(page.get_by_role("status")).to_contain_text("Saved project")
    shown = rest.get(
        f"/rest/v1.0/projects/{made[0]['id']}", params={"company_id": COMPANY}, headers=ADA
    ).json()
    assert shown["name"] == "Lakeview Condos North"
    assert shown["address"] == "3 Lakeview Dr"

    # Deactivate it.
    page.get_by_role("button", name="Deactivate project").click()
    expect(page.get_by_role("status")).to_contain_text("Saved project")
    expect(page.get_by_role("button", name="Activate project")).to_be_visible()
    shown = rest.get(
        f"/rest/v1.0/projects/{made[0]['id']}", params={"company_id": COMPANY}, headers=ADA
    ).json()
    assert shown["active"] is False

    # With the ERP connection's save rule, a name over 41 characters is refused in Procore's words.
    connect_erp(rest)
    page.get_by_role("link", name="All projects").click()
    long_name = "Northgate Regional Medical Center Garage Expansion"
    page.get_by_label("Project name").fill(long_name)
    page.get_by_role("button", name="Create project").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Procore refused (422): name: Too long. Maximum 41 characters."
    )
    expect(page.get_by_label("Project name")).to_have_value(long_name)
    page.screenshot(path=str(images / "console-procore-refusal.png"))
    assert by_name(rest, long_name) == []
