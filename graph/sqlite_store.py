"""The embedded store: one SQLite file in WAL mode, the zero-set-up default.

This adapter implements the transactional port (:mod:`graph.tx`) and nothing above it.
Writes run in ``BEGIN IMMEDIATE`` transactions (the write lock is taken up front, so two
writers never deadlock on a lock upgrade) in one writer queue; reads in deferred ones.
Foreign keys are on; node and tie tables are ``WITHOUT ROWID`` with primary keys that start
with (tenant, organisation), so one organisation's rows sit together on disk and reading it
costs the same whatever the size of the whole database. Statements are the named files of
``queries/sqlite/``; a file may hold several statements (run in order, with the same
parameters; the rows are the last statement's that answers rows). Lists travel as JSON
text (``json_each(:ids)`` in SQL). Every ``sqlite3`` error becomes a domain error in
:meth:`SqliteStore.read` and :meth:`SqliteStore.write`, the only ways to run a statement.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, TypeVar

from graph.errors import (
    WRITE_CONFLICT,
    Conflict,
    StakemapError,
    StoreBusy,
    StoreCorrupt,
    StoreUnavailable,
)
from graph.messages import _
from graph.migrations import MigrationError, load_migrations, open_schema
from graph.repositories import STATEMENTS
from graph.sqlite_guard import (
    DEFAULT_LOCK_TIMEOUT_SECONDS,
    DEFAULT_QUICK_CHECK_MAX_BYTES,
    DEFAULT_WRITE_QUEUE,
    ErrorKind,
    Health,
    Integrity,
    WriterQueue,
    WriterQueueStats,
    error_kind,
    quick_check,
)
from graph.sqlite_migrations import SqliteMigrations
from graph.tx import FirstRow, ReadTx, Row, WriteTx
from queries import Dialect, QueryCatalog, load_catalog

logger = logging.getLogger("stakemap")

ResultT = TypeVar("ResultT")

#: Longest pause between two attempts to take a write lock another process holds.
_LOCK_POLL_SECONDS = 0.02

#: WAL pages between automatic checkpoints (SQLite's default is 1000, i.e. 4 MiB).
WAL_AUTOCHECKPOINT_PAGES = 16_384

#: Where one statement of a file ends: a semicolon that ends a line.
_STATEMENT_END = re.compile(r";\s*$", re.MULTILINE)


def _statements(text: str) -> list[str]:
    """The statements of one file, comments dropped."""
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("--"))
    return [part.strip() for part in _STATEMENT_END.split(body) if part.strip()]


def _encoded(params: dict[str, Any]) -> dict[str, Any]:
    """Parameters as SQLite takes them: lists and maps as JSON text."""
    return {
        name: json.dumps(value) if isinstance(value, list | tuple | dict) else value
        for name, value in params.items()
    }


#: Columns that hold a list or a map (as JSON text); rows answer them decoded, as Neo4j
#: does (a history version's ``stored`` row is a map, as a Neo4j node's properties are).
_JSON_COLUMNS = ("roles", "member_ids", "person_ids", "stored", "after", "before")


def _decoded(row: sqlite3.Row) -> Row:
    """A row as the layers above read it: lists and maps back from their JSON text."""
    data = dict(row)
    for column in _JSON_COLUMNS:
        value = data.get(column)
        if isinstance(value, str):
            data[column] = json.loads(value)
    return data


class _Tx(FirstRow):
    """:class:`~graph.tx.WriteTx` (and ReadTx) on one connection's open transaction."""

    def __init__(self, conn: sqlite3.Connection, statements: dict[str, list[str]]) -> None:
        self._conn = conn
        self._statements = statements

    def rows(self, statement: str, **params: Any) -> list[Row]:
        values = _encoded(params)
        answered: list[Row] = []
        for sql in self._statements[statement]:
            cursor = self._conn.execute(sql, values)
            if cursor.description is not None:
                answered = [_decoded(r) for r in cursor.fetchall()]
        return answered

    def write_rows(self, statement: str, rows: Sequence[Row]) -> None:
        if rows:
            [sql] = self._statements[statement]
            self._conn.executemany(sql, [_encoded(row) for row in rows])


def _rollback(conn: sqlite3.Connection) -> None:
    """End the failed transaction, if SQLite has not ended it already."""
    if conn.in_transaction:
        with suppress(sqlite3.Error):
            conn.execute("ROLLBACK")


