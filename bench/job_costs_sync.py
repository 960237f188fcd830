"""Job cost sync end to end, with each QuickBooks edition: N job cost lines in QuickBooks, one
project's job cost syncing turned on, and the real code path until Procore holds them.

QuickBooks is seeded with bills of :data:`LINES_PER_BILL` lines coded to one synced job (Elm
Court), each line on an item that is one of the project's cost codes, through the simulators'
own Python APIs (the Online simulator's entity operations; the Desktop company file's qbXML
request processor), not through throttled HTTP. Then *job cost syncing on* goes through the
API and the stack settles: the read runs through the Online driver (query pages of 1,000
transactions, the next one fetched while the last is kept) or the Web Connector (a BillQuery
iterator of 500 transactions a round trip), streamed chunk by chunk into the store, and the
Procore write goes out in pages of 1,000 lines through Procore's sync endpoints, a page's
write in flight while the next page is prepared. The totals per cost code in Procore are then
checked against the QuickBooks simulator's own transactions, and the bench refuses to run if
any of its lines is on an item that is not one of the project's cost codes.

Two ways to run it:

* **served** (the default; what ``make bench`` runs): procore-qb as it is deployed, ``procore-qb
  serve`` in a process of its own (the API, the Web Connector endpoint and, on SQLite, the job
  queue's worker; :mod:`bench._served`) over the database the bench prepared, with the
  simulators served over HTTP on 127.0.0.1 by the bench's process, so that each side has a core
  of a 2-core machine. Syncing is turned on through procore-qb's API; on Desktop the bench runs
  the simulated Web Connector against procore-qb's ``/qbwc`` until the read is applied. The
  sync is over once the read is applied, its Procore write has run after it and no job is due
  (the bench looks at the database every :data:`POLL_SECONDS`). procore-qb's CPU time and peak
  resident memory (``VmHWM``: its whole process, interpreter and libraries included, from its
  start) are read from ``/proc``. The Procore simulator's rate limits are raised to what the
  sync needs: its clock stands still here, so its windows would never end, and at its
  defaults (100 requests in 10 seconds) a million lines would spend 200 s waiting on them
  (Procore raises an app's limits on request).
* **in-process** (``--in-process``): everything in the bench's process, the workflow tests'
  stack, for procore-qb's share of the CPU (``time.process_time`` less what the simulators'
  calls spend) and of the Python memory (tracemalloc, started after seeding, outside the
  simulators' own calls and less what they still hold at the end). The simulators and
  procore-qb take turns on one core there.

Both run with the worker's garbage-collection policy (:func:`procore_qb.gc_policy.apply`, as
``procore-qb worker``, ``serve`` and ``demo`` apply it once started).

Figures per edition:

* lines per second end to end (wall clock of the sync, simulators included); served, the time
  until the read is applied and the write after it, procore-qb's CPU per line and the
  simulators' (the bench process's CPU meanwhile, the Web Connector's included on Desktop);
* QuickBooks Online API calls or Web Connector round trips against the minimum (Online: one
  query per 1,000 bills plus one for each of the three other transaction entities; Desktop:
  one round trip per 500 bills), and Procore calls against theirs (two sync calls per page of
  1,000 lines, plus :data:`PROCORE_FIXED` reads and writes every sync makes);
* peak memory: served, procore-qb's peak resident memory (and what it had once started, in
  the note); in-process, the Python peak of the sync less the simulators' share.

Sizes: 2,000 lines (make test: each mode, each edition; in-process with tracemalloc on);
10,000 and 40,000 lines (make bench, served). Other sizes from the command line: ``python -m
bench.job_costs_sync --lines 1000000 [--edition online|desktop] [--in-process
[--no-memory]]`` (``--no-memory``: in-process, only the run without tracemalloc).

Served figures, measured on the shared 2-core machine on 4 December 2026 with the machine
otherwise idle, with each SQLite connection's page cache at 16 MiB
(:data:`procore_qb.store.engine.SQLITE_CACHE_KIB`):

=======  =========  ===========  ============  ==============  ===========  =============
edition  lines      lines/s e2e  read / write  CPU per line:   QuickBooks   peak resident
                                 (seconds)     procore-qb /    and Procore  memory (once
                                               simulators      calls        started)
=======  =========  ===========  ============  ==============  ===========  =============
online   40,004     22,501       1.2 / 0.6     41 / 16 us      min / min    191 (129) MiB
online   200,004    22,864       3.5 / 5.2     41 / 16 us      min / min    204 (129) MiB
online   1,000,004  21,294       19.2 / 27.7   43 / 21 us      104 / 2,016  215 (129) MiB
desktop  40,004     18,254       1.2 / 1.0     45 / 22 us      min / min    186 (145) MiB
desktop  200,004    17,997       5.6 / 5.5     45 / 23 us      min / min    210 (145) MiB
desktop  1,000,004  18,036       26.9 / 28.5   43 / 26 us      201 / 2,016  229 (145) MiB
=======  =========  ===========  ============  ==============  ===========  =============

Every QuickBooks and Procore call count is the minimum: at a million lines 104 Online queries
or 201 Web Connector round trips, and 2,016 Procore calls (no 429 to retry, with the limits
raised). The same day on the same machine, with one statement run per line on SQLite, each
page's lines marked sent one by one before its write, one listing index holding every line
(so that settling a line moved it there) and Python's JSON encoder in the simulators and for
Procore's request bodies, a million lines went at 18,101 lines a second Online (read 22.7 s,
write 32.5 s) and 14,320 on Desktop (28.2 / 41.6 s), with 50 us of procore-qb's CPU a line.

Online is above the 20,000 lines a second aimed at; Desktop is below it, and its read is why.
The Online read overlaps the two sides (the next query page is fetched while the last is kept).
The Web Connector takes turns instead: QuickBooks, here its simulator, builds a page of 500
bills only once procore-qb has answered the one before, and procore-qb keeps a page only once
it has it, so the Desktop read costs the two sides' work added up: about 17 us a line in
procore-qb (reading the SOAP call, 3 us, whose escaped qbXML the tree parser decodes faster
than a hand-written decoder measured, 35 against 14 ms a message; reading the lines; keeping
them) and about 7 in the simulator. Overlapping them would mean answering
``receiveResponseXML`` before a page is kept (keeping it from a job), which changes what a
restart has to recover; tried without that (the page handed to a thread of its own, the answer
given at once), it measured no faster at 200,000 lines (read/write time 0.93 on average over
five runs, as without it), and slower with the page kept in transactions of 1,000 lines (read
6.4 and 7.0 s against 5.7 and 5.8): every transaction on SQLite begins ``IMMEDIATE``, so the
Web Connector's next call waits for SQLite's one write lock while the page is kept either way.
Taking the lock out of the way as well gained little (4 December 2026, 100,000 lines, on a
machine then about half as fast as the one of the table): with every SQLite transaction of the
process queued first on an in-process first-come-first-served lock (no busy handler's sleeps)
and the page kept by a thread in transactions of 500 lines, the Web Connector's next call got
through while the page was kept, and the read over the write took 0.88 on average over five
runs against 0.99 over five without, about 5% off the whole sync, with procore-qb's CPU a line
moving with the machine (75 to 117 us against 94 to 116). That was without crash safety: an
answered page not yet kept would have to be marked, and a restart would have to read the job
again. Timed from the Web Connector's side, the read without it was 0.27 s of
``sendRequestXML`` calls, 4.05 s of ``receiveResponseXML`` calls (the message's transfer, and
procore-qb reading and keeping the page) and 0.95 s of QuickBooks, the simulator, building the
pages: about a fifth of the read is all that overlapping the two sides could ever save.
Writing to Procore while the Web Connector still reads (a Procore write queued by the read's
first page, following its pages as they are kept) measured no faster at a million lines (4
December 2026): 18,454 lines a second in serve's worker thread (procore-qb's CPU went from
about 43 to 48 us a line: the two threads share the interpreter and SQLite's lock), 17,291 with
every transaction of the process on one SQLite connection, and 18,189 with the write in a
``procore-qb worker`` process of its own (three busy processes on two cores); at 200,000 lines
it gained 5 to 12% in the worker thread. The write is the same on both editions: a page's
Procore write is in flight while the next page is read and placed, and procore-qb's walk of the
pages is busy nine tenths of the time, Procore's simulator taking about 13 ms a page; keeping a
page's answer on a thread of its own as well measured no faster (5.2 and 5.3 against 5.0 s at
200,000 Online lines): the threads share the interpreter. Where procore-qb's CPU goes (sampling
profile, 200,000 Online lines): SQLite about a third (the inserts of the read, the settlements
of the write, the pages read), decoding JSON a tenth (query pages 6%, Procore's answers 4%),
the rest building rows, requests and direct costs. Procore's answers have since been read by
orjson where that reads them as Python's decoder does
(:func:`procore_qb.procore.client.answer_body`): a made-up answer of 1,000 items shaped like a
sync answer of direct cost lines (528 kB) takes 2.0 ms instead of 3.3, 0.4 ms of it looking for
runs of digits that orjson would misread. The Python work of a page's write was cut again that
day, measured on a page of 1,000 lines: placing a line 1.7 to 0.6 us (the row rebuilt by
slicing, not ``namedtuple._replace``), preparing its direct cost 2.2 to 1.3 us (direct cost
lines as named tuples, not frozen dataclasses), checking the fields of the sync calls' items
1.3 to 0.4 us. Served at 200,000 Desktop lines, in three pairs of runs alternating with the
code before, the write took 5.5 to 5.7 s against 6.3 to 6.9 s, and the sync went at 17,500 to
18,309 lines a second against 14,668 to 17,384 (the machine's speed varied by a fifth
meanwhile). A million Desktop lines then went at 16,983 lines a second (read 29.3 s, write 29.6
s, 45 us of procore-qb's CPU a line) with the machine slow: seeding them took 182 s of CPU,
against 150 s at its fastest that day.

Later that day the machine ran at about half that speed (200,000 lines: 10,392 a second
Online, 6,942 to 8,106 on Desktop, with 86 to 113 us of procore-qb's CPU a line), which is
when the following was measured. What a line costs in SQLite itself, with statements like the
sync's run directly on a table of 100,000 lines, leaving out one index at a time: the
settlement of a page's lines (which puts each on its cost code and in the mapped lines' listing
index, and takes it out of the dirty lines' index) fell from 10.5 to 7.1 us a line without the
listing index of the mapped lines, and by about 0.9 us without the cost code index or the
dirty lines' index; the insert of the read fell by about 1.2 us without the index (company,
project, removed, id), and by less than the noise without the others. The commits that took
over 20 ms, the ones that checkpoint the WAL (17 in a sync of 100,000 lines with SQLite's
checkpoint every 1,000 pages, 2 with one every 10,000), took 0.50 and 0.64 s of the sync's 11
s, at most 57 ms each, and 0.38 and 0.42 s with the checkpoint every 10,000 pages;
``serve`` and ``worker`` have since checkpointed from a thread of their own
(:mod:`procore_qb.store.checkpoints`), which took serve's commits to 0.36 to 0.44 s in all
against 0.73 to 0.83 (three runs each way, 2 or 3 commits over 20 ms against 17). Two
Python cuts of the read followed: a line's cents without rounding when they are whole
(``to_cents``: 1.8 to 1.2 us an amount, on 5,000 amounts) and its project id from a dict, not
read off the ORM row for every line (that read was 1.5% of the served profile's samples).

procore-qb's resident memory grows from 186 to 191 MiB at 40,000 lines to 215 (Online) and
229 MiB (Desktop) at a million, much more slowly than the lines, under the 300 MB aimed at: it
does not hold them (its Python peak stays about 10 MiB at 10,000 and 100,000 lines
in-process, below). What grows is outside the Python heap, and bounded: each SQLite
connection in use fills its page cache of at most 16 MiB as the job cost tables outgrow it
(with 32 MiB the peaks were 276 and 306 MiB at a million lines, for the same CPU a line; with
8 MiB, 221 MiB on Desktop for 8% more CPU a line; one run each). Desktop's peak also holds
one Web Connector message of 500 transactions, a few MB of qbXML, while it is read.

The in-process figures, measured on the shared 2-core machine on 4 December 2026 before the
pipelined write and the read ahead, with the garbage-collection policy and every line on a
cost code (runs without tracemalloc; the machine otherwise idle, so the sync had one core):

=======  =========  ===========  ===============  ======================  ==================
edition  lines      lines/s e2e  CPU per line:    QuickBooks calls        Procore calls
                                 ours / sims      (minimum)               (minimum)
=======  =========  ===========  ===============  ======================  ==================
online   1,000,004  8,159        73 / 48 us       104 (104)               2,036 (2,016)
desktop  1,000,004  6,964        73 / 69 us       201 round trips (201)   2,036 (2,016)
=======  =========  ===========  ===============  ======================  ==================

Memory from in-process runs with tracemalloc at 100,004 lines (Python peak of the sync / what
the simulators hold at the end / procore-qb's share): Online 102.9 / 94.0 / 8.8 MiB, Desktop
109.7 / 99.2 / 10.5 MiB, against 10.0 and 11.1 MiB at 10,000 lines: procore-qb holds one query
page or one Web Connector message and one page of 1,000 lines for Procore at a time. What grows
is what the simulators keep (the whole in-process run peaked at 2.7 GB resident at a million
Online lines and 5.8 GB at a million Desktop lines).

Seeding (not part of the rate) took 16.4 s of CPU for a million Online lines (16 us a line,
through the Online simulator's entity operations) and 197 s for a million Desktop lines
(197 us a line: qbXML BillAdd requests parsed, checked against the schema and answered).

Part of the earlier figures was the garbage collector, which the policy above takes out. At
40,000 lines, with Python's defaults and with the policy, alternated in the same conditions
(CPU per line, ours / simulators', and the collector's share measured with ``gc.callbacks``):
Online 69 to 84 / 34 to 39 us with 18 to 22 us of collection, against 64 to 71 / 32 to 34 us
with 1.1 to 1.3 us; Desktop 83 to 84 / 121 to 122 us with 116 to 121 us of collection (25 full
collections, each walking the simulators' whole world), against 70 to 77 / 56 to 59 us with 13
to 14 us.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
import tracemalloc
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from bench._figures import Figure
from bench._workflow import Meter, stack_class
from procore_qb import gc_policy

__all__ = ["SyncFigures", "main", "run"]

EDITIONS = ("online", "desktop")
SIZES = (10_000, 40_000)
SMALL = 2_000
MAX_LINES = 2_000_000
"""The most ``--lines`` takes: the simulators keep every line in memory."""
LINES_PER_BILL = 10
ITEMS = ("01-100", "03-300", "09-200")
"""Items of the QuickBooks seed whose names are the Elm Court project's cost codes (its
cost codes in the Procore seed, ``sandbox/seed.py``), so every bench line maps to one."""
VENDOR = "Ace Concrete Supply"
QBO_PAGE = 1000
QBD_PAGE = 500
QBD_ADDS_PER_MESSAGE = 100
PROCORE_PAGE = 1000
PROCORE_FIXED = 11 + len(ITEMS)
"""Procore calls a sync makes whatever its size: turning syncing on (two reads of the user's
permissions and Procore's project configuration), the project, its cost codes, the cost
types, the standard cost code list, the budget view and its rows (on every cost type, read
once: the lines on 'Other' are looked up there before a budget line is added for each cost
code with costs, one POST each as Procore creates budget lines one at a time, and the lines
on other cost types are kept for the Job Costs report), the job-to-date write, and after it
the read of the direct cost lines on another cost type than 'Other', also kept for the
report (none here)."""


@dataclass(frozen=True)
class SyncFigures:
    edition: str
    lines: int
    seconds: float
    cpu: float
    qb_calls: int
    qb_minimum: int
    procore_calls: int
    procore_minimum: int
    peak_bytes: int
    simulators_bytes: int
    simulators_cpu: float = 0.0
    """CPU spent inside the simulators' calls during the sync."""
    seed_seconds: float = 0.0
    """CPU time to seed the QuickBooks simulator (not part of the sync)."""

    @property
    def ours_bytes(self) -> int:
        return max(self.peak_bytes - self.simulators_bytes, 1)


def _amount(n: int) -> str:
    return f"{(n % 997) + 1}.{n % 100:02d}"


def _seed_online(stack: Any, job: str, lines: int) -> None:
    from procore_qb.sandbox.qbo.entities import spec_by_name
    from procore_qb.sandbox.qbo.operations import create

    sim = stack.qbo.app.state.simulator
    spec = spec_by_name("Bill")

    def add_all(ctx: Any, events: list[Any]) -> None:
        realm = ctx.realm
        items = {r["Name"]: r["Id"] for r in realm.table("Item").values()}
        vendor = next(
            r["Id"] for r in realm.table("Vendor").values() if r.get("DisplayName") == VENDOR
        )
        customers = realm.table("Customer").values()
        parent, name = job.split(":")
        parent_id = next(r["Id"] for r in customers if r.get("DisplayName") == parent)
        job_id = next(
            r["Id"]
            for r in customers
            if r.get("DisplayName") == name and (r.get("ParentRef") or {}).get("value") == parent_id
        )
        for start in range(0, lines, LINES_PER_BILL):
            count = min(LINES_PER_BILL, lines - start)
            body = {
                "VendorRef": {"value": vendor},
                "TxnDate": "2026-08-03",
                "DocNumber": f"JC-{start // LINES_PER_BILL:07d}",
                "Line": [
                    {
                        "Amount": float(_amount(start + n)),
                        "Description": f"line {n + 1}",
                        "DetailType": "ItemBasedExpenseLineDetail",
                        "ItemBasedExpenseLineDetail": {
                            "ItemRef": {"value": items[ITEMS[(start + n) % len(ITEMS)]]},
                            "CustomerRef": {"value": job_id},
                        },
                    }
                    for n in range(count)
                ],
            }
            create(ctx, spec, body, events)

    sim.apply(sim.config.realm_id, add_all)


def _qbxml(requests: list[str]) -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<?qbxml version="13.0"?>\n'
        f'<QBXML><QBXMLMsgsRq onError="stopOnError">{"".join(requests)}</QBXMLMsgsRq></QBXML>'
    )


