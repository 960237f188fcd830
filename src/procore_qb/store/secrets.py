"""Encryption of tokens and passwords at rest.

Tokens are sealed with Fernet (AES-128-CBC plus HMAC-SHA256, from ``cryptography``) under the
installation's secret key. The key comes from ``PROCORE_QB_SECRET_KEY`` or, when that is empty,
from ``DATA_DIR/secret.key``, created on first use with owner-only permissions. Losing the key
means reconnecting Procore and QuickBooks; it is never logged.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from procore_qb.store.errors import StoreError

__all__ = ["SecretBox", "SecretKeyError", "load_or_create_key"]


class SecretKeyError(StoreError):
    """The secret key is malformed, or a sealed value was sealed under another key."""


class SecretBox:
    """Seals and opens short secrets (tokens) with one key."""

    def __init__(self, key: bytes | str) -> None:
        try:
            self._fernet = Fernet(key)
        except (ValueError, TypeError) as exc:
            raise SecretKeyError(
                "the secret key must be 32 url-safe base64-encoded bytes; "
                "generate one with `python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())'`"
            ) from exc

    def __repr__(self) -> str:
        return "SecretBox(<key hidden>)"

    def seal(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode("ascii")

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode("ascii")).decode()
        except InvalidToken as exc:
            raise SecretKeyError(
                "a stored secret could not be decrypted: the secret key changed since it was "
                "saved; restore the old key or reconnect the account"
            ) from exc


def load_or_create_key(configured: str, data_dir: Path) -> bytes:
    """The configured key, else the one in ``data_dir/secret.key`` (created if missing)."""
    if configured:
        return configured.encode()
    path = data_dir / "secret.key"
    if path.exists():
        return path.read_bytes().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
    return key
