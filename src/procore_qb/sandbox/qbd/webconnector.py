"""A simulated QuickBooks Web Connector (QBWC) that talks SOAP 1.1 to any endpoint URL.

One call of :func:`run_session` is one update run of QBWC (spec B.10; call order from QBWC logs
and Intuit's WCWebService sample): ``serverVersion`` → ``clientVersion`` → ``authenticate`` →
(``sendRequestXML`` → QuickBooks → ``receiveResponseXML``)* → ``closeConnection``.

- ``authenticate`` answers ``[ticket, ""|path|"none"|"nvu"|"busy"]``: ``nvu`` (bad login),
  ``none`` (no work) and ``busy`` end the run without further calls [I: no closeConnection
  follows, there being no session to close].
- The first ``sendRequestXML`` carries the host/company query response (HCP), the company file
  name, ``qbXMLCountry`` US and version 13.0.
- An empty request from ``sendRequestXML`` makes QBWC ask ``getLastError`` and close [U: the
  QBWC programmer's guide describes it; the guide itself was not at hand].
- ``receiveResponseXML`` answers the percent done: 100 ends with ``closeConnection``; a negative
  number makes QBWC ask ``getLastError`` and close.
- A request QuickBooks cannot parse is reported through ``receiveResponseXML`` with the HRESULT
  and message instead of a response (spec B.8).

Faults: ``connection_error`` reports QuickBooks as unreachable through ``connectionError``;
``drop_response_at=N`` runs the Nth request but never calls ``receiveResponseXML`` (the run
just ends); ``timeout_at=N`` delivers the Nth response but treats the reply as timed out and
ends; ``stop_after=N`` ends the run after N round trips. Real HTTP time-outs end the run too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx2
from lxml import etree

from procore_qb.sandbox.qbd.errors import QbxmlParseError, SoapFaultError, WebConnectorError
from procore_qb.sandbox.qbd.nodes import escape_text, parse_tree, parse_xml
from procore_qb.sandbox.qbd.processor import RequestProcessor

__all__ = [
    "CLIENT_VERSION",
    "DEFAULT_COMPANY_FILE",
    "NAMESPACE",
    "Faults",
    "Transcript",
    "envelope",
    "run_session",
]

NAMESPACE = "http://developer.intuit.com/"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
CLIENT_VERSION = "2.3.0.215"  # a QBWC version seen in real logs (spec B.10)
DEFAULT_COMPANY_FILE = (
    "C:\\Users\\Public\\Documents\\Intuit\\QuickBooks\\Company Files\\Summit Ridge Builders.qbw"
)
HCP_REQUEST = (
    '<?xml version="1.0" encoding="utf-8"?>\n<?qbxml version="13.0"?>\n'
    '<QBXML><QBXMLMsgsRq onError="continueOnError">'
    '<HostQueryRq requestID="1"/><CompanyQueryRq requestID="2"/>'
    "</QBXMLMsgsRq></QBXML>"
)
COULD_NOT_START = ("0x80040408", "Could not start QuickBooks.")  # spec B.8


@dataclass(frozen=True, slots=True)
class Faults:
    """What to break in one run."""

    connection_error: bool = False
    drop_response_at: int | None = None
    timeout_at: int | None = None
    stop_after: int | None = None


@dataclass(slots=True)
class Transcript:
    """What happened in one run."""

    calls: list[str] = field(default_factory=list)
    request_types: list[list[str]] = field(default_factory=list)
    percents: list[int] = field(default_factory=list)
    server_version: str | None = None
    client_version_answer: str | None = None
    authenticate: list[str] = field(default_factory=list)
    last_error: str | None = None
    close_message: str | None = None
    ended: str = ""
    exchanges: list[tuple[str, str]] = field(default_factory=list)
    """Each round trip's qbXML request and what QuickBooks answered (response, or the HRESULT
    and message of a request it could not parse)."""

    def lines(self) -> list[str]:
        """The transcript as text, one fact per line."""
        out = [f"calls: {' -> '.join(self.calls)}"]
        if self.authenticate:
            shown = list(self.authenticate)
            shown[0] = "<ticket>" if shown[0] not in {"", "none", "nvu", "busy"} else shown[0]
            out.append(f"authenticate: {shown}")
        for index, types in enumerate(self.request_types, start=1):
            percent = self.percents[index - 1] if index <= len(self.percents) else None
            out.append(f"request {index}: {', '.join(types) or '(none)'} -> percent {percent}")
        if self.last_error is not None:
            out.append(f"last error: {self.last_error}")
        if self.close_message is not None:
            out.append(f"closeConnection: {self.close_message}")
        out.append(f"ended: {self.ended}")
        return out


class _Soap:
    def __init__(
        self, client: httpx2.Client, url: str, transcript: Transcript, timeout: float | None
    ) -> None:
        self.client = client
        self.url = url
        self.transcript = transcript
        self.timeout = timeout

    def call(self, method: str, *args: tuple[str, str]) -> etree._Element:
        self.transcript.calls.append(method)
        payload = envelope(method, *args)
        headers = {
            "Content-Type": "text/xml; charset=utf-8",
            "SOAPAction": f'"{NAMESPACE}{method}"',
        }
        if self.timeout is None:  # the client's own time-outs apply
            response = self.client.post(self.url, content=payload, headers=headers)
        else:
            response = self.client.post(
                self.url, content=payload, headers=headers, timeout=self.timeout
            )
        media_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if response.status_code == 200 and media_type != "text/xml":
            # QBWC is picky about the answer's Content-Type: text/xml (spec B.10 [S],
            # consolibyte/quickbooks-php PR #196).
            raise SoapFaultError(
                method, response.status_code, f"Content-Type is {media_type!r}, QBWC needs text/xml"
            )
        try:
            tree = parse_tree(response.content)
        except QbxmlParseError as exc:
            # QBWC1042: "Response is not well-formed XML" (spec B.10).
            raise SoapFaultError(method, response.status_code, f"not XML: {exc.detail}") from None
        fault = tree.find(f".//{{{SOAP_ENV}}}Fault")
        if fault is not None or response.status_code != 200:
            text = "" if fault is None else " ".join(str(t) for t in fault.itertext()).strip()
            raise SoapFaultError(method, response.status_code, text or response.text[:200])
        result = tree.find(f".//{{{NAMESPACE}}}{method}Result")
        if result is None:
            raise SoapFaultError(method, response.status_code, f"no <{method}Result> in the answer")
        return result


_ENVELOPE_HEAD = (
    f"<?xml version='1.0' encoding='utf-8'?>\n<soap:Envelope xmlns:soap=\"{SOAP_ENV}\"><soap:Body>"
).encode()
_ENVELOPE_TAIL = b"</soap:Body></soap:Envelope>"
_XML_ASCII = bytes([0x09, 0x0A, 0x0D, *range(0x20, 0x80)])
"""The ASCII characters XML 1.0 allows in a text (of the C0 controls only tab, line feed and
carriage return)."""
_ESCAPES = ((b"&", b"&amp;"), (b"<", b"&lt;"), (b">", b"&gt;"), (b"\r", b"&#13;"))


def envelope(method: str, *args: tuple[str, str]) -> bytes:
    """The SOAP request QBWC sends for ``method`` with its string arguments, written as lxml
    writes the envelope element tree (an XML declaration, the SOAP 1.1 envelope, the method
    element in Intuit's namespace holding one element per argument, texts escaped as libxml2
    does), byte for byte, without building the tree: a response argument is a whole qbXML
    answer."""
    parts = [_ENVELOPE_HEAD, f'<{method} xmlns="{NAMESPACE}"'.encode()]
    if args:
        parts.append(b">")
        for name, value in args:
            parts.append(f"<{name}>".encode())
            parts.append(_text_bytes(value))
            parts.append(f"</{name}>".encode())
        parts.append(f"</{method}>".encode())
    else:
        parts.append(b"/>")
    parts.append(_ENVELOPE_TAIL)
    return b"".join(parts)


def _text_bytes(value: str) -> bytes:
    """A text as libxml2 writes it in UTF-8; an ASCII one (a whole qbXML answer, as a rule)
    is escaped as bytes, which is quicker on megabytes than escaping the string."""
    if not value.isascii():
        value.encode("utf-8")  # a lone surrogate is refused as lxml refuses it
        return escape_text(value).encode("utf-8")
    data = value.encode("ascii")
    if data.translate(None, _XML_ASCII):
        escape_text(value)  # a control character: refused as lxml refuses it
    for raw, escaped in _ESCAPES:  # "&" first, so no escape is escaped again
        if raw in data:
            data = data.replace(raw, escaped)
    return data


def _text(element: etree._Element) -> str:
    return element.text or ""


def _request_types(qbxml: str) -> list[str]:
    try:
        root, _ = parse_xml(qbxml)
    except QbxmlParseError:
        return ["(unparseable)"]
    messages = root.find("QBXMLMsgsRq")
    return [] if messages is None else [child.tag for child in messages.children]


def run_session(
    client: httpx2.Client,
    url: str,
    username: str,
    password: str,
    processor: RequestProcessor,
    *,
    faults: Faults | None = None,
    company_file: str = DEFAULT_COMPANY_FILE,
    timeout: float | None = None,
    max_round_trips: int = 10_000,
) -> Transcript:
    """Run one Web Connector update against ``url``; execute its requests in ``processor``."""
    faults = faults or Faults()
    transcript = Transcript()
    soap = _Soap(client, url, transcript, timeout)
    try:
        _session(
            soap, transcript, username, password, processor, faults, company_file, max_round_trips
        )
    except httpx2.TimeoutException:
        transcript.ended = f"timed out waiting for {transcript.calls[-1]}"
    except httpx2.TransportError as exc:
        transcript.ended = f"could not reach {url}: {exc.__class__.__name__}"
    except WebConnectorError as exc:
        transcript.ended = f"error: {exc}"
    finally:
        processor.end_session()  # QBWC's session with QuickBooks ends with the run
    return transcript


def _session(
    soap: _Soap,
    transcript: Transcript,
    username: str,
    password: str,
    processor: RequestProcessor,
    faults: Faults,
    company_file: str,
    max_round_trips: int,
) -> None:
    transcript.server_version = _text(soap.call("serverVersion"))
    answer = _text(soap.call("clientVersion", ("strVersion", CLIENT_VERSION)))
    transcript.client_version_answer = answer
    if answer.startswith("E:"):
        # "E:<text>": QBWC shows the error and stops (spec B.10).
        transcript.ended = f"client version refused: {answer[2:]}"
        return
    result = soap.call("authenticate", ("strUserName", username), ("strPassword", password))
    strings = [_text(child) for child in result.iterchildren("*")]
    transcript.authenticate = strings
    if len(strings) < 2:
        raise WebConnectorError(f"authenticate answered {len(strings)} strings, QBWC needs two")
    ticket, verdict = strings[0], strings[1]
    # Case does not matter: QBWC logs a service's "NONE" as no work
    # (RappidDevelopment/quickbooks-js#15: authRet[1]="NONE" -> "No data exchange required").
    if verdict.lower() in {"nvu", "none", "busy"}:
        transcript.ended = {
            "nvu": "not a valid user (nvu)",
            "none": "no work (none)",
            "busy": "service busy (busy)",
        }[verdict.lower()]
        return
    file_name = verdict or company_file
    if faults.connection_error:
        hresult, message = COULD_NOT_START
        answer = _text(
            soap.call(
                "connectionError",
                ("ticket", ticket),
                ("hresult", hresult),
                ("message", message),
            )
        )
        # "done" stops; "" or a company file path asks QBWC to try again, but in this run
        # QuickBooks stays unreachable, so the run ends either way (spec B.10).
        _close(soap, transcript, ticket, f"connectionError answered {answer!r}")
        return
    hcp = processor.process(HCP_REQUEST)
    first = True
    round_trips = 0
    while True:
        if round_trips >= max_round_trips:
            raise WebConnectorError(f"more than {max_round_trips} round trips; stopping")
        request = _text(
            soap.call(
                "sendRequestXML",
                ("ticket", ticket),
                ("strHCPResponse", hcp if first else ""),
                ("strCompanyFileName", file_name),
                ("qbXMLCountry", "US"),
                ("qbXMLMajorVers", "13"),
                ("qbXMLMinorVers", "0"),
            )
        )
        first = False
        if request == "":
            transcript.last_error = _text(soap.call("getLastError", ("ticket", ticket)))
            _close(soap, transcript, ticket, "no request from sendRequestXML")
            return
        round_trips += 1
        transcript.request_types.append(_request_types(request))
        hresult = message = ""
        try:
            response = processor.process(request)
        except QbxmlParseError as exc:
            response, hresult, message = "", exc.hresult, str(exc)
        transcript.exchanges.append((request, response or f"{hresult} {message}"))
        if faults.drop_response_at == round_trips:
            transcript.ended = f"response {round_trips} dropped (receiveResponseXML not called)"
            return
        percent_text = _text(
            soap.call(
                "receiveResponseXML",
                ("ticket", ticket),
                ("response", response),
                ("hresult", hresult),
                ("message", message),
            )
        )
        if faults.timeout_at == round_trips:
            transcript.ended = f"receiveResponseXML {round_trips} timed out"
            return
        try:
            percent = int(percent_text.strip())
        except ValueError:
            raise WebConnectorError(
                f"receiveResponseXML answered {percent_text!r}, not an integer"
            ) from None
        transcript.percents.append(percent)
        if percent < 0:
            transcript.last_error = _text(soap.call("getLastError", ("ticket", ticket)))
            _close(soap, transcript, ticket, f"error reported (percent {percent})")
            return
        if percent >= 100:
            _close(soap, transcript, ticket, "done (100%)")
            return
        if faults.stop_after == round_trips:
            transcript.ended = f"stopped after {round_trips} round trips"
            return


def _close(soap: _Soap, transcript: Transcript, ticket: str, reason: str) -> None:
    transcript.close_message = _text(soap.call("closeConnection", ("ticket", ticket)))
    transcript.ended = reason
