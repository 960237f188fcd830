"""Standard cost code lists, standard cost codes, project cost codes and line item types.

Rules (spec procore-api.md §2.4):

* ``GET /rest/v1.0/standard_cost_codes`` needs ``company_id`` and ``standard_cost_code_list_id``;
  its ``view`` is ``default`` (id and list id), ``compact`` (+ origin_id) or ``extended`` (all,
  used when no view is given) (S-postman);
* ``GET /rest/v1.0/cost_codes`` needs ``project_id``; cost codes answer Procore's ``Extended``
  shape (``biller``, ``biller_type``, ``full_code``, ``line_item_types``...);
* a company has at most one ERP standard cost code list (D-erp-intro: "an integrated company has
  exactly one ERP list");
* **on ERP-integrated projects cost codes must be created or updated through
  ``cost_codes/sync``; Create and Update will not work** (D-erp-tech-2022) — answered with 422;
* line item types take their code as ``csv_import_code`` and show it as ``code``;
* ``origin_id`` is unique per company within each resource (409 on reuse, D-sync);
* the ERP connection's ``save`` rules for ``standard_cost_codes`` apply on create and update;
* writing company master data (lists, standard codes, line item types) needs 'Admin' on ERP
  Integrations; writing a project's cost codes needs 'Admin' on the project's Admin tool.
"""

from __future__ import annotations

from typing import Any

from procore_qb.sandbox.procore.core import Call, Reply, RouteSpec, require_fields
from procore_qb.sandbox.procore.errors import BadRequest, NotFound, Unprocessable
from procore_qb.sandbox.procore.fields import clean, render_time
from procore_qb.sandbox.procore.listing import apply_filters, sort_records
from procore_qb.sandbox.procore.permissions import require
from procore_qb.sandbox.procore.save_rules import check_save_rules
from procore_qb.sandbox.procore.seeding import new_cost_code_record
from procore_qb.sandbox.procore.sync import run_sync

__all__ = ["copy_standard_codes", "render_cost_code", "routes"]

V0 = "/rest/v1.0"

STD_CODE_FIELDS = {
    "name": "str",
    "code": "str",
    "parent_id": "int",
    "origin_id": "str",
    "origin_data": "str",
}
COST_CODE_FIELDS = {
    "name": "str",
    "code": "str",
    "position": "int",
    "parent_id": "int",
    "standard_cost_code_id": "int",
    "origin_id": "str",
    "origin_data": "str",
}
LINE_ITEM_TYPE_FIELDS = {
    "name": "str",
    "csv_import_code": "str",
    "base_type": "str",
    "origin_id": "str",
    "origin_data": "str",
}
BASE_TYPES = ("labor", "material", "equipment", "subcontract", "other", "commitment", "owner")


def _public(record: dict[str, Any]) -> dict[str, Any]:
    return {k: render_time(v) for k, v in record.items() if not k.startswith("_")}


def _set(call: Call, table: str, record: dict[str, Any], values: dict[str, Any]) -> None:
    values = dict(values)
    origin = values.pop("origin_id", record.get("origin_id"))
    record.update(values)
    call.world.set_origin_id(table, record, origin)


# ------------------------------------------------------------------ standard cost code lists


def _render_list(record: dict[str, Any]) -> dict[str, Any]:
    return {k: record[k] for k in ("id", "name", "is_erp_list", "available_to_use_on_new_projects")}


def _list_values(call: Call, company_id: int, values: dict[str, Any], rid: int | None) -> None:
    if values.get("is_erp_list"):
        for other in call.world.table("standard_cost_code_lists").values():
            if other["_company_id"] == company_id and other["is_erp_list"] and other["id"] != rid:
                raise Unprocessable(
                    {
                        "is_erp_list": [
                            f"the company already has an ERP list ({other['name']!r}, "
                            f"id {other['id']}); a company has exactly one"
                        ]
                    }
                )


def list_lists(call: Call) -> Reply:
    company = call.company()
    rows = [
        r
        for r in call.world.table("standard_cost_code_lists").values()
        if r["_company_id"] == company["id"]
    ]
    return call.page(sort_records(rows, call.query), _render_list)


