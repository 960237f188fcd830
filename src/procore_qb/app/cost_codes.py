"""The Cost Codes tab: standard cost codes of the company's "QuickBooks Standard Cost Codes"
list, sent to QuickBooks as Service items (spec procore-workflow §1.4, §2.5, §3.4).

* **Refresh** (:func:`refresh`): the list is rebuilt from QuickBooks' service items through the
  outbox (the path of :mod:`procore_qb.app.setup`), and every code of the list that has no
  QuickBooks item (no ``origin_id``) and is not on the tab yet is put there as *Ready to
  Export* — Procore's "Send Unsynced QuickBooks Standard Cost Codes to ERP Integrations".
* **Accept** (:func:`accept_many`): an accounting approver (spec §4: 'Standard' on ERP
  Integrations and 'Can Push to Accounting') accepts one or many codes in one transaction:
  their state and one ``CreateItem`` command each (key ``k<entry>.<attempt>``) commit together.
  The items get the income and expense accounts of the company settings; the item name rules
  of the edition are checked before anything is sent.
* **Answers** (:func:`apply_item_result`, called by :mod:`procore_qb.app.results`): the item id,
  or QuickBooks' message (*Failed to Export*, then *Retry* or *Reject*). A created item is
  written back to Procore as the standard cost code's ``origin_id`` by
  :data:`WRITEBACK_TASK` (:func:`write_back`, idempotent), and synced projects that already
  carry the code get it linked as ``"<job id>|<item id>"``.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from procore_qb.app.actors import Actor, require
from procore_qb.app.audit import record
from procore_qb.app.company import CompanySettings, load_settings
from procore_qb.app.context import AppContext
from procore_qb.app.errors import Conflict, NotFound, UpstreamError
from procore_qb.app.rules import PROJECT_JOB
from procore_qb.app.setup import COST_CODE_LIST_SUBJECT, record_cost_code_list
from procore_qb.domain.commands import CommandResult, CreateItem
from procore_qb.domain.cost_code_export import CostCodeAction, CostCodeState, check_transition
from procore_qb.domain.cost_code_items import item_name_problems
from procore_qb.domain.errors import RuleViolation
from procore_qb.domain.permissions import Action
from procore_qb.domain.problems import Problem, RuleCode, ensure_no_problems
from procore_qb.domain.quickbooks_job import QuickBooksEdition
from procore_qb.procore.errors import ProcoreError
from procore_qb.procore.gateway import OriginMark
from procore_qb.store.errors import Conflict as StoreConflict
from procore_qb.store.errors import NotFound as StoreNotFound
from procore_qb.store.models import CostCodeExport, QbCommand
from procore_qb.store.repositories.audit import AuditLog
from procore_qb.store.repositories.cost_codes import CostCodeExports
from procore_qb.store.repositories.links import RecordLinks
from procore_qb.store.repositories.outbox import Outbox

__all__ = [
    "COST_CODE_SUBJECT",
    "MAX_BULK",
    "MAX_COMMENT",
    "WRITEBACK_TASK",
    "CostCodeFilter",
    "CostCodeRow",
    "CostCodesPage",
    "RefreshResult",
    "accept",
    "accept_many",
    "apply_item_result",
    "discover",
    "refresh",
    "reject",
    "reject_many",
    "retry",
    "row",
    "tab",
    "write_back",
]

log = logging.getLogger(__name__)

COST_CODE_SUBJECT = "cost_code"
"""``qb_commands.subject_type`` of a standard cost code's ``CreateItem``."""
WRITEBACK_TASK = "procore-cost-code-writeback"
MAX_BULK = 1000
MAX_COMMENT = 2000
MAX_PER_PAGE = 100


class CostCodeFilter(enum.StrEnum):
    """The tab's filters: one per state."""

    READY_TO_EXPORT = "ready_to_export"
    EXPORTING = "exporting"
    FAILED_TO_EXPORT = "failed_to_export"
    SYNCED = "synced"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        return CostCodeState(self.value).label


@dataclass(frozen=True, slots=True)
class CostCodeRow:
    id: int
    standard_cost_code_id: int
    code: str
    description: str
    state: str
    state_label: str
    item_id: str | None
    error: str | None
    comment: str
    updated_at: datetime
    actions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CostCodesPage:
    filter: CostCodeFilter
    counts: dict[str, int]
    items: list[CostCodeRow]
    total: int
    page: int
    per_page: int