def _seed_desktop(stack: Any, job: str, lines: int) -> None:
    processor = stack.qbd.processor
    bills: list[str] = []

    def flush() -> None:
        answer = processor.process(_qbxml(bills))
        if 'statusSeverity="Error"' in answer:
            raise RuntimeError(answer[:500])
        bills.clear()

    for start in range(0, lines, LINES_PER_BILL):
        count = min(LINES_PER_BILL, lines - start)
        items = "".join(
            f"<ItemLineAdd><ItemRef><FullName>{ITEMS[(start + n) % len(ITEMS)]}</FullName>"
            f"</ItemRef><Desc>line {n + 1}</Desc><Amount>{_amount(start + n)}</Amount>"
            f"<CustomerRef><FullName>{escape(job)}</FullName></CustomerRef></ItemLineAdd>"
            for n in range(count)
        )
        bills.append(
            f"<BillAddRq><BillAdd><VendorRef><FullName>{VENDOR}</FullName></VendorRef>"
            f"<TxnDate>2026-08-03</TxnDate><RefNumber>JC-{start // LINES_PER_BILL:07d}"
            f"</RefNumber>{items}</BillAdd></BillAddRq>"
        )
        if len(bills) >= QBD_ADDS_PER_MESSAGE:
            flush()
    if bills:
        flush()