def show_list(call: Call) -> Reply:
    call.company()
    return Reply(
        _render_list(
            call.record("standard_cost_code_lists", call.path_int("id"), "standard cost code list")
        )
    )


def create_list(call: Call) -> Reply:
    company = call.company()
    require(call.user, "company", "erp_integrations", "admin", "create standard cost code lists")
    values = clean(
        call.body_object("standard_cost_code_list"), {"name": "str", "is_erp_list": "bool"}
    )
    require_fields(values, "name")
    _list_values(call, company["id"], values, None)
    record = call.world.insert(
        "standard_cost_code_lists",
        {
            "_company_id": company["id"],
            "name": values["name"],
            "is_erp_list": bool(values.get("is_erp_list")),
            "available_to_use_on_new_projects": True,
        },
        call.now,
    )
    return Reply(_render_list(record), status=201)


def update_list(call: Call) -> Reply:
    company = call.company()
    require(call.user, "company", "erp_integrations", "admin", "update standard cost code lists")
    record = call.record("standard_cost_code_lists", call.path_int("id"), "standard cost code list")
    values = clean(
        call.body_object("standard_cost_code_list"), {"name": "str", "is_erp_list": "bool"}
    )
    _list_values(call, company["id"], values, record["id"])
    record.update(values)
    call.world.touch("standard_cost_code_lists", record, call.now)
    return Reply(_render_list(record))


# ------------------------------------------------------------------ standard cost codes


def _render_std(record: dict[str, Any], view: str = "extended") -> dict[str, Any]:
    if view == "default":
        return {
            "id": record["id"],
            "standard_cost_code_list_id": record["standard_cost_code_list_id"],
        }
    if view == "compact":
        return {
            "id": record["id"],
            "standard_cost_code_list_id": record["standard_cost_code_list_id"],
            "origin_id": record["origin_id"],
        }
    return {
        k: record[k]
        for k in (
            "id",
            "standard_cost_code_list_id",
            "parent_id",
            "code",
            "full_code",
            "name",
            "origin_id",
            "origin_data",
        )
    }


def _view(call: Call) -> str:
    view = call.query.get("view") or "extended"
    if view not in ("default", "compact", "extended"):
        raise BadRequest(f"view must be default, compact or extended; got {view!r}")
    return view


def _std_list(call: Call, company_id: int) -> dict[str, Any]:
    lid = call.required_int("standard_cost_code_list_id")
    record = call.world.table("standard_cost_code_lists").get(lid)
    if record is None or record["_company_id"] != company_id:
        raise Unprocessable(
            {"standard_cost_code_list_id": [f"standard cost code list {lid} does not exist"]}
        )
    return record


def _std_new(call: Call, company_id: int, list_id: int, values: dict[str, Any]) -> dict[str, Any]:
    require(call.user, "company", "erp_integrations", "admin", "write standard cost codes")
    require_fields(values, "code", "name")
    check_save_rules(call.world, company_id, "standard_cost_codes", {}, values)
    call.check_origin_free("standard_cost_codes", values.get("origin_id"), None, company_id)
    _check_parent(call, "standard_cost_codes", values, list_id=list_id)
    record: dict[str, Any] = {
        "_company_id": company_id,
        "standard_cost_code_list_id": list_id,
        "parent_id": None,
        "origin_id": None,
        "origin_data": None,
    }
    record["id"] = call.world.new_id()
    _set(call, "standard_cost_codes", record, values)
    record["full_code"] = _full_code(call, "standard_cost_codes", record)
    call.world.insert("standard_cost_codes", record, call.now)
    call.emit(company_id, None, "Standard Cost Codes", "create", record["id"], call.user["id"])
    return record


