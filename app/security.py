"""API keys: generation and hashing.

Keys are stored only as ``HMAC-SHA256(pepper, key)``: a keyed hash, so a copy of the
database alone is useless without the pepper (``STAKEMAP_KEY_PEPPER``, kept out of the
database), and lookups by hash need no per-key salt. Keys carry 256 bits of entropy, so a
slow hash would add nothing but latency. Changing the pepper invalidates every key.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

KEY_PREFIX = "sm_"

#: The development pepper; production refuses to start with it (see ``Settings``).
DEVELOPMENT_PEPPER = "stakemap-development-pepper"


def generate_key() -> str:
    """A new API key with 256 bits of entropy."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_key(key: str, pepper: str = DEVELOPMENT_PEPPER) -> str:
    """The keyed hash stored for ``key``.

    >>> hash_key("sm_x") == hash_key("sm_x") != hash_key("sm_x", pepper="other")
    True
    """
    return hmac.new(pepper.encode(), key.encode(), hashlib.sha256).hexdigest()
