"""A scripted Procore for unit tests: routes answer from queues, every request is recorded."""

from __future__ import annotations

import json
from collections import defaultdict, deque
from collections.abc import Callable
from typing import Any

import httpx2

from procore_qb.procore.client import ProcoreClient
from procore_qb.procore.oauth import StaticTokenAuth
from procore_qb.retrying import RetryPolicy

COMPANY = 4263
BASE = "https://api.procore.test"

Answer = httpx2.Response | Callable[[httpx2.Request], httpx2.Response]


def reply(
    status: int = 200, body: Any = None, headers: dict[str, str] | None = None
) -> httpx2.Response:
    content = b"" if body is None else json.dumps(body).encode()
    hdrs = {"Content-Type": "application/json", **(headers or {})}
    return httpx2.Response(status, content=content, headers=hdrs)


class FakeProcore:
    """Answers ``(method, path)`` from a queue (the last answer repeats) and records requests."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], deque[Answer]] = defaultdict(deque)
        self.requests: list[httpx2.Request] = []

    def on(self, method: str, path: str, *answers: Answer) -> None:
        self.routes[(method, path)].extend(answers)

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        queue = self.routes.get((request.method, request.url.path))
        if not queue:
            return reply(404, {"error": {"code": "not_found", "message": "no fake route"}})
        answer = queue.popleft() if len(queue) > 1 else queue[0]
        return answer(request) if callable(answer) else answer

    def bodies(self) -> list[Any]:
        return [json.loads(r.content) if r.content else None for r in self.requests]


def make_client(
    fake: FakeProcore,
    *,
    token: str = "tok",  # noqa: S107 - a fake bearer token
    sleeps: list[float] | None = None,
    now: float = 1_700_000_000.0,
    **kwargs: Any,
) -> ProcoreClient:
    record = sleeps if sleeps is not None else []
    return ProcoreClient(
        httpx2.Client(transport=httpx2.MockTransport(fake)),
        kwargs.pop("auth", StaticTokenAuth(token)),
        company_id=COMPANY,
        base_url=BASE,
        sleep=record.append,
        clock=lambda: now,
        retry=kwargs.pop("retry", RetryPolicy(random=lambda: 1.0)),
        **kwargs,
    )
