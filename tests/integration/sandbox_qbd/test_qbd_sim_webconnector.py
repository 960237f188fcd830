"""The simulated Web Connector against a tiny SOAP endpoint defined here (not our app's)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from lxml import etree
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.testclient import TestClient

from procore_qb.sandbox.qbd import (
    Faults,
    ManualClock,
    QbdSimulator,
    Transcript,
    open_simulator,
    run_session,
)

NS = "http://developer.intuit.com/"
SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
HEAD = '<?xml version="1.0" encoding="utf-8"?><?qbxml version="13.0"?><QBXML>'


def qbxml(*requests: str) -> str:
    return f'{HEAD}<QBXMLMsgsRq onError="continueOnError">{"".join(requests)}</QBXMLMsgsRq></QBXML>'


ADD_JOB = qbxml(
    '<CustomerAddRq requestID="1"><CustomerAdd><Name>Depot Expansion</Name><ParentRef>'
    "<FullName>City of Springfield</FullName></ParentRef></CustomerAdd></CustomerAddRq>"
)
QUERY_JOB = qbxml(
    '<CustomerQueryRq requestID="2"><FullName>City of Springfield:Depot Expansion</FullName>'
    "</CustomerQueryRq>"
)


@dataclass
class TinyEndpoint:
    """A minimal Web Connector service: a fixed list of requests, percent by position."""

    requests: list[str]
    verdict: str = ""
    client_answer: str = ""
    fail_receive: bool = False
    connection_answer: str = "done"
    media_type: str = "text/xml; charset=utf-8"
    calls: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    done: int = 0

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/qbwc", self.handle, methods=["POST"])])

    async def handle(self, request: Request) -> Response:
        self.actions.append(request.headers.get("SOAPAction", ""))
        assert request.headers["content-type"].startswith("text/xml")
        envelope = etree.fromstring(await request.body())
        body = envelope.find(f"{{{SOAP}}}Body")
        assert body is not None
        call = body[0]
        method = etree.QName(call).localname
        assert etree.QName(call).namespace == NS
        args = {etree.QName(child).localname: child.text or "" for child in call}
        self.calls.append((method, args))
        result = self.answer(method, args)
        if isinstance(result, list):
            inner = "".join(f"<string>{s}</string>" for s in result)
        else:
            element = etree.Element("x")
            element.text = result
            inner = etree.tostring(element, encoding="unicode")[3:-4]
        text = (
            f'<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="{SOAP}"><soap:Body>'
            f'<{method}Response xmlns="{NS}"><{method}Result>{inner}</{method}Result>'
            f"</{method}Response></soap:Body></soap:Envelope>"
        )
        return Response(text, media_type=self.media_type)

    def answer(self, method: str, args: dict[str, str]) -> str | list[str]:
        if method == "serverVersion":
            return "1.0.0"
        if method == "clientVersion":
            return self.client_answer
        if method == "authenticate":
            if (args["strUserName"], args["strPassword"]) != ("demo", "demo"):
                return ["", "nvu"]
            return ["ticket-1", self.verdict]
        if method == "sendRequestXML":
            return self.requests[self.done] if self.done < len(self.requests) else ""
        if method == "receiveResponseXML":
            if self.fail_receive:
                return "-1"
            self.done += 1
            return str(100 * self.done // len(self.requests))
        if method == "getLastError":
            return "Something went wrong on our side"
        if method == "connectionError":
            return self.connection_answer
        if method == "closeConnection":
            return "OK"
        raise AssertionError(method)

    def methods(self) -> list[str]:
        return [method for method, _ in self.calls]


@pytest.fixture
def sim() -> Iterator[QbdSimulator]:
    simulator = open_simulator(None, ManualClock())
    yield simulator
    simulator.company.close()


def session(
    sim: QbdSimulator,
    endpoint: TinyEndpoint,
    *,
    password: str | None = None,
    faults: Faults | None = None,
) -> tuple[list[str], Transcript]:
    with TestClient(endpoint.app()) as client:
        transcript = run_session(
            client,
            "http://testserver/qbwc",
            "demo",
            password or "demo",
            sim.processor,
            faults=faults,
        )
    return transcript.lines(), transcript


def job_count(sim: QbdSimulator) -> int:
    found = sim.company.find_list(("Customer",), "City of Springfield:Depot Expansion")
    return 0 if found is None else 1


def test_full_session(sim: QbdSimulator) -> None:
    endpoint = TinyEndpoint([ADD_JOB, QUERY_JOB])
    _, transcript = session(sim, endpoint)
    assert endpoint.methods() == [
        "serverVersion",
        "clientVersion",
        "authenticate",
        "sendRequestXML",
        "receiveResponseXML",
        "sendRequestXML",
        "receiveResponseXML",
        "closeConnection",
    ]
    assert endpoint.actions[0] == f'"{NS}serverVersion"'
    sends = [args for method, args in endpoint.calls if method == "sendRequestXML"]
    assert "<HostRet>" in sends[0]["strHCPResponse"]
    assert "<CompanyRet>" in sends[0]["strHCPResponse"]
    assert sends[1]["strHCPResponse"] == ""
    assert sends[0]["qbXMLCountry"] == "US"
    assert (sends[0]["qbXMLMajorVers"], sends[0]["qbXMLMinorVers"]) == ("13", "0")
    assert sends[0]["strCompanyFileName"].endswith(".qbw")
    receives = [args for method, args in endpoint.calls if method == "receiveResponseXML"]
    assert 'statusCode="0"' in receives[0]["response"]
    assert "Depot Expansion" in receives[1]["response"]
    assert transcript.percents == [50, 100]
    assert transcript.request_types == [["CustomerAddRq"], ["CustomerQueryRq"]]
    assert transcript.close_message == "OK"
    assert job_count(sim) == 1


def test_bad_login_is_nvu(sim: QbdSimulator) -> None:
    endpoint = TinyEndpoint([ADD_JOB])
    lines, _ = session(sim, endpoint, password="wrong")
    assert endpoint.methods() == ["serverVersion", "clientVersion", "authenticate"]
    assert "ended: not a valid user (nvu)" in lines
    assert job_count(sim) == 0


@pytest.mark.parametrize("verdict", ["none", "NONE"])
def test_no_work_is_none(sim: QbdSimulator, verdict: str) -> None:
    endpoint = TinyEndpoint([], verdict=verdict)
    lines, _ = session(sim, endpoint)
    assert endpoint.methods() == ["serverVersion", "clientVersion", "authenticate"]
    assert lines[-1] == "ended: no work (none)"


def test_client_version_error_stops(sim: QbdSimulator) -> None:
    endpoint = TinyEndpoint([ADD_JOB], client_answer="E:Upgrade the Web Connector")
    _, transcript = session(sim, endpoint)
    assert endpoint.methods() == ["serverVersion", "clientVersion"]
    assert "Upgrade" in transcript.ended


def test_empty_request_asks_for_the_last_error(sim: QbdSimulator) -> None:
    endpoint = TinyEndpoint([])
    _, transcript = session(sim, endpoint)
    assert endpoint.methods()[-3:] == ["sendRequestXML", "getLastError", "closeConnection"]
    assert transcript.last_error == "Something went wrong on our side"


def test_negative_percent_asks_for_the_last_error(sim: QbdSimulator) -> None:
    endpoint = TinyEndpoint([ADD_JOB], fail_receive=True)
    _, transcript = session(sim, endpoint)
    assert endpoint.methods()[-3:] == ["receiveResponseXML", "getLastError", "closeConnection"]
    assert transcript.percents == [-1]
    assert transcript.last_error == "Something went wrong on our side"


def test_connection_error_instead_of_running(sim: QbdSimulator) -> None:
    endpoint = TinyEndpoint([ADD_JOB])
    session(sim, endpoint, faults=Faults(connection_error=True))
    assert endpoint.methods()[3:] == ["connectionError", "closeConnection"]
    args = endpoint.calls[3][1]
    assert args["hresult"] == "0x80040408"
    assert job_count(sim) == 0


def test_dropped_response_runs_in_quickbooks_but_is_never_reported(sim: QbdSimulator) -> None:
    endpoint = TinyEndpoint([ADD_JOB, QUERY_JOB])
    _, transcript = session(sim, endpoint, faults=Faults(drop_response_at=1))
    assert endpoint.methods()[-1] == "sendRequestXML"
    assert "receiveResponseXML" not in endpoint.methods()
    assert job_count(sim) == 1
    assert "dropped" in transcript.ended


def test_timeout_after_delivering_a_response(sim: QbdSimulator) -> None:
    endpoint = TinyEndpoint([ADD_JOB, QUERY_JOB])
    _, transcript = session(sim, endpoint, faults=Faults(timeout_at=1))
    assert endpoint.methods()[-1] == "receiveResponseXML"
    assert endpoint.done == 1
    assert "timed out" in transcript.ended


def test_stop_mid_session(sim: QbdSimulator) -> None:
    endpoint = TinyEndpoint([ADD_JOB, QUERY_JOB])
    _, transcript = session(sim, endpoint, faults=Faults(stop_after=1))
    assert endpoint.methods().count("sendRequestXML") == 1
    assert "closeConnection" not in endpoint.methods()
    assert transcript.request_types == [["CustomerAddRq"]]


def test_unparseable_request_is_reported_with_the_hresult(sim: QbdSimulator) -> None:
    endpoint = TinyEndpoint(["<QBXML>not qbxml", ADD_JOB])
    session(sim, endpoint)
    receive = next(args for method, args in endpoint.calls if method == "receiveResponseXML")
    assert receive["hresult"] == "0x80040400"
    assert receive["response"] == ""
    assert "parsing" in receive["message"]


def test_an_answer_that_is_not_text_xml_ends_the_run(sim: QbdSimulator) -> None:
    endpoint = TinyEndpoint([ADD_JOB], media_type="application/soap+xml")
    _, transcript = session(sim, endpoint)
    assert endpoint.methods() == ["serverVersion"]
    assert "text/xml" in transcript.ended