class _OutsidePeak:
    """The tracemalloc peak outside the simulators' own calls: each call to a simulator
    first notes the peak so far, and resets it when the simulator answers, so what a
    simulator allocates only while it works (the Desktop simulator builds an iterator's
    whole result when it starts) is left out; what it keeps still counts."""

    def __init__(self) -> None:
        self.peak = 0

    def wrap(self, call: Any) -> Any:
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if tracemalloc.is_tracing():
                self.peak = max(self.peak, tracemalloc.get_traced_memory()[1])
            try:
                return call(*args, **kwargs)
            finally:
                if tracemalloc.is_tracing():
                    tracemalloc.reset_peak()

        return wrapped

    def attach(self, stack: Any) -> None:
        stack.procore.send = self.wrap(stack.procore.send)
        if stack.qbo is not None:
            stack.qbo.send = self.wrap(stack.qbo.send)
        if stack.qbd is not None:
            stack.qbd.processor.process = self.wrap(stack.qbd.processor.process)

    def final(self) -> int:
        return max(self.peak, tracemalloc.get_traced_memory()[1])


def _simulators_bytes(snapshot: tracemalloc.Snapshot) -> int:
    """What the simulators still hold at the end of the sync (tracing started with it):
    memory allocated by their code (``procore_qb/sandbox``) or by the JSON decoder, which
    decodes the request bodies the Procore simulator keeps (procore-qb keeps no decoded
    answer beyond one page)."""
    kept = snapshot.filter_traces(
        [
            tracemalloc.Filter(True, "*procore_qb/sandbox/*"),
            tracemalloc.Filter(True, "*json/decoder.py"),
        ]
    )
    return sum(stat.size for stat in kept.statistics("filename"))


