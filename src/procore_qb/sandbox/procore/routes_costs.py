"""Budget line items and direct costs of a project (spec procore-api.md §2.5).

Rules:

* v1.0 budget line items are created with ``cost_code_id`` and ``line_item_type_id``
  (S-postman); both must belong to the project's company (the cost code to the project);
* direct costs are created with the v1.0 body ``{"item": {...}}`` (S-postman); ``direct_cost_type``
  is required and is one of Procore's direct cost types (invoice, expense, payroll, and
  ``subcontractor_invoice`` which the collection says is "also allowed");
* a direct cost with ``origin_id`` is synced and becomes immutable (D-fin): only a user with
  'Admin' on ERP Integrations may edit or delete it (procore-workflow.md §4, "Edit synced direct
  cost transactions");
* a project's WBS codes (``GET …/work_breakdown_structure/wbs_codes``) combine a cost code
  segment item with a cost type (line item type) segment item, ``flat_code`` like ``01-100.O``
  and ``flat_name`` like ``General Conditions.Other`` (Procore's WBS tutorial, "Phase . Cost
  Code . Cost Type"); here every pair of the project's cost codes and the company's line item
  types has one;
* ``POST /rest/v1.0/budget_line_items/sync`` is the one sync that is a POST with a
  ``budget_line_items`` key (spec §1.7); its items name a ``wbs_code_id`` (S-postman) and are
  matched by ``id`` only (budget lines carry no ``origin_id``);
* direct cost amounts live on line items (``…/direct_costs/{id}/line_items`` and
  ``…/direct_costs/line_items/sync``, S-postman); a line names a cost code of the project and a
  line item type of the company (this sandbox holds no WBS codes or tax codes, so
  ``wbs_code_id``/``tax_code_id`` name nothing that exists); ``amount`` is given, or computed from
  ``quantity`` times ``unit_cost``; the lines of a synced direct cost are locked like it;
* a budget line's ``direct_costs`` is the sum of the lines of **approved** direct costs on its
  cost code and line item type, unless it was set explicitly through an update;
* the direct cost ``status`` is one of Procore's direct cost statuses (draft, pending,
  revise_and_resubmit, approved);
* writing budgets and direct costs needs 'Admin' on the project's Admin tool;
* ``GET /rest/v1.0/budget_views`` lists the budget views (views are the company's; this
  sandbox keeps one, "Procore Standard Budget", made on first sight; ``project_id`` is optional,
  S-postman) with ``id``, ``name``, ``description``, ``role``, ``links`` (``detail_rows``,
  ``summary_rows``) and times (procore_sdk model ``RestV10BudgetViewsGet200ResponseInner``);
  ``GET …/budget_views/{id}/detail_rows?project_id`` lists a project's budgeted rows, one per
  budget line item, filtered by ``cost_code_id[]``, ``category_id[]`` (the line item type) and
  ``budget_line_item_id[]`` (S-postman), with the fields of procore_sdk's ``Budget View Detail
  Row`` (``id`` is the budget line item, ``original_budget_amount`` a string); the extra keys
  real views add per source column are not served;
* deleting a direct cost deletes its line items with it (they exist only under
  ``…/direct_costs/{direct_cost_id}/line_items``);
* ``origin_id`` is unique per company (409, D-sync).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from procore_qb.sandbox.procore.core import Call, Reply, RouteSpec, require_fields
from procore_qb.sandbox.procore.errors import BadRequest, Unprocessable
from procore_qb.sandbox.procore.fields import TimeText, clean, render_time
from procore_qb.sandbox.procore.listing import apply_filters, parse_range, sort_records
from procore_qb.sandbox.procore.permissions import has_level, require
from procore_qb.sandbox.procore.sync import run_sync

__all__ = ["BUDGET_FIELDS", "BUDGET_SYNC_FIELDS", "DIRECT_COST_FIELDS", "LINE_FIELDS", "routes"]

V0 = "/rest/v1.0"

BUDGET_FIELDS = {
    "cost_code_id": "int",
    "line_item_type_id": "int",
    "original_budget_amount": "number",
    "uom": "str",
    "quantity": "number",
    "unit_cost": "number",
    "calculation_strategy": "str",
    "direct_costs": "number",
}
DIRECT_COST_FIELDS = {
    "invoice_number": "str",
    "vendor_id": "int",
    "direct_cost_type": "str",
    "description": "str",
    "direct_cost_date": "date",
    "employee_id": "int",
    "origin_id": "str",
    "origin_data": "str",
    "payment_date": "date",
    "received_date": "date",
    "status": "str",
    "terms": "str",
    "currency_iso_code": "str",
    "currency_exchange_rate": "number",
}
DIRECT_COST_TYPES = ("invoice", "expense", "payroll", "subcontractor_invoice")
DIRECT_COST_STATUSES = ("draft", "pending", "revise_and_resubmit", "approved")
LINE_FIELDS = {
    "amount": "number",
    "wbs_code_id": "int",
    "cost_code_id": "int",
    "description": "str",
    "direct_cost_id": "int",
    "extended_type": "str",
    "quantity": "number",
    "line_item_type_id": "int",
    "origin_data": "str",
    "origin_id": "str",
    "unit_cost": "number",
    "uom": "str",
    "tax_code_id": "int",
}
STRATEGIES = ("manual", "automatic")


# ------------------------------------------------------------------ budget line items


def _render_budget(call: Call, record: dict[str, Any]) -> dict[str, Any]:
    code = call.world.table("cost_codes").get(record["cost_code_id"]) or {}
    kind = call.world.table("line_item_types").get(record["line_item_type_id"]) or {}
    original = record.get("original_budget_amount") or 0.0
    direct = record.get("direct_costs")
    if direct is None:
        approved = {
            d["id"]
            for d in call.world.table("direct_costs").values()
            if d["_project_id"] == record["_project_id"] and d.get("status") == "approved"
        }
        code_id, type_id = record["cost_code_id"], record["line_item_type_id"]
        direct = sum(
            line.get("amount") or 0.0
            for line in call.world.table("direct_cost_line_items").values()
            if line["direct_cost_id"] in approved
            and line.get("cost_code_id") == code_id
            and line.get("line_item_type_id") == type_id
        )
    return {
        "id": record["id"],
        "original_budget_amount": original,
        "uom": record.get("uom"),
        "quantity": record.get("quantity"),
        "unit_cost": record.get("unit_cost"),
        "calculation_strategy": record.get("calculation_strategy"),
        "approved_budget_changes": 0.0,
        "revised_budget": original,
        "pending_budget_changes": 0.0,
        "projected_budget": original,
        "committed_costs": 0.0,
        "direct_costs": direct,
        "pending_cost_changes": 0.0,
        "projected_costs": direct,
        "budget_forecast": original,
        "estimated_cost_at_completion": direct,
        "projected_over_under": original - direct,
        "cost_code": {k: code.get(k) for k in ("id", "name", "code", "full_code")},
        "division": None,
        "line_item_type": {"id": kind.get("id"), "name": kind.get("name")},
        "currency_configuration": {"currency_iso_code": "USD"},
        "created_at": render_time(record["created_at"]),
        "updated_at": render_time(record["updated_at"]),
    }


def _budget_values(call: Call, project: dict[str, Any], values: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    cc = values.get("cost_code_id")
    if cc is not None:
        code = call.world.table("cost_codes").get(cc)
        if code is None or code["_project_id"] != project["id"]:
            errors["cost_code_id"] = [
                f"cost code {cc} is not a cost code of project {project['id']}"
            ]
    lit = values.get("line_item_type_id")
    if lit is not None:
        kind = call.world.table("line_item_types").get(lit)
        if kind is None or kind["_company_id"] != project["_company_id"]:
            errors["line_item_type_id"] = [f"line item type {lit} does not exist"]
    strategy = values.get("calculation_strategy")
    if strategy is not None and strategy not in STRATEGIES:
        errors["calculation_strategy"] = [f"must be manual or automatic; got {strategy!r}"]
    if errors:
        raise Unprocessable(errors)
    if values.get("calculation_strategy") == "automatic":
        values["original_budget_amount"] = (values.get("quantity") or 0.0) * (
            values.get("unit_cost") or 0.0
        )


def create_budget(call: Call) -> Reply:
    project = call.project()
    require(call.user, "project", "admin", "admin", f"edit the budget of project {project['id']}")
    values = clean(call.body_object("budget_line_item"), BUDGET_FIELDS)
    require_fields(values, "cost_code_id", "line_item_type_id")
    _budget_values(call, project, values)
    record = call.world.insert(
        "budget_line_items",
        {
            "_company_id": project["_company_id"],
            "_project_id": project["id"],
            "calculation_strategy": "manual",
            "original_budget_amount": 0.0,
            **values,
        },
        call.now,
    )
    call.emit(
        project["_company_id"],
        project["id"],
        "Budget Line Items",
        "create",
        record["id"],
        call.user["id"],
    )
    return Reply(_render_budget(call, record), status=201)


def _budget(call: Call) -> tuple[dict[str, Any], dict[str, Any]]:
    project = call.project()
    record = call.record("budget_line_items", call.path_int("id"), "budget line item")
    if record["_project_id"] != project["id"]:
        record = call.record("budget_line_items", -1, "budget line item")
    return project, record


def show_budget(call: Call) -> Reply:
    _, record = _budget(call)
    return Reply(_render_budget(call, record))


def update_budget(call: Call) -> Reply:
    project, record = _budget(call)
    require(call.user, "project", "admin", "admin", f"edit the budget of project {project['id']}")
    values = clean(call.body_object("budget_line_item"), BUDGET_FIELDS)
    merged = {**{k: record.get(k) for k in BUDGET_FIELDS}, **values}
    _budget_values(call, project, merged)
    record.update({k: v for k, v in merged.items() if v is not None})
    call.world.touch("budget_line_items", record, call.now)
    call.emit(
        project["_company_id"],
        project["id"],
        "Budget Line Items",
        "update",
        record["id"],
        call.user["id"],
    )
    return Reply(_render_budget(call, record))


# ------------------------------------------------------------------ budget views


def _budget_view(call: Call, company_id: int) -> dict[str, Any]:
    for view in call.world.table("budget_views").values():
        if view["_company_id"] == company_id:
            return view
    return call.world.insert(
        "budget_views",
        {
            "_company_id": company_id,
            "name": "Procore Standard Budget",
            "description": "The company's standard budget view",
            "role": "standard",
        },
        call.now,
    )


def _render_view(record: dict[str, Any]) -> dict[str, Any]:
    base = f"{V0}/budget_views/{record['id']}"
    return {
        "id": record["id"],
        "name": record["name"],
        "description": record["description"],
        "role": record["role"],
        "created_by": None,
        "links": {"detail_rows": f"{base}/detail_rows", "summary_rows": f"{base}/summary_rows"},
        "created_at": render_time(record["created_at"]),
        "updated_at": render_time(record["updated_at"]),
    }


def list_budget_views(call: Call) -> Reply:
    if call.param("project_id") not in (None, ""):
        company_id = call.project()["_company_id"]
    else:
        company_id = call.company()["id"]
    return call.page([_budget_view(call, company_id)], _render_view)


def _ids(call: Call, name: str) -> set[int] | None:
    raw = call.query.getlist(f"{name}[]") + call.query.getlist(name)
    if not raw:
        return None
    out: set[int] = set()
    for value in raw:
        for part in value.strip().removeprefix("[").removesuffix("]").split(","):
            if not part.strip():
                continue
            try:
                out.add(int(part))
            except ValueError as exc:
                raise BadRequest(f"{name}[] takes integer ids; got {part.strip()!r}") from exc
    return out


def list_detail_rows(call: Call) -> Reply:
    project = call.project()
    call.record("budget_views", call.path_int("budget_view_id"), "budget view")
    codes, kinds, lines = (
        _ids(call, "cost_code_id"),
        _ids(call, "category_id"),
        _ids(call, "budget_line_item_id"),
    )
    rows = [
        r
        for r in call.world.table("budget_line_items").values()
        if r["_project_id"] == project["id"]
        and (codes is None or r["cost_code_id"] in codes)
        and (kinds is None or r["line_item_type_id"] in kinds)
        and (lines is None or r["id"] in lines)
    ]
    rows.sort(key=lambda r: r["id"])
    company = call.world.table("companies").get(project["_company_id"]) or {}

    def render(record: dict[str, Any]) -> dict[str, Any]:
        code = call.world.table("cost_codes").get(record["cost_code_id"]) or {}
        kind = call.world.table("line_item_types").get(record["line_item_type_id"]) or {}
        wbs = next(
            (
                w["id"]
                for w in call.world.table("wbs_codes").values()
                if w["_project_id"] == project["id"]
                and w["cost_code_id"] == record["cost_code_id"]
                and w["line_item_type_id"] == record["line_item_type_id"]
            ),
            None,
        )
        return {
            "id": record["id"],
            "biller": project.get("name"),
            "biller_id": project["id"],
            "biller_type": "Project",
            "budget_modifications": "0.0",
            "category": kind.get("name"),
            "category_id": record["line_item_type_id"],
            "company": company.get("name"),
            "company_id": project["_company_id"],
            "cost_code": code.get("full_code"),
            "cost_code_id": record["cost_code_id"],
            "cost_code_origin_id": code.get("origin_id"),
            "currency_configuration": {"currency_iso_code": "USD"},
            "deletable": True,
            "original_budget_amount": str(record.get("original_budget_amount") or 0.0),
            "project": project.get("name"),
            "project_id": project["id"],
            "root_cost_code": code.get("full_code"),
            "root_cost_code_id": record["cost_code_id"],
            "unbudgeted_reason": None,
            "wbs_code_id": wbs,
        }

    return call.page(rows, render)


# ------------------------------------------------------------------ WBS codes and budget sync


def wbs_codes(call: Call, project: dict[str, Any]) -> list[dict[str, Any]]:
    """The project's WBS codes, one per (cost code, line item type), made on first sight."""
    table = call.world.table("wbs_codes")
    have = {
        (w["cost_code_id"], w["line_item_type_id"]): w
        for w in table.values()
        if w["_project_id"] == project["id"]
    }
    codes = [
        c for c in call.world.table("cost_codes").values() if c["_project_id"] == project["id"]
    ]
    types = [
        t
        for t in call.world.table("line_item_types").values()
        if t["_company_id"] == project["_company_id"]
    ]
    out = []
    for code in sorted(codes, key=lambda c: (c["full_code"] or "", c["id"])):
        for kind in sorted(types, key=lambda t: t["id"]):
            record = have.get((code["id"], kind["id"]))
            if record is None:
                record = call.world.insert(
                    "wbs_codes",
                    {
                        "_company_id": project["_company_id"],
                        "_project_id": project["id"],
                        "cost_code_id": code["id"],
                        "line_item_type_id": kind["id"],
                    },
                    call.now,
                )
            record.update(
                flat_code=f"{code['full_code']}.{kind['code']}",
                flat_name=f"{code['name']}.{kind['name']}",
                description=f"{code['name']} - {kind['name']}",
                status="active",
                segment_items=[
                    {
                        "id": code["id"],
                        "code": code["full_code"],
                        "name": code["name"],
                        "segment": {"type": "cost_code"},
                    },
                    {
                        "id": kind["id"],
                        "code": kind["code"],
                        "name": kind["name"],
                        "segment": {"type": "line_item_type"},
                    },
                ],
            )
            out.append(record)
    return out


