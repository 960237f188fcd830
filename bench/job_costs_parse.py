"""QuickBooks read paths, Desktop and Online: job-cost lines from what QuickBooks sends to
``JobCostLine`` records, parsing alone.

Prints, for Desktop answers shaped as QuickBooks Desktop writes them (one element per line,
every header field of each transaction, one vendor in ten with an ``&`` in its name):

* job-cost lines per second, qbXML text to ``JobCostLine`` objects, through the streaming
  reader (``DesktopGateway.stream_job_costs``) and through the reference tree reading it
  replaced (the whole message parsed into a tree, then ``read_txn_lines``);
* for Online, the same lines as pages of 1,000 bills, purchases (checks, card charges and
  credits), vendor credits and journal entries, shaped as QuickBooks Online writes them:
  lines per second from the decoded pages (``page_cost_lines``, what ``JobCostRead`` does
  with each page), and from the JSON text of each page (``json.loads`` first);
* customers per second, qbXML text to ``CustomerRecord``, both ways;
* the peak memory (resident set) of a process streaming a message of 1,000,000 cost lines
  arriving in chunks, and of a tenth of it: the same, since only a chunk and a record are
  held.

The Desktop mix of transactions: bills of 1 to 6 lines, checks of 1 to 3, card charges and
vendor credits of 1 or 2, journal entries whose debit lines are coded to jobs and whose credit
line goes to an account. Rates are wall clock on a shared machine, the best of five runs; each
note also gives the rate in CPU time of this process, the median of the five runs and the best.

Figures on a 2-core machine shared with other work, in CPU time, 100,000 lines, each reading
in its own process, before and after alternating twice (median of seven runs, best in
brackets), while a 10M-step loop took 123-140 ms of CPU:

* Desktop, qbXML text to lines: before 189,904/s and 189,969/s (210,376/s, 198,886/s);
  after 189,528/s and 173,746/s (206,373/s, 190,961/s): the same within the noise. Each
  transaction's lines are now read by one ``findall`` per record instead of one match per
  line (about 2% fewer instructions per line under callgrind), and ASCII text is searched
  for the refused controls instead of translated byte by byte (half the time of that check).
  Per line, what remains is about 5 us: the scanner about 1.3 us (of which the character
  check 0.3 us), the header pattern 0.5 us a line (about 1.2 us a transaction), the line
  pattern about 1.6 us (its groups a third of it), ``Decimal`` 0.25 us, building the record
  and the loop about 1 us, the collector about 0.5 us.
* Online, decoded pages to lines: before 162,235/s and 152,331/s (194,316/s, 176,120/s);
  after 250,248/s and 270,792/s (284,514/s, 294,467/s): +65%, what a transaction's lines
  share read once, lines made with ``tuple.__new__``, references read inline, lines of other
  jobs dropped before their amount is read.

The whole bench on the same machine, busier (a 10M-step loop took 128-180 ms): Desktop
184,412/s (median of five, best 199,748/s), Online from decoded pages 216,937/s (best
314,110/s), Online from JSON text 74,702/s (best 89,117/s): decoding the JSON takes about
three quarters of the Online time. The same run under heavy load (a 10M-step loop at
190-280 ms) gave Desktop 110,000-125,000/s: the rates follow the machine.
"""

from __future__ import annotations

import itertools
import json
import random
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from bench._figures import Figure
from procore_qb.domain.commands import JobCostLine, JobCostSource, QueryJobCosts
from procore_qb.quickbooks.desktop.gateway import DesktopGateway
from procore_qb.quickbooks.desktop.qbxml.message import parse_response_message
from procore_qb.quickbooks.desktop.qbxml.parsing import XmlLimits, parse_xml
from procore_qb.quickbooks.desktop.qbxml.records import read_customer, read_txn_lines
from procore_qb.quickbooks.online.gateway import page_cost_lines
from procore_qb.quickbooks.online.resources.bills import BillResource
from procore_qb.quickbooks.online.resources.journal_entries import JournalEntryResource
from procore_qb.quickbooks.online.resources.purchases import PurchaseResource
from procore_qb.quickbooks.online.resources.vendor_credits import VendorCreditResource

_Line = TypeVar("_Line")

