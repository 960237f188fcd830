"""Projects: list, show, create, update and sync, at Procore's paths (spec procore-api.md §2.2).

Rules:

* ``GET /rest/v1.0/projects`` lists **active** projects unless ``filters[by_status]`` says
  ``Inactive`` or ``All`` (S-postman: "Must be one of Active, Inactive, or All");
* creating needs 'Admin' on the company Directory, updating needs 'Admin' on the project's Admin
  tool (see ``permissions``);
* ``name`` is required; ``country_code`` and ``state_code`` are ISO-3166 alpha-2 codes (spec §2.2);
  ids of offices, stages, types, templates and cost code lists must exist in the company;
* ``origin_id`` is unique per company: reuse answers 409 (spec §0.2, §1.6, D-sync);
* once a project is synced (``origin_id`` set), its integrated information — name and address —
  "is no longer editable" except by the ERP side (procore-workflow.md §3.9, S21; origin_id "locks
  the object in Procore to prevent edits", S37-intro): changing those fields needs 'Admin' on ERP
  Integrations (the service account), others get 422 naming the locked fields;
* the ERP connection's ``save`` rules for ``jobs`` apply on create and update (``save_rules``);
* ``erp_integrated`` in a body is shown as ``is_erp_integrated``; every change sets
  ``updated_at`` (spec §5.7) so ``filters[updated_at]`` finds it.
"""

from __future__ import annotations

import re
from typing import Any

from procore_qb.sandbox.procore.core import Call, Reply, RouteSpec, require_fields
from procore_qb.sandbox.procore.errors import BadRequest, Unprocessable
from procore_qb.sandbox.procore.fields import clean, render_time
from procore_qb.sandbox.procore.listing import apply_filters, sort_records
from procore_qb.sandbox.procore.permissions import has_level, require
from procore_qb.sandbox.procore.routes_cost_codes import copy_standard_codes
from procore_qb.sandbox.procore.save_rules import check_save_rules
from procore_qb.sandbox.procore.seeding import new_project_record
from procore_qb.sandbox.procore.sync import run_sync

__all__ = ["PROJECT_WRITE_FIELDS", "create_project_record", "render_project", "routes"]

V0 = "/rest/v1.0"
V1 = "/rest/v1.1"

PROJECT_WRITE_FIELDS: dict[str, str] = {
    "name": "str",
    "active": "bool",
    "code": "str",
    "project_number": "str",
    "description": "str",
    "origin_id": "str",
    "origin_data": "str",
    "origin_code": "str",
    "address": "str",
    "city": "str",
    "state_code": "str",
    "zip": "str",
    "country_code": "str",
    "county": "str",
    "latitude": "number",
    "longitude": "number",
    "start_date": "date",
    "completion_date": "date",
    "total_value": "number",
    "warranty_start_date": "date",
    "warranty_end_date": "date",
    "estimated_value": "number",
    "estimated_start_date": "date",
    "estimated_completion_date": "date",
    "flag": "str",
    "image_id": "int",
    "locale": "str",
    "phone": "str",
    "fax": "str",
    "public_notes": "str",
    "square_feet": "int",
    "time_zone": "str",
    "office_id": "int",
    "project_stage_id": "int",
    "parent_job_id": "int",
    "program_id": "int",
    "project_bid_type_id": "int",
    "project_type_id": "int",
    "project_owner_type_id": "int",
    "project_region_id": "int",
    "project_template_id": "int",
    "store_number": "str",
    "accounting_project_number": "str",
    "designated_market_area": "str",
    "erp_integrated": "bool",
    "standard_cost_code_list_id": "int",
    "department_ids": "ids",
    "enable_copy_of_standard_cost_codes": "bool",
}
_ALPHA2 = re.compile(r"^[A-Z]{2}$")
_REFS = {
    "office_id": ("offices", "office"),
    "project_stage_id": ("project_stages", "project stage"),
    "project_type_id": ("project_types", "project type"),
    "project_template_id": ("project_templates", "project template"),
    "standard_cost_code_list_id": ("standard_cost_code_lists", "standard cost code list"),
}


