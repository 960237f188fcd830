from __future__ import annotations

import stat
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from procore_qb.store.secrets import SecretBox, SecretKeyError, load_or_create_key


def test_seal_and_open() -> None:
    key = Fernet.generate_key()
    box = SecretBox(key)
    sealed = box.seal("refresh-token-value")
    assert "refresh-token-value" not in sealed
    assert box.open(sealed) == "refresh-token-value"
    # The box's own key, in any form it could leak in, stays out of its repr and str.
    for shown in (repr(box), str(box), f"{box!r} {box}"):
        assert "key hidden" in shown
        assert key.decode() not in shown
        assert key.decode()[:16] not in shown


def test_a_value_sealed_under_another_key_is_refused_with_the_fix() -> None:
    sealed = SecretBox(Fernet.generate_key()).seal("x")
    with pytest.raises(SecretKeyError, match="restore the old key or reconnect"):
        SecretBox(Fernet.generate_key()).open(sealed)


def test_a_malformed_key_is_refused_with_how_to_make_one() -> None:
    with pytest.raises(SecretKeyError, match=r"Fernet\.generate_key"):
        SecretBox("not-a-key")


def test_key_file_is_created_once_owner_only(tmp_path: Path) -> None:
    first = load_or_create_key("", tmp_path / "data")
    second = load_or_create_key("", tmp_path / "data")
    assert first == second
    mode = stat.S_IMODE((tmp_path / "data" / "secret.key").stat().st_mode)
    assert mode == 0o600
    configured = Fernet.generate_key().decode()
    assert load_or_create_key(configured, tmp_path / "data") == configured.encode()
