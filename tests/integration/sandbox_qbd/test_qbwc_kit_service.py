"""qbwc-kit, a third-party Web Connector service library (PyPI ``qbwc-kit``), served over
loopback HTTP and driven by the simulator's Web Connector: its qbXML, built by its own builders,
runs in the simulated company file, and its parser reads the answers.

If a Web Connector service nobody here wrote cannot page customers with an iterator, add and
modify a job, and read bills by modification date through the simulator, the simulator is
wrong (too strict, or answering in a shape QuickBooks does not).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx2
import pytest
import uvicorn
from qbwc_kit import QBWCService, StaticAuthenticator, qbxml
from qbwc_kit.qbxml import QBXMLRequest
from qbwc_kit.server import create_app

from procore_qb.sandbox import seed
from procore_qb.sandbox.qbd import ManualClock, QbdSimulator, open_simulator, run_session

USER, PASSWORD = "kit", "kit-secret"


class PageCustomers:
    """Every customer and job, five at a time, through an iterator (qbwc-kit's README task)."""

    name = "page-customers"

    def __init__(self) -> None:
        self.names: list[str] = []
        self.pages = 0

    def run(self, ctx: Any) -> Any:
        request = qbxml.query("Customer", max_returned=5, iterator="Start")
        while True:
            result = yield QBXMLRequest([request])
            page = result.first().raise_for_status()
            self.pages += 1
            self.names += [str(record["FullName"]) for record in page.records]
            if not page.has_more:
                return
            request.iterator = "Continue"
            request.iterator_id = page.iterator_id


class AddAndModifyJob:
    """Read-then-write: add a job under a seed customer, then change it with its EditSequence."""

    name = "add-and-modify-job"

    def __init__(self) -> None:
        self.added: dict[str, Any] = {}
        self.modified: dict[str, Any] = {}

    def run(self, ctx: Any) -> Any:
        added = yield QBXMLRequest(
            [
                qbxml.add(
                    "Customer",
                    {
                        "Name": "Kit Annex",
                        "ParentRef": {"FullName": "Harbor Holdings"},
                        "JobStatus": "Awarded",
                    },
                )
            ]
        )
        self.added = added.first().raise_for_status().records[0]
        modified = yield QBXMLRequest(
            [
                qbxml.mod(
                    "Customer",
                    {"JobStatus": "InProgress"},
                    list_id=self.added["ListID"],
                    edit_sequence=self.added["EditSequence"],
                )
            ]
        )
        self.modified = modified.first().raise_for_status().records[0]


class BillsSince:
    """Bills modified since a date, with their lines (the incremental-sync query)."""

    name = "bills-since"

    def __init__(self) -> None:
        self.bills: list[dict[str, Any]] = []

    def run(self, ctx: Any) -> Any:
        result = yield QBXMLRequest(
            [
                qbxml.query(
                    "Bill", modified_after="2020-01-01T00:00:00", extra={"IncludeLineItems": True}
                )
            ]
        )
        self.bills = result.first().raise_for_status().records


@pytest.fixture
def simulator() -> Iterator[QbdSimulator]:
    sim = open_simulator(None, ManualClock())
    yield sim
    sim.company.close()


@contextmanager
def _serve(service: QBWCService) -> Iterator[str]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}/qbwc"
    server = uvicorn.Server(
        uvicorn.Config(create_app(service, endpoint_url=url), log_level="warning")
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    for _ in range(500):
        if server.started:
            break
        time.sleep(0.01)
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def test_qbwc_kit_service_runs_against_the_simulated_company(simulator: QbdSimulator) -> None:
    customers, job, bills = PageCustomers(), AddAndModifyJob(), BillsSince()
    service = QBWCService(
        authenticator=StaticAuthenticator(USER, PASSWORD, [customers, job, bills])
    )
    with _serve(service) as url, httpx2.Client(timeout=30.0) as client:
        transcript = run_session(client, url, USER, PASSWORD, simulator.processor)
    assert transcript.last_error is None, transcript.lines()
    assert transcript.percents[-1] == 100, transcript.lines()
    seeded = {c.name for c in seed.CUSTOMERS} | {j.full_name for j in seed.JOBS}
    assert seeded <= set(customers.names)
    assert customers.pages == -(-len(seeded) // 5)
    assert job.added["FullName"] == "Harbor Holdings:Kit Annex"
    assert job.modified["JobStatus"] == "InProgress"
    assert job.modified["EditSequence"] != job.added["EditSequence"]
    refs = {str(bill["RefNumber"]) for bill in bills.bills}
    assert refs == {t.ref_number for t in seed.TRANSACTIONS if t.kind == "Bill"}
    lines = [bill["ItemLineRet"] for bill in bills.bills if bill["RefNumber"] == "VP-330"]
    assert lines[0]["CustomerRef"]["FullName"] == "City of Springfield:Fire Station 3"


def test_a_wrong_password_is_refused_as_qbwc_kit_expects(simulator: QbdSimulator) -> None:
    service = QBWCService(authenticator=StaticAuthenticator(USER, PASSWORD, [PageCustomers()]))
    with _serve(service) as url, httpx2.Client(timeout=30.0) as client:
        transcript = run_session(client, url, USER, "wrong", simulator.processor)
    assert transcript.authenticate[1] == "nvu", transcript.lines()
    assert "sendRequestXML" not in transcript.calls
