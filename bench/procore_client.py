"""The Procore client against the in-process Procore sandbox: API calls to write 10,000 cost
codes and to read 5,000 projects, against the minimum, with records per second and peak memory.

The minimum for writing is one sync call per 1,000 items (Procore's cap) plus one token call;
for reading it is one call per page at the page size asked for. The sandbox's clock is manual
and the client's sleeps advance it, so pacing under the rate limits costs no wall-clock time.
"""

from __future__ import annotations

import math
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from starlette.testclient import TestClient

from procore_qb.procore.client import ProcoreClient
from procore_qb.procore.gateway import NewCostCode, ProcoreGateway
from procore_qb.procore.oauth import (
    ClientCredentialsAuth,
    InMemoryTokenStore,
    OAuthApp,
    OAuthClient,
)
from procore_qb.procore.resources.projects import Projects
from procore_qb.sandbox import seed
from procore_qb.sandbox.procore import ManualClock, ProcoreSandbox, SandboxConfig, create_app

COST_CODES = 10_000
PROJECTS = 5_000
BASE = "http://testserver"


def _advance(clock: ManualClock, seconds: float) -> None:
    clock.advance(max(0.0, seconds))


def _setup(per_page: int = 1000) -> tuple[ProcoreClient, TestClient]:
    clock = ManualClock(datetime(2026, 11, 28, 12, tzinfo=UTC))
    sandbox = ProcoreSandbox(config=SandboxConfig(), clock=clock)
    http = TestClient(create_app(sandbox), base_url=BASE)
    oauth = OAuthClient(
        http,
        OAuthApp(seed.SERVICE_ACCOUNT.client_id, seed.SERVICE_ACCOUNT.client_secret, BASE),
        clock=clock.now,
    )
    client = ProcoreClient(
        http,
        ClientCredentialsAuth(oauth, InMemoryTokenStore(), "bench"),
        company_id=seed.PROCORE_COMPANY.id,
        base_url=BASE,
        sleep=lambda s: _advance(clock, s),
        clock=lambda: clock.now().timestamp(),
        per_page=per_page,
    )
    client.auth.access_token()  # the one token call, made before measuring
    return client, http


def _measure(work: Callable[[], int]) -> tuple[int, float, int]:
    tracemalloc.start()
    started = time.perf_counter()
    records = work()
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return records, elapsed, peak


def _report(what: str, records: int, calls: int, minimum: int, elapsed: float, peak: int) -> None:
    print(
        f"{what:<42} {records:>6} records  {calls:>3} API calls (minimum {minimum:>3})  "
        f"{records / elapsed:>9,.0f} records/s  peak {peak / 1_048_576:6.1f} MiB"
    )


def write_cost_codes() -> None:
    client, http = _setup()
    gateway = ProcoreGateway(client)
    qb_list = next(cl for cl in gateway.cost_code_lists() if "QuickBooks" in cl.name)
    codes = [
        NewCostCode(f"{90 + n // 1000:02d}-{n % 1000:03d}", f"Item {n}", origin_id=f"ITEM-{n}")
        for n in range(COST_CODES)
    ]
    client.calls = 0
    result: dict[str, Any] = {}

    def work() -> int:
        result["sync"] = gateway.write_standard_cost_codes(qb_list.id, codes)
        return len(result["sync"].entities)

    records, elapsed, peak = _measure(work)
    sync = result["sync"]
    assert not sync.errors, sync.errors[:3]
    _report(
        "write standard cost codes (sync)",
        records,
        client.calls,
        math.ceil(COST_CODES / 1000),
        elapsed,
        peak,
    )
    print(f"{'':<42} plus 1 token call before; sync calls {sync.calls}")
    http.close()


def read_projects(per_page: int) -> None:
    client, http = _setup(per_page)
    response = http.post("/_sandbox/projects/bulk", json={"count": PROJECTS})
    response.raise_for_status()

    def work() -> int:
        return sum(1 for _ in Projects(client).list(by_status="All"))

    records, elapsed, peak = _measure(work)
    _report(
        f"read projects, per_page={per_page}",
        records,
        client.calls,
        math.ceil(records / per_page),
        elapsed,
        peak,
    )
    http.close()


def main() -> None:
    write_cost_codes()
    read_projects(1000)
    read_projects(2000)
