"""The SQLite side of :mod:`graph.migrations`: the ``schema_version`` table and one
``BEGIN IMMEDIATE`` transaction per migration (SQLite's DDL is transactional, so a failed
migration leaves the file as it was)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from graph.migrations import AppliedMigration, Migration, StoreKind, load_ledger

__all__ = ["SqliteMigrations", "connect"]


class SqliteMigrations:
    """:class:`graph.migrations.MigrationTarget` on one connection in autocommit mode
    (``isolation_level=None``), e.g. the store's own at open."""

    kind: StoreKind = "sqlite"

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._sql = load_ledger("sqlite")

    def ensure(self) -> None:
        """Nothing: SQLite's indexes need their tables, so migrations create them."""

    def _has_table(self) -> bool:
        return bool(self._conn.execute(self._sql["version_table"]).fetchone()[0])

    def version(self) -> int:
        if not self._has_table():
            return 0
        return int(self._conn.execute(self._sql["version_read"]).fetchone()[0])

    def history(self) -> list[AppliedMigration]:
        if not self._has_table():
            return []
        rows = self._conn.execute(self._sql["version_history"]).fetchall()
        return [AppliedMigration(int(r[0]), str(r[1]), str(r[2])) for r in rows]

    def apply(self, migration: Migration) -> bool:
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            if self.version() >= migration.version:  # another process was first
                conn.execute("ROLLBACK")
                return False
            for statement in migration.statements:
                conn.execute(statement)
            conn.execute(
                self._sql["version_record"],
                {
                    "version": migration.version,
                    "name": migration.name,
                    "applied_at": datetime.now(UTC).isoformat(),
                },
            )
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return True


@contextmanager
def connect(path: str | Path, *, timeout: float) -> Iterator[SqliteMigrations]:
    """A target on its own connection to the file at ``path`` (``stakemap migrate``),
    waiting at most ``timeout`` seconds for another process's write lock."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), timeout=timeout, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA foreign_keys = ON")
        yield SqliteMigrations(conn)
    finally:
        conn.close()
