"""A subset of Procore's ERP platform endpoints (spec procore-api.md §3.4), for a connector that
plugs into Procore's own ERP Integrations tool.

These routes are not in Procore's public collection (ERP docs are partner-only, §0.4); their
paths are the ones Procore's ERP guides printed, marked [C] in §3.4:

* row 1 ``POST /rest/v1.0/companies/{company_id}/erp_connections`` with
  ``{"connection": {"service_url", "metadata"}}`` answers ``{"id": company_id,
  "standard_cost_code_list_id"}``; the company has exactly one ERP standard cost code list, made
  when the connection is created (D-erp-intro, D-erp-tech);
* row 7 ``PATCH /rest/v1.0/companies/{company_id}/external_data/sync`` with
  ``{"updates": [{"item_type", "item_id", "origin_id"}]}`` sets (or, with ``null``, clears) the
  origin id of a Procore record and answers ``{"entities": [{"id", "item_type", "item_id",
  "origin_id"}], "errors": []}``; the 2022 text sent a bare array, so both are accepted (§6.3);
* row 10 ``PATCH /rest/v1.0/erp_job_costs/sync`` with ``{"company_id", "job_origin_id",
  "updates": [...]}`` and ``DELETE /rest/v1.0/erp_job_costs/{id}``;
* row 12 ``PATCH /rest/v1.0/cost_code_line_item_types/sync?project_id=`` with
  ``{"updates": [{"cost_code_id", "line_item_type_id", "synced"}]}`` and
  ``DELETE /rest/v1.0/cost_codes_line_item_types/{id}`` (spelled as the guide prints it);
* row 3 ``GET /rest/v1.0/companies/{company_id}/erp_requests/{id}`` (the path is the spec's
  inference, [I]) answers ``{"id", "company_id", "request_name", "request_data", "created_at",
  "updated_at", "integration_app_name"}``;
* rows 4 and 5 ``PATCH /rest/v1.0/companies/{company_id}/erp_request_details/{id}`` (older text:
  ``PUT``) with ``{"request_detail": {"status", "messages"}}`` and ``…/erp_request_details/sync``
  with a bare array ``[{"id", "status", "messages"}]`` (or ``{"updates": [...]}``, §6.3); status is
  one of in_progress, success, failed, stale (D-erp-intro);
* row 9 ``PATCH /rest/v1.0/erp_projects/sync`` with ``{"company_id", "updates": [...]}`` stages
  QuickBooks jobs for the Ready to Import list (legacy staging); items are matched by
  ``origin_id`` (required), which must not already belong to a Procore project — a synced job is
  updated with ``projects/sync`` instead (spec §3.6 ``sync_jobs``); only ``staged`` and
  ``archived`` records may change, an ``imported`` one is done (§3.5 statuses);
* row 14 ``PATCH /rest/v1.0/projects/{project_id}/configuration`` with ``{"configuration":
  {"erp_job_cost_transaction_syncing_enabled": true}}``, allowed only when the connection's
  metadata has ``job_cost_transactions.configs.import.enabled`` (D-erp-meta).

Only the external-data item types whose records this simulator holds are accepted: project,
cost_code, standard_cost_code, line_item_type and item (a direct cost). ERP requests are made by
the sandbox controls (the Accounting Approver's buttons, spec §5.8), which also raise the ``ERP
Requests``/``create`` webhook event. Staged Records, ``erp_transactions`` and the legacy
staging of anything but projects are not served. Every route here
needs 'Admin' on ERP Integrations (spec §1.2: ERP connectors use a DMSA with ERP Integrations
Admin).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from procore_qb.sandbox.procore.core import Call, Reply, RouteSpec, require_fields
from procore_qb.sandbox.procore.errors import BadRequest, NotFound, Unprocessable
from procore_qb.sandbox.procore.fields import clean, render_time
from procore_qb.sandbox.procore.permissions import require
from procore_qb.sandbox.procore.seeding import PROJECT_FIELDS, new_project_record
from procore_qb.sandbox.procore.webhooks import emit_event
from procore_qb.sandbox.procore.world import World

__all__ = [
    "DETAIL_STATUSES",
    "ERP_ROUTES_IN_SPEC",
    "INFERRED_ROWS",
    "import_staged_project",
    "make_erp_request",
    "render_detail",
    "render_request",
    "render_staged",
    "routes",
]

V0 = "/rest/v1.0"

ERP_ROUTES_IN_SPEC: dict[tuple[str, str], int] = {
    ("POST", f"{V0}/companies/{{company_id}}/erp_connections"): 1,
    ("GET", f"{V0}/companies/{{company_id}}/erp_requests/{{id}}"): 3,
    ("PATCH", f"{V0}/companies/{{company_id}}/erp_request_details/sync"): 5,
    ("PATCH", f"{V0}/companies/{{company_id}}/erp_request_details/{{id}}"): 4,
    ("PUT", f"{V0}/companies/{{company_id}}/erp_request_details/{{id}}"): 4,
    ("PATCH", f"{V0}/companies/{{company_id}}/external_data/sync"): 7,
    ("PATCH", f"{V0}/erp_projects/sync"): 9,
    ("PATCH", f"{V0}/erp_job_costs/sync"): 10,
    ("DELETE", f"{V0}/erp_job_costs/{{id}}"): 10,
    ("PATCH", f"{V0}/cost_code_line_item_types/sync"): 12,
    ("DELETE", f"{V0}/cost_codes_line_item_types/{{id}}"): 12,
    ("PATCH", f"{V0}/projects/{{project_id}}/configuration"): 14,
}
"""Each served ERP route -> its row in spec procore-api.md §3.4."""
INFERRED_ROWS = frozenset({3})
"""Rows whose path the spec infers ([I]) rather than quotes from Procore's guides ([C])."""
DETAIL_STATUSES = ("in_progress", "success", "failed", "stale")

