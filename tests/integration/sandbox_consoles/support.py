"""What the console tests share: reading pages and a small Web Connector application.

:class:`JobListService` is the application side of the Web Connector protocol reduced to one
job: it asks QuickBooks for its customers and jobs once per session, and keeps the answers. The
console's "Run Web Connector now" runs the simulated Web Connector against it.
"""

from __future__ import annotations

import html
import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import uvicorn
from lxml import etree
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp

NS = "http://developer.intuit.com/"
SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
CUSTOMER_QUERY = (
    '<?xml version="1.0" encoding="utf-8"?>\n<?qbxml version="13.0"?>\n'
    '<QBXML><QBXMLMsgsRq onError="continueOnError">'
    '<CustomerQueryRq requestID="1"><ActiveStatus>All</ActiveStatus></CustomerQueryRq>'
    "</QBXMLMsgsRq></QBXML>"
)


def csrf_token(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found is not None, "the page has no form token"
    return found.group(1)


def error_text(page: str) -> str:
    found = re.search(r'class="error" role="alert">([^<]*)<', page)
    assert found is not None, "the page shows no error"
    return html.unescape(found.group(1))


def notice_text(page: str) -> str:
    found = re.search(r'class="notice" role="status">([^<]*)<', page)
    assert found is not None, "the page shows no notice"
    return html.unescape(found.group(1))


@dataclass
class JobListService:
    """A Web Connector service that queries the Customer:Job list once per session."""

    username: str = "demo"
    password: str = "demo"
    responses: list[str] = field(default_factory=list)
    sessions: int = 0
    _sent: bool = False

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/qbwc", self.handle, methods=["POST"])])

    async def handle(self, request: Request) -> Response:
        envelope = etree.fromstring(await request.body())
        body = envelope.find(f"{{{SOAP}}}Body")
        assert body is not None
        call = body[0]
        method = etree.QName(call).localname
        args = {etree.QName(child).localname: child.text or "" for child in call}
        result = self.answer(method, args)
        if isinstance(result, list):
            inner = "".join(f"<string>{s}</string>" for s in result)
        else:
            element = etree.Element("x")
            element.text = result
            inner = etree.tostring(element, encoding="unicode")[3:-4]
        text = (
            f'<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="{SOAP}">'
            f'<soap:Body><{method}Response xmlns="{NS}"><{method}Result>{inner}'
            f"</{method}Result></{method}Response></soap:Body></soap:Envelope>"
        )
        return Response(text, media_type="text/xml; charset=utf-8")

    def answer(self, method: str, args: dict[str, str]) -> str | list[str]:
        if method == "serverVersion":
            return "1.0"
        if method == "clientVersion":
            return ""
        if method == "authenticate":
            if (args["strUserName"], args["strPassword"]) != (self.username, self.password):
                return ["", "nvu"]
            self.sessions += 1
            self._sent = False
            return [f"ticket-{self.sessions}", ""]
        if method == "sendRequestXML":
            if self._sent:
                return ""
            self._sent = True
            return CUSTOMER_QUERY
        if method == "receiveResponseXML":
            self.responses.append(args["response"])
            return "100"
        if method == "getLastError":
            return ""
        if method == "closeConnection":
            return "OK"
        raise AssertionError(f"unexpected Web Connector call {method}")


@contextmanager
def served(app: ASGIApp) -> Iterator[str]:
    """Serve ``app`` over loopback (uvicorn in a thread); yields its base URL.

    The listening socket is bound before the server starts, so a client may connect at once:
    the connection waits in the backlog until the server accepts it.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()
