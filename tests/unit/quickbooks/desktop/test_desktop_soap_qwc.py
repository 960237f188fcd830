"""SOAP envelopes, the WSDL we write, the .qwc file and password hashing."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from lxml import etree

from procore_qb.quickbooks.desktop.config import WebConnectorSettings
from procore_qb.quickbooks.desktop.errors import SoapError
from procore_qb.quickbooks.desktop.passwords import hash_password, verify_password
from procore_qb.quickbooks.desktop.qwc import QwcConfig, build_qwc, installation_ids
from procore_qb.quickbooks.desktop.soap import (
    METHODS,
    build_fault,
    build_response,
    parse_call,
)
from procore_qb.quickbooks.desktop.wsdl import build_wsdl

ENV = "http://schemas.xmlsoap.org/soap/envelope/"


def call(body: str) -> bytes:
    return (
        f'<soap:Envelope xmlns:soap="{ENV}"><soap:Body>{body}</soap:Body></soap:Envelope>'
    ).encode()


def test_parse_call_reads_arguments_by_local_name() -> None:
    parsed = parse_call(
        call(
            '<sendRequestXML xmlns="http://developer.intuit.com/"><ticket>t</ticket>'
            "<strCompanyFilename>C:\\a.qbw</strCompanyFilename><qbXMLMajorVers>13</qbXMLMajorVers>"
            "</sendRequestXML>"
        )
    )
    assert parsed.method == "sendRequestXML"
    assert parsed.arg("ticket") == "t"
    assert parsed.arg("strCompanyFileName") == "C:\\a.qbw"
    assert parsed.int_arg("qbXMLMajorVers") == 13
    assert parsed.int_arg("qbXMLMinorVers") == 0


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (b"not xml", "not readable"),
        (b"<Envelope/>", "SOAP 1.1 Envelope"),
        (call(""), "no Body call"),
        (call('<deleteEverything xmlns="http://developer.intuit.com/"/>'), "unknown"),
    ],
)
def test_bad_calls_are_refused(body: bytes, fragment: str) -> None:
    with pytest.raises(SoapError, match=fragment):
        parse_call(body)


def test_responses_and_faults() -> None:
    root = etree.fromstring(build_response("authenticate", ["t", "none"]))
    strings = root.findall(".//{http://developer.intuit.com/}string")
    assert [s.text for s in strings] == ["t", "none"]
    percent = etree.fromstring(build_response("receiveResponseXML", 40))
    assert percent.findtext(".//{http://developer.intuit.com/}receiveResponseXMLResult") == "40"
    fault = etree.fromstring(build_fault("bad"))
    assert fault.findtext(f".//{{{ENV}}}Fault/faultcode") == "soap:Client"


def test_wsdl_lists_the_eight_operations_at_our_address() -> None:
    root = etree.fromstring(build_wsdl("https://qb.example.com/qbwc").encode())
    wsdl = "{http://schemas.xmlsoap.org/wsdl/}"
    operations = [op.get("name") for op in root.iterfind(f"{wsdl}portType/{wsdl}operation")]
    assert operations == list(METHODS)
    address = root.find(".//{http://schemas.xmlsoap.org/wsdl/soap/}address")
    assert address is not None
    assert address.get("location") == "https://qb.example.com/qbwc"


def test_qwc_file() -> None:
    config = QwcConfig(
        app_url="https://qb.example.com/qbwc",
        username="demo",
        owner_id=uuid.UUID(int=1),
        file_id=uuid.UUID(int=2),
        run_every_minutes=10,
    )
    root = etree.fromstring(build_qwc(config).encode())
    assert root.tag == "QBWCXML"
    assert root.findtext("AppURL") == "https://qb.example.com/qbwc"
    assert root.findtext("UserName") == "demo"
    assert root.findtext("OwnerID") == "{00000000-0000-0000-0000-000000000001}"
    assert root.findtext("QBType") == "QBFS"
    assert root.findtext("Scheduler/RunEveryNMinutes") == "10"


@pytest.mark.parametrize(
    "url", ["http://qb.example.com/qbwc", "ftp://localhost/x", "http://127.0.0.1/qbwc"]
)
def test_qwc_refuses_urls_the_web_connector_refuses(url: str) -> None:
    with pytest.raises(ValueError, match="https"):
        QwcConfig(app_url=url, username="u", owner_id=uuid.uuid4(), file_id=uuid.uuid4())


def test_http_localhost_is_allowed() -> None:
    QwcConfig(
        app_url="http://localhost:8000/qbwc",
        username="u",
        owner_id=uuid.uuid4(),
        file_id=uuid.uuid4(),
    )


def test_installation_ids_are_stable(tmp_path: Path) -> None:
    first = installation_ids(tmp_path)
    assert installation_ids(tmp_path) == first
    (tmp_path / "webconnector-ids.json").write_text("{", encoding="utf-8")
    with pytest.raises(ValueError, match="damaged"):
        installation_ids(tmp_path)


def test_passwords() -> None:
    stored = hash_password("s3cret")
    assert stored.startswith("scrypt$")
    assert "s3cret" not in stored
    assert verify_password("s3cret", stored)
    assert not verify_password("S3cret", stored)
    assert not verify_password("s3cret", "plain")
    assert not verify_password("s3cret", "scrypt$x$8$1$AA==$AA==")
    assert hash_password("s3cret") != stored  # salted
    with pytest.raises(ValueError, match="empty"):
        hash_password("")


def test_settings_build_options_account_and_qwc(tmp_path: Path) -> None:
    settings = WebConnectorSettings(
        app_url="https://qb.example.com/qbwc",
        password_hash=hash_password("pw"),
        max_requests_per_message=25,
        ticket_ttl_minutes=5,
    )
    assert settings.options().max_requests == 25
    assert settings.options().ticket_ttl.total_seconds() == 300
    assert verify_password("pw", settings.account(7).password_hash)
    assert settings.account(7).company_id == 7
    assert settings.qwc(tmp_path).owner_id == installation_ids(tmp_path)[0]
    with pytest.raises(ValueError, match="PASSWORD_HASH"):
        WebConnectorSettings().account(1)


def test_the_password_hash_stays_out_of_reprs() -> None:
    stored = hash_password("pw")
    settings = WebConnectorSettings(password_hash=stored)
    assert stored not in repr(settings)
    assert stored not in repr(settings.account(1))
    assert settings.account(1).password_hash == stored
