from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx2

from procore_qb.quickbooks.online.cdc import changes_since

from .helpers import TIME, json_response, make_client

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def cdc_body(customers: list[dict[str, object]]) -> dict[str, object]:
    return {
        "CDCResponse": [
            {
                "QueryResponse": [
                    {"Customer": customers, "startPosition": 1, "maxResults": len(customers)}
                ]
            }
        ],
        "time": TIME,
    }


def test_changes_and_tombstones_in_one_call() -> None:
    body = cdc_body(
        [
            {"Id": "1", "DisplayName": "Acme", "SyncToken": "3"},
            {
                "Id": "2",
                "status": "Deleted",
                "domain": "QBO",
                "MetaData": {"LastUpdatedTime": TIME},
            },
        ]
    )
    client = make_client(lambda r: json_response(200, body))
    changes = changes_since(client, ["Customer"], NOW - timedelta(days=1), clock=lambda: NOW)
    assert [c["Id"] for c in changes.changed["Customer"]] == ["1"]
    assert changes.deleted["Customer"] == ["2"]
    assert not changes.full_read
    assert changes.calls == 1
    assert changes.as_of == datetime(2026, 11, 28, 11, 0, tzinfo=UTC)


def query_handler(paths: list[str], total: int, cdc_objects: int = 0) -> object:
    def handler(request: httpx2.Request) -> httpx2.Response:
        paths.append(request.url.path.rsplit("/", 1)[1])
        if request.url.path.endswith("/cdc"):
            return json_response(200, cdc_body([{"Id": str(i)} for i in range(cdc_objects)]))
        text = request.content.decode()
        assert "Active IN (true, false)" in text
        start = int(text.split("STARTPOSITION ")[1].split()[0])
        page = [{"Id": str(i)} for i in range(start, min(start + 1000, total + 1))]
        return json_response(
            200, {"QueryResponse": {"Customer": page} if page else {}, "time": TIME}
        )

    return handler


def test_beyond_thirty_days_reads_everything() -> None:
    paths: list[str] = []
    client = make_client(query_handler(paths, 1500))  # type: ignore[arg-type]
    changes = changes_since(client, ["Customer"], NOW - timedelta(days=31), clock=lambda: NOW)
    assert changes.full_read
    assert len(changes.changed["Customer"]) == 1500
    assert paths == ["query", "query"]
    assert changes.as_of is not None


def test_at_the_cap_falls_back_to_full_read() -> None:
    paths: list[str] = []
    client = make_client(query_handler(paths, 2000, cdc_objects=1000))  # type: ignore[arg-type]
    changes = changes_since(client, ["Customer"], NOW - timedelta(days=2), clock=lambda: NOW)
    assert changes.full_read
    assert paths == ["cdc", "query", "query", "query"]
    assert len(changes.changed["Customer"]) == 2000
