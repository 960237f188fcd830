"""The figures a benchmark prints, as data, so that ``make test`` can run every benchmark at a
small size and check that what it prints makes sense (never how fast it was)."""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

__all__ = ["Figure", "Measured", "measure"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Figure:
    """One printed line: ``records`` handled in ``seconds`` (wall clock), with the calls made
    against their theoretical ``minimum`` and the peak Python memory when measured.

    ``allowed`` is how many calls the design allows (the minimum unless a benchmark says why
    it needs more); a run above it is a regression worth a look, whatever the size.
    """

    label: str
    records: int
    seconds: float
    peak_bytes: int | None = None
    calls: int | None = None
    minimum: int | None = None
    allowed: int | None = None
    calls_name: str = "API calls"
    note: str = ""

    @property
    def per_second(self) -> float:
        return self.records / self.seconds if self.seconds > 0 else float("inf")

    def line(self) -> str:
        parts = [f"{self.label:<46}", f"{self.records:>7,} records"]
        if self.calls is not None and self.minimum is not None:
            ratio = self.calls / self.minimum if self.minimum else float("inf")
            parts.append(
                f"{self.calls:>5,} {self.calls_name} (minimum {self.minimum:,}, {ratio:.2f}x)"
            )
        parts.append(f"{self.per_second:>10,.0f} records/s")
        if self.peak_bytes is not None:
            parts.append(f"peak {self.peak_bytes / 1_048_576:6.1f} MiB")
        if self.note:
            parts.append(self.note)
        return "  ".join(parts)

    def show(self) -> Figure:
        print(self.line(), flush=True)
        return self


@dataclass(frozen=True, slots=True)
class Measured:
    seconds: float
    peak_bytes: int


def measure(work: Callable[[], T]) -> tuple[T, Measured]:
    """Run ``work`` under tracemalloc; its result with the wall-clock time and peak memory."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        result = work()
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, Measured(elapsed, peak)
