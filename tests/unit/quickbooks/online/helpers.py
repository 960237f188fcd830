"""Shared helpers of the QuickBooks Online unit tests: a scripted transport and fixed tokens."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx2

from procore_qb.quickbooks.online.client import QboClient
from procore_qb.quickbooks.online.throttle import RealmLimiter
from procore_qb.retrying import RetryPolicy, no_sleep

REALM = "9130357992221046"
TIME = "2026-11-28T03:00:00.000-08:00"

Handler = Callable[[httpx2.Request], httpx2.Response]


class FixedTokens:
    """An access-token source that hands out ``token-N`` and counts refreshes."""

    def __init__(self) -> None:
        self.n = 1
        self.refreshes = 0

    def access_token(self) -> str:
        return f"token-{self.n}"

    def refresh_after_rejection(self, rejected: str) -> str:
        self.refreshes += 1
        self.n += 1
        return f"token-{self.n}"


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> httpx2.Response:
    return httpx2.Response(
        status,
        content=json.dumps(body).encode(),
        headers={"content-type": "application/json", **(headers or {})},
    )


def fault(
    code: str, message: str, detail: str = "", element: str = "", kind: str = "ValidationFault"
) -> dict[str, Any]:
    return {
        "Fault": {
            "Error": [{"Message": message, "Detail": detail, "code": code, "element": element}],
            "type": kind,
        },
        "time": TIME,
    }


def make_client(
    handler: Handler,
    *,
    sleeps: list[float] | None = None,
    tokens: FixedTokens | None = None,
    max_attempts: int = 5,
) -> QboClient:
    recorded = sleeps if sleeps is not None else []
    return QboClient(
        httpx2.Client(transport=httpx2.MockTransport(handler)),
        realm_id=REALM,
        tokens=tokens or FixedTokens(),
        base_url="https://qbo.test",
        retry=RetryPolicy(max_attempts=max_attempts, sleep=recorded.append),
        limiter=RealmLimiter(sleep=no_sleep),
    )