@dataclass(frozen=True, slots=True)
class RefreshResult:
    found: int
    """Codes put on the tab as Ready to Export by this refresh."""
    command: str
    """The ``QueryItems`` command that reads QuickBooks' service items."""


def _command_key(entry_id: int, attempt: int) -> str:
    return f"k{entry_id}.{attempt}"


def _audit(
    session: Session,
    ctx: AppContext,
    actor: Actor | None,
    action: str,
    entry: CostCodeExport,
    **detail: object,
) -> None:
    record(
        session,
        ctx,
        actor,
        action,
        subject_type="standard_cost_code",
        subject_id=entry.standard_cost_code_id,
        detail={"entry": entry.id, "code": entry.code, "state": entry.state, **detail},
    )


def _actions(state: CostCodeState) -> tuple[str, ...]:
    from procore_qb.domain.cost_code_export import TRANSITIONS

    return tuple(a.value for a, (allowed, _) in TRANSITIONS.items() if state in allowed)


def _row(entry: CostCodeExport) -> CostCodeRow:
    state = CostCodeState(entry.state)
    return CostCodeRow(
        id=entry.id,
        standard_cost_code_id=entry.standard_cost_code_id,
        code=entry.code,
        description=entry.description,
        state=state.value,
        state_label=state.label,
        item_id=entry.item_id,
        error=entry.error,
        comment=entry.comment,
        updated_at=entry.updated_at,
        actions=_actions(state),
    )


def _list_id(settings: CompanySettings) -> int:
    if settings.quickbooks_cost_code_list_id is None:
        raise Conflict(
            "the company has no QuickBooks Standard Cost Codes list yet; connect Procore in "
            "Settings (it builds the list from QuickBooks' service items), then Refresh"
        )
    return settings.quickbooks_cost_code_list_id


# ----------------------------------------------------------------------------- reading


def tab(
    ctx: AppContext,
    actor: Actor,
    filter: CostCodeFilter = CostCodeFilter.READY_TO_EXPORT,
    *,
    page: int = 1,
    per_page: int = 50,
    search: str = "",
) -> CostCodesPage:
    """One page of the tab under ``filter``, with the count of every filter."""
    if not 1 <= per_page <= MAX_PER_PAGE or not 1 <= page <= 1_000_000:
        raise ValueError(f"page is at least 1 and per_page between 1 and {MAX_PER_PAGE}")
    require(ctx, actor, Action.VIEW_JOBS)
    with ctx.sessions.begin() as session:
        repo = CostCodeExports(session)
        counts = {f.value: 0 for f in CostCodeFilter}
        counts.update(repo.counts(ctx.company_id))
        rows, total = repo.page(
            ctx.company_id,
            [filter.value],
            offset=(page - 1) * per_page,
            limit=per_page,
            search=search.strip()[:200],
        )
        return CostCodesPage(filter, counts, [_row(r) for r in rows], total, page, per_page)


def row(ctx: AppContext, actor: Actor, entry_id: int) -> CostCodeRow:
    require(ctx, actor, Action.VIEW_JOBS)
    with ctx.sessions.begin() as session:
        return _row(_get(session, ctx, entry_id))


def _get(session: Session, ctx: AppContext, entry_id: int) -> CostCodeExport:
    try:
        return CostCodeExports(session).get(ctx.company_id, entry_id)
    except StoreNotFound as exc:
        raise NotFound(f"no standard cost code {entry_id} on the Cost Codes tab") from exc


# ----------------------------------------------------------------------------- refresh


