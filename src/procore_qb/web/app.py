"""The web application: one FastAPI app assembled from the routers of the web layer.

:func:`create_app` takes everything it needs as arguments (no globals), so ``procore-qb serve``,
the tests and later the demo build it the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from procore_qb import __version__
from procore_qb.app.context import AppContext
from procore_qb.app.refresh import webhook_refresh
from procore_qb.app.results import chunk_handler, result_handler
from procore_qb.quickbooks.desktop.config import WebConnectorSettings
from procore_qb.quickbooks.desktop.session import WebConnectorService
from procore_qb.store.repositories.qbwc import SqlWebConnectorStore
from procore_qb.web.api import build_api_router
from procore_qb.web.api.problems import install_problem_handlers
from procore_qb.web.pages import DemoWelcome, PageConfig, install_pages
from procore_qb.web.qbwc import build_qbwc_router
from procore_qb.web.quickbooks_webhooks import create_quickbooks_webhooks_router

__all__ = ["WebDependencies", "create_app"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class WebDependencies:
    """What the web app is built from."""

    sessions: sessionmaker[Session]
    company_id: int
    """Our ``companies.id`` of the company this installation serves."""
    qb_edition: str
    data_dir: Path
    clock: Callable[[], datetime]
    webconnector: WebConnectorSettings
    qbo_webhook_verifier_token: str = field(default="", repr=False)
    session_secret: str = field(default="", repr=False)
    """Signs the pages' session cookies; empty turns the pages off."""
    secure_cookies: bool = True
    """Cookies are sent over https only (off in demo mode, served on http://127.0.0.1)."""
    session_max_age_seconds: int = 12 * 3600
    company_name: str = ""
    """Shown in the pages' header."""


def create_app(
    deps: WebDependencies,
    ctx: AppContext | None = None,
    *,
    welcome: Callable[[], DemoWelcome] | None = None,
) -> FastAPI:
    """The app with every router whose configuration is complete.

    With the use cases' context (``ctx``) it serves the JSON API ``/api/v1`` and QuickBooks'
    answers arriving through the Web Connector are applied by the use cases' result handler;
    with a session key too, the HTML pages (``/``, ``/login``, ...). ``welcome`` (the demo)
    is what a signed-out visitor sees at ``/`` instead of the sign-in page.
    The Web Connector endpoint (``/qbwc``) is served for a QuickBooks Desktop company once its
    password hash is configured; until then ``/healthz`` says why it is off.
    """
    app = FastAPI(title="procore-qb", version=__version__)
    notes: list[str] = []
    if ctx is not None:
        install_problem_handlers(app)
        app.include_router(build_api_router(ctx))
        if deps.session_secret:
            install_pages(
                app,
                ctx,
                PageConfig(
                    session_secret=deps.session_secret,
                    secure_cookies=deps.secure_cookies,
                    session_max_age_seconds=deps.session_max_age_seconds,
                    company_name=deps.company_name,
                    welcome=welcome,
                ),
            )
        else:
            notes.append(
                "the web pages are off: set PROCORE_QB_WEB__SESSION_SECRET (a random string of "
                "at least 32 characters)"
            )
    else:
        notes.append("the JSON API is off: this process was started without the use cases")

    if deps.qb_edition == "desktop":
        if deps.webconnector.password_hash:
            service = WebConnectorService(
                SqlWebConnectorStore(
                    deps.sessions,
                    on_result=None if ctx is None else result_handler(ctx),
                    on_chunk=None if ctx is None else chunk_handler(ctx),
                ),
                {deps.webconnector.username: deps.webconnector.account(deps.company_id)},
                clock=deps.clock if ctx is None else ctx.clock,
                options=deps.webconnector.options(),
            )
            app.include_router(build_qbwc_router(service, deps.webconnector.qwc(deps.data_dir)))
        else:
            notes.append(
                "the Web Connector endpoint is off: set PROCORE_QB_WEBCONNECTOR__PASSWORD_HASH "
                "(see docs/howto/web-connector.md)"
            )
    if ctx is not None and deps.qb_edition == "online":
        if deps.qbo_webhook_verifier_token:
            app.include_router(
                create_quickbooks_webhooks_router(
                    verifier_token=deps.qbo_webhook_verifier_token,
                    sessions=deps.sessions,
                    enqueue=webhook_refresh(ctx),
                    clock=ctx.clock,
                )
            )
        else:
            notes.append(
                "QuickBooks webhooks are off: set PROCORE_QB_QBO__WEBHOOK_VERIFIER_TOKEN; the job "
                "list is still refreshed on its schedule"
            )
    for note in notes:
        log.warning(note)

    @app.get("/healthz", tags=["operations"], summary="Liveness and configuration notes")
    def healthz() -> dict[str, object]:
        return {"status": "ok", "version": __version__, "notes": notes}

    return app