def run(edition: str, lines: int, directory: Path, *, trace: bool = True) -> SyncFigures:
    """One sync of ``lines`` bench lines; ``trace``: measure memory with tracemalloc (which
    slows everything down about twice), else the peaks are 0."""
    stack = stack_class()(edition, directory)
    thresholds: tuple[int, int, int] | None = None
    try:
        from job_cost_helpers import ELM, assert_totals_match, enable

        meter = Meter()
        meter.attach(stack)
        outside = _OutsidePeak()
        outside.attach(stack)
        project_id, seeded = _seeded(stack, edition, lines)
        seed_seconds, bills, total_lines = seeded.seconds, seeded.bills, seeded.lines

        # The worker's policy: what the process holds now (the simulators' seeded world
        # included) is frozen, and young collections come every 50,000 allocations.
        thresholds = gc_policy.apply()
        meter.reset()
        if trace:
            tracemalloc.start()
        started, cpu_started = time.perf_counter(), time.process_time()
        enable(stack, project_id)
        meter.settle(stack, rounds=3)
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu_started - meter.simulator_cpu
        peak = held = 0
        if trace:
            peak = outside.final()
            held = _simulators_bytes(tracemalloc.take_snapshot())
            tracemalloc.stop()
        qb_calls = meter.qbo_calls if edition == "online" else meter.wc_round_trips
        qb_minimum = _qb_minimum(edition, bills)
        assert_totals_match(stack, project_id, ELM)
        return SyncFigures(
            edition=edition,
            lines=total_lines,
            seconds=seconds,
            cpu=cpu,
            qb_calls=qb_calls,
            qb_minimum=qb_minimum,
            procore_calls=meter.procore_calls,
            procore_minimum=2 * math.ceil(total_lines / PROCORE_PAGE) + PROCORE_FIXED,
            peak_bytes=peak,
            simulators_bytes=held,
            simulators_cpu=meter.simulator_cpu,
            seed_seconds=seed_seconds,
        )
    finally:
        if thresholds is not None:
            gc_policy.revert(thresholds)
        stack.close()