class SqliteStore:
    """:class:`graph.tx.TxStore` on a SQLite file (one connection per thread).

    Writes take turns in one :class:`~graph.sqlite_guard.WriterQueue` per store: at most
    ``write_queue`` wait, none longer than ``lock_timeout`` seconds in all (its turn here,
    then SQLite's lock if another process holds it), else :class:`StoreBusy` (503 with
    ``Retry-After``). The file passes ``PRAGMA quick_check`` before it is served when it is
    at most ``quick_check_max_bytes`` long; a larger one is checked by ``background`` (a
    thread by default) while it is served, and :meth:`ping` fails until the check passes.
    A damaged file (a failed check, or a damaged page met by any call) is served no more:
    every call raises :class:`StoreCorrupt` (a logged 500) and :meth:`ping` fails.
    ``migrate`` applies pending migrations at open, else they are refused
    (:func:`graph.migrations.open_schema`).
    """

    def __init__(
        self,
        path: str | Path,
        *,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT_SECONDS,
        write_queue: int = DEFAULT_WRITE_QUEUE,
        quick_check_max_bytes: int = DEFAULT_QUICK_CHECK_MAX_BYTES,
        background: Callable[[Callable[[], None]], None] | None = None,
        catalog: QueryCatalog | None = None,
        migrate: bool = True,
    ) -> None:
        sql = catalog or load_catalog(Dialect.SQLITE)
        sql.require(STATEMENTS)
        self._statements = {name: _statements(sql[name]) for name in STATEMENTS}
        self.dialect = sql.dialect.value
        self._path = str(path)
        size = 0
        if self._path != ":memory:":
            file = Path(self._path)
            file.parent.mkdir(parents=True, exist_ok=True)
            size = file.stat().st_size if file.exists() else 0
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._writers = WriterQueue(lock_timeout, write_queue)
        self._integrity = Integrity()
        self._checker: threading.Thread | None = None
        self._checking: sqlite3.Connection | None = None
        in_background = size > quick_check_max_bytes
        try:
            conn = self._connection()
            if not in_background:
                self.integrity_check()
            if self._integrity.state is not Health.DAMAGED:
                open_schema(SqliteMigrations(conn), load_migrations("sqlite"), apply=migrate)
        except MigrationError:
            self.close()
            raise
        except sqlite3.Error as exc:
            if error_kind(exc) is not ErrorKind.DAMAGED:
                raise StoreUnavailable(f"cannot open the SQLite store: {exc}") from exc
            self._integrity.damaged(str(exc))
        if in_background and self._integrity.state is Health.CHECKING:
            # its own connection, which close() can interrupt
            self._checking = sqlite3.connect(
                self._path, isolation_level=None, check_same_thread=False
            )
            (background or self._start_checker)(self._check_in_background)

    # --- the port ---------------------------------------------------------------------------

    def read(self, work: Callable[[ReadTx], ResultT]) -> ResultT:
        with self._translated(), self._read() as conn:
            return work(_Tx(conn, self._statements))

    def write(
        self, work: Callable[[WriteTx], ResultT], *, bounded: bool = True, wait: bool = True
    ) -> ResultT:
        try:
            with self._translated(), self._write(bounded=bounded, wait=wait) as conn:
                return work(_Tx(conn, self._statements))
        except StoreBusy:
            if not wait:
                self._writers.skipped()
            raise

    @contextmanager
    def _translated(self) -> Iterator[None]:
        """Refuse a damaged file; raise domain errors for sqlite3 ones."""
        self._integrity.require_usable()
        try:
            yield
        except sqlite3.IntegrityError as exc:
            raise Conflict(_(WRITE_CONFLICT)) from exc
        except sqlite3.Error as exc:
            domain = self._domain_error(exc)
            if domain is None:
                raise
            raise domain from exc

    # --- connections and transactions ----------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(
                self._path,
                timeout=self._writers.lock_timeout,
                isolation_level=None,
                check_same_thread=False,
            )
            with self._lock:
                self._connections.append(conn)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            # Erased personal data is overwritten on disk, not just unlinked (GDPR Art. 17).
            conn.execute("PRAGMA secure_delete = ON")
            conn.execute(f"PRAGMA busy_timeout = {self._wait_ms(self._writers.lock_timeout)}")
            # Checkpoint (copy the WAL into the file, with fsyncs) every 64 MiB of WAL
            # rather than every 4 MiB: bulk imports commit large transactions back to
            # back (docs/PERFORMANCE.md).
            conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT_PAGES}")
            self._local.conn = conn
        return conn

    @staticmethod
    def _wait_ms(seconds: float) -> int:
        return max(0, int(seconds * 1000))

    @contextmanager
    def _write(self, *, bounded: bool = True, wait: bool = True) -> Iterator[sqlite3.Connection]:
        """A write transaction in this store's writer turn (see :meth:`WriterQueue.turn`)."""
        with self._writers.turn(bounded=bounded, wait=wait) as left:
            conn = self._connection()
            if not self._begin_immediate(conn, left):
                raise (
                    self._writers.busy()
                    if wait
                    else StoreBusy(_("the store's write lock is taken"))
                )
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                _rollback(conn)
                raise

    def _begin_immediate(self, conn: sqlite3.Connection, wait: float) -> bool:
        """Take SQLite's write lock, waiting at most ``wait`` seconds for another process
        to let go of it (polled here rather than by SQLite's busy handler, whose sleeps can
        overrun the timeout by a second); False if it stayed taken."""
        deadline = time.monotonic() + wait
        pause = 0.001
        conn.execute("PRAGMA busy_timeout = 0")
        try:
            while True:
                try:
                    conn.execute("BEGIN IMMEDIATE")
                    return True
                except sqlite3.OperationalError as exc:
                    left = deadline - time.monotonic()
                    if error_kind(exc) is not ErrorKind.BUSY:
                        raise
                    if left <= 0:
                        return False
                    time.sleep(min(pause, left))
                    pause = min(pause * 2, _LOCK_POLL_SECONDS)
        finally:
            conn.execute(f"PRAGMA busy_timeout = {self._wait_ms(self._writers.lock_timeout)}")

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        conn = self._connection()
        conn.execute("BEGIN")
        try:
            yield conn
        except BaseException:
            _rollback(conn)
            raise
        conn.execute("COMMIT")

    def _domain_error(self, exc: sqlite3.Error) -> StakemapError | None:
        """The domain error a sqlite3 error means, or None (a bug: let it propagate).

        Driver text, SQL and the file's path go to the log, never into the error."""
        kind = error_kind(exc)
        if kind is ErrorKind.BUSY:
            return StoreBusy(_("the store is busy; retry shortly"), self._writers.retry_after)
        if kind is ErrorKind.DAMAGED:
            self._integrity.damaged(str(exc))
            return StoreCorrupt()
        if kind is ErrorKind.UNUSABLE:
            logger.error("the SQLite store cannot use its file: %s", exc)
            return StoreUnavailable("the store cannot read or write its data")
        return None

    # --- health ----------------------------------------------------------------------------

    def integrity_check(self) -> Health:
        """Run ``PRAGMA quick_check`` now; the file is then ``ok`` or ``damaged``."""
        conn = self._checking or self._connection()
        try:
            problems = quick_check(conn)
        except sqlite3.DatabaseError as exc:
            if error_kind(exc) is not ErrorKind.DAMAGED:
                raise
            problems = [str(exc)]
        if problems:
            self._integrity.damaged("; ".join(problems))
        else:
            self._integrity.passed()
        return self._integrity.state

    @property
    def health(self) -> Health:
        return self._integrity.state

    def writer_queue(self) -> WriterQueueStats:
        return self._writers.stats()

    def _start_checker(self, work: Callable[[], None]) -> None:
        self._checker = threading.Thread(target=work, name="sqlite-quick-check", daemon=True)
        self._checker.start()

    def _check_in_background(self) -> None:
        try:
            self.integrity_check()
        except sqlite3.Error as exc:
            if getattr(exc, "sqlite_errorcode", None) != sqlite3.SQLITE_INTERRUPT:
                # readiness stays failed: the file was never found sound
                logger.error("the SQLite integrity check could not run: %s", exc)

    def ping(self) -> None:
        self._integrity.require_ready()
        try:
            _Tx(self._connection(), self._statements).rows("ping")
        except sqlite3.Error as exc:
            domain = self._domain_error(exc)
            self._integrity.require_ready()  # a damaged page was met: not ready
            if domain is None:
                raise
            raise domain from exc

    def close(self) -> None:
        checking = self._checking
        if checking is not None:
            checking.interrupt()
            if self._checker is not None:
                self._checker.join(timeout=10)
            checking.close()
            self._checking = None
        with self._lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()
        self._local = threading.local()
