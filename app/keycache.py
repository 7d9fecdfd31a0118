"""Recently verified API keys, so that most requests authenticate without a store read.

Every request names its key; reading the key record costs a store round trip (a thread hop
for SQLite, a network round trip for Neo4j) that is most of a warm request's cost. A record
found in the store is kept here for ``ttl`` seconds. Revoking a key through this process
(:meth:`ApiKeyCache.forget`, called on the writer's ``KeyRevoked`` event; see
:mod:`app.bootstrap`) takes effect at once; another worker process sees the revocation
within ``ttl``. Unknown keys are never kept, so guessing keys cannot fill the cache.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime

from schemas.keys import ApiKeyPublic

__all__ = ["ApiKeyCache"]


class ApiKeyCache:
    """A bounded LRU of key records by secret hash, each valid ``ttl`` seconds.

    >>> from datetime import UTC, datetime
    >>> from schemas.common import KeyRole
    >>> now = [0.0]
    >>> cache = ApiKeyCache(ttl=5.0, max_entries=10, clock=lambda: now[0])
    >>> key = ApiKeyPublic(id="k1", tenant="t", role=KeyRole.VIEWER,
    ...                    created_at=datetime(2026, 1, 1, tzinfo=UTC))
    >>> cache.put("h", key)
    >>> cache.get("h") is key
    True
    >>> now[0] = 5.5
    >>> cache.get("h") is None
    True
    """

    def __init__(
        self, ttl: float, max_entries: int = 10_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._ttl = ttl
        self._max = max_entries
        self._clock = clock
        self._entries: OrderedDict[str, tuple[ApiKeyPublic, float]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, secret_hash: str) -> ApiKeyPublic | None:
        """The cached record, or ``None`` when absent or older than ``ttl``."""
        if self._ttl <= 0:
            return None
        with self._lock:
            found = self._entries.get(secret_hash)
            if found is None:
                return None
            key, stored_at = found
            if self._clock() - stored_at >= self._ttl:
                del self._entries[secret_hash]
                return None
            self._entries.move_to_end(secret_hash)
            return key

    def put(self, secret_hash: str, key: ApiKeyPublic) -> None:
        """Keep a record just read from the store."""
        if self._ttl <= 0:
            return
        with self._lock:
            self._entries[secret_hash] = (key, self._clock())
            self._entries.move_to_end(secret_hash)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)

    def touched(self, secret_hash: str, at: datetime) -> None:
        """Record a new ``last_used_at`` written to the store, keeping the entry's age."""
        with self._lock:
            found = self._entries.get(secret_hash)
            if found is not None:
                key, stored_at = found
                updated = key.model_copy(update={"last_used_at": at})
                self._entries[secret_hash] = (updated, stored_at)

    def forget(self, key_id: str) -> None:
        """Drop the key with this id (it was revoked)."""
        with self._lock:
            for secret_hash in [h for h, (k, _) in self._entries.items() if k.id == key_id]:
                del self._entries[secret_hash]

    def __len__(self) -> int:
        return len(self._entries)
