"""QuickBooks Desktop through the Web Connector: round trips, qbXML throughput, memory.

Runs procore-qb's Web Connector endpoint in-process against the QuickBooks Desktop simulator
and its simulated Web Connector, and prints:

* round trips to create 1,000 jobs and to read 10,000 jobs, against the minimum for the
  configured batch size (requests per message) and page size (MaxReturned);
* qbXML build + parse throughput (messages per second, 100 requests / records per message);
* peak Python memory (tracemalloc) of each run.
"""

from __future__ import annotations

import math
import tempfile
import time
import tracemalloc
import uuid
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from fastapi import FastAPI
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from procore_qb.domain.commands import CreateJob, QueryJobs
from procore_qb.domain.quickbooks_job import QuickBooksJob
from procore_qb.quickbooks.desktop.passwords import hash_password
from procore_qb.quickbooks.desktop.qbxml.message import (
    OutgoingRequest,
    build_message,
    parse_response_message,
)
from procore_qb.quickbooks.desktop.qbxml.records import read_customer
from procore_qb.quickbooks.desktop.qbxml.requests import CustomerAdd, Ref
from procore_qb.quickbooks.desktop.qwc import QwcConfig
from procore_qb.quickbooks.desktop.session import (
    WebConnectorAccount,
    WebConnectorOptions,
    WebConnectorService,
)
from procore_qb.sandbox.qbd.app import QbdSimulator, open_simulator
from procore_qb.sandbox.qbd.clock import ManualClock
from procore_qb.sandbox.qbd.webconnector import run_session
from procore_qb.store import migrate
from procore_qb.store.engine import create_engine, create_session_factory
from procore_qb.store.models import Company
from procore_qb.store.repositories.outbox import Outbox
from procore_qb.store.repositories.qbwc import SqlWebConnectorStore
from procore_qb.web.qbwc import build_qbwc_router

URL = "http://localhost/qbwc"
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
BATCH = 100
PAGE = 500
T = TypeVar("T")


def measured(label: str, run: Callable[[], T]) -> T:
    tracemalloc.start()
    began = time.perf_counter()
    try:
        return run()
    finally:
        elapsed = time.perf_counter() - began
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(
            f"  {label}: {elapsed:.2f} s under tracemalloc, peak memory {peak / 1_048_576:.1f} MiB"
        )


@dataclass
class _World:
    sessions: sessionmaker[Session]
    simulator: QbdSimulator
    client: TestClient
    engine: Engine


def _world(folder: Path) -> _World:
    engine = create_engine(f"sqlite:///{folder / 'store.sqlite3'}")
    migrate.upgrade(engine)
    sessions = create_session_factory(engine)
    with sessions.begin() as db:
        db.add(
            Company(id=1, procore_company_id=1, name="B", qb_edition="desktop", created_at=START)
        )
    clock = ManualClock(START)
    service = WebConnectorService(
        SqlWebConnectorStore(sessions),
        {"demo": WebConnectorAccount("demo", hash_password("demo"), company_id=1)},
        clock=clock.now,
        options=WebConnectorOptions(max_requests=BATCH, page_size=PAGE),
    )
    qwc = QwcConfig(app_url=URL, username="demo", owner_id=uuid.uuid4(), file_id=uuid.uuid4())
    app = FastAPI()
    app.include_router(build_qbwc_router(service, qwc))
    client = TestClient(app, base_url="http://localhost")
    simulator = open_simulator(folder / "qbd", clock)
    return _World(sessions, simulator, client, engine)


def create_jobs(count: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        world = _world(Path(tmp))
        sessions, simulator, client, engine = (
            world.sessions,
            world.simulator,
            world.client,
            world.engine,
        )
        with sessions.begin() as db:
            for i in range(count):
                job = QuickBooksJob(name=f"Bench Job {i:05d}", parent_full_name="Harbor Holdings")
                Outbox(db).record(1, CreateJob(idempotency_key=f"c{i}", job=job), now=START)
        transcript = measured(
            f"create {count:,} jobs",
            lambda: run_session(client, URL, "demo", "demo", simulator.processor),
        )
        trips = len(transcript.request_types)
        minimum = math.ceil(count / BATCH)
        print(
            f"  round trips to create {count:,} jobs: {trips} "
            f"(minimum {minimum} at {BATCH} requests per message, {trips / minimum:.2f}x)"
        )
        engine.dispose()


def read_jobs(count: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        world = _world(Path(tmp))
        sessions, simulator, client, engine = (
            world.sessions,
            world.simulator,
            world.client,
            world.engine,
        )
        parent = Ref(full_name="Greenleaf Properties")
        adds = [
            OutgoingRequest(f"s{i}", CustomerAdd(name=f"Read Job {i:05d}", parent=parent))
            for i in range(count)
        ]
        for start in range(0, count, 500):
            simulator.processor.process(build_message(adds[start : start + 500]))
        with sessions.begin() as db:
            Outbox(db).record(1, QueryJobs(idempotency_key="read"), now=START)
        transcript = measured(
            f"read {count:,}+ jobs",
            lambda: run_session(client, URL, "demo", "demo", simulator.processor),
        )
        with sessions.begin() as db:
            result = Outbox.result(Outbox(db).get(1, "read"))
        total = 0 if result is None else len(result.jobs)
        trips = len(transcript.request_types)
        minimum = math.ceil(total / PAGE)
        print(
            f"  round trips to read {total:,} customers and jobs: {trips} "
            f"(minimum {minimum} at MaxReturned {PAGE}, {trips / minimum:.2f}x)"
        )
        engine.dispose()


def throughput(messages: int = 200) -> None:
    parent = Ref(full_name="Greenleaf Properties")
    requests = [
        OutgoingRequest(
            f"k{i}.0.0", CustomerAdd(name=f"Job {i}", parent=parent, account_number="1")
        )
        for i in range(100)
    ]
    ret = (
        "<CustomerRet><ListID>{n}-1</ListID><EditSequence>1</EditSequence><Name>Job {n}</Name>"
        "<FullName>Greenleaf Properties:Job {n}</FullName>"
        "<ParentRef><ListID>1-1</ListID></ParentRef>"
        "<Sublevel>1</Sublevel><AccountNumber>1</AccountNumber></CustomerRet>"
    )
    response = (
        '<QBXML><QBXMLMsgsRs><CustomerQueryRs requestID="q" statusCode="0" statusSeverity="Info">'
        + "".join(ret.format(n=n) for n in range(100))
        + "</CustomerQueryRs></QBXMLMsgsRs></QBXML>"
    )

    def run() -> None:
        for _ in range(messages):
            build_message(requests)
            for rs in parse_response_message(response).responses:
                for el in rs.rets:
                    read_customer(el)

    measured(f"build+parse {messages} messages (under tracemalloc)", run)
    began = time.perf_counter()
    run()
    elapsed = time.perf_counter() - began
    print(
        f"  qbXML build+parse: {messages / elapsed:,.0f} messages/s "
        f"({100 * messages / elapsed:,.0f} requests+records/s, 100 per message)"
    )


def main() -> None:
    warnings.filterwarnings("ignore", message="You should not use the 'timeout' argument")
    create_jobs(1_000)
    read_jobs(10_000)
    throughput()


if __name__ == "__main__":
    main()