def list_wbs_codes(call: Call) -> Reply:
    project = call.project(call.path_int("project_id"))
    rows = apply_filters(wbs_codes(call, project), call.query)
    text = (call.query.get("query") or "").lower()
    if text:
        rows = [
            r for r in rows if text in r["flat_code"].lower() or text in r["description"].lower()
        ]
    return call.page(
        rows, lambda r: {k: render_time(v) for k, v in r.items() if not k.startswith("_")}
    )


def _wbs(call: Call, project: dict[str, Any], wbs_code_id: Any) -> dict[str, Any]:
    wbs_codes(call, project)
    record = call.world.table("wbs_codes").get(wbs_code_id) if wbs_code_id is not None else None
    if record is None or record["_project_id"] != project["id"]:
        raise Unprocessable(
            {
                "wbs_code_id": [
                    f"WBS code {wbs_code_id} does not exist in project "
                    f"{project['id']}; list them at /rest/v1.0/projects/"
                    f"{project['id']}/work_breakdown_structure/wbs_codes"
                ]
            }
        )
    return record


BUDGET_SYNC_FIELDS = {
    "wbs_code_id": "int",
    "original_budget_amount": "number",
    "uom": "str",
    "quantity": "number",
    "unit_cost": "number",
    "calculation_strategy": "str",
}


