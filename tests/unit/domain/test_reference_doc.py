"""docs/reference/workflow-rules.md lists every rule code, action and transition."""

from __future__ import annotations

from pathlib import Path

import pytest

from procore_qb.domain.export_workflow import EXPORT_TRANSITIONS
from procore_qb.domain.import_workflow import IMPORT_TRANSITIONS
from procore_qb.domain.permissions import Action
from procore_qb.domain.problems import RuleCode

DOC = Path(__file__).resolve().parents[3] / "docs" / "reference" / "workflow-rules.md"


@pytest.fixture(scope="module")
def doc() -> str:
    return DOC.read_text(encoding="utf-8")


def test_every_rule_code_is_documented(doc: str) -> None:
    assert [c for c in RuleCode if f"| `{c.value}` |" not in doc] == []


def test_every_action_is_documented(doc: str) -> None:
    assert [a for a in Action if f"`{a.value}`" not in doc] == []


def test_every_transition_is_documented(doc: str) -> None:
    rows = [line.split("|")[1:-1] for line in doc.splitlines() if line.startswith("| ")]
    cells = [[c.strip() for c in row] for row in rows]
    for (state, action, in_qb), target in EXPORT_TRANSITIONS.items():
        column = 3 if in_qb else 2
        assert any(
            r[0] == state.value and r[1].split(" ")[0] == action.value and r[column] == target.value
            for r in cells
            if len(r) == 4
        ), (state, action, in_qb)
    for (state, action), target in IMPORT_TRANSITIONS.items():
        assert any(
            r[0] == state.value
            and r[1].split(" ")[0] == action.value
            and r[2].split(" ")[0] == target.value
            for r in cells
            if len(r) == 3
        ), (state, action)
