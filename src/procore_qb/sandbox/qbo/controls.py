"""Sandbox controls under ``/_sandbox/``: not part of QuickBooks Online, for tests and demos.

- ``GET  /_sandbox``                                 company ids, clock, configuration
- ``POST /_sandbox/reset``                           an empty company (CompanyInfo, Preferences)
- ``POST /_sandbox/seed``                            back to the seed world
- ``POST /_sandbox/bulk``  ``{"size": n, "realm_id"?}``  add ``seed.bulk_world(n)`` in one call:
  n customers with a job each, n bills, n/10 vendors and items; counts against no throttle
- ``POST /_sandbox/clock/advance``  ``{"seconds": n}``  move a manual clock forward
- ``POST /_sandbox/config``         ``{"field": value}`` change limits (see ``SimulatorConfig``)
- ``POST /_sandbox/companies``  ``{"realm_id", "seed"}``  another company (empty or seeded)
- ``POST /_sandbox/tokens``  ``{"realm_id"?}``         tokens for a company, no browser
- ``POST /_sandbox/tokens/expire``                   forget all access tokens (as after an hour)
- ``POST /_sandbox/faults``  ``{"status", "count", "when", "match"}``  fail the next calls
  (``when``: "before" the work, or "after" it, as a lost answer); ``GET`` lists, ``DELETE``
  clears (see ``injected.py``)
- ``GET  /_sandbox/webhooks``                        webhook notifications and their attempts
- ``POST /_sandbox/webhooks/deliver``                send the notifications that are due
- ``GET  /_sandbox/companies/{realm}/{Entity}``      every record, inactive ones included
- ``POST /_sandbox/companies/{realm}/{Entity}``      ``{"operation": "create"|"update"|"delete"|
  "void", "entity": {...}}``: change data as a QuickBooks user would, through the same rules (no
  SyncToken needed; updates are sparse; "void" zeroes a transaction's amounts as the QuickBooks
  Online screens do), with webhooks and CDC entries
"""

from __future__ import annotations

import copy
import dataclasses
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from procore_qb.sandbox import jsonbody
from procore_qb.sandbox import seed as seed_data
from procore_qb.sandbox.qbo import faults
from procore_qb.sandbox.qbo.clock import format_time
from procore_qb.sandbox.qbo.config import SimulatorConfig
from procore_qb.sandbox.qbo.entities import Context, spec_by_name
from procore_qb.sandbox.qbo.errors import QboFault, SimulatorError
from procore_qb.sandbox.qbo.injected import InjectedFailure
from procore_qb.sandbox.qbo.operations import ChangeEvent, create, delete, render, update, void

if TYPE_CHECKING:
    from procore_qb.sandbox.qbo.simulator import Simulator

__all__ = ["control_routes"]

FIELD_TYPES = {field.name: field.type for field in dataclasses.fields(SimulatorConfig)}


def _setting(key: str, value: Any) -> Any:
    """``value`` checked against the declared type of ``SimulatorConfig.<key>``."""
    if key not in FIELD_TYPES:
        raise ValueError(f"unknown setting {key!r}; settable: {sorted(FIELD_TYPES)}")
    declared = str(FIELD_TYPES[key])
    if value is None:
        if "None" not in declared:
            raise ValueError(f"{key} cannot be null")
        return None
    if declared.startswith("tuple"):
        if not isinstance(value, list) or not all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in value
        ):
            raise ValueError(f"{key} must be a list of numbers")
        return tuple(float(v) for v in value)
    if declared.startswith("bool"):
        if not isinstance(value, bool):
            raise ValueError(f"{key} must be true or false")
        return value
    if declared.startswith("float"):
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise ValueError(f"{key} must be a number")
        return float(value)
    if declared.startswith("int"):
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueError(f"{key} must be an integer")
        return value
    if not isinstance(value, str):
        raise ValueError(f"{key} must be a string")
    return value


