"""The Procore API client: auth, ``Procore-Company-Id``, rate limits, retries, paging, errors.

One :class:`ProcoreClient` talks to one company. It sends every call with the bearer token
and the ``Procore-Company-Id`` header (needed even when the id is in the path or query, and on
``/me`` and ``/companies`` for service accounts; spec procore-api §1.2), paces itself under the
rate limits (:mod:`.ratelimit`), repeats what the project's retry policy
(:mod:`procore_qb.retrying`) says may be repeated (raising
:class:`~procore_qb.retrying.RetryLater` instead of sleeping through a long ``Retry-After``),
refreshes the token once after a 401, and maps any other error status through
:func:`~procore_qb.procore.errors.error_from_response`.

Sleeping goes through the injected ``sleep`` (tests pass a recorder or ``lambda s: None``);
``clock`` is wall-clock Unix seconds, because Procore's ``X-Rate-Limit-Reset`` is one.
"""

from __future__ import annotations

import contextlib
import json as jsonlib
import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import httpx2
import orjson

from procore_qb.procore.answers import answer_object, shown
from procore_qb.procore.errors import (
    ProcoreAuthError,
    ProcoreProtocolError,
    ProcoreTransportError,
    ProcoreUsageError,
    error_from_response,
)
from procore_qb.procore.filters import QueryValue
from procore_qb.procore.oauth import Authenticator
from procore_qb.procore.paging import parse_page_info
from procore_qb.procore.ratelimit import RateLimitPacer
from procore_qb.procore.sync import MAX_SYNC_BATCH, JSONObject, SyncResult
from procore_qb.retrying import SAFE_METHODS, RetryPolicy, wait_hint

__all__ = ["DEFAULT_PER_PAGE", "ProcoreClient", "answer_body", "request_body"]

log = logging.getLogger(__name__)

DEFAULT_PER_PAGE = 1000
"""Items asked for per page; Procore advises at most 2,000 on v1 (spec procore-api §1.3)."""

Params = Mapping[str, QueryValue]


class _Again(Exception):
    """One attempt failed in a way the retry policy repeats (never leaves this module)."""

    def __init__(
        self,
        *,
        response: httpx2.Response | None = None,
        cause: httpx2.TransportError | None = None,
        hint: float | None = None,
    ) -> None:
        super().__init__("retry")
        self.response = response
        self.cause = cause
        self.hint = hint


