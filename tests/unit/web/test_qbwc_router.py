"""The Web Connector router on a bare FastAPI app."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from procore_qb.quickbooks.desktop.logins import LoginThrottle, ThrottlePolicy
from procore_qb.quickbooks.desktop.passwords import hash_password
from procore_qb.quickbooks.desktop.qwc import QwcConfig
from procore_qb.quickbooks.desktop.session import WebConnectorAccount, WebConnectorService
from procore_qb.store import migrate
from procore_qb.store.engine import create_engine, create_session_factory
from procore_qb.store.repositories.qbwc import SqlWebConnectorStore
from procore_qb.web.qbwc import build_qbwc_router

ENVELOPE = (
    '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
    "{}</soap:Body></soap:Envelope>"
)


def _service(tmp_path: Path) -> WebConnectorService:
    engine = create_engine(f"sqlite:///{tmp_path / 's.sqlite3'}")
    migrate.upgrade(engine)
    return WebConnectorService(
        SqlWebConnectorStore(create_session_factory(engine)),
        {"demo": WebConnectorAccount("demo", hash_password("demo"), company_id=1)},
        clock=lambda: datetime(2026, 11, 28, tzinfo=UTC),
    )


def _qwc() -> QwcConfig:
    return QwcConfig(
        app_url="https://qb.example.com/qbwc",
        username="demo",
        owner_id=uuid.UUID(int=1),
        file_id=uuid.UUID(int=2),
    )


def _app(tmp_path: Path, **router_options: int) -> FastAPI:
    app = FastAPI()
    app.include_router(build_qbwc_router(_service(tmp_path), _qwc(), **router_options))  # type: ignore[arg-type]
    return app


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    return TestClient(_app(tmp_path))


def test_wsdl_and_qwc(client: TestClient) -> None:
    wsdl = client.get("/qbwc?wsdl")
    assert wsdl.headers["content-type"].startswith("text/xml")
    assert 'location="https://qb.example.com/qbwc"' in wsdl.text
    assert "POST SOAP here" in client.get("/qbwc").text
    qwc = client.get("/qbwc/app.qwc")
    assert "<AppURL>https://qb.example.com/qbwc</AppURL>" in qwc.text
    assert "attachment" in qwc.headers["content-disposition"]


def test_soap_calls_and_faults(client: TestClient) -> None:
    answer = client.post(
        "/qbwc",
        content=ENVELOPE.format('<serverVersion xmlns="http://developer.intuit.com/"/>'),
        headers={
            "Content-Type": "text/xml",
            "SOAPAction": '"http://developer.intuit.com/serverVersion"',
        },
    )
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/xml")
    assert "<serverVersionResult>0.1.0</serverVersionResult>" in answer.text
    unknown = client.post(
        "/qbwc",
        content=ENVELOPE.format(
            '<closeConnection xmlns="http://developer.intuit.com/"><ticket>nope</ticket>'
            "</closeConnection>"
        ),
    )
    assert "<closeConnectionResult>OK</closeConnectionResult>" in unknown.text
    fault = client.post("/qbwc", content=b"<nonsense/>")
    assert fault.status_code == 500
    assert "soap:Client" in fault.text


def test_argument_of_the_wrong_type_is_a_fault_naming_it(client: TestClient) -> None:
    answer = client.post(
        "/qbwc",
        content=ENVELOPE.format(
            '<sendRequestXML xmlns="http://developer.intuit.com/"><ticket>t</ticket>'
            "<qbXMLMajorVers>thirteen</qbXMLMajorVers></sendRequestXML>"
        ),
    )
    assert answer.status_code == 500
    assert answer.headers["content-type"].startswith("text/xml")
    assert "soap:Client" in answer.text
    assert "qbXMLMajorVers must be an integer" in answer.text


def test_an_oversized_body_is_refused_before_it_is_read_whole(tmp_path: Path) -> None:
    small = TestClient(_app(tmp_path, max_body_bytes=300))
    call = ENVELOPE.format(
        '<authenticate xmlns="http://developer.intuit.com/"><strUserName>demo</strUserName>'
        "<strPassword>{}</strPassword></authenticate>"
    )
    assert "<string>none</string>" in small.post("/qbwc", content=call.format("demo")).text
    declared = small.post("/qbwc", content=call.format("x" * 400))
    assert declared.status_code == 413
    assert "soap:Client" in declared.text
    assert "exceeds 300 bytes" in declared.text

    def chunks() -> Iterator[bytes]:  # no Content-Length: the stream itself is counted
        yield call.format("x" * 400).encode()

    streamed = small.post("/qbwc", content=chunks())
    assert streamed.status_code == 413
    assert "exceeds 300 bytes" in streamed.text


def _login(client: TestClient, password: str) -> str:
    call = ENVELOPE.format(
        '<authenticate xmlns="http://developer.intuit.com/"><strUserName>demo</strUserName>'
        f"<strPassword>{password}</strPassword></authenticate>"
    )
    return client.post("/qbwc", content=call).text


def test_a_large_body_needs_the_ticket_of_an_open_session(tmp_path: Path) -> None:
    opened: set[str] = {"T-1"}
    app = FastAPI()
    app.include_router(
        build_qbwc_router(
            _service(tmp_path),
            _qwc(),
            max_login_body_bytes=1000,
            max_body_bytes=100_000,
            ticket_is_open=opened.__contains__,
        )
    )
    client = TestClient(app)
    call = ENVELOPE.format(
        '<receiveResponseXML xmlns="http://developer.intuit.com/"><ticket>{}</ticket>'
        "<response>{}</response><hresult></hresult><message></message></receiveResponseXML>"
    )
    stranger = client.post("/qbwc", content=call.format("nobody", "x" * 5000))
    assert stranger.status_code == 413
    assert "exceeds 1000 bytes without the ticket of an open session" in stranger.text
    member = client.post("/qbwc", content=call.format("T-1", "x" * 5000))
    assert member.status_code == 200
    assert "<receiveResponseXMLResult>100</receiveResponseXMLResult>" in member.text
    too_big = client.post("/qbwc", content=call.format("T-1", "x" * 200_000))
    assert too_big.status_code == 413
    assert "exceeds 100000 bytes" in too_big.text
    # The ticket found in the first bytes must be the call's own.
    smuggled = ENVELOPE.format(
        '<receiveResponseXML xmlns="http://developer.intuit.com/"><x><ticket>T-1</ticket></x>'
        f"<response>{'x' * 5000}</response></receiveResponseXML>"
    )
    refused = client.post("/qbwc", content=smuggled)
    assert refused.status_code == 500
    assert "session ticket first" in refused.text


def test_a_huge_version_number_is_a_fault_not_a_crash(client: TestClient) -> None:
    answer = client.post(
        "/qbwc",
        content=ENVELOPE.format(
            '<sendRequestXML xmlns="http://developer.intuit.com/"><ticket>t</ticket>'
            f"<qbXMLMajorVers>{'9' * 5000}</qbXMLMajorVers></sendRequestXML>"
        ),
    )
    assert answer.status_code == 500
    assert "soap:Client" in answer.text
    assert "at most 9 digits" in answer.text


def test_repeated_failed_logins_are_throttled(tmp_path: Path) -> None:
    now = [0.0]
    throttle = LoginThrottle(lambda: now[0], ThrottlePolicy(free_per_user=3))
    app = FastAPI()
    app.include_router(build_qbwc_router(_service(tmp_path), _qwc(), login_throttle=throttle))
    client = TestClient(app)
    for _ in range(3):
        assert "<string>nvu</string>" in _login(client, "wrong")
    # The 4th failure starts a delay: even the right password is refused until it passes.
    assert "<string>nvu</string>" in _login(client, "wrong")
    assert "<string>nvu</string>" in _login(client, "demo")
    now[0] += 2.5
    assert "<string>none</string>" in _login(client, "demo")
    assert len(throttle) == 0


METHODS = [
    "serverVersion",
    "clientVersion",
    "sendRequestXML",
    "receiveResponseXML",
    "connectionError",
    "getLastError",
    "closeConnection",
]
ARGS = ["ticket", "strVersion", "qbXMLMajorVers", "qbXMLCountry", "response", "message"]


@pytest.fixture(scope="module")
def shared_client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    return TestClient(_app(tmp_path_factory.mktemp("fuzz")))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.one_of(
        st.binary(max_size=300),
        st.builds(
            lambda method, args: ENVELOPE.format(
                f'<{method} xmlns="http://developer.intuit.com/">'
                + "".join(f"<{k}>{escape(v)}</{k}>" for k, v in args.items())
                + f"</{method}>"
            ).encode("utf-8", "surrogatepass"),
            st.sampled_from(METHODS),
            st.dictionaries(st.sampled_from(ARGS), st.text(max_size=40)),
        ),
    )
)
def test_any_body_gets_an_answer_inside_the_soap_contract(
    shared_client: TestClient, body: bytes
) -> None:
    answer = shared_client.post("/qbwc", content=body)
    assert answer.headers["content-type"].startswith("text/xml")
    assert answer.status_code in (200, 413, 500)
    if answer.status_code != 200:
        assert "<faultcode>soap:Client</faultcode>" in answer.text
