"""A streamed QuickBooks Online job cost read cut short after its first chunk was stored, and
read again from the start under a new attempt: lines only the first attempt saw (their bill
was deleted in between) are gone from procore-qb and from Procore afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from job_cost_helpers import (
    ELM,
    ELM_PROJECT,
    _qbo_change,
    advance,
    assert_totals_match,
    enable,
    qb_add_bill,
    synced_projects,
)
from workflow_stack import Stack

from procore_qb.app.online_driver import OnlineDriver
from procore_qb.domain.commands import JobCostLine, JobCostSource, QueryJobCosts
from procore_qb.quickbooks.online.errors import QboThrottled
from procore_qb.quickbooks.online.gateway import OnlineGateway

pytestmark = pytest.mark.filterwarnings(
    "ignore:You should not use the 'timeout' argument with the TestClient"
)


class _CutShort:
    """A read that QuickBooks throttles on its third line: the first chunk (two lines) is
    stored by then."""

    def __init__(self, inner: Any, seen: list[JobCostLine]) -> None:
        self._inner = inner
        self._seen = seen

    def __iter__(self) -> Iterator[JobCostLine]:
        for n, line in enumerate(self._inner):
            if n == 2:
                raise QboThrottled("Throttled", status=429)
            self._seen.append(line)
            yield line

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def test_a_read_cut_short_and_read_again_drops_what_only_the_first_attempt_saw(
    online: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    stack = online
    synced_projects(stack)
    stack.settle()
    qb_add_bill(stack, ELM, [("01-100", "10.00"), ("09-200", "20.00")])
    qb_add_bill(stack, ELM, [("16-100", "30.00")])
    defaults = OnlineDriver.__init__.__kwdefaults__
    assert defaults is not None
    monkeypatch.setitem(defaults, "chunk_lines", 2)
    seen: list[JobCostLine] = []
    stream = OnlineGateway.stream_job_costs

    def cut_short(self: OnlineGateway, command: QueryJobCosts) -> Any:
        return _CutShort(stream(self, command), seen)

    monkeypatch.setattr(OnlineGateway, "stream_job_costs", cut_short)
    enable(stack, ELM_PROJECT)
    stack.run_jobs()
    assert len(seen) == 2
    with stack.engine.connect() as conn:
        kept = conn.execute(sa.text("SELECT txn_id, read_key FROM job_cost_lines")).all()
        state = conn.execute(
            sa.text("SELECT state FROM qb_commands WHERE kind = 'query_job_costs'")
        ).scalar_one()
    assert state == "pending"  # back in the queue, to be read again
    assert {txn for txn, _ in kept} == {line.txn_id for line in seen}
    first = seen[0]
    assert first.source is JobCostSource.BILL
    _qbo_change(stack, "Bill", "delete", {"Id": first.txn_id})

    monkeypatch.setattr(OnlineGateway, "stream_job_costs", stream)
    advance(stack, minutes=2)
    stack.settle()
    with stack.engine.connect() as conn:
        left = conn.execute(
            sa.text("SELECT count(*) FROM job_cost_lines WHERE txn_id = :t"), {"t": first.txn_id}
        ).scalar_one()
    assert left == 0
    assert_totals_match(stack, ELM_PROJECT, ELM)
