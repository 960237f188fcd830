"""The project page's history names the side that failed in an entry's error."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from procore_qb.app.project_history import FAILED_SIDE, HistoryEntry
from procore_qb.web.pages.projects import HISTORY_LABELS, _details


def _entry(action: str) -> HistoryEntry:
    return HistoryEntry(1, datetime(2026, 8, 3, tzinfo=UTC), "x", action, {"error": "it failed"})


@pytest.mark.parametrize(
    ("action", "label"),
    [
        ("job_costs_write_failed", "Procore error"),
        ("job_costs_read_failed", "QuickBooks error"),
        ("export_failed", "QuickBooks error"),
        ("cost_code_item_failed", "QuickBooks error"),
        ("something_new_failed", "Error"),
    ],
)
def test_an_error_is_labelled_with_the_side_that_failed(action: str, label: str) -> None:
    assert _details(_entry(action)) == [(label, "it failed")]


def test_every_failure_the_history_names_has_a_side() -> None:
    failures = {a for a in HISTORY_LABELS if a.endswith("_failed")}
    assert failures <= set(FAILED_SIDE)
    assert set(FAILED_SIDE.values()) == {"QuickBooks", "Procore"}