def discover(ctx: AppContext) -> int:
    """Bring the tab in line with the company list in Procore: codes without a QuickBooks
    item become Ready to Export; codes that got one elsewhere are Synced. Returns how many
    codes were put on the tab."""
    with ctx.sessions.begin() as session:
        list_id = _list_id(load_settings(session, ctx.company_id))
    try:
        codes = ctx.procore().standard_cost_codes(list_id)
    except ProcoreError as exc:
        raise UpstreamError(f"Procore did not return the standard cost codes: {exc}") from exc
    found = 0
    now = ctx.now()
    with ctx.sessions.begin() as session:
        repo = CostCodeExports(session)
        known = repo.by_standard_code(ctx.company_id)
        for code in codes:
            entry = known.get(code.id)
            if entry is None:
                if code.origin_id:
                    continue  # built from a QuickBooks item: nothing to export
                added = repo.add(
                    ctx.company_id,
                    list_id=list_id,
                    standard_cost_code_id=code.id,
                    code=code.full_code or code.code,
                    description=code.name,
                    state=CostCodeState.READY_TO_EXPORT.value,
                    item_id=None,
                    now=now,
                )
                _audit(session, ctx, None, "cost_code_ready_to_export", added)
                found += 1
                continue
            state = CostCodeState(entry.state)
            if code.origin_id and state in (
                CostCodeState.READY_TO_EXPORT,
                CostCodeState.FAILED_TO_EXPORT,
                CostCodeState.REJECTED,
            ):
                # Linked to a QuickBooks item some other way (the list build found it).
                version = entry.version
                entry.state = CostCodeState.SYNCED.value
                entry.item_id = code.origin_id
                entry.error = None
                repo.save(entry, expected_version=version, now=now)
            elif state in (CostCodeState.READY_TO_EXPORT, CostCodeState.FAILED_TO_EXPORT) and (
                entry.code != (code.full_code or code.code) or entry.description != code.name
            ):
                version = entry.version
                entry.code = code.full_code or code.code
                entry.description = code.name
                repo.save(entry, expected_version=version, now=now)
    return found


def refresh_due(ctx: AppContext) -> bool:
    """Whether the company's ``cost_code_list_schedule`` calls for a refresh now: the list
    exists and its last item read (the first one is asked for when Procore is connected) was
    asked for at least one period ago."""
    with ctx.sessions.begin() as session:
        settings = load_settings(session, ctx.company_id)
        every = settings.cost_code_list_schedule.every
        if every is None or settings.quickbooks_cost_code_list_id is None:
            return False
        last = session.scalar(
            sa.select(sa.func.max(QbCommand.created_at)).where(
                QbCommand.company_id == ctx.company_id,
                QbCommand.subject_type == COST_CODE_LIST_SUBJECT,
            )
        )
    return last is not None and ctx.now() - last >= every


def refresh(ctx: AppContext, actor: Actor | None) -> RefreshResult:
    """*Refresh*: read QuickBooks' service items into the list (through the outbox) and put
    the list's unsynced codes on the tab."""
    if actor is not None:
        require(ctx, actor, Action.REFRESH_COST_CODES)
    found = discover(ctx)
    with ctx.sessions.begin() as session:
        key = record_cost_code_list(
            ctx,
            session,
            reason=actor.label if actor else "cost code schedule",
            incremental=True,
        )
    return RefreshResult(found, key)


# ----------------------------------------------------------------------------- approver


def _account_problems(ctx: AppContext, settings: CompanySettings) -> list[Problem]:
    """QuickBooks Online needs an income account on Service items; the Desktop export fills
    both the income and the expense account (spec §1.4 [S10])."""
    if ctx.edition is QuickBooksEdition.ONLINE:
        missing = [] if settings.item_income_account_id else ["item_income_account_id"]
    else:
        missing = [
            name
            for name, value in (
                ("item_income_account_id", settings.item_income_account_id),
                ("item_expense_account_id", settings.item_expense_account_id),
            )
            if not value
        ]
    if not missing:
        return []
    return [
        Problem(
            RuleCode.ITEM_ACCOUNT_NOT_SET,
            f"New QuickBooks Service items need the setting {' and '.join(missing)} "
            "(the income and expense accounts for new cost codes). Choose them in Settings, "
            "then Accept again.",
        )
    ]


def _start(
    session: Session,
    ctx: AppContext,
    actor: Actor,
    entry: CostCodeExport,
    action: CostCodeAction,
    settings: CompanySettings,
) -> None:
    target = check_transition(CostCodeState(entry.state), action)
    problems = item_name_problems(entry.code, ctx.limits)
    ensure_no_problems(problems)
    version = entry.version
    entry.state = target.value
    entry.attempt += 1
    entry.error = None
    entry.decided_by = actor.procore_user_id
    now = ctx.now()
    _save(session, entry, version, now)
    Outbox(session).record(
        ctx.company_id,
        CreateItem(
            idempotency_key=_command_key(entry.id, entry.attempt),
            name=entry.code,
            description=entry.description,
            income_account_id=settings.item_income_account_id,
            expense_account_id=settings.item_expense_account_id,
        ),
        now=now,
        subject_type=COST_CODE_SUBJECT,
        subject_id=entry.id,
    )
    _audit(session, ctx, actor, f"cost_code_{action.value}", entry)


