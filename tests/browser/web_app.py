"""Helpers of the browser tests of procore-qb's own pages: the running demo (the production
wiring with the simulators, on 127.0.0.1), signing in as a seed user through the Procore
simulator's real login page, and screenshots for the docs.

Use them as ``from browser.web_app import WebApp, screenshot, sign_in`` with the ``web_app``
fixture of ``conftest.py``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import Locator, Page, expect

from procore_qb.demo import Demo
from procore_qb.sandbox import seed

IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"
USERS = {u.email.split("@")[0]: u for u in seed.USERS}


@dataclass(frozen=True)
class WebApp:
    """The running demo: procore-qb's base URL and the demo itself (its ``ctx``, simulators)."""

    url: str
    demo: Demo

    def at(self, path: str) -> str:
        return self.url + path


def sign_in(page: Page, app: WebApp, user: str, next_path: str = "/") -> None:
    """Sign in as ``user`` (``ada``, ``ben``, ``cara``, ``dan``, ``eve``): "Sign in with
    Procore" on our login page, the person picked on the Procore simulator's sign-in page,
    and back on ``next_path`` signed in."""
    email = USERS[user].email
    page.goto(app.at("/login") + (f"?next={next_path}" if next_path != "/" else ""))
    page.get_by_role("button", name="Sign in with Procore").click()
    expect(page.get_by_role("heading", name="Sign in to the Procore sandbox")).to_be_visible()
    page.get_by_role("button", name=re.compile(re.escape(f"<{email}>"))).click()
    expect(page.get_by_text(f"Signed in as {email}", exact=True)).to_be_visible()
    page.wait_for_url(app.at(next_path))


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in", exact=True)).to_be_visible()


def screenshot(page: Page, name: str, *, mask: list[Locator] | None = None, **options: Any) -> Path:
    """Save the page as ``docs/images/NAME.png`` (the README and docs link them); ``mask``
    greys out what changes from run to run (times, durations)."""
    IMAGES.mkdir(parents=True, exist_ok=True)
    path = IMAGES / f"{name}.png"
    options.setdefault("mask_color", "#c9cdd2")
    page.screenshot(path=str(path), full_page=True, mask=mask or [], **options)
    return path
