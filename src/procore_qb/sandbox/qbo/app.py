"""The QuickBooks Online simulator as an HTTP app (Starlette).

Paths are QuickBooks Online's, relative to the app's base URL (spec A.1, A.13):

- Accounting API under ``/v3/company/{realmId}/``: ``GET {entity}/{id}``, ``POST {entity}``
  (create, full or sparse update, ``?operation=delete``), ``POST query`` (``application/text``)
  and ``GET query?query=``, ``POST batch``, ``GET cdc``, ``GET companyinfo/{realmId}``,
  ``GET preferences``; ``minorversion`` below 75 is treated as 75; ``requestid`` replays.
- OAuth 2.0: ``/.well-known/openid_sandbox_configuration`` and ``/.well-known/openid_configuration``
  name the authorization, token, userinfo, revocation and JWKS endpoints.
- Sandbox controls under ``/_sandbox/`` (see ``controls.py``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import httpx2
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from procore_qb.sandbox import jsonbody
from procore_qb.sandbox.jsonreply import JsonReply
from procore_qb.sandbox.qbo import faults
from procore_qb.sandbox.qbo.batch import run_batch
from procore_qb.sandbox.qbo.cdc import change_data_capture
from procore_qb.sandbox.qbo.clock import Clock, format_time
from procore_qb.sandbox.qbo.config import SimulatorConfig
from procore_qb.sandbox.qbo.console import console_routes
from procore_qb.sandbox.qbo.controls import control_routes
from procore_qb.sandbox.qbo.entities import Context, spec_by_name, spec_by_path
from procore_qb.sandbox.qbo.errors import OAuthError, QboFault
from procore_qb.sandbox.qbo.oauth import discovery_document
from procore_qb.sandbox.qbo.operations import ChangeEvent, delete, read, write
from procore_qb.sandbox.qbo.query import execute
from procore_qb.sandbox.qbo.simulator import Simulator
from procore_qb.sandbox.qbo.store import RealmState

__all__ = ["MINOR_VERSION", "create_app"]

MINOR_VERSION = 75
"""Since 2025-08-01 minor versions 1-74 are ignored and 75 is the default (spec A.1)."""
REQUEST_ID_MAX = 50
BATCH_REQUEST_ID_MAX = 36
"""``requestid``: at most 50 characters, 36 for batch (spec A.10)."""

Action = Callable[[Context, list[ChangeEvent]], dict[str, Any]]


def create_app(
    simulator: Simulator | None = None,
    *,
    config: SimulatorConfig | None = None,
    clock: Clock | None = None,
    webhook_client: httpx2.Client | None = None,
    data_dir: Path | None = None,
) -> Starlette:
    """Build the simulator app; ``app.state.simulator`` is its ``Simulator``."""
    sim = simulator or Simulator(
        config, clock=clock, webhook_client=webhook_client, data_dir=data_dir
    )
    api = _Api(sim)
    company = "/v3/company/{realm_id}"
    routes = [
        Route("/.well-known/openid_sandbox_configuration", api.discovery, methods=["GET"]),
        Route("/.well-known/openid_sandbox_configuration/", api.discovery, methods=["GET"]),
        Route("/.well-known/openid_configuration", api.discovery, methods=["GET"]),
        Route("/.well-known/openid_configuration/", api.discovery, methods=["GET"]),
        Route("/connect/oauth2", api.authorize, methods=["GET"]),
        Route("/oauth2/v1/tokens/bearer", api.token, methods=["POST"]),
        Route("/oauth2/v1/tokens/revoke", api.revoke, methods=["POST"]),
        Route("/v1/openid_connect/userinfo", api.userinfo, methods=["GET"]),
        Route("/op/v1/jwks", api.jwks, methods=["GET"]),
        Route(company + "/query", api.query, methods=["GET", "POST"]),
        Route(company + "/batch", api.batch, methods=["POST"]),
        Route(company + "/cdc", api.cdc, methods=["GET"]),
        Route(company + "/preferences", api.preferences, methods=["GET"]),
        Route(company + "/{entity}/{entity_id}", api.read, methods=["GET"]),
        Route(company + "/{entity}/{entity_id}/", api.read, methods=["GET"]),
        Route(company + "/{entity}", api.write, methods=["POST"]),
        *control_routes(sim),
        *console_routes(sim),  # the browser console, /_sandbox/console
    ]
    app = Starlette(routes=routes)
    app.state.simulator = sim
    return app


class _Api:
    def __init__(self, sim: Simulator) -> None:
        self.sim = sim

    # ------------------------------------------------------------------ plumbing

    def _json(self, status: int, body: dict[str, Any]) -> JSONResponse:
        return JsonReply(body, status_code=status, headers={"intuit_tid": str(uuid.uuid4())})

    def _fault(self, fault: QboFault) -> JSONResponse:
        lower = fault.status == 401 and self.sim.config.auth_fault_lower_case
        body = faults.fault_body(fault, format_time(self.sim.clock.now()), lower_case=lower)
        return self._json(fault.status, body)

    async def _call(
        self,
        request: Request,
        action: Action,
        *,
        request_id_max: int | None = None,
        batch: bool = False,
    ) -> Response:
        """Authenticate, throttle, replay ``requestid``, run ``action``, map faults."""
        sim = self.sim
        realm_id = request.path_params["realm_id"]
        now = sim.clock.now()
        try:
            with sim.lock:
                sim.oauth.check_access(request.headers.get("authorization"), realm_id, now)
                realm = sim.realm(realm_id)
            _minor_version(request)
            sim.throttle.acquire(realm_id, now, batch=batch)
        except QboFault as fault:
            return self._fault(fault)
        try:
            if sim.config.latency_seconds > 0:
                await anyio.sleep(sim.config.latency_seconds)
            injected = sim.injector.take(request.url.path)
            if injected is not None and injected.when == "before":
                return self._injected(injected.status)
            response = self._respond(request, realm, realm_id, action, request_id_max)
            if injected is not None:
                return self._injected(injected.status)
            return response
        finally:
            sim.throttle.release(realm_id)

    def _injected(self, status: int) -> Response:
        """A failure asked for through ``/_sandbox/faults`` (no QuickBooks body)."""
        return Response(
            f"Injected sandbox failure: HTTP {status}",
            status_code=status,
            media_type="text/plain",
            headers={"intuit_tid": str(uuid.uuid4())},
        )

    def _respond(
        self,
        request: Request,
        realm: RealmState,
        realm_id: str,
        action: Action,
        request_id_max: int | None,
    ) -> Response:
        """Run ``action``, or replay the reply recorded for its ``requestid``."""
        sim = self.sim
        request_id = request.query_params.get("requestid") if request_id_max else None
        if request_id is None:
            status, body = self._run(realm_id, action)
            return self._json(status, body)
        if not request_id or len(request_id) > (request_id_max or 0):
            return self._fault(
                faults.string_length("requestid", request_id_max or 0, len(request_id))
            )
        # Look up and record under one lock, so two calls with one requestid cannot both run.
        with sim.lock:
            cached = realm.replies.get(request_id)
            if cached is None:
                status, body = self._run(realm_id, action)
                cached = {"status": status, "body": body}
                realm.replies[request_id] = cached
                sim.save()
        # "the service sends the same response as it did for the original request"
        # (spec A.10).
        status, body = int(cached["status"]), cached["body"]
        return self._json(status, body)

    def _run(self, realm_id: str, action: Action) -> tuple[int, dict[str, Any]]:
        stamp = format_time(self.sim.clock.now())
        try:
            result = self.sim.apply(realm_id, action)
        except QboFault as fault:
            return fault.status, faults.fault_body(fault, stamp)
        return 200, {**result, "time": stamp}

    # ------------------------------------------------------------------ accounting API

    async def read(self, request: Request) -> Response:
        path = request.path_params["entity"]
        entity_id = request.path_params["entity_id"]
        spec = spec_by_path(path.lower())

        def action(ctx: Context, events: list[ChangeEvent]) -> dict[str, Any]:
            if spec is None:
                raise faults.unsupported_operation(f"read of {path!r} is not supported")
            if spec.name == "CompanyInfo":
                # GET /companyinfo/{realmId}: the company record has Id 1.
                if entity_id != ctx.realm.realm_id:
                    raise faults.not_found("CompanyInfo", entity_id)
                return {"CompanyInfo": read(ctx, spec, "1")}
            return {spec.name: read(ctx, spec, entity_id)}

        return await self._call(request, action)

    async def preferences(self, request: Request) -> Response:
        spec = spec_by_name("Preferences")
        assert spec is not None  # noqa: S101 - registered in entities

        def action(ctx: Context, events: list[ChangeEvent]) -> dict[str, Any]:
            return {"Preferences": read(ctx, spec, "1")}

        return await self._call(request, action)

    async def write(self, request: Request) -> Response:
        path = request.path_params["entity"]
        spec = spec_by_path(path.lower())
        operation = request.query_params.get("operation")
        raw = await request.body()

        def action(ctx: Context, events: list[ChangeEvent]) -> dict[str, Any]:
            if spec is None:
                raise faults.unsupported_operation(f"write of {path!r} is not supported")
            body = _parse_json(raw)
            if operation == "delete":
                return {spec.name: delete(ctx, spec, body, events)}
            if operation not in (None, "update"):
                raise faults.unsupported_operation(
                    f"{operation!r} is not supported; use operation=delete or none"
                )
            return {spec.name: write(ctx, spec, body, events)}

        return await self._call(request, action, request_id_max=REQUEST_ID_MAX)

    async def query(self, request: Request) -> Response:
        if request.method == "GET":
            text = request.query_params.get("query", "")
        else:
            text = (await request.body()).decode("utf-8", errors="replace")

        def action(ctx: Context, events: list[ChangeEvent]) -> dict[str, Any]:
            return {"QueryResponse": execute(ctx, text)}

        return await self._call(request, action)

    async def batch(self, request: Request) -> Response:
        raw = await request.body()
        with_request_id = "requestid" in request.query_params

        def action(ctx: Context, events: list[ChangeEvent]) -> dict[str, Any]:
            return run_batch(ctx, _parse_json(raw), events, with_request_id=with_request_id)

        return await self._call(request, action, request_id_max=BATCH_REQUEST_ID_MAX, batch=True)

    async def cdc(self, request: Request) -> Response:
        entities = request.query_params.get("entities")
        since = request.query_params.get("changedSince")

        def action(ctx: Context, events: list[ChangeEvent]) -> dict[str, Any]:
            return {"CDCResponse": [change_data_capture(ctx, entities, since)]}

        return await self._call(request, action)

    # ------------------------------------------------------------------ OAuth 2.0

    def _oauth_error(self, error: OAuthError) -> JSONResponse:
        return JSONResponse(
            {"error": error.error, "error_description": error.description},
            status_code=error.status,
            headers={"intuit_tid": str(uuid.uuid4())},
        )

    async def discovery(self, request: Request) -> Response:
        doc = discovery_document(str(request.base_url))
        self.sim.oauth.set_issuer(doc["issuer"])
        return JSONResponse(doc)

    async def authorize(self, request: Request) -> Response:
        params = dict(request.query_params)
        self.sim.oauth.set_issuer(discovery_document(str(request.base_url))["issuer"])
        try:
            with self.sim.lock:
                location = self.sim.oauth.authorize(
                    params, self.sim.config.realm_id, self.sim.clock.now()
                )
                self.sim.save()
        except OAuthError as error:
            return self._oauth_error(error)
        return RedirectResponse(location, status_code=302)

    async def token(self, request: Request) -> Response:
        form = await request.form()
        fields = {key: str(value) for key, value in form.items()}
        try:
            with self.sim.lock:
                self.sim.oauth.authenticate_client(request.headers.get("authorization"), fields)
                answer = self.sim.oauth.token(fields, self.sim.clock.now())
                self.sim.save()
        except OAuthError as error:
            return self._oauth_error(error)
        return JSONResponse(answer, headers={"cache-control": "no-store"})

    async def revoke(self, request: Request) -> Response:
        raw = await request.body()
        fields: dict[str, str] = {}
        if request.headers.get("content-type", "").startswith("application/json"):
            try:
                loaded = jsonbody.loads(raw or b"{}")
            except jsonbody.JsonRefused:
                loaded = {}
            if isinstance(loaded, dict):
                fields = {str(k): str(v) for k, v in loaded.items() if isinstance(v, str)}
        else:
            fields = {k: str(v) for k, v in (await request.form()).items()}
        token = fields.get("token", "")
        try:
            with self.sim.lock:
                # The client authenticates as at the token endpoint (RFC 7009 §2.1).
                self.sim.oauth.authenticate_client(request.headers.get("authorization"), fields)
                if not token:
                    raise OAuthError("invalid_request", "send the token to revoke as 'token'")
                self.sim.oauth.revoke(token)
                self.sim.save()
        except OAuthError as error:
            return self._oauth_error(error)
        return Response(status_code=200)

    async def userinfo(self, request: Request) -> Response:
        try:
            with self.sim.lock:
                info = self.sim.oauth.userinfo(
                    request.headers.get("authorization"), self.sim.clock.now()
                )
        except OAuthError as error:
            return self._oauth_error(error)
        return JSONResponse(info)

    async def jwks(self, request: Request) -> Response:
        return JSONResponse(self.sim.oauth.jwks())


def _parse_json(raw: bytes) -> Any:
    try:
        return jsonbody.loads(raw)
    except jsonbody.JsonRefused:
        # Spec A.11: 2010 "failed to parse json object".
        raise QboFault(
            "2010",
            "Request has invalid or unsupported property",
            "failed to parse json object; send the entity as a UTF-8 JSON object",
        ) from None


def _minor_version(request: Request) -> int:
    """``minorversion``: values below 75 are treated as 75 (spec A.1)."""
    value = request.query_params.get("minorversion")
    if value is None:
        return MINOR_VERSION
    # isdigit() also says yes to "²", which int() refuses; nine digits bound the value.
    if not (value.isascii() and value.isdecimal()) or len(value) > 9:
        raise QboFault(
            "2010",
            "Request has invalid or unsupported property",
            f"minorversion {value!r} is not a number; send minorversion=75 or later",
        )
    return max(int(value), MINOR_VERSION)
