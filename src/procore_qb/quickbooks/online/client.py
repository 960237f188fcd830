"""The QuickBooks Online v3 API client for one realm.

Every call goes through :meth:`QboClient._call`: it adds ``minorversion`` (default 75, spec
§A.1), the bearer token, holds a slot of the per-realm :class:`~.throttle.RealmLimiter`, maps
the answer with :func:`~.errors.error_from_response`, refreshes the access token once on a 401,
and lets the project's retry policy (:class:`procore_qb.retrying.RetryPolicy`) decide about 429,
5xx and transport failures: every call may be repeated, reads by nature and writes because they
carry a ``requestid``. A ``Retry-After`` longer than the policy waits in-process raises
:class:`~procore_qb.retrying.RetryLater` for the job queue to retry the job then.

Every write carries a ``requestid`` (≤ 50 characters; ≤ 36 on a batch call, spec §A.10).
QuickBooks answers a repeated ``requestid`` with the original response instead of doing the work
again, so a write whose answer was lost is retried with the same ``requestid`` and never
becomes a duplicate.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, NoReturn, Protocol

import httpx2

from procore_qb.quickbooks.online.errors import (
    OutcomeUnknown,
    QboAuthError,
    QboError,
    QboProtocolError,
    QboServerError,
    QboThrottled,
    QboTransportError,
    error_from_fault,
    error_from_response,
)
from procore_qb.quickbooks.online.query import MAX_PAGE_SIZE, Query
from procore_qb.quickbooks.online.throttle import RealmLimiter
from procore_qb.retrying import RetryPolicy

__all__ = [
    "DEFAULT_MINOR_VERSION",
    "MAX_BATCH_REQUEST_ID",
    "MAX_REQUEST_ID",
    "PRODUCTION_BASE_URL",
    "SANDBOX_BASE_URL",
    "AccessTokenSource",
    "QboClient",
    "batch_request_id",
    "check_request_id",
    "server_time",
]

PRODUCTION_BASE_URL = "https://quickbooks.api.intuit.com"
SANDBOX_BASE_URL = "https://sandbox-quickbooks.api.intuit.com"
DEFAULT_MINOR_VERSION = 75
MAX_REQUEST_ID = 50
MAX_BATCH_REQUEST_ID = 36


class AccessTokenSource(Protocol):
    """Where the client gets its bearer token (see :class:`~.oauth.TokenManager`)."""

    def access_token(self) -> str:
        """A token that is not about to expire (refreshing first if needed)."""
        ...

    def refresh_after_rejection(self, rejected: str) -> str:
        """QuickBooks answered 401 to ``rejected``: return a fresh token (refresh once)."""
        ...


def check_request_id(value: str, *, batch: bool = False) -> str:
    limit = MAX_BATCH_REQUEST_ID if batch else MAX_REQUEST_ID
    if not value or len(value) > limit or not value.isascii() or not value.isprintable():
        raise ValueError(
            f"requestid must be 1-{limit} printable ASCII characters"
            f"{' on a batch call' if batch else ''}, got {value!r}"
        )
    return value


def batch_request_id(keys: Sequence[str]) -> str:
    """The ``requestid`` of a batch call carrying commands with ``keys`` (in order).

    The same commands in the same order always give the same id, so a batch whose answer was
    lost is replayed rather than redone.
    """
    if not keys:
        raise ValueError("a batch needs at least one command")
    digest = hashlib.sha256("\n".join(keys).encode()).hexdigest()
    return "b" + digest[:35]


def server_time(body: Mapping[str, Any]) -> datetime | None:
    """The ``time`` of a response (QuickBooks' clock, the right CDC watermark; spec §A.7)."""
    raw = body.get("time")
    if not isinstance(raw, str):
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _path_name(entity: str) -> str:
    return entity.lower()


def _retry_after(error: BaseException) -> float | None:
    return error.retry_after if isinstance(error, QboThrottled | QboServerError) else None


class QboClient:
    """API client of one realm. ``http`` is any ``httpx2.Client`` (Starlette's TestClient in
    tests); its base URL is not used: ``base_url`` is (e.g. :data:`SANDBOX_BASE_URL`). Timeouts
    are the injected client's (give it e.g. ``httpx2.Timeout(60, connect=10)``)."""

    def __init__(
        self,
        http: httpx2.Client,
        *,
        realm_id: str,
        tokens: AccessTokenSource,
        base_url: str = PRODUCTION_BASE_URL,
        minor_version: int = DEFAULT_MINOR_VERSION,
        limiter: RealmLimiter | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        if not realm_id or not realm_id.isdigit():
            raise ValueError(f"realm_id must be the company's numeric realmId, got {realm_id!r}")
        self._http = http
        self.realm_id = realm_id
        self._tokens = tokens
        self.base_url = base_url.rstrip("/")
        self.minor_version = minor_version
        self._limiter = limiter if limiter is not None else RealmLimiter()
        self._retry = retry if retry is not None else RetryPolicy()
        #: HTTP requests sent (each retry counts); the benches report it.
        self.calls = 0
        #: The ``time`` of the last answer.
        self.last_server_time: datetime | None = None

    def __repr__(self) -> str:
        return f"QboClient(realm_id={self.realm_id!r}, base_url={self.base_url!r})"

    # ------------------------------------------------------------------ transport

    def _url(self, suffix: str) -> str:
        return f"{self.base_url}/v3/company/{self.realm_id}/{suffix}"

    def _call(
        self,
        method: str,
        suffix: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        text_body: str | None = None,
        write: bool = False,
        batch: bool = False,
    ) -> dict[str, Any]:
        query = {"minorversion": str(self.minor_version), **(params or {})}
        headers = {"Accept": "application/json"}
        content: bytes | None = None
        if json_body is not None:
            headers["Content-Type"] = "application/json"
            content = json.dumps(json_body, separators=(",", ":")).encode()
        elif text_body is not None:
            headers["Content-Type"] = "application/text"
            content = text_body.encode()
        refreshed = False

        def once() -> dict[str, Any]:
            nonlocal refreshed
            token = self._tokens.access_token()
            while True:
                try:
                    with self._limiter.slot(self.realm_id, batch=batch):
                        self.calls += 1
                        response = self._http.request(
                            method,
                            self._url(suffix),
                            params=query,
                            content=content,
                            headers={**headers, "Authorization": f"Bearer {token}"},
                        )
                except (httpx2.ConnectError, httpx2.ConnectTimeout) as exc:
                    raise QboTransportError(
                        f"could not reach QuickBooks Online: {type(exc).__name__}",
                        realm_id=self.realm_id,
                    ) from exc
                except httpx2.TransportError as exc:
                    cls = OutcomeUnknown if write else QboTransportError
                    raise cls(
                        f"no answer from QuickBooks Online ({type(exc).__name__})"
                        + ("; replaying the same requestid" if write else ""),
                        realm_id=self.realm_id,
                    ) from exc
                if response.is_success:
                    body = self._json(response)
                    fault = body.get("Fault")
                    if isinstance(fault, Mapping):
                        raise error_from_fault(
                            fault,
                            status=response.status_code,
                            intuit_tid=response.headers.get("intuit_tid"),
                            realm_id=self.realm_id,
                        )
                    self.last_server_time = server_time(body) or self.last_server_time
                    return body
                error = error_from_response(response, realm_id=self.realm_id)
                if (
                    isinstance(error, QboAuthError)
                    and response.status_code == 401
                    and not refreshed
                ):
                    refreshed = True
                    token = self._tokens.refresh_after_rejection(token)
                    continue
                raise error

        return self._retry.run(once, retriable=self._retriable, hint=_retry_after)

    def _retriable(self, error: BaseException) -> bool:
        """Reads and writes alike may be repeated: a write carries its ``requestid``."""
        if isinstance(error, QboTransportError | OutcomeUnknown):
            return self._retry.is_retriable(None, idempotent=True)
        if isinstance(error, QboError) and error.status is not None:
            return self._retry.is_retriable(error.status, idempotent=True)
        return False

    def _json(self, response: httpx2.Response) -> dict[str, Any]:
        def refuse(token: str) -> NoReturn:
            raise QboProtocolError(
                f"QuickBooks Online answered {response.status_code} with {token} in its JSON: "
                "JSON has no NaN or Infinity (RFC 8259 §6, numbers are finite) and QuickBooks "
                "never sends them, so the answer is refused; check that "
                "PROCORE_QB_QBO__API_BASE_URL is QuickBooks Online's own address",
                status=response.status_code,
                intuit_tid=response.headers.get("intuit_tid"),
                realm_id=self.realm_id,
            )

        try:
            # Python's decoder reads NaN, Infinity and -Infinity unless told otherwise. It
            # decodes a query page of 1,000 bills in about 2 us a line (orjson: 1.6 us, half a
            # percent of a synced line's CPU): most of the time is making the objects.
            body = json.loads(response.content, parse_constant=refuse)
        except (ValueError, RecursionError) as exc:
            raise QboProtocolError(
                f"QuickBooks Online answered {response.status_code} with a body that is not JSON",
                status=response.status_code,
                intuit_tid=response.headers.get("intuit_tid"),
                realm_id=self.realm_id,
            ) from exc
        if not isinstance(body, dict):
            raise QboProtocolError(
                "QuickBooks Online answered with JSON that is not an object",
                status=response.status_code,
                realm_id=self.realm_id,
            )
        return body

    @staticmethod
    def _entity(body: Mapping[str, Any], entity: str) -> dict[str, Any]:
        value = body.get(entity)
        if not isinstance(value, dict):
            raise QboProtocolError(f"the answer has no {entity} object")
        return value

    # ------------------------------------------------------------------ entities

    def read(self, entity: str, entity_id: str) -> dict[str, Any]:
        """``GET /{entity}/{id}``."""
        body = self._call("GET", f"{_path_name(entity)}/{entity_id}")
        return self._entity(body, entity)

    def read_singleton(self, entity: str, path: str) -> dict[str, Any]:
        """An entity whose path is not ``{entity}/{id}`` (``preferences``)."""
        return self._entity(self._call("GET", path), entity)

    def create(self, entity: str, body: Mapping[str, Any], *, request_id: str) -> dict[str, Any]:
        """``POST /{entity}`` with ``requestid``; returns the created entity."""
        answer = self._call(
            "POST",
            _path_name(entity),
            params={"requestid": check_request_id(request_id)},
            json_body=dict(body),
            write=True,
        )
        return self._entity(answer, entity)

    def update(
        self,
        entity: str,
        body: Mapping[str, Any],
        *,
        request_id: str,
        sparse: bool = True,
    ) -> dict[str, Any]:
        """``POST /{entity}`` with ``Id`` and the current ``SyncToken``. Sparse by default:
        a full update clears every field not sent (spec §A.9)."""
        if "Id" not in body or "SyncToken" not in body:
            raise ValueError(f"updating a {entity} needs its Id and current SyncToken")
        payload = {**body, "sparse": sparse}
        answer = self._call(
            "POST",
            _path_name(entity),
            params={"requestid": check_request_id(request_id)},
            json_body=payload,
            write=True,
        )
        return self._entity(answer, entity)

    def delete(
        self, entity: str, entity_id: str, sync_token: str, *, request_id: str
    ) -> dict[str, Any]:
        """``POST /{entity}?operation=delete`` (transactions only; names are deactivated)."""
        answer = self._call(
            "POST",
            _path_name(entity),
            params={"operation": "delete", "requestid": check_request_id(request_id)},
            json_body={"Id": entity_id, "SyncToken": sync_token},
            write=True,
        )
        value = answer.get(entity)
        return value if isinstance(value, dict) else {}

    # ------------------------------------------------------------------ queries

    def query(self, statement: str) -> dict[str, Any]:
        """One query statement; returns the ``QueryResponse`` object (possibly empty)."""
        body = self._call("POST", "query", text_body=statement)
        response = body.get("QueryResponse", {})
        if not isinstance(response, dict):
            raise QboProtocolError("QueryResponse is not an object")
        return response

    def query_pages(
        self, query: Query, *, page_size: int = MAX_PAGE_SIZE
    ) -> Iterator[list[dict[str, Any]]]:
        """Every page of ``query``: ``STARTPOSITION`` 1, 1 + n, ...; stops after a short or
        empty page (QuickBooks answers past the end with an empty ``QueryResponse``)."""
        start = 1
        while True:
            response = self.query(query.render(start, page_size))
            rows = response.get(query.entity, [])
            if not isinstance(rows, list):
                raise QboProtocolError(f"QueryResponse.{query.entity} is not a list")
            if rows:
                yield rows
            if len(rows) < page_size:
                return
            start += len(rows)

    def query_all(
        self, query: Query, *, page_size: int = MAX_PAGE_SIZE
    ) -> Iterator[dict[str, Any]]:
        for page in self.query_pages(query, page_size=page_size):
            yield from page

    def count(self, query: Query) -> int:
        response = self.query(query.render_count())
        total = response.get("totalCount", 0)
        if not isinstance(total, int):
            raise QboProtocolError("QueryResponse.totalCount is not a number")
        return total

    # ------------------------------------------------------------------ CDC, batch

    def change_data_capture(
        self, entities: Iterable[str], changed_since: datetime
    ) -> dict[str, Any]:
        """``GET /cdc``; returns the whole body (``CDCResponse`` and ``time``)."""
        if changed_since.tzinfo is None:
            raise ValueError("changed_since must be timezone-aware")
        names = ",".join(entities)
        return self._call(
            "GET",
            "cdc",
            params={
                "entities": names,
                "changedSince": changed_since.astimezone(UTC).isoformat(timespec="seconds"),
            },
        )

    def batch(self, items: Sequence[Mapping[str, Any]], *, request_id: str) -> list[dict[str, Any]]:
        """``POST /batch`` with ``BatchItemRequest`` items (each with a ``bId``); returns the
        ``BatchItemResponse`` list. Splitting into chunks is :mod:`.batch`'s job."""
        body = self._call(
            "POST",
            "batch",
            params={"requestid": check_request_id(request_id, batch=True)},
            json_body={"BatchItemRequest": [dict(i) for i in items]},
            write=True,
            batch=True,
        )
        answers = body.get("BatchItemResponse", [])
        if not isinstance(answers, list):
            raise QboProtocolError("BatchItemResponse is not a list")
        return answers
