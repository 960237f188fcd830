"""Webhooks at Procore's REST v2.0 company paths (spec procore-api.md §1.1, §1.8; S-postman).

v2.0 conventions (D-v2): paths under ``/rest/v2.0/companies/{company_id}/…``; successful answers
wrapped in ``{"data": …}``; ids are strings; paging is on by default with 10 items a page and at
most 100, with the same ``Per-Page``/``Total``/``Link`` headers. Bodies are flat (S-postman):
a hook is ``{"destination_url", "payload_version", "namespace", "destination_headers"}``, a
trigger ``{"resource_name", "event_type"}``, bulk trigger creation a bare array of those, bulk
deletion a bare array of trigger ids. ``payload_version`` is ``v2.0``, ``v3.0`` or ``v4.0``.
Hooks made here and through v1.0 are the same hooks, and share the delivery queue; the other
rules (namespace, destination URL, trigger pairs, 'Admin' on ERP Integrations to write) are those
of ``routes_webhooks``. Deliveries filter on ``filter[status]``, ``filter[resource_name]`` and
``filter[event_type]``.
"""

from __future__ import annotations

from typing import Any

from procore_qb.sandbox.procore.core import Call, Reply, RouteSpec, require_fields
from procore_qb.sandbox.procore.errors import BadRequest, NotFound, Unprocessable
from procore_qb.sandbox.procore.fields import clean, render_time
from procore_qb.sandbox.procore.listing import page_of
from procore_qb.sandbox.procore.permissions import require
from procore_qb.sandbox.procore.routes_webhooks import (
    STATUS_OUTCOMES,
    check_hook_values,
    delete_hook_record,
    new_trigger,
)
from procore_qb.sandbox.procore.webhooks import RESOURCE_NAMES

__all__ = ["PAYLOAD_VERSIONS", "V2_HOOK_FIELDS", "routes"]

V2 = "/rest/v2.0/companies/{company_id}/webhooks"
PAYLOAD_VERSIONS = ("v2.0", "v3.0", "v4.0")
V2_HOOK_FIELDS = {
    "destination_url": "str",
    "payload_version": "str",
    "namespace": "str",
    "destination_headers": "dict",
}


def _data(call: Call, rows: list[dict[str, Any]], render: Any) -> Reply:
    chunk, headers = page_of(
        rows, call.request.url, call.query, default_per_page=10, max_per_page=100
    )
    return Reply({"data": [render(r) for r in chunk]}, headers=headers)


def _render_hook(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(record["id"]),
        "namespace": record["namespace"],
        "destination_url": record["destination_url"],
        "destination_headers": record.get("destination_headers") or {},
        "payload_version": record["payload_version"],
        "owned_by_company_id": str(record["_company_id"]),
        "created_at": render_time(record["created_at"]),
        "updated_at": render_time(record["updated_at"]),
    }


def _render_trigger(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(record["id"]),
        "resource_name": record["resource_name"],
        "event_type": record["event_type"],
    }


def _company(call: Call) -> int:
    return int(call.company_by_id(call.path_int("company_id"))["id"])


def _hook(call: Call, key: str) -> dict[str, Any]:
    cid = _company(call)
    hook = call.record("hooks", call.path_int(key), "webhook hook")
    if hook["_company_id"] != cid or hook.get("_project_id") is not None:
        raise NotFound(f"company {cid} has no webhook hook {hook['id']}")
    return hook


def _hook_values(values: dict[str, Any]) -> dict[str, Any]:
    version = values.get("payload_version")
    if version is not None and version not in PAYLOAD_VERSIONS:
        raise Unprocessable(
            {"payload_version": [f"must be one of {', '.join(PAYLOAD_VERSIONS)}; got {version!r}"]}
        )
    check_hook_values(values)
    return values


def list_hooks(call: Call) -> Reply:
    cid = _company(call)
    namespace = call.query.get("namespace")
    version = call.query.get("payload_version")
    rows = [
        h
        for h in call.world.table("hooks").values()
        if h["_company_id"] == cid
        and h.get("_project_id") is None
        and (namespace is None or h["namespace"] == namespace)
        and (version is None or h["payload_version"] == version)
    ]
    return _data(call, rows, _render_hook)


def show_hook(call: Call) -> Reply:
    return Reply({"data": _render_hook(_hook(call, "id"))})


def create_hook(call: Call) -> Reply:
    cid = _company(call)
    require(call.user, "company", "erp_integrations", "admin", "manage webhooks")
    values = _hook_values(clean(call.body_object(), V2_HOOK_FIELDS))
    require_fields(values, "namespace", "destination_url")
    version = values.pop("payload_version", None) or "v4.0"
    record = call.world.insert(
        "hooks",
        {
            "_company_id": cid,
            "_project_id": None,
            "api_version": version,
            "payload_version": version,
            "destination_headers": {},
            **values,
        },
        call.now,
    )
    return Reply({"data": _render_hook(record)}, status=201)


def update_hook(call: Call) -> Reply:
    hook = _hook(call, "id")
    require(call.user, "company", "erp_integrations", "admin", "manage webhooks")
    values = _hook_values(clean(call.body_object(), V2_HOOK_FIELDS))
    if "payload_version" in values:
        values["api_version"] = values["payload_version"]
    hook.update(values)
    call.world.touch("hooks", hook, call.now)
    return Reply({"data": _render_hook(hook)})


def delete_hook(call: Call) -> Reply:
    hook = _hook(call, "id")
    require(call.user, "company", "erp_integrations", "admin", "manage webhooks")
    delete_hook_record(call, hook)
    return Reply(None, status=204)


