"""The Procore client against the in-process Procore sandbox: API calls to write 10,000 cost
codes and to read 5,000 projects, against the minimum, with records per second and peak memory.

The minimum for writing is one sync call per 1,000 items (Procore's cap) plus one token call;
for reading it is one call per page at the page size asked for. The sandbox's clock is manual
and the client's sleeps advance it, so pacing under the rate limits costs no wall-clock time.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

from starlette.testclient import TestClient

from bench._figures import Figure, measure
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
SYNC_CAP = 1000  # items per sync call (Procore's cap)
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


def write_cost_codes(count: int) -> Figure:
    client, http = _setup()
    gateway = ProcoreGateway(client)
    qb_list = next(cl for cl in gateway.cost_code_lists() if "QuickBooks" in cl.name)
    codes = [
        NewCostCode(f"{90 + n // 1000:02d}-{n % 1000:03d}", f"Item {n}", origin_id=f"ITEM-{n}")
        for n in range(count)
    ]
    client.calls = 0
    sync, run = measure(lambda: gateway.write_standard_cost_codes(qb_list.id, codes))
    assert not sync.errors, sync.errors[:3]
    assert len(sync.entities) == count, f"{len(sync.entities)} of {count} cost codes written"
    http.close()
    return Figure(
        "write standard cost codes (sync)",
        len(sync.entities),
        run.seconds,
        run.peak_bytes,
        calls=client.calls,
        minimum=math.ceil(count / SYNC_CAP),
        note=f"plus 1 token call before; sync calls {sync.calls}",
    ).show()


def read_projects(count: int, per_page: int) -> Figure:
    client, http = _setup(per_page)
    response = http.post("/_sandbox/projects/bulk", json={"count": count})
    response.raise_for_status()
    client.calls = 0
    records, run = measure(lambda: sum(1 for _ in Projects(client).list(by_status="All")))
    assert records >= count, f"read {records} projects, created {count}"
    http.close()
    return Figure(
        f"read projects, per_page={per_page}",
        records,
        run.seconds,
        run.peak_bytes,
        calls=client.calls,
        minimum=math.ceil(records / per_page),
    ).show()


def main(small: bool = False) -> list[Figure]:
    cost_codes, projects = (1_500, 150) if small else (COST_CODES, PROJECTS)
    pages = (100, 200) if small else (1000, 2000)
    return [
        write_cost_codes(cost_codes),
        *(read_projects(projects, per_page) for per_page in pages),
    ]
