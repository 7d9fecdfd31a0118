"""The Neo4j side of :mod:`graph.migrations`: ``(:SchemaVersion {ledger, version, name,
applied_at})`` nodes, and the split Neo4j forces on a migration: its constraint and index
statements cannot share a transaction with data writes, so each runs in an auto-commit
transaction of its own first (they must be ``IF [NOT] EXISTS``, checked at load, so running
them again after a crash is harmless), then the data statements and the version record run
in one managed write transaction (retried on transient errors, rolled back together)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from neo4j import Driver, GraphDatabase, ManagedTransaction, NotificationMinimumSeverity
from neo4j.exceptions import AuthError, ConstraintError, DriverError, ServiceUnavailable

from graph.errors import StoreUnavailable
from graph.migrations import (
    AppliedMigration,
    Migration,
    StoreKind,
    is_schema_statement,
    load_ledger,
)

__all__ = ["LEDGER", "Neo4jMigrations", "connect"]

#: The ledger name of Stakemap's own migrations (a test may keep a ledger of its own).
LEDGER = "stakemap"


class Neo4jMigrations:
    """:class:`graph.migrations.MigrationTarget` on a driver and database; ``ensure``
    runs ``schema`` (the constraint and index statements of ``queries/schema/``)."""

    kind: StoreKind = "neo4j"

    def __init__(
        self,
        driver: Driver,
        database: str,
        *,
        schema: list[str],
        ledger: str = LEDGER,
    ) -> None:
        self._driver = driver
        self._database = database
        self._schema = schema
        self._ledger = ledger
        self._cypher = load_ledger("neo4j")

    def ensure(self) -> None:
        for statement in self._schema:
            self._driver.execute_query(statement, database_=self._database)

    def version(self) -> int:
        records, _, _ = self._driver.execute_query(
            self._cypher["version_read"], {"ledger": self._ledger}, database_=self._database
        )
        return int(records[0]["version"])

    def history(self) -> list[AppliedMigration]:
        records, _, _ = self._driver.execute_query(
            self._cypher["version_history"], {"ledger": self._ledger}, database_=self._database
        )
        return [AppliedMigration(r["version"], r["name"], r["applied_at"]) for r in records]

    def apply(self, migration: Migration) -> bool:
        if self.version() >= migration.version:
            return False
        schema = [s for s in migration.statements if is_schema_statement(s)]
        data = [s for s in migration.statements if not is_schema_statement(s)]
        for statement in schema:
            self._driver.execute_query(statement, database_=self._database)

        def work(tx: ManagedTransaction) -> bool:
            current = tx.run(self._cypher["version_read"], {"ledger": self._ledger}).single()
            if current is not None and current["version"] >= migration.version:
                return False
            for statement in data:
                tx.run(statement).consume()
            tx.run(
                self._cypher["version_record"],
                {
                    "ledger": self._ledger,
                    "version": migration.version,
                    "name": migration.name,
                    "applied_at": datetime.now(UTC).isoformat(),
                },
            ).consume()
            return True

        try:
            with self._driver.session(database=self._database) as session:
                return session.execute_write(work)
        except ConstraintError:
            return False  # another process recorded this version at the same time


@contextmanager
def connect(
    uri: str, *, user: str, password: str, database: str, timeout: float, schema: list[str]
) -> Iterator[Neo4jMigrations]:
    """A target on a driver of its own (``stakemap migrate``); an unreachable server is
    :class:`~graph.errors.StoreUnavailable`."""
    driver = GraphDatabase.driver(
        uri,
        auth=(user, password),
        connection_timeout=timeout,
        notifications_min_severity=NotificationMinimumSeverity.OFF,
    )
    try:
        try:
            driver.verify_connectivity()
        except (ServiceUnavailable, DriverError) as exc:
            raise StoreUnavailable(f"Neo4j is unavailable: {exc}") from exc
        except AuthError as exc:
            raise StoreUnavailable(f"Neo4j refused the credentials: {exc.message}") from exc
        yield Neo4jMigrations(driver, database, schema=schema)
    finally:
        driver.close()
