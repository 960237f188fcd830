"""The QuickBooks Web Connector endpoint: ``POST /qbwc`` (SOAP 1.1), ``GET /qbwc?wsdl`` and
``GET /qbwc/app.qwc``.

:func:`build_qbwc_router` returns an ``APIRouter`` for the main app to include. Responses are
``text/xml`` (the Web Connector is picky about the content type, spec §B.10). A request that
is not one of the eight calls gets a SOAP ``Client`` fault; everything else (bad login,
unknown ticket) is answered inside the protocol, because a fault makes the Web Connector retry
forever.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import anyio
from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from procore_qb.quickbooks.desktop.errors import SoapError
from procore_qb.quickbooks.desktop.logins import LoginThrottle
from procore_qb.quickbooks.desktop.qwc import QwcConfig, build_qwc
from procore_qb.quickbooks.desktop.session import WebConnectorService
from procore_qb.quickbooks.desktop.soap import (
    MAX_SOAP_BYTES,
    SoapCall,
    build_fault,
    build_response,
    parse_call,
)
from procore_qb.quickbooks.desktop.wsdl import build_wsdl

__all__ = ["MAX_LOGIN_BODY_BYTES", "QWC_ROUTE", "build_qbwc_router"]

log = logging.getLogger(__name__)
XML = "text/xml; charset=utf-8"

MAX_LOGIN_BODY_BYTES = 256 * 1024
"""Largest body without a live ticket: an authenticate call is a few hundred bytes and the
first sendRequestXML (with the company's preferences in strHCPResponse) a few dozen KiB."""

# The ticket is the first argument of every call that carries one (WSDL order), so it lies
# within the first bytes of a large receiveResponseXML.
_TICKET = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?ticket(?:\s[^>]{0,200})?>([^<]{1,100})</", re.ASCII)


@dataclass(frozen=True, slots=True)
class _Refusal:
    status: int
    message: str


def _dispatch(
    service: WebConnectorService, call: SoapCall, address: str, throttle: LoginThrottle
) -> str | int | list[str]:
    match call.method:
        case "serverVersion":
            return service.server_version()
        case "clientVersion":
            return service.client_version(call.arg("strVersion"))
        case "authenticate":
            return _authenticate(service, call, address, throttle)
        case "sendRequestXML":
            return service.send_request_xml(
                call.arg("ticket"),
                call.arg("strHCPResponse"),
                call.arg("strCompanyFileName"),
                call.arg("qbXMLCountry"),
                call.int_arg("qbXMLMajorVers"),
                call.int_arg("qbXMLMinorVers"),
            )
        case "receiveResponseXML":
            return service.receive_response_xml(
                call.arg("ticket"), call.arg("response"), call.arg("hresult"), call.arg("message")
            )
        case "connectionError":
            return service.connection_error(
                call.arg("ticket"), call.arg("hresult"), call.arg("message")
            )
        case "getLastError":
            return service.get_last_error(call.arg("ticket"))
        case "closeConnection":
            return service.close_connection(call.arg("ticket"))
    raise SoapError(f"unknown Web Connector method {call.method!r}")


def _authenticate(
    service: WebConnectorService, call: SoapCall, address: str, throttle: LoginThrottle
) -> list[str]:
    username = call.arg("strUserName")
    wait = throttle.wait(username, address)
    if wait > 0:
        # Refused without checking the password: "nvu" is what the Web Connector shows as a
        # wrong login, and the user retries later (spec quickbooks-api.md §B.10).
        log.info(
            "Web Connector login from %s throttled for %.0f s after repeated failures",
            address,
            wait,
        )
        return ["", "nvu"]
    answer = service.authenticate(username, call.arg("strPassword"))
    if answer[1:2] == ["nvu"]:
        throttle.failed(username, address)
    else:
        throttle.succeeded(username, address)
    return answer


async def _read_upto(
    stream: AsyncIterator[bytes], chunks: list[bytes], size: int, limit: int
) -> tuple[int, bool]:
    """Append chunks of ``stream`` to ``chunks`` until it ends or passes ``limit`` bytes;
    the new size and whether the limit was passed (the rest is left unread)."""
    async for chunk in stream:
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            return size, True
    return size, False


QWC_ROUTE = "qbwc-qwc-file"
"""The name of the ``.qwc`` file's route (the settings page links it when it is served)."""


def _too_big(limit: int, why: str) -> _Refusal:
    return _Refusal(413, f"the SOAP request exceeds {limit} bytes{why}; ask for fewer records")


def build_qbwc_router(
    service: WebConnectorService,
    qwc: QwcConfig,
    *,
    prefix: str = "/qbwc",
    max_body_bytes: int = MAX_SOAP_BYTES,
    max_login_body_bytes: int = MAX_LOGIN_BODY_BYTES,
    login_throttle: LoginThrottle | None = None,
    large_parses: int = 2,
    ticket_is_open: Callable[[str], bool] | None = None,
) -> APIRouter:
    """Routes of the Web Connector endpoint. ``qwc.app_url`` is the public URL of
    ``POST {prefix}``; it is also the service address written into the WSDL.

    A SOAP body is read up to ``max_login_body_bytes``; only a call whose ticket names an
    open session may go on up to ``max_body_bytes``, so nobody who has not logged in can make
    procore-qb hold or parse a large document. Bodies are parsed in worker threads (at most
    ``large_parses`` large ones at a time), never on the event loop. ``login_throttle``
    slows down repeated failed logins (a default one on the monotonic clock)."""
    router = APIRouter(prefix=prefix, tags=["QuickBooks Web Connector"])
    throttle = LoginThrottle(time.monotonic) if login_throttle is None else login_throttle
    is_open = ticket_is_open or service.ticket_is_open
    small = min(max_login_body_bytes, max_body_bytes)
    parse_slots = anyio.Semaphore(max(1, large_parses))

    async def read_body(request: Request) -> tuple[bytes, str | None] | _Refusal:
        declared = request.headers.get("content-length", "")
        if declared.isascii() and declared.isdecimal() and len(declared) > 18:
            return _too_big(max_body_bytes, "")
        if declared.isascii() and declared.isdecimal() and int(declared) > max_body_bytes:
            return _too_big(max_body_bytes, "")
        stream = request.stream()
        chunks: list[bytes] = []
        size, more = await _read_upto(stream, chunks, 0, small)
        if not more:
            return b"".join(chunks), None
        found = _TICKET.search(b"".join(chunks))
        ticket = found.group(1).decode("ascii", "replace").strip() if found else ""
        if not ticket or not await run_in_threadpool(is_open, ticket):
            return _too_big(small, " without the ticket of an open session")
        size, more = await _read_upto(stream, chunks, size, max_body_bytes)
        if more:
            return _too_big(max_body_bytes, "")
        body = b"".join(chunks)
        return body, ticket

    @router.get("", include_in_schema=True, summary="The endpoint's WSDL (?wsdl)")
    def wsdl(request: Request) -> Response:
        if "wsdl" not in {k.lower() for k in request.query_params}:
            return Response(
                "QuickBooks Web Connector endpoint: POST SOAP here; the WSDL is at ?wsdl\n",
                media_type="text/plain; charset=utf-8",
            )
        return Response(build_wsdl(qwc.app_url), media_type=XML)

    @router.post("", summary="Web Connector SOAP calls")
    async def soap(request: Request) -> Response:
        read = await read_body(request)
        if isinstance(read, _Refusal):
            log.info("refused a Web Connector request: %s", read.message)
            return Response(build_fault(read.message), status_code=read.status, media_type=XML)
        body, ticket = read
        try:
            if ticket is None:
                call = await run_in_threadpool(parse_call, body, max_bytes=max_body_bytes)
            else:
                async with parse_slots:
                    call = await run_in_threadpool(parse_call, body, max_bytes=max_body_bytes)
            if ticket is not None and call.arg("ticket") != ticket:
                raise SoapError("a large SOAP request must carry its session ticket first")
        except SoapError as exc:
            log.info("refused a Web Connector request: %s", exc)
            return Response(build_fault(str(exc)), status_code=500, media_type=XML)
        address = request.client.host if request.client else ""
        # The service does database work: keep it off the event loop.
        try:
            result = await run_in_threadpool(_dispatch, service, call, address, throttle)
        except SoapError as exc:
            # An argument of the wrong type (qbXMLMajorVers "abc"): say which, as a fault.
            log.info("refused a Web Connector %s call: %s", call.method, exc)
            return Response(build_fault(str(exc)), status_code=500, media_type=XML)
        except Exception:
            # A defect of procore-qb, not of the request: logged with its traceback, and
            # answered inside SOAP so the Web Connector shows it instead of a bare 500.
            log.exception("the Web Connector %s call failed", call.method)
            message = f"procore-qb failed on {call.method}; see its log"
            return Response(build_fault(message, client=False), status_code=500, media_type=XML)
        return Response(build_response(call.method, result), media_type=XML)

    @router.get(
        "/app.qwc", summary="The .qwc file for the QuickBooks Web Connector", name=QWC_ROUTE
    )
    def app_qwc() -> Response:
        return Response(
            build_qwc(qwc),
            media_type="application/xml",
            headers={"Content-Disposition": 'attachment; filename="procore-qb.qwc"'},
        )

    return router
