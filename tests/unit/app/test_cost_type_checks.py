"""What the job cost sync keeps of a project's budget and direct costs on another cost type than
'Other' (``app/cost_type_checks.read_check``), from whatever Procore answers: only lines on the
project's cost codes and on another cost type, every cost type when the company has no 'Other',
at most ``MAX_OFF_TYPE_LINES`` of each kind with the true totals, and a refusal kept as the
read's error. The cost types and the budget are those the write read; only the direct cost
lines are read here."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from hypothesis import given
from hypothesis import strategies as st

from procore_qb.app.cost_type_checks import MAX_OFF_TYPE_LINES, read_check
from procore_qb.domain.cost_types import CostType
from procore_qb.domain.project import CostCode
from procore_qb.procore.errors import ProcoreError
from procore_qb.procore.gateway import BudgetRow, DirectCostLineItem, ProcoreGateway

TYPES = [CostType(1, "Labor", "L"), CostType(2, "Other", "O"), CostType(3, "Materials", "M")]
CODES = (CostCode(10, "01-100", "General"), CostCode(11, "02-200", "Sitework"))


class _Procore:
    def __init__(
        self,
        types: list[CostType],
        rows: list[BudgetRow],
        lines: list[DirectCostLineItem],
        refuse: bool = False,
    ) -> None:
        self.types, self.rows, self.lines, self.refuse = types, rows, lines, refuse
        self.asked_types: list[int] | None = None

    def direct_cost_lines_of_types(
        self, project_id: int, line_item_type_ids: list[int]
    ) -> list[DirectCostLineItem]:
        if self.refuse:
            raise ProcoreError("403 Forbidden: no access to direct costs")
        self.asked_types = list(line_item_type_ids)
        return [x for x in self.lines if x.line_item_type_id in line_item_type_ids]


def _read(procore: _Procore) -> Any:
    # The cost types and the budget come from the write's own reads: the fake answers no read
    # of them, so reading them again fails.
    return read_check(
        cast(ProcoreGateway, procore), 7, CODES, cost_types=procore.types, budget=procore.rows
    )


rows = st.lists(
    st.builds(
        BudgetRow,
        id=st.integers(1, 10**9),
        cost_code_id=st.sampled_from([10, 11, 12]),
        line_item_type_id=st.sampled_from([1, 2, 3, 4]),
        original_budget_amount=st.decimals(-(10**9), 10**9, places=2),
    ),
    max_size=30,
    unique_by=lambda r: r.id,
)
lines = st.lists(
    st.builds(
        DirectCostLineItem,
        id=st.integers(1, 10**9),
        direct_cost_id=st.integers(1, 100),
        cost_code_id=st.sampled_from([10, 11, 12]),
        line_item_type_id=st.sampled_from([1, 2, 3, 4]),
        amount=st.decimals(-(10**9), 10**9, places=2),
        description=st.text(max_size=300),
    ),
    max_size=30,
    unique_by=lambda x: x.id,
)


@given(rows, lines, st.booleans())
def test_only_lines_of_the_project_on_another_cost_type_are_kept(
    budget: list[BudgetRow], costs: list[DirectCostLineItem], has_other: bool
) -> None:
    types = TYPES if has_other else [t for t in TYPES if t.id != 2]
    procore = _Procore(types, budget, costs)
    read = _read(procore)
    assert read.error is None
    off = {1, 3} if has_other else {1, 3, 4}

    def kept(cost_code_id: int, type_id: int) -> bool:
        return cost_code_id in (10, 11) and (type_id != 2 if has_other else True)

    assert read.other_cost_type_id == (2 if has_other else None)
    assert procore.asked_types == sorted(t.id for t in types if not has_other or t.id != 2)
    assert set(procore.asked_types) <= off
    expected_budget = {r.id for r in budget if kept(r.cost_code_id, r.line_item_type_id)}
    expected_costs = {
        x.id
        for x in costs
        if kept(x.cost_code_id, x.line_item_type_id) and x.line_item_type_id in procore.asked_types
    }
    assert read.budget_total == len(expected_budget)
    assert read.direct_cost_total == len(expected_costs)
    assert {x["procore_id"] for x in read.lines if x["kind"] == "budget"} == expected_budget
    assert {x["procore_id"] for x in read.lines if x["kind"] == "direct_cost"} == expected_costs
    for line in read.lines:
        assert line["cost_type_id"] != (2 if has_other else None)
        assert len(line["description"]) <= 255
        assert line["code"] in ("01-100", "02-200")


def test_at_most_the_cap_of_each_kind_is_kept_with_the_true_totals() -> None:
    many = MAX_OFF_TYPE_LINES + 3
    budget = [BudgetRow(n, 10, 1, Decimal("1.50")) for n in range(1, many + 1)]
    costs = [DirectCostLineItem(n, 1, 11, 3, Decimal("2")) for n in range(1, many + 1)]
    read = _read(_Procore(TYPES, budget, costs))
    assert (read.budget_total, read.direct_cost_total) == (many, many)
    assert len(read.lines) == 2 * MAX_OFF_TYPE_LINES
    first = read.lines[0]
    assert (first["kind"], first["amount_cents"], first["cost_type"]) == ("budget", 150, "Labor")


def test_a_refusal_is_the_reads_error() -> None:
    read = _read(_Procore(TYPES, [BudgetRow(1, 10, 1)], [], refuse=True))
    assert read.error is not None
    assert read.error.startswith(
        "Procore did not return the direct costs on other cost types than 'Other': "
    )
    assert "403 Forbidden" in read.error
    assert read.lines == ()