def _problem(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw:
        return {}
    data = jsonbody.loads(raw)
    if not isinstance(data, dict):
        raise ValueError("send a JSON object")
    return data


def control_routes(sim: Simulator) -> list[Route]:
    async def describe(request: Request) -> Response:
        config = dataclasses.asdict(sim.config)
        return JSONResponse({**sim.describe(), "config": config})

    async def reset(request: Request) -> Response:
        sim.reset(seed=False)
        return JSONResponse(sim.describe())

    async def reseed(request: Request) -> Response:
        sim.reset(seed=True)
        return JSONResponse(sim.describe())

    async def bulk(request: Request) -> Response:
        try:
            data = await _body(request)
            size = data.get("size")
            realm_id = data.get("realm_id")
            if realm_id is not None and not isinstance(realm_id, str):
                raise ValueError("realm_id must be a string")
            if isinstance(size, bool) or not isinstance(size, int):
                raise ValueError(f'send {{"size": N}} with N from 1 to {seed_data.BULK_MAX}')
            added = sim.load_bulk(size, realm_id)
        except ValueError as exc:
            status = 409 if "already holds" in str(exc) else 400
            return _problem(status, f"bulk: {exc}")
        except QboFault as fault:
            return JSONResponse(
                faults.fault_body(fault, format_time(sim.clock.now())), status_code=fault.status
            )
        return JSONResponse({"size": size, "added": added})

    async def advance(request: Request) -> Response:
        try:
            seconds = float((await _body(request))["seconds"])
            now = sim.advance(seconds)
        except (KeyError, ValueError, TypeError) as exc:
            return _problem(409 if "clock" in str(exc) else 400, f"advance: {exc}")
        return JSONResponse({"now": now})

    async def configure(request: Request) -> Response:
        try:
            changes = await _body(request)
            updates = {key: _setting(key, value) for key, value in changes.items()}
        except ValueError as exc:
            return _problem(400, str(exc))
        for key, value in updates.items():
            setattr(sim.config, key, value)
        return JSONResponse(dataclasses.asdict(sim.config))

    async def tokens(request: Request) -> Response:
        try:
            realm_id = str((await _body(request)).get("realm_id", sim.config.realm_id))
        except ValueError as exc:
            return _problem(400, str(exc))
        if realm_id not in sim.realms:
            return _problem(404, f"there is no company {realm_id} in this sandbox")
        with sim.lock:
            answer = sim.oauth.issue(realm_id, sim.clock.now())
            sim.save()
        return JSONResponse({**answer, "realmId": realm_id})

    async def add_company(request: Request) -> Response:
        try:
            data = await _body(request)
            sim.add_company(str(data.get("realm_id", "")), seed=bool(data.get("seed", False)))
        except ValueError as exc:
            return _problem(400, str(exc))
        return JSONResponse(sim.describe())

    async def expire(request: Request) -> Response:
        with sim.lock:
            count = sim.oauth.expire_access_tokens()
            sim.save()
        return JSONResponse({"expired": count})

    async def add_failure(request: Request) -> Response:
        try:
            sim.injector.add(InjectedFailure.from_json(await _body(request)))
        except ValueError as exc:
            return _problem(400, str(exc))
        return JSONResponse({"pending": sim.injector.pending()})

    async def failures(request: Request) -> Response:
        return JSONResponse({"pending": sim.injector.pending()})

    async def clear_failures(request: Request) -> Response:
        sim.injector.clear()
        return JSONResponse({"pending": []})

    async def deliveries(request: Request) -> Response:
        return JSONResponse({"deliveries": sim.webhooks.deliveries()})

    async def deliver(request: Request) -> Response:
        try:
            return JSONResponse({"acknowledged": sim.deliver_due()})
        except SimulatorError as exc:
            return _problem(409, str(exc))

    async def records(request: Request) -> Response:
        realm_id = request.path_params["realm_id"]
        spec = spec_by_name(request.path_params["entity"])
        if spec is None or realm_id not in sim.realms:
            return _problem(404, "unknown company or entity")

        def action(ctx: Context, events: list[ChangeEvent]) -> list[dict[str, Any]]:
            return [render(ctx, spec, r) for r in ctx.realm.table(spec.name).values()]

        return JSONResponse({spec.name: sim.apply(realm_id, action)})

    async def change(request: Request) -> Response:
        realm_id = request.path_params["realm_id"]
        spec = spec_by_name(request.path_params["entity"])
        if spec is None or realm_id not in sim.realms:
            return _problem(404, "unknown company or entity")
        try:
            data = await _body(request)
        except ValueError as exc:
            return _problem(400, str(exc))
        operation = data.get("operation")
        entity = data.get("entity")
        if operation not in ("create", "update", "delete", "void") or not isinstance(entity, dict):
            return _problem(
                400, 'send {"operation": "create"|"update"|"delete"|"void", "entity": {...}}'
            )

        def action(ctx: Context, events: list[ChangeEvent]) -> dict[str, Any]:
            body = copy.deepcopy(entity)
            if operation == "create":
                body.pop("Id", None)
                return create(ctx, spec, body, events)
            current = ctx.get(spec.name, str(body.get("Id", "")))
            if current is None:
                raise faults.not_found(spec.name, str(body.get("Id", "")))
            body["SyncToken"] = current["SyncToken"]
            if operation == "delete":
                return delete(ctx, spec, body, events)
            if operation == "void":
                return void(ctx, spec, body, events)
            body["sparse"] = True
            return update(ctx, spec, body, events)

        try:
            result = sim.apply(realm_id, action)
        except QboFault as fault:
            return JSONResponse(
                faults.fault_body(fault, format_time(sim.clock.now())), status_code=fault.status
            )
        return JSONResponse({spec.name: result})

    return [
        Route("/_sandbox", describe, methods=["GET"]),
        Route("/_sandbox/reset", reset, methods=["POST"]),
        Route("/_sandbox/seed", reseed, methods=["POST"]),
        Route("/_sandbox/bulk", bulk, methods=["POST"]),
        Route("/_sandbox/clock/advance", advance, methods=["POST"]),
        Route("/_sandbox/config", configure, methods=["POST"]),
        Route("/_sandbox/tokens", tokens, methods=["POST"]),
        Route("/_sandbox/tokens/expire", expire, methods=["POST"]),
        Route("/_sandbox/faults", failures, methods=["GET"]),
        Route("/_sandbox/faults", add_failure, methods=["POST"]),
        Route("/_sandbox/faults", clear_failures, methods=["DELETE"]),
        Route("/_sandbox/webhooks", deliveries, methods=["GET"]),
        Route("/_sandbox/webhooks/deliver", deliver, methods=["POST"]),
        Route("/_sandbox/companies", add_company, methods=["POST"]),
        Route("/_sandbox/companies/{realm_id}/{entity}", records, methods=["GET"]),
        Route("/_sandbox/companies/{realm_id}/{entity}", change, methods=["POST"]),
    ]
