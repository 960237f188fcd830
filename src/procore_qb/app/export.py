"""Path A: a Procore project sent to ERP, accepted or rejected, and exported to QuickBooks.

Each action checks the actor's Procore permission (spec §4), the item's state (the domain's
transition table) and, where the spec names them, the eligibility rules; then it saves the new
state, records the QuickBooks commands the action needs in the outbox, enqueues the follow-up
work and appends to the audit log, all in one transaction.

An accepted export becomes these commands, all named ``x<item>.<attempt>.<part>`` so that one
attempt's answers are told from another's:

* ``…c`` ``CreateCustomer`` when the approver chose a new customer (Customer:Job mode);
* ``…i<n>`` ``CreateItem`` for each project cost code whose standard cost code has no
  QuickBooks item yet;
* ``…j`` ``CreateJob`` (first export) or ``UpdateJob`` (an accepted *Re-send to ERP*).

QuickBooks Online runs them at once (a ``qbo-drain`` job); QuickBooks Desktop when the Web
Connector next polls. Their answers come back through :mod:`procore_qb.app.results`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from procore_qb.app.actors import Actor, require
from procore_qb.app.audit import record
from procore_qb.app.company import CompanySettings, CustomerJobMode, load_settings
from procore_qb.app.context import AppContext
from procore_qb.app.errors import Conflict, NotFound, UpstreamError
from procore_qb.app.rules import PROJECT_JOB, eligibility_context
from procore_qb.domain.commands import Command, CreateCustomer, CreateItem, CreateJob, UpdateJob
from procore_qb.domain.eligibility import EligibilityContext, accept_problems, send_problems
from procore_qb.domain.errors import RuleViolation
from procore_qb.domain.export_workflow import CustomerChoice, ExportAction, ExportItem, ExportState
from procore_qb.domain.mapping import project_to_job
from procore_qb.domain.permissions import Action
from procore_qb.domain.problems import Problem, RuleCode, ensure_no_problems
from procore_qb.domain.project import ProcoreProject
from procore_qb.domain.quickbooks_job import QuickBooksEdition
from procore_qb.procore.errors import NotFound as ProcoreNotFound
from procore_qb.procore.errors import ProcoreError
from procore_qb.store.errors import Conflict as StoreConflict
from procore_qb.store.errors import NotFound as StoreNotFound
from procore_qb.store.repositories.links import RecordLinks
from procore_qb.store.repositories.mirror import QbJobs
from procore_qb.store.repositories.outbox import Outbox
from procore_qb.store.repositories.workflow import ExportItems, StoredExport

__all__ = [
    "EXPORT_SUBJECT",
    "QBO_DRAIN_TASK",
    "accept",
    "accept_many",
    "command_prefix",
    "reject",
    "reject_many",
    "reset",
    "retrieve",
    "retry",
    "send",
]

EXPORT_SUBJECT = "export"
"""``qb_commands.subject_type`` of the commands an export records."""
QBO_DRAIN_TASK = "qbo-drain"
MAX_BULK = 1000
"""Most items one bulk accept or reject may name."""
MAX_COMMENT = 2000


def command_prefix(item_id: int, attempt: int) -> str:
    return f"x{item_id}.{attempt}."


@dataclass(frozen=True, slots=True)
class _ItemsToCreate:
    """Standard cost codes of the QuickBooks list by code, with their item id (None: the
    code has no QuickBooks item yet)."""

    by_code: dict[str, str | None]


def _audit(
    session: Session,
    ctx: AppContext,
    actor: Actor | None,
    action: str,
    stored: StoredExport,
    **detail: object,
) -> None:
    record(
        session,
        ctx,
        actor,
        action,
        subject_type="project",
        subject_id=stored.item.project_id,
        detail={"export_item": stored.id, "state": stored.item.state.value, **detail},
    )


def _project(ctx: AppContext, project_id: int) -> ProcoreProject:
    try:
        return ctx.procore().project(project_id)
    except ProcoreError as exc:
        if isinstance(exc, ProcoreNotFound):
            raise NotFound(f"Procore has no project {project_id} in this company") from exc
        raise UpstreamError(f"Procore did not return project {project_id}: {exc}") from exc


def _save(
    session: Session,
    stored: StoredExport | None,
    item: ExportItem,
    action: ExportAction,
    *,
    actor: Actor | None,
    ctx: AppContext,
    detail: dict[str, object] | None = None,
) -> StoredExport:
    before = stored.item.state if stored else ExportState.UNSYNCED
    try:
        return ExportItems(session).save(
            item,
            action=action.value,
            from_state=before,
            now=ctx.now(),
            actor=actor.procore_user_id if actor else None,
            detail=detail,
            expected_version=stored.version if stored else None,
        )
    except StoreConflict as exc:
        raise Conflict(
            f"project {item.project_id} was changed by someone else at the same time; "
            "reload and try again"
        ) from exc


def _get(session: Session, ctx: AppContext, item_id: int) -> StoredExport:
    try:
        stored = ExportItems(session).get(item_id)
    except StoreNotFound as exc:
        raise NotFound(f"no export item {item_id}") from exc
    if stored.item.company_id != ctx.company_id:
        raise NotFound(f"no export item {item_id}")
    return stored


# ------------------------------------------------------------------------------ sender side


def send(ctx: AppContext, actor: Actor, project_id: int) -> StoredExport:
    """*Send to ERP* (or *Re-send to ERP* after a rejection or to update the synced job): the
    project as Procore has it now is frozen and waits for an accounting approver."""
    with ctx.sessions.begin() as session:
        earlier = ExportItems(session).for_project(ctx.company_id, project_id)
        resending = earlier is not None and earlier.item.allows(ExportAction.RESEND)
    require(ctx, actor, Action.RESEND if resending else Action.SEND, project_id=project_id)
    project = _project(ctx, project_id)
    now = ctx.now()
    with ctx.sessions.begin() as session:
        settings = load_settings(session, ctx.company_id)
        stored = ExportItems(session).for_project(ctx.company_id, project_id)
        item = (
            stored.item
            if stored
            else ExportItem.new(project_id=project_id, company_id=ctx.company_id)
        )
        action = ExportAction.SEND if item.allows(ExportAction.SEND) else ExportAction.RESEND
        if not item.allows(action):
            # Let the domain word the refusal ("cannot send a project that is Ready to Export").
            item.send(project, by=actor.procore_user_id, at=now)
        updating = item.quickbooks.job_id if item.quickbooks else None
        ctx_rules = eligibility_context(session, ctx.company_id, settings, ctx.limits)
        ensure_no_problems(send_problems(project, ctx_rules, updating_job_id=updating))
        if action is ExportAction.SEND:
            moved = item.send(project, by=actor.procore_user_id, at=now)
        else:
            moved = item.resend(project, by=actor.procore_user_id, at=now)
        saved = _save(session, stored, moved, action, actor=actor, ctx=ctx)
        _audit(session, ctx, actor, f"export_{action.value}", saved, project_name=project.name)
        return saved


def retrieve(ctx: AppContext, actor: Actor, project_id: int) -> StoredExport:
    """*Retrieve from ERP* before an approver decides: the project is editable again."""
    require(ctx, actor, Action.RETRIEVE, project_id=project_id)
    with ctx.sessions.begin() as session:
        stored = ExportItems(session).for_project(ctx.company_id, project_id)
        if stored is None:
            raise NotFound(f"project {project_id} was never sent to ERP")
        moved = stored.item.retrieve(by=actor.procore_user_id, at=ctx.now())
        saved = _save(session, stored, moved, ExportAction.RETRIEVE, actor=actor, ctx=ctx)
        _audit(session, ctx, actor, "export_retrieve", saved)
        return saved


# ------------------------------------------------------------------------------ approver side


def _standard_items(ctx: AppContext, settings: CompanySettings) -> _ItemsToCreate:
    if settings.quickbooks_cost_code_list_id is None:
        return _ItemsToCreate({})
    try:
        codes = ctx.procore().standard_cost_codes(settings.quickbooks_cost_code_list_id)
    except ProcoreError as exc:
        raise UpstreamError(f"Procore did not return the standard cost codes: {exc}") from exc
    return _ItemsToCreate({c.full_code: c.origin_id for c in codes})


def _customer_for(
    item: ExportItem, settings: CompanySettings, customer: CustomerChoice | None
) -> CustomerChoice | None:
    if item.in_quickbooks:
        return None
    if settings.customer_job_mode is CustomerJobMode.CUSTOMERS_ARE_JOBS:
        # Each export creates a top-level customer that is the job.
        snapshot = item.snapshot
        return CustomerChoice.new(snapshot.name) if snapshot else customer
    return customer


def _earlier_customer(session: Session, ctx: AppContext, item_id: int, name: str) -> str | None:
    """The id of a customer an earlier attempt of this export created (so a retry does not
    try to create it twice), found in the mirror by name."""
    for job in QbJobs(session).all(ctx.company_id):
        if not job.is_job and job.name.casefold() == name.casefold() and job.id:
            return job.id
    return None


def _commands(
    session: Session,
    ctx: AppContext,
    stored: StoredExport,
    attempt: int,
    settings: CompanySettings,
    items: _ItemsToCreate,
) -> list[Command]:
    item = stored.item
    snapshot = item.snapshot
    if snapshot is None:  # the domain's invariant: an exporting item has its snapshot
        raise ValueError(f"export item {stored.id} has no snapshot")
    prefix = command_prefix(stored.id, attempt)
    commands: list[Command] = []
    for n, code in enumerate(snapshot.cost_codes):
        if code.full_code in items.by_code and items.by_code[code.full_code] is None:
            commands.append(
                CreateItem(
                    idempotency_key=f"{prefix}i{n}",
                    name=code.full_code,
                    description=code.name,
                    income_account_id=settings.item_income_account_id,
                    expense_account_id=settings.item_expense_account_id,
                )
            )
    mirror = QbJobs(session)
    if item.quickbooks is not None:
        existing = mirror.get(ctx.company_id, item.quickbooks.job_id)
        if existing is None or not existing.version:
            raise ValueError("the synced QuickBooks job is not in the job list; refresh it")
        job = project_to_job(snapshot, existing=existing)
        commands.append(UpdateJob(idempotency_key=f"{prefix}j", job=job))
        return commands
    customer = item.customer
    if customer is None:
        raise ValueError(f"export item {stored.id} has no customer")
    if settings.customer_job_mode is CustomerJobMode.CUSTOMERS_ARE_JOBS:
        commands.append(CreateJob(idempotency_key=f"{prefix}j", job=project_to_job(snapshot)))
        return commands
    if customer.new_customer_name is not None:
        name = customer.new_customer_name
        earlier = _earlier_customer(session, ctx, stored.id, name) if attempt > 1 else None
        if earlier is None:
            commands.insert(0, CreateCustomer(idempotency_key=f"{prefix}c", name=name))
        job = project_to_job(snapshot, parent_id=earlier, parent_full_name=name)
    else:
        parent = mirror.get(ctx.company_id, customer.customer_id or "")
        if parent is None:
            raise ValueError("the chosen customer is not in the job list")
        job = project_to_job(
            snapshot, parent_id=parent.id, parent_full_name=parent.full_name or parent.name
        )
    commands.append(CreateJob(idempotency_key=f"{prefix}j", job=job))
    return commands


def _missing_item_problems(
    ctx: AppContext, project: ProcoreProject, items: _ItemsToCreate, settings: CompanySettings
) -> list[Problem]:
    """New service items need accounts: QuickBooks Online requires an income account on Service
    items; QuickBooks Desktop an income account, an expense account or both."""
    if ctx.edition is QuickBooksEdition.ONLINE:
        ready = bool(settings.item_income_account_id)
        needed = "an income account"
    else:
        ready = bool(settings.item_income_account_id or settings.item_expense_account_id)
        needed = "an income or expense account"
    missing = [
        c.full_code for c in project.cost_codes if items.by_code.get(c.full_code, "") is None
    ]
    if ready or not missing:
        return []
    return [
        Problem(
            RuleCode.NOT_ON_QUICKBOOKS_COST_CODES,
            f"Cost code(s) {', '.join(missing[:5])} have no QuickBooks item yet, and new service "
            f"items need {needed}. Choose the accounts for new cost codes in Settings "
            "(item_income_account_id, item_expense_account_id), then Accept again.",
        )
    ]


def _accept_one(
    session: Session,
    ctx: AppContext,
    actor: Actor,
    stored: StoredExport,
    customer: CustomerChoice | None,
    settings: CompanySettings,
    items: _ItemsToCreate,
    rules: EligibilityContext,
) -> StoredExport:
    item = stored.item
    if not item.allows(ExportAction.ACCEPT):
        item.accept(by=actor.procore_user_id, at=ctx.now(), customer=customer)  # words the refusal
    choice = _customer_for(item, settings, customer)
    snapshot = item.snapshot
    if snapshot is None:
        raise ValueError(f"export item {stored.id} has no snapshot")
    if choice is not None:
        ensure_no_problems(accept_problems(snapshot, choice, rules))
    ensure_no_problems(_missing_item_problems(ctx, snapshot, items, settings))
    moved = item.accept(by=actor.procore_user_id, at=ctx.now(), customer=choice)
    saved = _save(session, stored, moved, ExportAction.ACCEPT, actor=actor, ctx=ctx)
    _start_attempt(session, ctx, saved, settings, items)
    _audit(
        session,
        ctx,
        actor,
        "export_accept",
        saved,
        customer_id=choice.customer_id if choice else None,
        new_customer=choice.new_customer_name if choice else None,
    )
    return saved


def _start_attempt(
    session: Session,
    ctx: AppContext,
    stored: StoredExport,
    settings: CompanySettings,
    items: _ItemsToCreate,
) -> None:
    attempt = ExportItems(session).next_attempt(stored.id)
    outbox = Outbox(session)
    now = ctx.now()
    for command in _commands(session, ctx, stored, attempt, settings, items):
        outbox.record(
            ctx.company_id, command, now=now, subject_type=EXPORT_SUBJECT, subject_id=stored.id
        )


def _kick_online(session: Session, ctx: AppContext) -> None:
    if ctx.edition is QuickBooksEdition.ONLINE:
        ctx.queue.enqueue(session, QBO_DRAIN_TASK, {"company_id": ctx.company_id}, lock=ctx.lock)


def accept(
    ctx: AppContext, actor: Actor, item_id: int, customer: CustomerChoice | None = None
) -> StoredExport:
    """*Accept* one item: export it under ``customer`` (first export in Customer:Job mode), or
    update its QuickBooks job (an accepted re-send)."""
    return accept_many(ctx, actor, [item_id], customer)[0]


def accept_many(
    ctx: AppContext,
    actor: Actor,
    item_ids: Sequence[int],
    customer: CustomerChoice | None = None,
) -> list[StoredExport]:
    """Accept many items at once, in one transaction: all are accepted, or none (the first
    refusal is raised, naming the item)."""
    ids = list(dict.fromkeys(item_ids))
    if not ids or len(ids) > MAX_BULK:
        raise ValueError(f"name between 1 and {MAX_BULK} items")
    require(ctx, actor, Action.ACCEPT)
    with ctx.sessions.begin() as session:
        settings = load_settings(session, ctx.company_id)
    items = _standard_items(ctx, settings)
    out: list[StoredExport] = []
    with ctx.sessions.begin() as session:
        # Read once for the whole batch: the rules compare against the job list as refreshed.
        rules = eligibility_context(session, ctx.company_id, settings, ctx.limits)
        for item_id in ids:
            stored = _get(session, ctx, item_id)
            try:
                out.append(
                    _accept_one(session, ctx, actor, stored, customer, settings, items, rules)
                )
            except RuleViolation as exc:
                if len(ids) == 1:
                    raise
                name = stored.item.snapshot.name if stored.item.snapshot else stored.item.project_id
                raise RuleViolation(
                    [Problem(p.rule, f"'{name}': {p.message}") for p in exc.problems]
                ) from exc
        _kick_online(session, ctx)
    return out


def reject(ctx: AppContext, actor: Actor, item_id: int, comment: str = "") -> StoredExport:
    """*Reject* with an optional comment; the sender and the approvers are told by e-mail."""
    return reject_many(ctx, actor, [item_id], comment)[0]


def reject_many(
    ctx: AppContext, actor: Actor, item_ids: Sequence[int], comment: str = ""
) -> list[StoredExport]:
    ids = list(dict.fromkeys(item_ids))
    if not ids or len(ids) > MAX_BULK:
        raise ValueError(f"name between 1 and {MAX_BULK} items")
    if len(comment) > MAX_COMMENT:
        raise ValueError(f"a comment is at most {MAX_COMMENT} characters")
    require(ctx, actor, Action.REJECT)
    out: list[StoredExport] = []
    with ctx.sessions.begin() as session:
        for item_id in ids:
            stored = _get(session, ctx, item_id)
            sent_by = stored.item.sent_by
            name = stored.item.snapshot.name if stored.item.snapshot else ""
            moved = stored.item.reject(by=actor.procore_user_id, at=ctx.now(), comment=comment)
            saved = _save(session, stored, moved, ExportAction.REJECT, actor=actor, ctx=ctx)
            _audit(session, ctx, actor, "export_reject", saved, comment=comment)
            _on_rejected(session, ctx, saved, name=name, comment=comment, by=actor, sent_by=sent_by)
            out.append(saved)
    return out


def _on_rejected(
    session: Session,
    ctx: AppContext,
    stored: StoredExport,
    *,
    name: str,
    comment: str,
    by: Actor,
    sent_by: int | None,
) -> None:
    """Hook for the rejection notice (mail to the sender and the approvers)."""
    from procore_qb.app import notifications

    notifications.queue_rejection_mail(
        session,
        company_id=ctx.company_id,
        export_item_id=stored.id,
        project_name=name or f"project {stored.item.project_id}",
        comment=comment,
        rejected_by=by.procore_user_id,
        sent_by=sent_by,
        now=ctx.now(),
    )


def retry(ctx: AppContext, actor: Actor, item_id: int) -> StoredExport:
    """Export a failed item again, with the same snapshot and customer."""
    require(ctx, actor, Action.RETRY)
    with ctx.sessions.begin() as session:
        settings = load_settings(session, ctx.company_id)
    items = _standard_items(ctx, settings)
    with ctx.sessions.begin() as session:
        stored = _get(session, ctx, item_id)
        moved = stored.item.retry(by=actor.procore_user_id, at=ctx.now())
        saved = _save(session, stored, moved, ExportAction.RETRY, actor=actor, ctx=ctx)
        _start_attempt(session, ctx, saved, settings, items)
        _audit(session, ctx, actor, "export_retry", saved)
        _kick_online(session, ctx)
        return saved


def reset(ctx: AppContext, actor: Actor, item_id: int) -> StoredExport:
    """An ERP admin unlinks a synced project: it becomes unsynced here and in Procore (its
    ``origin_id`` is cleared); the QuickBooks job is left as it is."""
    require(ctx, actor, Action.RESET)
    with ctx.sessions.begin() as session:
        stored = _get(session, ctx, item_id)
        stored.item.reset(by=actor.procore_user_id, at=ctx.now())  # refuses before any write
        project_id = stored.item.project_id
    try:
        ctx.procore().mark_project_synced(project_id, None)
    except ProcoreError as exc:
        raise UpstreamError(f"Procore did not unlink project {project_id}: {exc}") from exc
    with ctx.sessions.begin() as session:
        stored = _get(session, ctx, item_id)
        moved = stored.item.reset(by=actor.procore_user_id, at=ctx.now())
        saved = _save(session, stored, moved, ExportAction.RESET, actor=actor, ctx=ctx)
        RecordLinks(session).unlink(ctx.company_id, PROJECT_JOB, project_id)
        _audit(session, ctx, actor, "export_reset", saved)
        return saved
