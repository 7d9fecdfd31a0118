"""Small in-memory snapshots for unit tests: the samples of :mod:`graph.samples`."""

from __future__ import annotations

from graph.samples import NOW, TENANT, SnapshotBuilder, tiny_snapshot

__all__ = ["NOW", "TENANT", "SnapshotBuilder", "tiny_snapshot"]
