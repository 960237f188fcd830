"""Fixtures for the QuickBooks Desktop simulator: a seeded in-memory company file."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from lxml import etree

from procore_qb.sandbox.qbd import ManualClock, QbdSimulator, open_simulator

Run = Callable[..., etree._Element]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def sim(clock: ManualClock) -> Iterator[QbdSimulator]:
    simulator = open_simulator(None, clock)
    yield simulator
    simulator.company.close()


@pytest.fixture
def qb(sim: QbdSimulator) -> Run:
    """Run request elements (qbXML text) in one message; return the <QBXMLMsgsRs> element."""

    def run(*requests: str, on_error: str = "stopOnError") -> etree._Element:
        text = (
            '<?xml version="1.0"?><?qbxml version="13.0"?><QBXML>'
            f'<QBXMLMsgsRq onError="{on_error}">{"".join(requests)}</QBXMLMsgsRq></QBXML>'
        )
        root = etree.fromstring(sim.processor.process(text).encode())
        messages = root.find("QBXMLMsgsRs")
        assert messages is not None
        return messages

    return run