STAMP = "2026-12-03T16:43:36+00:00"
JOBS = tuple(f"8000{n:04X}-1796316216" for n in range(40))
VENDORS = tuple(f"Vendor {n} & Sons" if n % 10 == 0 else f"Vendor {n} Supply" for n in range(50))
SOURCES = {
    "Bill": (JobCostSource.BILL, 1),
    "Check": (JobCostSource.CHECK, 1),
    "CreditCardCharge": (JobCostSource.CREDIT_CARD_CHARGE, 1),
    "VendorCredit": (JobCostSource.VENDOR_CREDIT, -1),
    "JournalEntry": (JobCostSource.JOURNAL_ENTRY, 1),
}
# Transactions of each kind in a message, and how many lines each has.
MIX = (("Bill", 1, 6, 5), ("Check", 1, 3, 2), ("CreditCardCharge", 1, 2, 1),
       ("VendorCredit", 1, 2, 1), ("JournalEntry", 2, 4, 1))  # fmt: skip
COMMAND = QueryJobCosts(idempotency_key="bench", job_ids=JOBS)


def _ref(tag: str, list_id: str, name: str) -> str:
    return f"<{tag}>\n<ListID>{list_id}</ListID>\n<FullName>{name}</FullName>\n</{tag}>\n"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;")


def _line(kind: str, n: int, rng: random.Random) -> tuple[str, bool]:
    """One line element and whether it is coded to a job."""
    job = JOBS[rng.randrange(len(JOBS))]
    amount = f"{rng.randrange(1, 5_000_000) / 100:.2f}"
    job_ref = _ref("CustomerRef", job, f"Customer {job[-4:]}:Job {job[:8]}")
    if kind == "JournalEntry":
        debit = n % 3 != 2
        tag = "JournalDebitLine" if debit else "JournalCreditLine"
        entity = _ref("EntityRef", job, f"Customer:Job {job[:8]}") if debit else ""
        return (
            f"<{tag}>\n<TxnLineID>{n:X}-1796316216</TxnLineID>\n"
            + _ref("AccountRef", "80000005-1796316216", "Job Materials")
            + f"<Amount>{amount}</Amount>\n<Memo>Reclass {n}</Memo>\n{entity}</{tag}>\n",
            debit,
        )
    if n % 4 == 0:
        return (
            f"<ExpenseLineRet>\n<TxnLineID>{n:X}-1796316216</TxnLineID>\n"
            + _ref("AccountRef", "80000006-1796316216", "Job Expenses:Subcontractors")
            + f"<Amount>{amount}</Amount>\n<Memo>Expense {n}</Memo>\n{job_ref}"
            "<BillableStatus>NotBillable</BillableStatus>\n</ExpenseLineRet>\n",
            True,
        )
    return (
        f"<ItemLineRet>\n<TxnLineID>{n:X}-1796316216</TxnLineID>\n"
        + _ref("ItemRef", "80000015-1796316216", "03-300")
        + f"<Desc>Foundation pour {n}</Desc>\n<Quantity>1</Quantity>\n<Cost>{amount}</Cost>\n"
        f"<Amount>{amount}</Amount>\n{job_ref}</ItemLineRet>\n",
        True,
    )


def _txn(kind: str, n: int, lines: str, rng: random.Random) -> str:
    vendor = _escape(VENDORS[rng.randrange(len(VENDORS))])
    head = (
        f"<{kind}Ret>\n<TxnID>{n:X}-1796316216</TxnID>\n<TimeCreated>{STAMP}</TimeCreated>\n"
        f"<TimeModified>{STAMP}</TimeModified>\n<EditSequence>1796316216</EditSequence>\n"
        f"<TxnNumber>{n}</TxnNumber>\n"
    )
    if kind in ("Bill", "VendorCredit"):
        head += _ref("VendorRef", "8000000E-1796316216", vendor)
        head += _ref("APAccountRef", "80000002-1796316216", "Accounts Payable")
    elif kind in ("Check", "CreditCardCharge"):
        head += _ref("AccountRef", "80000001-1796316216", "Checking")
        head += _ref("PayeeEntityRef", "8000000F-1796316216", vendor)
    # The order of qbxml130.xsd: a check's RefNumber comes before its TxnDate.
    date = f"<TxnDate>2026-{1 + n % 12:02d}-{1 + n % 28:02d}</TxnDate>\n"
    number = f"<RefNumber>R-{n}</RefNumber>\n"
    head += number + date if kind == "Check" else date + number
    head += f"<Memo>Invoice {n}</Memo>\n"
    tail = "<OpenAmount>0.00</OpenAmount>\n" if kind in ("Bill", "VendorCredit") else ""
    return f"{head}{lines}{tail}</{kind}Ret>\n"


