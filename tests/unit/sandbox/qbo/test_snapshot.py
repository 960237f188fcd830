from __future__ import annotations

from pathlib import Path

import pytest

from procore_qb.sandbox.qbo.config import SimulatorConfig
from procore_qb.sandbox.qbo.errors import SnapshotError
from procore_qb.sandbox.qbo.simulator import SNAPSHOT_FILE, Simulator


@pytest.mark.parametrize("content", ["not json", "[]", '{"realms": {"1": {}}}'])
def test_an_unreadable_state_file_is_named_with_the_fix(tmp_path: Path, content: str) -> None:
    (tmp_path / SNAPSHOT_FILE).write_text(content, encoding="utf-8")
    with pytest.raises(SnapshotError) as info:
        Simulator(SimulatorConfig(), data_dir=tmp_path)
    message = str(info.value)
    assert str(tmp_path / SNAPSHOT_FILE) in message
    assert "delete it to start again from the seed world" in message


def test_a_saved_state_comes_back(tmp_path: Path) -> None:
    first = Simulator(SimulatorConfig(), data_dir=tmp_path)
    first.save()
    again = Simulator(SimulatorConfig(), data_dir=tmp_path)
    assert set(again.realms) == set(first.realms)
