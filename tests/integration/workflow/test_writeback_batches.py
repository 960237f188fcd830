"""The Procore write-back after a bulk export: one job for the exports whose answers one
transaction applied, reading what they share once."""

from __future__ import annotations

import sqlalchemy as sa
from workflow_stack import Stack

from procore_qb.app.results import WRITEBACK_TASK
from procore_qb.store.models import QueuedJob

PROJECTS = (2001, 2002, 2003)  # seed: the eligible projects


def test_a_bulk_export_is_written_back_by_one_job(stack: Stack) -> None:
    stack.ok("ada", "POST", "/erp/jobs/refresh")
    stack.settle()
    parent = stack.ok("ben", "GET", "/erp/customers")["items"][0]["id"]
    ids = [stack.ok("cara", "POST", f"/projects/{p}/send-to-erp")["id"] for p in PROJECTS]
    stack.ok("ben", "POST", "/erp/jobs/accept", {"ids": ids, "customer_id": parent})
    stack.settle()
    with stack.sessions.begin() as session:
        jobs = session.scalars(sa.select(QueuedJob).where(QueuedJob.task == WRITEBACK_TASK)).all()
        numbers = sorted(int(str(i).removeprefix("export-")) for i in ids)
        assert [sorted(job.args["item_ids"]) for job in jobs] == [numbers]
        assert [job.status for job in jobs] == ["succeeded"]
    world = stack.procore_sim.world
    for project_id in PROJECTS:
        project = stack.ok("ada", "GET", f"/projects/{project_id}")
        assert project["erp"]["state"] == "synced", project
        assert (
            world.table("projects")[project_id]["origin_id"] == project["erp"]["quickbooks"]["id"]
        )
    audit = stack.ok("ada", "GET", "/audit?per_page=100")["items"]
    marked = [e for e in audit if e["action"] == "procore_project_marked_synced"]
    assert len(marked) == len(PROJECTS)