def _transactions(
    kind: str,
    low: int,
    high: int,
    target: int,
    numbers: Iterator[int],
    rng: random.Random,
    make_line: Callable[[str, int, random.Random], tuple[_Line, bool]],
) -> Iterator[tuple[int, list[_Line], int]]:
    """The lines of each transaction of ``kind`` until ``target`` of them are coded to jobs:
    ``low`` to ``high`` lines a transaction, made by ``make_line`` and numbered by
    ``numbers``. Yields each transaction's number (that of its last line), its lines and the
    lines coded to jobs so far. The caller makes the transaction (drawing from ``rng``)
    before the next one is drawn, so the same seed gives the same answer, Desktop or
    Online."""
    coded = 0
    while coded < target:
        body: list[_Line] = []
        for _ in range(rng.randint(low, high)):
            n = next(numbers)
            line, is_coded = make_line(kind, n, rng)
            body.append(line)
            coded += is_coded
        yield n, body, coded


def cost_message(lines: int, *, seed: int = 7) -> Iterator[str]:
    """A job-cost answer with about ``lines`` lines coded to jobs, as chunks of text."""
    rng = random.Random(seed)
    yield '<?xml version="1.0" ?>\n<QBXML>\n<QBXMLMsgsRs>\n'
    weight = sum(share for *_, share in MIX)
    targets = [lines * share // weight for *_, share in MIX]
    targets[0] += lines - sum(targets)
    numbers = itertools.count(1)
    for (kind, low, high, _), target in zip(MIX, targets, strict=True):
        yield (
            f'<{kind}QueryRs requestID="bench.0.0" statusCode="0" statusSeverity="Info" '
            'statusMessage="Status OK" iteratorRemainingCount="0">\n'
        )
        chunk: list[str] = []
        for n, body, _ in _transactions(kind, low, high, target, numbers, rng, _line):
            chunk.append(_txn(kind, n, "".join(body), rng))
            if len(chunk) == 64:
                yield "".join(chunk)
                chunk = []
        yield "".join(chunk) + f"</{kind}QueryRs>\n"
    yield "</QBXMLMsgsRs>\n</QBXML>\n"


def customer_message(count: int) -> str:
    rets = []
    for n in range(count):
        parent = f"Customer {n // 4}"
        rets.append(
            f"<CustomerRet>\n<ListID>{n:X}-1796316216</ListID>\n<TimeCreated>{STAMP}</TimeCreated>\n"
            f"<TimeModified>{STAMP}</TimeModified>\n<EditSequence>1796316216</EditSequence>\n"
            f"<Name>Job {n}</Name>\n<FullName>{parent}:Job {n}</FullName>\n"
            "<IsActive>true</IsActive>\n"
            + _ref("ParentRef", f"{n // 4:X}-1796316216", parent)
            + "<Sublevel>1</Sublevel>\n<BillAddress>\n<Addr1>300 S 9th St</Addr1>\n"
            "<City>Springfield</City>\n<State>IL</State>\n<PostalCode>62701</PostalCode>\n"
            "</BillAddress>\n<Balance>0.00</Balance>\n<TotalBalance>0.00</TotalBalance>\n"
            f"<AccountNumber>CS-{n}</AccountNumber>\n<JobStatus>Awarded</JobStatus>\n"
            "<JobStartDate>2026-06-15</JobStartDate>\n"
            "<JobProjectedEndDate>2027-05-28</JobProjectedEndDate>\n"
            "<PreferredDeliveryMethod>None</PreferredDeliveryMethod>\n</CustomerRet>\n"
        )
    return (
        '<?xml version="1.0" ?>\n<QBXML>\n<QBXMLMsgsRs>\n<CustomerQueryRs requestID="c.0.0" '
        'statusCode="0" statusSeverity="Info" statusMessage="Status OK">\n'
        + "".join(rets)
        + "</CustomerQueryRs>\n</QBXMLMsgsRs>\n</QBXML>\n"
    )


def _reference_lines(text: str) -> list[JobCostLine]:
    """The reading the streaming reader replaced: a tree of the message, then the readers."""
    wanted = set(JOBS)
    root = parse_xml(text, limits=XmlLimits(max_bytes=1 << 40, max_elements=1 << 40))
    out = []
    for rs in root.iterfind("QBXMLMsgsRs/*"):
        source, sign = SOURCES[str(rs.tag)[: -len("QueryRs")]]
        for ret in rs:
            for line in read_txn_lines(ret):
                if line.customer_id in wanted:
                    out.append(
                        JobCostLine(
                            source, line.txn_id, line.line_id, line.txn_date,
                            line.customer_id or "",
                            line.amount * sign * (1 if line.debit else -1),
                            line.item_id, line.account_id, line.payee_name, line.memo,
                            line.ref_number, line.txn_memo,
                        )
                    )  # fmt: skip
    return out


def _rate(label: str, records: Callable[[], int], note: str, runs: int = 5) -> Figure:
    """The best of ``runs`` runs, wall clock, with the median and the best rate in CPU time
    of this process in the note (CPU time: the machine may be busy with other work)."""
    best = float("inf")
    cpu: list[float] = []
    count = 0
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        count = records()
        best = min(best, time.perf_counter() - started)
        cpu.append(max(time.process_time() - started_cpu, 1e-9))
    return Figure(
        label,
        count,
        best,
        note=(
            f"{note}; in CPU time {count / statistics.median(cpu):,.0f}/s "
            f"(median of {runs}), best {count / min(cpu):,.0f}/s"
        ),
    ).show()


def machine_speed() -> str:
    """How busy the machine is: a fixed Python loop's time (about 170 ms when it is idle)."""
    started = time.process_time()
    sum(range(10_000_000))
    return f"a 10M-step loop took {(time.process_time() - started) * 1000:.0f} ms of CPU"


def parse_costs(lines: int, reference_lines: int) -> list[Figure]:
    text = "".join(cost_message(lines))
    small = "".join(cost_message(reference_lines))
    gateway = DesktopGateway()
    limits = XmlLimits(max_bytes=1 << 40)
    fast = _rate(
        f"cost lines: qbXML text to JobCostLine, {lines:,}",
        lambda: sum(1 for _ in gateway.stream_job_costs(COMMAND, text, limits=limits)),
        f"streaming reader, {len(text) / lines:.0f} characters a line, {machine_speed()}",
    )
    reference = _rate(
        f"cost lines, reference tree reading, {reference_lines:,}",
        lambda: len(_reference_lines(small)),
        "whole tree, then read_txn_lines",
    )
    same = list(gateway.stream_job_costs(COMMAND, small, limits=limits))
    assert same == _reference_lines(small), "the streaming reader read other lines"
    return [fast, reference]


def parse_customers(count: int) -> list[Figure]:
    text = customer_message(count)

    def fast() -> int:
        (response,) = parse_response_message(text, max_bytes=1 << 40).responses
        return len([read_customer(record) for record in response.records])

    def reference() -> int:
        root = parse_xml(text, limits=XmlLimits(max_bytes=1 << 40, max_elements=1 << 40))
        return len([read_customer(ret) for ret in root.iter("CustomerRet")])

    return [
        _rate(f"customers: qbXML text to CustomerRecord, {count:,}", fast, "scanner, flat"),
        _rate(f"customers, reference tree reading, {count:,}", reference, "tree, findtext"),
    ]


# ----------------------------------------------------------------------------- Online

ONLINE_JOBS = tuple(str(300 + n) for n in range(40))
ONLINE_COMMAND = QueryJobCosts(idempotency_key="bench", job_ids=ONLINE_JOBS)
ONLINE_RESOURCES = {
    "Bill": BillResource,
    "Purchase": PurchaseResource,
    "VendorCredit": VendorCreditResource,
    "JournalEntry": JournalEntryResource,
}
# Transactions of each kind, lines per transaction, and the share of the lines.
ONLINE_MIX = (("Bill", 1, 6, 5), ("Purchase", 1, 3, 3), ("VendorCredit", 1, 2, 1),
              ("JournalEntry", 2, 4, 1))  # fmt: skip
_QBO_REF = dict[str, str]


def _qbo_ref(value: str, name: str) -> _QBO_REF:
    return {"value": value, "name": name}


def _qbo_line(kind: str, n: int, rng: random.Random) -> tuple[dict[str, object], bool]:
    """One line of a QuickBooks Online transaction, as its JSON decodes, and whether it is
    coded to a job."""
    job = ONLINE_JOBS[rng.randrange(len(ONLINE_JOBS))]
    amount = rng.randrange(1, 5_000_000) / 100
    if kind == "JournalEntry":
        debit = n % 3 != 2
        detail: dict[str, object] = {
            "PostingType": "Debit" if debit else "Credit",
            "AccountRef": _qbo_ref("80", "Job Materials"),
        }
        if debit:
            detail["Entity"] = {"Type": "Customer", "EntityRef": _qbo_ref(job, f"Job {job}")}
        return {
            "Id": str(n % 10), "Description": f"Reclass {n}", "Amount": amount,
            "DetailType": "JournalEntryLineDetail", "JournalEntryLineDetail": detail,
        }, debit  # fmt: skip
    if n % 4 == 0:
        return {
            "Id": str(n % 10), "LineNum": n % 10, "Description": f"Expense {n}",
            "Amount": amount, "DetailType": "AccountBasedExpenseLineDetail",
            "AccountBasedExpenseLineDetail": {
                "CustomerRef": _qbo_ref(job, f"Customer:Job {job}"),
                "AccountRef": _qbo_ref("81", "Job Expenses:Subcontractors"),
                "BillableStatus": "NotBillable", "TaxCodeRef": {"value": "NON"},
            },
        }, True  # fmt: skip
    return {
        "Id": str(n % 10), "LineNum": n % 10, "Description": f"Foundation pour {n}",
        "Amount": amount, "DetailType": "ItemBasedExpenseLineDetail",
        "ItemBasedExpenseLineDetail": {
            "CustomerRef": _qbo_ref(job, f"Customer:Job {job}"),
            "BillableStatus": "NotBillable", "ItemRef": _qbo_ref("15", "03-300"),
            "UnitPrice": amount, "Qty": 1, "TaxCodeRef": {"value": "NON"},
        },
    }, True  # fmt: skip


def _qbo_txn(kind: str, n: int, lines: list[dict[str, object]], rng: random.Random) -> object:
    vendor = _qbo_ref(str(50 + rng.randrange(50)), VENDORS[rng.randrange(len(VENDORS))])
    txn: dict[str, object] = {
        "domain": "QBO", "sparse": False, "Id": str(n), "SyncToken": "0",
        "MetaData": {"CreateTime": STAMP, "LastUpdatedTime": STAMP},
        "DocNumber": f"R-{n}", "TxnDate": f"2026-{1 + n % 12:02d}-{1 + n % 28:02d}",
        "CurrencyRef": _qbo_ref("USD", "United States Dollar"), "PrivateNote": f"Invoice {n}",
        "Line": lines, "TotalAmt": sum(float(str(line["Amount"])) for line in lines),
    }  # fmt: skip
    if kind in ("Bill", "VendorCredit"):
        txn["VendorRef"] = vendor
        txn["APAccountRef"] = _qbo_ref("33", "Accounts Payable (A/P)")
    elif kind == "Purchase":
        txn["PaymentType"] = ("Check", "CreditCard")[n % 2]
        txn["Credit"] = n % 10 == 3
        txn["EntityRef"] = vendor
        txn["AccountRef"] = _qbo_ref("35", "Checking")
    return txn


def online_pages(lines: int, *, seed: int = 7, page_size: int = 1000) -> Iterator[tuple[str, str]]:
    """The query answers of a job-cost read of about ``lines`` lines coded to jobs: each
    entity's pages of ``page_size`` transactions, as (entity, JSON text of the answer)."""
    rng = random.Random(seed)
    weight = sum(share for *_, share in ONLINE_MIX)
    numbers = itertools.count(1)
    for kind, low, high, share in ONLINE_MIX:
        target = lines * share // weight
        page: list[object] = []
        for n, body, coded in _transactions(kind, low, high, target, numbers, rng, _qbo_line):
            page.append(_qbo_txn(kind, n, body, rng))
            if len(page) == page_size or coded >= target:
                answer = {"QueryResponse": {kind: page, "startPosition": 1}, "time": STAMP}
                yield kind, json.dumps(answer)
                page = []


def parse_online(lines: int) -> list[Figure]:
    """QuickBooks Online read path: pages of transactions to ``JobCostLine`` objects, as
    ``JobCostRead`` reads each page (``page_cost_lines``); and the same with the JSON text of
    each page decoded first, one page at a time (as the client decodes each answer). The
    pages of the first figure are decoded before it is measured, and dropped after it: the
    collector would otherwise walk their millions of objects during the second."""
    texts = list(online_pages(lines))
    wanted = frozenset(ONLINE_COMMAND.job_ids)
    size = sum(len(text) for _, text in texts)

    def from_text() -> int:
        return sum(
            len(
                page_cost_lines(
                    ONLINE_RESOURCES[kind], json.loads(text)["QueryResponse"][kind], wanted
                )
            )
            for kind, text in texts
        )

    decoded = [(kind, json.loads(text)["QueryResponse"][kind]) for kind, text in texts]

    def from_objects() -> int:
        return sum(
            len(page_cost_lines(ONLINE_RESOURCES[kind], page, wanted)) for kind, page in decoded
        )

    count = from_objects()
    objects = _rate(
        f"Online cost lines: decoded pages to JobCostLine, {count:,}",
        from_objects,
        f"page_cost_lines, {len(decoded)} pages, {machine_speed()}",
    )
    decoded.clear()
    with_json = _rate(
        f"Online cost lines: JSON text to JobCostLine, {count:,}",
        from_text,
        f"json.loads then page_cost_lines, page by page, {size / count:.0f} characters a line",
    )
    return [objects, with_json]


def _stream_in_this_process(lines: int) -> dict[str, float]:
    """Stream a message of ``lines`` lines as it is made, chunk by chunk; what it took."""
    gateway = DesktopGateway()
    limits = XmlLimits(max_bytes=1 << 40)
    started, started_cpu = time.perf_counter(), time.process_time()
    count = sum(1 for _ in gateway.stream_job_costs(COMMAND, cost_message(lines), limits=limits))
    return {
        "count": count,
        "seconds": time.perf_counter() - started,
        "cpu": time.process_time() - started_cpu,
        "peak": _peak_resident_bytes(),
    }


def _peak_resident_bytes() -> int:
    """This process's peak resident set. VmHWM, not ru_maxrss: Linux carries ru_maxrss over
    from the parent this process was forked from, VmHWM starts anew with the program."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def stream_memory(lines: int) -> Figure:
    """Peak memory of a process that only streams a message of ``lines`` cost lines arriving
    in chunks (the text is made as it is read, as it would arrive from the network)."""
    root = Path(__file__).resolve().parents[1]
    code = (
        "import json, sys; from bench.job_costs_parse import _stream_in_this_process as run; "
        f"print(json.dumps(run({lines})))"
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter running our own module
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert got["count"] >= lines, f"{got['count']} lines read of {lines}"
    return Figure(
        f"stream {lines:,} cost lines in chunks",
        int(got["count"]),
        got["seconds"],
        int(got["peak"]),
        note=(
            f"peak RSS of a process doing only this (making the text included); "
            f"{got['count'] / got['cpu']:,.0f}/s in CPU time"
        ),
    ).show()


def main(small: bool = False) -> list[Figure]:
    lines, reference, customers, streamed = (
        (3_000, 1_000, 500, 20_000) if small else (200_000, 20_000, 20_000, 1_000_000)
    )
    return [
        *parse_costs(lines, reference),
        *parse_online(lines),
        *parse_customers(customers),
        stream_memory(streamed // 10),
        stream_memory(streamed),
    ]


if __name__ == "__main__":
    main()
