"""Path B: a QuickBooks job staged in *Ready to Import* is added to Procore, linked to an
existing unsynced project, archived or restored (spec procore-workflow §2.3).

*Add to Procore* and *Link* write to Procore before our transaction commits the new state.
Both writes are idempotent on the job's id: a new project carries it as ``origin_id``, which
Procore keeps unique in the company, so an add repeated after a lost answer or a crash finds
the project it made instead of making a second one.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from procore_qb.app.actors import Actor, require
from procore_qb.app.company import load_settings
from procore_qb.app.context import AppContext
from procore_qb.app.errors import Conflict, NotConnected, NotFound, UpstreamError
from procore_qb.app.rules import PROJECT_JOB, eligibility_context
from procore_qb.domain.eligibility import link_problems
from procore_qb.domain.export_workflow import ExportItem, ExportState, QuickBooksLink
from procore_qb.domain.import_workflow import ImportAction, ImportItem
from procore_qb.domain.permissions import Action
from procore_qb.domain.problems import Problem, RuleCode, ensure_no_problems
from procore_qb.domain.project import ProcoreProject
from procore_qb.procore.errors import NotFound as ProcoreNotFound
from procore_qb.procore.errors import ProcoreError
from procore_qb.procore.gateway import NewCostCode
from procore_qb.store.errors import Conflict as StoreConflict
from procore_qb.store.errors import NotFound as StoreNotFound
from procore_qb.store.repositories.audit import AuditLog
from procore_qb.store.repositories.links import RecordLinks
from procore_qb.store.repositories.workflow import ExportItems, ImportItems, StoredImport

__all__ = ["add_to_procore", "archive", "link_to_project", "restore"]


def _get(session: Session, ctx: AppContext, item_id: int) -> StoredImport:
    try:
        stored = ImportItems(session).get(item_id)
    except StoreNotFound as exc:
        raise NotFound(f"no import item {item_id}") from exc
    if stored.item.company_id != ctx.company_id:
        raise NotFound(f"no import item {item_id}")
    return stored


def _audit(
    session: Session,
    ctx: AppContext,
    actor: Actor,
    action: str,
    stored: StoredImport,
    **detail: object,
) -> None:
    AuditLog(session).append(
        at=ctx.now(),
        actor=actor.label,
        action=action,
        company_id=ctx.company_id,
        subject_type="quickbooks_job",
        subject_id=stored.item.job_id,
        detail={"import_item": stored.id, "state": stored.item.state.value, **detail},
    )


def _save(
    session: Session,
    ctx: AppContext,
    actor: Actor,
    stored: StoredImport,
    item: ImportItem,
    action: ImportAction,
    **detail: object,
) -> StoredImport:
    try:
        saved = ImportItems(session).save(
            item,
            action=action.value,
            from_state=stored.item.state,
            now=ctx.now(),
            actor=actor.procore_user_id,
            detail=dict(detail),
            expected_version=stored.version,
        )
    except StoreConflict as exc:
        raise Conflict(
            f"QuickBooks job {stored.item.job.full_name} was changed by someone else at the same "
            "time; reload and try again"
        ) from exc
    _audit(session, ctx, actor, f"import_{action.value}", saved, **detail)
    return saved


def _mark_synced(session: Session, ctx: AppContext, project_id: int, item: ImportItem) -> None:
    job = item.job
    now = ctx.now()
    RecordLinks(session).link(
        ctx.company_id,
        PROJECT_JOB,
        procore_id=project_id,
        qb_id=item.job_id,
        qb_full_name=job.full_name or job.name,
        qb_version=job.version,
        now=now,
    )
    exports = ExportItems(session)
    existing = exports.for_project(ctx.company_id, project_id)
    linked = ExportItem.linked(
        project_id=project_id,
        company_id=ctx.company_id,
        quickbooks=QuickBooksLink(
            job_id=item.job_id, full_name=job.full_name or job.name, version=job.version or "0"
        ),
        at=now,
    )
    exports.save(
        linked,
        action="linked",
        from_state=existing.item.state if existing else ExportState.UNSYNCED,
        now=now,
        expected_version=existing.version if existing else None,
    )


def _ready(ctx: AppContext, item_id: int, action: ImportAction) -> ImportItem:
    with ctx.sessions.begin() as session:
        stored = _get(session, ctx, item_id)
        if not stored.item.allows(action):
            # Let the domain word the refusal ("cannot add a QuickBooks job that is Archived").
            if action is ImportAction.ADD_NEW:
                stored.item.add_new(project_id=0, by=0, at=ctx.now())
            stored.item.link(project_id=0, by=0, at=ctx.now())
        return stored.item


def _clash_with_projects(item: ImportItem, projects: list[ProcoreProject]) -> list[Problem]:
    name = item.job.name.casefold()
    for project in projects:
        if project.name.casefold() == name:
            return [
                Problem(
                    RuleCode.JOB_ALREADY_EXISTS,
                    f"Existing jobs/projects cannot be integrated: Procore already has project "
                    f"'{project.name}' (id {project.id}) with the name of QuickBooks job "
                    f"'{item.job.full_name or item.job.name}'. Use 'Link to Existing Project' to "
                    "join the two, or rename one of them.",
                )
            ]
    return []


def add_to_procore(ctx: AppContext, actor: Actor, item_id: int) -> StoredImport:
    """*Add to Procore*: a new project from the job (name, number, address, dates, status), on
    the default template and the QuickBooks Standard Cost Codes list, linked both ways, its
    cost codes on the 'Other' cost type."""
    require(ctx, actor, Action.IMPORT_NEW)
    item = _ready(ctx, item_id, ImportAction.ADD_NEW)
    with ctx.sessions.begin() as session:
        settings = load_settings(session, ctx.company_id)
    list_id = settings.quickbooks_cost_code_list_id
    if list_id is None:
        raise NotConnected(
            "the company has no QuickBooks Standard Cost Codes list yet: connect QuickBooks "
            "(procore-qb setup) so that it is built from the QuickBooks service items"
        )
    gateway = ctx.procore()
    try:
        already = gateway.project_by_origin(item.job_id)
        if already is None:
            ensure_no_problems(_clash_with_projects(item, gateway.projects(with_cost_codes=False)))
            codes = [
                NewCostCode(code=c.code, name=c.name, standard_cost_code_id=c.id)
                for c in gateway.standard_cost_codes(list_id)
            ]
            project = gateway.create_project_from_job(
                item.job,
                cost_code_list_id=list_id,
                cost_codes=codes,
                template_id=settings.default_template_id,
            )
        else:
            project = already
        # Its cost codes (all from the QuickBooks list) take the 'Other' cost type, as
        # Procore's own import does (procore-api "create_job_in_procore"; workflow §1.4).
        # Repeated after a lost answer, it changes nothing.
        gateway.assign_cost_type(
            project.id, [c.id for c in project.cost_codes], gateway.ensure_other_cost_type().id
        )
    except ProcoreError as exc:
        raise UpstreamError(f"Procore did not create the project: {exc}") from exc
    with ctx.sessions.begin() as session:
        stored = _get(session, ctx, item_id)
        moved = stored.item.add_new(project_id=project.id, by=actor.procore_user_id, at=ctx.now())
        saved = _save(
            session, ctx, actor, stored, moved, ImportAction.ADD_NEW, procore_project_id=project.id
        )
        _mark_synced(session, ctx, project.id, stored.item)
        return saved


def link_to_project(ctx: AppContext, actor: Actor, item_id: int, project_id: int) -> StoredImport:
    """*Link to Existing Project*: pair the job with an unsynced, ERP-sync project on the
    QuickBooks Standard Cost Codes list (the only way two existing records are joined), its
    cost codes on the 'Other' cost type, as *Add to Procore* does."""
    require(ctx, actor, Action.LINK)
    item = _ready(ctx, item_id, ImportAction.LINK)
    gateway = ctx.procore()
    try:
        project = gateway.project(project_id)
    except ProcoreNotFound as exc:
        raise NotFound(f"Procore has no project {project_id} in this company") from exc
    except ProcoreError as exc:
        raise UpstreamError(f"Procore did not return project {project_id}: {exc}") from exc
    with ctx.sessions.begin() as session:
        settings = load_settings(session, ctx.company_id)
        rules = eligibility_context(session, ctx.company_id, settings, ctx.limits)
        ensure_no_problems(link_problems(project, item.job, rules))
    try:
        # The project's cost codes (from the QuickBooks list, which the link requires) take
        # the 'Other' cost type (workflow §1.4), before the project is marked synced so that a
        # link retried after a refusal here finds the project still unsynced. Repeated, it
        # changes nothing.
        gateway.assign_cost_type(
            project_id, [c.id for c in project.cost_codes], gateway.ensure_other_cost_type().id
        )
        gateway.mark_project_synced(
            project_id,
            item.job_id,
            origin_data=item.job.version,
            origin_code=item.job.number or None,
        )
    except ProcoreError as exc:
        raise UpstreamError(f"Procore did not link project {project_id}: {exc}") from exc
    with ctx.sessions.begin() as session:
        stored = _get(session, ctx, item_id)
        moved = stored.item.link(project_id=project_id, by=actor.procore_user_id, at=ctx.now())
        saved = _save(
            session, ctx, actor, stored, moved, ImportAction.LINK, procore_project_id=project_id
        )
        _mark_synced(session, ctx, project_id, stored.item)
        return saved


def archive(ctx: AppContext, actor: Actor, item_id: int) -> StoredImport:
    """*Archive*: hide the job from Ready to Import (it can be restored)."""
    require(ctx, actor, Action.ARCHIVE)
    with ctx.sessions.begin() as session:
        stored = _get(session, ctx, item_id)
        moved = stored.item.archive(by=actor.procore_user_id, at=ctx.now())
        return _save(session, ctx, actor, stored, moved, ImportAction.ARCHIVE)


def restore(ctx: AppContext, actor: Actor, item_id: int) -> StoredImport:
    require(ctx, actor, Action.RESTORE)
    with ctx.sessions.begin() as session:
        stored = _get(session, ctx, item_id)
        moved = stored.item.restore(by=actor.procore_user_id, at=ctx.now())
        return _save(session, ctx, actor, stored, moved, ImportAction.RESTORE)
