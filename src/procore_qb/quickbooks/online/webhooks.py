"""QuickBooks Online webhook payloads: signature check and parsing of both formats.

Signature (spec §A.14; Intuit's Java SDK ``WebhooksService`` and python-quickbooks
``validate_webhook_signature``): header ``intuit-signature`` is
Base64(HMAC-SHA256(key = the app's verifier token, message = the raw request body)). We compare
in constant time.

Payloads (spec §A.14):

* legacy: ``{"eventNotifications": [{"realmId", "dataChangeEvent": {"entities": [{"name",
  "id", "operation", "lastUpdated"}]}}]}``;
* CloudEvents (mandatory from 2026): a JSON array of ``{"specversion": "1.0", "id", "source",
  "type": "qbo.<entity>.<event>.v1", "time", "intuitentityid", "intuitaccountid", "data"}``,
  where ``intuitaccountid`` is the realm.

Neither carries field values: the receiver re-reads the entity.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

__all__ = ["WebhookEvent", "WebhookPayloadError", "parse_payload", "sign", "verify_signature"]

_ENTITY_NAMES = {
    "account": "Account",
    "bill": "Bill",
    "billpayment": "BillPayment",
    "class": "Class",
    "customer": "Customer",
    "employee": "Employee",
    "estimate": "Estimate",
    "item": "Item",
    "journalentry": "JournalEntry",
    "purchase": "Purchase",
    "purchaseorder": "PurchaseOrder",
    "vendor": "Vendor",
    "vendorcredit": "VendorCredit",
}


class WebhookPayloadError(ValueError):
    """The body is neither a legacy nor a CloudEvents QuickBooks webhook payload."""


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    dedupe_key: str
    realm_id: str
    entity: str
    entity_id: str
    operation: str
    occurred_at: datetime | None
    payload_format: str
    payload: dict[str, Any]


def sign(body: bytes, verifier_token: str) -> str:
    digest = hmac.new(verifier_token.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def verify_signature(body: bytes, signature: str | None, verifier_token: str) -> bool:
    if not signature or not verifier_token:
        return False
    return hmac.compare_digest(sign(body, verifier_token).encode(), signature.strip().encode())


def _time(raw: Any) -> datetime | None:
    if not isinstance(raw, str) or not raw:
        return None
    text = raw.strip()
    # Intuit writes offsets without a colon (-0700) and CloudEvents nanoseconds.
    if "." in text:
        head, _, tail = text.partition(".")
        digits = "".join(itertools.takewhile(str.isdigit, tail))
        zone = tail[len(digits) :]
        text = f"{head}.{digits[:6]}{zone}"
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _entity(name: str) -> str:
    return _ENTITY_NAMES.get(name.lower(), name[:1].upper() + name[1:])


def parse_payload(body: bytes) -> list[WebhookEvent]:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise WebhookPayloadError("the webhook body is not JSON") from exc
    except RecursionError as exc:
        raise WebhookPayloadError("the webhook body nests JSON too deeply") from exc
    if isinstance(data, list):
        return [_cloud_event(item) for item in data]
    if isinstance(data, Mapping) and "eventNotifications" in data:
        return _legacy(data)
    if isinstance(data, Mapping) and data.get("specversion"):
        return [_cloud_event(data)]
    raise WebhookPayloadError(
        "the webhook body is neither a legacy payload (eventNotifications) nor CloudEvents "
        "(a JSON array of events with specversion)"
    )


def _cloud_event(item: Any) -> WebhookEvent:
    if not isinstance(item, Mapping):
        raise WebhookPayloadError("a CloudEvents item is not an object")
    event_id = item.get("id")
    event_type = item.get("type")
    realm = item.get("intuitaccountid")
    entity_id = item.get("intuitentityid")
    if not all(isinstance(v, str) and v for v in (event_id, event_type, realm, entity_id)):
        raise WebhookPayloadError(
            "a CloudEvents item lacks id, type, intuitaccountid or intuitentityid"
        )
    parts = str(event_type).split(".")
    if len(parts) < 3 or parts[0] != "qbo":
        raise WebhookPayloadError(f"CloudEvents type {event_type!r} is not qbo.<entity>.<event>.v1")
    return WebhookEvent(
        dedupe_key=f"ce:{event_id}"[:160],
        realm_id=str(realm),
        entity=_entity(parts[1]),
        entity_id=str(entity_id),
        operation=parts[2].capitalize(),
        occurred_at=_time(item.get("time")),
        payload_format="cloudevents",
        payload=dict(item),
    )


def _legacy(data: Mapping[str, Any]) -> list[WebhookEvent]:
    notifications = data.get("eventNotifications")
    if not isinstance(notifications, list):
        raise WebhookPayloadError("eventNotifications is not a list")
    events: list[WebhookEvent] = []
    for note in notifications:
        if not isinstance(note, Mapping):
            raise WebhookPayloadError("an event notification is not an object")
        realm = str(note.get("realmId", ""))
        change = note.get("dataChangeEvent") or {}
        entities = change.get("entities", []) if isinstance(change, Mapping) else []
        if not realm or not isinstance(entities, list):
            raise WebhookPayloadError("an event notification lacks realmId or entities")
        for entity in entities:
            if not isinstance(entity, Mapping) or not entity.get("name") or not entity.get("id"):
                raise WebhookPayloadError("a legacy entity change lacks name or id")
            parts = (
                realm,
                str(entity["name"]),
                str(entity["id"]),
                str(entity.get("operation", "")),
                str(entity.get("lastUpdated", "")),
            )
            digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
            events.append(
                WebhookEvent(
                    dedupe_key=f"legacy:{digest}",
                    realm_id=realm,
                    entity=_entity(parts[1]),
                    entity_id=parts[2],
                    operation=parts[3],
                    occurred_at=_time(entity.get("lastUpdated")),
                    payload_format="legacy",
                    payload={"realmId": realm, **dict(entity)},
                )
            )
    return events
