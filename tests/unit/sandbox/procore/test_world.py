"""The world's origin_id index, snapshots, clocks, config and field checks."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from procore_qb.sandbox.procore.clock import ManualClock, WallClock
from procore_qb.sandbox.procore.config import SandboxConfig
from procore_qb.sandbox.procore.errors import SeedError, Unprocessable
from procore_qb.sandbox.procore.fields import clean
from procore_qb.sandbox.procore.seeding import seed_world
from procore_qb.sandbox.procore.world import World

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def test_origin_index_follows_changes() -> None:
    world = World(SandboxConfig())
    record = world.insert("projects", {"_company_id": 1, "origin_id": "A"}, T0)
    assert world.by_origin("projects", 1, "A") is record
    assert world.by_origin("projects", 2, "A") is None
    world.set_origin_id("projects", record, "B")
    assert world.by_origin("projects", 1, "A") is None
    assert world.by_origin("projects", 1, "B") is record
    world.delete("projects", record)
    assert world.by_origin("projects", 1, "B") is None


def test_snapshot_round_trip(tmp_path: Path) -> None:
    world = World(SandboxConfig())
    seed_world(world, T0)
    path = tmp_path / "state.json"
    world.save(path)
    again = World(SandboxConfig())
    again.restore(path)
    assert again.tables["projects"].keys() == world.tables["projects"].keys()
    assert again.tables["projects"][2001]["created_at"] == T0
    assert again.next_id == world.next_id


def test_unreadable_snapshot(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text("{}")
    with pytest.raises(SeedError):
        World(SandboxConfig()).restore(path)
    path.write_text("not json")
    with pytest.raises(SeedError):
        World(SandboxConfig()).restore(path)


def test_seed_world_matches_the_seed() -> None:
    world = World(SandboxConfig())
    seed_world(world, T0)
    assert len(world.tables["projects"]) == 10
    assert {u["email_address"] for u in world.tables["users"].values()} >= {
        "ada@summit.example",
        "eve@summit.example",
    }
    quickbooks = [
        c
        for c in world.tables["standard_cost_codes"].values()
        if c["standard_cost_code_list_id"] == 1
    ]
    assert {c["code"] for c in quickbooks} == {
        "01-100",
        "02-200",
        "03-300",
        "05-500",
        "06-100",
        "09-200",
        "15-400",
        "16-100",
    }
    no_codes = [c for c in world.tables["cost_codes"].values() if c["_project_id"] == 2005]
    assert no_codes == []


def test_clocks() -> None:
    clock = ManualClock(T0)
    assert clock.advance(90).isoformat() == "2026-01-01T00:01:30+00:00"
    with pytest.raises(ValueError, match="forward"):
        clock.advance(-1)
    with pytest.raises(ValueError, match="timezone"):
        ManualClock(datetime(2026, 1, 1))  # noqa: DTZ001
    wall = WallClock()
    before = wall.now()
    assert wall.advance(3600) >= before


def test_config_limits() -> None:
    with pytest.raises(ValueError, match="spike_limit"):
        SandboxConfig(spike_limit=0)
    with pytest.raises(ValueError, match="default_per_page"):
        SandboxConfig(default_per_page=50, max_per_page=10)


def test_clean_converts_and_collects_errors() -> None:
    assert clean(
        {"a": "7", "b": "2026-03-02", "c": None, "z": 1}, {"a": "int", "b": "date", "c": "str"}
    ) == {"a": 7, "b": "2026-03-02", "c": None}
    with pytest.raises(Unprocessable) as refused:
        clean({"a": True, "b": "soon", "d": [1, "x"]}, {"a": "int", "b": "date", "d": "ids"})
    assert set(refused.value.errors) == {"a", "b", "d"}
