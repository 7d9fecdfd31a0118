"""API keys: generation and hashing. Keys are random, so one SHA-256 pass is enough to make
a stolen database useless, and lookups by hash need no per-key salt."""

from __future__ import annotations

import hashlib
import secrets

KEY_PREFIX = "sm_"


def generate_key() -> str:
    """A new API key with 256 bits of entropy."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()
