"""Scoping parameters Procore requires per route, as its collection marks them.

The collection (spec §0.4, S-postman) labels query parameters "(Required)" and shows the scoping
keys of request bodies (``company_id``, ``project_id``, ``standard_cost_code_list_id``); a call
without them answers 400 naming the missing parameter. Each entry is a tuple of groups; a group
names alternatives of which one must be given (query string or body), e.g. line item types are
listed "by ``company_id`` **or** ``project_id``" (spec §1.4).
"""

from __future__ import annotations

__all__ = ["REQUIRED"]

V0 = "/rest/v1.0"
V1 = "/rest/v1.1"
COMPANY = (("company_id",),)
PROJECT = (("project_id",),)
EITHER = (("company_id", "project_id"),)
STD = (("company_id",), ("standard_cost_code_list_id",))

REQUIRED: dict[tuple[str, str], tuple[tuple[str, ...], ...]] = {
    ("GET", f"{V0}/offices"): COMPANY,
    ("GET", f"{V0}/offices/{{id}}"): COMPANY,
    ("DELETE", f"{V0}/offices/{{id}}"): COMPANY,
    ("GET", f"{V0}/project_templates"): COMPANY,
    ("GET", f"{V0}/projects"): COMPANY,
    ("GET", f"{V1}/projects"): COMPANY,
    ("GET", f"{V0}/projects/{{id}}"): COMPANY,
    ("POST", f"{V0}/projects"): COMPANY,
    ("PATCH", f"{V0}/projects/sync"): COMPANY,
    ("GET", f"{V0}/standard_cost_code_lists"): COMPANY,
    ("GET", f"{V0}/standard_cost_code_lists/{{id}}"): COMPANY,
    ("POST", f"{V0}/standard_cost_code_lists"): COMPANY,
    ("GET", f"{V0}/standard_cost_codes"): STD,
    ("GET", f"{V0}/standard_cost_codes/{{id}}"): STD,
    ("POST", f"{V0}/standard_cost_codes"): STD,
    ("PATCH", f"{V0}/standard_cost_codes/sync"): STD,
    ("DELETE", f"{V0}/standard_cost_codes/{{id}}"): COMPANY,
    ("GET", f"{V0}/cost_codes"): PROJECT,
    ("GET", f"{V0}/cost_codes/{{id}}"): PROJECT,
    ("POST", f"{V0}/cost_codes"): PROJECT,
    ("PATCH", f"{V0}/cost_codes/sync"): PROJECT,
    ("POST", f"{V0}/cost_codes/copy_from_standard_list"): (
        ("project_id",),
        ("standard_cost_code_list_id",),
    ),
    ("GET", f"{V0}/line_item_types"): EITHER,
    ("GET", f"{V0}/line_item_types/{{id}}"): COMPANY,
    ("POST", f"{V0}/line_item_types"): COMPANY,
    ("PATCH", f"{V0}/line_item_types/sync"): COMPANY,
    ("POST", f"{V0}/budget_line_items"): PROJECT,
    ("POST", f"{V0}/budget_line_items/sync"): PROJECT,
    ("GET", f"{V0}/budget_line_items/{{id}}"): PROJECT,
    ("PATCH", f"{V0}/budget_line_items/{{id}}"): PROJECT,
    ("GET", f"{V0}/budget_views/{{budget_view_id}}/detail_rows"): PROJECT,
    ("GET", f"{V0}/webhooks/hooks"): EITHER,
    ("POST", f"{V0}/webhooks/hooks"): EITHER,
    ("DELETE", f"{V0}/webhooks/hooks/{{id}}"): EITHER,
    ("GET", f"{V0}/webhooks/hooks/{{hook_id}}/triggers"): EITHER,
    ("DELETE", f"{V0}/webhooks/hooks/{{hook_id}}/triggers/{{id}}"): EITHER,
    ("GET", f"{V0}/webhooks/hooks/{{hook_id}}/deliveries"): EITHER,
    ("GET", f"{V0}/webhooks/resources"): EITHER,
    ("GET", "/rest/v2.0/companies/{company_id}/webhooks/resources"): (("payload_version",),),
}
