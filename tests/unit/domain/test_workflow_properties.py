"""Random action sequences through both state machines, checking the invariants after every
step and that refusals change nothing."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from procore_qb.domain.errors import TransitionRefused
from procore_qb.domain.export_workflow import (
    EXPORT_TRANSITIONS,
    CustomerChoice,
    ExportAction,
    ExportItem,
    ExportState,
)
from procore_qb.domain.import_workflow import (
    IMPORT_TRANSITIONS,
    ImportAction,
    ImportItem,
    ImportMethod,
    ImportState,
)
from procore_qb.domain.quickbooks_job import QuickBooksJob

from .factories import COMPANY_ID, JOB_ID, T0, apply, at, eligible_project, new_item

S = ExportState


def check_export_invariants(item: ExportItem) -> None:
    assert isinstance(item.state, ExportState)
    if item.state in {S.SYNCED, S.READY_TO_UPDATE}:
        assert item.quickbooks is not None, "a synced item always has a QuickBooks id"
        assert item.quickbooks.job_id
    if item.state in {S.UNSYNCED, S.READY_TO_EXPORT, S.REJECTED}:
        assert item.quickbooks is None
    assert (item.state is S.FAILED_TO_EXPORT) == bool(item.error), "failed ⇔ error"
    pending = {S.READY_TO_EXPORT, S.READY_TO_UPDATE, S.EXPORTING, S.FAILED_TO_EXPORT}
    assert (item.state in pending) == (item.snapshot is not None)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(ExportAction), max_size=40))
def test_random_export_sequences_keep_the_invariants(actions: list[ExportAction]) -> None:
    item = new_item()
    for step, action in enumerate(actions):
        key = (item.state, action, item.in_quickbooks)
        try:
            moved = apply(item, action, at(step))
        except TransitionRefused:
            assert key not in EXPORT_TRANSITIONS
            continue
        assert moved.state is EXPORT_TRANSITIONS[key]
        check_export_invariants(moved)
        item = moved


class ExportMachine(RuleBasedStateMachine):
    """Drives one export item with varied arguments; tracks what must survive each step."""

    def __init__(self) -> None:
        super().__init__()
        self.item = new_item()
        self.clock = 0
        self.job_id: str | None = None

    def _do(self, action: ExportAction, call: object) -> bool:
        before = self.item
        self.clock += 1
        try:
            after = call(before)  # type: ignore[operator]
        except TransitionRefused:
            assert not before.allows(action)
            return False
        assert before.allows(action)
        self.item = after
        return True

    @rule(name=st.text(min_size=1, max_size=60))
    def send(self, name: str) -> None:
        snap = eligible_project(name=name)
        self._do(ExportAction.SEND, lambda i: i.send(snap, by=1, at=at(self.clock)))

    @rule(name=st.text(min_size=1, max_size=60))
    def resend(self, name: str) -> None:
        snap = eligible_project(name=name)
        self._do(ExportAction.RESEND, lambda i: i.resend(snap, by=1, at=at(self.clock)))

    @rule()
    def retrieve(self) -> None:
        self._do(ExportAction.RETRIEVE, lambda i: i.retrieve(by=1, at=at(self.clock)))

    @rule(comment=st.text(max_size=30))
    def reject(self, comment: str) -> None:
        self._do(ExportAction.REJECT, lambda i: i.reject(by=2, at=at(self.clock), comment=comment))

    @rule(new=st.booleans())
    def accept(self, new: bool) -> None:
        choice = CustomerChoice.new("Acme") if new else CustomerChoice.existing("800001")
        self._do(ExportAction.ACCEPT, lambda i: i.accept(by=2, at=at(self.clock), customer=choice))

    @rule(version=st.integers(min_value=1, max_value=10**9))
    def export_succeeded(self, version: int) -> None:
        job_id = self.job_id or JOB_ID
        done = self._do(
            ExportAction.EXPORT_SUCCEEDED,
            lambda i: i.succeeded(
                job_id=job_id, full_name="Acme:X", version=str(version), at=at(self.clock)
            ),
        )
        if done:
            self.job_id = job_id

    @rule(message=st.text(min_size=1).filter(str.strip))
    def export_failed(self, message: str) -> None:
        failed = self._do(
            ExportAction.EXPORT_FAILED, lambda i: i.failed(message=message, at=at(self.clock))
        )
        if failed:
            assert self.item.error == message

    @rule()
    def retry(self) -> None:
        self._do(ExportAction.RETRY, lambda i: i.retry(by=2, at=at(self.clock)))

    @rule()
    def reset(self) -> None:
        if self._do(ExportAction.RESET, lambda i: i.reset(by=3, at=at(self.clock))):
            self.job_id = None

    @invariant()
    def invariants_hold(self) -> None:
        check_export_invariants(self.item)

    @invariant()
    def the_job_never_changes_until_reset(self) -> None:
        if self.item.quickbooks is not None:
            assert self.item.quickbooks.job_id == self.job_id


TestExportMachine = ExportMachine.TestCase
TestExportMachine.settings = settings(deadline=None)


def staged_job() -> QuickBooksJob:
    return QuickBooksJob(name="Hillside Depot", full_name="Acme:Hillside Depot", id="8000AA-1")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(ImportAction), st.integers(1, 10_000)), max_size=30))
def test_random_import_sequences_keep_the_invariants(
    steps: list[tuple[ImportAction, int]],
) -> None:
    item = ImportItem.staged(company_id=COMPANY_ID, job=staged_job(), at=T0)
    for n, (action, project_id) in enumerate(steps):
        before = item
        try:
            match action:
                case ImportAction.ADD_NEW:
                    item = item.add_new(project_id=project_id, by=1, at=at(n))
                case ImportAction.LINK:
                    item = item.link(project_id=project_id, by=1, at=at(n))
                case ImportAction.ARCHIVE:
                    item = item.archive(by=1, at=at(n))
                case ImportAction.RESTORE:
                    item = item.restore(by=1, at=at(n))
        except TransitionRefused:
            assert (before.state, action) not in IMPORT_TRANSITIONS
            continue
        assert item.state is IMPORT_TRANSITIONS[(before.state, action)]
        assert isinstance(item.state, ImportState)
        imported = item.state is ImportState.IMPORTED
        assert imported == (item.procore_project_id is not None)
        assert imported == (item.method is not None)
        if imported and before.state is not ImportState.IMPORTED:
            assert item.procore_project_id == project_id
            expected = ImportMethod.NEW if action is ImportAction.ADD_NEW else ImportMethod.LINK
            assert item.method is expected
        assert item.job_id == "8000AA-1"
