"""The framework's own refusals as problem details."""

from __future__ import annotations

from starlette.exceptions import HTTPException

from procore_qb.web.api.problems import MEDIA_TYPE, http_error_response


def test_the_routers_404_points_at_the_docs_and_a_routes_own_404_keeps_its_words() -> None:
    routers = http_error_response(HTTPException(404, "Not Found"))
    assert routers.media_type == MEDIA_TYPE
    assert b"/docs" in routers.body
    own = http_error_response(HTTPException(404, "no project 42 in this company"))
    assert b"no project 42 in this company" in own.body
    assert b"/docs" not in own.body


def test_a_405_keeps_its_allow_header() -> None:
    answer = http_error_response(HTTPException(405, "Method Not Allowed", {"Allow": "GET"}))
    assert answer.status_code == 405
    assert answer.headers["allow"] == "GET"
