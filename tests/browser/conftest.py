"""Browser tests: Debian's Chromium, headless and offline, driven by pytest-playwright.

The browser is never downloaded: Playwright launches ``/usr/bin/chromium`` (``.ci/run``
installs Debian's ``chromium`` package when it is missing). The simulators run over loopback,
each served by uvicorn in a thread on 127.0.0.1 with a port the OS picks. Screenshots for the
README's walkthrough are written to ``docs/images/``.

The pages' tests use the ``web_app`` fixture: ``procore-qb demo`` (QuickBooks Desktop, no
scheduled Web Connector) running in this process on a free 127.0.0.1 port, shared by the
package's tests; sign in with :func:`browser.web_app.sign_in`.

Playwright's sync API keeps an event loop running in the main thread while it is started, which
would break every later test that calls ``asyncio.run``. So Playwright, the browser type and the
browser live for this package only (pytest-playwright makes them session fixtures): they stop
when the last browser test has run. pytest-playwright's ``context`` and ``page`` fixtures, with
their failure artifacts, are used as they are.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserType, Playwright, sync_playwright

from browser.web_app import WebApp
from procore_qb.demo import Demo, DemoOptions

CHROMIUM = Path(os.environ.get("PROCORE_QB_CHROMIUM", "/usr/bin/chromium"))
IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    pw = sync_playwright().start()
    yield pw
    pw.stop()


@pytest.fixture(scope="package")
def browser_type(playwright: Playwright) -> BrowserType:
    return playwright.chromium


@pytest.fixture(scope="package")
def browser(
    browser_type: BrowserType, browser_type_launch_args: dict[str, Any]
) -> Iterator[Browser]:
    launched = browser_type.launch(**browser_type_launch_args)
    yield launched
    launched.close()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not CHROMIUM.is_file():
        reason = f"{CHROMIUM} is missing: install Debian's chromium package"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(f"CI=true and a required program is missing: {reason}", pytrace=False)
        pytest.skip(reason)
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "headless": True}


@pytest.fixture(scope="package")
def browser_context_args() -> dict[str, Any]:
    return {
        "viewport": {"width": 1280, "height": 900},
        "locale": "en-US",
        "timezone_id": "UTC",
        "reduced_motion": "reduce",
    }


@pytest.fixture(scope="session")
def images() -> Path:
    IMAGES.mkdir(parents=True, exist_ok=True)
    return IMAGES


@pytest.fixture(scope="session")
def base_url() -> None:
    """No fixed base URL: each test serves its simulator on a port the OS picks.

    This also replaces pytest-playwright's own ``base_url`` fixture, which pytest 9 warns
    about.
    """
    return


@pytest.fixture(scope="package")
def web_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebApp]:
    """The demo's whole system (app, worker, Procore and QuickBooks Desktop simulators) on
    127.0.0.1; the seed users are signed in to Procore already (their tokens work)."""
    options = DemoOptions(
        port=0,
        backend="desktop",
        webconnector=False,
        data_dir=tmp_path_factory.mktemp("web-app"),
    )
    demo = Demo(options)
    demo.start()
    try:
        yield WebApp(demo.url, demo)
    finally:
        demo.stop()
