"""zeep, a WSDL-driven SOAP client, runs a whole Web Connector session against our endpoint:
once from the WSDL we serve, once from the public ``qbws.wsdl`` (and Intuit's
``QBWebConnectorSvc.wsdl``) pointed at ``/qbwc``. The qbXML requests run in the QuickBooks
Desktop simulator, as the Web Connector would run them in QuickBooks."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
import zeep
from fastapi import FastAPI
from lxml import etree
from requests.adapters import BaseAdapter
from starlette.testclient import TestClient

from procore_qb.domain.commands import CreateJob, QueryJobs
from procore_qb.domain.quickbooks_job import QuickBooksJob
from procore_qb.quickbooks.desktop.passwords import hash_password
from procore_qb.quickbooks.desktop.qwc import QwcConfig
from procore_qb.quickbooks.desktop.session import WebConnectorAccount, WebConnectorService
from procore_qb.sandbox.qbd.app import open_simulator
from procore_qb.sandbox.qbd.clock import ManualClock
from procore_qb.store import migrate
from procore_qb.store.engine import create_engine, create_session_factory
from procore_qb.store.models import Company
from procore_qb.store.repositories.outbox import Outbox
from procore_qb.store.repositories.qbwc import SqlWebConnectorStore
from procore_qb.web.qbwc import build_qbwc_router

pytestmark = pytest.mark.reference

URL = "http://localhost/qbwc"
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
NS = "{http://developer.intuit.com/}"


class _ToTestClient(BaseAdapter):
    """A ``requests`` adapter that hands zeep's HTTP calls to the in-process app."""

    def __init__(self, client: TestClient) -> None:
        super().__init__()
        self.client = client

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        answer = self.client.request(
            str(request.method),
            str(request.url),
            content=request.body,
            headers=dict(request.headers),
        )
        response = requests.Response()
        response.status_code = answer.status_code
        response._content = answer.content
        response.headers.update(answer.headers)
        response.url = str(request.url)
        response.request = request
        response.encoding = "utf-8"
        return response

    def close(self) -> None:
        return None


@pytest.fixture
def endpoint(tmp_path: Path) -> Iterator[tuple[TestClient, Any, Any]]:
    engine = create_engine(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    migrate.upgrade(engine)
    sessions = create_session_factory(engine)
    clock = ManualClock(START)
    with sessions.begin() as db:
        db.add(
            Company(id=1, procore_company_id=1, name="S", qb_edition="desktop", created_at=START)
        )
        job = QuickBooksJob(name="Ridge Clinic", parent_full_name="Harbor Holdings")
        Outbox(db).record(1, CreateJob(idempotency_key="job-1", job=job), now=START)
        Outbox(db).record(1, QueryJobs(idempotency_key="jobs"), now=START)
    service = WebConnectorService(
        SqlWebConnectorStore(sessions),
        {"demo": WebConnectorAccount("demo", hash_password("demo"), company_id=1)},
        clock=clock.now,
    )
    qwc = QwcConfig(app_url=URL, username="demo", owner_id=uuid.uuid4(), file_id=uuid.uuid4())
    app = FastAPI()
    app.include_router(build_qbwc_router(service, qwc))
    client = TestClient(app, base_url="http://localhost")
    simulator = open_simulator(tmp_path / "qbd", clock)
    yield client, simulator, sessions
    engine.dispose()


def _transport(client: TestClient) -> zeep.Transport:
    session = requests.Session()
    session.mount("http://localhost", _ToTestClient(client))
    return zeep.Transport(session=session)


def _full_session(service: Any, simulator: Any, sessions: Any, *, server_arg: bool) -> None:
    version = service.serverVersion(strVersion="") if server_arg else service.serverVersion()
    assert version
    assert service.clientVersion(strVersion="2.3.0.215") in (None, "")
    ticket, company_file = service.authenticate(strUserName="demo", strPassword="demo")
    assert company_file in (None, "")
    percent = 0
    round_trips = 0
    while percent < 100:
        qbxml = service.sendRequestXML(
            ticket=ticket,
            strHCPResponse="",
            strCompanyFileName="",
            qbXMLCountry="US",
            qbXMLMajorVers=13,
            qbXMLMinorVers=0,
        )
        assert qbxml
        response = simulator.processor.process(qbxml)
        percent = service.receiveResponseXML(
            ticket=ticket, response=response, hresult="", message=""
        )
        round_trips += 1
        assert percent >= 0
    assert round_trips == 1
    assert service.getLastError(ticket=ticket) in (None, "")
    assert service.closeConnection(ticket=ticket).startswith("OK")
    with sessions.begin() as db:
        assert Outbox(db).get(1, "job-1").state == "done"
        assert Outbox(db).get(1, "jobs").state == "done"
    assert service.authenticate(strUserName="demo", strPassword="x")[1] == "nvu"


def test_zeep_with_the_wsdl_we_serve(endpoint: tuple[TestClient, Any, Any], tmp_path: Path) -> None:
    client, simulator, sessions = endpoint
    served = client.get("/qbwc?wsdl")
    assert served.status_code == 200
    assert served.headers["content-type"].startswith("text/xml")
    path = tmp_path / "served.wsdl"
    path.write_bytes(served.content)
    soap = zeep.Client(str(path), transport=_transport(client))
    _full_session(soap.service, simulator, sessions, server_arg=True)


@pytest.mark.parametrize(
    ("wsdl", "binding", "server_arg"),
    [
        ("qbws.wsdl", "QBWebConnectorSvcSoap", True),
        ("QBWebConnectorSvc.wsdl", "TroubleshootWebServiceFSSoap", False),
    ],
)
def test_zeep_with_the_public_wsdl(
    endpoint: tuple[TestClient, Any, Any],
    reference_dir: Path,
    wsdl: str,
    binding: str,
    server_arg: bool,
) -> None:
    client, simulator, sessions = endpoint
    path = reference_dir / "quickbooks" / "qbwc" / wsdl
    soap = zeep.Client(str(path), transport=_transport(client))
    service = soap.create_service(f"{NS}{binding}", URL)
    _full_session(service, simulator, sessions, server_arg=server_arg)


def test_served_wsdl_has_the_operations_of_the_public_one(
    endpoint: tuple[TestClient, Any, Any], reference_dir: Path
) -> None:
    client, _, _ = endpoint
    ours = etree.fromstring(client.get("/qbwc?wsdl").content)
    theirs = etree.parse(str(reference_dir / "quickbooks" / "qbwc" / "qbws.wsdl")).getroot()
    wsdl = "{http://schemas.xmlsoap.org/wsdl/}"
    soap = "{http://schemas.xmlsoap.org/wsdl/soap/}"

    def actions(root: Any) -> set[tuple[str, str]]:
        return {
            (op.get("name"), op.find(f"{soap}operation").get("soapAction"))
            for binding in root.iterfind(f"{wsdl}binding")
            for op in binding.iterfind(f"{wsdl}operation")
            if op.find(f"{soap}operation") is not None
        }

    assert actions(ours) == actions(theirs)
    assert ours.get("targetNamespace") == theirs.get("targetNamespace")
