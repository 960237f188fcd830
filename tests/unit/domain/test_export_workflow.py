from __future__ import annotations

import itertools
from datetime import datetime

import pytest

from procore_qb.domain.errors import RuleViolation, TransitionRefused
from procore_qb.domain.export_workflow import (
    EXPORT_TRANSITIONS,
    CustomerChoice,
    ExportAction,
    ExportItem,
    ExportState,
    QuickBooksLink,
    next_export_state,
)
from procore_qb.domain.problems import RuleCode

from .factories import (
    APPROVER,
    COMPANY_ID,
    JOB_ID,
    PATHS,
    PROJECT_ID,
    SENDER,
    T0,
    apply,
    at,
    eligible_project,
    item_in,
    new_item,
)

S = ExportState
A = ExportAction

# Issue 2 item 5, written out independently of the module's table; the last rows are the
# documented choice for Ready to Update and failed updates.
EXPECTED = {
    (S.UNSYNCED, A.SEND, False): S.READY_TO_EXPORT,
    (S.READY_TO_EXPORT, A.RETRIEVE, False): S.UNSYNCED,
    (S.READY_TO_EXPORT, A.REJECT, False): S.REJECTED,
    (S.READY_TO_EXPORT, A.ACCEPT, False): S.EXPORTING,
    (S.EXPORTING, A.EXPORT_SUCCEEDED, False): S.SYNCED,
    (S.EXPORTING, A.EXPORT_FAILED, False): S.FAILED_TO_EXPORT,
    (S.FAILED_TO_EXPORT, A.RETRY, False): S.EXPORTING,
    (S.FAILED_TO_EXPORT, A.REJECT, False): S.REJECTED,
    (S.REJECTED, A.RESEND, False): S.READY_TO_EXPORT,
    (S.SYNCED, A.RESEND, True): S.READY_TO_UPDATE,
    (S.READY_TO_UPDATE, A.ACCEPT, True): S.EXPORTING,
    (S.EXPORTING, A.EXPORT_SUCCEEDED, True): S.SYNCED,
    (S.SYNCED, A.RESET, True): S.UNSYNCED,
    (S.EXPORTING, A.EXPORT_FAILED, True): S.FAILED_TO_EXPORT,
    (S.FAILED_TO_EXPORT, A.RETRY, True): S.EXPORTING,
    (S.READY_TO_UPDATE, A.RETRIEVE, True): S.SYNCED,
    (S.READY_TO_UPDATE, A.REJECT, True): S.SYNCED,
    (S.FAILED_TO_EXPORT, A.REJECT, True): S.SYNCED,
}

ALL_KEYS = list(itertools.product(ExportState, ExportAction, (False, True)))


def test_the_table_holds_exactly_the_documented_transitions() -> None:
    assert dict(EXPORT_TRANSITIONS) == EXPECTED


@pytest.mark.parametrize(("state", "action", "in_qb"), ALL_KEYS)
def test_next_export_state_allows_or_refuses(
    state: ExportState, action: ExportAction, in_qb: bool
) -> None:
    expected = EXPECTED.get((state, action, in_qb))
    if expected is not None:
        assert next_export_state(state, action, in_quickbooks=in_qb) is expected
    else:
        with pytest.raises(TransitionRefused) as refused:
            next_export_state(state, action, in_quickbooks=in_qb)
        assert refused.value.state is state
        assert refused.value.action is action
        assert state.label in str(refused.value)
        assert action.label in str(refused.value)


def test_refusal_message_names_state_and_action() -> None:
    with pytest.raises(TransitionRefused) as refused:
        next_export_state(S.SYNCED, A.RETRIEVE)
    assert str(refused.value) == "cannot retrieve a project that is Synced"


def test_in_quickbooks_defaults_from_the_state() -> None:
    assert next_export_state(S.SYNCED, A.RESEND) is S.READY_TO_UPDATE
    assert next_export_state(S.READY_TO_UPDATE, A.RETRIEVE) is S.SYNCED
    assert next_export_state(S.FAILED_TO_EXPORT, A.REJECT) is S.REJECTED
    assert next_export_state(S.FAILED_TO_EXPORT, A.REJECT, in_quickbooks=True) is S.SYNCED


@pytest.mark.parametrize(("start", "action"), list(itertools.product(PATHS, ExportAction)))
def test_every_entity_action_from_every_reachable_state(
    start: tuple[ExportState, bool], action: ExportAction
) -> None:
    item = item_in(*start)
    expected = EXPECTED.get((*start[:1], action, start[1]))
    assert item.allows(action) is (expected is not None)
    if expected is None:
        with pytest.raises(TransitionRefused):
            apply(item, action, at(99))
        return
    moved = apply(item, action, at(99))
    assert moved.state is expected
    assert moved.changed_at == at(99)
    assert item.state is start[0], "the original item is unchanged"


