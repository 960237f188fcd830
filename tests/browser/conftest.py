"""Browser tests: Debian's Chromium, headless and offline, driven by pytest-playwright.

The browser is never downloaded: Playwright launches ``/usr/bin/chromium`` (``.ci/run``
installs Debian's ``chromium`` package when it is missing). The simulators run over loopback,
each served by uvicorn in a thread on 127.0.0.1 with a port the OS picks. Screenshots for the
README's walkthrough are written to ``docs/images/``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("PROCORE_QB_CHROMIUM", "/usr/bin/chromium"))
IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not CHROMIUM.is_file():
        reason = f"{CHROMIUM} is missing: install Debian's chromium package"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(f"CI=true and a required program is missing: {reason}", pytrace=False)
        pytest.skip(reason)
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "headless": True}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_context_args,
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
