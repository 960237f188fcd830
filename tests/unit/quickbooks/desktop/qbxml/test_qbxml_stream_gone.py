"""The streaming job cost reader reports the transactions whose known lines are gone (deleted
ones, and in a changes-only read those holding no line for the jobs any more) exactly as the
page reader of the Web Connector session does, whole and in chunks."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from qbxml_gen import JOBS, STATUS_OK, cost_message, message

from procore_qb.domain.commands import QueryJobCosts
from procore_qb.quickbooks.desktop.errors import DesktopError, QbxmlParseError
from procore_qb.quickbooks.desktop.gateway import DesktopGateway
from procore_qb.quickbooks.desktop.qbxml.message import parse_response_message

PROPERTY = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SINCE = datetime(2026, 12, 1, tzinfo=UTC)
CHANGES = QueryJobCosts(idempotency_key="k", job_ids=JOBS, modified_since=SINCE)
EVERYTHING = QueryJobCosts(idempotency_key="k", job_ids=JOBS)
GATEWAY = DesktopGateway()


def by_pages(command: QueryJobCosts, doc: str) -> list[str] | str:
    parts = GATEWAY.parts(command)
    gone: list[str] = []
    try:
        parsed = parse_response_message(doc)
    except DesktopError:
        return "refused"
    for response in parsed.responses:
        page = GATEWAY.read_page(command, parts[0], response).partial
        if page.error is not None:
            return "refused"
        gone.extend(page.deleted_ids)
    return gone


def streamed(command: QueryJobCosts, source: str | Iterable[str]) -> list[str] | str:
    gone: list[str] = []
    try:
        for _ in GATEWAY.stream_job_costs(command, source, gone=gone):
            pass
    except (DesktopError, QbxmlParseError):
        return "refused"
    return gone


def chunked(text: str, cuts: list[int]) -> Iterator[str]:
    last = 0
    for cut in sorted(c % (len(text) + 1) for c in cuts):
        yield text[last:cut]
        last = cut
    yield text[last:]


@PROPERTY
@given(cost_message(), st.lists(st.integers(0, 10**6), max_size=6))
def test_gone_transactions_equal_the_page_reader(doc: str, cuts: list[int]) -> None:
    for command in (CHANGES, EVERYTHING):
        expected = by_pages(command, doc)
        assert streamed(command, doc) == expected
        assert streamed(command, chunked(doc, cuts)) == expected


DELETED = message(
    [
        (
            "TxnDeletedQuery",
            STATUS_OK,
            "<TxnDeletedRet>\n<TxnDelType>Bill</TxnDelType>\n<TxnID>1A-1796316216</TxnID>\n"
            "<TimeCreated>2026-12-01T10:00:00+00:00</TimeCreated>\n"
            "<TimeDeleted>2026-12-02T10:00:00+00:00</TimeDeleted>\n"
            "<RefNumber>B-1</RefNumber>\n</TxnDeletedRet>\n",
        )
    ]
)


def test_deleted_transactions_are_reported_whole_and_in_chunks() -> None:
    assert by_pages(CHANGES, DELETED) == ["1A-1796316216"]
    assert streamed(CHANGES, DELETED) == ["1A-1796316216"]
    assert streamed(CHANGES, chunked(DELETED, [7, 60, 130])) == ["1A-1796316216"]