def _save(session: Session, entry: CostCodeExport, version: int, now: datetime) -> None:
    try:
        CostCodeExports(session).save(entry, expected_version=version, now=now)
    except StoreConflict as exc:
        raise Conflict(
            f"standard cost code '{entry.code}' was changed by someone else at the same time; "
            "reload and try again"
        ) from exc


def _kick_online(session: Session, ctx: AppContext) -> None:
    if ctx.edition is QuickBooksEdition.ONLINE:
        from procore_qb.app.export import QBO_DRAIN_TASK

        ctx.queue.enqueue(session, QBO_DRAIN_TASK, {"company_id": ctx.company_id}, lock=ctx.lock)


def _ids(entry_ids: Sequence[int]) -> list[int]:
    ids = list(dict.fromkeys(entry_ids))
    if not ids or len(ids) > MAX_BULK:
        raise ValueError(f"name between 1 and {MAX_BULK} standard cost codes")
    return ids


def accept_many(ctx: AppContext, actor: Actor, entry_ids: Sequence[int]) -> list[CostCodeRow]:
    """Accept codes for export, in one transaction: all are accepted, or none (the first
    refusal is raised, naming the code)."""
    ids = _ids(entry_ids)
    require(ctx, actor, Action.ACCEPT_COST_CODES)
    with ctx.sessions.begin() as session:
        settings = load_settings(session, ctx.company_id)
        ensure_no_problems(_account_problems(ctx, settings))
        out: list[CostCodeRow] = []
        for entry_id in ids:
            entry = _get(session, ctx, entry_id)
            try:
                _start(session, ctx, actor, entry, CostCodeAction.ACCEPT, settings)
            except RuleViolation as exc:
                if len(ids) == 1:
                    raise
                raise RuleViolation(
                    [Problem(p.rule, f"'{entry.code}': {p.message}") for p in exc.problems]
                ) from exc
            out.append(_row(entry))
        _kick_online(session, ctx)
        return out


def accept(ctx: AppContext, actor: Actor, entry_id: int) -> CostCodeRow:
    return accept_many(ctx, actor, [entry_id])[0]


def retry(ctx: AppContext, actor: Actor, entry_id: int) -> CostCodeRow:
    """Send a failed code to QuickBooks again (after its cause was fixed)."""
    require(ctx, actor, Action.RETRY_COST_CODES)
    with ctx.sessions.begin() as session:
        settings = load_settings(session, ctx.company_id)
        ensure_no_problems(_account_problems(ctx, settings))
        entry = _get(session, ctx, entry_id)
        _start(session, ctx, actor, entry, CostCodeAction.RETRY, settings)
        _kick_online(session, ctx)
        return _row(entry)


def reject_many(
    ctx: AppContext, actor: Actor, entry_ids: Sequence[int], comment: str = ""
) -> list[CostCodeRow]:
    """Reject codes, with an optional comment, in one transaction."""
    ids = _ids(entry_ids)
    if len(comment) > MAX_COMMENT:
        raise ValueError(f"a comment is at most {MAX_COMMENT} characters")
    require(ctx, actor, Action.REJECT_COST_CODES)
    out: list[CostCodeRow] = []
    with ctx.sessions.begin() as session:
        for entry_id in ids:
            entry = _get(session, ctx, entry_id)
            target = check_transition(CostCodeState(entry.state), CostCodeAction.REJECT)
            version = entry.version
            entry.state = target.value
            entry.comment = comment.strip()
            entry.decided_by = actor.procore_user_id
            _save(session, entry, version, ctx.now())
            _audit(session, ctx, actor, "cost_code_reject", entry, comment=entry.comment)
            out.append(_row(entry))
    return out


def reject(ctx: AppContext, actor: Actor, entry_id: int, comment: str = "") -> CostCodeRow:
    return reject_many(ctx, actor, [entry_id], comment)[0]


# ----------------------------------------------------------------------------- answers


def _message(result: CommandResult) -> str:
    error = result.error
    if error is None:
        return "QuickBooks answered without the item it saved"
    text = error.message.strip() or "QuickBooks refused the item without a message"
    return f"{text} (QuickBooks error {error.code})" if error.code else text


