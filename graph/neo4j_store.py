"""The production store: Neo4j through the official driver.

This adapter implements the transactional port (:mod:`graph.tx`) and nothing above it.
One driver per process (opened through the composition root); reads run in managed read
transactions routed to readers, writes in managed write transactions, which the driver
retries on transient failures (so the work above must be repeatable). A write's first
statement takes the organisation's write lock (see ``organisation_lock.cypher``). Row-wise
writes run as ``UNWIND $rows`` in batches of :data:`BATCH_SIZE`. Every statement is a named
file from :mod:`queries`; driver errors become domain errors here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import neo4j
from neo4j import (
    GraphDatabase,
    ManagedTransaction,
    NotificationMinimumSeverity,
    unit_of_work,
)
from neo4j.exceptions import (
    ConstraintError,
    DriverError,
    IncompleteCommit,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
    TransientError,
)

from graph.errors import WRITE_CONFLICT, Conflict, OutcomeUnknown, StoreUnavailable
from graph.messages import _
from graph.migrations import load_migrations, open_schema
from graph.neo4j_migrations import Neo4jMigrations
from graph.repositories import STATEMENTS
from graph.tx import FirstRow, ReadTx, Row, WriteTx
from queries import QueryCatalog, load_catalog

logger = logging.getLogger("stakemap")

ResultT = TypeVar("ResultT")

#: Rows written per UNWIND statement in bulk imports (see docs/PERFORMANCE.md).
BATCH_SIZE = 5_000

_METADATA = {"app": "stakemap"}


@contextmanager
def _domain_errors() -> Iterator[None]:
    """Translate driver failures into domain errors (ours pass through untouched)."""
    try:
        yield
    except ConstraintError as exc:
        # the driver's text names labels and property values: logged, not answered
        logger.warning("Neo4j refused a write: %s", exc.message)
        raise Conflict(_(WRITE_CONFLICT)) from exc
    except IncompleteCommit as exc:
        # The connection broke after COMMIT was sent: stored or not, nobody knows.
        raise OutcomeUnknown(str(exc)) from exc
    except (ServiceUnavailable, SessionExpired, TransientError) as exc:
        raise StoreUnavailable(f"Neo4j is unavailable: {exc}") from exc
    except DriverError as exc:
        raise StoreUnavailable(f"Neo4j driver error: {exc}") from exc
    except Neo4jError as exc:
        code = exc.code or ""
        if code.startswith("Neo.TransientError") or "TransactionTimedOut" in code:
            raise StoreUnavailable(f"Neo4j is busy: {exc.message}") from exc
        raise


def _row(record: neo4j.Record) -> Row:
    """A record as a row: a lone ``node`` map stands for its properties."""
    data = record.data()
    if len(data) == 1 and "node" in data:
        node: Row = data["node"]
        return node
    return data


class _Tx(FirstRow):
    """:class:`~graph.tx.WriteTx` (and ReadTx) on one managed transaction."""

    def __init__(self, tx: ManagedTransaction, catalog: QueryCatalog) -> None:
        self._tx = tx
        self._catalog = catalog

    def rows(self, statement: str, **params: Any) -> list[Row]:
        records = list(self._tx.run(self._catalog[statement], params))
        if len(records) == 1 and records[0].keys() == ["nodes"]:
            # one record carrying a list of maps: far cheaper to ship than a record per row
            nodes: list[Row] = records[0]["nodes"]
            return nodes
        return [_row(record) for record in records]

    def write_rows(self, statement: str, rows: Sequence[Row]) -> None:
        text = self._catalog[statement]
        for start in range(0, len(rows), BATCH_SIZE):
            self._tx.run(text, {"rows": list(rows[start : start + BATCH_SIZE])}).consume()


class Neo4jStore:
    """:class:`graph.tx.TxStore` on a Neo4j 5 server."""

    def __init__(
        self,
        uri: str,
        *,
        user: str,
        password: str,
        database: str,
        timeout: float = 15.0,
        connect_timeout: float | None = None,
        retry_time: float | None = None,
        catalog: QueryCatalog | None = None,
        migrate: bool = True,
    ) -> None:
        """``timeout`` bounds each transaction (and, unless given, connecting and retrying);
        ``connect_timeout`` bounds opening a connection and getting one from the pool;
        ``retry_time`` bounds how long a failing transaction is retried. Small bounds make
        requests fail fast (503) while Neo4j is down; the driver reconnects by itself.
        ``migrate`` applies pending migrations at open, else they are refused
        (:func:`graph.migrations.open_schema`)."""
        self._catalog = catalog or load_catalog()
        self._catalog.require(STATEMENTS)
        self.dialect = self._catalog.dialect.value
        self._database = database
        self._timeout = timeout
        with _domain_errors():
            self._driver = GraphDatabase.driver(
                uri,
                auth=(user, password),
                connection_timeout=connect_timeout or timeout,
                connection_acquisition_timeout=(connect_timeout or timeout) * 2,
                max_transaction_retry_time=timeout if retry_time is None else retry_time,
                # Schema hints such as "property key does not exist" on an empty database
                # are noise for a service; real failures arrive as exceptions.
                notifications_min_severity=NotificationMinimumSeverity.OFF,
            )
            try:
                self._driver.verify_connectivity()
                target = Neo4jMigrations(self._driver, database, schema=self._catalog.schema())
                open_schema(target, load_migrations("neo4j"), apply=migrate)
            except BaseException:
                self._driver.close()
                raise

    # --- the port ----------------------------------------------------------------------------

    def read(self, work: Callable[[ReadTx], ResultT]) -> ResultT:
        return self._managed(work, write=False)

    def write(
        self, work: Callable[[WriteTx], ResultT], *, bounded: bool = True, wait: bool = True
    ) -> ResultT:
        """``bounded`` and ``wait`` mean nothing here: Neo4j queues writes itself and a
        transaction's timeout bounds the wait for a lock."""
        return self._managed(work, write=True)

    def _managed(self, work: Callable[[_Tx], ResultT], *, write: bool) -> ResultT:
        """``work`` in one managed transaction (retried by the driver on transient errors)."""

        def run(tx: ManagedTransaction) -> ResultT:
            return work(_Tx(tx, self._catalog))

        unit = unit_of_work(timeout=self._timeout, metadata=_METADATA)(run)
        with _domain_errors(), self._driver.session(database=self._database) as session:
            return session.execute_write(unit) if write else session.execute_read(unit)

    def ping(self) -> None:
        self.read(lambda tx: tx.rows("ping"))

    def close(self) -> None:
        self._driver.close()
