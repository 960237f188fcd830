"""Every benchmark in bench/ runs here at a small size, so none can fall behind the code it
measures. The checks are on the figures it prints (records handled, calls against their
minimum, memory), never on how long anything took."""

from __future__ import annotations

import importlib
import math
import pkgutil
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
# ``fuzz`` lives beside the benchmarks but is make fuzz's campaign runner, not a benchmark
# (bench/__main__.py leaves it out the same way); tests/integration/test_fuzz_harness.py runs it.
BENCHMARKS = sorted(
    m.name
    for m in pkgutil.iter_modules([str(ROOT / "bench")])
    if not m.name.startswith("_") and m.name != "fuzz"
)


def _import(name: str, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.syspath_prepend(str(ROOT))
    return importlib.import_module(f"bench.{name}")


def test_every_benchmark_module_is_found() -> None:
    # A renamed folder or a broken discovery would otherwise run nothing and pass.
    assert {"domain_eligibility", "procore_client", "qbd_roundtrips", "qbo_online"} <= set(
        BENCHMARKS
    )


@pytest.mark.parametrize("name", BENCHMARKS)
def test_benchmark_runs_small_and_prints_sane_figures(
    name: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    module = _import(name, monkeypatch)
    figures_module = _import("_figures", monkeypatch)

    figures = module.main(small=True)

    printed = capsys.readouterr().out.splitlines()
    assert figures, f"bench.{name} reported no figures"
    for figure in figures:
        assert isinstance(figure, figures_module.Figure)
        assert figure.line() in printed, f"bench.{name} did not print {figure.label!r}"
        assert figure.records > 0, figure
        assert figure.seconds > 0, figure
        assert math.isfinite(figure.per_second), figure
        if figure.peak_bytes is not None:
            assert figure.peak_bytes > 0, figure
        assert (figure.calls is None) == (figure.minimum is None), figure
        if figure.calls is not None and figure.minimum is not None:
            assert figure.minimum >= 1, figure
            allowed = figure.minimum if figure.allowed is None else figure.allowed
            assert figure.minimum <= figure.calls <= allowed, figure.line()


def test_bench_entry_point_runs_one_benchmark_small(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    entry = _import("__main__", monkeypatch)
    assert entry.main(["--small", "domain_eligibility"]) == 0
    out = capsys.readouterr().out
    assert "== bench.domain_eligibility (small)" in out
    assert entry.main(["no-such-benchmark"]) == 2
