"""A worker process for the crash and shutdown tests: runs one adapter's production worker
loop with two tasks that announce themselves on stdout: ``sync_company`` then blocks until the
test kills the process, ``hello`` returns.

Usage: python worker_process.py BACKEND DATABASE_URL CLOCK_ISO LEASE_SECONDS
"""

from __future__ import annotations

import sys
import threading
from datetime import datetime, timedelta

from procore_qb.jobs.clock import ManualClock
from procore_qb.jobs.embedded import EmbeddedJobQueue
from procore_qb.jobs.port import JobContext, JobQueue
from procore_qb.jobs.procrastinate_queue import ProcrastinateJobQueue
from procore_qb.store.engine import create_engine


def main() -> None:
    backend, url, clock_iso, lease_seconds = sys.argv[1:5]
    clock = ManualClock(datetime.fromisoformat(clock_iso))
    engine = create_engine(url)
    queue: JobQueue
    if backend == "embedded":
        queue = EmbeddedJobQueue(
            engine, clock=clock, lease=timedelta(seconds=float(lease_seconds)), poll_interval=0.05
        )
    else:
        queue = ProcrastinateJobQueue(
            engine, clock=clock, heartbeat_interval=timedelta(seconds=1), poll_interval=0.05
        )
    never = threading.Event()

    def sync_company(ctx: JobContext, company_id: int) -> None:
        print(f"started {ctx.job_id} {ctx.attempt}", flush=True)
        never.wait()

    def hello(ctx: JobContext) -> None:
        print(f"hello {ctx.job_id}", flush=True)

    queue.register("sync_company", sync_company)
    queue.register("hello", hello)
    queue.run_worker()


if __name__ == "__main__":
    main()