@dataclass(frozen=True)
class ServedFigures:
    """One sync with procore-qb in a process of its own (``procore-qb serve``)."""

    edition: str
    lines: int
    seconds: float
    read_seconds: float
    """Until the read was applied (the Procore write runs after it)."""
    cpu: float
    """procore-qb's CPU time during the sync (its process, from /proc)."""
    simulators_cpu: float
    """The benchmark process's CPU time meanwhile: the simulators (and, on Desktop, the Web
    Connector), and the bench's look at the database every :data:`POLL_SECONDS`."""
    peak_rss: int
    """procore-qb's peak resident memory (VmHWM): its whole process, from its start."""
    start_rss: int
    """procore-qb's resident memory once started, before the sync."""
    qb_calls: int
    qb_minimum: int
    procore_calls: int
    procore_minimum: int
    seed_seconds: float


POLL_SECONDS = 0.05
"""How often the bench looks at the database for the end of the sync."""


def run_served(edition: str, lines: int, directory: Path) -> ServedFigures:
    """One sync of ``lines`` bench lines with procore-qb as deployed (``procore-qb serve``, its
    own process, which on SQLite also runs the job queue's worker) and the simulators served
    over HTTP on 127.0.0.1 by this process; done when the read is applied, its Procore write
    has run after it and no job is due."""
    import httpx2

    from bench._served import served_procore_qb
    from procore_qb.sandbox.qbd import run_session

    stack_type = stack_class()  # puts the workflow tests' harness on the path
    from job_cost_helpers import ELM, assert_totals_match
    from workflow_stack import TOKENS, WC_PASSWORD, WC_USER, WallClock

    stack = stack_type(edition, directory, served=True, clock=WallClock())
    thresholds: tuple[int, int, int] | None = None
    try:
        project_id, seeded = _seeded(stack, edition, lines)
        # Limits the sync does not reach: the simulator's clock stands still here (its
        # windows would never end), and at the defaults (100 requests in 10 seconds) a
        # million lines would spend 200 s waiting; Procore raises an app's limits on request.
        wanted = 2 * (2 * math.ceil(seeded.lines / PROCORE_PAGE) + PROCORE_FIXED)
        limits = {"hourly_limit": max(3600, wanted), "spike_limit": max(100, wanted)}
        raised = stack.procore.put("/_sandbox/rate-limits", json=limits)
        if raised.status_code != 200:
            raise RuntimeError(f"raising the Procore simulator's limits: {raised.text}")
        with (
            served_procore_qb(stack.settings, directory) as served,
            httpx2.Client(base_url=served.url, trust_env=False, timeout=600) as http,
        ):
            thresholds = gc_policy.apply()
            stack.served_requests.clear()
            after_job = _last_job(stack)
            round_trips = 0
            start_rss = served.rss()
            cpu_started = served.cpu_seconds()
            started, bench_started = time.perf_counter(), time.process_time()
            answer = http.post(
                f"/api/v1/projects/{project_id}/job-cost-sync",
                json={"enabled": True},
                headers={"Authorization": f"Bearer {TOKENS['cara']}"},
            )
            if answer.status_code >= 300:
                raise RuntimeError(f"turning job cost syncing on: {answer.text}")
            read_seconds = 0.0
            while True:
                served.check_alive()
                state = _sync_state(stack, project_id, after_job)
                if state != "reading" and not read_seconds:
                    read_seconds = time.perf_counter() - started
                if state == "done":
                    break
                if state == "reading" and stack.qbd is not None:
                    transcript = run_session(
                        http, f"{served.url}/qbwc", WC_USER, WC_PASSWORD, stack.qbd.processor
                    )
                    if not transcript.ended.startswith(("done", "no work")):
                        raise RuntimeError(f"the Web Connector stopped: {transcript.ended}")
                    round_trips += sum(1 for types in transcript.request_types if types)
                else:
                    time.sleep(POLL_SECONDS)
            seconds = time.perf_counter() - started
            cpu = served.cpu_seconds() - cpu_started
            simulators_cpu = time.process_time() - bench_started
            peak_rss = served.peak_rss()
        assert_totals_match(stack, project_id, ELM)
        requests = list(stack.served_requests)
        qb_calls = (
            sum(
                1 for name, _, path in requests if name == "qbo-sandbox" and path.startswith("/v3/")
            )
            if edition == "online"
            else round_trips
        )
        return ServedFigures(
            edition=edition,
            lines=seeded.lines,
            seconds=seconds,
            read_seconds=read_seconds,
            cpu=cpu,
            simulators_cpu=simulators_cpu,
            peak_rss=peak_rss,
            start_rss=start_rss,
            qb_calls=qb_calls,
            qb_minimum=_qb_minimum(edition, seeded.bills),
            procore_calls=sum(1 for name, _, _ in requests if name == "procore-sandbox"),
            procore_minimum=2 * math.ceil(seeded.lines / PROCORE_PAGE) + PROCORE_FIXED,
            seed_seconds=seeded.seconds,
        )
    finally:
        if thresholds is not None:
            gc_policy.revert(thresholds)
        stack.close()


