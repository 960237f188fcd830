"""``make fuzz`` at a tiny size: every campaign still runs end to end against live servers on
127.0.0.1 and finds nothing unhandled and no stored value that breaks a later read."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

HARNESS = Path(__file__).resolve().parents[2] / "bench" / "fuzz.py"


@pytest.fixture(scope="module")
def fuzz() -> ModuleType:
    spec = importlib.util.spec_from_file_location("procore_qb_fuzz_harness", HARNESS)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    "boundary",
    ["qbwc-login", "qbwc-session", "procore", "qbo", "qbd", "qbxml-parser", "qbo-json-parser"],
)
def test_each_campaign_runs_clean_at_a_tiny_size(fuzz: ModuleType, boundary: str) -> None:
    (tally,) = fuzz.run(inputs=25, seed=7, only=(boundary,))
    assert tally.inputs >= 25
    assert sum(tally.statuses.values()) >= 25
    assert tally.unhandled == 0, tally.examples
    assert tally.broken_reads == 0, tally.examples
