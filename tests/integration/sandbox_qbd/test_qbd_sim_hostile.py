"""Hostile qbXML at the Desktop simulator's door: refused with QuickBooks' parse HRESULT."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from procore_qb.sandbox.qbd import QbdSimulator, create_app, open_simulator
from procore_qb.sandbox.qbd.errors import QbxmlParseError
from procore_qb.sandbox.qbd.nodes import parse_tree
from procore_qb.sandbox.qbd.processor import MAX_REQUESTS_PER_MESSAGE

HEAD = '<?xml version="1.0" encoding="utf-8"?><?qbxml version="13.0"?><QBXML>'
QUERY = '<CustomerQueryRq requestID="{}"><MaxReturned>1</MaxReturned></CustomerQueryRq>'


@pytest.fixture
def sim() -> Iterator[QbdSimulator]:
    simulator = open_simulator(None)
    yield simulator
    simulator.company.close()


@pytest.fixture
def client(sim: QbdSimulator) -> Iterator[TestClient]:
    with TestClient(create_app(sim)) as test_client:
        yield test_client


def test_a_doctype_in_utf16_is_refused_after_decoding(client: TestClient) -> None:
    text = (
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE QBXML [<!ENTITY a "x">]>'
        '<?qbxml version="13.0"?><QBXML><QBXMLMsgsRq onError="continueOnError">'
        '<CustomerQueryRq requestID="&a;"/></QBXMLMsgsRq></QBXML>'
    )
    response = client.post("/_sandbox/qbd/qbxml", content=text.encode("utf-16"))
    assert response.status_code == 400
    assert response.json()["hresult"] == "0x80040400"


def test_a_message_of_too_many_requests_is_refused_before_running(client: TestClient) -> None:
    many = "".join(QUERY.format(n) for n in range(MAX_REQUESTS_PER_MESSAGE + 1))
    text = f'{HEAD}<QBXMLMsgsRq onError="continueOnError">{many}</QBXMLMsgsRq></QBXML>'
    response = client.post("/_sandbox/qbd/qbxml", content=text)
    assert response.status_code == 400
    assert f"at most {MAX_REQUESTS_PER_MESSAGE} per message" in response.json()["message"]
    fine = f'{HEAD}<QBXMLMsgsRq onError="continueOnError">{QUERY.format(1)}</QBXMLMsgsRq></QBXML>'
    assert client.post("/_sandbox/qbd/qbxml", content=fine).status_code == 200


def test_element_count_and_depth_are_bounded() -> None:
    with pytest.raises(QbxmlParseError, match="elements"):
        parse_tree(b"<a>" + b"<b/>" * 1_000_001 + b"</a>")
    with pytest.raises(QbxmlParseError, match="deeper"):
        parse_tree("<a>" * 65 + "</a>" * 65)
    with pytest.raises(QbxmlParseError, match="surrogate"):
        parse_tree("<a>\ud800</a>")
