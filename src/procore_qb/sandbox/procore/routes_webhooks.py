"""Webhook hooks, triggers, deliveries and resources at Procore's v1.0 paths (spec §1.8).

Rules:

* a hook is scoped to a company (``company_id``) or a project (``project_id``), one of them
  required (S-postman: "You must supply either a company_id or project_id");
* ``namespace`` uses lowercase letters, digits and ``-`` (D-webhooks-api); ``destination_url`` is
  an https URL, as deliveries are HTTPS POSTs (D-webhooks) — plain http only to loopback here;
  ``api_version`` is ``v2``/``v2.0`` (legacy payload) or ``v4.0``;
* triggers name a webhook resource and ``event_type`` ``create``, ``update`` or ``delete``; a
  hook holds one trigger per pair;
* deliveries list with ``page_size`` (default 100) and ``page_start`` (the last id of the
  previous page) and ``filters[status]`` any/successful/failing/discarded (S-postman);
* managing webhooks needs 'Admin' on ERP Integrations (the service account has it).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from procore_qb.sandbox.procore.core import Call, Reply, RouteSpec, require_fields
from procore_qb.sandbox.procore.errors import BadRequest, Unprocessable
from procore_qb.sandbox.procore.fields import clean, render_time
from procore_qb.sandbox.procore.permissions import require
from procore_qb.sandbox.procore.webhooks import RESOURCE_NAMES

__all__ = ["STATUS_OUTCOMES", "check_hook_values", "delete_hook_record", "new_trigger", "routes"]

V0 = "/rest/v1.0/webhooks"
_NAMESPACE = re.compile(r"^[a-z0-9-]+$")
_VERSIONS = {"v2": "v2.0", "v2.0": "v2.0", "v4.0": "v4.0"}
EVENT_TYPES = ("create", "update", "delete")
HOOK_FIELDS = {
    "api_version": "str",
    "namespace": "str",
    "destination_url": "str",
    "destination_headers": "dict",
}


def _scope(call: Call) -> tuple[int, int | None]:
    pid = call.int_param("project_id", required=False)
    if pid is not None:
        project = call.project(pid)
        return project["_company_id"], pid
    if call.param("company_id") is None:
        raise BadRequest("pass either company_id or project_id to scope webhooks")
    return call.company()["id"], None


def _render_hook(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": record["id"],
        "owned_by_company_id": record["_company_id"],
        "owned_by_project_id": record.get("_project_id"),
        "api_version": record["api_version"],
        "payload_version": record["payload_version"],
        "namespace": record["namespace"],
        "destination_url": record["destination_url"],
        "destination_headers": record.get("destination_headers") or {},
        "created_at": render_time(record["created_at"]),
        "updated_at": render_time(record["updated_at"]),
    }


def _render_trigger(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": record["id"],
        "resource_name": record["resource_name"],
        "event_type": record["event_type"],
        "api_version": "v2.0",
    }


def _destination_ok(url: str) -> bool:
    # Procore delivers with an HTTPS POST (D-webhooks); the sandbox also allows plain HTTP to
    # loopback so a receiver on a developer machine can be reached.
    parts = urlsplit(url)
    if not parts.hostname or " " in url:
        return False
    return parts.scheme == "https" or (
        parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost")
    )


def check_hook_values(values: dict[str, Any]) -> None:
    """422 for a bad namespace, destination URL, API version or destination headers."""
    _hook_values(values)


def _hook_values(values: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    namespace = values.get("namespace")
    if namespace is not None and not _NAMESPACE.match(namespace):
        errors["namespace"] = [
            f"may contain only lowercase letters, digits and '-'; got {namespace!r}"
        ]
    url = values.get("destination_url")
    if url is not None and not _destination_ok(url):
        errors["destination_url"] = [
            "must be an https:// URL (plain http:// only to 127.0.0.1 or localhost in this "
            f"sandbox); got {url!r}"
        ]
    version = values.get("api_version")
    if version is not None and version not in _VERSIONS:
        errors["api_version"] = [f"must be v2 or v4.0; got {version!r}"]
    headers = values.get("destination_headers")
    if headers is not None and not all(
        isinstance(k, str) and isinstance(v, str) for k, v in headers.items()
    ):
        errors["destination_headers"] = ["must map header names to string values"]
    if errors:
        raise Unprocessable(errors)


def _hook(call: Call, key: str = "hook_id") -> dict[str, Any]:
    return call.record("hooks", call.path_int(key), "webhook hook")


def list_hooks(call: Call) -> Reply:
    cid, pid = _scope(call)
    namespace = call.query.get("namespace")
    rows = [
        h
        for h in call.world.table("hooks").values()
        if h["_company_id"] == cid
        and h.get("_project_id") == pid
        and (namespace is None or h["namespace"] == namespace)
    ]
    return Reply([_render_hook(h) for h in rows])


def create_hook(call: Call) -> Reply:
    cid, pid = _scope(call)
    require(call.user, "company", "erp_integrations", "admin", "manage webhooks")
    values = clean(call.body_object("hook"), HOOK_FIELDS)
    require_fields(values, "namespace", "destination_url")
    _hook_values(values)
    version = values.pop("api_version", None) or "v2"
    record = call.world.insert(
        "hooks",
        {
            "_company_id": cid,
            "_project_id": pid,
            "api_version": version,
            "payload_version": _VERSIONS[version],
            "destination_headers": {},
            **values,
        },
        call.now,
    )
    return Reply(_render_hook(record), status=201)


def update_hook(call: Call) -> Reply:
    require(call.user, "company", "erp_integrations", "admin", "manage webhooks")
    hook = call.record("hooks", call.path_int("id"), "webhook hook")
    values = clean(call.body_object("hook"), HOOK_FIELDS)
    _hook_values(values)
    if "api_version" in values:
        values["payload_version"] = _VERSIONS[values["api_version"]]
    hook.update(values)
    call.world.touch("hooks", hook, call.now)
    return Reply(_render_hook(hook))


def delete_hook(call: Call) -> Reply:
    require(call.user, "company", "erp_integrations", "admin", "manage webhooks")
    delete_hook_record(call, call.record("hooks", call.path_int("id"), "webhook hook"))
    return Reply(None, status=204)


def delete_hook_record(call: Call, hook: dict[str, Any]) -> None:
    """Remove a hook, its triggers and its queued events."""
    for event in [e for e in call.world.table("events").values() if e["_hook_id"] == hook["id"]]:
        call.world.delete("events", event)
    for trigger in [
        t for t in call.world.table("triggers").values() if t["_hook_id"] == hook["id"]
    ]:
        call.world.delete("triggers", trigger)
    call.world.delete("hooks", hook)


def new_trigger(call: Call, hook: dict[str, Any], values: Any) -> dict[str, Any]:
    """A trigger on ``hook``; 422 for an unknown resource, event type or a duplicate pair."""
    return _new_trigger(call, hook, values)


def _new_trigger(call: Call, hook: dict[str, Any], values: Any) -> dict[str, Any]:
    if not isinstance(values, dict):
        raise BadRequest('a trigger is {"resource_name": ..., "event_type": ...}')
    values = clean(values, {"resource_name": "str", "event_type": "str"})
    require_fields(values, "resource_name", "event_type")
    errors: dict[str, list[str]] = {}
    if values["resource_name"] not in RESOURCE_NAMES:
        errors["resource_name"] = [f"unknown resource; use one of {', '.join(RESOURCE_NAMES)}"]
    if values["event_type"] not in EVENT_TYPES:
        errors["event_type"] = ["must be create, update or delete"]
    for t in call.world.table("triggers").values():
        if (
            t["_hook_id"] == hook["id"]
            and t["resource_name"] == values["resource_name"]
            and t["event_type"] == values["event_type"]
        ):
            errors["resource_name"] = ["has already been taken for this event type on this hook"]
    if errors:
        raise Unprocessable(errors)
    return call.world.insert(
        "triggers",
        {"_hook_id": hook["id"], "_company_id": hook["_company_id"], **values},
        call.now,
    )


def list_triggers(call: Call) -> Reply:
    hook = _hook(call)
    rows = [t for t in call.world.table("triggers").values() if t["_hook_id"] == hook["id"]]
    return Reply([_render_trigger(t) for t in rows])


def create_trigger(call: Call) -> Reply:
    require(call.user, "company", "erp_integrations", "admin", "manage webhooks")
    hook = _hook(call)
    trigger = _new_trigger(call, hook, call.body_object().get("trigger"))
    return Reply(_render_trigger(trigger), status=201)


def bulk_create_triggers(call: Call) -> Reply:
    require(call.user, "company", "erp_integrations", "admin", "manage webhooks")
    hook = _hook(call)
    items = call.body_object().get("triggers")
    if not isinstance(items, list):
        raise BadRequest('the body must be {"triggers": [{"resource_name", "event_type"}, ...]}')
    made, errors = [], []
    for item in items:
        try:
            made.append(_render_trigger(_new_trigger(call, hook, item)))
        except Unprocessable as exc:
            errors.append({**(item if isinstance(item, dict) else {}), "errors": exc.errors})
    return Reply({"entities": made, "errors": errors}, status=201)


def delete_trigger(call: Call) -> Reply:
    require(call.user, "company", "erp_integrations", "admin", "manage webhooks")
    hook = _hook(call)
    trigger = call.record("triggers", call.path_int("id"), "webhook trigger")
    if trigger["_hook_id"] != hook["id"]:
        call.record("triggers", -1, "webhook trigger")
    call.world.delete("triggers", trigger)
    return Reply(None, status=204)


def bulk_delete_triggers(call: Call) -> Reply:
    require(call.user, "company", "erp_integrations", "admin", "manage webhooks")
    hook = _hook(call)
    ids = call.body_object().get("triggers")
    if not isinstance(ids, list):
        raise BadRequest('the body must be {"triggers": [trigger ids]}')
    for tid in ids:
        trigger = call.world.table("triggers").get(tid) if isinstance(tid, int) else None
        if trigger is not None and trigger["_hook_id"] == hook["id"]:
            call.world.delete("triggers", trigger)
    return Reply(None, status=204)


STATUS_OUTCOMES: dict[str, tuple[str, ...] | None] = {
    "any": None,
    "successful": ("ok",),
    "failing": ("retried",),
    "discarded": ("discarded",),
}


def list_deliveries(call: Call) -> Reply:
    hook = _hook(call)
    status = call.query.get("filters[status]", "any")
    if status not in STATUS_OUTCOMES:
        raise BadRequest("filters[status] must be any, successful, failing or discarded")
    try:
        size = int(call.query.get("page_size", "100"))
        start = int(call.query.get("page_start", "0"))
    except ValueError as exc:
        raise BadRequest("page_size and page_start must be integers") from exc
    wanted = STATUS_OUTCOMES[status]
    rows = [
        d
        for d in call.world.table("deliveries").values()
        if d["_hook_id"] == hook["id"]
        and d["id"] > start
        and (wanted is None or d["outcome"] in wanted)
    ]
    rows.sort(key=lambda d: d["id"])
    return Reply(
        [
            {k: render_time(v) for k, v in d.items() if not k.startswith("_")}
            for d in rows[: max(size, 1)]
        ]
    )


def list_resources(call: Call) -> Reply:
    _scope(call)
    return Reply([{"name": name, "event_types": list(EVENT_TYPES)} for name in RESOURCE_NAMES])


def routes() -> list[RouteSpec]:
    return [
        RouteSpec("GET", f"{V0}/hooks", list_hooks, "List Webhooks Hooks"),
        RouteSpec("POST", f"{V0}/hooks", create_hook, "Create Webhooks Hook", mutating=True),
        RouteSpec(
            "PATCH", f"{V0}/hooks/{{id}}", update_hook, "Update Webhooks Hook", mutating=True
        ),
        RouteSpec(
            "DELETE", f"{V0}/hooks/{{id}}", delete_hook, "Delete Webhooks Hook", mutating=True
        ),
        RouteSpec(
            "GET", f"{V0}/hooks/{{hook_id}}/triggers", list_triggers, "List Webhooks Triggers"
        ),
        RouteSpec(
            "POST",
            f"{V0}/hooks/{{hook_id}}/triggers",
            create_trigger,
            "Create Webhooks Trigger",
            mutating=True,
        ),
        RouteSpec(
            "POST",
            f"{V0}/hooks/{{hook_id}}/triggers/bulk",
            bulk_create_triggers,
            "Bulk Create Triggers",
            mutating=True,
        ),
        RouteSpec(
            "DELETE",
            f"{V0}/hooks/{{hook_id}}/triggers/bulk",
            bulk_delete_triggers,
            "Bulk Delete Triggers",
            mutating=True,
        ),
        RouteSpec(
            "DELETE",
            f"{V0}/hooks/{{hook_id}}/triggers/{{id}}",
            delete_trigger,
            "Delete Webhooks Trigger",
            mutating=True,
        ),
        RouteSpec(
            "GET", f"{V0}/hooks/{{hook_id}}/deliveries", list_deliveries, "List Webhooks Deliveries"
        ),
        RouteSpec("GET", f"{V0}/resources", list_resources, "List Webhooks Resources"),
    ]