EXTERNAL_TABLES = {
    "project": "projects",
    "cost_code": "cost_codes",
    "standard_cost_code": "standard_cost_codes",
    "line_item_type": "line_item_types",
    "item": "direct_costs",
}
EXTERNAL_ITEM_TYPES = frozenset(
    {
        "change_order", "contract_payment", "cost_code", "department", "item", "budget",
        "insurance", "invoice_payment", "line_item", "line_item_type", "markup",
        "payment_application", "payment_application_line_item", "prime_contract", "project",
        "purchase_order_contract", "requisition", "requisition_change_order_item",
        "requisition_contract_detail_item", "requisition_contract_item", "standard_cost_code",
        "sub_job", "tax_code", "vendor", "work_order_contract",
    }
)  # fmt: skip
"""Every ``item_type`` spec §3.4 lists for External Data."""

STAGED_PROJECT_FIELDS = {
    "origin_id": "str", "origin_code": "str", "origin_data": "str", "name": "str",
    "project_number": "str", "accounting_project_number": "str", "address": "str",
    "city": "str", "state_code": "str", "zip": "str", "country_code": "str",
    "description": "str", "estimated_start_date": "date", "estimated_completion_date": "date",
    "estimated_value": "number", "customer_origin_id": "str",
}  # fmt: skip
"""The project ``data`` fields of spec §3.5, plus the origin keys of a staged record."""

JOB_COST_FIGURES = (
    "original_estimate", "original_estimate_units", "approved_estimate_changes",
    "approved_estimate_unit_changes", "estimate", "estimate_units", "original_commitment",
    "approved_commitment_changes", "revised_commitment", "committed_costs",
    "commitment_invoiced", "job_to_date_cost", "job_to_date_dollars_paid", "job_to_date_units",
    "month_to_date_cost", "month_to_date_dollars_paid", "month_to_date_units", "open_balance",
    "paid_amount", "percentage_complete",
)  # fmt: skip


def _erp_admin(call: Call, action: str) -> None:
    require(call.user, "company", "erp_integrations", "admin", action)


def _public(record: dict[str, Any]) -> dict[str, Any]:
    return {k: render_time(v) for k, v in record.items() if not k.startswith("_")}


# ------------------------------------------------------------------ connection


