"""QuickBooks Desktop: the answer to the request that created an exported project's job is
lost, and someone renames the job in QuickBooks before the Web Connector runs again. The
look-up after the lost answer finds the job by the marker procore-qb set on it, among what
changed since the first attempt: exactly one job, and the project is linked to it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from workflow_stack import APP, WC_PASSWORD, WC_USER, Stack

from procore_qb.sandbox.qbd import run_session
from procore_qb.sandbox.qbd.webconnector import Faults, Transcript

pytestmark = pytest.mark.filterwarnings(
    "ignore:You should not use the 'timeout' argument with the TestClient"
)

RIVERSIDE = 2001  # seed: eligible
NAME = "Riverside Clinic TI"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def desktop_stack(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Stack]:
    url = request.getfixturevalue("postgres_url") if request.param == "postgresql" else None
    built = Stack("desktop", tmp_path, database_url=url)
    yield built
    built.close()


def _web_connector(stack: Stack, faults: Faults | None = None) -> Transcript:
    assert stack.qbd is not None
    return run_session(
        stack.api, f"{APP}/qbwc", WC_USER, WC_PASSWORD, stack.qbd.processor, faults=faults
    )


def _accept(stack: Stack) -> tuple[str, str]:
    """Send and accept the project into the first customer; returns the item id and the
    job's full name."""
    stack.ok("ada", "POST", "/erp/jobs/refresh")
    stack.settle()
    sent = stack.ok("cara", "POST", f"/projects/{RIVERSIDE}/send-to-erp")
    parent = stack.ok("ben", "GET", "/erp/customers")["items"][0]
    stack.ok("ben", "POST", f"/erp/jobs/{sent['id']}/accept", {"customer_id": parent["id"]})
    stack.run_jobs()
    return str(sent["id"]), f"{parent['full_name']}:{NAME}"


def _jobs_of(stack: Stack, prefix: str) -> list[str]:
    return [
        j.id or "" for j in stack.qb_jobs().values() if j.parent_id and j.name.startswith(prefix)
    ]


def _linked(stack: Stack, item: str, job_id: str, full_name: str) -> None:
    synced = stack.ok("ben", "GET", f"/erp/jobs/{item}")
    assert synced["state"] == "synced", synced
    assert synced["quickbooks"]["id"] == job_id
    assert synced["quickbooks"]["full_name"] == full_name
    project = stack.ok("ada", "GET", f"/projects/{RIVERSIDE}")
    assert project["erp"]["quickbooks"]["id"] == job_id
    assert stack.procore_sim.world.table("projects")[RIVERSIDE]["origin_id"] == job_id


def test_lost_answer_and_a_rename_in_quickbooks_link_the_one_renamed_job(
    desktop_stack: Stack,
) -> None:
    stack = desktop_stack
    item, full_name = _accept(stack)
    lost = _web_connector(stack, Faults(drop_response_at=1))
    assert "CustomerAddRq" in lost.request_types[0]
    (created,) = _jobs_of(stack, NAME)
    stack.qb_rename(full_name, f"{NAME} (Phase 1)")
    stack.settle()
    assert _jobs_of(stack, NAME) == [created]
    renamed = full_name.rsplit(":", 1)[0] + f":{NAME} (Phase 1)"
    _linked(stack, item, created, renamed)


def test_lost_answer_without_a_rename_links_the_job_without_a_second_add(
    desktop_stack: Stack,
) -> None:
    stack = desktop_stack
    item, full_name = _accept(stack)
    _web_connector(stack, Faults(drop_response_at=1))
    (created,) = _jobs_of(stack, NAME)
    again = _web_connector(stack)
    assert again.ended == "done (100%)", again.lines()
    assert not any("CustomerAddRq" in types for types in again.request_types)
    stack.settle()
    assert _jobs_of(stack, NAME) == [created]
    _linked(stack, item, created, full_name)
