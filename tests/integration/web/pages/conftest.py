"""Fixtures of the page tests: the whole stack (QuickBooks Desktop) with its pages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from integration.workflow.workflow_stack import Stack


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    built = Stack("desktop", tmp_path)
    yield built
    built.close()