def create_connection(call: Call) -> Reply:
    company = call.company_by_id(call.path_int("company_id"))
    _erp_admin(call, "create the ERP connection")
    values = clean(call.body_object("connection"), {"service_url": "str", "metadata": "dict"})
    require_fields(values, "service_url")
    if not re.match(r"^https?://\S+$", values["service_url"]):
        raise Unprocessable(
            {"service_url": [f"must be an http(s) URL; got {values['service_url']!r}"]}
        )
    cid = company["id"]
    lists = call.world.table("standard_cost_code_lists")
    erp_list = next(
        (x for x in lists.values() if x["_company_id"] == cid and x["is_erp_list"]), None
    )
    if erp_list is None:
        erp_list = call.world.insert(
            "standard_cost_code_lists",
            {
                "_company_id": cid,
                "name": "ERP Standard Cost Codes",
                "is_erp_list": True,
                "available_to_use_on_new_projects": True,
            },
            call.now,
        )
    connections = call.world.table("erp_connections")
    record = connections.get(cid)
    if record is None:
        call.world.insert("erp_connections", {"id": cid, "_company_id": cid, **values}, call.now)
    else:
        record.update(values)
        call.world.touch("erp_connections", record, call.now)
    return Reply({"id": cid, "standard_cost_code_list_id": erp_list["id"]}, status=201)


# ------------------------------------------------------------------ requests and details


def render_request(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": record["id"],
        "company_id": record["_company_id"],
        "request_name": record["request_name"],
        "request_data": record["request_data"],
        "integration_app_name": record.get("integration_app_name"),
        "created_at": render_time(record["created_at"]),
        "updated_at": render_time(record["updated_at"]),
    }


def render_detail(record: dict[str, Any]) -> dict[str, Any]:
    return {
        k: record.get(k)
        for k in ("id", "erp_request_id", "status", "messages", "item_type", "item_id")
    }


def show_request(call: Call) -> Reply:
    call.company_by_id(call.path_int("company_id"))
    _erp_admin(call, "read ERP requests")
    return Reply(render_request(call.record("erp_requests", call.path_int("id"), "ERP request")))


