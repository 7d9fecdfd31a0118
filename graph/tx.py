"""The storage port: transactions that run named statements. Each adapter implements it.

Everything above this port — repositories (:mod:`graph.repositories`), the one write path
(:mod:`graph.writer`) and the reads (:mod:`graph.reader`) — is written once, against
statement *names*: ``queries/<name>.cypher`` for Neo4j and ``queries/sqlite/<name>.sql`` for
SQLite take the same named parameters and answer the same columns. A row is a plain dict: a
Cypher statement that returns one ``node`` map per record answers that map's properties, and
one that returns a single record with a ``nodes`` list answers one row per element (a
record per row costs the Python driver far more than one list, so bulk reads collect).

What each adapter keeps to itself is what really differs: how a transaction is opened and
retried (Neo4j's managed transactions; SQLite's ``BEGIN IMMEDIATE`` in a writer queue), how
parameters travel (lists stay lists in Bolt and become JSON text in SQLite), and how driver
errors become domain errors. Every statement runs inside :meth:`TxStore.read` or
:meth:`TxStore.write`, so no statement can bypass that translation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

__all__ = ["FirstRow", "ReadTx", "Row", "TxStore", "WriteTx"]

Row = dict[str, Any]
ResultT = TypeVar("ResultT")


class ReadTx(Protocol):
    """A transaction that reads."""

    def rows(self, statement: str, **params: Any) -> list[Row]:
        """Every row the named statement answers."""
        ...

    def row(self, statement: str, **params: Any) -> Row | None:
        """The first row the named statement answers, or None."""
        ...


class WriteTx(ReadTx, Protocol):
    """A transaction that may also write; it commits when the work returns."""

    def write_rows(self, statement: str, rows: Sequence[Row]) -> None:
        """Run a row-wise statement for every row (Cypher ``UNWIND $rows``; SQL named
        parameters per row), in batches the adapter chooses."""
        ...


class FirstRow:
    """:meth:`ReadTx.row` from ``rows``, for the adapters' transactions."""

    def rows(self, statement: str, **params: Any) -> list[Row]:
        raise NotImplementedError

    def row(self, statement: str, **params: Any) -> Row | None:
        rows = self.rows(statement, **params)
        return rows[0] if rows else None


class TxStore(Protocol):
    """What a store adapter offers: transactions, readiness, and closing."""

    #: statements this store was loaded with (checked at start against the repositories)
    dialect: str

    def read(self, work: Callable[[ReadTx], ResultT]) -> ResultT:
        """Run ``work`` in a read transaction (a consistent view of the store)."""
        ...

    def write(
        self, work: Callable[[WriteTx], ResultT], *, bounded: bool = True, wait: bool = True
    ) -> ResultT:
        """Run ``work`` in a write transaction and commit it.

        ``work`` may run more than once (Neo4j retries transient failures), so it must not
        change anything outside the transaction. ``bounded=False`` lets the write queue
        even when the store's write queue is full (an audit entry of a write already
        committed); ``wait=False`` gives up at once if another write holds the lock
        (:class:`~graph.errors.StoreBusy`), for best-effort stamps.
        """
        ...

    def ping(self) -> None:
        """Raise :class:`~graph.errors.StoreUnavailable` unless the store is usable."""
        ...

    def close(self) -> None: ...
