"""Sandbox controls, under ``/_sandbox/`` only — never mixed with Procore's own paths.

* ``POST /_sandbox/reset`` — forget everything (records, tokens, rate-limit windows, webhook
  queues) and load the seed world again;
* ``POST /_sandbox/reseed`` — load the seed world's records again but keep issued tokens, so
  signed-in clients stay signed in;
* ``GET /_sandbox/clock`` and ``POST /_sandbox/clock/advance`` ``{"seconds": N}`` — read or move
  the simulator's clock (token expiry, rate-limit windows, webhook retries follow it);
* ``POST /_sandbox/webhooks/deliver`` — send every webhook delivery that is due now;
* ``GET /_sandbox/webhooks/deliveries`` and ``GET /_sandbox/webhooks/events`` — inspect every
  delivery attempt and every queued event;
* ``POST /_sandbox/projects/bulk`` ``{"count": N, "name_prefix": "..."}`` — create many projects
  at once (for paging tests and benchmarks);
* ``POST /_sandbox/bulk`` ``{"size": N}`` — add the N projects of ``seed.bulk_world(N)`` in one
  call (the same records for the same N, counted against no caller's rate limit);
* ``PUT /_sandbox/rate-limits`` ``{"hourly_limit": N, "spike_limit": M}`` — change the limits;
* ``POST /_sandbox/erp/requests`` ``{"request_name": "create_or_update_job", "request_data":
  {...}, "details": [{"item_type": "project", "item_id": 2001}], "user_id": 101}`` — play the
  Accounting Approver pressing an ERP Integrations button: make an ERP Request with its Request
  Details (``in_progress``) and raise the ``ERP Requests``/``create`` webhook event (spec §3.1,
  §5.8); each detail's id is written into ``request_data`` as ``request_detail_id`` (into the one
  object, or into each element of a list with one element per detail);
* ``PUT /_sandbox/webhooks/duplicates`` ``{"enabled": true}`` — send every delivered event twice,
  as Procore may (spec §1.8), to test a receiver's de-duplication;
* ``GET /_sandbox/erp/request_details`` — every request detail with its status and messages;
* ``GET /_sandbox/erp/staged``; ``POST /_sandbox/erp/staged/{id}/import`` (the approver adds a
  staged job to Procore: a synced project on the ERP cost code list, and a
  ``create_job_in_procore`` ERP Request), ``…/archive`` and ``…/restore`` (spec §3.5 statuses);
* ``PUT /_sandbox/unavailable`` ``{"count": N, "retry_after": S}`` — answer the next N REST
  requests with 503 and ``Retry-After: S``, as Procore does under heavy load (spec §1.5).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from procore_qb.sandbox import jsonbody, seed
from procore_qb.sandbox.procore.fields import render_time
from procore_qb.sandbox.procore.routes_erp import (
    import_staged_project,
    make_erp_request,
    render_detail,
    render_request,
    render_staged,
)
from procore_qb.sandbox.procore.seeding import load_bulk, new_project_record

if TYPE_CHECKING:
    from procore_qb.sandbox.procore.app import ProcoreSandbox

__all__ = ["control_routes"]

MAX_BULK = 100_000


def _problem(message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": "bad_request", "message": message}}, status_code=400)


async def _json(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        data = jsonbody.loads(raw)
    except jsonbody.JsonRefused:
        return {"__invalid__": True}
    return data if isinstance(data, dict) else {"__invalid__": True}


def _positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _public(record: dict[str, Any]) -> dict[str, Any]:
    out = {k: render_time(v) for k, v in record.items() if not k.startswith("_")}
    if "_hook_id" in record:
        out["hook_id"] = record["_hook_id"]
    return out


def control_routes(sandbox: ProcoreSandbox) -> list[tuple[str, str, Any, str]]:
    """(method, path, endpoint, summary) of every control."""

    async def reset(request: Request) -> Response:
        sandbox.reset()
        return JSONResponse({"reset": True, "now": render_time(sandbox.clock.now())})

    async def reseed(request: Request) -> Response:
        sandbox.reset(keep_tokens=True)
        return JSONResponse({"reseeded": True, "now": render_time(sandbox.clock.now())})

    async def clock(request: Request) -> Response:
        return JSONResponse({"now": render_time(sandbox.clock.now())})

    async def advance(request: Request) -> Response:
        body = await _json(request)
        seconds = body.get("seconds")
        if not isinstance(seconds, int | float) or isinstance(seconds, bool) or seconds < 0:
            return _problem('send {"seconds": N} with N >= 0')
        with sandbox.lock:
            now = sandbox.clock.advance(float(seconds))
        return JSONResponse({"now": render_time(now)})

    def deliver(request: Request) -> Response:
        # A plain function: Starlette runs it in a worker thread, so a receiver in the same
        # process can call back into the simulator while its delivery is in flight.
        made = sandbox.deliver_due()
        return JSONResponse({"deliveries": [_public(d) for d in made]})

    async def deliveries(request: Request) -> Response:
        with sandbox.lock:
            rows = [_public(d) for d in sandbox.world.table("deliveries").values()]
        return JSONResponse(rows)

    async def events(request: Request) -> Response:
        with sandbox.lock:
            rows = [_public(e) for e in sandbox.world.table("events").values()]
        return JSONResponse(rows)

    async def bulk_projects(request: Request) -> Response:
        body = await _json(request)
        count = body.get("count")
        prefix = body.get("name_prefix", "Bulk Project")
        if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_BULK:
            return _problem(f'send {{"count": N}} with 1 <= N <= {MAX_BULK}')
        if not isinstance(prefix, str):
            return _problem("name_prefix must be a string")
        with sandbox.lock:
            world = sandbox.world
            company = next(iter(world.table("companies").values()))
            now = sandbox.clock.now()
            ids = []
            for n in range(1, count + 1):
                record = new_project_record(company["id"], now)
                record.update(
                    name=f"{prefix} {n}",
                    display_name=f"{prefix} {n}",
                    project_number=f"B-{n:06d}",
                    country_code="US",
                )
                ids.append(world.insert("projects", record, now)["id"])
            sandbox.changed()
        return JSONResponse(
            {"created": len(ids), "first_id": ids[0], "last_id": ids[-1]}, status_code=201
        )

    async def bulk(request: Request) -> Response:
        body = await _json(request)
        size: Any = body.get("size")
        if not _positive_int(size) or size > seed.BULK_MAX:
            return _problem(f'send {{"size": N}} with 1 <= N <= {seed.BULK_MAX}')
        with sandbox.lock:
            try:
                added = load_bulk(sandbox.world, sandbox.clock.now(), size)
            except ValueError as exc:
                return JSONResponse(
                    {"error": {"code": "conflict", "message": str(exc)}}, status_code=409
                )
            sandbox.changed()
        return JSONResponse({"size": size, "added": added}, status_code=201)

    async def rate_limits(request: Request) -> Response:
        body = await _json(request)
        hourly: Any = body.get("hourly_limit")
        spike: Any = body.get("spike_limit")
        if not (_positive_int(hourly) and _positive_int(spike)):
            return _problem('send {"hourly_limit": N, "spike_limit": M}, both >= 1')
        with sandbox.lock:
            sandbox.limiter.hourly_limit = int(hourly)
            sandbox.limiter.spike_limit = int(spike)
            sandbox.limiter.clear()
        return JSONResponse({"hourly_limit": hourly, "spike_limit": spike})

    async def unavailable(request: Request) -> Response:
        body = await _json(request)
        count: Any = body.get("count")
        retry_after: Any = body.get("retry_after", 1)
        if not (_positive_int(count) or count == 0) or not _positive_int(retry_after):
            return _problem('send {"count": N, "retry_after": S} with N >= 0 and S >= 1')
        with sandbox.lock:
            sandbox.unavailable = (int(count), int(retry_after))
        return JSONResponse({"count": count, "retry_after": retry_after})

    async def erp_request(request: Request) -> Response:
        body = await _json(request)
        name = body.get("request_name")
        data: Any = body.get("request_data", {})
        details: Any = body.get("details", [])
        user_id: Any = body.get("user_id", 101)
        if not isinstance(name, str) or not name:
            return _problem("request_name is required, e.g. 'create_or_update_job'")
        if not isinstance(data, dict | list):
            return _problem("request_data must be an object or a list")
        if not isinstance(details, list) or not all(isinstance(d, dict) for d in details):
            return _problem('details must be a list like [{"item_type": "project", "item_id": 1}]')
        if isinstance(data, list) and details and len(data) != len(details):
            return _problem("a list request_data needs one element per detail")
        with sandbox.lock:
            user = sandbox.world.table("users").get(user_id) if isinstance(user_id, int) else None
            if user is None:
                return _problem(f"user_id {user_id!r} is not a sandbox user")
            record, made = make_erp_request(
                sandbox.world, sandbox.clock.now(), user, name, data, details
            )
            sandbox.changed()
            return JSONResponse(
                {"request": render_request(record), "details": [render_detail(d) for d in made]},
                status_code=201,
            )

    def _staged(request: Request) -> dict[str, Any] | None:
        try:
            rid = int(request.path_params["id"])
        except ValueError:
            return None
        return sandbox.world.table("erp_staged_projects").get(rid)

    async def staged(request: Request) -> Response:
        with sandbox.lock:
            rows = [render_staged(r) for r in sandbox.world.table("erp_staged_projects").values()]
        return JSONResponse(rows)

    async def import_staged(request: Request) -> Response:
        body = await _json(request)
        user_id: Any = body.get("user_id", 101)
        with sandbox.lock:
            record = _staged(request)
            user = sandbox.world.table("users").get(user_id) if isinstance(user_id, int) else None
            if record is None or user is None:
                return _problem("unknown staged record or user_id")
            if record["status"] != "staged":
                return _problem(
                    f"only a staged record can be imported; this one is {record['status']}"
                )
            project, erp = import_staged_project(sandbox.world, sandbox.clock.now(), record, user)
            sandbox.changed()
            return JSONResponse(
                {"project_id": project["id"], "request": render_request(erp)}, status_code=201
            )

    def _set_status(status: str, allowed: str) -> Any:
        async def endpoint(request: Request) -> Response:
            with sandbox.lock:
                record = _staged(request)
                if record is None:
                    return _problem("unknown staged record")
                if record["status"] != allowed:
                    return _problem(
                        f"only a {allowed} record can become {status}; this one is "
                        f"{record['status']}"
                    )
                record["status"] = status
                sandbox.world.touch("erp_staged_projects", record, sandbox.clock.now())
                sandbox.changed()
                return JSONResponse(render_staged(record))

        return endpoint

    async def duplicates(request: Request) -> Response:
        body = await _json(request)
        enabled = body.get("enabled")
        if not isinstance(enabled, bool):
            return _problem('send {"enabled": true} or {"enabled": false}')
        sandbox.delivery.duplicates = enabled
        return JSONResponse({"enabled": enabled})

    async def erp_details(request: Request) -> Response:
        with sandbox.lock:
            rows = [render_detail(d) for d in sandbox.world.table("erp_request_details").values()]
        return JSONResponse(rows)

    return [
        ("POST", "/_sandbox/reset", reset, "Sandbox: back to the seed world"),
        ("POST", "/_sandbox/reseed", reseed, "Sandbox: reload seed records, keep tokens"),
        ("GET", "/_sandbox/clock", clock, "Sandbox: the simulator's clock"),
        ("POST", "/_sandbox/clock/advance", advance, "Sandbox: move the clock forward"),
        ("POST", "/_sandbox/webhooks/deliver", deliver, "Sandbox: send due webhook deliveries"),
        ("GET", "/_sandbox/webhooks/deliveries", deliveries, "Sandbox: every delivery attempt"),
        ("GET", "/_sandbox/webhooks/events", events, "Sandbox: every queued webhook event"),
        ("POST", "/_sandbox/projects/bulk", bulk_projects, "Sandbox: create many projects"),
        ("POST", "/_sandbox/bulk", bulk, "Sandbox: load the bulk data set of a size"),
        ("PUT", "/_sandbox/rate-limits", rate_limits, "Sandbox: change the rate limits"),
        ("PUT", "/_sandbox/unavailable", unavailable, "Sandbox: answer 503 for a while"),
        ("PUT", "/_sandbox/webhooks/duplicates", duplicates, "Sandbox: deliver events twice"),
        ("POST", "/_sandbox/erp/requests", erp_request, "Sandbox: an ERP Integrations button"),
        ("GET", "/_sandbox/erp/request_details", erp_details, "Sandbox: ERP request details"),
        ("GET", "/_sandbox/erp/staged", staged, "Sandbox: staged ERP projects"),
        (
            "POST",
            "/_sandbox/erp/staged/{id}/import",
            import_staged,
            "Sandbox: the approver adds a staged job to Procore",
        ),
        (
            "POST",
            "/_sandbox/erp/staged/{id}/archive",
            _set_status("archived", "staged"),
            "Sandbox: archive a staged job",
        ),
        (
            "POST",
            "/_sandbox/erp/staged/{id}/restore",
            _set_status("staged", "archived"),
            "Sandbox: restore an archived job",
        ),
    ]