def _close(call: Call, record: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    values = clean(values, {"status": "str", "messages": "list"})
    require_fields(values, "status")
    if values["status"] not in DETAIL_STATUSES:
        raise Unprocessable(
            {"status": [f"must be one of {', '.join(DETAIL_STATUSES)}; got {values['status']!r}"]}
        )
    messages = values.get("messages") or []
    if not all(isinstance(m, str) for m in messages):
        raise Unprocessable({"messages": ["must be a list of strings"]})
    record.update(status=values["status"], messages=messages)
    call.world.touch("erp_request_details", record, call.now)
    return record


def close_detail(call: Call) -> Reply:
    call.company_by_id(call.path_int("company_id"))
    _erp_admin(call, "close ERP request details")
    record = call.record("erp_request_details", call.path_int("id"), "ERP request detail")
    return Reply(render_detail(_close(call, record, call.body_object("request_detail"))))


def close_details(call: Call) -> Reply:
    company = call.company_by_id(call.path_int("company_id"))
    _erp_admin(call, "close ERP request details")
    items = call.body if isinstance(call.body, list) else call.updates()
    if len(items) > call.config.sync_batch_limit:
        raise BadRequest(f"a sync call takes at most {call.config.sync_batch_limit} items")
    rows = call.world.table("erp_request_details")
    entities: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    for item in items:
        if not isinstance(item, dict):
            errors.append({"errors": {"base": ["each update must be a JSON object"]}})
            continue
        record = rows.get(item["id"]) if isinstance(item.get("id"), int) else None
        if record is None or record["_company_id"] != company["id"]:
            errors.append({**item, "errors": {"id": ["Entity with this ID not found"]}})
            continue
        try:
            entities.append(render_detail(_close(call, record, item)))
        except Unprocessable as exc:
            errors.append({**item, "errors": exc.errors})
    return Reply({"entities": entities, "errors": errors})


def make_erp_request(
    world: World,
    now: datetime,
    user: dict[str, Any],
    name: str,
    data: Any,
    details: list[dict[str, Any]],
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """An ERP Request with its in-progress Request Details, and its webhook event (spec §3.1).

    Each detail's id is written into ``request_data`` as ``request_detail_id``: into the one
    object when there is one detail, or into each element of a list with one element per detail.
    """
    company_id = user["_company_id"]
    record = world.insert(
        "erp_requests",
        {
            "_company_id": company_id,
            "request_name": name,
            "request_data": data,
            "integration_app_name": "procore-qb",
        },
        now,
    )
    made = []
    for n, detail in enumerate(details):
        row = world.insert(
            "erp_request_details",
            {
                "_company_id": company_id,
                "erp_request_id": record["id"],
                "status": "in_progress",
                "messages": [],
                "item_type": detail.get("item_type"),
                "item_id": detail.get("item_id"),
            },
            now,
        )
        made.append(row)
        target = data[n] if isinstance(data, list) else data
        if isinstance(target, dict) and (isinstance(data, list) or len(details) == 1):
            target["request_detail_id"] = row["id"]
    emit_event(
        world,
        now,
        company_id=company_id,
        project_id=None,
        resource_name="ERP Requests",
        event_type="create",
        resource_id=record["id"],
        user_id=user["id"],
        application_id=None,
    )
    return record, made


def import_staged_project(
    world: World, now: datetime, staged: dict[str, Any], user: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The approver's "Add to Procore": a synced project from a staged job (spec §3.1 Import)."""
    cid = staged["_company_id"]
    erp_list = next(
        (
            x
            for x in world.table("standard_cost_code_lists").values()
            if x["_company_id"] == cid and x["is_erp_list"]
        ),
        None,
    )
    project = new_project_record(cid, now)
    data = {
        k: v
        for k, v in staged.items()
        if k in PROJECT_FIELDS and not k.startswith("_") and k != "origin_id"
    }
    project.update(data)
    project.update(
        id=world.new_id(),
        is_erp_integrated=True,
        standard_cost_code_list_id=erp_list["id"] if erp_list else None,
        start_date=staged.get("estimated_start_date"),
        completion_date=staged.get("estimated_completion_date"),
    )
    number = project.get("project_number")
    project["display_name"] = f"{number} - {project['name']}" if number else project["name"]
    world.set_origin_id("projects", project, staged["origin_id"])
    world.insert("projects", project, now)
    staged.update(status="imported", project_id=project["id"])
    world.touch("erp_staged_projects", staged, now)
    data_out = {
        "job": {"id": project["id"], "name": project["name"], "origin_id": project["origin_id"]}
    }
    erp, _ = make_erp_request(
        world,
        now,
        user,
        "create_job_in_procore",
        data_out,
        [{"item_type": "project", "item_id": project["id"]}],
    )
    return project, erp


# ------------------------------------------------------------------ legacy staging


def render_staged(record: dict[str, Any]) -> dict[str, Any]:
    return _public(record)


def stage_projects(call: Call) -> Reply:
    company = call.company()
    _erp_admin(call, "stage ERP projects")
    cid = company["id"]
    rows = call.world.table("erp_staged_projects")
    entities: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    for item in call.updates():
        if not isinstance(item, dict):
            errors.append({"errors": {"base": ["each update must be a JSON object"]}})
            continue
        try:
            values = clean(item, STAGED_PROJECT_FIELDS)
            require_fields(values, "origin_id")
            origin = values["origin_id"]
            project = call.world.by_origin("projects", cid, origin)
            if project is not None:
                raise Unprocessable(
                    {
                        "origin_id": [
                            f"is already linked to Procore project {project['id']}; update it with "
                            "PATCH /rest/v1.0/projects/sync"
                        ]
                    }
                )
            record = next(
                (r for r in rows.values() if r["_company_id"] == cid and r["origin_id"] == origin),
                None,
            )
            if record is None:
                require_fields(values, "name")
                record = call.world.insert(
                    "erp_staged_projects",
                    {"_company_id": cid, "status": "staged", "project_id": None, **values},
                    call.now,
                )
            elif record["status"] == "imported":
                raise Unprocessable(
                    {
                        "origin_id": [
                            f"was imported as project {record['project_id']}; it can no "
                            "longer change here"
                        ]
                    }
                )
            else:
                record.update(values)
                call.world.touch("erp_staged_projects", record, call.now)
            entities.append(render_staged(record))
        except Unprocessable as exc:
            errors.append({**item, "errors": exc.errors})
    return Reply({"entities": entities, "errors": errors})


# ------------------------------------------------------------------ external data


def external_data_sync(call: Call) -> Reply:
    company = call.company_by_id(call.path_int("company_id"))
    _erp_admin(call, "write external data")
    items = call.body if isinstance(call.body, list) else call.updates()
    if len(items) > call.config.sync_batch_limit:
        raise BadRequest(f"a sync call takes at most {call.config.sync_batch_limit} items")
    cid = company["id"]
    entities: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    for item in items:
        if not isinstance(item, dict):
            errors.append({"errors": {"base": ["each update must be a JSON object"]}})
            continue
        problem = _external_problem(call, cid, item)
        if problem:
            errors.append({**item, "errors": problem})
            continue
        table = EXTERNAL_TABLES[item["item_type"]]
        record = call.world.table(table)[int(item["item_id"])]
        call.world.set_origin_id(table, record, item.get("origin_id"))
        if "origin_data" in item:
            record["origin_data"] = item["origin_data"]
        call.world.touch(table, record, call.now)
        entities.append(
            {
                "id": record["id"],
                "item_type": item["item_type"],
                "item_id": record["id"],
                "origin_id": record.get("origin_id"),
            }
        )
    return Reply({"entities": entities, "errors": errors})


def _external_problem(call: Call, cid: int, item: dict[str, Any]) -> dict[str, list[str]] | None:
    kind = item.get("item_type")
    if kind not in EXTERNAL_ITEM_TYPES:
        return {"item_type": [f"{kind!r} is not an External Data item type"]}
    if kind not in EXTERNAL_TABLES:
        return {
            "item_type": [
                f"{kind!r} records are not held by this Procore sandbox; it "
                f"holds {', '.join(sorted(EXTERNAL_TABLES))}"
            ]
        }
    try:
        rid = int(item.get("item_id"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return {"item_id": ["must be an integer id"]}
    record = call.world.table(EXTERNAL_TABLES[kind]).get(rid)
    if record is None or record.get("_company_id") != cid:
        return {"item_id": ["Entity with this ID not found"]}
    origin = item.get("origin_id")
    if origin is not None and not isinstance(origin, str):
        return {"origin_id": ["must be a string or null"]}
    other = call.world.by_origin(EXTERNAL_TABLES[kind], cid, origin) if origin else None
    if other is not None and other["id"] != rid:
        return {
            "origin_id": [
                f"has already been taken by {kind} {other['id']}; origin_id "
                "must be unique per company"
            ]
        }
    return None


# ------------------------------------------------------------------ assignments and job costs


def _code_and_type(call: Call, project: dict[str, Any], item: dict[str, Any]) -> tuple[int, int]:
    values = clean(item, {"cost_code_id": "int", "line_item_type_id": "int"})
    require_fields(values, "cost_code_id", "line_item_type_id")
    code = call.world.table("cost_codes").get(values["cost_code_id"])
    if code is None or code["_project_id"] != project["id"]:
        raise Unprocessable(
            {
                "cost_code_id": [
                    f"cost code {values['cost_code_id']} is not a "
                    f"cost code of project {project['id']}"
                ]
            }
        )
    kind = call.world.table("line_item_types").get(values["line_item_type_id"])
    if kind is None or kind["_company_id"] != project["_company_id"]:
        raise Unprocessable(
            {"line_item_type_id": [f"line item type {values['line_item_type_id']} does not exist"]}
        )
    return values["cost_code_id"], values["line_item_type_id"]


def _pair_sync(
    call: Call, table: str, project: dict[str, Any], items: list[Any], fields: dict[str, str]
) -> Reply:
    rows = call.world.table(table)
    entities: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    for item in items:
        if not isinstance(item, dict):
            errors.append({"errors": {"base": ["each update must be a JSON object"]}})
            continue
        try:
            code_id, type_id = _code_and_type(call, project, item)
            values = clean(item, fields)
        except Unprocessable as exc:
            errors.append({**item, "errors": exc.errors})
            continue
        record = next(
            (
                r
                for r in rows.values()
                if r["_project_id"] == project["id"]
                and r["cost_code_id"] == code_id
                and r["line_item_type_id"] == type_id
            ),
            None,
        )
        if record is None:
            record = call.world.insert(
                table,
                {
                    "_company_id": project["_company_id"],
                    "_project_id": project["id"],
                    "cost_code_id": code_id,
                    "line_item_type_id": type_id,
                    **values,
                },
                call.now,
            )
        else:
            record.update(values)
            call.world.touch(table, record, call.now)
        entities.append(_public(record))
    return Reply({"entities": entities, "errors": errors})


def assignments_sync(call: Call) -> Reply:
    project = call.project()
    _erp_admin(call, "sync cost code / cost type assignments")
    return _pair_sync(
        call, "cost_code_line_item_types", project, call.updates(), {"synced": "bool"}
    )


def delete_assignment(call: Call) -> Reply:
    _erp_admin(call, "delete cost code / cost type assignments")
    record = call.record(
        "cost_code_line_item_types", call.path_int("id"), "cost code / cost type assignment"
    )
    call.world.delete("cost_code_line_item_types", record)
    return Reply(None, status=204)


def job_costs_sync(call: Call) -> Reply:
    company = call.company()
    _erp_admin(call, "sync ERP job costs")
    job = call.param("job_origin_id")
    if not job:
        raise BadRequest("job_origin_id is required: the origin_id of the synced project")
    project = call.world.by_origin("projects", company["id"], str(job))
    if project is None:
        raise NotFound(
            f"no project in this company has origin_id {job!r}; mark the project "
            "synced (external_data/sync or its origin_id) first"
        )
    return _pair_sync(
        call, "erp_job_costs", project, call.updates(), dict.fromkeys(JOB_COST_FIGURES, "number")
    )


def delete_job_cost(call: Call) -> Reply:
    _erp_admin(call, "delete ERP job costs")
    record = call.record("erp_job_costs", call.path_int("id"), "ERP job cost")
    call.world.delete("erp_job_costs", record)
    return Reply(None, status=204)


def project_configuration(call: Call) -> Reply:
    project = call.project(call.path_int("project_id"))
    _erp_admin(call, "configure job cost transaction syncing")
    values = clean(
        call.body_object("configuration"), {"erp_job_cost_transaction_syncing_enabled": "bool"}
    )
    require_fields(values, "erp_job_cost_transaction_syncing_enabled")
    connection = call.world.table("erp_connections").get(project["_company_id"])
    enabled = False
    if connection is not None:
        node: Any = connection.get("metadata") or {}
        for key in (
            "settings",
            "entities",
            "job_cost_transactions",
            "configs",
            "import",
            "enabled",
        ):
            node = node.get(key) if isinstance(node, dict) else None
        enabled = node is True
    if values["erp_job_cost_transaction_syncing_enabled"] and not enabled:
        raise Unprocessable(
            {
                "erp_job_cost_transaction_syncing_enabled": [
                    "job cost transaction import is not enabled in the ERP connection metadata "
                    "(settings.entities.job_cost_transactions.configs.import.enabled)"
                ]
            }
        )
    configs = call.world.table("project_configurations")
    record = configs.get(project["id"])
    if record is None:
        record = call.world.insert(
            "project_configurations",
            {"id": project["id"], "_company_id": project["_company_id"]},
            call.now,
        )
    record.update(values)
    call.world.touch("project_configurations", record, call.now)
    return Reply({"project_id": project["id"], **values})


def routes() -> list[RouteSpec]:
    handlers = {
        ("POST", f"{V0}/companies/{{company_id}}/erp_connections"): (
            create_connection,
            "Create ERP Connection",
        ),
        ("GET", f"{V0}/companies/{{company_id}}/erp_requests/{{id}}"): (
            show_request,
            "Show ERP Request",
        ),
        ("PATCH", f"{V0}/companies/{{company_id}}/erp_request_details/sync"): (
            close_details,
            "Sync ERP Request Details",
        ),
        ("PATCH", f"{V0}/companies/{{company_id}}/erp_request_details/{{id}}"): (
            close_detail,
            "Update ERP Request Detail",
        ),
        ("PUT", f"{V0}/companies/{{company_id}}/erp_request_details/{{id}}"): (
            close_detail,
            "Update ERP Request Detail",
        ),
        ("PATCH", f"{V0}/companies/{{company_id}}/external_data/sync"): (
            external_data_sync,
            "Sync External Data",
        ),
        ("PATCH", f"{V0}/erp_projects/sync"): (stage_projects, "Sync ERP Projects"),
        ("PATCH", f"{V0}/erp_job_costs/sync"): (job_costs_sync, "Sync ERP Job Costs"),
        ("DELETE", f"{V0}/erp_job_costs/{{id}}"): (delete_job_cost, "Delete ERP Job Cost"),
        ("PATCH", f"{V0}/cost_code_line_item_types/sync"): (
            assignments_sync,
            "Sync Cost Code Line Item Types",
        ),
        ("DELETE", f"{V0}/cost_codes_line_item_types/{{id}}"): (
            delete_assignment,
            "Delete Cost Code Line Item Type",
        ),
        ("PATCH", f"{V0}/projects/{{project_id}}/configuration"): (
            project_configuration,
            "Update Project ERP Configuration",
        ),
    }
    return [
        RouteSpec(method, path, handler, summary, mutating=method != "GET")
        for (method, path), (handler, summary) in handlers.items()
    ]
