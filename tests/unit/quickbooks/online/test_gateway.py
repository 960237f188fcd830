from __future__ import annotations

import json
from datetime import date

import httpx2

from procore_qb.domain.commands import (
    CreateCustomer,
    CreateItem,
    CreateJob,
    QueryCustomers,
    QueryJobs,
    UpdateJob,
)
from procore_qb.domain.quickbooks_job import JobAddress, JobStatus, QuickBooksJob
from procore_qb.quickbooks.online.gateway import OUTCOME_UNKNOWN, RECONNECT_REQUIRED, OnlineGateway
from procore_qb.quickbooks.online.resources.customers import customer_body, customer_to_job

from .helpers import TIME, fault, json_response, make_client


def batch_echo(
    calls: list[dict[str, object]], fail: dict[str, tuple[str, str]] | None = None
) -> object:
    """Answers every batch item with the entity it was given plus an Id."""
    counter = iter(range(100, 10_000))

    def handler(request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content)
        calls.append(
            {
                "path": request.url.path,
                "requestid": request.url.params.get("requestid"),
                "body": body,
            }
        )
        answers = []
        for item in body["BatchItemRequest"]:
            entity = next(k for k in item if k not in ("bId", "operation"))
            payload = item[entity]
            name = payload.get("DisplayName") or payload.get("Name")
            if fail and name in fail:
                code, message = fail[name]
                answers.append(
                    {
                        "bId": item["bId"],
                        "Fault": {
                            "Error": [{"Message": message, "code": code}],
                            "type": "ValidationFault",
                        },
                    }
                )
                continue
            obj = {"Id": payload.get("Id", str(next(counter))), "SyncToken": "0", **payload}
            if "ParentRef" in payload:
                obj["FullyQualifiedName"] = f"Parent:{name}"
            answers.append({"bId": item["bId"], entity: obj})
        return json_response(200, {"BatchItemResponse": answers, "time": TIME})

    return handler


def test_writes_go_in_batches_of_thirty_with_per_command_results() -> None:
    calls: list[dict[str, object]] = []
    gateway = OnlineGateway(
        make_client(batch_echo(calls, {"Dup 3": ("6240", "Duplicate Name Exists Error")}))
    )  # type: ignore[arg-type]
    commands = [
        CreateJob(
            idempotency_key=f"k{i}",
            job=QuickBooksJob(name=f"Dup {i}", parent_id="58", parent_full_name="Acme"),
        )
        for i in range(65)
    ]
    results = gateway.execute(commands)
    assert len(calls) == 3
    assert [len(c["body"]["BatchItemRequest"]) for c in calls] == [30, 30, 5]  # type: ignore[index]
    assert [r.idempotency_key for r in results] == [c.idempotency_key for c in commands]
    assert results[3].error is not None
    assert results[3].error.code == "6240"
    assert results[3].error.message == "Duplicate Name Exists Error"
    assert results[0].ok
    assert results[0].jobs[0].parent_id == "58"
    assert results[0].jobs[0].full_name == "Parent:Dup 0"


def test_create_customer_item_and_update_job() -> None:
    calls: list[dict[str, object]] = []
    gateway = OnlineGateway(make_client(batch_echo(calls)))  # type: ignore[arg-type]
    job = QuickBooksJob(name="Riverside", id="77", version="2", parent_id="58")
    results = gateway.execute(
        [
            CreateCustomer(idempotency_key="c1", name="Riverside Health"),
            CreateItem(idempotency_key="i1", name="03-300 Concrete", income_account_id="79"),
            UpdateJob(idempotency_key="u1", job=job),
            CreateItem(idempotency_key="i2", name="No account"),
        ]
    )
    assert [r.ok for r in results] == [True, True, True, False]
    assert results[1].items[0].name == "03-300 Concrete"
    assert results[3].error is not None
    assert "income account" in results[3].error.message
    items = calls[0]["body"]["BatchItemRequest"]  # type: ignore[index]
    assert items[2] == {
        "bId": "b2",
        "operation": "update",
        "Customer": {
            **customer_body(job),
            "Id": "77",
            "SyncToken": "2",
            "Active": True,
            "sparse": True,
        },
    }