def _last_job(stack: Any) -> int:
    import sqlalchemy as sa

    from procore_qb.store.models.queue import QueuedJob

    with stack.sessions() as session:
        return int(session.scalar(sa.select(sa.func.max(QueuedJob.id))) or 0)


def _sync_state(stack: Any, project_id: int, after_job: int) -> str:
    """``reading`` until the project's read is applied, ``writing`` until its Procore write
    ran after it and no job is due, then ``done``; a job that failed or waits for a retry
    stops the bench with its error."""
    import sqlalchemy as sa

    from procore_qb.store.models import JobCostProject
    from procore_qb.store.models.queue import QueuedJob

    with stack.sessions() as session:
        broken = session.execute(
            sa.select(QueuedJob.task, QueuedJob.last_error)
            .where(
                QueuedJob.id > after_job,
                QueuedJob.status.in_(("todo", "failed")),
                QueuedJob.last_error.is_not(None),
            )
            .limit(1)
        ).first()
        if broken is not None:
            raise RuntimeError(f"job {broken.task} failed: {broken.last_error}")
        project = session.scalars(
            sa.select(JobCostProject).where(
                JobCostProject.company_id == stack.company_id,
                JobCostProject.procore_project_id == project_id,
            )
        ).one_or_none()
        if project is None or project.read_at is None or project.pending_command is not None:
            return "reading"
        due = session.scalar(
            sa.select(sa.func.count())
            .select_from(QueuedJob)
            .where(
                QueuedJob.status.in_(("todo", "doing")),
                QueuedJob.run_at <= datetime.now(UTC),
            )
        )
        if due or project.pushed_at is None or project.pushed_at < project.read_at:
            return "writing"
        return "done"


