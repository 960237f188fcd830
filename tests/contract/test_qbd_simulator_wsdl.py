"""The simulated Web Connector's SOAP calls follow Intuit's Web Connector WSDL.

Every call body validates against the schema inside ``qbwc/QBWebConnectorSvc.wsdl`` and carries
the ``soapAction`` of its SOAP 1.1 binding (read from ``../shared/reference/``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import xmlschema
from lxml import etree
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.testclient import TestClient

from procore_qb.sandbox.qbd import Faults, ManualClock, open_simulator, run_session

pytestmark = pytest.mark.reference

NS = "http://developer.intuit.com/"
SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
WSDL = "http://schemas.xmlsoap.org/wsdl/"
WSDL_SOAP = "http://schemas.xmlsoap.org/wsdl/soap/"
XSD = "http://www.w3.org/2001/XMLSchema"
REQUEST = (
    '<?xml version="1.0"?><?qbxml version="13.0"?><QBXML><QBXMLMsgsRq onError="stopOnError">'
    "<HostQueryRq/></QBXMLMsgsRq></QBXML>"
)


def _wsdl(reference_dir: Path) -> etree._Element:
    path = reference_dir / "quickbooks" / "qbwc" / "QBWebConnectorSvc.wsdl"
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.parse(str(path), parser).getroot()


def _schema(wsdl: etree._Element) -> xmlschema.XMLSchema:
    schema = wsdl.find(f"{{{WSDL}}}types/{{{XSD}}}schema")
    assert schema is not None
    return xmlschema.XMLSchema(etree.tostring(schema, encoding="unicode"))


def _soap_actions(wsdl: etree._Element) -> dict[str, str]:
    actions: dict[str, str] = {}
    for binding in wsdl.findall(f"{{{WSDL}}}binding"):
        if binding.find(f"{{{WSDL_SOAP}}}binding") is None:
            continue  # the SOAP 1.2 binding
        for operation in binding.findall(f"{{{WSDL}}}operation"):
            soap_op = operation.find(f"{{{WSDL_SOAP}}}operation")
            assert soap_op is not None
            actions[operation.get("name", "")] = soap_op.get("soapAction", "")
    return actions


def _recording_app(bodies: list[tuple[str, bytes]], connection_error: bool) -> Starlette:
    answers = {
        "serverVersion": "1.0",
        "clientVersion": "",
        "sendRequestXML": REQUEST,
        "receiveResponseXML": "100",
        "connectionError": "done",
        "getLastError": "",
        "closeConnection": "OK",
    }

    async def handle(request: Request) -> Response:
        content = await request.body()
        bodies.append((request.headers.get("SOAPAction", ""), content))
        call = etree.fromstring(content).find(f"{{{SOAP}}}Body")
        assert call is not None
        method = etree.QName(call[0]).localname
        if method == "authenticate":
            inner = "<string>t-1</string><string></string>"
        else:
            element = etree.Element("x")
            element.text = answers[method]
            inner = etree.tostring(element, encoding="unicode")[3:-4]
        return Response(
            f'<soap:Envelope xmlns:soap="{SOAP}"><soap:Body><{method}Response xmlns="{NS}">'
            f"<{method}Result>{inner}</{method}Result></{method}Response></soap:Body>"
            "</soap:Envelope>",
            media_type="text/xml; charset=utf-8",
        )

    return Starlette(routes=[Route("/qbwc", handle, methods=["POST"])])


@pytest.mark.parametrize("connection_error", [False, True])
def test_every_call_follows_the_wsdl(reference_dir: Path, connection_error: bool) -> None:
    wsdl = _wsdl(reference_dir)
    schema = _schema(wsdl)
    actions = _soap_actions(wsdl)
    simulator = open_simulator(None, ManualClock())
    bodies: list[tuple[str, bytes]] = []
    with TestClient(_recording_app(bodies, connection_error)) as client:
        run_session(
            client,
            "http://testserver/qbwc",
            "demo",
            "demo",
            simulator.processor,
            faults=Faults(connection_error=connection_error),
        )
    simulator.company.close()
    methods = []
    for action, content in bodies:
        body = etree.fromstring(content).find(f"{{{SOAP}}}Body")
        assert body is not None
        assert len(body) == 1
        call = body[0]
        method = etree.QName(call).localname
        methods.append(method)
        assert action.strip('"') == actions[method]
        errors = list(schema.iter_errors(etree.tostring(call, encoding="unicode")))
        assert not errors, f"{method}: {errors[0]}"
    expected_tail = (
        ["connectionError", "closeConnection"]
        if connection_error
        else ["sendRequestXML", "receiveResponseXML", "closeConnection"]
    )
    assert methods == ["serverVersion", "clientVersion", "authenticate", *expected_tail]
