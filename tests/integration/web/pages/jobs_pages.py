"""Reading the Jobs tab and the project pages as a person does, for the page tests: rows,
buttons, flash messages and problem pages, from the HTML."""

from __future__ import annotations

import re
from html import unescape

import httpx2

from integration.web.pages.pages_client import PagesClient, csrf_token, visible_text
from integration.workflow.workflow_stack import Stack

RIVERSIDE = 2001  # seed: eligible
HARBOR = 2002  # seed: eligible
MAPLE = 2003  # seed: eligible
GENERIC_LIST = 2004  # seed: on the generic cost code list
NAME_TOO_LONG = 2006
INACTIVE = 2008
ELM_COURT = 2009  # seed: a QuickBooks job has its name
ERP_SYNC_OFF = 2010


def rows(html: str) -> dict[str, str]:
    """The list's rows by item id (``export-1``): each row's HTML."""
    return dict(re.findall(r'<tr id="row-([a-z]+-[0-9]+)">(.*?)</tr>', html, re.S))


def names(html: str) -> list[str]:
    """The names in the list's first column, in order."""
    return [
        visible_text(re.split(r"<ul class=\"flags\">", cell)[0])
        for cell in re.findall(r'<th scope="row" class="name">(.*?)</th>', html, re.S)
    ]


def row_named(html: str, name: str) -> tuple[str, str]:
    """(item id, row HTML) of the row whose first cell names ``name``."""
    for item_id, row in rows(html).items():
        if name in visible_text(row):
            return item_id, row
    raise AssertionError(f"no row {name!r} in: {visible_text(html)[:2000]}")


def buttons(html: str) -> list[str]:
    """The labels of the page's buttons and button-like controls, hidden text left out."""
    found = re.findall(r"<(?:button|summary)\b[^>]*>(.*?)</(?:button|summary)>", html, re.S)
    found += re.findall(r'<a class="button[^"]*"[^>]*>(.*?)</a>', html, re.S)
    return [
        " ".join(
            unescape(
                re.sub(r"<[^>]+>", " ", re.sub(r'<span class="visually-hidden">.*?</span>', "", b))
            ).split()
        )
        for b in found
    ]


def flashes(html: str) -> list[str]:
    return [
        visible_text(f) for f in re.findall(r'<p class="flash[^"]*"[^>]*>(.*?)</p>', html, re.S)
    ]


def counts(html: str) -> dict[str, int]:
    """The filters' counts: {"Ready to Export": 2, ...}."""
    nav = re.search(r'<nav aria-label="Filters".*?</nav>', html, re.S)
    assert nav is not None, "the page has no filters"
    return {
        label.strip(): int(n)
        for label, n in re.findall(
            r">([A-Za-z ]+) <span class=\"count\">\(([0-9]+)\)", nav.group(0)
        )
    }


def follow(browser: PagesClient, answer: httpx2.Response) -> httpx2.Response:
    """The page a POST's 303 leads to."""
    assert answer.status_code == 303, f"{answer.status_code} {visible_text(answer.text)[:1500]}"
    return browser.get(answer.headers["location"])


def post_from(
    browser: PagesClient, page: str, action: str, data: dict[str, object] | None = None
) -> httpx2.Response:
    """Submit a form of ``page`` (its token) to ``action``."""
    shown = browser.get(page)
    assert shown.status_code == 200, visible_text(shown.text)[:1500]
    return browser.post(action, data or {}, token=csrf_token(shown.text))


def signed_in(stack: Stack, user: str) -> PagesClient:
    browser = PagesClient(stack)
    browser.sign_in(user)
    return browser


def refresh_job_list(stack: Stack) -> None:
    stack.ok("ada", "POST", "/erp/jobs/refresh")
    stack.settle()


def send(stack: Stack, project_id: int) -> str:
    """cara sends a project to ERP through the project page: its item id."""
    cara = signed_in(stack, "cara")
    page = follow(
        cara, post_from(cara, f"/projects/{project_id}", f"/projects/{project_id}/send-to-erp")
    )
    assert "Ready to Export" in visible_text(page.text), visible_text(page.text)[:1500]
    return str(stack.ok("cara", "GET", "/projects/" + str(project_id))["erp"]["item_id"])


def customer_id(stack: Stack, name: str) -> str:
    found = stack.ok("ben", "GET", f"/erp/customers?search={name}")["items"]
    assert found, f"no customer {name}"
    return str(found[0]["id"])
