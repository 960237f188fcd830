"""A procore-qb process that dies at one side-effect boundary (run by ``test_crashes.py``).

    python crash_child.py EDITION DIR BOUNDARY

builds the whole stack over files in DIR (the database and the simulators' state), refreshes
the job list, sends the eligible seed projects and accepts them in one bulk accept, then lets
the jobs and the Web Connector run. A hook installed here, in this process only, kills the
process with SIGKILL the first time the work reaches BOUNDARY:

* ``online-created``: QuickBooks Online answered the batch that created the jobs, before the
  answers are committed;
* ``desktop-created``: the QuickBooks Desktop company file executed the request that created
  the jobs, before the Web Connector hands the answer back to us;
* ``wc-handed-out``: in the middle of a Web Connector session, right after we handed the
  create requests out and before QuickBooks ran them;
* ``wc-answered``: in the middle of a Web Connector session, right after we committed the
  answers and before the session is closed;
* ``before-writeback``: the jobs' results are committed, before the Procore write-back runs;
* ``writeback-sent``: Procore took the write-back of the first project, before the write-back
  job finished.

If the process reaches the end alive it exits with status 3, so the test fails.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import Any

import workflow_stack
from workflow_stack import Stack

from procore_qb.app import tasks
from procore_qb.domain.commands import Command, CreateJob
from procore_qb.procore.gateway import ProcoreGateway
from procore_qb.quickbooks.online.gateway import OnlineGateway

PROJECTS = (2001, 2002, 2003)  # seed: the eligible projects
BOUNDARIES = (
    "online-created",
    "desktop-created",
    "wc-handed-out",
    "wc-answered",
    "before-writeback",
    "writeback-sent",
)
SURVIVED = 3


def die() -> None:
    sys.stdout.flush()
    os.kill(os.getpid(), signal.SIGKILL)


class _DyingProcessor:
    """The company file's request processor, dying after it ran a create."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def process(self, qbxml: str) -> str:
        answer: str = self._inner.process(qbxml)
        if "<CustomerAddRq" in qbxml and "<ParentRef>" in qbxml:
            die()
        return answer

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _DyingClient:
    """The Web Connector's HTTP client, dying after one SOAP call of ours answered."""

    def __init__(self, inner: Any, boundary: str) -> None:
        self._inner = inner
        self._boundary = boundary

    def post(self, url: str, **kwargs: Any) -> Any:
        answer = self._inner.post(url, **kwargs)
        action = str(kwargs.get("headers", {}).get("SOAPAction", ""))
        body = kwargs.get("content", b"")
        text = body.decode() if isinstance(body, bytes) else str(body)
        handed_out = action.endswith('sendRequestXML"') and "CustomerAddRq" in answer.text
        answered = action.endswith('receiveResponseXML"') and "CustomerAddRs" in text
        if (self._boundary == "wc-handed-out" and handed_out) or (
            self._boundary == "wc-answered" and answered
        ):
            die()
        return answer

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def install(boundary: str) -> None:
    if boundary == "online-created":
        execute = OnlineGateway.execute

        def execute_then_die(self: OnlineGateway, commands: Any, **kw: Any) -> Any:
            results = execute(self, commands, **kw)
            listed: list[Command] = list(commands)
            if any(isinstance(c, CreateJob) for c in listed):
                die()
            return results

        OnlineGateway.execute = execute_then_die  # type: ignore[method-assign]
    elif boundary == "desktop-created":
        run = workflow_stack.run_session

        def run_dying(client: Any, url: str, user: str, pw: str, processor: Any) -> Any:
            return run(client, url, user, pw, _DyingProcessor(processor))

        workflow_stack.run_session = run_dying  # type: ignore[assignment]
    elif boundary in ("wc-handed-out", "wc-answered"):
        run = workflow_stack.run_session

        def run_dying_client(client: Any, url: str, user: str, pw: str, processor: Any) -> Any:
            return run(_DyingClient(client, boundary), url, user, pw, processor)

        workflow_stack.run_session = run_dying_client  # type: ignore[assignment]
    elif boundary == "before-writeback":

        def writeback_dies(ctx: Any, item_ids: Any) -> int:
            die()
            return 0

        tasks.write_back_exports = writeback_dies  # type: ignore[assignment]
    elif boundary == "writeback-sent":
        mark = ProcoreGateway.mark_project_synced

        def mark_then_die(self: ProcoreGateway, *args: Any, **kw: Any) -> Any:
            mark(self, *args, **kw)
            die()

        ProcoreGateway.mark_project_synced = mark_then_die  # type: ignore[method-assign]
    else:
        raise SystemExit(f"unknown boundary {boundary!r}; one of {', '.join(BOUNDARIES)}")


def main(edition: str, directory: Path, boundary: str) -> int:
    stack = Stack(edition, directory, on_disk=True)
    stack.ok("ada", "POST", "/erp/jobs/refresh")
    stack.settle()
    ids = [stack.ok("cara", "POST", f"/projects/{p}/send-to-erp")["id"] for p in PROJECTS]
    parent = stack.ok("ben", "GET", "/erp/customers")["items"][0]["id"]
    install(boundary)
    stack.ok("ben", "POST", "/erp/jobs/accept", {"ids": ids, "customer_id": parent})
    stack.settle()
    return SURVIVED


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], Path(sys.argv[2]), sys.argv[3]))
