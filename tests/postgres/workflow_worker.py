"""A procore-qb worker process for the workflow stack on PostgreSQL (run by
``test_workflow_workers.py``)::

    python workflow_worker.py EDITION DIR DATABASE_URL PROCORE_URL QBO_URL NAME

It builds what ``procore-qb worker`` builds from the stack's settings (the database, the
Procrastinate queue, the use cases' context talking to the simulators over HTTP, the tasks) and
runs the queue's worker until SIGTERM.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import httpx2

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration" / "workflow"))

from workflow_stack import stack_settings

from procore_qb.app.tasks import register_tasks
from procore_qb.jobs.procrastinate_queue import ProcrastinateJobQueue
from procore_qb.store.engine import create_session_factory
from procore_qb.web.wiring import build_app_context, build_web_dependencies

POLL_SECONDS = 0.1


def _now() -> datetime:
    return datetime.now(UTC)


def main(edition: str, directory: str, database_url: str, procore: str, qbo: str, name: str) -> int:
    settings = stack_settings(
        edition, Path(directory), database_url=database_url, procore_url=procore, qbo_url=qbo
    )
    deps, engine = build_web_dependencies(settings)
    queue = ProcrastinateJobQueue(engine, worker_name=name, poll_interval=POLL_SECONDS)
    with httpx2.Client(trust_env=False, timeout=60) as http:
        ctx = build_app_context(
            settings,
            sessions=create_session_factory(engine),
            queue=queue,
            company_id=deps.company_id,
            http=http,
            clock=_now,
        )
        register_tasks(ctx)
        print("ready", flush=True)
        queue.run_worker()
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:7]))
