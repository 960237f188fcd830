from __future__ import annotations

import importlib

import pytest

import procore_qb.jobs

MODULES = [
    "procore_qb.jobs",
    "procore_qb.jobs.arguments",
    "procore_qb.jobs.clock",
    "procore_qb.jobs.config",
    "procore_qb.jobs.embedded",
    "procore_qb.jobs.errors",
    "procore_qb.jobs.factory",
    "procore_qb.jobs.port",
    "procore_qb.jobs.procrastinate_schema",
    "procore_qb.jobs.procrastinate_queue",
    "procore_qb.jobs.retry",
    "procore_qb.jobs.schedule",
    "procore_qb.jobs.workers",
]


@pytest.mark.parametrize("name", MODULES)
def test_every_exported_name_exists(name: str) -> None:
    module = importlib.import_module(name)
    assert module.__all__ == sorted(module.__all__, key=lambda n: (not n.isupper(), n))
    for exported in module.__all__:
        assert hasattr(module, exported), f"{name}.{exported}"


def test_the_package_exports_the_port_and_its_errors() -> None:
    for needed in ["JobQueue", "JobContext", "Backoff", "TerminalJobError", "RetryableJobError"]:
        assert needed in procore_qb.jobs.__all__