def list_triggers(call: Call) -> Reply:
    hook = _hook(call, "hook_id")
    rows = [t for t in call.world.table("triggers").values() if t["_hook_id"] == hook["id"]]
    return _data(call, rows, _render_trigger)


def create_trigger(call: Call) -> Reply:
    hook = _hook(call, "hook_id")
    require(call.user, "company", "erp_integrations", "admin", "manage webhooks")
    return Reply({"data": _render_trigger(new_trigger(call, hook, call.body_object()))}, status=201)


def bulk_create_triggers(call: Call) -> Reply:
    hook = _hook(call, "hook_id")
    require(call.user, "company", "erp_integrations", "admin", "manage webhooks")
    if not isinstance(call.body, list):
        raise BadRequest('the body is a JSON array: [{"resource_name", "event_type"}, ...]')
    made, errors = [], []
    for item in call.body:
        try:
            made.append(_render_trigger(new_trigger(call, hook, item)))
        except Unprocessable as exc:
            errors.append({**(item if isinstance(item, dict) else {}), "errors": exc.errors})
    return Reply({"data": {"entities": made, "errors": errors}}, status=201)


def bulk_delete_triggers(call: Call) -> Reply:
    hook = _hook(call, "hook_id")
    require(call.user, "company", "erp_integrations", "admin", "manage webhooks")
    if not isinstance(call.body, list):
        raise BadRequest("the body is a JSON array of trigger ids")
    for raw in call.body:
        try:
            trigger = call.world.table("triggers").get(int(raw))
        except (TypeError, ValueError):
            trigger = None
        if trigger is not None and trigger["_hook_id"] == hook["id"]:
            call.world.delete("triggers", trigger)
    return Reply(None, status=204)


def delete_trigger(call: Call) -> Reply:
    hook = _hook(call, "hook_id")
    require(call.user, "company", "erp_integrations", "admin", "manage webhooks")
    trigger = call.record("triggers", call.path_int("id"), "webhook trigger")
    if trigger["_hook_id"] != hook["id"]:
        raise NotFound(f"hook {hook['id']} has no trigger {trigger['id']}")
    call.world.delete("triggers", trigger)
    return Reply(None, status=204)


def list_deliveries(call: Call) -> Reply:
    hook = _hook(call, "hook_id")
    status = call.query.get("filter[status]", "any")
    if status not in STATUS_OUTCOMES:
        raise BadRequest("filter[status] must be any, successful, failing or discarded")
    wanted = STATUS_OUTCOMES[status]
    resource = call.query.get("filter[resource_name]")
    event_type = call.query.get("filter[event_type]")

    def matches(d: dict[str, Any]) -> bool:
        event = d.get("event") or {}
        return (
            d["_hook_id"] == hook["id"]
            and (wanted is None or d["outcome"] in wanted)
            and resource in (None, event.get("resource_name"), event.get("resource_type"))
            and event_type in (None, event.get("event_type"), event.get("reason"))
        )

    rows = [d for d in call.world.table("deliveries").values() if matches(d)]
    return _data(
        call,
        rows,
        lambda d: {
            **{k: render_time(v) for k, v in d.items() if not k.startswith("_")},
            "id": str(d["id"]),
        },
    )


def list_resources(call: Call) -> Reply:
    _company(call)
    _hook_values({"payload_version": call.query.get("payload_version")})
    rows = [{"id": n, "name": name} for n, name in enumerate(RESOURCE_NAMES)]
    return _data(
        call, rows, lambda r: {"name": r["name"], "event_types": ["create", "update", "delete"]}
    )


def routes() -> list[RouteSpec]:
    return [
        RouteSpec("GET", f"{V2}/resources", list_resources, "List Company Webhooks Resources"),
        RouteSpec("GET", f"{V2}/hooks", list_hooks, "List Company Webhooks Hooks"),
        RouteSpec(
            "POST", f"{V2}/hooks", create_hook, "Create Company Webhooks Hook", mutating=True
        ),
        RouteSpec(
            "GET",
            f"{V2}/hooks/{{hook_id}}/triggers",
            list_triggers,
            "List Company Webhooks Triggers",
        ),
        RouteSpec(
            "POST",
            f"{V2}/hooks/{{hook_id}}/triggers/bulk",
            bulk_create_triggers,
            "Bulk Create Company Webhooks Triggers",
            mutating=True,
        ),
        RouteSpec(
            "DELETE",
            f"{V2}/hooks/{{hook_id}}/triggers/bulk",
            bulk_delete_triggers,
            "Bulk Delete Company Webhooks Triggers",
            mutating=True,
        ),
        RouteSpec(
            "POST",
            f"{V2}/hooks/{{hook_id}}/triggers",
            create_trigger,
            "Create Company Webhooks Triggers",
            mutating=True,
        ),
        RouteSpec(
            "DELETE",
            f"{V2}/hooks/{{hook_id}}/triggers/{{id}}",
            delete_trigger,
            "Delete Company Webhooks Trigger",
            mutating=True,
        ),
        RouteSpec(
            "GET",
            f"{V2}/hooks/{{hook_id}}/deliveries",
            list_deliveries,
            "List Company Webhooks Deliveries",
        ),
        RouteSpec("GET", f"{V2}/hooks/{{id}}", show_hook, "Retrieve a single webhook for company"),
        RouteSpec(
            "PATCH",
            f"{V2}/hooks/{{id}}",
            update_hook,
            "Update Company Webhooks Hook",
            mutating=True,
        ),
        RouteSpec(
            "DELETE",
            f"{V2}/hooks/{{id}}",
            delete_hook,
            "Delete Company Webhooks Hook",
            mutating=True,
        ),
    ]
