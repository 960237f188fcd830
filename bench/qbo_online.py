"""QuickBooks Online API calls against their theoretical minimum, through the in-process
simulator with QuickBooks' published limits (500 requests and 40 batch calls per minute per
realm). Our limiter sleeps on the simulator's manual clock, so "simulated time" is how long
the same work would take against QuickBooks at those limits.

Figures: create 1,000 jobs (batches of 30, minimum 34 calls), read 10,000 jobs (pages of
1,000), an incremental refresh with 5 changes among 10,000 jobs (one CDC call); each with
records per second (wall clock, in-process) and peak Python memory (tracemalloc; it counts
the in-process simulator too, so it is an upper bound for our side).
"""

from __future__ import annotations

import math
import time
import tracemalloc
from collections.abc import Callable
from typing import TypeVar

from starlette.testclient import TestClient

from procore_qb.domain.commands import CreateCustomer, CreateJob, QueryJobs
from procore_qb.domain.quickbooks_job import QuickBooksJob
from procore_qb.quickbooks.online.client import QboClient
from procore_qb.quickbooks.online.gateway import OnlineGateway
from procore_qb.quickbooks.online.throttle import RealmLimiter
from procore_qb.retrying import RetryPolicy
from procore_qb.sandbox.qbo import ManualClock, SimulatorConfig, create_app

BASE = "http://testserver"
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
) -> T:
    calls = client.calls
    simulated = clock.now()
    tracemalloc.start()
    started = time.perf_counter()
    result = work()
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    used = client.calls - calls
    print(
        f"{label:<48} calls {used:>4} (minimum {minimum:>3})  "
        f"{records / elapsed:>9,.0f} records/s  "
        f"simulated {(clock.now() - simulated).total_seconds():>6.0f} s  "
        f"peak {peak / 1_048_576:>6.1f} MiB"
    )
    return result


def main() -> None:
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
    [parent] = gateway.execute(
        [CreateCustomer(idempotency_key="bench-parent", name="Bench Parent")]
    )
    parent_id = parent.jobs[0].id

    def jobs(start: int, count: int) -> list[CreateJob]:
        return [
            CreateJob(
                idempotency_key=f"bench-{i}",
                job=QuickBooksJob(name=f"Bench Job {i:05d}", parent_id=parent_id),
            )
            for i in range(start, start + count)
        ]

    first = jobs(0, 1000)
    results = measured(
        "create 1,000 jobs (batch)",
        math.ceil(1000 / 30),
        1000,
        client,
        clock,
        lambda: gateway.execute(first),
    )
    assert all(r.ok for r in results), "every job must be created"
    rest = jobs(1000, 9000)
    measured(
        "create 9,000 more jobs (batch)",
        math.ceil(9000 / 30),
        9000,
        client,
        clock,
        lambda: gateway.execute(rest),
    )

    clock.advance(1)  # the manual clock stands still: keep the writes before the watermark
    [listed] = gateway.execute([QueryJobs(idempotency_key="bench-count")])
    total = len(listed.jobs)
    [read] = measured(
        f"read {total:,} customers and jobs (pages of 1,000)",
        math.ceil(total / 1000),
        total,
        client,
        clock,
        lambda: gateway.execute([QueryJobs(idempotency_key="bench-read")]),
    )
    since = read.as_of or clock.now()
    clock.advance(1)
    for job in read.jobs[:5]:
        client.update(
            "Customer",
            {"Id": job.id, "SyncToken": job.version, "Notes": "changed"},
            request_id=f"bench-upd-{job.id}",
        )
    clock.advance(1)
    [changed] = measured(
        f"incremental refresh, 5 changes in {total:,}",
        1,
        5,
        client,
        clock,
        lambda: gateway.execute([QueryJobs(idempotency_key="bench-cdc", modified_since=since)]),
    )
    assert len(changed.jobs) == 5, f"expected 5 changed jobs, got {len(changed.jobs)}"


if __name__ == "__main__":
    main()