class ProcoreClient:
    """Calls Procore's REST API for one company. Share ``pacer`` between clients of one token."""

    def __init__(
        self,
        http: httpx2.Client,
        auth: Authenticator,
        *,
        company_id: int,
        base_url: str = "https://api.procore.com",
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        retry: RetryPolicy | None = None,
        pacer: RateLimitPacer | None = None,
        per_page: int = DEFAULT_PER_PAGE,
    ) -> None:
        if not company_id or company_id < 0:
            raise ProcoreUsageError(
                "company_id must be the Procore company id (a positive integer); every call "
                "sends it as the Procore-Company-Id header"
            )
        self.http = http
        self.auth = auth
        self.company_id = int(company_id)
        self.base_url = base_url.rstrip("/")
        self.sleep = sleep
        self.clock = clock
        self.retry = retry or RetryPolicy()
        self.pacer = pacer or RateLimitPacer()
        self.per_page = per_page
        self.calls = 0
        """HTTP calls sent, retries and refreshes included (benchmarks read it)."""

    def for_company(self, company_id: int) -> ProcoreClient:
        """The same connection, token and rate-limit pacer, for another company."""
        return ProcoreClient(
            self.http,
            self.auth,
            company_id=company_id,
            base_url=self.base_url,
            sleep=self.sleep,
            clock=self.clock,
            retry=self.retry,
            pacer=self.pacer,
            per_page=self.per_page,
        )

    # ------------------------------------------------------------------ one call

    def _send(
        self, method: str, path: str, token: str, params: Params | None, json: Any
    ) -> httpx2.Response:
        wait = self.pacer.delay(self.clock())
        if wait > 0:
            log.debug("procore: pacing %.2fs under the rate limit", wait)
            self.sleep(wait)
        headers = {
            "Authorization": f"Bearer {token}",
            "Procore-Company-Id": str(self.company_id),
            "Accept": "application/json",
        }
        content = None
        if json is not None:
            content = request_body(json)
            headers["Content-Type"] = "application/json"
        self.calls += 1
        self.pacer.sent()
        return self.http.request(
            method,
            self.base_url + path,
            params=dict(params) if params else None,
            content=content,
            headers=headers,
        )

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        json: Any = None,
    ) -> httpx2.Response:
        """One logical call: paced, retried, refreshed once on 401; error statuses raise."""
        if not path.startswith("/rest/"):
            raise ProcoreUsageError(f"Procore API paths start with /rest/v1.x/, got {path!r}")
        method = method.upper()
        idempotent = method in SAFE_METHODS
        token = self.auth.access_token()
        refreshed = False

        def once() -> httpx2.Response:
            nonlocal token, refreshed
            while True:
                try:
                    response = self._send(method, path, token, params, json)
                except httpx2.TransportError as exc:
                    if self.retry.is_retriable(None, idempotent=idempotent):
                        raise _Again(cause=exc) from exc
                    raise ProcoreTransportError(
                        f"no answer from Procore for {method} {path}: {exc}"
                    ) from exc
                self.pacer.observe(response.headers)
                status = response.status_code
                if status < 400:
                    return response
                if status == 401 and not refreshed:
                    refreshed = True
                    try:
                        token = self.auth.refresh(token)
                    except ProcoreAuthError as exc:
                        # No fresh token to be had (revoked refresh token, fixed token): the
                        # 401 stands, with the reason attached.
                        raise error_from_response(response, company_id=self.company_id) from exc
                    continue
                if self.retry.is_retriable(status, idempotent=idempotent, headers=response.headers):
                    log.info("procore: %s %s got %s; retrying", method, path, status)
                    raise _Again(
                        response=response, hint=wait_hint(response.headers, now=self.clock())
                    )
                raise error_from_response(response, company_id=self.company_id)

        try:
            return self.retry.run(
                once,
                retriable=lambda error: isinstance(error, _Again),
                hint=lambda error: error.hint if isinstance(error, _Again) else None,
                sleep=self.sleep,
            )
        except _Again as last:
            if last.response is None:
                raise ProcoreTransportError(
                    f"no answer from Procore for {method} {path}: {last.cause}"
                ) from last.cause
            raise error_from_response(last.response, company_id=self.company_id) from None

    def get(self, path: str, params: Params | None = None) -> Any:
        return _json(self.request("GET", path, params=params))

    def post(self, path: str, json: Any, params: Params | None = None) -> Any:
        return _json_or_none(self.request("POST", path, params=params, json=json))

    def patch(self, path: str, json: Any, params: Params | None = None) -> Any:
        return _json_or_none(self.request("PATCH", path, params=params, json=json))

    def delete(self, path: str, params: Params | None = None) -> None:
        self.request("DELETE", path, params=params)

    # ------------------------------------------------------------------ lists

    def paginate(
        self, path: str, params: Params | None = None, *, per_page: int | None = None
    ) -> Iterator[JSONObject]:
        """Every item of a list endpoint, page by page, driven by ``Link``/``Total``/``Per-Page``.

        Stops when the ``Link`` header has no ``next``, or (without a ``Link`` header) when
        ``Total`` items have been read, a page comes back short, or a page is empty. A list
        endpoint that does not paginate answers once with everything.
        """
        size = per_page or self.per_page
        page = 1
        seen = 0
        while True:
            query: dict[str, QueryValue] = {**(params or {}), "page": page, "per_page": size}
            response = self.request("GET", path, params=query)
            items = _json(response)
            if not isinstance(items, list):
                sent = shown(items)
                raise ProcoreProtocolError(
                    f"Procore sent {sent} where the list of {path} belongs",
                    resource=f"{path} list",
                    sent=sent,
                )
            for item in items:
                answer_object(item, f"item of the {path} list")
            yield from items
            seen += len(items)
            info = parse_page_info(response.headers)
            if info.has_link_header:
                if info.next_page is None or info.next_page <= page:
                    return
                page = info.next_page
                continue
            if not items:
                return
            if info.total is not None and seen >= info.total:
                return
            if len(items) < (info.per_page or size):
                return
            page += 1

    # ------------------------------------------------------------------ sync

    def sync(
        self,
        path: str,
        items: Sequence[JSONObject],
        *,
        body: JSONObject | None = None,
        params: Params | None = None,
        items_key: str = "updates",
        method: str = "PATCH",
        batch_size: int = MAX_SYNC_BATCH,
    ) -> SyncResult:
        """Send ``items`` to a ``…/sync`` action in batches; merge entities and per-item errors.

        ``body`` holds scoping keys sent with every batch (``company_id``,
        ``standard_cost_code_list_id``...). Batches hold at most 1,000 items (Procore's cap).
        """
        if not 1 <= batch_size <= MAX_SYNC_BATCH:
            raise ProcoreUsageError(
                f"sync batches hold 1 to {MAX_SYNC_BATCH} items (Procore's cap), got {batch_size}"
            )
        result = SyncResult()
        for start in range(0, len(items), batch_size):
            batch = list(items[start : start + batch_size])
            payload = {**(body or {}), items_key: batch}
            answer = _json(self.request(method, path, params=params, json=payload))
            result.merge(answer, what=f"{path} answer")
        return result


