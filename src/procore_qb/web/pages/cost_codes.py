"""ERP Integrations → Cost Codes (``/erp/cost-codes?filter=…``): the standard cost codes of the
company's QuickBooks Standard Cost Codes list that have no QuickBooks item, and what became of
their export as Service items.

| page | what it does | permission (spec §4) |
| --- | --- | --- |
| ``GET /erp/cost-codes`` | the list, with a count per filter | any access to ERP Integrations |
| ``POST /erp/cost-codes/refresh`` | *Refresh* | ERP Integrations 'Admin' |
| ``POST /erp/cost-codes/accept`` | *Accept* one or many | accounting approver |
| ``POST /erp/cost-codes/reject`` | *Reject* one or many, with a comment | accounting approver |
| ``POST /erp/cost-codes/{id}/retry`` | *Retry* a failed export | accounting approver |

Every action calls one use case of :mod:`procore_qb.app.cost_codes`, which checks the
permission again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import Response

from procore_qb.app import cost_codes
from procore_qb.domain.permissions import Action
from procore_qb.domain.quickbooks_job import QuickBooksEdition
from procore_qb.web.pages.job_forms import MAX_COMMENT, MAX_SEARCH, invalid
from procore_qb.web.pages.kit import PageKit, PageUser
from procore_qb.web.pages.tab_forms import TabAddress, listing_search

__all__ = ["COST_CODES_PATH", "COST_CODES_TAB", "build_router", "cost_codes_url"]

COST_CODES_PATH = "/erp/cost-codes"
CostCodeFilter = cost_codes.CostCodeFilter
MAX_IDS = 500

EntryId = Annotated[int, Path(ge=1, le=2**53)]
Ids = Annotated[list[str], Form(max_length=MAX_IDS + 1)]
Back = Annotated[str, Form(max_length=2000)]
Comment = Annotated[str, Form(max_length=MAX_COMMENT + 100)]


COST_CODES_TAB = TabAddress(COST_CODES_PATH, CostCodeFilter, keep_page_on_long_search=False)
"""The pages of the tab (:mod:`procore_qb.web.pages.tab_forms`)."""


def cost_codes_url(
    code_filter: CostCodeFilter, *, page: int = 1, per_page: int = 50, search: str = ""
) -> str:
    return COST_CODES_TAB.url(code_filter, page=page, per_page=per_page, search=search)


def _back(value: str, default: CostCodeFilter) -> str:
    """The tab page a form was posted from (re-checked), else the first page of ``default``."""
    return COST_CODES_TAB.back(value, default)


def _ids(values: Sequence[str]) -> list[int]:
    if not values:
        raise invalid("ids", "select at least one cost code")
    if len(values) > MAX_IDS:
        raise invalid("ids", f"select at most {MAX_IDS} cost codes at once")
    out: list[int] = []
    for value in values:
        text = value.strip()
        if not (text.isascii() and text.isdigit() and len(text) <= 16 and int(text) >= 1):
            raise invalid("ids", f"{value[:40]!r} is not a Cost Codes tab entry")
        out.append(int(text))
    return list(dict.fromkeys(out))


def _comment(value: str) -> str:
    text = value.strip()
    if len(text) > MAX_COMMENT:
        raise invalid("comment", f"at most {MAX_COMMENT} characters")
    return text


def _names(rows: Sequence[cost_codes.CostCodeRow]) -> str:
    return f"'{rows[0].code}'" if len(rows) == 1 else f"{len(rows)} cost codes"


def build_router(kit: PageKit) -> APIRouter:
    router = APIRouter()
    viewer = Depends(kit.need(Action.VIEW_JOBS))
    approver = Depends(kit.need(Action.ACCEPT_COST_CODES))
    rejecter = Depends(kit.need(Action.REJECT_COST_CODES))
    retrier = Depends(kit.need(Action.RETRY_COST_CODES))
    refresher = Depends(kit.need(Action.REFRESH_COST_CODES))

    def waiting_for() -> str:
        if kit.ctx.edition is QuickBooksEdition.DESKTOP:
            return "the QuickBooks Web Connector's next run"
        return "once (QuickBooks Online)"

    @router.get(COST_CODES_PATH, include_in_schema=False)
    def page(
        request: Request,
        user: PageUser = viewer,
        filter: Annotated[CostCodeFilter, Query()] = CostCodeFilter.READY_TO_EXPORT,
        page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
        per_page: Annotated[int, Query(ge=1, le=100)] = 50,
        search: Annotated[str, Query(max_length=MAX_SEARCH)] = "",
    ) -> Response:
        search = listing_search(per_page, search)
        found = cost_codes.tab(
            kit.ctx, user.actor, filter, page=page, per_page=per_page, search=search
        )
        return kit.render(
            request,
            "cost_codes.html",
            user=user,
            tab=found,
            filters=list(CostCodeFilter),
            **COST_CODES_TAB.listing(
                filter, page=page, per_page=per_page, search=search, total=found.total
            ),
            desktop=kit.ctx.edition is QuickBooksEdition.DESKTOP,
            Action=Action,
        )

    @router.post(f"{COST_CODES_PATH}/refresh", include_in_schema=False)
    def refresh(request: Request, user: PageUser = refresher, back: Back = "") -> Response:
        done = cost_codes.refresh(kit.ctx, user.actor)
        found = (
            f"{done.found} unsynced cost code{'' if done.found == 1 else 's'} now Ready to Export"
        )
        return kit.redirect(
            request,
            _back(back, CostCodeFilter.READY_TO_EXPORT),
            flash=(
                "success",
                f"{found}; the QuickBooks service items are read at {waiting_for()}.",
            ),
        )

    @router.post(f"{COST_CODES_PATH}/accept", include_in_schema=False)
    def accept(
        request: Request,
        user: PageUser = approver,
        ids: Ids = [],  # noqa: B006 - FastAPI copies it
        back: Back = "",
    ) -> Response:
        done = cost_codes.accept_many(kit.ctx, user.actor, _ids(ids))
        return kit.redirect(
            request,
            _back(back, CostCodeFilter.READY_TO_EXPORT),
            flash=(
                "success",
                f"Accepted {_names(done)}; the QuickBooks Service items are created at "
                f"{waiting_for()}.",
            ),
        )

    @router.post(f"{COST_CODES_PATH}/reject", include_in_schema=False)
    def reject(
        request: Request,
        user: PageUser = rejecter,
        ids: Ids = [],  # noqa: B006 - FastAPI copies it
        back: Back = "",
        comment: Comment = "",
    ) -> Response:
        done = cost_codes.reject_many(kit.ctx, user.actor, _ids(ids), _comment(comment))
        return kit.redirect(
            request,
            _back(back, CostCodeFilter.READY_TO_EXPORT),
            flash=("success", f"Rejected {_names(done)}."),
        )

    @router.post(f"{COST_CODES_PATH}/{{entry_id}}/retry", include_in_schema=False)
    def retry(
        request: Request, entry_id: EntryId, user: PageUser = retrier, back: Back = ""
    ) -> Response:
        done = cost_codes.retry(kit.ctx, user.actor, entry_id)
        return kit.redirect(
            request,
            _back(back, CostCodeFilter.FAILED_TO_EXPORT),
            flash=("success", f"Retrying {_names([done])}; the export runs at {waiting_for()}."),
        )

    return router
