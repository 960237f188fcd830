"""Companies, the current user, the permission manifest, company users, permission templates
and the company lists projects refer to (offices, stages, types, project templates).

Paths, methods and request bodies are those of Procore's collection (spec §0.4, S-postman);
response fields are those of spec procore-api.md §2.1 and §2.2.
"""

from __future__ import annotations

from typing import Any

from procore_qb.sandbox.procore.core import Call, Reply, RouteSpec, require_fields
from procore_qb.sandbox.procore.errors import Unprocessable
from procore_qb.sandbox.procore.fields import clean, render_time
from procore_qb.sandbox.procore.listing import apply_filters, sort_records
from procore_qb.sandbox.procore.permissions import manifest, require
from procore_qb.sandbox.procore.sync import run_sync

__all__ = ["render_user", "routes"]

V0 = "/rest/v1.0"
V1 = "/rest/v1.1"

USER_FIELDS = {
    "first_name": "str",
    "last_name": "str",
    "email_address": "str",
    "job_title": "str",
    "is_active": "bool",
    "is_employee": "bool",
    "origin_id": "str",
    "origin_data": "str",
    "default_permission_template_id": "int",
    "company_permission_template_id": "int",
}


def _public(record: dict[str, Any]) -> dict[str, Any]:
    return {k: render_time(v) for k, v in record.items() if not k.startswith("_")}


def render_user(record: dict[str, Any]) -> dict[str, Any]:
    return _public(record)


# ------------------------------------------------------------------ companies and me


def list_companies(call: Call) -> Reply:
    # Items: id, name, is_active, logo_url, pcn_business_experience, my_company (spec §2.1).
    mine = [
        c for c in call.world.table("companies").values() if c["id"] == call.user["_company_id"]
    ]
    return call.page(sort_records(mine, call.query), _public)


def show_me(call: Call) -> Reply:
    user = call.user
    return Reply({"id": user["id"], "login": user["email_address"], "name": user["name"]})


def show_company_me(call: Call) -> Reply:
    call.company_by_id(call.path_int("company_id"))
    return Reply(render_user(call.user))


def show_permissions(call: Call) -> Reply:
    # "Show permission manifest" for the current user, company- or project-level (spec §2.1).
    project_id = call.int_param("project_id", required=False)
    if project_id is not None:
        call.project(project_id)
    else:
        call.company()
    base = f"{call.request.url.scheme}://{call.request.url.netloc}"
    return Reply(manifest(call.user, project_id=project_id, base_url=base))


# ------------------------------------------------------------------ company users


def list_users(call: Call) -> Reply:
    company = call.company_by_id(call.path_int("company_id"))
    require(call.user, "company", "directory", "read_only", "list company users")
    rows = [u for u in call.world.table("users").values() if u["_company_id"] == company["id"]]

    def search(record: dict[str, Any], values: list[str]) -> bool:
        text = f"{record['name']} {record['email_address']}".lower()
        return any(v.lower() in text for v in values)

    rows = apply_filters(rows, call.query, extra={"search": search})
    return call.page(sort_records(rows, call.query), render_user)


def show_user(call: Call) -> Reply:
    call.company_by_id(call.path_int("company_id"))
    require(call.user, "company", "directory", "read_only", "see company users")
    return Reply(render_user(call.record("users", call.path_int("id"), "user")))


def _new_user(call: Call, company_id: int, values: dict[str, Any]) -> dict[str, Any]:
    require_fields(values, "last_name", "email_address")
    call.check_origin_free("users", values.get("origin_id"), None, company_id)
    record: dict[str, Any] = {
        "_company_id": company_id,
        "_token": None,
        "_erp_integrations": "none",
        "_directory": "none",
        "_project_admin": "none",
        "_company_admin": "none",
        "_can_push": False,
        "_service_account": False,
        "first_name": None,
        "job_title": None,
        "is_active": True,
        "is_employee": False,
        "origin_id": None,
        "origin_data": None,
        "vendor": None,
        "default_permission_template_id": None,
        "company_permission_template_id": None,
    }
    record.update(values)
    record["name"] = f"{record['first_name'] or ''} {record['last_name']}".strip()
    call.world.insert("users", record, call.now)
    call.emit(company_id, None, "Company Users", "create", record["id"], call.user["id"])
    return record


