"""The ERP connection's "save" validation rules, run when a record is created or updated.

The ERP metadata (spec procore-api.md §3.3, D-erp-meta) carries per-entity rules::

    settings.entities.<entity>.rules.save.fields.<field> =
        {"enabled": true, "validation": {"max_length": {"enabled": true, "length": 41,
                                                        "message": "... %{length} ..."}}}

"``save`` rules run when the entity is created or updated in Procore" (§3.3). This is how the
QuickBooks Desktop limit of 41 characters on job names is enforced on save
(procore-workflow.md §3.9, S37-metadata, S8). Validation types handled: ``present``,
``max_length``, ``numeric`` and ``positive``; messages interpolate ``%{length}``; the default
messages are Procore's templates (procore-workflow.md §5: "Must provide a value", "Value entered
is not numeric", "Value entered has to be a postive numeric value").
"""

from __future__ import annotations

from typing import Any

from procore_qb.sandbox.procore.errors import Unprocessable
from procore_qb.sandbox.procore.world import World

__all__ = ["check_save_rules"]

DEFAULTS = {
    "present": "Must provide a value",
    "max_length": "Too long. Maximum %{length} characters.",
    "numeric": "Value entered is not numeric",
    "positive": "Value entered has to be a postive numeric value",
}


def _fields(world: World, company_id: int, entity: str) -> dict[str, Any]:
    connection = world.table("erp_connections").get(company_id)
    node: Any = (connection or {}).get("metadata")
    for key in ("settings", "entities", entity, "rules", "save", "fields"):
        node = node.get(key) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else {}


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def check_save_rules(
    world: World, company_id: int, entity: str, record: dict[str, Any], values: dict[str, Any]
) -> None:
    """422 when ``values`` (merged over ``record``) break the entity's enabled save rules."""
    errors: dict[str, list[str]] = {}
    for name, rule in _fields(world, company_id, entity).items():
        if not isinstance(rule, dict) or not rule.get("enabled", True):
            continue
        if name not in values and record.get("id") is not None:
            continue  # an update that leaves the field alone
        value = values.get(name, record.get(name))
        for kind, check in (rule.get("validation") or {}).items():
            if not isinstance(check, dict) or not check.get("enabled") or kind not in DEFAULTS:
                continue
            text = "" if value is None else str(value)
            broken = (
                (kind == "present" and not text.strip())
                or (kind == "max_length" and len(text) > int(check.get("length", 0)))
                or (kind == "numeric" and text != "" and _number(value) is None)
                or (kind == "positive" and text != "" and (_number(value) or 0) <= 0)
            )
            if broken:
                message = str(check.get("message") or DEFAULTS[kind])
                errors.setdefault(name, []).append(
                    message.replace("%{length}", str(check.get("length", "")))
                )
    if errors:
        raise Unprocessable(errors)