def sync_budget(call: Call) -> Reply:
    project = call.project()
    require(call.user, "project", "admin", "admin", f"edit the budget of project {project['id']}")
    rows = call.world.table("budget_line_items")
    entities: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    for item in call.updates("budget_line_items"):
        if not isinstance(item, dict):
            errors.append({"errors": {"base": ["each budget line item must be a JSON object"]}})
            continue
        try:
            values = clean(item, BUDGET_SYNC_FIELDS)
            record = None
            if item.get("id") is not None:
                record = rows.get(item["id"]) if isinstance(item["id"], int) else None
                if record is None or record["_project_id"] != project["id"]:
                    raise Unprocessable({"id": ["Entity with this ID not found"]})
            elif values.get("wbs_code_id") is None:
                raise Unprocessable({"wbs_code_id": ["can't be blank"]})
            if values.get("wbs_code_id") is not None:
                wbs = _wbs(call, project, values.pop("wbs_code_id"))
                values.update(
                    cost_code_id=wbs["cost_code_id"], line_item_type_id=wbs["line_item_type_id"]
                )
            merged = {**{k: (record or {}).get(k) for k in BUDGET_FIELDS}, **values}
            _budget_values(call, project, merged)
            if record is None:
                record = call.world.insert(
                    "budget_line_items",
                    {
                        "_company_id": project["_company_id"],
                        "_project_id": project["id"],
                        "calculation_strategy": "manual",
                        "original_budget_amount": 0.0,
                        **{k: v for k, v in merged.items() if v is not None},
                    },
                    call.now,
                )
                event = "create"
            else:
                record.update({k: v for k, v in merged.items() if v is not None})
                call.world.touch("budget_line_items", record, call.now)
                event = "update"
            call.emit(
                project["_company_id"],
                project["id"],
                "Budget Line Items",
                event,
                record["id"],
                call.user["id"],
            )
            entities.append(_render_budget(call, record))
        except Unprocessable as exc:
            errors.append({**item, "errors": exc.errors})
    return Reply({"entities": entities, "errors": errors})