def _update_user(call: Call, record: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    if "origin_id" in values:
        call.check_origin_free("users", values["origin_id"], record["id"], record["_company_id"])
    origin = values.pop("origin_id", record.get("origin_id"))
    record.update(values)
    call.world.set_origin_id("users", record, origin)
    record["name"] = f"{record['first_name'] or ''} {record['last_name']}".strip()
    call.world.touch("users", record, call.now)
    call.emit(record["_company_id"], None, "Company Users", "update", record["id"], call.user["id"])
    return record


def create_user(call: Call) -> Reply:
    company = call.company_by_id(call.path_int("company_id"))
    require(call.user, "company", "directory", "admin", "create company users")
    values = clean(call.body_object("user"), USER_FIELDS)
    return Reply(render_user(_new_user(call, company["id"], values)), status=201)


def update_user(call: Call) -> Reply:
    call.company_by_id(call.path_int("company_id"))
    require(call.user, "company", "directory", "admin", "update company users")
    record = call.record("users", call.path_int("id"), "user")
    values = clean(call.body_object("user"), USER_FIELDS)
    return Reply(render_user(_update_user(call, record, values)))


def sync_users(call: Call) -> Reply:
    company = call.company_by_id(call.path_int("company_id"))
    require(call.user, "company", "directory", "admin", "sync company users")
    cid = company["id"]
    return run_sync(
        call,
        "users",
        cid,
        call.updates(),
        in_scope=lambda r: r["_company_id"] == cid,
        create=lambda item: _new_user(call, cid, clean(item, USER_FIELDS)),
        update=lambda rec, item: _update_user(call, rec, clean(item, USER_FIELDS)),
        render=render_user,
    )


# ------------------------------------------------------------------ permission templates


def _render_template(record: dict[str, Any]) -> dict[str, Any]:
    # Items {id, name, project_specific, type} (spec §2.1).
    return {k: record[k] for k in ("id", "name", "project_specific", "type")}


def list_templates(call: Call) -> Reply:
    company = call.company_by_id(call.path_int("company_id"))
    require(call.user, "company", "directory", "read_only", "list permission templates")
    rows = [
        t
        for t in call.world.table("permission_templates").values()
        if t["_company_id"] == company["id"]
    ]
    return call.page(sort_records(rows, call.query), _render_template)


def list_project_templates_for_project(call: Call) -> Reply:
    project = call.project(call.path_int("project_id"))
    require(call.user, "company", "directory", "read_only", "list permission templates")
    rows = [
        t
        for t in call.world.table("permission_templates").values()
        if t["_company_id"] == project["_company_id"] and t["project_specific"]
    ]
    return call.page(sort_records(rows, call.query), _render_template)


def show_template(call: Call) -> Reply:
    call.company_by_id(call.path_int("company_id"))
    require(call.user, "company", "directory", "read_only", "see permission templates")
    record = call.record("permission_templates", call.path_int("id"), "permission template")
    return Reply(_render_template(record))


def create_template(call: Call) -> Reply:
    company = call.company_by_id(call.path_int("company_id"))
    require(call.user, "company", "directory", "admin", "create permission templates")
    values = clean(call.body_object("permission_template"), {"name": "str", "type": "str"})
    require_fields(values, "name")
    kind = values.get("type") or "project"
    record = call.world.insert(
        "permission_templates",
        {
            "_company_id": company["id"],
            "name": values["name"],
            "type": kind,
            "project_specific": kind == "project",
        },
        call.now,
    )
    return Reply(_render_template(record), status=201)


# ------------------------------------------------------------------ offices, stages, types


def _named_list(table: str) -> Any:
    def handler(call: Call) -> Reply:
        if "company_id" in call.request.path_params:
            company = call.company_by_id(call.path_int("company_id"))
        else:
            company = call.company()
        rows = [r for r in call.world.table(table).values() if r["_company_id"] == company["id"]]
        return call.page(sort_records(rows, call.query), _public)

    return handler


def _named_create(table: str, key: str, extra: dict[str, str]) -> Any:
    def handler(call: Call) -> Reply:
        if "company_id" in call.request.path_params:
            company = call.company_by_id(call.path_int("company_id"))
        else:
            company = call.company()
        require(call.user, "company", "directory", "admin", f"create {table.replace('_', ' ')}")
        values = clean(call.body_object(key), {"name": "str", **extra})
        require_fields(values, "name")
        record = call.world.insert(table, {"_company_id": company["id"], **values}, call.now)
        return Reply(_public(record), status=201)

    return handler


def show_office(call: Call) -> Reply:
    call.company()
    return Reply(_public(call.record("offices", call.path_int("id"), "office")))


def update_office(call: Call) -> Reply:
    call.company()
    require(call.user, "company", "directory", "admin", "update offices")
    record = call.record("offices", call.path_int("id"), "office")
    record.update(clean(call.body_object("office"), OFFICE_FIELDS))
    call.world.touch("offices", record, call.now)
    return Reply(_public(record))


def delete_office(call: Call) -> Reply:
    call.company()
    require(call.user, "company", "directory", "admin", "delete offices")
    record = call.record("offices", call.path_int("id"), "office")
    if any(p.get("office_id") == record["id"] for p in call.world.table("projects").values()):
        raise Unprocessable(
            {"base": [f"office {record['id']} is used by projects; move them first"]}
        )
    call.world.delete("offices", record)
    return Reply(None, status=204)


OFFICE_FIELDS = {
    "name": "str",
    "address": "str",
    "city": "str",
    "state_code": "str",
    "country_code": "str",
    "zip": "str",
    "phone": "str",
    "fax": "str",
    "division": "str",
}


def routes() -> list[RouteSpec]:
    return [
        RouteSpec("GET", f"{V0}/companies", list_companies, "List Companies", company_header=False),
        RouteSpec(
            "GET",
            f"{V0}/me",
            show_me,
            "Show User Info",
            company_header=False,
            company_header_when=("company_id", "project_id"),
        ),
        RouteSpec(
            "GET", f"{V0}/companies/{{company_id}}/me", show_company_me, "Show current company user"
        ),
        RouteSpec(
            "GET", f"{V1}/companies/{{company_id}}/me", show_company_me, "Show current company user"
        ),
        RouteSpec(
            "GET", f"{V0}/settings/permissions", show_permissions, "Show permission manifest"
        ),
        *[
            spec
            for v in (V0, V1)
            for spec in (
                RouteSpec(
                    "GET", f"{v}/companies/{{company_id}}/users", list_users, "List company users"
                ),
                RouteSpec(
                    "POST",
                    f"{v}/companies/{{company_id}}/users",
                    create_user,
                    "Create company user",
                    mutating=True,
                ),
                RouteSpec(
                    "PATCH",
                    f"{v}/companies/{{company_id}}/users/sync",
                    sync_users,
                    "Sync company users",
                    mutating=True,
                ),
                RouteSpec(
                    "GET",
                    f"{v}/companies/{{company_id}}/users/{{id}}",
                    show_user,
                    "Show company user",
                ),
                RouteSpec(
                    "PATCH",
                    f"{v}/companies/{{company_id}}/users/{{id}}",
                    update_user,
                    "Update company user",
                    mutating=True,
                ),
            )
        ],
        RouteSpec(
            "GET",
            f"{V0}/companies/{{company_id}}/permission_templates",
            list_templates,
            "List permission templates",
        ),
        RouteSpec(
            "POST",
            f"{V0}/companies/{{company_id}}/permission_templates",
            create_template,
            "Create Permission Template",
            mutating=True,
        ),
        RouteSpec(
            "GET",
            f"{V0}/companies/{{company_id}}/permission_templates/{{id}}",
            show_template,
            "Returns specific template",
        ),
        RouteSpec(
            "GET",
            f"{V0}/projects/{{project_id}}/permission_templates",
            list_project_templates_for_project,
            "List all available permission templates for a Project",
        ),
        RouteSpec("GET", f"{V0}/offices", _named_list("offices"), "List company offices"),
        RouteSpec(
            "POST",
            f"{V0}/offices",
            _named_create("offices", "office", OFFICE_FIELDS),
            "Create company office",
            mutating=True,
        ),
        RouteSpec("GET", f"{V0}/offices/{{id}}", show_office, "Show company office"),
        RouteSpec(
            "PATCH", f"{V0}/offices/{{id}}", update_office, "Update company office", mutating=True
        ),
        RouteSpec(
            "DELETE",
            f"{V0}/offices/{{id}}",
            delete_office,
            "Delete a company office",
            mutating=True,
        ),
        RouteSpec(
            "GET",
            f"{V0}/companies/{{company_id}}/project_stages",
            _named_list("project_stages"),
            "List Project Stages",
        ),
        RouteSpec(
            "POST",
            f"{V0}/companies/{{company_id}}/project_stages",
            _named_create("project_stages", "project_stage", {}),
            "Create project stage",
            mutating=True,
        ),
        RouteSpec(
            "GET",
            f"{V0}/companies/{{company_id}}/project_types",
            _named_list("project_types"),
            "List project types",
        ),
        RouteSpec(
            "POST",
            f"{V0}/companies/{{company_id}}/project_types",
            _named_create("project_types", "project_type", {}),
            "Create project type",
            mutating=True,
        ),
        RouteSpec(
            "GET",
            f"{V0}/project_templates",
            _named_list("project_templates"),
            "List Project Templates",
        ),
    ]
