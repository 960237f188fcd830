"""Property tests of the Job Costs pages' figures: the bar lengths of the chart, the amounts
as written, and amounts in a CSV cell."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from procore_qb.app.job_cost_views import CostCodeRow
from procore_qb.web.pages.csv_cells import FORMULA_STARTS, safe_cell
from procore_qb.web.pages.job_costs import bars, money
from procore_qb.web.pages.settings_forms import account_table_text, parse_form

_AMOUNTS = st.decimals(
    min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=2, allow_nan=False
)


def _row(n: int, budget: Decimal | None, actual: Decimal) -> CostCodeRow:
    return CostCodeRow(
        cost_code_id=n + 1,
        code=f"0{n}-000",
        name="Code",
        budget=budget,
        job_to_date_cost=actual,
        variance=None if budget is None else budget - actual,
        transactions=1,
        lines=1,
        written_to_procore=None,
    )


@given(st.lists(st.tuples(st.none() | _AMOUNTS, _AMOUNTS), max_size=30))
def test_bars_are_between_none_and_the_whole_width_and_keep_the_order(
    figures: list[tuple[Decimal | None, Decimal]],
) -> None:
    rows = [_row(n, budget, actual) for n, (budget, actual) in enumerate(figures)]
    drawn = bars(rows)
    assert [r for r, _, _ in drawn] == rows
    for row, budget_pct, actual_pct in drawn:
        assert 0 <= budget_pct <= 100
        assert 0 <= actual_pct <= 100
        if row.budget is None or row.budget <= 0:
            assert budget_pct == 0
        if row.job_to_date_cost <= 0:
            assert actual_pct == 0
        if row.budget is not None and row.budget > row.job_to_date_cost > 0:
            assert budget_pct >= actual_pct
    positive = [max(b or 0, a) for b, a in figures if max(b or 0, a) > 0]
    if positive:
        assert max(max(b, a) for _, b, a in drawn) == 100


@given(_AMOUNTS)
def test_amounts_are_written_with_two_places_and_read_back(value: Decimal) -> None:
    text = money(value)
    assert Decimal(text.replace(",", "")) == value
    assert text.split(".")[-1].isdigit()
    assert len(text.split(".")[-1]) == 2
    assert money(None) == "—"


@given(_AMOUNTS | st.integers(min_value=-(2**63), max_value=2**63))
def test_numbers_in_a_csv_cell_stay_numbers(value: Decimal | int) -> None:
    cell = safe_cell(value)
    assert Decimal(cell) == value
    assert not cell.startswith(tuple(s for s in FORMULA_STARTS if s != "-"))


@given(st.sampled_from(["NaN", "-Infinity", "Infinity", "sNaN"]))
def test_numbers_that_are_no_amount_are_text_made_safe(value: str) -> None:
    assert not safe_cell(Decimal(value)).startswith(FORMULA_STARTS)


_ACCOUNT = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")),
    min_size=1,
    max_size=64,
).filter(lambda t: "=" not in t and t.strip() == t and t.isprintable())
_CODE = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")),
    min_size=1,
    max_size=40,
).filter(lambda t: t.strip() == t and t.isprintable())


@given(st.dictionaries(_ACCOUNT, _CODE, max_size=20))
def test_the_account_table_reads_back_as_it_is_shown(table: dict[str, str]) -> None:
    text = account_table_text(table)
    found = parse_form(
        "job_costs",
        {"budget_direct_cost_columns": "read_only", "job_cost_account_cost_codes": text},
    )
    assert found.errors == []
    assert found.changes["job_cost_account_cost_codes"] == table


@given(st.text(max_size=400), st.sampled_from(["read_only", "editable", "", "READ_ONLY"]))
def test_any_job_cost_form_is_a_change_or_a_named_refusal(table: str, columns: str) -> None:
    found = parse_form(
        "job_costs",
        {"budget_direct_cost_columns": columns, "job_cost_account_cost_codes": table},
    )
    for error in found.errors:
        assert error.rule == f"invalid_{error.field}"
        assert error.message
    if not found.errors:
        assert found.changes["budget_direct_cost_columns"] in ("read_only", "editable")
        for account, code in found.changes["job_cost_account_cost_codes"].items():
            assert 0 < len(account) <= 64
            assert 0 < len(code) <= 255
            assert account.isprintable()
            assert code.isprintable()