def _named(call: Call, table: str, rid: Any) -> dict[str, Any] | None:
    record = call.world.table(table).get(rid) if rid is not None else None
    return None if record is None else {"id": record["id"], "name": record["name"]}


def render_project(call: Call, record: dict[str, Any]) -> dict[str, Any]:
    """Show (``Project3``) fields plus the list-only ones of ``Project1`` (spec §2.2)."""
    out = {k: render_time(v) for k, v in record.items() if not k.startswith("_")}
    company = call.world.table("companies")[record["_company_id"]]
    stage = _named(call, "project_stages", record.get("project_stage_id"))
    office = call.world.table("offices").get(record.get("office_id") or 0)
    out.update(
        company={"id": company["id"], "name": company["name"]},
        project_stage=stage,
        stage=stage["name"] if stage else None,
        project_type=_named(call, "project_types", record.get("project_type_id")),
        project_template=_named(call, "project_templates", record.get("_project_template_id")),
        office=None
        if office is None
        else {
            k: v
            for k, v in office.items()
            if not k.startswith("_") and k not in ("created_at", "updated_at")
        },
        departments=[],
        custom_fields={},
    )
    return out


def _validate(call: Call, company_id: int, values: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    if "name" in values and not (values["name"] or "").strip():
        errors["name"] = ["can't be blank"]
    for code in ("country_code", "state_code"):
        value = values.get(code)
        if value is not None and not _ALPHA2.match(value):
            errors[code] = [
                f"must be a two-letter ISO 3166 code such as 'US' or 'IL'; got {value!r}"
            ]
    for key, (table, what) in _REFS.items():
        rid = values.get(key)
        if rid is not None:
            ref = call.world.table(table).get(rid)
            if ref is None or ref["_company_id"] != company_id:
                errors[key] = [f"{what} {rid} does not exist in this company"]
    if errors:
        raise Unprocessable(errors)


def _apply(call: Call, record: dict[str, Any], values: dict[str, Any]) -> None:
    values = dict(values)
    if "erp_integrated" in values:
        record["is_erp_integrated"] = bool(values.pop("erp_integrated"))
    if "project_template_id" in values:
        record["_project_template_id"] = values.pop("project_template_id")
    copy_codes = values.pop("enable_copy_of_standard_cost_codes", None)
    origin = values.pop("origin_id", record.get("origin_id"))
    record.update(values)
    number = record.get("project_number")
    record["display_name"] = f"{number} - {record['name']}" if number else record["name"]
    call.world.set_origin_id("projects", record, origin)
    if copy_codes and record.get("standard_cost_code_list_id") is not None:
        copy_standard_codes(call, record, record["standard_cost_code_list_id"])


def create_project_record(call: Call, company_id: int, values: dict[str, Any]) -> dict[str, Any]:
    require(call.user, "company", "directory", "admin", "create projects")
    require_fields(values, "name")
    _validate(call, company_id, values)
    check_save_rules(call.world, company_id, "jobs", {}, values)
    call.check_origin_free("projects", values.get("origin_id"), None, company_id)
    record = new_project_record(company_id, call.now)
    record["id"] = call.world.new_id()
    _apply(call, record, values)
    call.world.insert("projects", record, call.now)
    call.emit(company_id, record["id"], "Projects", "create", record["id"], call.user["id"])
    return record


LOCKED_WHEN_SYNCED = ("name", "address", "city", "state_code", "zip", "country_code")


def _update(call: Call, record: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    require(call.user, "project", "admin", "admin", f"update project {record['id']}")
    if record.get("origin_id") is not None and not has_level(
        call.user, "company", "erp_integrations", "admin"
    ):
        locked = {
            name: [
                "is locked because the project is synced with the ERP; change it in the "
                "accounting system or re-send the project to ERP"
            ]
            for name in LOCKED_WHEN_SYNCED
            if name in values and values[name] != record.get(name)
        }
        if locked:
            raise Unprocessable(locked)
    _validate(call, record["_company_id"], values)
    check_save_rules(call.world, record["_company_id"], "jobs", record, values)
    if "origin_id" in values:
        call.check_origin_free("projects", values["origin_id"], record["id"], record["_company_id"])
    _apply(call, record, values)
    call.world.touch("projects", record, call.now)
    call.emit(
        record["_company_id"], record["id"], "Projects", "update", record["id"], call.user["id"]
    )
    return record


def list_projects(call: Call) -> Reply:
    company = call.company()
    status = call.query.get("filters[by_status]", "Active")
    if status not in ("Active", "Inactive", "All"):
        raise BadRequest(
            f"filters[by_status] must be one of Active, Inactive or All; got {status!r}"
        )
    rows: list[dict[str, Any]] = [
        p
        for p in call.world.table("projects").values()
        if p["_company_id"] == company["id"]
        and (status == "All" or p["active"] == (status == "Active"))
    ]

    def name(record: dict[str, Any], values: list[str]) -> bool:
        return any(v.lower() in (record["name"] or "").lower() for v in values)

    def template(record: dict[str, Any], values: list[str]) -> bool:
        return str(record.get("_project_template_id")) in values

    rows = apply_filters(
        rows, call.query, extra={"name": name, "from_project_template_id": template}
    )
    rows = sort_records(rows, call.query)
    if call.query.get("serializer_view") == "compact":
        # "The 'compact' view only returns id, name and display_name" (S-postman).
        return call.page(rows, lambda r: {k: r[k] for k in ("id", "name", "display_name")})
    return call.page(rows, lambda r: render_project(call, r))


def list_company_projects(call: Call) -> Reply:
    company = call.company_by_id(call.path_int("company_id"))
    rows = [p for p in call.world.table("projects").values() if p["_company_id"] == company["id"]]
    return call.page(sort_records(rows, call.query), lambda r: render_project(call, r))


def show_project(call: Call) -> Reply:
    project = call.project(call.path_int("id"))
    if call.query.get("view") == "minimal":
        return Reply({k: project[k] for k in ("id", "name", "display_name")})
    return Reply(render_project(call, project))


def create_project(call: Call) -> Reply:
    company = call.company()
    values = clean(call.body_object("project"), PROJECT_WRITE_FIELDS)
    return Reply(
        render_project(call, create_project_record(call, company["id"], values)), status=201
    )


def update_project(call: Call) -> Reply:
    project = call.project(call.path_int("id"))
    values = clean(call.body_object("project"), PROJECT_WRITE_FIELDS)
    return Reply(render_project(call, _update(call, project, values)))


def sync_projects(call: Call) -> Reply:
    company = call.company()
    cid = company["id"]
    return run_sync(
        call,
        "projects",
        cid,
        call.updates(),
        in_scope=lambda r: r["_company_id"] == cid,
        create=lambda item: create_project_record(call, cid, clean(item, PROJECT_WRITE_FIELDS)),
        update=lambda rec, item: _update(call, rec, clean(item, PROJECT_WRITE_FIELDS)),
        render=lambda r: render_project(call, r),
    )


def routes() -> list[RouteSpec]:
    return [
        RouteSpec("GET", f"{V0}/projects", list_projects, "List projects"),
        RouteSpec("GET", f"{V1}/projects", list_projects, "List projects"),
        RouteSpec("POST", f"{V0}/projects", create_project, "Create project", mutating=True),
        RouteSpec("PATCH", f"{V0}/projects/sync", sync_projects, "Sync projects", mutating=True),
        RouteSpec("GET", f"{V0}/projects/{{id}}", show_project, "Show project"),
        RouteSpec(
            "PATCH", f"{V0}/projects/{{id}}", update_project, "Update project", mutating=True
        ),
        RouteSpec(
            "GET",
            f"{V0}/companies/{{company_id}}/projects",
            list_company_projects,
            "List company's projects",
        ),
    ]
