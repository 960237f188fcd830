"""Our QuickBooks Online client, OAuth and gateway against the simulator (in-process)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import httpx2
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from procore_qb.domain.commands import CreateCustomer, CreateJob, QueryJobs, UpdateJob
from procore_qb.domain.quickbooks_job import JobAddress, QuickBooksJob
from procore_qb.quickbooks.online.cdc import changes_since
from procore_qb.quickbooks.online.errors import ReconnectRequired, StaleObject
from procore_qb.quickbooks.online.gateway import OUTCOME_UNKNOWN, RECONNECT_REQUIRED
from procore_qb.quickbooks.online.oauth import StoredConnection, StoredTokens, TokenManager
from procore_qb.quickbooks.online.query import Query
from procore_qb.sandbox.qbo import SimulatorConfig
from procore_qb.store.models import Connection
from procore_qb.store.repositories.connections import SqlTokenStore, TokenSet

from .sim import REALM, Harness


@pytest.fixture
def sim(sessions: sessionmaker[Session]) -> Harness:
    return Harness(sessions)


def count_named(sim: Harness, name: str) -> int:
    client = sim.client()
    query = Query("Customer").where("DisplayName", "=", name).where("Active", "IN", [True, False])
    return client.count(query)


def test_create_customer_and_job_with_a_duplicate_in_the_same_batch(sim: Harness) -> None:
    sim.connect()
    gateway = sim.gateway()
    [customer] = gateway.execute([CreateCustomer(idempotency_key="cust-1", name="Zeta Holdings")])
    assert customer.ok, customer.error
    parent = customer.jobs[0]
    assert parent.parent_id is None
    job = QuickBooksJob(
        name="P-1042 Zeta Tower",
        parent_id=parent.id,
        parent_full_name=parent.full_name,
        number="P-1042",
        address=JobAddress(
            line1="12 River Rd", city="Springfield", state="IL", postal_code="62701"
        ),
    )
    results = gateway.execute(
        [
            CreateJob(idempotency_key="job-1", job=job),
            CreateJob(
                idempotency_key="job-2",
                job=QuickBooksJob(
                    name="Zeta Holdings", parent_id=parent.id, parent_full_name=parent.full_name
                ),
            ),
        ]
    )
    assert results[0].ok, results[0].error
    created = results[0].jobs[0]
    assert created.full_name == "Zeta Holdings:P-1042 Zeta Tower"
    assert created.parent_full_name == "Zeta Holdings"
    assert created.address.city == "Springfield"
    assert created.number == "P-1042"
    assert results[1].error is not None
    assert results[1].error.code == "6240"
    assert "Duplicate Name" in results[1].error.message
    assert sim.client().read("Customer", str(created.id))["Job"] is True


def test_stale_sync_token_is_refused_and_sparse_update_keeps_other_fields(sim: Harness) -> None:
    sim.connect()
    gateway = sim.gateway()
    [made] = gateway.execute([CreateCustomer(idempotency_key="c-stale", name="Stale Co")])
    original = made.jobs[0]
    client = sim.client()
    client.update(
        "Customer",
        {"Id": original.id, "SyncToken": original.version, "Notes": "first"},
        request_id="upd-1",
    )
    fresh = client.read("Customer", str(original.id))
    assert fresh["Notes"] == "first"
    assert fresh["DisplayName"] == "Stale Co"
    assert fresh["SyncToken"] != original.version
    with pytest.raises(StaleObject) as caught:
        client.update(
            "Customer",
            {"Id": original.id, "SyncToken": original.version, "Notes": "second"},
            request_id="upd-2",
        )
    assert caught.value.code == "5010"
    [stale] = gateway.execute([UpdateJob(idempotency_key="upd-3", job=original)])
    assert stale.error is not None
    assert stale.error.code == "5010"
    assert not stale.error.retriable


def test_paging_2500_jobs(sessions: sessionmaker[Session]) -> None:
    sim = Harness(
        sessions,
        config=SimulatorConfig(requests_per_minute=100_000, batch_requests_per_minute=100_000),
    )
    sim.connect()
    client = sim.client()
    gateway = sim.gateway(client)
    [parent] = gateway.execute([CreateCustomer(idempotency_key="pg-parent", name="Paging Parent")])
    jobs = [
        CreateJob(
            idempotency_key=f"pg-{i}",
            job=QuickBooksJob(
                name=f"Paging Job {i:04d}",
                parent_id=parent.jobs[0].id,
                parent_full_name=parent.jobs[0].full_name,
            ),
        )
        for i in range(2500)
    ]
    before = client.calls
    results = gateway.execute(jobs)
    assert all(r.ok for r in results)
    assert client.calls - before == 84  # ceil(2500 / 30) batch calls
    total = client.count(Query("Customer"))
    before = client.calls
    [listed] = gateway.execute([QueryJobs(idempotency_key="pg-list")])
    assert len(listed.jobs) == total >= 2501
    assert client.calls - before == 1  # one batch call carries every page of 1,000
    assert len({j.id for j in listed.jobs}) == len(listed.jobs)
    assert [j.id for j in listed.jobs] == sorted((j.id for j in listed.jobs), key=int)


def test_cdc_reports_changes_and_deletions(sim: Harness) -> None:
    sim.connect()
    client = sim.client()
    sim.clock.advance(5)
    since = sim.clock.now()
    sim.clock.advance(5)
    bill = next(iter(client.query_all(Query("Bill"))))
    customer = next(iter(client.query_all(Query("Customer"))))
    client.update(
        "Customer",
        {"Id": customer["Id"], "SyncToken": customer["SyncToken"], "Notes": "changed"},
        request_id="cdc-upd",
    )
    client.delete("Bill", bill["Id"], bill["SyncToken"], request_id="cdc-del")
    sim.clock.advance(5)
    changes = changes_since(client, ["Customer", "Bill"], since, clock=sim.clock.now)
    assert not changes.full_read
    assert changes.calls == 1
    assert [c["Id"] for c in changes.changed["Customer"]] == [customer["Id"]]
    assert changes.deleted["Bill"] == [bill["Id"]]
    assert changes.as_of is not None
    [result] = sim.gateway(client).execute(
        [QueryJobs(idempotency_key="cdc-jobs", modified_since=since)]
    )
    assert [j.id for j in result.jobs] == [customer["Id"]]
    # Beyond the 30-day window we read everything instead.
    sim.clock.advance(31 * 86400)
    changes = changes_since(client, ["Customer"], since, clock=sim.clock.now)
    assert changes.full_read
    assert len(changes.changed["Customer"]) == client.count(
        Query("Customer").where("Active", "IN", [True, False])
    )


def test_throttled_then_success(sessions: sessionmaker[Session]) -> None:
    sim = Harness(sessions, config=SimulatorConfig(requests_per_minute=3))
    sim.connect()
    statuses: list[int] = []

    def watch(
        request: httpx2.Request, send: Callable[[httpx2.Request], httpx2.Response]
    ) -> httpx2.Response:
        response = send(request)
        statuses.append(response.status_code)
        return response

    sim.interceptor = watch
    client = sim.client(max_attempts=10)
    for _ in range(5):
        assert client.read("CompanyInfo", "9130357992221046")["Id"]
    assert 429 in statuses
    assert statuses[-1] == 200
    assert sim.sleeps


def test_access_token_expiry_mid_run(sim: Harness) -> None:
    tokens = sim.connect()
    client = sim.client(tokens)
    client.read("CompanyInfo", "9130357992221046")
    sim.clock.advance(3700)  # past the 3,600 s lifetime: refreshed before the call
    client.read("CompanyInfo", "9130357992221046")
    assert tokens.refreshes == 1
    assert sim.raw.post("/_sandbox/tokens/expire").status_code == 200
    client.read("CompanyInfo", "9130357992221046")  # 401, one refresh, success
    assert tokens.refreshes == 2


def test_refresh_token_rotation_across_a_restart(sessions: sessionmaker[Session]) -> None:
    sim = Harness(sessions, config=SimulatorConfig(refresh_rotation_seconds=0))
    first = sim.connect()
    stored = sim.tokens().load()
    assert stored is not None
    superseded = stored.tokens.refresh_token
    sim.clock.advance(3700)
    sim.client(first).read("CompanyInfo", "9130357992221046")
    newest = sim.tokens().load()
    assert newest is not None
    assert newest.tokens.refresh_token != superseded
    # A restart: nothing in memory survives, only the database.
    restarted = sim.tokens()
    sim.clock.advance(3700)
    sim.client(restarted).read("CompanyInfo", "9130357992221046")
    assert restarted.refreshes == 1
    with pytest.raises(ReconnectRequired):
        sim.oauth().refresh(superseded)
    # A worker that read the row just before another one rotated it refreshes with the
    # superseded token, gets invalid_grant, sees the newer version and uses that.
    stale = sim.tokens().load()
    assert stale is not None
    sim.clock.advance(3700)
    sim.tokens().access_token()  # the other worker rotates
    late = TokenManager(
        sim.oauth(), StaleFirst(sim.store(), stale), realm_id=REALM, clock=sim.clock.now
    )
    token = late.refresh_after_rejection(stale.tokens.access_token)
    newest_now = sim.tokens().load()
    assert newest_now is not None
    assert token == newest_now.tokens.access_token
    sim.client(sim.tokens()).read("CompanyInfo", "9130357992221046")


class StaleFirst:
    """A token store whose first read is the row as it was before another worker's rotation."""

    def __init__(self, store: SqlTokenStore, stale: StoredTokens) -> None:
        self._store = store
        self._stale: StoredTokens | None = stale

    def load(self, subject: str) -> StoredConnection | None:
        if self._stale is not None:
            stale, self._stale = self._stale, None
            return TokenSet(
                access_token=stale.tokens.access_token,
                refresh_token=stale.tokens.refresh_token,
                access_expires_at=stale.tokens.access_expires_at,
                refresh_expires_at=stale.tokens.refresh_expires_at,
                scope=stale.tokens.scope,
                version=stale.version,
            )
        return self._store.load(subject)

    def replace(
        self,
        subject: str,
        *,
        access_token: str,
        refresh_token: str | None,
        access_expires_at: datetime | None,
        refresh_expires_at: datetime | None = None,
        scope: str = "",
    ) -> int:
        return self._store.replace(
            subject,
            access_token=access_token,
            refresh_token=refresh_token,
            access_expires_at=access_expires_at,
            refresh_expires_at=refresh_expires_at,
            scope=scope,
        )

    def rotate(
        self,
        subject: str,
        *,
        expected_version: int,
        access_token: str,
        refresh_token: str | None,
        access_expires_at: datetime | None,
        refresh_expires_at: datetime | None = None,
    ) -> bool:
        return self._store.rotate(
            subject,
            expected_version=expected_version,
            access_token=access_token,
            refresh_token=refresh_token,
            access_expires_at=access_expires_at,
            refresh_expires_at=refresh_expires_at,
        )

    def clear(self, subject: str) -> None:
        self._store.clear(subject)