# ------------------------------------------------------------------ direct costs


def _render_cost(record: dict[str, Any], times: TimeText | None = None) -> dict[str, Any]:
    out = (times or TimeText()).public(record)
    out["project_id"] = record["_project_id"]
    out["synced"] = record.get("origin_id") is not None
    return out


def _cost_values(call: Call, company_id: int, values: dict[str, Any], *, creating: bool) -> None:
    if creating:
        require_fields(values, "direct_cost_type", "direct_cost_date")
    errors: dict[str, list[str]] = {}
    status = values.get("status")
    if status is not None and status not in DIRECT_COST_STATUSES:
        errors["status"] = [f"must be one of {', '.join(DIRECT_COST_STATUSES)}; got {status!r}"]
    kind = values.get("direct_cost_type")
    if kind is not None and kind not in DIRECT_COST_TYPES:
        errors["direct_cost_type"] = [
            f"must be one of {', '.join(DIRECT_COST_TYPES)}; got {kind!r}"
        ]
    if values.get("vendor_id") is not None:
        # This sandbox's Directory holds no vendor companies, so no vendor id can exist.
        errors["vendor_id"] = [f"vendor {values['vendor_id']} does not exist in this company"]
    employee = values.get("employee_id")
    if employee is not None:
        user = call.world.table("users").get(employee)
        if user is None or user["_company_id"] != company_id:
            errors["employee_id"] = [f"user {employee} is not in this company's Directory"]
    if errors:
        raise Unprocessable(errors)


