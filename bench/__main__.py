"""Run every benchmark module in this folder (``python -m bench [--small] [NAME ...]``).

A benchmark module defines ``main(small: bool = False) -> list[Figure]`` that prints its
figures and returns them; ``--small`` runs each at the size ``make test`` uses.
``fuzz`` is not a benchmark: it runs with ``make fuzz`` (``python -m bench.fuzz``).
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def benchmark_names() -> list[str]:
    here = Path(__file__).parent
    return sorted(
        m.name
        for m in pkgutil.iter_modules([str(here)])
        if not m.name.startswith("_") and m.name != "fuzz"
    )


def main(argv: list[str]) -> int:
    small = "--small" in argv
    patterns = [a for a in argv if a != "--small"]
    names = benchmark_names()
    wanted = [n for n in names if not patterns or any(a in n for a in patterns)]
    if not wanted:
        print(f"no benchmark matches {patterns}; available: {', '.join(names)}")
        return 2
    for name in wanted:
        print(f"== bench.{name}{' (small)' if small else ''}")
        importlib.import_module(f"bench.{name}").main(small=small)
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