class TestSenderSide:
    def test_send_freezes_the_snapshot_and_the_sender(self) -> None:
        project = eligible_project()
        item = new_item().send(project, by=SENDER, at=T0)
        assert item.state is S.READY_TO_EXPORT
        assert item.snapshot == project
        assert (item.sent_by, item.sent_at, item.changed_by) == (SENDER, T0, SENDER)

    def test_send_refuses_a_snapshot_of_another_project(self) -> None:
        with pytest.raises(ValueError, match="snapshot of project 7"):
            new_item().send(eligible_project(id=7), by=SENDER, at=T0)

    def test_send_refuses_a_naive_time(self) -> None:
        with pytest.raises(ValueError, match="timezone-aware"):
            new_item().send(eligible_project(), by=SENDER, at=datetime(2026, 1, 1))  # noqa: DTZ001

    def test_retrieve_before_a_decision_unfreezes_the_project(self) -> None:
        item = item_in(S.READY_TO_EXPORT, False).retrieve(by=SENDER, at=at(5))
        assert item.state is S.UNSYNCED
        assert item.snapshot is None

    def test_resend_after_rejection_clears_the_comment(self) -> None:
        rejected = item_in(S.REJECTED, False)
        assert rejected.comment == "Fix the project number"
        resent = rejected.resend(eligible_project(name="Riverside Clinic II"), by=SENDER, at=at(9))
        assert resent.state is S.READY_TO_EXPORT
        assert resent.comment == ""
        assert resent.snapshot is not None
        assert resent.snapshot.name == "Riverside Clinic II"

    def test_resend_of_a_synced_project_waits_as_an_update(self) -> None:
        item = item_in(S.SYNCED, True).resend(eligible_project(), by=SENDER, at=at(9))
        assert item.state is S.READY_TO_UPDATE
        assert item.quickbooks is not None
        assert item.quickbooks.job_id == JOB_ID

    def test_send_is_refused_once_synced(self) -> None:
        with pytest.raises(TransitionRefused, match="cannot send a project that is Synced"):
            item_in(S.SYNCED, True).send(eligible_project(), by=SENDER, at=at(9))

    def test_retrieving_an_update_keeps_the_job(self) -> None:
        synced = item_in(S.SYNCED, True)
        item = synced.resend(eligible_project(), by=SENDER, at=at(9)).retrieve(by=SENDER, at=at(10))
        assert item.state is S.SYNCED
        assert item.quickbooks == synced.quickbooks
        assert item.snapshot is None


class TestApproverSide:
    def test_accept_records_the_customer_and_the_approver(self) -> None:
        choice = CustomerChoice.new("Riverside Health")
        item = item_in(S.READY_TO_EXPORT, False).accept(by=APPROVER, at=at(3), customer=choice)
        assert item.state is S.EXPORTING
        assert item.customer == choice
        assert item.decided_by == APPROVER

    def test_a_first_export_needs_a_customer(self) -> None:
        with pytest.raises(RuleViolation) as violation:
            item_in(S.READY_TO_EXPORT, False).accept(by=APPROVER, at=at(3))
        assert violation.value.rules == (RuleCode.CUSTOMER_REQUIRED.value,)
        assert "Choose the QuickBooks customer" in str(violation.value)

    def test_accept_from_a_wrong_state_is_a_transition_error_not_a_rule(self) -> None:
        with pytest.raises(TransitionRefused, match="cannot accept a project that is Unsynced"):
            new_item().accept(by=APPROVER, at=at(3))

    def test_an_update_may_keep_its_customer(self) -> None:
        item = item_in(S.READY_TO_UPDATE, True).accept(by=APPROVER, at=at(3))
        assert item.state is S.EXPORTING
        assert item.customer is None

    def test_reject_keeps_the_optional_comment(self) -> None:
        item = item_in(S.READY_TO_EXPORT, False).reject(by=APPROVER, at=at(3))
        assert (item.state, item.comment, item.decided_by) == (S.REJECTED, "", APPROVER)
        assert item.snapshot is None

    def test_rejecting_a_failed_export_clears_the_error(self) -> None:
        item = item_in(S.FAILED_TO_EXPORT, False).reject(by=APPROVER, at=at(3), comment="Rename")
        assert (item.state, item.error, item.comment) == (S.REJECTED, None, "Rename")

    def test_rejecting_an_update_returns_to_synced_with_the_comment(self) -> None:
        synced = item_in(S.SYNCED, True)
        item = synced.resend(eligible_project(), by=SENDER, at=at(9)).reject(
            by=APPROVER, at=at(10), comment="Address is wrong"
        )
        assert (item.state, item.comment) == (S.SYNCED, "Address is wrong")
        assert item.quickbooks == synced.quickbooks

    def test_rejecting_a_failed_update_returns_to_synced(self) -> None:
        item = item_in(S.FAILED_TO_EXPORT, True).reject(by=APPROVER, at=at(10))
        assert item.state is S.SYNCED
        assert item.error is None
        assert item.quickbooks is not None

    def test_retry_clears_the_error_and_keeps_snapshot_and_customer(self) -> None:
        failed = item_in(S.FAILED_TO_EXPORT, False)
        item = failed.retry(by=APPROVER, at=at(11))
        assert (item.state, item.error) == (S.EXPORTING, None)
        assert item.snapshot == failed.snapshot
        assert item.customer == failed.customer

    def test_reset_unlinks_the_project(self) -> None:
        item = item_in(S.SYNCED, True).reset(by=APPROVER, at=at(11))
        assert item.state is S.UNSYNCED
        assert item.quickbooks is None
        assert item.snapshot is None
        assert item.comment == ""
        assert item.allows(A.SEND)