def test_lost_answer_is_replayed_with_the_same_requestid(sim: Harness) -> None:
    sim.connect()
    seen: list[str] = []

    def lose_first_answer(
        request: httpx2.Request, send: Callable[[httpx2.Request], httpx2.Response]
    ) -> httpx2.Response:
        response = send(request)
        if request.url.path.endswith("/batch"):
            seen.append(request.url.params["requestid"])
            if len(seen) == 1:
                raise httpx2.ReadTimeout("answer lost", request=request)
        return response

    sim.interceptor = lose_first_answer
    [result] = sim.gateway().execute(
        [CreateCustomer(idempotency_key="lost-1", name="Lost Answer Inc")]
    )
    sim.interceptor = None
    assert result.ok, result.error
    assert len(seen) == 2
    assert seen[0] == seen[1]
    assert count_named(sim, "Lost Answer Inc") == 1


def test_outcome_unknown_is_resolved_by_lookup_not_by_a_second_create(sim: Harness) -> None:
    sim.connect()

    def always_lose(
        request: httpx2.Request, send: Callable[[httpx2.Request], httpx2.Response]
    ) -> httpx2.Response:
        response = send(request)
        if request.url.path.endswith("/batch"):
            raise httpx2.ReadTimeout("answer lost", request=request)
        return response

    sim.interceptor = always_lose
    command = CreateCustomer(idempotency_key="unknown-1", name="Unknown Outcome Ltd")
    [first] = sim.gateway(sim.client(max_attempts=2)).execute([command])
    assert first.error is not None
    assert first.error.code == OUTCOME_UNKNOWN
    sim.interceptor = None
    [second] = sim.gateway().execute([command], look_up_first={"unknown-1"})
    assert second.ok
    assert second.jobs[0].name == "Unknown Outcome Ltd"
    assert count_named(sim, "Unknown Outcome Ltd") == 1


