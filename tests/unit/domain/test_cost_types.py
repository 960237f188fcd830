"""The 'Other' cost type: which company cost type QuickBooks-synced costs use, and the words
for a budget line on another one (spec procore-workflow §1.4)."""

from __future__ import annotations

from random import Random

from hypothesis import given
from hypothesis import strategies as st

from procore_qb.domain.cost_types import (
    OTHER_ORIGIN_ID,
    CostType,
    find_other,
    off_type_cost_message,
    off_type_message,
)

DEFAULTS = [
    CostType(1, "Labor", "L"),
    CostType(2, "Equipment", "E"),
    CostType(3, "Materials", "M"),
    CostType(4, "Commitment", "C"),
    CostType(5, "Other", "O"),
]


def test_procore_default_other_is_found_by_code() -> None:
    assert find_other(DEFAULTS) == DEFAULTS[4]


def test_the_origin_id_wins_over_code_and_name() -> None:
    mine = CostType(9, "QuickBooks costs", "QB", OTHER_ORIGIN_ID)
    assert find_other([*DEFAULTS, mine]) == mine


def test_a_code_wins_over_a_name_and_case_and_spaces_do_not_matter() -> None:
    named = CostType(3, "other", "X")
    coded = CostType(7, "Misc", " o ")
    assert find_other([named, coded]) == coded
    assert find_other([named]) == named


def test_no_other_is_none() -> None:
    assert find_other(DEFAULTS[:4]) is None
    assert find_other([]) is None


types = st.builds(
    CostType,
    id=st.integers(1, 10_000),
    name=st.sampled_from(["Other", "other", "Labor", "", "Misc"]),
    code=st.sampled_from(["O", "o", "L", "", "OQ"]),
    origin_id=st.sampled_from([None, OTHER_ORIGIN_ID, "elsewhere"]),
)


@given(st.lists(types, max_size=12, unique_by=lambda t: t.id), st.randoms())
def test_the_answer_does_not_depend_on_the_listing_order(
    listed: list[CostType], random: Random
) -> None:
    shuffled = list(listed)
    random.shuffle(shuffled)
    found = find_other(listed)
    assert find_other(shuffled) == found
    if found is not None:
        assert found in listed
        assert (
            found.origin_id == OTHER_ORIGIN_ID
            or found.code.strip().casefold() == "o"
            or found.name.strip().casefold() == "other"
        )
    else:
        assert not any(
            t.origin_id == OTHER_ORIGIN_ID
            or t.code.casefold() == "o"
            or t.name.casefold() == "other"
            for t in listed
        )


def test_the_message_names_the_cost_type_the_rule_and_the_fix() -> None:
    text = off_type_message("Labor")
    assert text.startswith("not synced with QuickBooks: cost type 'Labor'")
    assert "QuickBooks cost codes use 'Other' only" in text
    assert "Move the amount" in text
    assert "(unnamed)" in off_type_message("  ")


def test_the_direct_cost_message_names_the_cost_type_the_rule_and_the_fix() -> None:
    text = off_type_cost_message("Labor")
    assert text.startswith("not synced with QuickBooks: cost type 'Labor'")
    assert "QuickBooks cost codes use 'Other' only" in text
    assert "Change the line's cost type to 'Other'" in text
    assert "enter the cost in QuickBooks" in text
    assert "(unnamed)" in off_type_cost_message("")