def _std_update(call: Call, record: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    require(call.user, "company", "erp_integrations", "admin", "write standard cost codes")
    check_save_rules(call.world, record["_company_id"], "standard_cost_codes", record, values)
    if "origin_id" in values:
        call.check_origin_free(
            "standard_cost_codes", values["origin_id"], record["id"], record["_company_id"]
        )
    _check_parent(call, "standard_cost_codes", values, list_id=record["standard_cost_code_list_id"])
    _set(call, "standard_cost_codes", record, values)
    record["full_code"] = _full_code(call, "standard_cost_codes", record)
    call.world.touch("standard_cost_codes", record, call.now)
    call.emit(
        record["_company_id"], None, "Standard Cost Codes", "update", record["id"], call.user["id"]
    )
    return record


def _check_parent(call: Call, table: str, values: dict[str, Any], **scope: Any) -> None:
    pid = values.get("parent_id")
    if pid is None:
        return
    parent = call.world.table(table).get(pid)
    if parent is None or any(parent.get(k) != v for k, v in scope.items()):
        raise Unprocessable({"parent_id": [f"parent {pid} does not exist in the same list"]})


def _full_code(call: Call, table: str, record: dict[str, Any]) -> str:
    parts = [str(record.get("code") or "")]
    parent_id = record.get("parent_id")
    seen = {record["id"]}
    while parent_id is not None and parent_id not in seen:
        parent = call.world.table(table).get(parent_id)
        if parent is None:
            break
        seen.add(parent_id)
        parts.append(str(parent.get("code") or ""))
        parent_id = parent.get("parent_id")
    return ".".join(reversed(parts))


def list_std(call: Call) -> Reply:
    company = call.company()
    cc_list = _std_list(call, company["id"])
    view = _view(call)
    rows = [
        r
        for r in call.world.table("standard_cost_codes").values()
        if r["standard_cost_code_list_id"] == cc_list["id"]
    ]
    rows = apply_filters(rows, call.query)
    return call.page(sort_records(rows, call.query), lambda r: _render_std(r, view))


def show_std(call: Call) -> Reply:
    company = call.company()
    cc_list = _std_list(call, company["id"])
    record = call.record("standard_cost_codes", call.path_int("id"), "standard cost code")
    if record["standard_cost_code_list_id"] != cc_list["id"]:
        raise NotFound(
            f"standard cost code {record['id']} is not in standard cost code list {cc_list['id']}"
        )
    return Reply(_render_std(record, _view(call)))


def create_std(call: Call) -> Reply:
    company = call.company()
    cc_list = _std_list(call, company["id"])
    values = clean(call.body_object("standard_cost_code"), STD_CODE_FIELDS)
    record = _std_new(call, company["id"], cc_list["id"], values)
    return Reply(_render_std(record, _view(call)), status=201)


def update_std(call: Call) -> Reply:
    call.company()
    record = call.record("standard_cost_codes", call.path_int("id"), "standard cost code")
    values = clean(call.body_object("standard_cost_code"), STD_CODE_FIELDS)
    return Reply(_render_std(_std_update(call, record, values), _view(call)))


def delete_std(call: Call) -> Reply:
    call.company()
    require(call.user, "company", "erp_integrations", "admin", "delete standard cost codes")
    record = call.record("standard_cost_codes", call.path_int("id"), "standard cost code")
    used = [
        c["id"]
        for c in call.world.table("cost_codes").values()
        if c.get("standard_cost_code_id") == record["id"]
    ]
    if used:
        raise Unprocessable(
            {
                "base": [
                    f"standard cost code {record['id']} is used by project "
                    f"cost codes {used[:5]}; delete those first"
                ]
            }
        )
    call.world.delete("standard_cost_codes", record)
    call.emit(
        record["_company_id"], None, "Standard Cost Codes", "delete", record["id"], call.user["id"]
    )
    return Reply(None, status=204)


def sync_std(call: Call) -> Reply:
    company = call.company()
    cid = company["id"]
    cc_list = _std_list(call, cid)
    lid = cc_list["id"]
    view = _view(call)
    return run_sync(
        call,
        "standard_cost_codes",
        cid,
        call.updates(),
        in_scope=lambda r: r["standard_cost_code_list_id"] == lid,
        create=lambda item: _std_new(call, cid, lid, clean(item, STD_CODE_FIELDS)),
        update=lambda rec, item: _std_update(call, rec, clean(item, STD_CODE_FIELDS)),
        render=lambda r: _render_std(r, view),
    )


# ------------------------------------------------------------------ project cost codes


def render_cost_code(call: Call, record: dict[str, Any]) -> dict[str, Any]:
    """Procore's ``Extended`` cost code (spec §2.4)."""
    project = call.world.table("projects")[record["_project_id"]]
    out = {k: render_time(v) for k, v in record.items() if not k.startswith("_")}
    parent = record.get("parent_id")
    types = [
        {k: t[k] for k in ("id", "name", "code", "base_type", "origin_id", "origin_data")}
        for t in call.world.table("line_item_types").values()
        if t["_company_id"] == record["_company_id"]
    ]
    out.update(
        biller=project["name"],
        biller_id=project["id"],
        biller_type="Project",
        biller_origin_id=project.get("origin_id"),
        sortable_code=record.get("full_code"),
        parent=None if parent is None else {"id": parent},
        line_item_types=types,
    )
    return out


def _cc_new(
    call: Call, project: dict[str, Any], values: dict[str, Any], *, via_sync: bool
) -> dict[str, Any]:
    require(call.user, "project", "admin", "admin", f"add cost codes to project {project['id']}")
    _erp_guard(project, via_sync)
    require_fields(values, "code")
    cid = project["_company_id"]
    call.check_origin_free("cost_codes", values.get("origin_id"), None, cid)
    std = _std_for(call, project, values)
    _check_parent(call, "cost_codes", values, _project_id=project["id"])
    record = new_cost_code_record(
        cid,
        project,
        code=values["code"],
        name=values.get("name") or (std or {}).get("name", ""),
        position=values.get("position"),
        standard_cost_code=std,
    )
    record["id"] = call.world.new_id()
    _set(call, "cost_codes", record, values)
    record["full_code"] = _full_code(call, "cost_codes", record)
    call.world.insert("cost_codes", record, call.now)
    call.emit(cid, project["id"], "Cost Codes", "create", record["id"], call.user["id"])
    return record


def _cc_update(
    call: Call, record: dict[str, Any], values: dict[str, Any], *, via_sync: bool
) -> dict[str, Any]:
    project = call.world.table("projects")[record["_project_id"]]
    require(call.user, "project", "admin", "admin", f"edit cost codes of project {project['id']}")
    _erp_guard(project, via_sync)
    if "origin_id" in values:
        call.check_origin_free(
            "cost_codes", values["origin_id"], record["id"], record["_company_id"]
        )
    std = _std_for(call, project, values)
    _check_parent(call, "cost_codes", values, _project_id=project["id"])
    _set(call, "cost_codes", record, values)
    if std is not None:
        record["standard_cost_code_list_id"] = std["standard_cost_code_list_id"]
    record["full_code"] = _full_code(call, "cost_codes", record)
    call.world.touch("cost_codes", record, call.now)
    call.emit(
        record["_company_id"], project["id"], "Cost Codes", "update", record["id"], call.user["id"]
    )
    return record


def _erp_guard(project: dict[str, Any], via_sync: bool) -> None:
    if project.get("is_erp_integrated") and not via_sync:
        raise Unprocessable(
            {
                "base": [
                    f"project {project['id']} is ERP-integrated: its cost codes can only be "
                    "created or updated through PATCH /rest/v1.0/cost_codes/sync"
                ]
            }
        )


def _std_for(call: Call, project: dict[str, Any], values: dict[str, Any]) -> dict[str, Any] | None:
    sid = values.get("standard_cost_code_id")
    if sid is None:
        return None
    std = call.world.table("standard_cost_codes").get(sid)
    if std is None or std["_company_id"] != project["_company_id"]:
        raise Unprocessable({"standard_cost_code_id": [f"standard cost code {sid} does not exist"]})
    return std


def copy_standard_codes(call: Call, project: dict[str, Any], list_id: int) -> list[dict[str, Any]]:
    """Add every code of a standard list the project lacks (by code) as a project cost code."""
    have = {
        c["code"]
        for c in call.world.table("cost_codes").values()
        if c["_project_id"] == project["id"]
    }
    made = []
    for std in list(call.world.table("standard_cost_codes").values()):
        if std["standard_cost_code_list_id"] == list_id and std["code"] not in have:
            record = new_cost_code_record(
                project["_company_id"],
                project,
                code=std["code"],
                name=std["name"],
                position=None,
                standard_cost_code=std,
            )
            made.append(call.world.insert("cost_codes", record, call.now))
    return made


def list_cost_codes(call: Call) -> Reply:
    project = call.project()
    rows = [c for c in call.world.table("cost_codes").values() if c["_project_id"] == project["id"]]
    rows = apply_filters(rows, call.query)
    return call.page(sort_records(rows, call.query), lambda r: render_cost_code(call, r))


def _project_code(call: Call) -> dict[str, Any]:
    """The cost code of the path, which must belong to the ``project_id`` given (if any)."""
    record = call.record("cost_codes", call.path_int("id"), "cost code")
    pid = call.int_param("project_id", required=False)
    if pid is not None and record["_project_id"] != call.project(pid)["id"]:
        raise NotFound(f"cost code {record['id']} is not a cost code of project {pid}")
    return record


def show_cost_code(call: Call) -> Reply:
    return Reply(render_cost_code(call, _project_code(call)))


def create_cost_code(call: Call) -> Reply:
    project = call.project()
    values = clean(call.body_object("cost_code"), COST_CODE_FIELDS)
    return Reply(render_cost_code(call, _cc_new(call, project, values, via_sync=False)), status=201)


def update_cost_code(call: Call) -> Reply:
    record = _project_code(call)
    values = clean(call.body_object("cost_code"), COST_CODE_FIELDS)
    return Reply(render_cost_code(call, _cc_update(call, record, values, via_sync=False)))


def sync_cost_codes(call: Call) -> Reply:
    project = call.project()
    pid = project["id"]
    return run_sync(
        call,
        "cost_codes",
        project["_company_id"],
        call.updates(),
        in_scope=lambda r: r["_project_id"] == pid,
        create=lambda item: _cc_new(call, project, clean(item, COST_CODE_FIELDS), via_sync=True),
        update=lambda rec, item: _cc_update(
            call, rec, clean(item, COST_CODE_FIELDS), via_sync=True
        ),
        render=lambda r: render_cost_code(call, r),
    )


def copy_from_standard_list(call: Call) -> Reply:
    project = call.project()
    require(call.user, "project", "admin", "admin", f"add cost codes to project {project['id']}")
    lid = call.required_int("standard_cost_code_list_id")
    cc_list = call.world.table("standard_cost_code_lists").get(lid)
    if cc_list is None or cc_list["_company_id"] != project["_company_id"]:
        raise Unprocessable(
            {"standard_cost_code_list_id": [f"standard cost code list {lid} does not exist"]}
        )
    made = copy_standard_codes(call, project, lid)
    return Reply([render_cost_code(call, r) for r in made], status=201)


# ------------------------------------------------------------------ line item types


def _render_type(record: dict[str, Any]) -> dict[str, Any]:
    return {k: record[k] for k in ("id", "name", "code", "base_type", "origin_id", "origin_data")}


def _type_values(values: dict[str, Any]) -> dict[str, Any]:
    values = dict(values)
    if "csv_import_code" in values:
        values["code"] = values.pop("csv_import_code")
    base = values.get("base_type")
    if base is not None and base not in BASE_TYPES:
        raise Unprocessable(
            {"base_type": [f"must be one of {', '.join(BASE_TYPES)}; got {base!r}"]}
        )
    return values


def _type_new(call: Call, company_id: int, values: dict[str, Any]) -> dict[str, Any]:
    require(call.user, "company", "erp_integrations", "admin", "write line item types")
    values = _type_values(values)
    require_fields(values, "name", "code")
    call.check_origin_free("line_item_types", values.get("origin_id"), None, company_id)
    record: dict[str, Any] = {
        "_company_id": company_id,
        "base_type": "other",
        "origin_id": None,
        "origin_data": None,
        "id": call.world.new_id(),
    }
    _set(call, "line_item_types", record, values)
    call.world.insert("line_item_types", record, call.now)
    call.emit(company_id, None, "Line Item Types", "create", record["id"], call.user["id"])
    return record


def _type_update(call: Call, record: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    require(call.user, "company", "erp_integrations", "admin", "write line item types")
    values = _type_values(values)
    if "origin_id" in values:
        call.check_origin_free(
            "line_item_types", values["origin_id"], record["id"], record["_company_id"]
        )
    _set(call, "line_item_types", record, values)
    call.world.touch("line_item_types", record, call.now)
    call.emit(
        record["_company_id"], None, "Line Item Types", "update", record["id"], call.user["id"]
    )
    return record


def _type_company(call: Call) -> int:
    pid = call.int_param("project_id", required=False)
    if pid is not None:
        return int(call.project(pid)["_company_id"])
    return int(call.company()["id"])


def list_types(call: Call) -> Reply:
    cid = _type_company(call)
    rows = [t for t in call.world.table("line_item_types").values() if t["_company_id"] == cid]
    rows = apply_filters(rows, call.query)
    return call.page(sort_records(rows, call.query), _render_type)


def show_type(call: Call) -> Reply:
    _type_company(call)
    return Reply(
        _render_type(call.record("line_item_types", call.path_int("id"), "line item type"))
    )


def create_type(call: Call) -> Reply:
    cid = _type_company(call)
    values = clean(call.body_object("line_item_type"), LINE_ITEM_TYPE_FIELDS)
    return Reply(_render_type(_type_new(call, cid, values)), status=201)


def update_type(call: Call) -> Reply:
    _type_company(call)
    record = call.record("line_item_types", call.path_int("id"), "line item type")
    values = clean(call.body_object("line_item_type"), LINE_ITEM_TYPE_FIELDS)
    return Reply(_render_type(_type_update(call, record, values)))


def sync_types(call: Call) -> Reply:
    cid = int(call.company()["id"])
    return run_sync(
        call,
        "line_item_types",
        cid,
        call.updates(),
        in_scope=lambda r: r["_company_id"] == cid,
        create=lambda item: _type_new(call, cid, clean(item, LINE_ITEM_TYPE_FIELDS)),
        update=lambda rec, item: _type_update(call, rec, clean(item, LINE_ITEM_TYPE_FIELDS)),
        render=_render_type,
    )


def routes() -> list[RouteSpec]:
    lists = f"{V0}/standard_cost_code_lists"
    std = f"{V0}/standard_cost_codes"
    cc = f"{V0}/cost_codes"
    lit = f"{V0}/line_item_types"
    return [
        RouteSpec("GET", lists, list_lists, "List Standard Cost Code Lists"),
        RouteSpec("POST", lists, create_list, "Create Standard Cost Code List", mutating=True),
        RouteSpec("GET", f"{lists}/{{id}}", show_list, "Show Standard Cost Code List"),
        RouteSpec(
            "PATCH", f"{lists}/{{id}}", update_list, "Update Standard Cost Code List", mutating=True
        ),
        RouteSpec("GET", std, list_std, "List Standard Cost Codes"),
        RouteSpec("POST", std, create_std, "Create Standard Cost Code", mutating=True),
        RouteSpec("PATCH", f"{std}/sync", sync_std, "Sync Standard Cost Codes", mutating=True),
        RouteSpec("GET", f"{std}/{{id}}", show_std, "Show Standard Cost Code"),
        RouteSpec("PATCH", f"{std}/{{id}}", update_std, "Update Standard Cost Code", mutating=True),
        RouteSpec(
            "DELETE", f"{std}/{{id}}", delete_std, "Delete Standard Cost Code", mutating=True
        ),
        RouteSpec("GET", cc, list_cost_codes, "List Cost Codes"),
        RouteSpec("POST", cc, create_cost_code, "Create Cost Code", mutating=True),
        RouteSpec("PATCH", f"{cc}/sync", sync_cost_codes, "Sync Cost Codes", mutating=True),
        RouteSpec(
            "POST",
            f"{cc}/copy_from_standard_list",
            copy_from_standard_list,
            "Copy from Standard Cost Code List",
            mutating=True,
        ),
        RouteSpec("GET", f"{cc}/{{id}}", show_cost_code, "Show Cost Code"),
        RouteSpec("PATCH", f"{cc}/{{id}}", update_cost_code, "Update Cost Code", mutating=True),
        RouteSpec("GET", lit, list_types, "List Line Item Types"),
        RouteSpec("POST", lit, create_type, "Create Line Item Type", mutating=True),
        RouteSpec("PATCH", f"{lit}/sync", sync_types, "Sync Line Item Types", mutating=True),
        RouteSpec("GET", f"{lit}/{{id}}", show_type, "Show Line Item Type"),
        RouteSpec("PATCH", f"{lit}/{{id}}", update_type, "Update Line Item Type", mutating=True),
    ]