def test_server_error_storm_converges_without_duplicates(sim: Harness) -> None:
    sim.connect()
    failures = 0

    def storm(
        request: httpx2.Request, send: Callable[[httpx2.Request], httpx2.Response]
    ) -> httpx2.Response:
        nonlocal failures
        if request.url.path.endswith("/batch") and failures < 3:
            failures += 1
            if failures == 2:
                send(request)  # this one was done, but its answer became a 503
            return httpx2.Response(503, text="Service Unavailable")
        return send(request)

    sim.interceptor = storm
    [result] = sim.gateway().execute(
        [CreateCustomer(idempotency_key="storm-1", name="Storm Builders")]
    )
    sim.interceptor = None
    assert result.ok, result.error
    assert count_named(sim, "Storm Builders") == 1


def test_revoked_refresh_token_asks_to_reconnect_and_loses_nothing(sim: Harness) -> None:
    tokens = sim.connect()
    stored = sim.tokens().load()
    assert stored is not None
    sim.oauth().revoke(stored.tokens.refresh_token)
    sim.clock.advance(timedelta(hours=2).total_seconds())
    command = CreateCustomer(idempotency_key="revoked-1", name="Revoked Co")
    [result] = sim.gateway(sim.client(tokens)).execute([command])
    assert result.error is not None
    assert result.error.code == RECONNECT_REQUIRED
    assert result.error.retriable
    assert "reconnect QuickBooks" in result.error.message
    assert sim.tokens().load() is not None, "the tokens stay until the user reconnects"
    again = sim.connect()
    [done] = sim.gateway(sim.client(again)).execute([command])
    assert done.ok
    assert count_named(sim, "Revoked Co") == 1


