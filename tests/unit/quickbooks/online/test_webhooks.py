from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime

import pytest

from procore_qb.quickbooks.online.webhooks import (
    WebhookPayloadError,
    parse_payload,
    sign,
    verify_signature,
)


def test_signature_is_base64_hmac_sha256_of_raw_body() -> None:
    body = b'{"eventNotifications":[]}'
    expected = base64.b64encode(hmac.new(b"tok", body, hashlib.sha256).digest()).decode()
    assert sign(body, "tok") == expected
    assert verify_signature(body, expected, "tok")
    assert not verify_signature(body + b" ", expected, "tok")
    assert not verify_signature(body, None, "tok")
    assert not verify_signature(body, expected, "")


def test_legacy_dedupe_key_changes_with_last_updated() -> None:
    def body(last: str) -> bytes:
        entity = {"name": "Customer", "id": "1", "operation": "Update", "lastUpdated": last}
        return json.dumps(
            {"eventNotifications": [{"realmId": "1", "dataChangeEvent": {"entities": [entity]}}]}
        ).encode()

    [a] = parse_payload(body("2026-11-28T01:00:00-0700"))
    [b] = parse_payload(body("2026-11-28T01:00:00-0700"))
    [c] = parse_payload(body("2026-11-28T02:00:00-0700"))
    assert a.dedupe_key == b.dedupe_key != c.dedupe_key


@pytest.mark.parametrize(
    "payload",
    [
        b"not json",
        b"{}",
        b'[{"specversion": "1.0", "id": "x"}]',
        b'[{"specversion": "1.0", "id": "x", "type": "other.thing",'
        b' "intuitaccountid": "1", "intuitentityid": "2"}]',
        b'{"eventNotifications": [{"dataChangeEvent": {"entities": []}}]}',
        b'{"eventNotifications": [{"realmId": "1",'
        b' "dataChangeEvent": {"entities": [{"name": "Customer"}]}}]}',
        b"[" * 100_000,
    ],
)
def test_malformed_payloads(payload: bytes) -> None:
    with pytest.raises(WebhookPayloadError):
        parse_payload(payload)


def test_cloudevent_entity_names() -> None:
    item = {
        "specversion": "1.0",
        "id": "e1",
        "type": "qbo.journalentry.deleted.v1",
        "intuitaccountid": "1",
        "intuitentityid": "9",
    }
    [event] = parse_payload(json.dumps(item).encode())
    assert (event.entity, event.operation) == ("JournalEntry", "Deleted")


@pytest.mark.parametrize(
    ("last_updated", "utc"),
    [
        ("2026-11-28T04:42:19-0700", datetime(2026, 11, 28, 11, 42, 19, tzinfo=UTC)),
        ("2026-11-28T04:42:19.250-07:00", datetime(2026, 11, 28, 11, 42, 19, 250000, tzinfo=UTC)),
        ("2026-11-28T04:42:19.250-0700", datetime(2026, 11, 28, 11, 42, 19, 250000, tzinfo=UTC)),
        ("2026-11-28T11:42:19.123456789Z", datetime(2026, 11, 28, 11, 42, 19, 123456, tzinfo=UTC)),
    ],
)
def test_event_times_keep_their_offset(last_updated: str, utc: datetime) -> None:
    entity = {"name": "Customer", "id": "1", "operation": "Update", "lastUpdated": last_updated}
    body = {"eventNotifications": [{"realmId": "1", "dataChangeEvent": {"entities": [entity]}}]}
    [event] = parse_payload(json.dumps(body).encode())
    assert event.occurred_at == utc
