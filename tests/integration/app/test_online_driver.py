"""The Online driver use case runs the outbox through the simulator: batches, lost answers, crashes,
and a connection that needs the user to reconnect, all without duplicates."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import httpx2
import pytest
from sqlalchemy.orm import Session, sessionmaker

from procore_qb.app.online_driver import OnlineDriver
from procore_qb.domain.commands import (
    Command,
    CommandResult,
    CreateCustomer,
    CreateJob,
    QueryJobs,
)
from procore_qb.domain.quickbooks_job import QuickBooksJob
from procore_qb.quickbooks.online.query import Query
from procore_qb.sandbox.qbo import SimulatorConfig
from procore_qb.store.models import QbCommand
from procore_qb.store.repositories.outbox import Outbox

from ..online.sim import Harness


@pytest.fixture
def sim(sessions: sessionmaker[Session]) -> Harness:
    harness = Harness(sessions, config=SimulatorConfig(batch_requests_per_minute=1000))
    harness.connect()
    return harness


def record(sim: Harness, commands: list[Command]) -> None:
    with sim.sessions.begin() as session:
        outbox = Outbox(session)
        for command in commands:
            outbox.record(1, command, now=sim.clock.now())


def counts(sim: Harness) -> dict[str, int]:
    with sim.sessions() as session:
        return Outbox(session).counts(1)


def named(sim: Harness, prefix: str) -> int:
    return sim.client().count(Query("Customer").where("DisplayName", "LIKE", f"{prefix}%"))


def driver(sim: Harness, **kw: object) -> OnlineDriver:
    return OnlineDriver(
        sim.sessions,
        sim.gateway(sim.client(max_attempts=2)),
        company_id=1,
        clock=sim.clock.now,
        **kw,
    )  # type: ignore[arg-type]


def test_outbox_drains_in_batches(sim: Harness) -> None:
    [parent] = sim.gateway().execute(
        [CreateCustomer(idempotency_key="drv-parent", name="Driver Parent")]
    )
    jobs = [
        CreateJob(
            idempotency_key=f"drv-{i}",
            job=QuickBooksJob(
                name=f"Driver Job {i}",
                parent_id=parent.jobs[0].id,
                parent_full_name=parent.jobs[0].full_name,
            ),
        )
        for i in range(65)
    ]
    record(sim, [*jobs, QueryJobs(idempotency_key="drv-list")])
    run = driver(sim).drain()
    assert (run.done, run.failed, run.retry_later) == (66, 0, 0)
    assert counts(sim) == {"done": 66}
    with sim.sessions() as session:
        stored = Outbox.result(Outbox(session).get(1, "drv-3"))
    assert stored is not None
    assert stored.jobs[0].full_name == "Driver Parent:Driver Job 3"


def test_refusals_are_stored_with_quickbooks_words(sim: Harness) -> None:
    record(
        sim,
        [
            CreateCustomer(idempotency_key="dup-1", name="Dup Co"),
            CreateCustomer(idempotency_key="dup-2", name="Dup Co"),
        ],
    )
    run = driver(sim).drain()
    assert (run.done, run.failed) == (1, 1)
    with sim.sessions() as session:
        row = Outbox(session).get(1, "dup-2")
        assert row.state == "failed"
        assert row.error_code == "6240"
        assert "Duplicate Name" in (row.error_message or "")


def test_lost_answers_are_looked_up_on_the_next_run(sim: Harness) -> None:
    def lose(
        request: httpx2.Request, send: Callable[[httpx2.Request], httpx2.Response]
    ) -> httpx2.Response:
        response = send(request)
        if request.url.path.endswith("/batch"):
            raise httpx2.ReadTimeout("answer lost", request=request)
        return response

    record(
        sim, [CreateCustomer(idempotency_key=f"lost-{i}", name=f"Lost Co {i}") for i in range(3)]
    )
    sim.interceptor = lose
    first = driver(sim).run_once()
    assert first.retry_later == 3
    with sim.sessions() as session:
        assert all(row.needs_lookup for row in Outbox(session).pending(1, limit=10))
    sim.interceptor = None
    second = driver(sim).run_once()
    assert second.done == 3
    assert named(sim, "Lost Co") == 3


def test_commands_abandoned_by_a_crashed_run_are_looked_up(sim: Harness) -> None:
    record(sim, [CreateCustomer(idempotency_key="crash-1", name="Crash Co")])
    sim.gateway().execute(
        [CreateCustomer(idempotency_key="crash-1", name="Crash Co")]
    )  # sent, then the process died
    with sim.sessions.begin() as session:
        outbox = Outbox(session)
        outbox.hand_out(outbox.pending(1, limit=10), to="qbo:dead", now=sim.clock.now())
    assert driver(sim).run_once().done == 0, "a fresh hand-out is not taken over"
    sim.clock.advance(timedelta(minutes=11).total_seconds())
    assert driver(sim).run_once().done == 1
    assert named(sim, "Crash Co") == 1


def test_reconnect_required_keeps_everything_pending(sim: Harness) -> None:
    stored = sim.tokens().load()
    assert stored is not None
    sim.oauth().revoke(stored.tokens.refresh_token)
    sim.clock.advance(7200)
    record(
        sim,
        [
            CreateCustomer(idempotency_key="rc-1", name="Reconnect Co"),
            QueryJobs(idempotency_key="rc-2"),
        ],
    )
    run = driver(sim).drain()
    assert run.reconnect_required
    assert counts(sim) == {"pending": 2}
    sim.connect()
    again = driver(sim).drain()
    assert again.done == 2
    assert named(sim, "Reconnect Co") == 1


def test_results_are_handed_to_the_handler_in_the_outbox_transaction(sim: Harness) -> None:
    seen: list[tuple[str, str, bool]] = []

    def handler(session: Session, row: QbCommand, result: CommandResult) -> None:
        assert session.is_active
        assert row in session
        seen.append((row.idempotency_key, row.state, result.ok))

    record(
        sim,
        [
            CreateCustomer(idempotency_key="h-1", name="Handled Co"),
            CreateCustomer(idempotency_key="h-2", name="Handled Co"),
        ],
    )
    driver(sim, on_result=handler).drain()
    assert seen == [("h-1", "done", True), ("h-2", "failed", False)]


def test_commands_sent_back_to_pending_are_not_handed_to_the_handler(sim: Harness) -> None:
    seen: list[str] = []

    def lose(
        request: httpx2.Request, send: Callable[[httpx2.Request], httpx2.Response]
    ) -> httpx2.Response:
        send(request)
        raise httpx2.ReadTimeout("answer lost", request=request)

    record(sim, [CreateCustomer(idempotency_key="p-1", name="Pending Co")])
    sim.interceptor = lose
    run = driver(sim, on_result=lambda _s, row, _r: seen.append(row.idempotency_key)).run_once()
    assert (run.retry_later, seen) == (1, [])


def test_a_failing_handler_leaves_the_command_uncompleted(sim: Harness) -> None:
    def refuse(session: Session, row: QbCommand, result: CommandResult) -> None:
        raise RuntimeError("the use case refused the result")

    record(sim, [QueryJobs(idempotency_key="fh-1")])
    with pytest.raises(RuntimeError, match="refused"):
        driver(sim, on_result=refuse).run_once()
    assert counts(sim) == {"in_flight": 1}
