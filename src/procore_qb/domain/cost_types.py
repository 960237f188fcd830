"""The one cost type of QuickBooks-synced projects (spec procore-workflow §1.4: "Projects using
QuickBooks cost codes will only use the cost type of 'Other' in Procore. Cost types are not
available in QuickBooks"; procore-api §2.4).

procore-qb keeps one company cost type (Procore's "line item type") for everything it syncs:
the one carrying :data:`OTHER_ORIGIN_ID`, else the one coded ``O`` or named "Other" (Procore's
default). Budget lines and costs a Procore user puts on any other cost type of a synced project
cannot reach QuickBooks; :func:`off_type_message` (budget lines) and
:func:`off_type_cost_message` (direct cost lines) say so and what to do.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "OTHER_BASE_TYPE",
    "OTHER_CODE",
    "OTHER_NAME",
    "OTHER_ORIGIN_ID",
    "CostType",
    "find_other",
    "off_type_cost_message",
    "off_type_message",
]

OTHER_NAME = "Other"
OTHER_CODE = "O"
OTHER_BASE_TYPE = "other"
OTHER_ORIGIN_ID = "quickbooks-other"
"""The ``origin_id`` procore-qb writes on the company's "Other" cost type (QuickBooks has no
record of its own for it), so that the next refresh finds it by origin and never makes a second."""


@dataclass(frozen=True, slots=True)
class CostType:
    """A company cost type (``/rest/v1.0/line_item_types``)."""

    id: int
    name: str
    code: str
    origin_id: str | None = None


def find_other(types: Iterable[CostType]) -> CostType | None:
    """The cost type QuickBooks-synced costs use: the one with :data:`OTHER_ORIGIN_ID`, else
    the one coded :data:`OTHER_CODE`, else the one named :data:`OTHER_NAME` (case-insensitive;
    the lowest id when several match, so the answer does not depend on the listing order)."""
    ordered = sorted(types, key=lambda t: t.id)
    by_origin = [t for t in ordered if t.origin_id == OTHER_ORIGIN_ID]
    by_code = [t for t in ordered if t.code.strip().casefold() == OTHER_CODE.casefold()]
    by_name = [t for t in ordered if t.name.strip().casefold() == OTHER_NAME.casefold()]
    for found in (by_origin, by_code, by_name):
        if found:
            return found[0]
    return None


def _not_synced(type_name: str) -> str:
    shown = type_name.strip() or "(unnamed)"
    return (
        f"not synced with QuickBooks: cost type '{shown}'; QuickBooks cost codes use "
        f"'{OTHER_NAME}' only."
    )


def off_type_message(type_name: str) -> str:
    """Why a budget line on cost type ``type_name`` is not synced, and the fix."""
    return (
        f"{_not_synced(type_name)} Move the amount to the cost code's '{OTHER_NAME}' line in "
        "Procore to have it in QuickBooks"
    )


def off_type_cost_message(type_name: str) -> str:
    """Why a direct cost line on cost type ``type_name`` is not synced, and the fix."""
    return (
        f"{_not_synced(type_name)} Change the line's cost type to '{OTHER_NAME}' in Procore, "
        "or enter the cost in QuickBooks on the job and the cost code's item, from where the "
        "job cost sync brings it to Procore"
    )
