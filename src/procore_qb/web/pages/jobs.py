"""ERP Integrations → Jobs (``/erp/jobs?filter=…``): the six filters with their counts, search
and paging, each row's actions in Procore's words for the people allowed them, many rows
accepted or rejected at once, *Refresh Job List* and *Sync Now* with their progress.

| page | what it does | permission (spec §4) |
| --- | --- | --- |
| ``GET /erp/jobs`` | the list | any access to ERP Integrations |
| ``GET /erp/jobs/progress`` | the sync line (polled while QuickBooks works) | the same |
| ``POST /erp/jobs/refresh`` | *Refresh Job List* | ERP Integrations + Directory 'Admin' |
| ``POST /erp/jobs/sync-now`` | *Sync Now*: job list and cost code list | the same |
| ``GET /erp/jobs/accept`` | the customer picker of *Accept* | accounting approver |
| ``POST /erp/jobs/accept`` | *Accept* one or many | accounting approver |
| ``POST /erp/jobs/reject`` | *Reject* one or many, with a comment | accounting approver |
| ``POST /erp/jobs/{id}/retry`` | *Retry* a failed export | accounting approver |
| ``POST /erp/jobs/{id}/add`` | *Add to Procore* | ERP Integrations + Directory 'Admin' |
| ``GET``/``POST /erp/jobs/{id}/link`` | *Link to Existing Project* | the same |
| ``POST /erp/jobs/{id}/archive``, ``…/restore`` | *Archive*, *Restore* | the same |

Every action calls one use case of :mod:`procore_qb.app`, which checks the permission again.
"""

from __future__ import annotations

import math
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import Response

from procore_qb.app import export, import_, jobs_tab, queries, refresh
from procore_qb.app.company import CustomerJobMode
from procore_qb.domain.errors import RuleViolation
from procore_qb.domain.permissions import Action
from procore_qb.domain.quickbooks_job import QuickBooksEdition
from procore_qb.web.pages import job_forms
from procore_qb.web.pages.job_forms import (
    JOBS_TAB,
    MAX_COMMENT,
    MAX_SEARCH,
    back_to,
    customer_choice,
    item_ids,
)
from procore_qb.web.pages.kit import PageKit, PageUser
from procore_qb.web.pages.tab_forms import listing_search

__all__ = ["CUSTOMERS_PER_PAGE", "FLAG_LABELS", "POLL_SECONDS", "build_router"]

JobFilter = queries.JobFilter
POLL_SECONDS = 3
CUSTOMERS_PER_PAGE = 25
FLAG_LABELS = {
    "changed_in_procore": "Changed in Procore since it was sent",
    "changed_in_quickbooks": "Changed in QuickBooks",
    "inactive_in_quickbooks": "Inactive in QuickBooks",
    "deleted_in_quickbooks": "Deleted in QuickBooks",
}
"""The markers of a row (:attr:`procore_qb.app.queries.JobRow.quickbooks_flags`) in words."""

ItemId = Annotated[str, Path(min_length=8, max_length=40)]
Ids = Annotated[list[str], Form(max_length=500)]
Back = Annotated[str, Form(max_length=2000)]
Choice = Annotated[str, Form(max_length=80)]
NewCustomer = Annotated[str, Form(max_length=300)]
Comment = Annotated[str, Form(max_length=MAX_COMMENT + 100)]


def _one(value: str, kind: str) -> int:
    return item_ids([value], kind)[0]


def _names(items: list[queries.JobRow]) -> str:
    if len(items) == 1:
        return f"'{items[0].name}'"
    return f"{len(items)} projects"


