"""The startup checks at their boundaries: whatever text arrives as a database URL, a config
file or a password hash, the answer is a value or one line naming the fix, never another
exception."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procore_qb.quickbooks.desktop.passwords import check_password_hash, hash_password
from procore_qb.settings import ConfigFileError, read_config_file
from procore_qb.startup import StartupError, listen
from procore_qb.store.engine import check_url
from procore_qb.store.errors import DatabaseUnavailable

text = st.text(st.characters(exclude_categories=("Cs",)), max_size=80)


def refusal(check: Callable[[str], object], value: str) -> str | None:
    """The message ``check`` refuses ``value`` with, or None when it accepts it."""
    try:
        check(value)
    except (DatabaseUnavailable, ConfigFileError, ValueError) as exc:
        return str(exc)
    return None


@settings(max_examples=300)
@given(url=text | st.builds(lambda a, b: f"{a}://{b}", text, text))
def test_any_database_url_is_accepted_or_refused_in_one_line(url: str) -> None:
    message = refusal(check_url, url)
    if message is not None:
        assert "\n" not in message
        assert message.startswith(("the database URL", "procore-qb keeps its data"))


@settings(max_examples=200)
@given(body=text)
def test_any_config_file_is_read_or_refused_in_one_line(body: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "procore-qb.toml"
        path.write_text(body, encoding="utf-8")
        message = refusal(read_config_file, str(path))
        if message is not None:
            assert "\n" not in message
            assert str(path) in message


def test_a_relative_data_dir_in_a_config_file_is_anchored_at_the_file(tmp_path: Path) -> None:
    path = tmp_path / "procore-qb.toml"
    path.write_text('data_dir = "state"\n', encoding="utf-8")
    assert read_config_file(str(path)) == {"data_dir": str(tmp_path / "state")}
    path.write_text('data_dir = "/srv/procore-qb"\n', encoding="utf-8")
    assert read_config_file(str(path)) == {"data_dir": "/srv/procore-qb"}


@settings(max_examples=200, deadline=None)
@given(stored=text)
def test_any_password_hash_is_accepted_or_refused_without_repeating_it(stored: str) -> None:
    message = refusal(check_password_hash, stored)
    if message is not None:
        assert "procore-qb hash-password" in message
        assert len(stored) < 8 or stored not in message


def test_a_fresh_hash_is_accepted() -> None:
    stored = hash_password("demo")
    assert check_password_hash(stored) == stored


@pytest.mark.parametrize("port", [-1, 0, 65536, 10**6])
def test_ports_outside_the_range_are_refused(port: int) -> None:
    with pytest.raises(StartupError, match="out of range"):
        listen("127.0.0.1", port)


def test_port_zero_picks_a_free_port_when_allowed() -> None:
    sock = listen("127.0.0.1", 0, any_port=True)
    try:
        assert sock.getsockname()[1] > 0
    finally:
        sock.close()