def test_timeouts_that_never_resolve_become_outcome_unknown() -> None:
    def handler(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ReadTimeout("timed out", request=request)

    gateway = OnlineGateway(make_client(handler, max_attempts=2))
    [result] = gateway.execute([CreateCustomer(idempotency_key="c1", name="A")])
    assert result.error is not None
    assert result.error.code == OUTCOME_UNKNOWN
    assert result.error.retriable


def test_look_up_first_finds_what_the_lost_answer_created() -> None:
    statements: list[str] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        assert request.url.path.endswith("/query"), "must not create again"
        statements.append(request.content.decode())
        return json_response(
            200,
            {"QueryResponse": {"Customer": [{"Id": "9", "DisplayName": "A", "SyncToken": "0"}]}},
        )

    gateway = OnlineGateway(make_client(handler))
    [result] = gateway.execute(
        [CreateCustomer(idempotency_key="c1", name="A")], look_up_first={"c1"}
    )
    assert result.ok
    assert result.jobs[0].id == "9"
    assert "DisplayName = 'A'" in statements[0]


def test_auth_failure_stops_and_reports_reconnect() -> None:
    from procore_qb.quickbooks.online.errors import ReconnectRequired

    class Revoked:
        def access_token(self) -> str:
            raise ReconnectRequired("reconnect QuickBooks")

        def refresh_after_rejection(self, rejected: str) -> str:
            raise ReconnectRequired("reconnect QuickBooks")

    def handler(request: httpx2.Request) -> httpx2.Response:
        raise AssertionError("no request may be sent")

    gateway = OnlineGateway(make_client(handler, tokens=Revoked()))  # type: ignore[arg-type]
    results = gateway.execute(
        [QueryCustomers(idempotency_key="q"), CreateCustomer(idempotency_key="c", name="A")]
    )
    assert all(
        r.error is not None and r.error.code == RECONNECT_REQUIRED and r.error.retriable
        for r in results
    )


def test_query_jobs_reads_all_pages_in_one_batch_call_and_maps() -> None:
    def handler(request: httpx2.Request) -> httpx2.Response:
        assert request.url.path.endswith("/batch")
        pages = json.loads(request.content)["BatchItemRequest"]
        assert len(pages) == 30
        assert all("Active IN (true, false)" in p["Query"] for p in pages)
        assert "STARTPOSITION 1 MAXRESULTS 1000" in pages[0]["Query"]
        assert "STARTPOSITION 1001 MAXRESULTS 1000" in pages[1]["Query"]
        rest = [{"bId": p["bId"], "QueryResponse": {}} for p in pages[1:]]
        first = {
            "bId": pages[0]["bId"],
            "QueryResponse": {
                "Customer": [
                    {
                        "Id": "60",
                        "SyncToken": "4",
                        "DisplayName": "Elm Court",
                        "FullyQualifiedName": "Summit:Elm Court",
                        "Job": True,
                        "ParentRef": {"value": "58"},
                        "AcctNum": "P-7",
                        "BillAddr": {
                            "Line1": "1 Elm",
                            "City": "Denver",
                            "CountrySubDivisionCode": "CO",
                            "PostalCode": "80202",
                        },
                        "JobInfo": {"Status": "InProgress", "StartDate": "2026-01-05"},
                        "Active": False,
                    }
                ]
            },
        }
        return json_response(200, {"BatchItemResponse": [first, *rest], "time": TIME})

    gateway = OnlineGateway(make_client(handler))
    [result] = gateway.execute([QueryJobs(idempotency_key="q", include_inactive=True)])
    job = result.jobs[0]
    assert job == QuickBooksJob(
        name="Elm Court",
        full_name="Summit:Elm Court",
        id="60",
        version="4",
        parent_id="58",
        parent_full_name="Summit",
        number="P-7",
        address=JobAddress(line1="1 Elm", city="Denver", state="CO", postal_code="80202"),
        start_date=date(2026, 1, 5),
        status=JobStatus.IN_PROGRESS,
        active=False,
    )
    assert result.as_of is not None
    assert (
        customer_to_job(
            {
                **customer_body(job),
                "Id": "60",
                "SyncToken": "4",
                "FullyQualifiedName": "Summit:Elm Court",
            }
        )
        == job
    )


def test_a_retry_after_a_replayable_failure_is_not_answered_from_the_replay() -> None:
    """QuickBooks answers a repeated requestid with its first answer, failures included
    (spec A.10). A command that got a retriable fault (here a SystemFault on its batch item)
    is looked up on the next run; when that finds nothing it must go out under a new
    requestid, or it would get the same fault forever."""
    replies: dict[str, httpx2.Response] = {}
    processed: list[str] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        if request.url.path.endswith("/query"):
            return json_response(200, {"QueryResponse": {}, "time": TIME})
        request_id = request.url.params["requestid"]
        if request_id in replies:
            return replies[request_id]
        processed.append(request_id)
        [item] = json.loads(request.content)["BatchItemRequest"]
        if len(processed) == 1:
            answer = {
                "bId": item["bId"],
                **fault("10000", "An application error has occurred", kind="SystemFault"),
            }
        else:
            answer = {"bId": item["bId"], "Customer": {"Id": "77", **item["Customer"]}}
        answer.pop("time", None)
        replies[request_id] = json_response(200, {"BatchItemResponse": [answer], "time": TIME})
        return replies[request_id]

    gateway = OnlineGateway(make_client(handler))
    command = CreateCustomer(idempotency_key="c-sys", name="Retry Co")
    [first] = gateway.execute([command])
    assert first.error is not None
    assert first.error.retriable
    [second] = gateway.execute([command], look_up_first={"c-sys"})
    assert second.ok, second.error
    assert second.jobs[0].id == "77"
    assert len(processed) == 2
