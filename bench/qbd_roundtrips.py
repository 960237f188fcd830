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
import uuid
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from fastapi import FastAPI
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from bench._figures import Figure, measure
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


def create_jobs(count: int) -> Figure:
    with tempfile.TemporaryDirectory() as tmp:
        world = _world(Path(tmp))
        with world.sessions.begin() as db:
            for i in range(count):
                job = QuickBooksJob(name=f"Bench Job {i:05d}", parent_full_name="Harbor Holdings")
                Outbox(db).record(1, CreateJob(idempotency_key=f"c{i}", job=job), now=START)
        transcript, run = measure(
            lambda: run_session(world.client, URL, "demo", "demo", world.simulator.processor)
        )
        with world.sessions.begin() as db:
            created = sum(
                1
                for i in range(count)
                if (result := Outbox.result(Outbox(db).get(1, f"c{i}"))) is not None and result.ok
            )
        world.engine.dispose()
    assert created == count, f"{created} of {count} jobs created"
    return Figure(
        f"create {count:,} jobs",
        count,
        run.seconds,
        run.peak_bytes,
        calls=len(transcript.request_types),
        minimum=math.ceil(count / BATCH),
        calls_name="round trips",
        note=f"{BATCH} requests per message; time under tracemalloc",
    ).show()


def read_jobs(count: int) -> Figure:
    with tempfile.TemporaryDirectory() as tmp:
        world = _world(Path(tmp))
        parent = Ref(full_name="Greenleaf Properties")
        adds = [
            OutgoingRequest(f"s{i}", CustomerAdd(name=f"Read Job {i:05d}", parent=parent))
            for i in range(count)
        ]
        for start in range(0, count, 500):
            world.simulator.processor.process(build_message(adds[start : start + 500]))
        with world.sessions.begin() as db:
            Outbox(db).record(1, QueryJobs(idempotency_key="read"), now=START)
        transcript, run = measure(
            lambda: run_session(world.client, URL, "demo", "demo", world.simulator.processor)
        )
        with world.sessions.begin() as db:
            result = Outbox.result(Outbox(db).get(1, "read"))
        world.engine.dispose()
    total = 0 if result is None else len(result.jobs)
    assert total >= count, f"read {total} customers and jobs, created {count} jobs"
    return Figure(
        f"read {total:,} customers and jobs",
        total,
        run.seconds,
        run.peak_bytes,
        calls=len(transcript.request_types),
        minimum=math.ceil(total / PAGE),
        calls_name="round trips",
        note=f"MaxReturned {PAGE}; time under tracemalloc",
    ).show()


def throughput(messages: int) -> Figure:
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

    def run() -> int:
        handled = 0
        for _ in range(messages):
            build_message(requests)
            handled += len(requests)
            for rs in parse_response_message(response).responses:
                handled += len([read_customer(record) for record in rs.records])
        return handled

    _, memory = measure(run)
    began = time.perf_counter()
    handled = run()
    elapsed = time.perf_counter() - began
    assert handled == 200 * messages, f"{handled} requests and records, not {200 * messages}"
    return Figure(
        f"qbXML build+parse {messages:,} messages",
        handled,
        elapsed,
        memory.peak_bytes,
        note="100 requests and 100 records per message; time without tracemalloc",
    ).show()


def main(small: bool = False) -> list[Figure]:
    warnings.filterwarnings("ignore", message="You should not use the 'timeout' argument")
    create, read, messages = (110, 520, 10) if small else (1_000, 10_000, 200)
    return [create_jobs(create), read_jobs(read), throughput(messages)]


if __name__ == "__main__":
    main()
