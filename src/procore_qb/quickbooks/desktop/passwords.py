"""Hashing of the Web Connector password (the one typed into QuickBooks Web Connector).

Stored as ``scrypt$N$r$p$salt$hash`` (base64), checked in constant time. The password itself
is never stored or logged.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

__all__ = ["check_password_hash", "hash_password", "verify_password"]

_N, _R, _P = 2**14, 8, 1


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """A salted scrypt hash of ``password`` for :func:`verify_password`."""
    if not password:
        raise ValueError("the Web Connector password must not be empty")
    salt = secrets.token_bytes(16) if salt is None else salt
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches ``stored`` (a :func:`hash_password` value). A malformed
    ``stored`` value never matches."""
    try:
        scheme, n, r, p, salt_b64, digest_b64 = stored.split("$")
        if scheme != "scrypt":
            return False
        salt = base64.b64decode(salt_b64, validate=True)
        expected = base64.b64decode(digest_b64, validate=True)
        digest = hashlib.scrypt(
            password.encode("utf-8"),
            salt=salt,
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest, expected)


def check_password_hash(stored: str) -> str:
    """``stored`` if it is a :func:`hash_password` value that :func:`verify_password` can
    check; ``ValueError`` naming the fix otherwise (the value itself is never repeated)."""
    fix = "set it to the line `procore-qb hash-password` prints"
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != "scrypt":
        raise ValueError(f"is not a password hash (scrypt$N$r$p$salt$hash): {fix}")
    _, n, r, p, salt_b64, digest_b64 = parts
    try:
        salt = base64.b64decode(salt_b64, validate=True)
        digest = base64.b64decode(digest_b64, validate=True)
        cost, block, parallel = int(n), int(r), int(p)
        if len(salt) < 8 or len(digest) < 16:
            raise ValueError("salt or digest too short")
        # The parameters must be ones scrypt accepts within its memory limit, or no password
        # would ever match: try them once on an empty input.
        hashlib.scrypt(b"", salt=salt, n=cost, r=block, p=parallel, dklen=len(digest))
    except (ValueError, TypeError, OverflowError, MemoryError):
        raise ValueError(f"is not a usable scrypt hash: {fix}") from None
    return stored
