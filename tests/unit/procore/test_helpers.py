from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import httpx2
import pytest

from procore_qb.procore.errors import (
    ProcoreUsageError,
    ValidationFailed,
    error_from_response,
    error_message,
)
from procore_qb.procore.filters import filter_params, time_range
from procore_qb.procore.paging import parse_link_header, parse_page_info
from procore_qb.procore.ratelimit import RateLimitPacer, parse_rate_limit
from procore_qb.procore.sync import SyncItemError
from procore_qb.retrying import RetryPolicy, wait_hint


def test_time_ranges_are_utc_iso_pairs() -> None:
    start = datetime(2016, 9, 23, 11, 30, tzinfo=timezone(timedelta(hours=-5)))
    end = datetime(2016, 9, 23, 17, 0, tzinfo=UTC)
    assert time_range(start, end) == "2016-09-23T16:30:00Z...2016-09-23T17:00:00Z"
    assert time_range(date(2026, 1, 1), date(2026, 2, 1)) == "2026-01-01...2026-02-01"


@pytest.mark.parametrize(
    ("start", "end", "text"),
    [
        (datetime(2026, 1, 1), datetime(2026, 1, 2), "timezone-aware"),  # noqa: DTZ001
        (date(2026, 1, 2), date(2026, 1, 1), "starts after it ends"),
        (date(2026, 1, 1), datetime(2026, 1, 2, tzinfo=UTC), "two dates or two datetimes"),
    ],
)
def test_bad_time_ranges_say_what_to_fix(start: date, end: date, text: str) -> None:
    with pytest.raises(ProcoreUsageError, match=text):
        time_range(start, end)


def test_filter_params() -> None:
    t0, t1 = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 2, tzinfo=UTC)
    assert filter_params(origin_id="X", id=[1, 2], synced=True, updated_at=(t0, t1), name=None) == {
        "filters[origin_id]": "X",
        "filters[id][]": [1, 2],
        "filters[synced]": "true",
        "filters[updated_at]": "2026-01-01T00:00:00Z...2026-01-02T00:00:00Z",
    }


def test_link_headers_of_a_middle_page() -> None:
    value = (
        '<https://api.procore.com/rest/v1.0/punch_items?page=1&per_page=5>; rel="first", '
        '<https://api.procore.com/rest/v1.0/punch_items?page=2&per_page=5>; rel="prev", '
        '<https://api.procore.com/rest/v1.0/punch_items?page=30&per_page=5>; rel="last", '
        '<https://api.procore.com/rest/v1.0/punch_items?page=4&per_page=5>; rel="next"'
    )
    assert set(parse_link_header(value)) == {"first", "prev", "last", "next"}
    info = parse_page_info({"Link": value, "Total": "150", "Per-Page": "5"})
    assert (info.next_page, info.last_page, info.total, info.per_page) == (4, 30, 150, 5)


def test_rate_limit_headers() -> None:
    assert parse_rate_limit({}) is None
    state = parse_rate_limit(
        {
            "X-Rate-Limit-Limit": "600",
            "X-Rate-Limit-Remaining": "589",
            "X-Rate-Limit-Reset": "1466182244",
        }
    )
    assert state is not None
    assert (state.limit, state.remaining, state.reset_at) == (600, 589, 1466182244.0)


def test_rate_limit_headers_that_are_no_numbers_read_as_absent() -> None:
    for garbage in ("inf", "-inf", "nan", "soon"):
        headers = {
            "X-Rate-Limit-Limit": "600",
            "X-Rate-Limit-Remaining": "589",
            "X-Rate-Limit-Reset": garbage,
        }
        assert parse_rate_limit(headers) is None


def test_pacer_spreads_the_last_calls_and_forgets_a_past_window() -> None:
    pacer = RateLimitPacer(reserve_fraction=0.2)
    headers = {"X-Rate-Limit-Limit": "100", "X-Rate-Limit-Remaining": "50"}
    pacer.observe({**headers, "X-Rate-Limit-Reset": "1010"})
    assert pacer.delay(1000.0) == 0.0
    pacer.observe({**headers, "X-Rate-Limit-Remaining": "4", "X-Rate-Limit-Reset": "1010"})
    assert pacer.delay(1000.0) == pytest.approx(2.0)
    pacer.sent()
    pacer.sent()
    pacer.sent()
    pacer.sent()
    assert pacer.delay(1000.0) == pytest.approx(10.0)
    assert pacer.delay(1011.0) == 0.0
    assert pacer.state is None


def test_retry_decisions() -> None:
    policy = RetryPolicy(max_attempts=3, base_delay=1.0, max_delay=8.0, random=lambda: 0.0)
    assert policy.is_retriable(429, idempotent=False)
    assert policy.is_retriable(503, idempotent=False, headers={"Retry-After": "5"})
    assert not policy.is_retriable(503, idempotent=False, headers={})
    assert policy.is_retriable(503, idempotent=True, headers={})
    assert not policy.is_retriable(404, idempotent=True)
    assert not policy.is_retriable(None, idempotent=False)
    assert wait_hint({"Retry-After": "3"}, now=0.0) == 3.0
    assert wait_hint({"X-Rate-Limit-Reset": "12"}, now=10.0) == 2.0
    assert policy.delay(2, hinted=None) == 1.0
    assert policy.backoff(10) == 4.0


@pytest.mark.parametrize(
    ("body", "text"),
    [
        ({"error": {"code": "x", "message": "Missing Procore-Company-Id header!"}},
         "Missing Procore-Company-Id header!"),
        ({"errors": ["a", "b"]}, "a; b"),
        ({"errors": "nope"}, "nope"),
        ({"errors": {"name": ["is too long"]}}, "name is too long"),
        ({"message": "The access token is invalid", "error": "x"}, "The access token is invalid"),
        ({"code": 1, "reason": "expired"}, "expired"),
        ("plain text", "plain text"),
        ({"errors": [], "name": {}}, ""),
        (None, ""),
    ],
)  # fmt: skip
def test_error_messages_from_every_body_shape(body: object, text: str) -> None:
    assert error_message(body) == text


def _nested(depth: int, inner: object) -> object:
    for _ in range(depth):
        inner = [inner]
    return inner


def test_a_message_deep_in_a_body_is_left_out_rather_than_walked() -> None:
    # 600 lists deep: Python's decoder reads it, walking it to the end would exhaust the stack.
    assert error_message({"errors": _nested(600, "deep")}) == ""
    assert error_message({"errors": _nested(3, "near")}) == "near"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"[" * 5000 + b"]" * 5000, "[[[["),  # too deep to decode: its text is the message
        (b'{"errors": ' + b"[" * 600 + b'"x"' + b"]" * 600 + b"}", "Procore rejected the values"),
    ],
)
def test_an_error_body_nested_too_deep_still_gives_a_clear_error(
    content: bytes, message: str
) -> None:
    answer = httpx2.Response(
        422, content=content, request=httpx2.Request("PATCH", "https://api.test/rest/v1.0/x")
    )
    error = error_from_response(answer, company_id=8)
    assert isinstance(error, ValidationFailed)
    assert message in str(error)


def test_sync_item_errors_keep_what_was_sent() -> None:
    err = SyncItemError.from_json({"id": 0, "name": "x", "errors": {"id": ["Entity not found"]}})
    assert err.item == {"id": 0, "name": "x"}
    assert err.message == "id Entity not found"
    assert SyncItemError.from_json({"errors": "bad"}).errors == {"base": ["bad"]}
