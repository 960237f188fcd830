"""The states of a standard cost code on the Cost Codes tab and the actions between them.

A standard cost code created in Procore on the QuickBooks list, without a QuickBooks item, is
*Ready to Export* (Procore: "Send Unsynced QuickBooks Standard Cost Codes to ERP
Integrations", spec procore-workflow §2.5 [S35, S10]). An accounting approver accepts it (it
is *Exporting* until QuickBooks answers, then *Synced* or *Failed to Export*) or rejects it.
A failed export can be retried or rejected; a rejected code can be accepted after all.
"""

from __future__ import annotations

import enum
from types import MappingProxyType

from procore_qb.domain.errors import TransitionRefused

__all__ = ["TRANSITIONS", "CostCodeAction", "CostCodeState", "check_transition"]


class CostCodeState(enum.StrEnum):
    READY_TO_EXPORT = "ready_to_export"
    EXPORTING = "exporting"
    FAILED_TO_EXPORT = "failed_to_export"
    SYNCED = "synced"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        return _STATE_LABELS[self]


_STATE_LABELS = {
    CostCodeState.READY_TO_EXPORT: "Ready to Export",
    CostCodeState.EXPORTING: "Exporting",
    CostCodeState.FAILED_TO_EXPORT: "Failed to Export",
    CostCodeState.SYNCED: "Synced",
    CostCodeState.REJECTED: "Rejected",
}


class CostCodeAction(enum.StrEnum):
    ACCEPT = "accept"
    REJECT = "reject"
    RETRY = "retry"

    @property
    def label(self) -> str:
        return self.value


_S = CostCodeState
TRANSITIONS = MappingProxyType(
    {
        CostCodeAction.ACCEPT: (frozenset({_S.READY_TO_EXPORT, _S.REJECTED}), _S.EXPORTING),
        CostCodeAction.REJECT: (
            frozenset({_S.READY_TO_EXPORT, _S.FAILED_TO_EXPORT}),
            _S.REJECTED,
        ),
        CostCodeAction.RETRY: (frozenset({_S.FAILED_TO_EXPORT}), _S.EXPORTING),
    }
)
"""Action → (states it is allowed from, state it leads to)."""


def check_transition(state: CostCodeState, action: CostCodeAction) -> CostCodeState:
    """The state ``action`` leads to from ``state``; :class:`TransitionRefused` ("cannot
    accept a standard cost code that is Synced") when it is not allowed."""
    allowed, target = TRANSITIONS[action]
    if state not in allowed:
        raise TransitionRefused(state, action, subject="standard cost code")
    return target
