"""ERP Integrations → Cost Codes in a browser, on the demo with QuickBooks Desktop and its
simulated Web Connector polling: a standard cost code created in Procore is Ready to Export
after Refresh, an approver accepts it, the Service item appears in the QuickBooks company file
and the code is Synced (its item id written back to Procore); another is rejected with a
comment. Screenshot for the docs."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import httpx2
import pytest
from playwright.sync_api import Locator, Page, expect

from browser.web_app import WebApp, screenshot, sign_in
from procore_qb.demo import Demo, DemoOptions
from procore_qb.procore.gateway import NewCostCode

ADA = {"Authorization": "Bearer demo-ada"}


@pytest.fixture(scope="module")
def polling_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebApp]:
    """The demo with the Web Connector polling every second, once the QuickBooks Standard
    Cost Codes list is built and the accounts for new items are chosen."""
    demo = Demo(
        DemoOptions(
            port=0,
            backend="desktop",
            webconnector=True,
            webconnector_every=1.0,
            data_dir=tmp_path_factory.mktemp("cost-codes-browser"),
        )
    )
    demo.start()
    try:
        app = WebApp(demo.url, demo)
        assert demo.sims is not None
        assert demo.sims.qbd is not None
        accounts = {o.name: o.list_id for o in demo.sims.qbd.company.lists(["Account"])}
        with httpx2.Client(base_url=app.url, trust_env=False) as api:
            deadline = time.monotonic() + 60
            while (
                not api.get("/api/v1/settings", headers=ADA)
                .json()
                .get("quickbooks_cost_code_list_id")
            ):
                assert time.monotonic() < deadline, "the cost code list was never built"
                time.sleep(0.5)
            answer = api.patch(
                "/api/v1/settings",
                headers=ADA,
                json={
                    "item_income_account_id": accounts["Construction Income"],
                    "item_expense_account_id": accounts["Subcontractors"],
                },
            )
            assert answer.status_code == 200, answer.text
        yield app
    finally:
        demo.stop()


def new_standard_code(app: WebApp, code: str, name: str) -> int:
    """Someone adds a code to the QuickBooks Standard Cost Codes list in Procore."""
    ctx = app.demo.ctx
    assert ctx is not None
    gateway = ctx.procore()
    with httpx2.Client(base_url=app.url, trust_env=False) as api:
        list_id = int(
            api.get("/api/v1/settings", headers=ADA).json()["quickbooks_cost_code_list_id"]
        )
    assert not gateway.write_standard_cost_codes(
        list_id, [NewCostCode(code=code, name=name)]
    ).errors
    return list_id


def row(page: Page, code: str) -> Locator:
    return page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=code))


def refresh_as_ada(page: Page, app: WebApp) -> None:
    page.context.clear_cookies()
    sign_in(page, app, "ada", "/erp/cost-codes")
    page.get_by_role("button", name="Refresh").click()
    expect(page.get_by_role("status").first).to_contain_text("now Ready to Export")


def open_as(page: Page, app: WebApp, user: str, path: str) -> None:
    page.context.clear_cookies()
    sign_in(page, app, user)
    page.goto(app.at(path))


def test_accept_exports_a_service_item_and_the_code_is_synced(
    page: Page, polling_app: WebApp
) -> None:
    list_id = new_standard_code(polling_app, "07-100", "Roofing")
    refresh_as_ada(page, polling_app)
    expect(row(page, "07-100")).to_contain_text("Ready to Export")
    open_as(page, polling_app, "ben", "/erp/cost-codes?filter=ready_to_export")
    listed = row(page, "07-100")
    expect(listed).to_contain_text("Roofing")
    listed.get_by_role("button", name=re.compile("^Accept")).click()
    expect(page.get_by_role("status").first).to_contain_text("Accepted '07-100'")
    deadline = time.monotonic() + 60
    page.goto(polling_app.at("/erp/cost-codes?filter=synced"))
    while not row(page, "07-100").count() and time.monotonic() < deadline:
        time.sleep(1)
        page.reload()
    expect(row(page, "07-100")).to_contain_text("Synced")
    sims = polling_app.demo.sims
    assert sims is not None
    assert sims.qbd is not None
    items = {o.name: o.list_id for o in sims.qbd.company.lists(["ItemService"])}
    assert "07-100" in items
    expect(row(page, "07-100")).to_contain_text(items["07-100"])
    ctx = polling_app.demo.ctx
    assert ctx is not None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        codes = {c.code: c.origin_id for c in ctx.procore().standard_cost_codes(list_id)}
        if codes.get("07-100"):
            break
        time.sleep(0.5)
    assert codes["07-100"] == items["07-100"]
    screenshot(page, "cost-codes", mask=[page.locator("td .hint"), page.locator("td code")])


def test_reject_with_a_comment(page: Page, polling_app: WebApp) -> None:
    new_standard_code(polling_app, "07-900", "Temporary roofing")
    refresh_as_ada(page, polling_app)
    open_as(page, polling_app, "ben", "/erp/cost-codes?filter=ready_to_export")
    listed = row(page, "07-900")
    listed.locator("summary", has_text="Reject").click()
    listed.get_by_label("Enter a Comment (Optional)").fill("Use 07-100 Roofing")
    listed.get_by_role("button", name="Reject", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("Rejected '07-900'")
    page.goto(polling_app.at("/erp/cost-codes?filter=rejected"))
    expect(row(page, "07-900")).to_contain_text("Comment: Use 07-100 Roofing")
    sims = polling_app.demo.sims
    assert sims is not None
    assert sims.qbd is not None
    assert "07-900" not in {o.name for o in sims.qbd.company.lists(["ItemService"])}
