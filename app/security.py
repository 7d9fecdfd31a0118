"""API keys: generation and hashing — the one module that makes or hashes a key.

Keys are stored only as ``HMAC-SHA256(pepper, key)``: a keyed hash, so a copy of the
database alone is useless without the pepper (``STAKEMAP_KEY_PEPPER``, kept out of the
database), and lookups by hash need no per-key salt. Keys carry 256 bits of entropy, so a
slow hash would add nothing but latency. Changing the pepper invalidates every key.

No function here has a default pepper: every caller passes the pepper of the settings it
runs with (``settings.key_pepper.get_secret_value()``), so a key can never be hashed with the
development pepper by accident.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

__all__ = ["DEVELOPMENT_PEPPER", "KEY_PREFIX", "NewKey", "generate_key", "hash_key", "new_key"]

KEY_PREFIX = "sm_"

#: The development pepper: ``Settings``' default, which production refuses to start with.
DEVELOPMENT_PEPPER = "stakemap-development-pepper"


@dataclass(frozen=True)
class NewKey:
    """A key just made: the secret (shown once, never stored) and the hash to store."""

    secret: str
    secret_hash: str

    def __repr__(self) -> str:  # never the secret in a log or a traceback
        return f"NewKey(secret_hash={self.secret_hash!r})"


def generate_key() -> str:
    """A new API key with 256 bits of entropy.

    >>> key = generate_key()
    >>> key.startswith(KEY_PREFIX), len(key)
    (True, 46)
    """
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_key(key: str, pepper: str) -> str:
    """The keyed hash stored for ``key`` under ``pepper``.

    >>> hash_key("sm_x", "p1") == hash_key("sm_x", "p1") != hash_key("sm_x", "p2")
    True
    """
    return hmac.new(pepper.encode(), key.encode(), hashlib.sha256).hexdigest()


def new_key(pepper: str) -> NewKey:
    """A new key and its hash under ``pepper``.

    >>> made = new_key("p1")
    >>> made.secret_hash == hash_key(made.secret, "p1"), made.secret in repr(made)
    (True, False)
    """
    secret = generate_key()
    return NewKey(secret, hash_key(secret, pepper))
