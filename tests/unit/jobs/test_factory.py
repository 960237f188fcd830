from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from procore_qb.jobs import JobsConfigurationError
from procore_qb.jobs.embedded import EmbeddedJobQueue
from procore_qb.jobs.factory import create_job_queue
from procore_qb.jobs.procrastinate_queue import ProcrastinateJobQueue
from procore_qb.settings import JobQueueSettings
from procore_qb.store.engine import create_engine


@pytest.fixture
def sqlite(tmp_path: Path) -> Iterator[Engine]:
    engine = create_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    yield engine
    engine.dispose()


@pytest.fixture
def postgres() -> Iterator[Engine]:
    # Building the queue opens no connection, so no server is needed here.
    engine = sa.create_engine("postgresql+psycopg://procore@db.invalid/procore_qb")
    yield engine
    engine.dispose()


def test_auto_is_embedded_on_sqlite(sqlite: Engine) -> None:
    queue = create_job_queue(sqlite, JobQueueSettings(), worker_name="w1")
    assert isinstance(queue, EmbeddedJobQueue)
    assert queue.worker_name == "w1"


def test_auto_is_procrastinate_on_postgresql(postgres: Engine) -> None:
    queue = create_job_queue(postgres, JobQueueSettings(backend="auto"), worker_name="w2")
    assert isinstance(queue, ProcrastinateJobQueue)
    assert queue.worker_name == "w2"


def test_procrastinate_on_sqlite_is_refused(sqlite: Engine) -> None:
    with pytest.raises(JobsConfigurationError, match="use the embedded queue"):
        create_job_queue(sqlite, JobQueueSettings(backend="procrastinate"))


def test_embedded_on_postgresql_is_refused(postgres: Engine) -> None:
    with pytest.raises(JobsConfigurationError, match="PROCORE_QB_JOBS__BACKEND=procrastinate"):
        create_job_queue(postgres, JobQueueSettings(backend="embedded"))


def test_postgresql_needs_psycopg_3() -> None:
    engine = sa.create_engine("postgresql+psycopg://procore@db.invalid/x")
    engine.dialect.driver = "psycopg2"  # as if configured with postgresql+psycopg2://
    try:
        with pytest.raises(JobsConfigurationError, match=r"postgresql\+psycopg://"):
            ProcrastinateJobQueue(engine)
    finally:
        engine.dispose()


def test_the_default_worker_name_is_host_and_pid(sqlite: Engine) -> None:
    import os
    import socket

    queue = create_job_queue(sqlite, JobQueueSettings())
    assert isinstance(queue, EmbeddedJobQueue)
    assert queue.worker_name == f"{socket.gethostname()}-{os.getpid()}"
