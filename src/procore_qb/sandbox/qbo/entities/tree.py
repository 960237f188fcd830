"""Hierarchical lists: customers and jobs, items, accounts, classes.

``FullyQualifiedName`` "prepends the topmost parent, followed by each sub element separated by
colons ... Limited to 5 levels" (XSD IntuitNamesTypes.xsd, NameBase; Finance.xsd for Item,
Account and Class; spec A.2-A.4). Level 0 is the top.
"""

from __future__ import annotations

from procore_qb.sandbox.qbo import faults
from procore_qb.sandbox.qbo.entities.common import MAX_LEVELS, Context, Record, ref_value

__all__ = ["ancestors", "place", "subtree_depth", "tree_fields"]


def ancestors(ctx: Context, entity: str, record: Record) -> list[Record]:
    """The ancestors of ``record``, root first."""
    chain: list[Record] = []
    seen = {record.get("Id")}
    parent = record.get("ParentRef")
    while isinstance(parent, dict):
        parent_id = str(parent.get("value"))
        if parent_id in seen:
            break
        seen.add(parent_id)
        found = ctx.realm.table(entity).get(parent_id)
        if found is None:
            break
        chain.append(found)
        parent = found.get("ParentRef")
    chain.reverse()
    return chain


def subtree_depth(ctx: Context, entity: str, record_id: str) -> int:
    """How many levels hang below ``record_id`` (0 for a leaf)."""
    children: dict[str, list[str]] = {}
    for other in ctx.realm.table(entity).values():
        parent = other.get("ParentRef")
        if isinstance(parent, dict):
            children.setdefault(str(parent.get("value")), []).append(other["Id"])

    def depth(node: str, guard: int) -> int:
        kids = children.get(node, [])
        if not kids or guard > MAX_LEVELS + 1:
            return 0
        return 1 + max(depth(kid, guard + 1) for kid in kids)

    return depth(record_id, 0)


def place(ctx: Context, entity: str, data: Record, current: Record | None) -> Record | None:
    """Check ``ParentRef``: it exists, is active, is no descendant of the record, ≤ 5 levels.

    Returns the parent record, or None for a top-level record.
    """
    if "ParentRef" not in data or data["ParentRef"] is None:
        return None
    parent = ctx.ref("ParentRef", (entity,), data["ParentRef"])
    own_id = current["Id"] if current else None
    chain = [*ancestors(ctx, entity, parent), parent]
    if own_id is not None and any(node["Id"] == own_id for node in chain):
        raise faults.business_validation(
            f"ParentRef {ref_value('ParentRef', data['ParentRef'])} is this {entity} or one of "
            "its descendants; a record cannot be placed under itself.",
            "ParentRef",
        )
    below = subtree_depth(ctx, entity, own_id) if own_id is not None else 0
    if len(chain) + 1 + below > MAX_LEVELS:
        raise faults.business_validation(
            f"The {entity} list is limited to {MAX_LEVELS} levels (FullyQualifiedName "
            "Parent:Customer:Job:Sub-job); choose a parent higher up.",
            "ParentRef",
        )
    return parent


def tree_fields(ctx: Context, entity: str, record: Record, name_field: str) -> Record:
    """``FullyQualifiedName`` and ``Level`` of ``record`` from its current ancestors."""
    chain = ancestors(ctx, entity, record)
    names = [str(node.get(name_field, "")) for node in chain] + [str(record.get(name_field, ""))]
    result: Record = {"FullyQualifiedName": ":".join(names), "Level": len(chain)}
    if chain:
        result["_root"] = chain[0]
    return result
