"""Placing a line in the job cost write (``app/job_cost_writes._placed``): the row with its
status, cost code, reason and message replaced, and nothing else changed."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from procore_qb.app.job_cost_writes import _placed
from procore_qb.store.repositories.job_costs import LineRow

ROW = LineRow(
    7, 3, "80000001-1", "bill", "1000-1700000000", "2", date(2026, 8, 3), "JC-1", "Ace",
    "line 2", "80000005-1", None, 12345, "pending", None, None, None, True, False, True,
    None, 991, "earlier refusal",
)  # fmt: skip

_TEXT = st.none() | st.text(max_size=20)


@given(
    st.sampled_from(["mapped", "not_mapped", "pending"]),
    st.none() | st.integers(min_value=1, max_value=2**63 - 1),
    _TEXT,
    _TEXT,
)
def test_placed_replaces_only_the_placement(
    status: str, cost_code_id: int | None, reason: str | None, message: str | None
) -> None:
    placed = _placed(ROW, (status, cost_code_id, reason, message))
    assert type(placed) is LineRow
    assert placed == ROW._replace(
        status=status, cost_code_id=cost_code_id, reason=reason, message=message
    )
    assert (placed.status, placed.cost_code_id, placed.reason, placed.message) == (
        status,
        cost_code_id,
        reason,
        message,
    )
