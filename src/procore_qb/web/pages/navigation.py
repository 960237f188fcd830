"""The navigation bar: each tab, its URL, and the permission (spec §4) a person needs to use
it. A tab is shown only to people who have that permission; the page behind it checks the same
permission on the server whatever the bar shows."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from procore_qb.domain.permissions import Action

__all__ = ["NAVIGATION", "NavItem", "visible_navigation"]


@dataclass(frozen=True, slots=True)
class NavItem:
    label: str
    path: str
    needs: Action | None
    """None: every signed-in person (the page itself shows what they may see)."""

    def is_current(self, path: str) -> bool:
        if self.path == "/":
            return path == "/"
        return path == self.path or path.startswith(self.path + "/")


NAVIGATION: tuple[NavItem, ...] = (
    NavItem("Dashboard", "/", None),
    # The ERP Integrations tool's tabs: any access to the tool (spec §3.1).
    NavItem("Jobs", "/erp/jobs", Action.VIEW_JOBS),
    NavItem("Cost Codes", "/erp/cost-codes", Action.VIEW_JOBS),
    # Everyone: each person sees the projects they may send, or all with access to the tool.
    NavItem("Projects", "/projects", None),
    # The company's Job Costs report: ERP Integrations 'Admin' ([S27]).
    NavItem("Job Costs", "/job-costs", Action.VIEW_JOB_COSTS),
    NavItem("Settings", "/settings", Action.VIEW_JOBS),
    NavItem("Audit", "/audit", Action.VIEW_JOBS),
    # Mail to every approver and sender: for the ERP Integrations admins (spec §4 [S12]).
    NavItem("Outbox", "/outbox", Action.CONFIGURE),
)


def visible_navigation(allowed: Collection[Action]) -> list[NavItem]:
    """The tabs a person with the ``allowed`` actions may use, in order."""
    return [item for item in NAVIGATION if item.needs is None or item.needs in allowed]
