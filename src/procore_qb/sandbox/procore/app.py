"""The Procore simulator as one Starlette app: OAuth login host, REST API and sandbox controls.

``create_app()`` builds the app around a :class:`ProcoreSandbox` (state, clock, rate limits,
webhook delivery). Every REST request passes the same gate before its handler runs:

1. ``Authorization: Bearer`` must name a live token: one issued by ``/oauth/token`` within its
   5,400 s (spec §1.2), or a seed user's demo token (``demo-ada``...) in sandbox mode (DESIGN
   §4). Otherwise 401 ``{"message": "The access token is invalid"}`` (spec §1.6, D-errors).
2. The request counts against the caller's hourly and 10-second limits (``ratelimit``); every
   answer carries the ``X-Rate-Limit-*`` headers, and exceeding a limit answers 429.
3. ``Procore-Company-Id`` is required (400 ``Missing Procore-Company-Id header!``) except on
   ``GET /rest/v1.0/companies`` and on ``GET /rest/v1.0/me`` without ``company_id`` or
   ``project_id``, for people and service accounts alike: Procore's collection says so on both
   requests, and its MPZ guide names them as "two endpoints that do not require the
   Procore-Company-Id field (Show User Info and List Companies)" and says the field "is not
   required when you are using Service Accounts" (S-postman, developers.procore.com/documentation/
   mpz-headers). A company the caller is not in answers 403 "App is not connected to this
   company" (spec §1.2, D-mpr, §5.2).

Sandbox controls live under ``/_sandbox/`` only; the route list is served at ``/openapi.json``.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx2
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from procore_qb.sandbox import jsonbody
from procore_qb.sandbox.jsonreply import JsonReply
from procore_qb.sandbox.procore import (
    routes_company,
    routes_cost_codes,
    routes_costs,
    routes_erp,
    routes_projects,
    routes_webhooks,
    routes_webhooks_v2,
)
from procore_qb.sandbox.procore.clock import Clock, WallClock
from procore_qb.sandbox.procore.config import SandboxConfig
from procore_qb.sandbox.procore.console import console_routes
from procore_qb.sandbox.procore.controls import control_routes
from procore_qb.sandbox.procore.core import Call, RouteSpec
from procore_qb.sandbox.procore.errors import (
    ApiError,
    BadRequest,
    Forbidden,
    Unauthorized,
)
from procore_qb.sandbox.procore.oauth import oauth_routes
from procore_qb.sandbox.procore.ratelimit import RateLimiter
from procore_qb.sandbox.procore.required import REQUIRED
from procore_qb.sandbox.procore.seeding import seed_world
from procore_qb.sandbox.procore.webhooks import WebhookDelivery, emit_event
from procore_qb.sandbox.procore.world import IssuedToken, World

__all__ = ["STATE_FILE", "ProcoreSandbox", "create_app", "rest_routes"]

STATE_FILE = "procore-sandbox.json"


def rest_routes() -> list[RouteSpec]:
    """Every route served under ``/rest/``, with the parameters each one requires."""
    specs = [
        *routes_company.routes(),
        *routes_projects.routes(),
        *routes_cost_codes.routes(),
        *routes_costs.routes(),
        *routes_webhooks.routes(),
        *routes_webhooks_v2.routes(),
        *routes_erp.routes(),
    ]
    return [
        replace(spec, requires=REQUIRED.get((spec.method, spec.path), spec.requires))
        for spec in specs
    ]


class ProcoreSandbox:
    """State and machinery of one simulator instance (no module-level state anywhere)."""

    def __init__(
        self,
        *,
        config: SandboxConfig | None = None,
        clock: Clock | None = None,
        webhook_client: httpx2.Client | None = None,
        data_dir: Path | None = None,
        seed: bool = True,
    ) -> None:
        self.config = config or SandboxConfig()
        self.clock: Clock = clock or WallClock()
        self.lock = threading.RLock()
        self.data_dir = data_dir
        self.limiter = RateLimiter(self.config.hourly_limit, self.config.spike_limit)
        self.world = World(self.config)
        self.unavailable: tuple[int, int] = (0, 0)
        """(requests still to refuse with 503, their Retry-After seconds)."""
        # Deliveries go straight to the hook's URL, never through proxies from the environment.
        self.delivery = WebhookDelivery(
            self.config, self.lock, webhook_client or httpx2.Client(trust_env=False)
        )
        state = self.state_file
        if state is not None and state.exists():
            self.world.restore(state)
        elif seed:
            seed_world(self.world, self.clock.now())
            self.changed()

    # ---------------------------------------------------------------- state

    @property
    def state_file(self) -> Path | None:
        return None if self.data_dir is None else self.data_dir / STATE_FILE

    def changed(self) -> None:
        """Persist the world when a data dir is configured."""
        path = self.state_file
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.world.save(path)

    def reset(self, *, keep_tokens: bool = False) -> None:
        """Back to the seed world; ``keep_tokens`` keeps issued tokens and codes."""
        with self.lock:
            old = self.world
            self.world = World(self.config)
            seed_world(self.world, self.clock.now())
            if keep_tokens:
                self.world.codes = old.codes
                self.world.access_tokens = old.access_tokens
                self.world.refresh_tokens = old.refresh_tokens
                self.world.revoked_tokens = old.revoked_tokens
            else:
                self.limiter.clear()
                self.unavailable = (0, 0)
                self.delivery.duplicates = False
            self.changed()

    def issue(self, user_id: int, client_id: str, *, refresh: bool) -> dict[str, Any]:
        """Mint an access token (and a refresh token for the authorization-code grant)."""
        now = self.clock.now()
        access = secrets.token_urlsafe(32)
        body: dict[str, Any] = {
            "access_token": access,
            "token_type": "bearer",
            "expires_in": self.config.access_token_seconds,
            "created_at": int(now.timestamp()),
        }
        refresh_token = None
        if refresh:
            refresh_token = secrets.token_urlsafe(32)
            self.world.refresh_tokens[refresh_token] = (user_id, client_id)
            body["refresh_token"] = refresh_token
        self.world.access_tokens[access] = IssuedToken(
            user_id,
            client_id,
            now + timedelta(seconds=self.config.access_token_seconds),
            refresh_token,
        )
        self.changed()
        return body

    def deliver_due(self) -> list[dict[str, Any]]:
        """Send every webhook delivery that is due at the clock's now."""
        made = self.delivery.deliver_due(self.world, self.clock.now())
        if made:
            with self.lock:
                self.changed()
        return made

    # ---------------------------------------------------------------- gate

    def authenticate(self, request: Request) -> tuple[dict[str, Any], str]:
        header = request.headers.get("authorization", "")
        if not header.lower().startswith("bearer ") or not header[7:].strip():
            raise Unauthorized("An access token is required: send Authorization: Bearer <token>")
        token = header[7:].strip()
        users = self.world.table("users")
        if self.config.accept_demo_tokens:
            for user in users.values():
                if user.get("_token") == token:
                    return user, "demo"
        issued = self.world.access_tokens.get(token)
        if (
            issued is None
            or token in self.world.revoked_tokens
            or issued.expires_at <= self.clock.now()
        ):
            raise Unauthorized("The access token is invalid")
        owner = users.get(issued.user_id)
        if owner is None or not owner.get("is_active"):
            raise Unauthorized("The access token is invalid")
        return owner, issued.client_id

    def company_header(self, request: Request, user: dict[str, Any], spec: RouteSpec) -> int | None:
        raw = request.headers.get("procore-company-id")
        if raw is None or not raw.strip():
            scoped = any(
                request.query_params.get(name) not in (None, "")
                for name in spec.company_header_when
            )
            if spec.company_header or scoped:
                raise BadRequest("Missing Procore-Company-Id header!")
            return None
        try:
            cid = int(raw)
        except ValueError as exc:
            raise BadRequest(
                f"Procore-Company-Id must be a company id (an integer); got {raw!r}"
            ) from exc
        if cid not in self.world.table("companies") or user.get("_company_id") != cid:
            raise Forbidden("App is not connected to this company")
        return cid

    def handle(self, spec: RouteSpec, request: Request, raw: bytes) -> Response:
        now = self.clock.now()
        rate: dict[str, str] = {}
        left, retry_after = self.unavailable
        if left > 0:
            # "503 Service Unavailable with Retry-After is returned under heavy-load
            # throttling" (spec §1.5, D-rate); switched on by /_sandbox/unavailable.
            self.unavailable = (left - 1, retry_after)
            return JSONResponse(
                {"message": "Service Unavailable: the server is under heavy load"},
                status_code=503,
                headers={"Retry-After": str(retry_after)},
            )
        try:
            user, app_id = self.authenticate(request)
            rate = self.limiter.hit(f"{app_id}:{user['id']}", now)
            company_id = self.company_header(request, user, spec)
            body: Any = None
            if raw.strip():
                try:
                    body = jsonbody.loads(raw)
                except jsonbody.JsonRefused as exc:
                    raise BadRequest(f"the request body is not valid JSON: {exc}") from exc

            def emit(
                cid: int, pid: int | None, resource: str, event: str, rid: int, uid: int
            ) -> None:
                emit_event(
                    self.world,
                    now,
                    company_id=cid,
                    project_id=pid,
                    resource_name=resource,
                    event_type=event,
                    resource_id=rid,
                    user_id=uid,
                    application_id=app_id,
                )

            spec.check_required(request.query_params, body)
            call = Call(request, self.world, self.config, now, user, company_id, body, emit)
            reply = spec.handler(call)
            if spec.mutating:
                self.changed()
        except ApiError as exc:
            return JsonReply(exc.body(), status_code=exc.status, headers={**rate, **exc.headers})
        headers = {**rate, **reply.headers}
        if reply.status == 204:
            return Response(status_code=204, headers=headers)
        return JsonReply(reply.body, status_code=reply.status, headers=headers)


