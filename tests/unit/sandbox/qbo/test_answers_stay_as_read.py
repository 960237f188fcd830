"""Answers share the stored records' nested values (no copy per read): a record is never
changed in place, so an answer already given stays as it was read whatever is written next."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime

from procore_qb.sandbox.qbo.config import SimulatorConfig
from procore_qb.sandbox.qbo.entities import Context, spec_by_name
from procore_qb.sandbox.qbo.operations import ChangeEvent, read, update, void, write
from procore_qb.sandbox.qbo.query import execute
from procore_qb.sandbox.qbo.seeding import seeded_company

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
CONFIG = SimulatorConfig()


def test_a_bill_read_or_queried_stays_as_read_after_updates_and_a_void() -> None:
    realm = seeded_company(CONFIG.realm_id, CONFIG, NOW)
    ctx = Context(realm=realm, config=CONFIG, now=NOW)
    spec = spec_by_name("Bill")
    assert spec is not None
    bill_id = next(iter(realm.table("Bill")))
    events: list[ChangeEvent] = []
    answers = [
        read(ctx, spec, bill_id),
        execute(ctx, f"select * from Bill where Id = '{bill_id}'")["Bill"][0],
    ]
    frozen = [json.dumps(answer, sort_keys=True) for answer in answers]

    current = read(ctx, spec, bill_id)
    body = copy.deepcopy(current)
    body["Line"][0]["Amount"] = float(body["Line"][0]["Amount"]) + 7
    body["Line"][0]["Description"] = "changed"
    written = write(ctx, spec, body, events)
    sparse = {"Id": bill_id, "SyncToken": written["SyncToken"], "sparse": True}
    updated = update(ctx, spec, {**sparse, "PrivateNote": "note"}, events)
    void(ctx, spec, {"Id": bill_id, "SyncToken": updated["SyncToken"]}, events)

    assert [json.dumps(answer, sort_keys=True) for answer in answers] == frozen
    after = read(ctx, spec, bill_id)
    assert after["Line"][0]["Amount"] == 0.0
    assert after["PrivateNote"].startswith("Voided")


def _ids(ctx: Context, text: str) -> list[str]:
    return [r["Id"] for r in execute(ctx, text).get("Bill", [])]


def test_a_repeated_query_sees_every_write_since_the_last() -> None:
    # Paging reuses the last query's matches while the records are the same objects; any
    # write in between must show, exactly as a query from scratch answers.
    realm = seeded_company(CONFIG.realm_id, CONFIG, NOW)
    ctx = Context(realm=realm, config=CONFIG, now=NOW)
    spec = spec_by_name("Bill")
    assert spec is not None
    events: list[ChangeEvent] = []
    text = "select * from Bill where TotalAmt > '100' orderby TotalAmt desc maxresults 1000"
    first = _ids(ctx, text)
    assert first
    assert _ids(ctx, text) == first
    bill_id = first[0]
    current = read(ctx, spec, bill_id)
    void(ctx, spec, {"Id": bill_id, "SyncToken": current["SyncToken"]}, events)
    assert _ids(ctx, text) == first[1:]
    assert len(first) > 2
    body = copy.deepcopy(read(ctx, spec, first[-1]))
    body.pop("TotalAmt", None)
    body["Line"] = [{**body["Line"][0], "Amount": 99999.0}]
    write(ctx, spec, body, events)
    assert _ids(ctx, text)[0] == first[-1]
    realm.found.clear()
    assert _ids(ctx, text) == _ids(ctx, text.replace("maxresults 1000", "maxresults 999"))
    ctx.hidden.add(("Bill", first[1]))
    assert first[1] not in _ids(ctx, text)
