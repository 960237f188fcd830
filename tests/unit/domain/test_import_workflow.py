from __future__ import annotations

import itertools
from datetime import datetime

import pytest

from procore_qb.domain.errors import TransitionRefused
from procore_qb.domain.import_workflow import (
    IMPORT_TRANSITIONS,
    ImportAction,
    ImportItem,
    ImportMethod,
    ImportState,
    next_import_state,
)
from procore_qb.domain.quickbooks_job import QuickBooksJob

from .factories import COMPANY_ID, T0, at

S = ImportState
A = ImportAction

EXPECTED = {
    (S.READY_TO_IMPORT, A.ADD_NEW): S.IMPORTED,
    (S.READY_TO_IMPORT, A.LINK): S.IMPORTED,
    (S.READY_TO_IMPORT, A.ARCHIVE): S.ARCHIVED,
    (S.ARCHIVED, A.RESTORE): S.READY_TO_IMPORT,
}

JOB = QuickBooksJob(name="Hillside Depot", full_name="Acme:Hillside Depot", id="8000AA-1")


def staged() -> ImportItem:
    return ImportItem.staged(company_id=COMPANY_ID, job=JOB, at=T0)


def item_in(state: ImportState) -> ImportItem:
    item = staged()
    if state is S.IMPORTED:
        return item.add_new(project_id=55, by=1, at=at(1))
    if state is S.ARCHIVED:
        return item.archive(by=1, at=at(1))
    return item


def perform(item: ImportItem, action: ImportAction) -> ImportItem:
    match action:
        case A.ADD_NEW:
            return item.add_new(project_id=56, by=2, at=at(5))
        case A.LINK:
            return item.link(project_id=57, by=2, at=at(5))
        case A.ARCHIVE:
            return item.archive(by=2, at=at(5))
        case A.RESTORE:
            return item.restore(by=2, at=at(5))


def test_the_table_holds_exactly_the_documented_transitions() -> None:
    assert dict(IMPORT_TRANSITIONS) == EXPECTED


@pytest.mark.parametrize(("state", "action"), list(itertools.product(ImportState, ImportAction)))
def test_every_state_and_action(state: ImportState, action: ImportAction) -> None:
    expected = EXPECTED.get((state, action))
    item = item_in(state)
    assert item.allows(action) is (expected is not None)
    if expected is None:
        with pytest.raises(TransitionRefused) as refused:
            next_import_state(state, action)
        assert str(refused.value) == (
            f"cannot {action.label} a QuickBooks job that is {state.label}"
        )
        with pytest.raises(TransitionRefused):
            perform(item, action)
        return
    assert next_import_state(state, action) is expected
    moved = perform(item, action)
    assert moved.state is expected
    assert (moved.changed_by, moved.changed_at) == (2, at(5))


def test_add_new_keeps_the_project_and_the_method() -> None:
    item = staged().add_new(project_id=56, by=2, at=at(5))
    assert (item.procore_project_id, item.method) == (56, ImportMethod.NEW)


def test_link_keeps_the_project_and_the_method() -> None:
    item = staged().link(project_id=57, by=2, at=at(5))
    assert (item.procore_project_id, item.method) == (57, ImportMethod.LINK)


def test_archive_then_restore_brings_it_back() -> None:
    item = staged().archive(by=2, at=at(5)).restore(by=2, at=at(6))
    assert item.state is S.READY_TO_IMPORT
    assert item.procore_project_id is None


def test_refusal_message() -> None:
    with pytest.raises(TransitionRefused) as refused:
        item_in(S.IMPORTED).archive(by=1, at=at(9))
    assert str(refused.value) == "cannot archive a QuickBooks job that is Imported"


def test_refresh_updates_the_job_in_any_state() -> None:
    newer = QuickBooksJob(
        name="Hillside Depot II", full_name="Acme:Hillside Depot II", id="8000AA-1"
    )
    for state in ImportState:
        assert item_in(state).refreshed(newer).job == newer


def test_refresh_with_another_job_is_refused() -> None:
    with pytest.raises(ValueError, match="got job 9"):
        staged().refreshed(QuickBooksJob(name="Other", id="9"))


@pytest.mark.parametrize(
    "changes",
    [
        {"state": S.IMPORTED},
        {"state": S.IMPORTED, "procore_project_id": 5},
        {"state": S.IMPORTED, "method": ImportMethod.NEW},
        {"procore_project_id": 5, "method": ImportMethod.LINK},
        {"state": S.ARCHIVED, "procore_project_id": 5, "method": ImportMethod.LINK},
    ],
)
def test_inconsistent_items_cannot_exist(changes: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="exactly when it is imported"):
        ImportItem(company_id=COMPANY_ID, job=JOB, **changes)  # type: ignore[arg-type]


def test_a_staged_job_needs_its_id() -> None:
    with pytest.raises(ValueError, match="needs its id"):
        ImportItem(company_id=COMPANY_ID, job=QuickBooksJob(name="No id"))


def test_times_must_be_aware() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        staged().archive(by=1, at=datetime(2026, 1, 1))  # noqa: DTZ001
