"""Fixtures of the end-to-end workflow tests: the whole stack per QuickBooks edition."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from workflow_stack import Stack

# The simulated Web Connector passes a time-out per call, which Starlette's in-process
# TestClient cannot honour and warns about; the calls here never wait on a network.
pytestmark = pytest.mark.filterwarnings(
    "ignore:You should not use the 'timeout' argument with the TestClient"
)


@pytest.fixture(params=["desktop", "online"])
def stack(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Stack]:
    built = Stack(str(request.param), tmp_path)
    yield built
    built.close()


@pytest.fixture
def desktop(tmp_path: Path) -> Iterator[Stack]:
    built = Stack("desktop", tmp_path)
    yield built
    built.close()


@pytest.fixture
def online(tmp_path: Path) -> Iterator[Stack]:
    built = Stack("online", tmp_path)
    yield built
    built.close()