def apply_item_result(
    ctx: AppContext, session: Session, row: QbCommand, result: CommandResult
) -> None:
    """QuickBooks' answer to a standard cost code's ``CreateItem``, in the transaction that
    stores it. Answers of an earlier attempt, or for a code that moved on, are ignored."""
    entry = session.get(CostCodeExport, int(row.subject_id or 0))
    if entry is None or entry.company_id != ctx.company_id:
        log.info("answer %s for a cost code entry that is gone", row.idempotency_key)
        return
    if row.idempotency_key != _command_key(entry.id, entry.attempt) or (
        entry.state != CostCodeState.EXPORTING.value
    ):
        log.info("answer %s ignored (entry in %s)", row.idempotency_key, entry.state)
        return
    version = entry.version
    now = ctx.now()
    item = result.items[0] if result.items else None
    if result.error is not None or item is None or not item.id:
        entry.state = CostCodeState.FAILED_TO_EXPORT.value
        entry.error = _message(result)
        _save(session, entry, version, now)
        _audit(session, ctx, None, "cost_code_export_failed", entry, error=entry.error)
        return
    entry.state = CostCodeState.SYNCED.value
    entry.item_id = item.id
    entry.error = None
    _save(session, entry, version, now)
    AuditLog(session).append(
        at=now,
        actor="QuickBooks",
        action="quickbooks_item_created",
        company_id=ctx.company_id,
        subject_type="standard_cost_code",
        subject_id=entry.standard_cost_code_id,
        detail={"entry": entry.id, "code": entry.code, "item_id": item.id},
    )
    ctx.queue.enqueue(session, WRITEBACK_TASK, {"entry_id": entry.id}, lock=ctx.lock)


def _link_project_codes(ctx: AppContext, code: str, item_id: str) -> int:
    """Synced projects that already carry ``code`` (added before it had an item) get it linked
    as ``"<job id>|<item id>"``, as an export links its cost codes
    (:mod:`procore_qb.app.writeback`), with the 'Other' cost type assigned. Returns how many
    were linked."""
    with ctx.sessions.begin() as session:
        jobs = {
            link.procore_id: link.qb_id
            for link in RecordLinks(session).all(ctx.company_id, PROJECT_JOB)
        }
    gateway = ctx.procore()
    linked = 0
    other: int | None = None
    for project_id, job_id in sorted(jobs.items()):
        marks = [
            OriginMark(c.id, f"{job_id}|{item_id}")
            for c in gateway.cost_codes(project_id)
            if c.full_code.casefold() == code.casefold() and not c.origin_id
        ]
        if marks:
            gateway.mark_cost_codes_synced(project_id, marks)
            # The linked codes take the 'Other' cost type (procore-workflow §1.4).
            other = other or gateway.ensure_other_cost_type().id
            gateway.assign_cost_type(project_id, [m.id for m in marks], other)
            linked += len(marks)
    return linked


def write_back(ctx: AppContext, entry_id: int) -> bool:
    """Write the item id on the standard cost code in Procore as its ``origin_id``, and link
    the synced projects' cost codes of that code. Runs as a job; idempotent (the same ids each
    time). False when the code is not synced."""
    with ctx.sessions.begin() as session:
        entry = _get(session, ctx, entry_id)
        state, item_id = entry.state, entry.item_id
        list_id, code_id, code = entry.list_id, entry.standard_cost_code_id, entry.code
    if state != CostCodeState.SYNCED.value or not item_id:
        return False
    try:
        written = ctx.procore().mark_standard_cost_codes_synced(
            list_id, [OriginMark(code_id, item_id)]
        )
    except ProcoreError as exc:
        raise UpstreamError(f"Procore did not mark cost code '{code}' synced: {exc}") from exc
    if written.errors:
        raise UpstreamError(
            f"Procore did not mark cost code '{code}' synced: {written.errors[0].message}"
        )
    try:
        projects = _link_project_codes(ctx, code, item_id)
    except ProcoreError as exc:
        raise UpstreamError(
            f"Procore did not link the projects' cost code '{code}': {exc}"
        ) from exc
    with ctx.sessions.begin() as session:
        AuditLog(session).append(
            at=ctx.now(),
            actor="procore-qb",
            action="procore_standard_cost_code_marked_synced",
            company_id=ctx.company_id,
            subject_type="standard_cost_code",
            subject_id=code_id,
            detail={"entry": entry_id, "origin_id": item_id, "project_cost_codes": projects},
        )
    return True
