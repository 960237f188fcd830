"""QuickBooks Online API calls against their theoretical minimum, through the in-process
simulator with QuickBooks' published limits (500 requests and 40 batch calls per minute per
realm). Our limiter sleeps on the simulator's manual clock, so "simulated time" is how long
the same work would take against QuickBooks at those limits.

Figures: create 1,000 then 9,000 more jobs (batches of 30), read every customer and job
(pages of 1,000, 30 pages to a batch call), an incremental refresh with 5 changes (one CDC
call); each with records per second (wall clock, in-process) and peak Python memory
(tracemalloc; it counts the in-process simulator too, so it is an upper bound for our side).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TypeVar

from starlette.testclient import TestClient

from bench._figures import Figure, measure
from procore_qb.domain.commands import CreateCustomer, CreateJob, QueryJobs
from procore_qb.domain.quickbooks_job import QuickBooksJob
from procore_qb.quickbooks.online.client import QboClient
from procore_qb.quickbooks.online.gateway import OnlineGateway
from procore_qb.quickbooks.online.throttle import RealmLimiter
from procore_qb.retrying import RetryPolicy
from procore_qb.sandbox.qbo import ManualClock, SimulatorConfig, create_app

BASE = "http://testserver"
PARENT = "Bench Parent"
BATCH = 30
PAGE = 1000
CHANGES = 5
T = TypeVar("T")


class SandboxTokens:
    """Tokens issued by the sandbox's control endpoint (no browser in a benchmark)."""

    def __init__(self, http: TestClient) -> None:
        self._http = http
        self._token = self._issue()

    def _issue(self) -> str:
        return str(self._http.post("/_sandbox/tokens").json()["access_token"])

    def access_token(self) -> str:
        return self._token

    def refresh_after_rejection(self, rejected: str) -> str:
        self._token = self._issue()
        return self._token


def measured(
    label: str,
    minimum: int,
    records: int,
    client: QboClient,
    clock: ManualClock,
    work: Callable[[], T],
    figures: list[Figure],
) -> T:
    calls = client.calls
    simulated = clock.now()
    result, run = measure(work)
    figures.append(
        Figure(
            label,
            records,
            run.seconds,
            run.peak_bytes,
            calls=client.calls - calls,
            minimum=minimum,
            note=f"simulated {(clock.now() - simulated).total_seconds():,.0f} s",
        ).show()
    )
    return result


def main(small: bool = False) -> list[Figure]:
    first_count, rest_count = (40, 60) if small else (1_000, 9_000)
    figures: list[Figure] = []
    clock = ManualClock()
    app = create_app(config=SimulatorConfig(refresh_rotation_seconds=86400), clock=clock)
    http = TestClient(app, base_url=BASE)
    realm = str(http.get("/_sandbox").json()["config"]["realm_id"])

    def sleep(seconds: float) -> None:
        clock.advance(seconds)

    client = QboClient(
        http,
        realm_id=realm,
        tokens=SandboxTokens(http),
        base_url=BASE,
        limiter=RealmLimiter(clock=lambda: clock.now().timestamp(), sleep=sleep),
        retry=RetryPolicy(sleep=sleep),
    )
    gateway = OnlineGateway(client, clock=clock.now)
    [parent] = gateway.execute([CreateCustomer(idempotency_key="bench-parent", name=PARENT)])
    assert parent.ok, parent.error
    parent_id = parent.jobs[0].id

    def jobs(start: int, count: int) -> list[CreateJob]:
        return [
            CreateJob(
                idempotency_key=f"bench-{i}",
                job=QuickBooksJob(
                    name=f"Bench Job {i:05d}", parent_id=parent_id, parent_full_name=PARENT
                ),
            )
            for i in range(start, start + count)
        ]

    for label, start, count in (
        (f"create {first_count:,} jobs (batch)", 0, first_count),
        (f"create {rest_count:,} more jobs (batch)", first_count, rest_count),
    ):
        batch = jobs(start, count)
        results = measured(
            label,
            math.ceil(count / BATCH),
            count,
            client,
            clock,
            lambda batch=batch: gateway.execute(batch),
            figures,
        )
        assert len(results) == count, "one result per job"
        assert all(r.ok for r in results), "every job must be created"

    clock.advance(1)  # the manual clock stands still: keep the writes before the watermark
    [listed] = gateway.execute([QueryJobs(idempotency_key="bench-count")])
    total = len(listed.jobs)
    assert total >= first_count + rest_count + 1, f"only {total} customers and jobs listed"
    [read] = measured(
        f"read {total:,} customers and jobs (30 pages a batch)",
        math.ceil(total / 30_000),
        total,
        client,
        clock,
        lambda: gateway.execute([QueryJobs(idempotency_key="bench-read")]),
        figures,
    )
    assert len(read.jobs) == total, f"read {len(read.jobs)} of {total}"
    since = read.as_of or clock.now()
    clock.advance(1)
    for job in read.jobs[:CHANGES]:
        client.update(
            "Customer",
            {"Id": job.id, "SyncToken": job.version, "Notes": "changed"},
            request_id=f"bench-upd-{job.id}",
        )
    clock.advance(1)
    [changed] = measured(
        f"incremental refresh, {CHANGES} changes in {total:,}",
        1,
        CHANGES,
        client,
        clock,
        lambda: gateway.execute([QueryJobs(idempotency_key="bench-cdc", modified_since=since)]),
        figures,
    )
    assert len(changed.jobs) == CHANGES, f"expected {CHANGES} changed jobs, got {changed.jobs}"
    http.close()
    return figures


if __name__ == "__main__":
    main()
