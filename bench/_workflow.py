"""What the workflow benchmarks share: the end-to-end stack of the workflow tests, a meter of
the calls that reach the simulators (and the CPU they spend, which is not ours), bulk seeding
through the simulators' own Python APIs, and a count of database transactions."""

from __future__ import annotations

import json
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

HARNESS = Path(__file__).resolve().parent.parent / "tests" / "integration" / "workflow"
TEMPLATE_PROJECT = 2001  # seed: an eligible project, copied for the bulk projects
FIRST_BULK_PROJECT = 100_000


def stack_class() -> Any:
    """The ``Stack`` of the workflow tests (the whole system in one process)."""
    if str(HARNESS) not in sys.path:
        sys.path.insert(0, str(HARNESS))
    # The simulated Web Connector passes a time-out per call, which the in-process TestClient
    # cannot honour and warns about; nothing here waits on a network.
    warnings.filterwarnings("ignore", "You should not use the 'timeout' argument")
    from workflow_stack import Stack

    return Stack


@dataclass
class Meter:
    """Calls that reach each simulator, QuickBooks Online batch items, Web Connector round
    trips, and the CPU time spent inside the simulators (subtracted from ours)."""

    procore_calls: int = 0
    qbo_calls: int = 0
    """Calls to the Accounting API (``/v3/company/...``), the ones QuickBooks meters."""
    qbo_identity_calls: int = 0
    qbo_batch_calls: int = 0
    qbo_batch_items: int = 0
    wc_sessions: int = 0
    wc_round_trips: int = 0
    wc_requests: int = 0
    simulator_cpu: float = 0.0
    largest_batch: int = 0
    transcripts: list[Any] = field(default_factory=list)
    qbo_paths: list[str] = field(default_factory=list)

    def reset(self) -> None:
        for name in (
            "procore_calls",
            "qbo_calls",
            "qbo_identity_calls",
            "qbo_batch_calls",
            "qbo_batch_items",
            "wc_sessions",
            "wc_round_trips",
            "wc_requests",
            "largest_batch",
        ):
            setattr(self, name, 0)
        self.simulator_cpu = 0.0
        self.transcripts.clear()
        self.qbo_paths.clear()

    def attach(self, stack: Any) -> None:
        procore_send = stack.procore.send

        def procore(request: Any, **kw: Any) -> Any:
            self.procore_calls += 1
            started = time.process_time()
            try:
                return procore_send(request, **kw)
            finally:
                self.simulator_cpu += time.process_time() - started

        stack.procore.send = procore
        if stack.qbo is not None:
            qbo_send = stack.qbo.send

            def qbo(request: Any, **kw: Any) -> Any:
                self.qbo_paths.append(f"{request.method} {request.url.path}")
                if not request.url.path.startswith("/v3/"):
                    # OAuth discovery and tokens: Intuit's identity service, not the API.
                    self.qbo_identity_calls += 1
                    return qbo_send(request, **kw)
                self.qbo_calls += 1
                if request.url.path.endswith("/batch"):
                    items = len(json.loads(request.content)["BatchItemRequest"])
                    self.qbo_batch_calls += 1
                    self.qbo_batch_items += items
                    self.largest_batch = max(self.largest_batch, items)
                started = time.process_time()
                try:
                    return qbo_send(request, **kw)
                finally:
                    self.simulator_cpu += time.process_time() - started

            stack.qbo.send = qbo
        if stack.qbd is not None:
            processor = stack.qbd.processor
            process = processor.process

            def qbd(text: str) -> str:
                started = time.process_time()
                try:
                    answer: str = process(text)
                    return answer
                finally:
                    self.simulator_cpu += time.process_time() - started

            processor.process = qbd

    def web_connector(self, stack: Any) -> None:
        transcript = stack.web_connector()
        self.wc_sessions += 1
        sent = [types for types in transcript.request_types if types]
        self.wc_round_trips += len(sent)
        self.wc_requests += sum(len(types) for types in sent)

    def settle(self, stack: Any, *, rounds: int = 6) -> None:
        """The stack's ``settle``, with each Web Connector run metered."""
        for _ in range(rounds):
            stack.run_jobs()
            if stack.qbd is not None:
                self.web_connector(stack)
            stack.run_jobs()


def seed_projects(stack: Any, count: int) -> list[int]:
    """``count`` eligible Procore projects (copies of a seed project with their own names and
    numbers), put straight into the Procore simulator's world."""
    sim = stack.procore_sim
    now = sim.clock.now()
    ids: list[int] = []
    with sim.lock:
        world = sim.world
        template = world.table("projects")[TEMPLATE_PROJECT]
        codes = [
            c for c in world.table("cost_codes").values() if c["_project_id"] == TEMPLATE_PROJECT
        ]
        for n in range(count):
            project_id = FIRST_BULK_PROJECT + n
            number = f"BP-{n:05d}"
            name = f"Bench Project {n:05d}"
            project = {
                **template,
                "id": project_id,
                "name": name,
                "project_number": number,
                "display_name": f"{number} - {name}",
                "origin_id": None,
                "origin_data": None,
                "origin_code": None,
            }
            world.insert("projects", project, now)
            for code in codes:
                copied = {k: v for k, v in code.items() if k != "id"}
                world.insert("cost_codes", {**copied, "_project_id": project_id}, now)
            ids.append(project_id)
        sim.changed()
    return ids


@dataclass
class Transactions:
    total: int = 0
    writing: int = 0


@contextmanager
def transactions(engine: sa.Engine) -> Iterator[Transactions]:
    """Count the database transactions committed in the block, and those that wrote."""
    found = Transactions()
    wrote: dict[int, bool] = {}

    def begin(conn: sa.Connection) -> None:
        wrote[id(conn)] = False

    def statement(conn: sa.Connection, cursor: Any, text: str, *rest: Any) -> None:
        if text.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE"):
            wrote[id(conn)] = True

    def commit(conn: sa.Connection) -> None:
        found.total += 1
        if wrote.pop(id(conn), False):
            found.writing += 1

    listeners: list[tuple[str, Callable[..., None]]] = [
        ("begin", begin),
        ("before_cursor_execute", statement),
        ("commit", commit),
    ]
    for name, fn in listeners:
        sa.event.listen(engine, name, fn)
    try:
        yield found
    finally:
        for name, fn in listeners:
            sa.event.remove(engine, name, fn)
