"""Small in-memory snapshots for unit tests: the samples of :mod:`graph.samples`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from graph.samples import NOW, TENANT, SnapshotBuilder, tiny_snapshot

if TYPE_CHECKING:
    from app.cache import AnalyticsCache
    from graph.store import GraphStore

__all__ = ["NOW", "TENANT", "SnapshotBuilder", "subscribed", "tiny_snapshot"]


def subscribed(store: GraphStore, cache: AnalyticsCache) -> GraphStore:
    """``store`` whose committed writes drop what they change from ``cache`` (as the
    composition root wires it)."""
    from app.bootstrap import invalidate_on_write
    from app.keycache import ApiKeyCache

    store.subscribe(invalidate_on_write(cache, ApiKeyCache(60)))
    return store
