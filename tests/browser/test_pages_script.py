"""``/static/pages.js`` in Chromium: the confirm dialog before a ``data-confirm`` button's form
goes, select-all checkboxes, and that a form still posts as it is without the dialog's help."""

from __future__ import annotations

from urllib.parse import parse_qs

import httpx2
from playwright.sync_api import Page, Route, expect

from browser.web_app import WebApp

PAGE = "http://widgets.test/"


def _serve(
    page: Page, web_app: WebApp, posted: list[dict[str, list[str]]], *, script_loads: bool = True
) -> None:
    """A page using the script the way procore-qb's pages do (the script as the app serves
    it); its form posts to a URL that records what arrived."""
    script = httpx2.get(web_app.at("/static/pages.js"), timeout=30)
    assert script.status_code == 200
    body = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>t</title>
<script src="{PAGE}pages.js" defer></script></head><body>
<form method="post" action="{PAGE}submit">
  <label><input type="checkbox" data-select-all="ids"> Select all</label>
  <label><input type="checkbox" name="ids" value="export-1"> One</label>
  <label><input type="checkbox" name="ids" value="export-2"> Two</label>
  <label><input type="checkbox" name="ids" value="export-3"> Three</label>
  <button type="submit" name="action" value="reject"
    data-confirm="Reject the selected projects?">Reject</button>
</form></body></html>"""

    def handle(route: Route) -> None:
        if route.request.url.endswith("/pages.js"):
            if script_loads:
                route.fulfill(content_type="text/javascript", body=script.text)
            else:
                route.abort()
        elif route.request.method == "POST":
            posted.append(parse_qs(route.request.post_data or ""))
            route.fulfill(content_type="text/html", body="<p role=status>posted</p>")
        else:
            route.fulfill(content_type="text/html", body=body)

    page.route(PAGE + "**", handle)
    page.goto(PAGE)


def test_select_all_checks_every_box_and_follows_them(page: Page, web_app: WebApp) -> None:
    _serve(page, web_app, [])
    every = page.get_by_label("Select all")
    boxes = [page.get_by_label(name, exact=True) for name in ("One", "Two", "Three")]
    every.check()
    for box in boxes:
        expect(box).to_be_checked()
    boxes[1].uncheck()
    expect(every).not_to_be_checked()
    assert every.evaluate("el => el.indeterminate") is True
    boxes[1].check()
    expect(every).to_be_checked()
    every.uncheck()
    for box in boxes:
        expect(box).not_to_be_checked()


def test_a_confirm_button_asks_first_and_cancel_keeps_the_form(page: Page, web_app: WebApp) -> None:
    posted: list[dict[str, list[str]]] = []
    _serve(page, web_app, posted)
    page.get_by_label("Two", exact=True).check()
    page.get_by_role("button", name="Reject").click()
    dialog = page.get_by_role("dialog", name="Reject the selected projects?")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_have_count(0)
    expect(page.get_by_role("button", name="Reject")).to_be_focused()
    assert posted == []
    page.get_by_role("button", name="Reject").click()
    page.get_by_role("dialog").get_by_role("button", name="Reject").click()
    expect(page.get_by_role("status")).to_have_text("posted")
    # What the button itself says travels with the form, as without the script.
    assert posted == [{"ids": ["export-2"], "action": ["reject"]}]


def test_without_the_script_the_form_posts_at_once(page: Page, web_app: WebApp) -> None:
    posted: list[dict[str, list[str]]] = []
    _serve(page, web_app, posted, script_loads=False)
    page.get_by_label("One", exact=True).check()
    page.get_by_role("button", name="Reject").click()
    expect(page.get_by_role("status")).to_have_text("posted")
    assert posted == [{"ids": ["export-1"], "action": ["reject"]}]
