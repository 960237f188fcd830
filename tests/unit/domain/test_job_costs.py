"""Job cost rules: where a line goes, why not, amounts in cents, procore-qb's own marker."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from procore_qb.domain.commands import JobCostSource
from procore_qb.domain.job_costs import (
    MAX_CENTS,
    CostCodeMap,
    MappingReason,
    created_by_procore_qb,
    direct_cost_origin_id,
    direct_cost_type,
    line_origin_id,
    map_line,
    own_marker,
    to_cents,
)

CODES = CostCodeMap(by_item={"I-1": 11}, by_code={"01-100": 11, "03-300": 13})
TABLE = CostCodeMap(
    by_item={"I-1": 11},
    account_codes={"A-1": "03-300", "A-2": "99-999"},
    by_code={"01-100": 11, "03-300": 13},
)


@pytest.mark.parametrize(
    ("item", "account", "codes", "placed", "reason"),
    [
        ("I-1", None, CODES, 11, None),
        ("I-2", None, CODES, None, MappingReason.ITEM_NOT_COST_CODE),
        ("I-2", "A-1", TABLE, None, MappingReason.ITEM_NOT_COST_CODE),
        (None, "A-1", CODES, None, MappingReason.ACCOUNT_LINE),
        (None, "A-1", TABLE, 13, None),
        (None, "A-3", TABLE, None, MappingReason.ACCOUNT_NOT_IN_TABLE),
        (None, "A-2", TABLE, None, MappingReason.ACCOUNT_CODE_NOT_ON_PROJECT),
        (None, None, TABLE, None, MappingReason.NO_ITEM_OR_ACCOUNT),
    ],
)
def test_where_a_line_goes(
    item: str | None,
    account: str | None,
    codes: CostCodeMap,
    placed: int | None,
    reason: MappingReason | None,
) -> None:
    found = map_line(item, account, codes)
    assert (found.cost_code_id, found.reason) == (placed, reason)
    assert found.mapped is (placed is not None)
    if reason is not None:
        assert found.message  # every refusal says why and what to do


def test_account_codes_match_case_insensitively() -> None:
    codes = CostCodeMap(account_codes={"A": "ab-1"}, by_code={"ab-1": 7})
    assert map_line(None, "A", codes).cost_code_id == 7


def test_the_fingerprint_follows_what_places_lines() -> None:
    assert (
        CODES.fingerprint()
        == CostCodeMap(by_item={"I-1": 11}, by_code={"03-300": 13, "01-100": 11}).fingerprint()
    )
    assert CODES.fingerprint() != TABLE.fingerprint()
    assert (
        CODES.fingerprint() != CostCodeMap(by_item={"I-1": 12}, by_code=CODES.by_code).fingerprint()
    )


@given(st.decimals(min_value=-(10**12), max_value=10**12, places=2, allow_nan=False))
def test_cents_keep_two_decimal_amounts_exactly(amount: Decimal) -> None:
    assert Decimal(to_cents(amount)) / 100 == amount


@given(
    st.decimals(allow_nan=True, allow_infinity=True).filter(
        lambda d: not d.is_finite() or abs(d) * 100 >= MAX_CENTS
    )
)
def test_cents_refuse_what_is_not_an_amount(amount: Decimal) -> None:
    with pytest.raises(ValueError, match="amount"):
        to_cents(amount)


def _cents_by_quantize(amount: Decimal) -> int | None:
    """Cents the long way: multiplied, then rounded half-even to a whole number; None where
    that refuses the amount."""
    try:
        cents = int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))
    except ArithmeticError:
        return None
    return cents if abs(cents) < MAX_CENTS else None


@given(
    st.decimals(allow_nan=False, allow_infinity=False)
    | st.decimals(min_value=-(10**14), max_value=10**14, allow_nan=False)
    | st.builds(
        Decimal, st.from_regex(r"-?[0-9]{1,40}(\.[0-9]{0,40})?(E[-+]?[0-9]{1,9})?", fullmatch=True)
    )
)
def test_cents_are_the_amount_rounded_half_even(amount: Decimal) -> None:
    """Whatever the digits and exponent: the amount times 100 rounded half-even, or refused."""
    expected = _cents_by_quantize(amount)
    if expected is None:
        with pytest.raises(ValueError, match="amount"):
            to_cents(amount)
    else:
        assert to_cents(amount) == expected


def test_cents_refuse_any_exponent_beyond_the_bound_without_computing_it() -> None:
    for text in ("1E+999999999", "-9.9E+999999999", "1E+13"):
        with pytest.raises(ValueError, match="beyond"):
            to_cents(Decimal(text))
    assert to_cents(Decimal("0E+999999999")) == 0
    assert to_cents(Decimal("1E-999999999")) == 0
    assert to_cents(Decimal("9999999999999.99")) == MAX_CENTS - 1


def test_half_a_cent_rounds_to_even() -> None:
    assert to_cents(Decimal("0.125")) == 12
    assert to_cents(Decimal("-0.135")) == -14


@given(st.text(max_size=200).filter(lambda t: "[procore-qb:" not in t))
def test_only_our_marker_marks(text: str) -> None:
    assert not created_by_procore_qb(text)
    assert created_by_procore_qb(text + own_marker("requisition-7"))


@pytest.mark.parametrize("bad", ["", "x" * 81, "a]b", "tab\there"])
def test_the_marker_names_a_procore_record(bad: str) -> None:
    with pytest.raises(ValueError, match="Procore record"):
        own_marker(bad)


def test_procore_identities_and_types() -> None:
    assert direct_cost_origin_id("J", "T") == "J|T"
    assert line_origin_id("J", "T", "L") == "J|T|L"
    assert direct_cost_type(JobCostSource.BILL) == "invoice"
    assert direct_cost_type(JobCostSource.VENDOR_CREDIT) == "invoice"
    assert direct_cost_type(JobCostSource.CHECK) == "expense"
    assert direct_cost_type(JobCostSource.JOURNAL_ENTRY) == "expense"