def _qb_minimum(edition: str, bills: int) -> int:
    """Online: one query per 1,000 bills and one for each of the three other transaction
    entities; Desktop: one Web Connector round trip per 500 bills."""
    if edition == "online":
        return math.ceil(bills / QBO_PAGE) + 3
    return math.ceil(bills / QBD_PAGE)


@dataclass(frozen=True)
class _Seeded:
    seconds: float
    """CPU time the seeding took."""
    bills: int
    lines: int
    """The job's cost lines in QuickBooks: the bench's and the few of the seed."""


def _seeded(stack: Any, edition: str, lines: int) -> tuple[int, _Seeded]:
    """The Elm Court project synced with its job, and ``lines`` bench lines in QuickBooks on
    the job; refused when a bench line would not be on one of the project's cost codes."""
    from job_cost_helpers import ELM, project_codes, synced_projects

    project_id = synced_projects(stack)[ELM]
    codes = set(project_codes(stack, project_id).values())
    _, seed_unmapped = _job_lines(stack, ELM, codes)
    started = time.process_time()
    if edition == "online":
        _seed_online(stack, ELM, lines)
    else:
        _seed_desktop(stack, ELM, lines)
    seconds = time.process_time() - started
    total_lines, unmapped = _job_lines(stack, ELM, codes)
    if unmapped != seed_unmapped:
        raise RuntimeError(
            f"{unmapped - seed_unmapped} bench lines are on items that are not cost codes "
            f"of the project ({sorted(codes)}): make ITEMS cost codes of the project"
        )
    return project_id, _Seeded(seconds, _bills(stack, edition), total_lines)


def _bills(stack: Any, edition: str) -> int:
    if edition == "online":
        realm = stack.qbo.app.state.simulator
        return len(realm.realm(realm.config.realm_id).table("Bill"))
    return int(stack.qbd.company.count_txns("Bill"))


def _job_lines(stack: Any, job: str, codes: set[str]) -> tuple[int, int]:
    """The job's cost lines in QuickBooks (the bench's and the few of the seed), and how many
    of them are on no item that is one of ``codes`` (the project's cost codes)."""
    from job_cost_helpers import quickbooks_lines

    lines = quickbooks_lines(stack, job)
    return len(lines), sum(1 for line in lines if line.item not in codes)


def _measure(edition: str, lines: int, *, speed: bool, memory: bool = True) -> SyncFigures:
    """A memory run (tracemalloc) and, with ``speed``, a run without it for the rate;
    ``memory=False``: only the run without tracemalloc."""
    if not memory:
        with tempfile.TemporaryDirectory() as tmp:
            return run(edition, lines, Path(tmp), trace=False)
    with tempfile.TemporaryDirectory() as tmp:
        traced = run(edition, lines, Path(tmp))
    if not speed:
        return traced
    with tempfile.TemporaryDirectory() as tmp:
        fast = run(edition, lines, Path(tmp), trace=False)
    return SyncFigures(
        **{
            **fast.__dict__,
            "peak_bytes": traced.peak_bytes,
            "simulators_bytes": traced.simulators_bytes,
        }
    )


MODES = ("served", "in-process")


