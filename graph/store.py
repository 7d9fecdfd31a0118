"""The graph store the service uses: every read and write, over one adapter.

:class:`GraphStore` is :class:`~graph.reader.GraphReader` and
:class:`~graph.writer.GraphWriter` over one :class:`~graph.tx.TxStore` adapter
(:class:`~graph.sqlite_store.SqliteStore` or :class:`~graph.neo4j_store.Neo4jStore`). The
composition root (:func:`app.bootstrap.build_services`) builds it.
"""

from __future__ import annotations

from graph.reader import GraphReader
from graph.timing import Observer, unobserved
from graph.tx import TxStore
from graph.writer import GraphWriter

__all__ = ["GraphStore"]


class GraphStore(GraphReader, GraphWriter):
    """Persistence of organisations, stakeholders, our team, their ties, and API keys."""

    def __init__(self, adapter: TxStore, *, observe: Observer = unobserved) -> None:
        GraphReader.__init__(self, adapter, observe=observe)
        GraphWriter.__init__(self, adapter, observe=observe)
        self.adapter = adapter

    def observe_with(self, observe: Observer) -> None:
        """Report every call to ``observe`` from now on."""
        self._observe = observe

    def ping(self) -> None:
        """Raise :class:`~graph.errors.StoreUnavailable` unless the store is usable."""
        self.adapter.ping()

    def close(self) -> None:
        self.adapter.close()
