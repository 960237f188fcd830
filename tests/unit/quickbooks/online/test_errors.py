from __future__ import annotations

import httpx2
import pytest

from procore_qb.quickbooks.online import errors as e

from .helpers import fault, json_response


@pytest.mark.parametrize(
    ("status", "code", "cls"),
    [
        (400, "6240", e.DuplicateName),
        (400, "5010", e.StaleObject),
        (400, "610", e.QboNotFound),
        (400, "6000", e.QboValidationError),
        (400, "6150", e.QboValidationError),
        (400, "2020", e.QboValidationError),
        (429, "3001", e.QboThrottled),
        (401, "3200", e.QboAuthError),
        (403, "3100", e.QboForbidden),
        (500, "10000", e.QboServerError),
        (503, "", e.QboServerError),
    ],
)
def test_fault_codes_map_to_one_hierarchy(status: int, code: str, cls: type[e.QboError]) -> None:
    response = json_response(
        status, fault(code, "Some Error", "some detail", "DisplayName"), {"intuit_tid": "tid-1"}
    )
    error = e.error_from_response(response, realm_id="42")
    assert type(error) is cls
    assert isinstance(error, e.QboError)
    assert error.code == code
    assert error.intuit_tid == "tid-1"
    assert error.realm_id == "42"
    assert error.status == status
    assert "tid-1" in str(error)


def test_duplicate_name_keeps_quickbooks_words() -> None:
    body = fault(
        "6240",
        "Duplicate Name Exists Error",
        "The name supplied already exists. : Another customer, vendor or employee is already"
        " using this name.",
        "",
    )
    error = e.error_from_response(json_response(400, body))
    assert isinstance(error, e.DuplicateName)
    assert error.message == "Duplicate Name Exists Error"
    assert "already using this name" in error.detail


def test_lower_case_fault_shape() -> None:
    body = {
        "fault": {
            "error": [{"message": "message=AuthenticationFailed", "code": "3200"}],
            "type": "AUTHENTICATION",
        }
    }
    error = e.error_from_response(json_response(401, body))
    assert isinstance(error, e.QboAuthError)
    assert error.code == "3200"


def test_plain_text_401_body() -> None:
    response = httpx2.Response(
        401, text="message=AuthenticationFailed; errorCode=003200; statusCode=401"
    )
    error = e.error_from_response(response)
    assert isinstance(error, e.QboAuthError)
    assert error.code == "3200"


def test_empty_401_and_throttle_without_fault() -> None:
    assert isinstance(e.error_from_response(httpx2.Response(401)), e.QboAuthError)
    throttled = e.error_from_response(httpx2.Response(429, headers={"Retry-After": "7"}))
    assert isinstance(throttled, e.QboThrottled)
    assert throttled.retry_after == 7.0
    assert throttled.retriable


def test_several_errors_are_all_kept() -> None:
    body = {
        "Fault": {
            "Error": [{"Message": "First", "code": "2020"}, {"Message": "Second", "code": "2020"}]
        }
    }
    error = e.error_from_response(json_response(400, body))
    assert "Second" in str(error)


def test_retry_after_only_accepts_seconds() -> None:
    assert e.parse_retry_after("3") == 3.0
    assert e.parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") is None
    assert e.parse_retry_after(None) is None