def _endpoint(sandbox: ProcoreSandbox, spec: RouteSpec) -> Callable[[Request], Any]:
    async def endpoint(request: Request) -> Response:
        raw = await request.body()
        with sandbox.lock:
            return sandbox.handle(spec, request, raw)

    return endpoint


def openapi(routes: list[tuple[str, str, str]]) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for method, path, summary in routes:
        paths.setdefault(path, {})[method.lower()] = {"summary": summary}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Procore sandbox (procore-qb)", "version": "1"},
        "paths": paths,
    }


def create_app(sandbox: ProcoreSandbox | None = None) -> Starlette:
    """The simulator app; ``app.state.sandbox`` is its :class:`ProcoreSandbox`."""
    sandbox = sandbox or ProcoreSandbox()
    routes: list[Route] = []
    listed: list[tuple[str, str, str]] = []
    for path, methods, endpoint in oauth_routes(sandbox):
        routes.append(Route(path, endpoint, methods=methods))
        listed += [(m, path, "OAuth 2.0") for m in methods]
    for spec in rest_routes():
        routes.append(Route(spec.path, _endpoint(sandbox, spec), methods=[spec.method]))
        listed.append((spec.method, spec.path, spec.summary))
    for method, path, endpoint, summary in control_routes(sandbox):
        routes.append(Route(path, endpoint, methods=[method]))
        listed.append((method, path, summary))
    document = openapi(listed)

    async def openapi_json(request: Request) -> Response:
        return JSONResponse(document)

    routes.append(Route("/openapi.json", openapi_json, methods=["GET"]))
    routes += console_routes(sandbox, rest_routes())  # the browser console, /_sandbox/console
    app = Starlette(routes=routes)
    app.state.sandbox = sandbox
    return app
