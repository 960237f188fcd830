"""Both sides of the Desktop tests: procore-qb's Web Connector endpoint and the QuickBooks
Desktop simulator, end to end.

Our side: a migrated SQLite store, the Web Connector service and its router on a bare FastAPI
app, served in-process through Starlette's TestClient (an ``httpx2.Client``). QuickBooks' side:
the simulator's company file (seeded with the seed world) and its simulated Web Connector,
which calls our endpoint over that client exactly as QBWC would.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from procore_qb.domain.commands import Command, CommandResult
from procore_qb.quickbooks.desktop.passwords import hash_password
from procore_qb.quickbooks.desktop.qbxml.message import (
    OutgoingRequest,
    build_message,
    parse_response_message,
)
from procore_qb.quickbooks.desktop.qbxml.records import CustomerRecord, read_customer
from procore_qb.quickbooks.desktop.qbxml.requests import CustomerQuery, Request
from procore_qb.quickbooks.desktop.qwc import QwcConfig
from procore_qb.quickbooks.desktop.session import (
    WebConnectorAccount,
    WebConnectorOptions,
    WebConnectorService,
)
from procore_qb.sandbox.qbd.app import QbdSimulator
from procore_qb.sandbox.qbd.clock import ManualClock
from procore_qb.sandbox.qbd.webconnector import Faults, Transcript, run_session
from procore_qb.sandbox.seed import WEB_CONNECTOR_LOGIN
from procore_qb.store.models import QbCommand
from procore_qb.store.repositories.outbox import Outbox
from procore_qb.store.repositories.qbwc import SqlWebConnectorStore
from procore_qb.web.qbwc import build_qbwc_router

URL = "http://localhost/qbwc"
# The simulated Web Connector passes a time-out per call, which Starlette's in-process
# TestClient cannot honour and warns about; the calls here never wait on a network.
IN_PROCESS = pytest.mark.filterwarnings(
    "ignore:You should not use the 'timeout' argument with the TestClient"
)
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
USER, PASSWORD = WEB_CONNECTOR_LOGIN


def build_app(service: WebConnectorService) -> FastAPI:
    qwc = QwcConfig(app_url=URL, username=USER, owner_id=uuid.UUID(int=1), file_id=uuid.UUID(int=2))
    app = FastAPI()
    app.include_router(build_qbwc_router(service, qwc))
    return app


@dataclass
class World:
    """Both sides, and helpers to drive and inspect them."""

    sessions: sessionmaker[Session]
    simulator: QbdSimulator
    clock: ManualClock
    options: WebConnectorOptions
    client: TestClient

    def service(self) -> WebConnectorService:
        account = WebConnectorAccount(USER, hash_password(PASSWORD), company_id=1)
        return WebConnectorService(
            SqlWebConnectorStore(self.sessions),
            {USER: account},
            clock=self.clock.now,
            options=self.options,
        )

    def record(self, *commands: Command) -> None:
        with self.sessions.begin() as db:
            for command in commands:
                Outbox(db).record(1, command, now=self.clock.now())

    def run(self, faults: Faults | None = None) -> Transcript:
        return run_session(
            self.client, URL, USER, PASSWORD, self.simulator.processor, faults=faults
        )

    def row(self, key: str) -> QbCommand:
        with self.sessions.begin() as db:
            return Outbox(db).get(1, key)

    def result(self, key: str) -> CommandResult:
        result = Outbox.result(self.row(key))
        assert result is not None, f"command {key} has no result"
        return result

    def quickbooks(self, request: Request) -> list[CustomerRecord]:
        """Ask the company file directly (QuickBooks' own request processor)."""
        text = build_message([OutgoingRequest("inspect", request)])
        (rs,) = parse_response_message(self.simulator.processor.process(text)).responses
        return [read_customer(r) for r in rs.rets if r.tag == "CustomerRet"]

    def customers_named(self, full_name: str) -> list[CustomerRecord]:
        everything = self.quickbooks(CustomerQuery(active_status="All"))
        return [c for c in everything if c.full_name.lower() == full_name.lower()]
