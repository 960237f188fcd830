"""The workflow benchmarks run tiny here, so they keep working and their figures keep their
promises: calls at the theoretical minimum, one writing transaction per bulk accept."""

from __future__ import annotations

import importlib
import math
from pathlib import Path
from types import ModuleType

import pytest

pytestmark = pytest.mark.filterwarnings(
    "ignore:You should not use the 'timeout' argument with the TestClient"
)

ROOT = Path(__file__).resolve().parents[3]


def _bench(name: str, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.syspath_prepend(str(ROOT))
    return importlib.import_module(f"bench.{name}")


@pytest.mark.parametrize("edition", ["online", "desktop"])
def test_accepted_exports_bench(
    edition: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bench = _bench("workflow_exports", monkeypatch)
    figures = bench.run(edition, 4, tmp_path)
    assert figures.synced == 4
    assert figures.minimum == 1
    assert figures.calls <= math.floor(figures.minimum * 1.1)
    assert figures.largest_batch <= 30
    assert figures.accept_writing_transactions == 1
    # The whole request, reads included, takes the same few transactions for 1 item or 1,000.
    assert figures.accept_transactions <= 6
    assert figures.cpu_per_item > 0
    assert figures.peak_bytes > 0
    assert "exports" in figures.line()


@pytest.mark.parametrize("edition", ["online", "desktop"])
def test_job_list_refresh_bench(
    edition: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bench = _bench("workflow_refresh", monkeypatch)
    figures = bench.run(edition, 12, tmp_path)
    assert figures.staged >= 12
    assert figures.calls == figures.minimum == 1
    assert figures.incremental_calls == figures.incremental_minimum
    assert "refresh" in figures.line()
