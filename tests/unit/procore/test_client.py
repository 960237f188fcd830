from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import Any

import httpx2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procore_qb.procore import errors
from procore_qb.procore.client import ProcoreClient, answer_body, request_body
from procore_qb.procore.oauth import StaticTokenAuth
from procore_qb.retrying import RetryLater

from .fakes import BASE, COMPANY, FakeProcore, make_client, reply


def _link(path: str, page: int, last: int, per_page: int) -> str:
    parts = []
    if page > 1:
        parts.append(f'<{BASE}{path}?page=1&per_page={per_page}>; rel="first"')
        parts.append(f'<{BASE}{path}?page={page - 1}&per_page={per_page}>; rel="prev"')
    if page < last:
        parts.append(f'<{BASE}{path}?page={last}&per_page={per_page}>; rel="last"')
        parts.append(f'<{BASE}{path}?page={page + 1}&per_page={per_page}>; rel="next"')
    return ", ".join(parts)


def paged(total: int, *, link: bool = True) -> object:
    def answer(request: httpx2.Request) -> httpx2.Response:
        page = int(request.url.params["page"])
        per_page = int(request.url.params["per_page"])
        start = (page - 1) * per_page
        items = [{"id": i} for i in range(start, min(total, start + per_page))]
        last = max(1, -(-total // per_page))
        headers = {"Total": str(total), "Per-Page": str(per_page)}
        if link:
            headers["Link"] = _link(request.url.path, page, last, per_page)
        return reply(200, items, headers)

    return answer


def test_every_call_carries_the_token_and_the_company_header() -> None:
    fake = FakeProcore()
    fake.on("GET", "/rest/v1.0/me", reply(200, {"id": 1}))
    client = make_client(fake, token="secret-token")
    assert client.get("/rest/v1.0/me") == {"id": 1}
    request = fake.requests[0]
    assert request.headers["Authorization"] == "Bearer secret-token"
    assert request.headers["Procore-Company-Id"] == str(COMPANY)


def test_company_id_must_be_a_positive_integer() -> None:
    with pytest.raises(errors.ProcoreUsageError, match="Procore-Company-Id"):
        ProcoreClient(httpx2.Client(), StaticTokenAuth("t"), company_id=0)


def test_paths_must_be_rest_paths() -> None:
    client = make_client(FakeProcore())
    with pytest.raises(errors.ProcoreUsageError, match="/rest/"):
        client.get("projects")


@pytest.mark.parametrize("link", [True, False])
def test_paging_reads_every_item_once(link: bool) -> None:
    fake = FakeProcore()
    fake.on("GET", "/rest/v1.0/projects", paged(2_345, link=link))
    client = make_client(fake)
    ids = [p["id"] for p in client.paginate("/rest/v1.0/projects", per_page=1000)]
    assert ids == list(range(2_345))
    assert [r.url.params["page"] for r in fake.requests] == ["1", "2", "3"]
    assert client.calls == 3


def test_paging_an_exact_multiple_stops_without_an_extra_call() -> None:
    fake = FakeProcore()
    fake.on("GET", "/rest/v1.0/projects", paged(2_000))
    client = make_client(fake)
    assert len(list(client.paginate("/rest/v1.0/projects", per_page=1000))) == 2_000
    assert client.calls == 2


def test_paging_follows_a_smaller_page_size_the_server_imposes() -> None:
    def capped(request: httpx2.Request) -> httpx2.Response:
        page = int(request.url.params["page"])
        items = [{"id": i} for i in range((page - 1) * 100, min(250, page * 100))]
        return reply(200, items, {"Link": _link(request.url.path, page, 3, 100)})

    fake = FakeProcore()
    fake.on("GET", "/rest/v1.0/projects", capped)
    client = make_client(fake)
    assert len(list(client.paginate("/rest/v1.0/projects", per_page=1000))) == 250


def test_paging_without_headers_stops_at_a_short_page() -> None:
    fake = FakeProcore()
    fake.on("GET", "/rest/v1.0/offices", reply(200, [{"id": 1}, {"id": 2}]))
    client = make_client(fake)
    assert len(list(client.paginate("/rest/v1.0/offices"))) == 2
    assert client.calls == 1


def test_paging_keeps_the_filters() -> None:
    fake = FakeProcore()
    fake.on("GET", "/rest/v1.0/projects", paged(3))
    client = make_client(fake)
    list(client.paginate("/rest/v1.0/projects", {"filters[origin_id]": "80-1"}))
    assert fake.requests[0].url.params["filters[origin_id]"] == "80-1"


class _Rotating:
    def __init__(self) -> None:
        self.token = "old"
        self.refreshed: list[str] = []

    def access_token(self) -> str:
        return self.token

    def refresh(self, rejected: str) -> str:
        self.refreshed.append(rejected)
        self.token = "new"
        return self.token


def test_a_401_refreshes_the_token_once_and_repeats_the_call() -> None:
    fake = FakeProcore()
    fake.on(
        "GET",
        "/rest/v1.0/me",
        lambda r: (
            reply(200, {"id": 1})
            if r.headers["Authorization"] == "Bearer new"
            else reply(401, {"message": "The access token is invalid"})
        ),
    )
    auth = _Rotating()
    client = make_client(fake, auth=auth)
    assert client.get("/rest/v1.0/me") == {"id": 1}
    assert auth.refreshed == ["old"]


def test_a_second_401_is_final() -> None:
    fake = FakeProcore()
    fake.on("GET", "/rest/v1.0/me", reply(401, {"message": "The access token is invalid"}))
    auth = _Rotating()
    client = make_client(fake, auth=auth)
    with pytest.raises(errors.Unauthorized, match="access token is invalid") as info:
        client.get("/rest/v1.0/me")
    assert auth.refreshed == ["old"]
    assert info.value.company_id == COMPANY


@pytest.mark.parametrize(
    ("status", "body", "cls", "text"),
    [
        (400, {"error": {"code": "bad", "message": "Missing Procore-Company-Id header!"}},
         errors.BadRequest, "Missing Procore-Company-Id"),
        (403, {"error": {"code": "forbidden", "message": "needs 'Admin' on the Directory tool"}},
         errors.Forbidden, "permission denied: needs 'Admin' on the Directory tool"),
        (403, None, errors.Forbidden, "lacks the Procore tool permission"),
        (404, {"error": {"code": "not_found", "message": "Project not found"}},
         errors.NotFound, "Project not found"),
        (409, {"errors": {"origin_id": ["has already been taken"]}},
         errors.Conflict, "origin_id has already been taken"),
        (422, {"errors": {"name": ["is too long"]}}, errors.ValidationFailed, "name is too long"),
        (500, {"message": "boom"}, errors.ServerError, "boom"),
        (418, "teapot", errors.ProcoreAPIError, "teapot"),
    ],
)  # fmt: skip
def test_error_statuses_map_to_one_hierarchy(
    status: int, body: object, cls: type[errors.ProcoreAPIError], text: str
) -> None:
    fake = FakeProcore()
    fake.on("POST", "/rest/v1.0/projects", reply(status, body, {"X-Request-Id": "req-7"}))
    client = make_client(fake)
    with pytest.raises(cls) as info:
        client.post("/rest/v1.0/projects", {"company_id": COMPANY, "project": {}})
    err = info.value
    assert type(err) is cls
    assert isinstance(err, errors.ProcoreError)
    assert text in str(err)
    assert err.status == status
    assert err.request_id == "req-7"
    assert err.company_id == COMPANY
    assert err.path == "/rest/v1.0/projects"
    assert client.calls == 1


def test_validation_errors_expose_procores_body() -> None:
    fake = FakeProcore()
    fake.on("PATCH", "/rest/v1.0/projects/5", reply(422, {"errors": {"name": ["can't be blank"]}}))
    with pytest.raises(errors.ValidationFailed) as info:
        make_client(fake).patch("/rest/v1.0/projects/5", {})
    assert info.value.field_errors == {"name": ["can't be blank"]}
    assert info.value.body == {"errors": {"name": ["can't be blank"]}}


def test_a_retry_after_longer_than_the_inline_limit_raises_retry_later() -> None:
    fake = FakeProcore()
    fake.on(
        "GET",
        "/rest/v1.0/me",
        reply(429, {"message": "limit"}, {"Retry-After": "3600"}),
        reply(200, {"id": 1}),
    )
    sleeps: list[float] = []
    client = make_client(fake, sleeps=sleeps)
    with pytest.raises(RetryLater) as caught:
        client.get("/rest/v1.0/me")
    assert caught.value.retry_after == timedelta(hours=1)
    assert sleeps == []
    assert client.calls == 1


def test_429_waits_retry_after_and_recovers() -> None:
    fake = FakeProcore()
    fake.on(
        "POST",
        "/rest/v1.0/projects",
        reply(429, {"message": "limit"}, {"Retry-After": "7"}),
        reply(201, {"id": 9}),
    )
    sleeps: list[float] = []
    client = make_client(fake, sleeps=sleeps)
    assert client.post("/rest/v1.0/projects", {}) == {"id": 9}
    assert sleeps == [7.0]
    assert client.calls == 2


def test_429_without_retry_after_waits_for_the_rate_limit_reset() -> None:
    now = 1_700_000_000.0
    fake = FakeProcore()
    limited = {"X-Rate-Limit-Limit": "25", "X-Rate-Limit-Remaining": "0"}
    fake.on(
        "GET",
        "/rest/v1.0/me",
        reply(429, None, {**limited, "X-Rate-Limit-Reset": str(int(now) + 4)}),
        reply(200, {"id": 1}),
    )
    sleeps: list[float] = []
    client = make_client(fake, sleeps=sleeps, now=now)
    client.get("/rest/v1.0/me")
    # The retry waits out the window once; the pacer then sees the same reset and waits too,
    # because the clock is frozen in this test.
    assert sleeps[0] == pytest.approx(4.0)


def test_429_that_persists_raises_rate_limited() -> None:
    fake = FakeProcore()
    fake.on("GET", "/rest/v1.0/me", reply(429, {"message": "limit"}, {"Retry-After": "1"}))
    sleeps: list[float] = []
    client = make_client(fake, sleeps=sleeps)
    with pytest.raises(errors.RateLimited) as info:
        client.get("/rest/v1.0/me")
    assert info.value.retry_after == 1.0
    assert client.calls == client.retry.max_attempts
    assert len(sleeps) == client.retry.max_attempts - 1


def test_503_with_retry_after_is_retried_even_for_post() -> None:
    fake = FakeProcore()
    fake.on(
        "POST",
        "/rest/v1.0/projects",
        reply(503, None, {"Retry-After": "2"}),
        reply(201, {"id": 3}),
    )
    sleeps: list[float] = []
    assert make_client(fake, sleeps=sleeps).post("/rest/v1.0/projects", {}) == {"id": 3}
    assert sleeps == [2.0]


def test_502_is_retried_for_get_but_not_for_post() -> None:
    fake = FakeProcore()
    fake.on("GET", "/rest/v1.0/me", reply(502), reply(200, {"id": 1}))
    fake.on("POST", "/rest/v1.0/projects", reply(502))
    client = make_client(fake)
    assert client.get("/rest/v1.0/me") == {"id": 1}
    with pytest.raises(errors.ServerError):
        client.post("/rest/v1.0/projects", {})


def test_transport_errors_are_retried_for_reads_then_raised() -> None:
    calls = []

    def down(request: httpx2.Request) -> httpx2.Response:
        calls.append(request)
        raise httpx2.ConnectError("refused", request=request)

    fake = FakeProcore()
    fake.on("GET", "/rest/v1.0/me", down)
    fake.on("POST", "/rest/v1.0/projects", down)
    client = make_client(fake)
    with pytest.raises(errors.ProcoreTransportError, match="no answer"):
        client.get("/rest/v1.0/me")
    assert len(calls) == client.retry.max_attempts
    calls.clear()
    with pytest.raises(errors.ProcoreTransportError):
        client.post("/rest/v1.0/projects", {})
    assert len(calls) == 1


def test_the_client_slows_down_before_the_spike_limit() -> None:
    now = 1_700_000_000.0
    remaining = iter(range(24, -1, -1))

    def answer(request: httpx2.Request) -> httpx2.Response:
        return reply(
            200,
            {"id": 1},
            {
                "X-Rate-Limit-Limit": "25",
                "X-Rate-Limit-Remaining": str(next(remaining)),
                "X-Rate-Limit-Reset": str(int(now) + 10),
            },
        )

    fake = FakeProcore()
    fake.on("GET", "/rest/v1.0/me", answer)
    sleeps: list[float] = []
    client = make_client(fake, sleeps=sleeps, now=now)
    for _ in range(25):
        client.get("/rest/v1.0/me")
    # Nothing while plenty is left; then waits growing as the window runs out; never a 429.
    assert sleeps[0] > 0
    assert len(sleeps) <= 6
    assert sleeps == sorted(sleeps)
    assert sleeps[-1] == pytest.approx(5.0)
    # With the window used up, the next call would wait for the reset.
    assert client.pacer.delay(now) == pytest.approx(10.0)


def test_failed_calls_count_against_the_limit_too() -> None:
    now = 1_700_000_000.0
    fake = FakeProcore()
    fake.on(
        "GET",
        "/rest/v1.0/projects/1",
        reply(
            404,
            {"error": {"message": "not found"}},
            {
                "X-Rate-Limit-Limit": "600",
                "X-Rate-Limit-Remaining": "0",
                "X-Rate-Limit-Reset": str(int(now) + 30),
            },
        ),
    )
    fake.on("GET", "/rest/v1.0/me", reply(200, {"id": 1}))
    sleeps: list[float] = []
    client = make_client(fake, sleeps=sleeps, now=now)
    with pytest.raises(errors.NotFound):
        client.get("/rest/v1.0/projects/1")
    client.get("/rest/v1.0/me")
    assert sleeps == [pytest.approx(30.0)]


def test_sync_sends_batches_of_at_most_1000_and_merges_results() -> None:
    def answer(request: httpx2.Request) -> httpx2.Response:
        import json

        body = json.loads(request.content)
        entities = [dict(u, id=i) for i, u in enumerate(body["updates"]) if u["code"] != "bad"]
        errs = [
            dict(u, errors={"code": ["is invalid"]}) for u in body["updates"] if u["code"] == "bad"
        ]
        return reply(200, {"entities": entities, "errors": errs})

    fake = FakeProcore()
    fake.on("PATCH", "/rest/v1.0/standard_cost_codes/sync", answer)
    client = make_client(fake)
    items = [{"code": "bad" if i == 1500 else f"C{i}"} for i in range(2_500)]
    result = client.sync(
        "/rest/v1.0/standard_cost_codes/sync",
        items,
        body={"company_id": COMPANY, "standard_cost_code_list_id": 1},
    )
    assert result.calls == 3
    assert [len(b["updates"]) for b in fake.bodies()] == [1000, 1000, 500]
    assert all(b["standard_cost_code_list_id"] == 1 for b in fake.bodies())
    assert len(result.entities) == 2_499
    assert not result.ok
    assert result.errors[0].item == {"code": "bad"}
    assert result.errors[0].message == "code is invalid"


def test_sync_refuses_batches_over_procores_cap() -> None:
    with pytest.raises(errors.ProcoreUsageError, match="1000"):
        make_client(FakeProcore()).sync("/rest/v1.0/projects/sync", [], batch_size=1001)


def test_for_company_shares_the_pacer() -> None:
    client = make_client(FakeProcore())
    other = client.for_company(99)
    assert other.company_id == 99
    assert other.pacer is client.pacer


def test_a_401_that_cannot_be_refreshed_is_unauthorized_with_the_reason() -> None:
    fake = FakeProcore()
    fake.on("GET", "/rest/v1.0/me", reply(401, {"message": "The access token is invalid"}))
    client = make_client(fake)
    with pytest.raises(errors.Unauthorized) as info:
        client.get("/rest/v1.0/me")
    assert isinstance(info.value.__cause__, errors.ProcoreAuthError)
    assert client.calls == 1


@given(total=st.integers(0, 3_000), per_page=st.integers(1, 700), link=st.booleans())
@settings(max_examples=40, deadline=None)
def test_paging_reads_each_item_once_with_the_fewest_calls(
    total: int, per_page: int, link: bool
) -> None:
    fake = FakeProcore()
    fake.on("GET", "/rest/v1.0/projects", paged(total, link=link))
    client = make_client(fake)
    ids = [p["id"] for p in client.paginate("/rest/v1.0/projects", per_page=per_page)]
    assert ids == list(range(total))
    assert client.calls == max(1, -(-total // per_page))


def test_tokens_never_reach_the_logs(caplog: pytest.LogCaptureFixture) -> None:
    fake = FakeProcore()
    fake.on("GET", "/rest/v1.0/me", reply(503, None, {"Retry-After": "1"}), reply(200, {"id": 1}))
    with caplog.at_level(logging.DEBUG):
        make_client(fake, token="very-secret-token").get("/rest/v1.0/me")
    assert "retrying" in caplog.text
    assert "very-secret-token" not in caplog.text


def _sendable(numbers: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    return st.recursive(
        st.booleans() | numbers | st.text(st.characters(exclude_categories=("Cs",)), max_size=12),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(st.text(max_size=6), children | st.none(), max_size=4)
        ),
        max_leaves=12,
    )


@given(_sendable(st.integers() | st.floats(allow_nan=False, allow_infinity=False)))
def test_a_request_body_reads_back_as_what_was_sent(payload: object) -> None:
    assert json.loads(request_body(payload)) == payload


@given(_sendable(st.integers(min_value=-(2**70), max_value=2**70)))
def test_a_request_body_without_floats_is_what_httpx_would_send(payload: object) -> None:
    # Floats are written in their shortest form by both, with another exponent style;
    # integers beyond 64 bits go through the fallback.
    assert request_body(payload) == httpx2.Request("POST", BASE, json=payload).content


def _read(body: bytes, decode: Any) -> tuple[str, str]:
    """What ``decode`` makes of ``body``: its value written out (which tells 0 from 0.0 and
    -0.0, and keeps the order of keys), or the kind of its refusal."""
    try:
        return "value", json.dumps(decode(body))
    except (ValueError, RecursionError) as exc:
        return "refused", type(exc).__name__


_ANY_TEXT = st.text(
    st.characters(exclude_categories=()) | st.sampled_from("\ud800\udc00\udfff"), max_size=12
)
"""Any text, lone surrogates included (Hypothesis leaves them out unless asked)."""


@given(
    _sendable(st.integers() | st.floats()) | st.dictionaries(_ANY_TEXT, _ANY_TEXT, max_size=3),
    st.booleans(),
)
def test_an_answer_reads_as_pythons_decoder_reads_it(value: object, ascii_only: bool) -> None:
    # NaN and infinities, integers beyond 64 bits and lone surrogates included: what orjson
    # would read otherwise goes to Python's decoder.
    body = json.dumps(value, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
    assert _read(body, answer_body) == _read(body, json.loads)


@given(st.binary(max_size=64) | st.sampled_from([b"[1,", b'{"a":', b"\xef\xbb\xbf{}", b"-"]))
def test_any_bytes_read_or_are_refused_as_pythons_decoder_does(body: bytes) -> None:
    assert _read(body, answer_body) == _read(body, json.loads)


@pytest.mark.parametrize(
    "body",
    [
        b'{"a":1,"b":2,"a":3}',
        b"-0",
        b"-0.0",
        b"1e400",
        b"1e-400",
        b"18446744073709551615",
        b"18446744073709551616",
        b"-9223372036854775809",
        b'{"id":123456789012345678901234567890}',
        b"\xef\xbb\xbf[1]",
        b'"\\ud800"',
        b'"\xed\xa0\x80"',
        b"[NaN, Infinity, -Infinity]",
        b"[" * 1100 + b"]" * 1100,
        b"[" * 5000 + b"]" * 5000,
        b' \t\r\n{"a": [1, 2.5, "x", null, true, false]} ',
    ],
)
def test_answers_at_the_edges_read_as_pythons_decoder_reads_them(body: bytes) -> None:
    assert _read(body, answer_body) == _read(body, json.loads)


def test_a_call_with_a_body_sends_it_as_json() -> None:
    fake = FakeProcore()
    fake.on("PATCH", "/rest/v1.0/projects/7/direct_costs/sync", reply(200, {"entities": []}))
    client = make_client(fake)
    items = [{"origin_id": "80000001-1700000000|7", "amount": 12.5, "description": "Béton"}]
    client.patch("/rest/v1.0/projects/7/direct_costs/sync", {"updates": items})
    sent = fake.requests[0]
    assert sent.headers["Content-Type"] == "application/json"
    assert (
        sent.content
        == (
            '{"updates":[{"origin_id":"80000001-1700000000|7","amount":12.5,"description":"Béton"}]}'
        ).encode()
    )
    assert fake.bodies() == [{"updates": items}]