def main(
    small: bool = False,
    *,
    sizes: tuple[int, ...] | None = None,
    editions: tuple[str, ...] = EDITIONS,
    memory: bool = True,
    modes: tuple[str, ...] | None = None,
) -> list[Figure]:
    """Each edition at each size in each mode; prints and returns two figures each.

    ``modes``: ``served`` (procore-qb in its own process, as deployed: the rate, its CPU and
    resident memory) and ``in-process`` (everything in this process: procore-qb's share of
    the CPU and of the Python memory, with tracemalloc); ``make bench`` runs ``served``,
    ``small`` (the size make test runs) both. ``sizes``: other sizes than :data:`SIZES`;
    ``memory=False``: in-process, only the run without tracemalloc, no memory figures."""
    if sizes is None:
        sizes = (SMALL,) if small else SIZES
    if modes is None:
        modes = MODES if small else ("served",)
    figures: list[Figure] = []
    for mode in modes:
        for edition in editions:
            for count in sizes:
                if mode == "served":
                    figures += _served_figures(edition, count)
                else:
                    figures += _in_process_figures(edition, count, small=small, memory=memory)
    return figures


def _served_figures(edition: str, count: int) -> list[Figure]:
    with tempfile.TemporaryDirectory() as tmp:
        found = run_served(edition, count, Path(tmp))
    write_seconds = found.seconds - found.read_seconds
    note = (
        f"read {found.read_seconds:.1f} s, then the write {write_seconds:.1f} s; "
        f"procore-qb serve's CPU {found.cpu / found.lines * 1e6:.0f} us/line, the simulators' "
        f"{found.simulators_cpu / found.lines * 1e6:.0f} us/line; its resident memory "
        f"{found.start_rss / 1_048_576:.0f} MiB once started, peak shown; seeding took "
        f"{found.seed_seconds:.1f} s of CPU"
    )
    return _shown(edition, count, "served", found, found.peak_rss, note)


def _in_process_figures(edition: str, count: int, *, small: bool, memory: bool) -> list[Figure]:
    found = _measure(edition, count, speed=not small, memory=memory)
    note = (
        f"our CPU {found.cpu / found.lines * 1e6:.0f} us/line, simulators' "
        f"{found.simulators_cpu / found.lines * 1e6:.0f} us/line; seeding took "
        f"{found.seed_seconds:.1f} s of CPU"
    )
    if memory:
        note += (
            f"; simulators hold {found.simulators_bytes / 1_048_576:.1f} MiB of the "
            f"{found.peak_bytes / 1_048_576:.1f} MiB peak (tracemalloc)"
        )
    return _shown(edition, count, "in-process", found, found.ours_bytes if memory else None, note)


def _shown(
    edition: str,
    count: int,
    mode: str,
    found: ServedFigures | SyncFigures,
    peak_bytes: int | None,
    note: str,
) -> list[Figure]:
    """The two figures of a run, printed: the sync with its QuickBooks calls, and the
    Procore write with its Procore calls."""
    return [
        Figure(
            f"{edition}: job cost sync of {count:,} lines, {mode}",
            records=found.lines,
            seconds=found.seconds,
            peak_bytes=peak_bytes,
            calls=found.qb_calls,
            minimum=found.qb_minimum,
            allowed=math.floor(found.qb_minimum * 1.1) + 1,
            calls_name="API calls" if edition == "online" else "Web Connector round trips",
            note=note,
        ).show(),
        Figure(
            f"{edition}: the Procore write of those lines",
            records=found.lines,
            seconds=found.seconds,
            calls=found.procore_calls,
            minimum=found.procore_minimum,
            allowed=math.floor(found.procore_minimum * 1.1),
            calls_name="Procore calls",
        ).show(),
    ]


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.job_costs_sync",
        description="Job cost sync end to end (see the module docstring for the figures).",
    )
    parser.add_argument("--small", action="store_true", help="the size make test runs")
    parser.add_argument(
        "--lines",
        type=int,
        action="append",
        metavar="N",
        help=f"job cost lines to seed (repeat for several sizes; default {SIZES})",
    )
    parser.add_argument("--edition", choices=(*EDITIONS, "both"), default="both")
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="everything in this process, for procore-qb's share of the CPU and of the "
        "Python memory (default: procore-qb served in its own process)",
    )
    parser.add_argument(
        "--no-memory",
        action="store_true",
        help="with --in-process: skip the run with tracemalloc (half the time; no memory figures)",
    )
    found = parser.parse_args(argv)
    if found.lines is not None and any(n < 1 or n > MAX_LINES for n in found.lines):
        parser.error(f"--lines takes 1 to {MAX_LINES:,}")
    return found


if __name__ == "__main__":
    _args = _arguments(sys.argv[1:])
    main(
        small=_args.small,
        sizes=None if _args.lines is None else tuple(_args.lines),
        editions=EDITIONS if _args.edition == "both" else (_args.edition,),
        memory=not _args.no_memory,
        modes=("in-process",) if _args.in_process else ("served",),
    )