def build_router(kit: PageKit) -> APIRouter:
    router = APIRouter()
    viewer = Depends(kit.need(Action.VIEW_JOBS))
    approver = Depends(kit.need(Action.ACCEPT))
    rejecter = Depends(kit.need(Action.REJECT))
    retrier = Depends(kit.need(Action.RETRY))
    refresher = Depends(kit.need(Action.REFRESH_JOBS))
    importer = Depends(kit.need(Action.IMPORT_NEW))
    linker = Depends(kit.need(Action.LINK))
    archiver = Depends(kit.need(Action.ARCHIVE))
    restorer = Depends(kit.need(Action.RESTORE))

    def waiting_for() -> str:
        if kit.ctx.edition is QuickBooksEdition.DESKTOP:
            return "the QuickBooks Web Connector's next run"
        return "QuickBooks Online"

    # ------------------------------------------------------------------ the list

    @router.get("/erp/jobs", include_in_schema=False)
    def jobs(
        request: Request,
        user: PageUser = viewer,
        filter: Annotated[JobFilter, Query()] = JobFilter.READY_TO_EXPORT,
        page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
        per_page: Annotated[int, Query(ge=1, le=100)] = 50,
        search: Annotated[str, Query(max_length=MAX_SEARCH)] = "",
    ) -> Response:
        search = listing_search(per_page, search)
        shown = jobs_tab.tab(
            kit.ctx, user.actor, filter, page=page, per_page=per_page, search=search
        )
        found = shown.page
        return kit.render(
            request,
            "jobs.html",
            user=user,
            tab=found,
            filters=list(JobFilter),
            sync=shown.sync,
            customers_are_jobs=shown.mode is CustomerJobMode.CUSTOMERS_ARE_JOBS,
            **JOBS_TAB.listing(
                filter, page=page, per_page=per_page, search=search, total=found.total
            ),
            flags=FLAG_LABELS,
            poll_seconds=POLL_SECONDS,
            Action=Action,
        )

    @router.get("/erp/jobs/progress", include_in_schema=False)
    def progress(request: Request, user: PageUser = viewer) -> Response:
        sync = jobs_tab.sync_status(kit.ctx, user.actor)
        return kit.render(
            request,
            "_jobs_progress.html",
            user=user,
            show_flashes=False,
            sync=sync,
            polled=True,
            headers={"X-Poll-Done": "0" if sync.busy else "1"},
        )

    @router.post("/erp/jobs/refresh", include_in_schema=False)
    def refresh_list(request: Request, user: PageUser = refresher, back: Back = "") -> Response:
        refresh.request_refresh(kit.ctx, user.actor)
        return kit.redirect(
            request,
            back_to(back, JobFilter.READY_TO_IMPORT),
            flash=(
                "info",
                f"Asked QuickBooks for the job list; it is read at {waiting_for()}. New "
                "QuickBooks jobs then appear under Ready to Import.",
            ),
        )

    @router.post("/erp/jobs/sync-now", include_in_schema=False)
    def sync(request: Request, user: PageUser = refresher, back: Back = "") -> Response:
        jobs_tab.sync_now(kit.ctx, user.actor)
        return kit.redirect(
            request,
            back_to(back, JobFilter.READY_TO_IMPORT),
            flash=(
                "info",
                "Asked QuickBooks for the job list and the service items of the QuickBooks "
                f"Standard Cost Codes list; they are read at {waiting_for()}.",
            ),
        )

    # ------------------------------------------------------------------ Path A: the approver

    def picker(
        request: Request,
        user: PageUser,
        ids: list[str],
        back: str,
        *,
        search: str = "",
        page: int = 1,
        problems: list[dict[str, str]] | None = None,
        chosen: str = "",
        new_customer: str = "",
    ) -> Response:
        numbers = item_ids(ids, "export")
        choices = jobs_tab.accept_choices(kit.ctx, user.actor, numbers)
        customers: list[dict[str, Any]] = []
        total = 0
        if choices.needs_customer:
            customers, total = queries.customers(
                kit.ctx, user.actor, search=search, page=page, per_page=CUSTOMERS_PER_PAGE
            )
        target = back_to(back, JobFilter.READY_TO_EXPORT)

        def picker_url(number: int) -> str:
            query = [("ids", r.id) for r in choices.items]
            query += [("back", target), ("search", search), ("page", str(number))]
            return "/erp/jobs/accept?" + urlencode(query)

        return kit.render(
            request,
            "jobs_accept.html",
            user=user,
            status=422 if problems else 200,
            choices=choices,
            ids=[r.id for r in choices.items],
            back=target,
            picker_url=picker_url,
            customers=customers,
            total=total,
            search=search,
            page=page,
            pages=max(1, math.ceil(total / CUSTOMERS_PER_PAGE)),
            problems=problems or [],
            chosen=chosen,
            new_customer=new_customer,
        )

    @router.get("/erp/jobs/accept", include_in_schema=False)
    def choose_customer(
        request: Request,
        user: PageUser = approver,
        ids: Annotated[list[str], Query(max_length=500)] = [],  # noqa: B006 - FastAPI copies it
        back: Annotated[str, Query(max_length=2000)] = "",
        search: Annotated[str, Query(max_length=MAX_SEARCH)] = "",
        page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    ) -> Response:
        return picker(request, user, ids, back, search=search.strip(), page=page)

    @router.post("/erp/jobs/accept", include_in_schema=False)
    def accept(
        request: Request,
        user: PageUser = approver,
        ids: Ids = [],  # noqa: B006 - FastAPI copies it
        back: Back = "",
        choice: Choice = "",
        new_customer: NewCustomer = "",
        step: Annotated[str, Form(max_length=20)] = "",
    ) -> Response:
        numbers = item_ids(ids, "export")
        customer = customer_choice(choice, new_customer)
        if customer is None:
            choices = jobs_tab.accept_choices(kit.ctx, user.actor, numbers)
            if choices.needs_customer:
                if step != "choose":
                    return kit.redirect(request, _picker_url(ids, back))
                problem = {
                    "rule": "customer_required",
                    "message": "Choose the QuickBooks customer this job goes under, or enter "
                    "the name of a new customer, then click Accept.",
                }
                return picker(request, user, ids, back, problems=[problem])
        try:
            export.accept_many(kit.ctx, user.actor, numbers, customer)
        except RuleViolation as exc:
            if step != "choose":
                raise
            problems = [{"rule": p.rule.value, "message": p.message} for p in exc.problems]
            return picker(
                request,
                user,
                ids,
                back,
                problems=problems,
                chosen=choice,
                new_customer=new_customer,
            )
        names = _names(queries.export_rows(kit.ctx, numbers))
        return kit.redirect(
            request,
            back_to(back, JobFilter.READY_TO_EXPORT),
            flash=(
                "success",
                f"Accepted {names} for export to QuickBooks; the export runs at "
                f"{waiting_for()} (see Failed to Export while it is Exporting).",
            ),
        )

    @router.post("/erp/jobs/reject", include_in_schema=False)
    def reject(
        request: Request,
        user: PageUser = rejecter,
        ids: Ids = [],  # noqa: B006 - FastAPI copies it
        back: Back = "",
        comment: Comment = "",
    ) -> Response:
        numbers = item_ids(ids, "export")
        text = job_forms.comment(comment)
        names = _names(queries.export_rows(kit.ctx, numbers))  # sent names, cleared on reject
        export.reject_many(kit.ctx, user.actor, numbers, text)
        return kit.redirect(
            request,
            back_to(back, JobFilter.READY_TO_EXPORT),
            flash=(
                "success",
                f"Rejected {names}; the sender and the accounting approvers are told by "
                "e-mail, and the project can be edited and re-sent.",
            ),
        )

    @router.post("/erp/jobs/{item_id}/retry", include_in_schema=False)
    def retry(
        request: Request, item_id: ItemId, user: PageUser = retrier, back: Back = ""
    ) -> Response:
        number = _one(item_id, "export")
        export.retry(kit.ctx, user.actor, number)
        names = _names(queries.export_rows(kit.ctx, [number]))
        return kit.redirect(
            request,
            back_to(back, JobFilter.FAILED_TO_EXPORT),
            flash=("success", f"Retrying {names}; the export runs at {waiting_for()}."),
        )

    # ------------------------------------------------------------------ Path B: the ERP admin

    @router.post("/erp/jobs/{item_id}/add", include_in_schema=False)
    def add(
        request: Request, item_id: ItemId, user: PageUser = importer, back: Back = ""
    ) -> Response:
        done = import_.add_to_procore(kit.ctx, user.actor, _one(item_id, "import"))
        job = done.item.job
        return kit.redirect(
            request,
            back_to(back, JobFilter.READY_TO_IMPORT),
            flash=(
                "success",
                f"Added '{job.full_name or job.name}' to Procore as project "
                f"{done.item.procore_project_id}; it is Synced.",
            ),
        )

    def link_page(
        request: Request,
        user: PageUser,
        item_id: str,
        back: str,
        *,
        problems: list[dict[str, str]] | None = None,
        chosen: int | None = None,
    ) -> Response:
        found = jobs_tab.link_choices(kit.ctx, user.actor, _one(item_id, "import"))
        return kit.render(
            request,
            "jobs_link.html",
            user=user,
            status=422 if problems else 200,
            choices=found,
            back=back_to(back, JobFilter.READY_TO_IMPORT),
            problems=problems or [],
            chosen=chosen,
        )

    @router.get("/erp/jobs/{item_id}/link", include_in_schema=False)
    def choose_project(
        request: Request,
        item_id: ItemId,
        user: PageUser = linker,
        back: Annotated[str, Query(max_length=2000)] = "",
    ) -> Response:
        return link_page(request, user, item_id, back)

    @router.post("/erp/jobs/{item_id}/link", include_in_schema=False)
    def link(
        request: Request,
        item_id: ItemId,
        project_id: Annotated[int, Form(ge=1, le=2**53)],
        user: PageUser = linker,
        back: Back = "",
    ) -> Response:
        try:
            done = import_.link_to_project(kit.ctx, user.actor, _one(item_id, "import"), project_id)
        except RuleViolation as exc:
            problems = [{"rule": p.rule.value, "message": p.message} for p in exc.problems]
            return link_page(request, user, item_id, back, problems=problems, chosen=project_id)
        job = done.item.job
        return kit.redirect(
            request,
            back_to(back, JobFilter.READY_TO_IMPORT),
            flash=(
                "success",
                f"Linked '{job.full_name or job.name}' to Procore project {project_id}; it is "
                "Synced.",
            ),
        )

    @router.post("/erp/jobs/{item_id}/archive", include_in_schema=False)
    def archive(
        request: Request, item_id: ItemId, user: PageUser = archiver, back: Back = ""
    ) -> Response:
        done = import_.archive(kit.ctx, user.actor, _one(item_id, "import"))
        job = done.item.job
        return kit.redirect(
            request,
            back_to(back, JobFilter.READY_TO_IMPORT),
            flash=(
                "success",
                f"Archived '{job.full_name or job.name}'; it is under Archived, where it can "
                "be restored.",
            ),
        )

    @router.post("/erp/jobs/{item_id}/restore", include_in_schema=False)
    def restore(
        request: Request, item_id: ItemId, user: PageUser = restorer, back: Back = ""
    ) -> Response:
        done = import_.restore(kit.ctx, user.actor, _one(item_id, "import"))
        job = done.item.job
        return kit.redirect(
            request,
            back_to(back, JobFilter.ARCHIVED),
            flash=(
                "success",
                f"Restored '{job.full_name or job.name}' to Ready to Import.",
            ),
        )

    return router


def _picker_url(ids: list[str], back: str) -> str:
    query = [("ids", i) for i in ids]
    query.append(("back", back_to(back, JobFilter.READY_TO_EXPORT)))
    return "/erp/jobs/accept?" + urlencode(query)
