"""The background work of one company, as tasks and schedules on the job queue.

Every process that enqueues or runs these registers them (``serve``, ``worker``, ``demo``).
Each task may run more than once (after a crash, or a retry) and is idempotent.

| task | what it does |
| --- | --- |
| ``qbo-drain`` | runs the company's pending QuickBooks commands against QuickBooks Online |
| ``procore-writeback`` | marks an exported project and its cost codes synced in Procore |
| ``procore-apply-job-change`` | applies a QuickBooks-side change of a synced job to Procore |
| ``procore-cost-code-list`` | writes QuickBooks' service items into the company's cost code list |
| ``procore-cost-code-writeback`` | writes an exported standard cost code's item id to Procore |
| ``procore-job-costs`` | writes a project's QuickBooks costs to Procore (direct costs, totals) |
| ``refresh-jobs-tick`` | hourly: the job list and the cost code list, each when it is due |
| ``job-costs-tick`` | hourly: asks for the job costs of projects whose job cost schedule is due |
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from procore_qb.app.connections import note_online_run
from procore_qb.app.context import AppContext
from procore_qb.app.cost_codes import WRITEBACK_TASK as COST_CODE_WRITEBACK_TASK
from procore_qb.app.cost_codes import discover, write_back
from procore_qb.app.cost_codes import refresh as refresh_cost_codes
from procore_qb.app.cost_codes import refresh_due as cost_codes_due
from procore_qb.app.errors import NotConnected
from procore_qb.app.export import QBO_DRAIN_TASK
from procore_qb.app.job_cost_writes import push_job_costs
from procore_qb.app.job_costs import PUSH_TASK, TICK_TASK, request_due_syncs
from procore_qb.app.online_driver import OnlineDriver
from procore_qb.app.refresh import APPLY_JOB_CHANGE_TASK, refresh_due, request_refresh
from procore_qb.app.results import WRITEBACK_TASK, chunk_handler, result_handler
from procore_qb.app.setup import COST_CODE_LIST_TASK, write_cost_code_list
from procore_qb.app.writeback import apply_job_change, write_back_exports
from procore_qb.domain.commands import job_from_json
from procore_qb.jobs.port import JobContext

__all__ = ["REFRESH_TICK_TASK", "drain_online", "register_tasks"]

log = logging.getLogger(__name__)

REFRESH_TICK_TASK = "refresh-jobs-tick"
RETRY_DRAIN_AFTER = timedelta(seconds=60)
"""When QuickBooks Online throttled or could not be reached, the drain runs again this later."""


def _same_company(ctx: AppContext, args: dict[str, Any]) -> None:
    company_id = args.get("company_id", ctx.company_id)
    if company_id != ctx.company_id:
        raise ValueError(f"task for company {company_id} reached the worker of {ctx.company_id}")


def drain_online(ctx: AppContext) -> dict[str, int | bool]:
    """Run every pending QuickBooks command of the company against QuickBooks Online now; the
    answers are applied by :mod:`procore_qb.app.results` as they are stored."""
    if ctx.online is None:
        return {"done": 0, "failed": 0, "retry_later": 0, "reconnect_required": False}
    try:
        gateway = ctx.online()
    except NotConnected:
        # Not connected yet: the commands wait in the outbox; connecting drains them
        # (app.setup.finish_online_connect). Failing here would hold the company's lock.
        log.info("QuickBooks Online is not connected; pending commands wait")
        return {"done": 0, "failed": 0, "retry_later": 0, "reconnect_required": True}
    driver = OnlineDriver(
        ctx.sessions,
        gateway,
        company_id=ctx.company_id,
        clock=ctx.clock,
        on_result=result_handler(ctx),
        on_chunk=chunk_handler(ctx),
    )
    run = driver.drain()
    note_online_run(ctx, run)
    if run.retry_later and not run.reconnect_required:
        with ctx.sessions.begin() as session:
            ctx.queue.enqueue(
                session,
                QBO_DRAIN_TASK,
                {"company_id": ctx.company_id},
                lock=ctx.lock,
                run_at=ctx.now() + RETRY_DRAIN_AFTER,
            )
    return {
        "done": run.done,
        "failed": run.failed,
        "retry_later": run.retry_later,
        "reconnect_required": run.reconnect_required,
    }


def register_tasks(ctx: AppContext) -> None:
    """Register the company's tasks and schedules on ``ctx.queue``."""
    queue = ctx.queue

    def qbo_drain(run: JobContext, **args: Any) -> None:
        _same_company(ctx, args)
        drain_online(ctx)

    def writeback(
        run: JobContext, *, item_ids: list[int] | None = None, item_id: int | None = None
    ) -> None:
        # ``item_id``: a job enqueued before write-backs were batched.
        ids = list(item_ids or []) + ([] if item_id is None else [item_id])
        write_back_exports(ctx, [int(i) for i in ids])

    def apply_change(run: JobContext, *, project_id: int, job: dict[str, Any]) -> None:
        apply_job_change(ctx, int(project_id), job_from_json(job))

    def refresh_tick(run: JobContext, **args: Any) -> None:
        _same_company(ctx, args)
        if refresh_due(ctx):
            request_refresh(ctx, None)
        # The same hourly tick keeps the cost code list on its own schedule.
        if cost_codes_due(ctx):
            refresh_cost_codes(ctx, None)

    queue.register(QBO_DRAIN_TASK, qbo_drain)
    queue.register(WRITEBACK_TASK, writeback)
    queue.register(APPLY_JOB_CHANGE_TASK, apply_change)

    def cost_code_list(job: JobContext, *, command: str) -> None:
        write_cost_code_list(ctx, str(command))
        # Codes of the list that no item stands for go on the Cost Codes tab.
        discover(ctx)

    def cost_code_writeback(job: JobContext, *, entry_id: int) -> None:
        write_back(ctx, int(entry_id))

    queue.register(REFRESH_TICK_TASK, refresh_tick)
    queue.register(COST_CODE_LIST_TASK, cost_code_list)
    queue.register(COST_CODE_WRITEBACK_TASK, cost_code_writeback)
    queue.schedule(
        f"{REFRESH_TICK_TASK}:company-{ctx.company_id}",
        REFRESH_TICK_TASK,
        every=timedelta(hours=1),
        args={"company_id": ctx.company_id},
        lock=ctx.lock,
    )

    def job_costs(run: JobContext, *, project_id: int) -> None:
        push_job_costs(ctx, int(project_id))

    def job_costs_tick(run: JobContext, **args: Any) -> None:
        _same_company(ctx, args)
        request_due_syncs(ctx)

    queue.register(PUSH_TASK, job_costs)
    queue.register(TICK_TASK, job_costs_tick)
    queue.schedule(
        f"{TICK_TASK}:company-{ctx.company_id}",
        TICK_TASK,
        every=timedelta(hours=1),
        args={"company_id": ctx.company_id},
        lock=ctx.lock,
    )
