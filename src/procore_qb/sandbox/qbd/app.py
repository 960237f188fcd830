"""The simulated QuickBooks Desktop as an HTTP app: a raw qbXML door and sandbox controls.

``POST /_sandbox/qbd/qbxml`` runs a qbXML request message in the company file and answers
with the response message, as QuickBooks' own request processor would (issue item 5); text the
processor cannot parse gets HTTP 400 with the HRESULT QuickBooks gives (0x80040400).
``POST /_sandbox/qbd/reset`` wipes the company file and loads the seed world again;
``POST /_sandbox/qbd/clock/advance`` moves a manual clock forward (``procore-qb sandbox qbd
--manual-clock``); ``POST /_sandbox/qbd/bulk`` ``{"size": N}`` adds ``seed.bulk_world(N)`` (N
customers with a job each, N bills, N/10 vendors and service items) through qbXML add requests,
in one call.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from procore_qb.sandbox import jsonbody, seed
from procore_qb.sandbox.qbd.clock import Clock, ManualClock, SystemClock
from procore_qb.sandbox.qbd.company import CompanyFile, format_time
from procore_qb.sandbox.qbd.console import WebConnectorTarget, console_routes
from procore_qb.sandbox.qbd.errors import CompanyFileError, QbxmlParseError
from procore_qb.sandbox.qbd.nodes import MAX_REQUEST_BYTES
from procore_qb.sandbox.qbd.poller import WebConnectorPoller
from procore_qb.sandbox.qbd.processor import RequestProcessor
from procore_qb.sandbox.qbd.seeding import load_bulk, load_seed

__all__ = ["COMPANY_FILE_NAME", "QbdSimulator", "create_app", "open_simulator"]

COMPANY_FILE_NAME = "qbd-company.sqlite"
XML_MEDIA_TYPE = "text/xml; charset=utf-8"


@dataclass(slots=True)
class QbdSimulator:
    """A company file with its request processor and clock."""

    company: CompanyFile
    processor: RequestProcessor
    clock: Clock

    def reset(self) -> None:
        self.company.wipe()
        load_seed(self.company)


def open_simulator(
    data_dir: Path | None = None, clock: Clock | None = None, *, seed_size: int | None = None
) -> QbdSimulator:
    """Open (or create and seed) the company file in ``data_dir``; in memory without one.
    ``seed_size`` adds ``seed.bulk_world(seed_size)`` unless the file holds it already."""
    clock = clock or SystemClock()
    if data_dir is None:
        company = CompanyFile(":memory:", clock)
    else:
        if data_dir.exists() and not data_dir.is_dir():
            raise CompanyFileError(f"{data_dir} is not a folder: give --data-dir a folder")
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CompanyFileError(
                f"cannot use {data_dir} for the company file: {exc.strerror or exc}"
            ) from None
        company = CompanyFile(data_dir / COMPANY_FILE_NAME, clock)
    if company.is_empty():
        load_seed(company)
    if seed_size is not None:
        try:
            load_bulk(company, seed_size)
        except ValueError as exc:
            if "already holds" not in str(exc):
                raise
    return QbdSimulator(company, RequestProcessor(company), clock)


def create_app(
    simulator: QbdSimulator,
    *,
    web_connector: WebConnectorTarget | WebConnectorPoller | None = None,
) -> Starlette:
    """The simulator's HTTP app, with its console at ``/_sandbox/console``.

    ``web_connector`` is what the console's "Run Web Connector now" runs: a target application
    (its Web Connector URL and login), or the poller that already runs the simulated Web
    Connector on a schedule.
    """
    lock = threading.Lock()

    def run(body: bytes) -> str:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            text = body.decode("cp1252", errors="replace")
        with lock:  # one message at a time, as QuickBooks' request processor
            return simulator.processor.process(text)

    async def qbxml(request: Request) -> Response:
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_REQUEST_BYTES:
                exc = QbxmlParseError(f"the message is larger than {MAX_REQUEST_BYTES} bytes")
                return JSONResponse(
                    {"hresult": exc.hresult, "message": str(exc), "detail": exc.detail},
                    status_code=400,
                )
            chunks.append(chunk)
        try:
            # Off the event loop: a large message must not stop the other doors answering.
            response = await run_in_threadpool(run, b"".join(chunks))
        except QbxmlParseError as exc:
            return JSONResponse(
                {"hresult": exc.hresult, "message": str(exc), "detail": exc.detail},
                status_code=400,
            )
        return Response(response, media_type=XML_MEDIA_TYPE)

    def locked_reset() -> None:
        with lock:
            simulator.reset()

    async def reset(request: Request) -> Response:
        await run_in_threadpool(locked_reset)
        return JSONResponse({"reset": True})

    async def advance(request: Request) -> Response:
        if not isinstance(simulator.clock, ManualClock):
            return JSONResponse(
                {"error": "the clock is the system clock; start the simulator with a manual one"},
                status_code=409,
            )
        try:
            payload = jsonbody.loads(await request.body())
            seconds = float(payload["seconds"])
            now = simulator.clock.advance(seconds)
        except (ValueError, KeyError, TypeError, OverflowError) as exc:
            return JSONResponse(
                {"error": f'send {{"seconds": N}} with N >= 0 ({exc})'}, status_code=422
            )
        return JSONResponse({"now": format_time(now)})

    async def bulk(request: Request) -> Response:
        try:
            payload = jsonbody.loads(await request.body())
        except ValueError:
            payload = None
        size = payload.get("size") if isinstance(payload, dict) else None
        if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= seed.BULK_MAX:
            return JSONResponse(
                {"error": f'send {{"size": N}} with N from 1 to {seed.BULK_MAX}'}, status_code=422
            )
        try:
            added = load_bulk(simulator.company, size)
        except ValueError as exc:
            return JSONResponse({"error": str(exc)}, status_code=409)
        return JSONResponse({"size": size, "added": added})

    async def clock(request: Request) -> Response:
        return JSONResponse(
            {
                "now": format_time(simulator.clock.now()),
                "manual": isinstance(simulator.clock, ManualClock),
            }
        )

    return Starlette(
        routes=[
            Route("/_sandbox/qbd/qbxml", qbxml, methods=["POST"]),
            Route("/_sandbox/qbd/reset", reset, methods=["POST"]),
            Route("/_sandbox/qbd/clock", clock, methods=["GET"]),
            Route("/_sandbox/qbd/clock/advance", advance, methods=["POST"]),
            Route("/_sandbox/qbd/bulk", bulk, methods=["POST"]),
            *console_routes(simulator, web_connector),
        ]
    )
