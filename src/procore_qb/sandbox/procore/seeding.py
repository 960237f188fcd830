"""Load the seed world (``sandbox/seed.py``, DESIGN §4) into a :class:`World`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from procore_qb.sandbox import seed
from procore_qb.sandbox.procore.world import World

__all__ = ["SERVICE_ACCOUNT_USER_ID", "load_bulk", "seed_world"]

SERVICE_ACCOUNT_USER_ID = 900
"""The Directory user Procore creates for the service account when the app is installed."""

LINE_ITEM_TYPES: tuple[tuple[str, str, str], ...] = (
    ("Labor", "L", "labor"),
    ("Materials", "M", "material"),
    ("Equipment", "E", "equipment"),
    ("Subcontract", "S", "subcontract"),
    ("Other", "O", "other"),
)
PERMISSION_TEMPLATES: tuple[tuple[int, str, bool, str], ...] = (
    (301, "Project Manager", True, "project"),
    (302, "Superintendent", True, "project"),
    (303, "Read Only", False, "company"),
)


def seed_world(world: World, now: datetime) -> None:
    """Fill an empty ``world`` with the seed company, users, lists, codes and projects."""
    company_id = seed.PROCORE_COMPANY.id
    world.insert(
        "companies",
        {
            "id": company_id,
            "name": seed.PROCORE_COMPANY.name,
            "is_active": True,
            "logo_url": None,
            "pcn_business_experience": False,
            "my_company": True,
        },
        now,
    )
    world.apps[seed.SERVICE_ACCOUNT.client_id] = (
        seed.SERVICE_ACCOUNT.client_secret,
        SERVICE_ACCOUNT_USER_ID,
    )
    for u in seed.USERS:
        _user(
            world,
            now,
            company_id,
            u.id,
            u.first_name,
            u.last_name,
            u.email,
            token=u.token,
            erp=u.erp_integrations,
            directory=u.directory,
            project_admin=u.project_admin,
            can_push=u.can_push_to_accounting,
        )
    _user(
        world,
        now,
        company_id,
        SERVICE_ACCOUNT_USER_ID,
        "Procore-QB",
        "Service Account",
        "service-account@summit.example",
        token=None,
        erp="admin",
        directory="admin",
        project_admin="admin",
        can_push=True,
        company_admin="admin",
        service=True,
    )
    for tid, name, specific, kind in PERMISSION_TEMPLATES:
        world.insert(
            "permission_templates",
            {
                "id": tid,
                "_company_id": company_id,
                "name": name,
                "project_specific": specific,
                "type": kind,
            },
            now,
        )
    world.insert(
        "offices",
        {
            "id": 401,
            "_company_id": company_id,
            "name": "Springfield Office",
            "address": "100 Main St",
            "city": "Springfield",
            "state_code": "IL",
            "country_code": "US",
            "zip": "62701",
            "phone": "217-555-0100",
            "fax": None,
            "division": None,
            "logo": None,
        },
        now,
    )
    for sid, name in (
        (501, "Pre-Construction"),
        (502, "Course of Construction"),
        (503, "Post-Construction"),
    ):
        world.insert("project_stages", {"id": sid, "_company_id": company_id, "name": name}, now)
    for pid, name in ((601, "Commercial"), (602, "Residential")):
        world.insert("project_types", {"id": pid, "_company_id": company_id, "name": name}, now)
    for tpl in seed.PROJECT_TEMPLATES:
        world.insert(
            "project_templates", {"id": tpl.id, "_company_id": company_id, "name": tpl.name}, now
        )
    for name, code, base in LINE_ITEM_TYPES:
        world.insert(
            "line_item_types",
            {
                "_company_id": company_id,
                "name": name,
                "code": code,
                "base_type": base,
                "origin_id": None,
                "origin_data": None,
            },
            now,
        )
    codes_by_list: dict[int, dict[str, dict[str, Any]]] = {}
    lists = [
        (seed.COST_CODE_LISTS[0], [(i.name, i.description) for i in seed.quickbooks_cost_codes()]),
        (seed.COST_CODE_LISTS[1], list(seed.GENERIC_COST_CODES)),
    ]
    for cc_list, codes in lists:
        world.insert(
            "standard_cost_code_lists",
            {
                "id": cc_list.id,
                "_company_id": company_id,
                "name": cc_list.name,
                "is_erp_list": cc_list.id == seed.QUICKBOOKS_LIST_ID,
                "available_to_use_on_new_projects": True,
            },
            now,
        )
        for code, name in codes:
            rec = world.insert(
                "standard_cost_codes",
                {
                    "_company_id": company_id,
                    "standard_cost_code_list_id": cc_list.id,
                    "parent_id": None,
                    "code": code,
                    "full_code": code,
                    "name": name,
                    "origin_id": None,
                    "origin_data": None,
                },
                now,
            )
            codes_by_list.setdefault(cc_list.id, {})[code] = rec
    for p in seed.PROJECTS:
        project = _project(company_id, p, now)
        world.insert("projects", project, now)
        for position, code in enumerate(p.cost_codes, start=1):
            std = codes_by_list[p.cost_code_list_id][code]
            world.insert(
                "cost_codes",
                new_cost_code_record(
                    company_id,
                    project,
                    code=code,
                    name=std["name"],
                    position=position,
                    standard_cost_code=std,
                ),
                now,
            )


def _project(company_id: int, p: seed.Project, now: datetime) -> dict[str, Any]:
    project = new_project_record(company_id, now)
    project.update(
        id=p.id,
        name=p.name,
        display_name=f"{p.project_number} - {p.name}",
        project_number=p.project_number,
        address=p.address,
        city=p.city,
        state_code=p.state_code,
        zip=p.zip,
        country_code=p.country_code,
        start_date=p.start_date.isoformat(),
        completion_date=p.completion_date.isoformat(),
        active=p.active,
        is_erp_integrated=p.erp_sync,
        standard_cost_code_list_id=p.cost_code_list_id,
        office_id=401,
        project_stage_id=502,
        project_type_id=601,
        _project_template_id=2,
    )
    return project


def load_bulk(world: World, now: datetime, size: int) -> dict[str, int]:
    """Add the projects of ``seed.bulk_world(size)`` to the seed company; ``ValueError`` when
    the size is out of range or the world holds them already."""
    bulk = seed.bulk_world(size)
    projects = world.table("projects")
    if bulk.projects[0].id in projects:
        raise ValueError(
            f"the company already holds bulk projects (project {bulk.projects[0].id}); reset it "
            "first (POST /_sandbox/reset)"
        )
    company_id = seed.PROCORE_COMPANY.id
    for p in bulk.projects:
        world.insert("projects", _project(company_id, p, now), now)
    return {"projects": len(bulk.projects)}


def _user(
    world: World,
    now: datetime,
    company_id: int,
    uid: int,
    first: str,
    last: str,
    email: str,
    *,
    token: str | None,
    erp: str,
    directory: str,
    project_admin: str,
    can_push: bool,
    company_admin: str = "none",
    service: bool = False,
) -> None:
    world.insert(
        "users",
        {
            "id": uid,
            "_company_id": company_id,
            "_token": token,
            "_erp_integrations": erp,
            "_directory": directory,
            "_project_admin": project_admin,
            "_company_admin": company_admin,
            "_can_push": can_push,
            "_service_account": service,
            "name": f"{first} {last}",
            "first_name": first,
            "last_name": last,
            "email_address": email,
            "is_active": True,
            "is_employee": not service,
            "job_title": None,
            "origin_id": None,
            "origin_data": None,
            "vendor": None,
            "default_permission_template_id": None,
            "company_permission_template_id": None,
        },
        now,
    )


PROJECT_FIELDS: tuple[str, ...] = (
    "name",
    "active",
    "code",
    "project_number",
    "description",
    "origin_id",
    "origin_data",
    "origin_code",
    "address",
    "city",
    "state_code",
    "zip",
    "country_code",
    "county",
    "latitude",
    "longitude",
    "start_date",
    "completion_date",
    "total_value",
    "warranty_start_date",
    "warranty_end_date",
    "estimated_value",
    "estimated_start_date",
    "estimated_completion_date",
    "flag",
    "image_id",
    "locale",
    "phone",
    "fax",
    "public_notes",
    "square_feet",
    "time_zone",
    "office_id",
    "project_stage_id",
    "parent_job_id",
    "program_id",
    "project_bid_type_id",
    "project_type_id",
    "project_owner_type_id",
    "project_region_id",
    "store_number",
    "accounting_project_number",
    "designated_market_area",
    "standard_cost_code_list_id",
)
"""Writable project attributes that the Show representation echoes (spec §2.2)."""


def new_project_record(company_id: int, now: datetime) -> dict[str, Any]:
    record: dict[str, Any] = dict.fromkeys(PROJECT_FIELDS)
    record.update(
        _company_id=company_id,
        active=True,
        is_erp_integrated=False,
        is_demo=False,
        template=False,
        display_name=None,
        tz_name=None,
        department_ids=[],
        _project_template_id=None,
        created_at=now,
    )
    return record


def new_cost_code_record(
    company_id: int,
    project: dict[str, Any],
    *,
    code: str,
    name: str,
    position: int | None,
    standard_cost_code: dict[str, Any] | None,
) -> dict[str, Any]:
    return {
        "_company_id": company_id,
        "_project_id": project["id"],
        "code": code,
        "name": name,
        "full_code": code,
        "position": position,
        "parent_id": None,
        "standard_cost_code_id": standard_cost_code["id"] if standard_cost_code else None,
        "standard_cost_code_list_id": (
            standard_cost_code["standard_cost_code_list_id"] if standard_cost_code else None
        ),
        "origin_id": None,
        "origin_data": None,
        "budgeted": False,
        "deleted_at": None,
    }