class TestQuickBooksOutcome:
    def test_success_links_the_job(self) -> None:
        item = item_in(S.EXPORTING, False).succeeded(
            job_id=JOB_ID, full_name="Acme:Riverside Clinic", version="5", at=at(20)
        )
        assert item.state is S.SYNCED
        assert item.quickbooks == QuickBooksLink(JOB_ID, "Acme:Riverside Clinic", "5")
        assert item.changed_by is None
        assert item.snapshot is None
        assert item.customer is None

    def test_an_update_keeps_the_job_and_takes_the_new_version(self) -> None:
        item = item_in(S.EXPORTING, True).succeeded(
            job_id=JOB_ID, full_name="Acme:Riverside Clinic", version="6", at=at(20)
        )
        assert item.quickbooks is not None
        assert item.quickbooks.version == "6"

    def test_an_update_answered_for_another_job_is_refused(self) -> None:
        with pytest.raises(ValueError, match="came back for job OTHER"):
            item_in(S.EXPORTING, True).succeeded(
                job_id="OTHER", full_name="Acme:Other", version="6", at=at(20)
            )

    def test_failure_keeps_quickbooks_message(self) -> None:
        message = 'The name "Riverside Clinic" of the list element is already in use.'
        item = item_in(S.EXPORTING, False).failed(message=message, at=at(20))
        assert (item.state, item.error) == (S.FAILED_TO_EXPORT, message)

    def test_failure_needs_a_message(self) -> None:
        with pytest.raises(ValueError, match="error message"):
            item_in(S.EXPORTING, False).failed(message="  ", at=at(20))


class TestInvariants:
    LINK = QuickBooksLink(JOB_ID, "Acme:Riverside Clinic", "1")

    @pytest.mark.parametrize(
        "changes",
        [
            {"state": S.SYNCED},
            {"state": S.READY_TO_UPDATE, "snapshot": eligible_project(), "sent_by": SENDER},
            {"quickbooks": LINK},
            {"state": S.REJECTED, "quickbooks": LINK},
            {
                "state": S.FAILED_TO_EXPORT,
                "snapshot": eligible_project(),
                "sent_by": SENDER,
                "customer": CustomerChoice.existing("1"),
            },
            {"error": "boom"},
            {"snapshot": eligible_project()},
            {"state": S.READY_TO_EXPORT},
            {"state": S.READY_TO_EXPORT, "snapshot": eligible_project()},
            {"state": S.READY_TO_EXPORT, "snapshot": eligible_project(id=5), "sent_by": SENDER},
            {"state": S.EXPORTING, "snapshot": eligible_project(), "sent_by": SENDER},
        ],
    )
    def test_inconsistent_items_cannot_exist(self, changes: dict[str, object]) -> None:
        with pytest.raises(ValueError, match="inconsistent export item"):
            ExportItem(project_id=PROJECT_ID, company_id=COMPANY_ID, **changes)  # type: ignore[arg-type]

    def test_linked_constructor_makes_a_synced_item(self) -> None:
        item = ExportItem.linked(
            project_id=PROJECT_ID, company_id=COMPANY_ID, quickbooks=self.LINK, at=T0
        )
        assert item.state is S.SYNCED
        assert item.allows(A.RESEND)

    def test_link_needs_every_part(self) -> None:
        with pytest.raises(ValueError, match="job id, full name and version"):
            QuickBooksLink(JOB_ID, "", "1")


class TestCustomerChoice:
    def test_existing_and_new(self) -> None:
        assert not CustomerChoice.existing("80000001").is_new
        assert CustomerChoice.new("Riverside Health").is_new

    @pytest.mark.parametrize(
        "kwargs",
        [
            {},
            {"customer_id": "1", "new_customer_name": "X"},
            {"customer_id": ""},
            {"new_customer_name": ""},
        ],
    )
    def test_exactly_one_non_blank_choice(self, kwargs: dict[str, str]) -> None:
        with pytest.raises(ValueError, match="customer"):
            CustomerChoice(**kwargs)


@pytest.mark.parametrize(
    "call",
    [
        lambda i: i.send(eligible_project(id=7), by=SENDER, at=T0),
        lambda i: i.resend(eligible_project(id=7), by=SENDER, at=T0),
        lambda i: i.succeeded(job_id="OTHER", full_name="x", version="1", at=T0),
        lambda i: i.failed(message=" ", at=T0),
        lambda i: i.accept(by=APPROVER, at=T0),
    ],
    ids=["send", "resend", "succeeded", "failed", "accept"],
)
def test_a_refused_transition_is_reported_before_bad_arguments(call: object) -> None:
    item = item_in(S.FAILED_TO_EXPORT, False)  # allows only retry and reject
    with pytest.raises(TransitionRefused):
        call(item)  # type: ignore[operator]
