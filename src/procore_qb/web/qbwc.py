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

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from procore_qb.quickbooks.desktop.errors import SoapError
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

__all__ = ["build_qbwc_router"]

log = logging.getLogger(__name__)
XML = "text/xml; charset=utf-8"


def _dispatch(service: WebConnectorService, call: SoapCall) -> str | int | list[str]:
    match call.method:
        case "serverVersion":
            return service.server_version()
        case "clientVersion":
            return service.client_version(call.arg("strVersion"))
        case "authenticate":
            return service.authenticate(call.arg("strUserName"), call.arg("strPassword"))
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


async def _read_limited(request: Request, limit: int) -> bytes | None:
    """The request body, or None once it grows past ``limit`` bytes: the endpoint answers
    before logging in, so an oversized body is refused without being held in memory."""
    declared = request.headers.get("content-length", "")
    if declared.isdecimal() and int(declared) > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def build_qbwc_router(
    service: WebConnectorService,
    qwc: QwcConfig,
    *,
    prefix: str = "/qbwc",
    max_body_bytes: int = MAX_SOAP_BYTES,
) -> APIRouter:
    """Routes of the Web Connector endpoint. ``qwc.app_url`` is the public URL of
    ``POST {prefix}``; it is also the service address written into the WSDL. A SOAP body
    larger than ``max_body_bytes`` is refused with a fault."""
    router = APIRouter(prefix=prefix, tags=["QuickBooks Web Connector"])

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
        body = await _read_limited(request, max_body_bytes)
        if body is None:
            message = f"the SOAP request exceeds {max_body_bytes} bytes; ask for fewer records"
            log.info("refused a Web Connector request: %s", message)
            return Response(build_fault(message), status_code=413, media_type=XML)
        try:
            call = parse_call(body)
        except SoapError as exc:
            log.info("refused a Web Connector request: %s", exc)
            return Response(build_fault(str(exc)), status_code=500, media_type=XML)
        # The service does database work: keep it off the event loop.
        try:
            result = await run_in_threadpool(_dispatch, service, call)
        except SoapError as exc:
            # An argument of the wrong type (qbXMLMajorVers "abc"): say which, as a fault.
            log.info("refused a Web Connector %s call: %s", call.method, exc)
            return Response(build_fault(str(exc)), status_code=500, media_type=XML)
        return Response(build_response(call.method, result), media_type=XML)

    @router.get("/app.qwc", summary="The .qwc file for the QuickBooks Web Connector")
    def app_qwc() -> Response:
        return Response(
            build_qwc(qwc),
            media_type="application/xml",
            headers={"Content-Disposition": 'attachment; filename="procore-qb.qwc"'},
        )

    return router