@pytest.mark.parametrize("when", ["before", "after"])
def test_simulator_injected_5xx_storm_converges_without_duplicates(sim: Harness, when: str) -> None:
    sim.connect()
    injected = sim.raw.post(
        "/_sandbox/faults", json={"status": 503, "count": 3, "when": when, "match": "/batch"}
    )
    assert injected.status_code in (200, 201), injected.text
    [result] = sim.gateway().execute(
        [CreateCustomer(idempotency_key=f"inj-{when}", name=f"Injected {when}")]
    )
    assert result.ok, result.error
    assert count_named(sim, f"Injected {when}") == 1
    assert len(sim.sleeps) == 3


def test_a_new_customer_and_its_first_job_in_one_run(sim: Harness) -> None:
    """Accepting a project under "new customer" records both commands at once; the job waits
    for its parent (a batch item cannot see what an earlier item created, spec A.8)."""
    sim.connect()
    results = sim.gateway().execute(
        [
            CreateCustomer(idempotency_key="new-cust", name="Orion Partners"),
            CreateJob(
                idempotency_key="new-job",
                job=QuickBooksJob(name="P-7 Orion Yard", parent_full_name="Orion Partners"),
            ),
        ]
    )
    assert [r.ok for r in results] == [True, True], [r.error for r in results]
    job = results[1].jobs[0]
    assert job.parent_id == results[0].jobs[0].id
    assert job.full_name == "Orion Partners:P-7 Orion Yard"


def test_a_job_whose_new_parent_was_refused_says_so(sim: Harness) -> None:
    sim.connect()
    gateway = sim.gateway()
    [taken] = gateway.execute([CreateCustomer(idempotency_key="taken", name="Vega Works")])
    assert taken.ok
    results = gateway.execute(
        [
            CreateCustomer(idempotency_key="again", name="Vega Works"),
            CreateJob(
                idempotency_key="under-again",
                job=QuickBooksJob(name="P-8 Vega Dock", parent_full_name="Vega Works"),
            ),
        ]
    )
    assert results[0].error is not None
    assert results[0].error.code == "6240"
    # The customer exists (made earlier), so the job goes under it.
    assert results[1].ok, results[1].error
    assert results[1].jobs[0].full_name == "Vega Works:P-8 Vega Dock"


def test_cdc_cap_counts_every_entity_of_the_answer(sessions: sessionmaker[Session]) -> None:
    """The 1,000-object cap is per CDC answer, not per entity (spec A.7): an answer that
    reaches it with changes spread over several entities is incomplete, so we read everything
    rather than advance the watermark past changes QuickBooks left out."""
    sim = Harness(sessions, config=SimulatorConfig(cdc_max_objects=3))
    sim.connect()
    client = sim.client()
    sim.clock.advance(5)
    since = sim.clock.now()
    sim.clock.advance(5)
    made: dict[str, list[str]] = {"Customer": [], "Vendor": []}
    for n in range(2):
        for entity in made:
            obj = client.create(
                entity, {"DisplayName": f"Cap {entity} {n}"}, request_id=f"c{n}{entity}"
            )
            made[entity].append(obj["Id"])
    sim.clock.advance(5)
    changes = changes_since(client, ["Customer", "Vendor"], since, clock=sim.clock.now, cap=3)
    assert changes.full_read
    for entity, ids in made.items():
        assert set(ids) <= {row["Id"] for row in changes.changed[entity]}


def test_a_stored_token_without_an_expiry_is_refreshed(sim: Harness) -> None:
    sim.connect()
    with sim.sessions.begin() as session:
        session.execute(sa.update(Connection).values(access_expires_at=None))
    manager = sim.tokens()
    token = manager.access_token()
    assert manager.refreshes == 1
    stored = sim.tokens().load()
    assert stored is not None
    assert stored.tokens.access_token == token
    sim.client(manager).read("CompanyInfo", REALM)