def request_body(payload: Any) -> bytes:
    """A request's JSON body: what httpx writes for ``json=`` (UTF-8, no spaces), written by
    orjson, which takes a tenth of the time for a sync call of 1,000 items (about 1.5 us of
    each job cost line's write). What orjson does not encode (an integer beyond 64 bits) is
    written by Python's encoder, as httpx would. One difference: orjson writes a float NaN or
    infinity as ``null`` where httpx refused it; procore-qb sends none (its amounts are whole
    cents, bounded, divided by 100)."""
    try:
        return orjson.dumps(payload)
    except TypeError:  # orjson.JSONEncodeError
        text = jsonlib.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        return text.encode("utf-8")


_DIGITS_ONLY = bytes(0x30 if 0x30 <= b <= 0x39 else 0x20 for b in range(256))
"""Every ASCII digit as ``0``, every other byte as a space: the runs of digits of a body."""
_WIDE_RUN = b"0" * 19
"""The shortest run of digits that can write an integer beyond 64 bits (2**63 has 19)."""


def answer_body(content: bytes) -> Any:
    """An answer's JSON body, as Python's decoder reads it (what httpx's ``json()`` gives),
    read by orjson when that gives the same: three fifths of the time for a sync answer of
    1,000 items, the look for long runs of digits included. orjson reads an integer beyond 64
    bits as a float, so a body with a run of 19 digits or more (anywhere: such a run is rare)
    goes to Python's decoder, as does every body orjson refuses (NaN and infinities, lone
    surrogates, a byte-order mark, nesting beyond 1,024), which then reads it or raises as
    before."""
    if _WIDE_RUN not in content.translate(_DIGITS_ONLY):
        with contextlib.suppress(orjson.JSONDecodeError):  # refused: Python's decoder says
            return orjson.loads(content)
    return jsonlib.loads(content)


def _json_or_none(response: httpx2.Response) -> Any:
    if response.status_code == 204 or not response.content:
        return None
    return _json(response)


def _json(response: httpx2.Response) -> Any:
    """The answer's JSON body; a body that is none raises :class:`ProcoreProtocolError`."""
    try:
        return answer_body(response.content)
    except (ValueError, RecursionError):
        # json.JSONDecodeError and UnicodeDecodeError are ValueErrors; nesting too deep to
        # parse is a RecursionError
        path = response.request.url.path
        sent = shown(response.text[:200])
        raise ProcoreProtocolError(
            f"Procore answered {response.request.method} {path} with {response.status_code} "
            f"but a body that is no JSON: {sent}",
            resource=f"{path} answer",
            sent=sent,
        ) from None
