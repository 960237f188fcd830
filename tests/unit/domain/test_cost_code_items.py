"""Item names and standard cost codes: the name pattern and the edition's item name rules."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from procore_qb.domain.cost_code_export import CostCodeAction, CostCodeState, check_transition
from procore_qb.domain.cost_code_items import (
    DEFAULT_ITEM_NAME_PATTERN,
    compile_item_name_pattern,
    item_name_problems,
    split_item_name,
)
from procore_qb.domain.errors import TransitionRefused
from procore_qb.domain.limits import DESKTOP_LIMITS, limits_for
from procore_qb.domain.problems import RuleCode
from procore_qb.domain.quickbooks_job import QuickBooksEdition

DEFAULT = compile_item_name_pattern(DEFAULT_ITEM_NAME_PATTERN)
ONLINE = limits_for(QuickBooksEdition.ONLINE)


@pytest.mark.parametrize(
    ("name", "description", "code", "text"),
    [
        ("01-100 General Conditions", "", "01-100", "General Conditions"),
        ("01-100", "General Conditions", "01-100", "General Conditions"),
        ("Retainage", "", "Retainage", "Retainage"),
        ("02.200   Site Work", "ignored when the name has one", "02.200", "Site Work"),
        ("Site Work", "Dirt", "Site Work", "Dirt"),
    ],
)
def test_the_default_pattern(name: str, description: str, code: str, text: str) -> None:
    assert split_item_name(DEFAULT, name, description) == (
        type(split_item_name(DEFAULT, "x"))(code, text)
    )


@given(name=st.text(max_size=300), description=st.text(max_size=300))
def test_a_split_is_never_empty_and_bounded(name: str, description: str) -> None:
    split = split_item_name(DEFAULT, name, description)
    assert len(split.code) <= 255
    assert len(split.description) <= 255
    if name.strip():
        assert split.code


@given(pattern=st.text(max_size=80))
def test_any_pattern_is_compiled_or_refused_with_the_rule(pattern: str) -> None:
    message = ""
    try:
        compiled = compile_item_name_pattern(pattern)
    except ValueError as exc:
        message = str(exc)
    if message:
        assert "item_name_pattern" in message
    else:
        assert {"code", "description"} <= set(compiled.groupindex)


def test_a_pattern_needs_both_groups() -> None:
    with pytest.raises(ValueError, match="lacks description"):
        compile_item_name_pattern(r"^(?P<code>\d+)")
    with pytest.raises(ValueError, match="not a regular expression"):
        compile_item_name_pattern("(")
    custom = compile_item_name_pattern(r"(?P<code>[A-Z]+\d+) - (?P<description>.+)")
    assert split_item_name(custom, "RF100 - Roofing").code == "RF100"
    assert isinstance(custom, re.Pattern)


def test_item_names_per_edition() -> None:
    assert item_name_problems("A" * 31, DESKTOP_LIMITS) == []
    (long,) = item_name_problems("A" * 32, DESKTOP_LIMITS)
    assert long.rule is RuleCode.ITEM_NAME_TOO_LONG
    assert "at most 31" in long.message
    assert item_name_problems("A" * 100, ONLINE) == []
    assert item_name_problems("A" * 101, ONLINE)[0].rule is RuleCode.ITEM_NAME_TOO_LONG
    (colon,) = item_name_problems("07:100", DESKTOP_LIMITS)
    assert colon.rule is RuleCode.ITEM_NAME_FORBIDDEN_CHARACTER
    assert item_name_problems("07\t100", DESKTOP_LIMITS) == []
    assert "a tab" in item_name_problems("07\t100", ONLINE)[0].message


def test_transitions() -> None:
    assert check_transition(CostCodeState.READY_TO_EXPORT, CostCodeAction.ACCEPT) is (
        CostCodeState.EXPORTING
    )
    assert check_transition(CostCodeState.FAILED_TO_EXPORT, CostCodeAction.RETRY) is (
        CostCodeState.EXPORTING
    )
    with pytest.raises(TransitionRefused, match="cannot accept a standard cost code that is"):
        check_transition(CostCodeState.SYNCED, CostCodeAction.ACCEPT)