def _cost_new(call: Call, project: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    require(call.user, "project", "admin", "admin", f"add direct costs to project {project['id']}")
    _cost_values(call, project["_company_id"], values, creating=True)
    call.check_origin_free("direct_costs", values.get("origin_id"), None, project["_company_id"])
    record: dict[str, Any] = dict.fromkeys(DIRECT_COST_FIELDS)
    record.update(
        _company_id=project["_company_id"],
        _project_id=project["id"],
        status="draft",
        id=call.world.new_id(),
    )
    origin = values.pop("origin_id", None)
    record.update(values)
    call.world.set_origin_id("direct_costs", record, origin)
    call.world.insert("direct_costs", record, call.now)
    call.emit(
        project["_company_id"],
        project["id"],
        "Direct Costs",
        "create",
        record["id"],
        call.user["id"],
    )
    return record


def _synced_guard(call: Call, record: dict[str, Any], action: str) -> None:
    if record.get("origin_id") is not None and not has_level(
        call.user, "company", "erp_integrations", "admin"
    ):
        require(
            call.user,
            "company",
            "erp_integrations",
            "admin",
            f"{action} direct cost {record['id']}, which is synced with the ERP",
        )


def _cost_update(call: Call, record: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    require(
        call.user,
        "project",
        "admin",
        "admin",
        f"edit direct costs of project {record['_project_id']}",
    )
    _synced_guard(call, record, "edit")
    _cost_values(call, record["_company_id"], values, creating=False)
    if "origin_id" in values:
        call.check_origin_free(
            "direct_costs", values["origin_id"], record["id"], record["_company_id"]
        )
    origin = values.pop("origin_id", record.get("origin_id"))
    record.update(values)
    call.world.set_origin_id("direct_costs", record, origin)
    call.world.touch("direct_costs", record, call.now)
    call.emit(
        record["_company_id"],
        record["_project_id"],
        "Direct Costs",
        "update",
        record["id"],
        call.user["id"],
    )
    return record


def _cost(call: Call, key: str = "id") -> tuple[dict[str, Any], dict[str, Any]]:
    project = call.project(call.path_int("project_id"))
    record = call.record("direct_costs", call.path_int(key), "direct cost")
    if record["_project_id"] != project["id"]:
        record = call.record("direct_costs", -1, "direct cost")
    return project, record


def _date_in(name: str) -> Any:
    def test(record: dict[str, Any], values: list[str]) -> bool:
        lo, hi = parse_range(name, ",".join(values))
        raw = record.get(name)
        if raw is None:
            return False
        day = datetime.fromisoformat(raw).replace(tzinfo=UTC)
        return lo <= day <= hi

    return test


def list_costs(call: Call) -> Reply:
    project = call.project(call.path_int("project_id"))
    rows = [
        r for r in call.world.table("direct_costs").values() if r["_project_id"] == project["id"]
    ]
    rows = apply_filters(
        rows,
        call.query,
        extra={
            "invoice_number": lambda r, v: r.get("invoice_number") in v,
            "payment_date": _date_in("payment_date"),
            "received_date": _date_in("received_date"),
        },
    )
    times = TimeText()
    return call.page(sort_records(rows, call.query), lambda r: _render_cost(r, times))


def show_cost(call: Call) -> Reply:
    return Reply(_render_cost(_cost(call)[1]))


def create_cost(call: Call) -> Reply:
    project = call.project(call.path_int("project_id"))
    values = clean(call.body_object("item"), DIRECT_COST_FIELDS)
    return Reply(_render_cost(_cost_new(call, project, values)), status=201)


def update_cost(call: Call) -> Reply:
    _, record = _cost(call)
    values = clean(call.body_object("item"), DIRECT_COST_FIELDS)
    return Reply(_render_cost(_cost_update(call, record, values)))


def delete_cost(call: Call) -> Reply:
    project, record = _cost(call)
    require(
        call.user, "project", "admin", "admin", f"delete direct costs of project {project['id']}"
    )
    _synced_guard(call, record, "delete")
    for line in [
        x
        for x in call.world.table("direct_cost_line_items").values()
        if x["direct_cost_id"] == record["id"]
    ]:
        call.world.delete("direct_cost_line_items", line)
    call.world.delete("direct_costs", record)
    call.emit(
        project["_company_id"],
        project["id"],
        "Direct Costs",
        "delete",
        record["id"],
        call.user["id"],
    )
    return Reply(None, status=204)


def sync_costs(call: Call) -> Reply:
    project = call.project(call.path_int("project_id"))
    pid = project["id"]
    times = TimeText()
    return run_sync(
        call,
        "direct_costs",
        project["_company_id"],
        call.updates(),
        in_scope=lambda r: r["_project_id"] == pid,
        create=lambda item: _cost_new(call, project, clean(item, DIRECT_COST_FIELDS)),
        update=lambda rec, item: _cost_update(call, rec, clean(item, DIRECT_COST_FIELDS)),
        render=lambda r: _render_cost(r, times),
    )


# ------------------------------------------------------------------ direct cost line items


def _render_line(record: dict[str, Any], times: TimeText | None = None) -> dict[str, Any]:
    out = (times or TimeText()).public(record)
    out["project_id"] = record["_project_id"]
    return out


def _line_values(
    call: Call, project: dict[str, Any], values: dict[str, Any], record: dict[str, Any] | None
) -> dict[str, Any]:
    merged = {**(record or {}), **values}
    errors: dict[str, list[str]] = {}
    cost = call.world.table("direct_costs").get(merged.get("direct_cost_id") or 0)
    if cost is None or cost["_project_id"] != project["id"]:
        errors["direct_cost_id"] = [
            f"direct cost {merged.get('direct_cost_id')} is not a direct cost of project "
            f"{project['id']}"
        ]
    for key in ("wbs_code_id", "tax_code_id"):
        if values.get(key) is not None:
            errors[key] = [
                f"{key[:-3].replace('_', ' ')} {values[key]} does not exist in this project"
            ]
    code = call.world.table("cost_codes").get(merged.get("cost_code_id") or 0)
    if code is None or code["_project_id"] != project["id"]:
        errors["cost_code_id"] = [
            f"cost code {merged.get('cost_code_id')} is not a cost code of project {project['id']}"
        ]
    kind = call.world.table("line_item_types").get(merged.get("line_item_type_id") or 0)
    if kind is None or kind["_company_id"] != project["_company_id"]:
        errors["line_item_type_id"] = [
            f"line item type {merged.get('line_item_type_id')} does not exist"
        ]
    if merged.get("amount") is None:
        if merged.get("quantity") is not None and merged.get("unit_cost") is not None:
            values["amount"] = float(merged["quantity"]) * float(merged["unit_cost"])
        else:
            errors["amount"] = ["can't be blank: give amount, or quantity and unit_cost"]
    if errors:
        raise Unprocessable(errors)
    if cost is not None:
        _synced_guard(call, cost, "change the lines of")
    return values


def _line_new(call: Call, project: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    require(
        call.user, "project", "admin", "admin", f"add direct cost lines to project {project['id']}"
    )
    values = _line_values(call, project, values, None)
    call.check_origin_free(
        "direct_cost_line_items", values.get("origin_id"), None, project["_company_id"]
    )
    record: dict[str, Any] = dict.fromkeys(LINE_FIELDS)
    record.update(
        _company_id=project["_company_id"], _project_id=project["id"], id=call.world.new_id()
    )
    origin = values.pop("origin_id", None)
    record.update(values)
    call.world.set_origin_id("direct_cost_line_items", record, origin)
    call.world.insert("direct_cost_line_items", record, call.now)
    return record


def _line_update(
    call: Call, project: dict[str, Any], record: dict[str, Any], values: dict[str, Any]
) -> dict[str, Any]:
    require(
        call.user, "project", "admin", "admin", f"edit direct cost lines of project {project['id']}"
    )
    values = _line_values(call, project, values, record)
    if "origin_id" in values:
        call.check_origin_free(
            "direct_cost_line_items", values["origin_id"], record["id"], record["_company_id"]
        )
    origin = values.pop("origin_id", record.get("origin_id"))
    record.update(values)
    call.world.set_origin_id("direct_cost_line_items", record, origin)
    call.world.touch("direct_cost_line_items", record, call.now)
    return record


def _line_filters() -> dict[str, Any]:
    def by(key: str) -> Any:
        return lambda r, v: str(r.get(key)) in v

    return {k: by(k) for k in ("direct_cost_id", "cost_code_id", "line_item_type_id")}


def list_all_lines(call: Call) -> Reply:
    project = call.project(call.path_int("project_id"))
    pid = project["id"]
    rows = [
        r for r in call.world.table("direct_cost_line_items").values() if r["_project_id"] == pid
    ]
    rows = apply_filters(rows, call.query, extra=_line_filters())
    times = TimeText()
    return call.page(sort_records(rows, call.query), lambda r: _render_line(r, times))


def list_lines(call: Call) -> Reply:
    _, cost = _cost(call, "direct_cost_id")
    rows = [
        r
        for r in call.world.table("direct_cost_line_items").values()
        if r["direct_cost_id"] == cost["id"]
    ]
    rows = apply_filters(rows, call.query, extra=_line_filters())
    times = TimeText()
    return call.page(sort_records(rows, call.query), lambda r: _render_line(r, times))


def _line(call: Call) -> tuple[dict[str, Any], dict[str, Any]]:
    project, cost = _cost(call, "direct_cost_id")
    record = call.record("direct_cost_line_items", call.path_int("id"), "direct cost line item")
    if record["direct_cost_id"] != cost["id"]:
        record = call.record("direct_cost_line_items", -1, "direct cost line item")
    return project, record


def show_line(call: Call) -> Reply:
    return Reply(_render_line(_line(call)[1]))


def create_line(call: Call) -> Reply:
    project, cost = _cost(call, "direct_cost_id")
    values = clean(call.body_object("line_item"), LINE_FIELDS)
    values["direct_cost_id"] = cost["id"]
    return Reply(_render_line(_line_new(call, project, values)), status=201)


def update_line(call: Call) -> Reply:
    project, record = _line(call)
    values = clean(call.body_object("line_item"), LINE_FIELDS)
    values.pop("direct_cost_id", None)
    return Reply(_render_line(_line_update(call, project, record, values)))


def delete_line(call: Call) -> Reply:
    project, record = _line(call)
    require(
        call.user,
        "project",
        "admin",
        "admin",
        f"delete direct cost lines of project {project['id']}",
    )
    _synced_guard(
        call, call.world.table("direct_costs")[record["direct_cost_id"]], "change the lines of"
    )
    call.world.delete("direct_cost_line_items", record)
    return Reply(None, status=204)


def sync_lines(call: Call) -> Reply:
    project = call.project(call.path_int("project_id"))
    pid = project["id"]
    times = TimeText()
    return run_sync(
        call,
        "direct_cost_line_items",
        project["_company_id"],
        call.updates(),
        in_scope=lambda r: r["_project_id"] == pid,
        create=lambda item: _line_new(call, project, clean(item, LINE_FIELDS)),
        update=lambda rec, item: _line_update(call, project, rec, clean(item, LINE_FIELDS)),
        render=lambda r: _render_line(r, times),
    )


def routes() -> list[RouteSpec]:
    bli = f"{V0}/budget_line_items"
    dc = f"{V0}/projects/{{project_id}}/direct_costs"
    return [
        RouteSpec("POST", bli, create_budget, "Create Budget Line Item", mutating=True),
        RouteSpec("POST", f"{bli}/sync", sync_budget, "Sync Budget Line Items", mutating=True),
        RouteSpec(
            "GET",
            f"{V0}/projects/{{project_id}}/work_breakdown_structure/wbs_codes",
            list_wbs_codes,
            "List Project WBS codes",
        ),
        RouteSpec("GET", f"{bli}/{{id}}", show_budget, "Show Budget Line Item"),
        RouteSpec("GET", f"{V0}/budget_views", list_budget_views, "List Budget Views"),
        RouteSpec(
            "GET",
            f"{V0}/budget_views/{{budget_view_id}}/detail_rows",
            list_detail_rows,
            "List Budget View Detail Rows",
        ),
        RouteSpec(
            "PATCH", f"{bli}/{{id}}", update_budget, "Update Budget Line Item", mutating=True
        ),
        RouteSpec("GET", f"{dc}/line_items", list_all_lines, "List All Direct Cost Line Items"),
        RouteSpec(
            "PATCH",
            f"{dc}/line_items/sync",
            sync_lines,
            "Sync Direct Cost Line Items",
            mutating=True,
        ),
        RouteSpec(
            "GET", f"{dc}/{{direct_cost_id}}/line_items", list_lines, "List Direct Cost Line Items"
        ),
        RouteSpec(
            "POST",
            f"{dc}/{{direct_cost_id}}/line_items",
            create_line,
            "Create Direct Cost Line Item",
            mutating=True,
        ),
        RouteSpec(
            "GET",
            f"{dc}/{{direct_cost_id}}/line_items/{{id}}",
            show_line,
            "Show Direct Cost Line Item",
        ),
        RouteSpec(
            "PATCH",
            f"{dc}/{{direct_cost_id}}/line_items/{{id}}",
            update_line,
            "Update Direct Cost Line Item",
            mutating=True,
        ),
        RouteSpec(
            "DELETE",
            f"{dc}/{{direct_cost_id}}/line_items/{{id}}",
            delete_line,
            "Delete a Direct Cost Line Item",
            mutating=True,
        ),
        RouteSpec("GET", dc, list_costs, "List Direct Cost Items"),
        RouteSpec("POST", dc, create_cost, "Create Direct Cost Item", mutating=True),
        RouteSpec("PATCH", f"{dc}/sync", sync_costs, "Sync Direct Cost Items", mutating=True),
        RouteSpec("GET", f"{dc}/{{id}}", show_cost, "Show Direct Cost Item"),
        RouteSpec("PATCH", f"{dc}/{{id}}", update_cost, "Update Direct Cost Item", mutating=True),
        RouteSpec("DELETE", f"{dc}/{{id}}", delete_cost, "Delete Direct Cost Item", mutating=True),
    ]
