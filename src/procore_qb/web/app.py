"""The web application: one FastAPI app assembled from the routers of the web layer.

:func:`create_app` takes everything it needs as arguments (no globals), so ``procore-qb serve``,
the tests and later the demo build it the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from procore_qb import __version__
from procore_qb.quickbooks.desktop.config import WebConnectorSettings
from procore_qb.quickbooks.desktop.session import WebConnectorService
from procore_qb.store.repositories.qbwc import SqlWebConnectorStore
from procore_qb.web.qbwc import build_qbwc_router

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


def create_app(deps: WebDependencies) -> FastAPI:
    """The app with every router whose configuration is complete.

    The Web Connector endpoint (``/qbwc``) is served for a QuickBooks Desktop company once its
    password hash is configured; until then ``/healthz`` says why it is off.
    """
    app = FastAPI(title="procore-qb", version=__version__)
    notes: list[str] = []

    if deps.qb_edition == "desktop":
        if deps.webconnector.password_hash:
            service = WebConnectorService(
                SqlWebConnectorStore(deps.sessions),
                {deps.webconnector.username: deps.webconnector.account(deps.company_id)},
                clock=deps.clock,
                options=deps.webconnector.options(),
            )
            app.include_router(build_qbwc_router(service, deps.webconnector.qwc(deps.data_dir)))
        else:
            notes.append(
                "the Web Connector endpoint is off: set PROCORE_QB_WEBCONNECTOR__PASSWORD_HASH "
                "(see docs/howto/web-connector.md)"
            )
    for note in notes:
        log.warning(note)

    @app.get("/healthz", tags=["operations"], summary="Liveness and configuration notes")
    def healthz() -> dict[str, object]:
        return {"status": "ok", "version": __version__, "notes": notes}

    return app
