"""A procore-qb process that dies in the middle of a job cost sync (run by
``test_job_cost_crashes.py``).

    python job_costs_crash_child.py EDITION DIR BOUNDARY

builds the whole stack over files in DIR, links Elm Court to its Procore project and adds
Pier 9 to Procore, enters a few more bills in QuickBooks (so the Procore write takes several
pages: the page size is two lines here), turns job cost syncing on for both projects and lets
the jobs and the Web Connector run. The first time the work reaches BOUNDARY the process kills
itself with SIGKILL:

* ``online-read``: the job cost read from QuickBooks Online is streamed in chunks of two
  lines; the first chunk is stored, the second is being read;
* ``wc-handed-out``: the Web Connector was handed the job cost queries, before QuickBooks ran
  them;
* ``wc-answered``: the job cost answer was stored (and the Procore writes enqueued), before the
  Web Connector session ended;
* ``headers-written``: Procore took the direct costs of the second page, before their lines;
* ``lines-written``: Procore took the direct cost lines of the second page, before procore-qb
  recorded them;
* ``budget-created``: Procore created a budget line, before procore-qb saw its answer;
* ``job-to-date-written``: Procore took the job-to-date costs, before the write finished.

If the process reaches the end alive it exits with status 3, so the test fails.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import Any

import workflow_stack
from job_cost_helpers import ELM, PIER, enable, qb_add_bill, synced_projects
from workflow_stack import Stack

from procore_qb.app import job_cost_writes
from procore_qb.app.online_driver import OnlineDriver
from procore_qb.domain.commands import QueryJobCosts
from procore_qb.procore.client import ProcoreClient
from procore_qb.quickbooks.online.gateway import OnlineGateway

BOUNDARIES = (
    "online-read",
    "wc-handed-out",
    "wc-answered",
    "headers-written",
    "lines-written",
    "budget-created",
    "job-to-date-written",
)
_PROCORE = {
    "headers-written": ("PATCH", "/direct_costs/sync", 2),
    "lines-written": ("PATCH", "/direct_costs/line_items/sync", 2),
    "budget-created": ("POST", "/rest/v1.0/budget_line_items", 1),
    "job-to-date-written": ("PATCH", "/rest/v1.0/erp_job_costs/sync", 1),
}
SURVIVED = 3


def die() -> None:
    sys.stdout.flush()
    os.kill(os.getpid(), signal.SIGKILL)


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
        handed_out = action.endswith('sendRequestXML"') and "BillQueryRq" in answer.text
        answered = action.endswith('receiveResponseXML"') and "BillQueryRs" in text
        if (self._boundary == "wc-handed-out" and handed_out) or (
            self._boundary == "wc-answered" and answered
        ):
            die()
        return answer

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _DyingRead:
    """A streamed job cost read that dies on its fourth line: the first chunk of two lines
    is stored by then, the second is being read."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def __iter__(self) -> Any:
        for n, line in enumerate(self._inner):
            if n == 3:
                die()
            yield line

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def install(boundary: str) -> None:
    if boundary == "online-read":
        defaults = OnlineDriver.__init__.__kwdefaults__
        assert defaults is not None
        defaults["chunk_lines"] = 2
        stream = OnlineGateway.stream_job_costs

        def stream_then_die(self: OnlineGateway, command: QueryJobCosts) -> Any:
            return _DyingRead(stream(self, command))

        OnlineGateway.stream_job_costs = stream_then_die  # type: ignore[method-assign]
    elif boundary in ("wc-handed-out", "wc-answered"):
        run = workflow_stack.run_session

        def run_dying(client: Any, url: str, user: str, pw: str, processor: Any) -> Any:
            return run(_DyingClient(client, boundary), url, user, pw, processor)

        workflow_stack.run_session = run_dying  # type: ignore[assignment]
    elif boundary in _PROCORE:
        method, suffix, nth = _PROCORE[boundary]
        send = ProcoreClient._send
        seen = [0]

        def send_then_die(self: ProcoreClient, verb: str, path: str, *args: Any) -> Any:
            answer = send(self, verb, path, *args)
            if verb == method and path.endswith(suffix) and answer.status_code < 300:
                seen[0] += 1
                if seen[0] >= nth:
                    die()
            return answer

        ProcoreClient._send = send_then_die  # type: ignore[method-assign]
    else:
        raise SystemExit(f"unknown boundary {boundary!r}; one of {', '.join(BOUNDARIES)}")


def more_bills(stack: Stack) -> None:
    """Enough bills that the Procore write of each project takes several pages."""
    for n in range(3):
        qb_add_bill(stack, ELM, [("03-300", f"{100 + n}.00"), ("01-100", f"{20 + n}.50")])
        qb_add_bill(stack, PIER, [("16-100", f"{300 + n}.00"), ("09-200", f"{40 + n}.25")])


def main(edition: str, directory: Path, boundary: str) -> int:
    job_cost_writes.PAGE_SIZE = 2
    stack = Stack(edition, directory, on_disk=True)
    projects = synced_projects(stack)
    stack.settle()
    more_bills(stack)
    install(boundary)
    for project_id in projects.values():
        enable(stack, project_id)
    stack.settle()
    return SURVIVED


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], Path(sys.argv[2]), sys.argv[3]))
