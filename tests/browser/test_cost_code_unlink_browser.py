"""A project's cost codes and *Unlink…* in a browser, on the demo with QuickBooks Desktop: the
project's Admin sees Unlink… on a synced cost code, confirms, and is told which rule refuses it
and the fix (the item is still in QuickBooks); someone without the project's Admin tool sees
the list and no button."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from browser.web_app import WebApp, sign_in
from procore_qb.procore.gateway import OriginMark

PROJECT = 2003  # seed: Maple, on the QuickBooks list


@pytest.fixture
def linked(web_app: WebApp) -> Iterator[tuple[int, str, str]]:
    """One of the project's cost codes marked synced with an active service item of the
    QuickBooks Desktop simulator (as an export leaves it), so the item is in QuickBooks whether
    or not an earlier test had procore-qb read the item list; unmarked again afterwards. Its
    id, code and item id."""
    ctx, sims = web_app.demo.ctx, web_app.demo.sims
    assert ctx is not None
    assert sims is not None
    assert sims.qbd is not None
    item = next(o for o in sims.qbd.company.lists(["ItemService"]) if o.is_active)
    gateway = ctx.procore()
    code = sorted(gateway.cost_codes(PROJECT), key=lambda c: c.full_code)[0]
    marked = gateway.mark_cost_codes_synced(PROJECT, [OriginMark(code.id, f"JOB-9|{item.list_id}")])
    assert not marked.errors
    try:
        yield code.id, code.full_code, item.list_id
    finally:
        gateway.mark_cost_codes_synced(PROJECT, [OriginMark(code.id, None)])


def test_unlink_asks_to_confirm_and_shows_the_refusal_with_its_fix(
    page: Page, web_app: WebApp, linked: tuple[int, str, str]
) -> None:
    _, code, item_id = linked
    page.context.clear_cookies()
    sign_in(page, web_app, "cara", f"/projects/{PROJECT}")
    section = page.get_by_role("region", name="Cost codes")
    listed = section.get_by_role("row").filter(has=page.get_by_role("rowheader", name=code))
    expect(listed).to_contain_text(item_id)
    unlink = listed.get_by_role("link", name=f"Unlink… cost code {code}")
    expect(section.get_by_role("link", name="Unlink…")).to_have_count(1)
    unlink.click()
    expect(page.get_by_role("heading", name=f"Unlink cost code {code}")).to_be_visible()
    expect(
        page.get_by_text("the item is deleted (or inactive) in QuickBooks Desktop")
    ).to_be_visible()
    page.get_by_role("button", name=f"Unlink cost code {code}").click()
    refusal = page.get_by_role("listitem").filter(has_text="cost_code_in_quickbooks")
    expect(refusal).to_contain_text("Delete the item in QuickBooks first")
    # Nothing changed: still synced on the project page.
    page.goto(web_app.at(f"/projects/{PROJECT}"))
    expect(listed).to_contain_text(item_id)
    # Someone without the project's Admin tool: the list, no Unlink.
    page.context.clear_cookies()
    sign_in(page, web_app, "eve", f"/projects/{PROJECT}")
    section = page.get_by_role("region", name="Cost codes")
    expect(section).to_contain_text(code)
    expect(section.get_by_role("link", name="Unlink…")).to_have_count(0)
