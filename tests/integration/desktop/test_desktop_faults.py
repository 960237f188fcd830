"""Faults between QuickBooks, the Web Connector and procore-qb: each one converges to exactly
one job in the company file and the command marked done."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

from desktop_world import IN_PROCESS, PASSWORD, START, USER, World, build_app
from starlette.testclient import TestClient

from procore_qb.domain.commands import CreateJob, QueryJobs, UpdateJob
from procore_qb.domain.quickbooks_job import QuickBooksJob
from procore_qb.quickbooks.desktop.qbxml.message import (
    OutgoingRequest,
    build_message,
    parse_response_message,
)
from procore_qb.quickbooks.desktop.qbxml.requests import CustomerMod, CustomerQuery
from procore_qb.sandbox.qbd.webconnector import Faults
from procore_qb.store.engine import create_engine, create_session_factory

pytestmark = IN_PROCESS

JOB = QuickBooksJob(name="Ridge Clinic", parent_full_name="Harbor Holdings", number="24-017")
FULL_NAME = "Harbor Holdings:Ridge Clinic"


def converged(world: World) -> None:
    row = world.row("job-1")
    assert row.state == "done", (row.state, row.error_code, row.error_message)
    (stored,) = world.customers_named(FULL_NAME)
    assert world.result("job-1").jobs[0].id == stored.list_id


def test_lost_receive_response_after_customer_add(world: World) -> None:
    world.record(CreateJob(idempotency_key="job-1", job=JOB))
    first = world.run(Faults(drop_response_at=1))
    assert first.request_types == [["CustomerAddRq"]]
    assert len(world.customers_named(FULL_NAME)) == 1  # QuickBooks did add it
    assert world.row("job-1").state == "in_flight"
    second = world.run()
    assert second.ended == "done (100%)", second.lines()
    # The look-up alone finds the job by our marker; no second Add goes out.
    assert second.request_types == [["CustomerQueryRq"]]
    converged(world)
    assert world.run().authenticate[1] == "none"


def rename_in_quickbooks(world: World, full_name: str, new_name: str) -> None:
    """What a QuickBooks user does between two Web Connector sessions: rename the job."""
    (job,) = world.customers_named(full_name)
    mod = CustomerMod(list_id=job.list_id, edit_sequence=job.edit_sequence, name=new_name)
    text = build_message([OutgoingRequest("rename", mod)])
    (rs,) = parse_response_message(world.simulator.processor.process(text)).responses
    rs.raise_for_status()


def test_lost_add_answer_then_a_rename_in_quickbooks_makes_no_second_job(world: World) -> None:
    world.record(CreateJob(idempotency_key="job-1", job=JOB))
    world.run(Faults(drop_response_at=1))
    assert world.row("job-1").first_attempt_at == START
    world.clock.advance(300)
    rename_in_quickbooks(world, FULL_NAME, "Ridge Clinic West")
    world.clock.advance(300)
    again = world.run()
    assert again.ended == "done (100%)", again.lines()
    assert again.request_types == [["CustomerQueryRq"]]
    (lookup_rq, _) = again.exchanges[0]
    assert "<FromModifiedDate>2026-11-02T08:50:00+00:00</FromModifiedDate>" in lookup_rq
    assert "<ActiveStatus>All</ActiveStatus>" in lookup_rq
    row = world.row("job-1")
    assert (row.state, row.needs_lookup) == ("done", False)
    assert world.customers_named(FULL_NAME) == []
    (renamed,) = world.customers_named("Harbor Holdings:Ridge Clinic West")
    jobs = [c for c in world.quickbooks(CustomerQuery(active_status="All")) if c.sublevel > 0]
    assert [c.list_id for c in jobs if c.name.startswith("Ridge Clinic")] == [renamed.list_id]
    (job,) = world.result("job-1").jobs
    assert (job.id, job.name) == (renamed.list_id, "Ridge Clinic West")


def test_add_lost_before_quickbooks_saw_it_goes_out_once_after_the_lookup(world: World) -> None:
    world.record(CreateJob(idempotency_key="job-1", job=JOB))
    # The Web Connector takes the message and dies before QuickBooks sees it.
    service = world.service()
    ticket, _ = service.authenticate(USER, PASSWORD)
    assert "CustomerAddRq" in service.send_request_xml(ticket, "", "", "US", 13, 0)
    world.clock.advance(120)
    again = world.run()
    assert again.ended == "done (100%)", again.lines()
    assert again.request_types == [["CustomerQueryRq"], ["CustomerAddRq"]]
    converged(world)
    assert world.run().authenticate[1] == "none"


def test_reply_to_receive_response_lost(world: World) -> None:
    world.record(CreateJob(idempotency_key="job-1", job=JOB))
    world.run(Faults(timeout_at=1))
    converged(world)
    assert world.run().authenticate[1] == "none"


def test_web_connector_stops_mid_session(make_world: Callable[..., World]) -> None:
    world = make_world(max_requests=1)
    world.record(
        QueryJobs(idempotency_key="before"),
        CreateJob(idempotency_key="job-1", job=JOB),
        QueryJobs(idempotency_key="after"),
    )
    stopped = world.run(Faults(stop_after=1))
    assert stopped.ended == "stopped after 1 round trips"
    assert world.row("before").state == "done"
    assert world.row("job-1").state == "pending"
    rest = world.run()
    assert rest.ended == "done (100%)", rest.lines()
    converged(world)
    assert world.row("after").state == "done"


def test_web_connector_stops_after_the_add_went_out(make_world: Callable[..., World]) -> None:
    world = make_world(max_requests=1)
    world.record(CreateJob(idempotency_key="job-1", job=JOB), QueryJobs(idempotency_key="q"))
    world.run(Faults(drop_response_at=1))
    world.run(Faults(stop_after=1))
    world.run()
    converged(world)
    assert world.row("q").state == "done"


class Restarting:
    """An ASGI app that starts procore-qb afresh (new engine, new service, new app) for every
    request, as if the process restarted between any two Web Connector calls."""

    def __init__(self, world: World, url: str) -> None:
        self.world = world
        self.url = url
        self.starts = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        self.starts += 1
        engine = create_engine(self.url)
        try:
            fresh = World(
                sessions=create_session_factory(engine),
                simulator=self.world.simulator,
                clock=self.world.clock,
                options=self.world.options,
                client=self.world.client,
            )
            await build_app(fresh.service())(scope, receive, send)
        finally:
            engine.dispose()


def test_app_restart_between_send_and_receive(world: World) -> None:
    url = str(world.sessions.kw["bind"].url)
    app = Restarting(world, url)
    world.client = TestClient(app, base_url="http://localhost")
    world.record(CreateJob(idempotency_key="job-1", job=JOB), QueryJobs(idempotency_key="q"))
    transcript = world.run()
    assert transcript.ended == "done (100%)", transcript.lines()
    assert app.starts == len(transcript.calls)
    converged(world)


def test_connection_error_is_recorded_and_retried(world: World) -> None:
    world.record(CreateJob(idempotency_key="job-1", job=JOB))
    failed = world.run(Faults(connection_error=True))
    assert "connectionError" in failed.calls
    assert world.row("job-1").state == "pending"
    assert world.customers_named(FULL_NAME) == []
    status = world.service().status(1)
    assert status.connection_errors[0][0] == START
    assert status.connection_errors[0][1] == "0x80040408"
    assert status.last_error is not None
    assert "Could not start QuickBooks" in status.last_error
    retried = world.run()
    assert retried.ended == "done (100%)", retried.lines()
    converged(world)


def test_lost_answer_to_an_update_that_leaves_a_start_date_alone(world: World) -> None:
    started = replace(JOB, start_date=date(2026, 3, 2))
    world.record(CreateJob(idempotency_key="job-1", job=started))
    world.run()
    created = world.result("job-1").jobs[0]
    assert created.start_date == date(2026, 3, 2)
    # The project has no start date: the Mod leaves QuickBooks' one as it is.
    renamed = replace(created, name="Ridge Clinic West", start_date=None)
    world.record(UpdateJob(idempotency_key="upd-1", job=renamed))
    lost = world.run(Faults(drop_response_at=1))
    assert lost.request_types == [["CustomerModRq"]]
    again = world.run()
    # The look-up finds the Mod applied: it is not sent again.
    assert again.request_types == [["CustomerQueryRq"]]
    row = world.row("upd-1")
    assert row.state == "done", (row.state, row.error_code, row.error_message)
    assert world.result("upd-1").jobs[0].name == "Ridge Clinic West"
