"""The Web Connector tables and a faulty session on PostgreSQL (JSONB progress, migrations)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from sqlalchemy.engine import Engine
from starlette.testclient import TestClient

from procore_qb.domain.commands import CreateJob, QueryJobs
from procore_qb.domain.quickbooks_job import QuickBooksJob
from procore_qb.quickbooks.desktop.passwords import hash_password
from procore_qb.quickbooks.desktop.qwc import QwcConfig
from procore_qb.quickbooks.desktop.session import (
    WebConnectorAccount,
    WebConnectorOptions,
    WebConnectorService,
)
from procore_qb.sandbox.qbd.app import open_simulator
from procore_qb.sandbox.qbd.clock import ManualClock
from procore_qb.sandbox.qbd.webconnector import Faults, run_session
from procore_qb.store import migrate
from procore_qb.store.engine import create_engine, create_session_factory
from procore_qb.store.models import Company
from procore_qb.store.repositories.outbox import Outbox
from procore_qb.store.repositories.qbwc import SqlWebConnectorStore
from procore_qb.web.qbwc import build_qbwc_router

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.filterwarnings(
        "ignore:You should not use the 'timeout' argument with the TestClient"
    ),
]

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
URL = "http://localhost/qbwc"


@pytest.fixture
def engine(postgres_url: str) -> Iterator[Engine]:
    engine = create_engine(postgres_url)
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


def test_migration_down_and_up(engine: Engine) -> None:
    migrate.downgrade(engine, "0001")
    assert migrate.current_revision(engine) == "0001"
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()


def test_lost_response_converges_on_postgresql(engine: Engine) -> None:
    sessions = create_session_factory(engine)
    clock = ManualClock(START)
    job = QuickBooksJob(name="Ridge Clinic", parent_full_name="Harbor Holdings")
    with sessions.begin() as db:
        db.add(
            Company(id=1, procore_company_id=1, name="S", qb_edition="desktop", created_at=START)
        )
    with sessions.begin() as db:
        Outbox(db).record(1, CreateJob(idempotency_key="job-1", job=job), now=START)
        Outbox(db).record(1, QueryJobs(idempotency_key="jobs"), now=START)
    service = WebConnectorService(
        SqlWebConnectorStore(sessions),
        {"demo": WebConnectorAccount("demo", hash_password("demo"), company_id=1)},
        clock=clock.now,
        options=WebConnectorOptions(page_size=3),
    )
    qwc = QwcConfig(app_url=URL, username="demo", owner_id=uuid.uuid4(), file_id=uuid.uuid4())
    app = FastAPI()
    app.include_router(build_qbwc_router(service, qwc))
    client = TestClient(app, base_url="http://localhost")
    simulator = open_simulator(None, clock)
    run_session(client, URL, "demo", "demo", simulator.processor, faults=Faults(drop_response_at=1))
    transcript = run_session(client, URL, "demo", "demo", simulator.processor)
    assert transcript.ended == "done (100%)", transcript.lines()
    with sessions.begin() as db:
        created = Outbox.result(Outbox(db).get(1, "job-1"))
        listed = Outbox.result(Outbox(db).get(1, "jobs"))
    assert created is not None
    assert listed is not None
    ridge = [j for j in listed.jobs if j.full_name == "Harbor Holdings:Ridge Clinic"]
    assert [j.id for j in ridge] == [created.jobs[0].id]
    assert len(transcript.request_types) > 2  # the 3-record pages took several round trips
