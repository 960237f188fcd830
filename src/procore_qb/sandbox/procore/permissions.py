"""Who may do what: tool access levels per user, the permission manifest, and the 403 checks.

Levels are Procore's four access levels. The manifest reports them as ``user_access_level`` objects;
Procore's docs show ``{"id": 2, "name": "Read Only"}`` and ``{"id": 3, "name": "Standard"}``
(spec procore-api.md §2.1, D-correspondence); ``1 None`` and ``4 Admin`` complete the scale.

The simulated tools are the ones the seed world's permission table speaks of (DESIGN §4): the
company **ERP Integrations** and **Directory** tools with the "Can Push to Accounting" privilege,
and each project's **Admin** tool. The service account (DMSA) has Company Admin, Directory Admin
and ERP Integrations Admin, as Procore requires of ERP connectors (spec §1.2, D-erp-tech).

Which level each endpoint needs (spec procore-workflow.md §4 and procore-api.md §2):

* company users and permission templates: reading needs Directory 'Read Only', writing 'Admin'
  (changing users and their templates "needs Admin on the company Directory", §2.1 D-user-perms);
* creating projects needs Directory 'Admin' (§2.3 of the workflow spec: the import path needs
  "'Admin' level permission on the company's Directory tool OR the 'Create New Project'
  privilege"), updating a project needs 'Admin' on that project's Admin tool (§4);
* project cost codes, budget line items and direct costs: writing needs 'Admin' on the project's
  Admin tool (§4 "Add/edit project cost codes"); editing a synced direct cost needs 'Admin' on ERP
  Integrations (§4 "Edit synced direct cost transactions");
* standard cost code lists, standard cost codes and line item types (the company's ERP master
  data) and webhooks: writing needs 'Admin' on ERP Integrations (§4 "Configure settings");
* reading projects, cost codes and company lists needs any membership in the company.
"""

from __future__ import annotations

from typing import Any

from procore_qb.sandbox.procore.errors import Forbidden

__all__ = [
    "LEVELS",
    "LEVEL_NAMES",
    "display_name",
    "has_level",
    "manifest",
    "require",
    "user_level",
]

LEVELS = ("none", "read_only", "standard", "admin")
LEVEL_NAMES = {"none": "None", "read_only": "Read Only", "standard": "Standard", "admin": "Admin"}
_LEVEL_IDS = {name: i + 1 for i, name in enumerate(LEVELS)}

COMPANY_TOOLS: tuple[tuple[str, str, int], ...] = (
    ("admin", "Admin", 1),
    ("directory", "Directory", 5),
    ("erp_integrations", "ERP Integrations", 17),
)
PROJECT_TOOLS: tuple[tuple[str, str, int], ...] = (("admin", "Admin", 101),)
_TOOL_FIELD = {
    ("company", "admin"): "_company_admin",
    ("company", "directory"): "_directory",
    ("company", "erp_integrations"): "_erp_integrations",
    ("project", "admin"): "_project_admin",
}
_FRIENDLY = {
    ("company", "admin"): "company Admin tool",
    ("company", "directory"): "company Directory tool",
    ("company", "erp_integrations"): "ERP Integrations tool",
    ("project", "admin"): "project's Admin tool",
}


def display_name(user: dict[str, Any]) -> str:
    return str(user.get("name") or user.get("email_address") or f"user {user['id']}")


def user_level(user: dict[str, Any], scope: str, tool: str) -> str:
    level = user.get(_TOOL_FIELD[(scope, tool)], "none")
    return str(level) if level in _LEVEL_IDS else "none"


def has_level(user: dict[str, Any], scope: str, tool: str, needed: str) -> bool:
    return _LEVEL_IDS[user_level(user, scope, tool)] >= _LEVEL_IDS[needed]


def require(user: dict[str, Any], scope: str, tool: str, needed: str, action: str) -> None:
    """Raise 403 naming the tool, the level needed and the level the user has."""
    if has_level(user, scope, tool, needed):
        return
    have = LEVEL_NAMES[user_level(user, scope, tool)]
    raise Forbidden(
        f"{display_name(user)} may not {action}: it needs '{LEVEL_NAMES[needed]}' on the "
        f"{_FRIENDLY[(scope, tool)]} (has '{have}'). Ask a company admin to raise the level."
    )


def manifest(user: dict[str, Any], *, project_id: int | None, base_url: str) -> dict[str, Any]:
    """``GET /rest/v1.0/settings/permissions`` for ``user`` (spec §2.1, field names S-sdk-py)."""
    scope = "company" if project_id is None else "project"
    tools = COMPANY_TOOLS if project_id is None else PROJECT_TOOLS
    out = []
    for name, friendly, tool_id in tools:
        level = user_level(user, scope, name)
        actions: list[dict[str, Any]] = []
        if scope == "company" and name == "erp_integrations" and user.get("_can_push"):
            actions.append(
                {
                    "id": 901,
                    "action_name": "can_push_to_accounting",
                    "label": "Can Push to Accounting",
                    "tool_name": name,
                }
            )
        where = f"projects/{project_id}" if project_id is not None else "company"
        out.append(
            {
                "id": tool_id,
                "name": name,
                "friendly_name": friendly,
                "domain_id": None,
                "tab_group": scope,
                "available_for_user": level != "none",
                "url": f"{base_url}/{where}/tools/{name}",
                "user_access_level": {"id": _LEVEL_IDS[level], "name": LEVEL_NAMES[level]},
                "permitted_actions": actions,
                "create_url": None,
                "can_create": level in ("standard", "admin"),
                "trial": False,
            }
        )
    return {"tools": out}
