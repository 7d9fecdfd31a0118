"""What keeps the SQLite store's failures bounded and honest (used by :mod:`graph.sqlite_store`).

* :class:`WriterQueue`: one writer at a time per store, at most ``limit`` writes waiting for
  it, none waiting longer than ``lock_timeout`` seconds in all (here, then on SQLite's own
  lock held by another process). A write past either bound answers 503 with
  ``Retry-After`` at once, so queued writes never take the threads that reads need.
* :class:`Integrity`: the file's health. ``PRAGMA quick_check`` on open (in the background
  for large files); a damaged file is served no more: every call answers a logged 500 and
  readiness fails.
* :func:`error_kind`: which sqlite3 errors are the store being busy, damaged or unusable.
  Others (a misused API, a broken constraint) are bugs and propagate as they are.
"""

from __future__ import annotations

import logging
import math
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum

from graph.errors import StoreBusy, StoreCorrupt, StoreNotReady
from graph.messages import _

__all__ = [
    "DEFAULT_LOCK_TIMEOUT_SECONDS",
    "DEFAULT_QUICK_CHECK_MAX_BYTES",
    "DEFAULT_WRITE_QUEUE",
    "ErrorKind",
    "Health",
    "Integrity",
    "WriterQueue",
    "WriterQueueStats",
    "error_kind",
    "quick_check",
]

logger = logging.getLogger("stakemap")

#: Longest a write waits for the write lock, in this process and then in SQLite.
DEFAULT_LOCK_TIMEOUT_SECONDS = 5.0
#: Writes that may wait for the write lock at once (the 40-thread pool keeps 23 for reads).
DEFAULT_WRITE_QUEUE = 16
#: Files up to this size are checked before the store opens; larger ones in the background.
DEFAULT_QUICK_CHECK_MAX_BYTES = 256 * 2**20
#: Characters of a damage report that go into the log.
_CAUSE_CHARS = 2_000
#: Problems ``PRAGMA quick_check`` reports at most (the first is enough to refuse the file).
_CHECK_ROWS = 10


class ErrorKind(StrEnum):
    BUSY = "busy"
    DAMAGED = "damaged"
    UNUSABLE = "unusable"


_KINDS = {
    sqlite3.SQLITE_BUSY: ErrorKind.BUSY,
    sqlite3.SQLITE_LOCKED: ErrorKind.BUSY,
    sqlite3.SQLITE_CORRUPT: ErrorKind.DAMAGED,
    sqlite3.SQLITE_NOTADB: ErrorKind.DAMAGED,
    sqlite3.SQLITE_IOERR: ErrorKind.UNUSABLE,
    sqlite3.SQLITE_FULL: ErrorKind.UNUSABLE,
    sqlite3.SQLITE_CANTOPEN: ErrorKind.UNUSABLE,
    sqlite3.SQLITE_READONLY: ErrorKind.UNUSABLE,
    sqlite3.SQLITE_PERM: ErrorKind.UNUSABLE,
    sqlite3.SQLITE_PROTOCOL: ErrorKind.UNUSABLE,
    sqlite3.SQLITE_NOLFS: ErrorKind.UNUSABLE,
}


def error_kind(exc: sqlite3.Error) -> ErrorKind | None:
    """What a sqlite3 error says about the store, from its (primary) result code.

    >>> error_kind(_error(sqlite3.SQLITE_BUSY))
    <ErrorKind.BUSY: 'busy'>
    >>> error_kind(_error(sqlite3.SQLITE_CORRUPT)), error_kind(_error(sqlite3.SQLITE_ERROR))
    (<ErrorKind.DAMAGED: 'damaged'>, None)
    """
    code = getattr(exc, "sqlite_errorcode", None)
    return None if code is None else _KINDS.get(code & 0xFF)


def _error(code: int) -> sqlite3.Error:
    """A sqlite3 error carrying ``code`` (for the doctests)."""
    exc = sqlite3.OperationalError("example")
    exc.sqlite_errorcode = code
    return exc


# --- the writer queue -----------------------------------------------------------------------


@dataclass(frozen=True)
class WriterQueueStats:
    """A snapshot of one store's writer queue (for tests, benchmarks and operators)."""

    lock_timeout: float
    limit: int
    #: a write holds the turn (it may itself be waiting for another process's lock)
    held: bool
    waiting: int
    #: writes refused because ``limit`` writes were waiting already
    rejected: int
    #: writes refused because the lock stayed taken for ``lock_timeout``
    timed_out: int
    #: best-effort writes skipped because the lock was taken
    skipped: int
    #: the longest wait on another process's lock any write was granted, in seconds
    longest_granted: float


class WriterQueue:
    """One writer at a time, at most ``limit`` waiting, each for ``lock_timeout`` in all."""

    def __init__(self, lock_timeout: float, limit: int) -> None:
        if lock_timeout <= 0 or limit < 1:
            raise ValueError("lock_timeout must be positive and limit at least 1")
        self.lock_timeout = lock_timeout
        self.limit = limit
        self._turn = threading.Lock()
        self._counts = threading.Lock()
        self._waiting = 0
        self._rejected = 0
        self._timed_out = 0
        self._skipped = 0
        self._longest_granted = 0.0

    @property
    def retry_after(self) -> int:
        """What a refused write is told to wait (the lock wait, in whole seconds)."""
        return max(1, math.ceil(self.lock_timeout))

    def busy(self) -> StoreBusy:
        """The refusal of a write whose wait ran out (counted)."""
        with self._counts:
            self._timed_out += 1
        return StoreBusy(
            _(
                "the store's write lock stayed taken for {seconds:g} s; the write was not done, "
                "retry it"
            ).format(seconds=self.lock_timeout),
            self.retry_after,
        )

    def skipped(self) -> None:
        with self._counts:
            self._skipped += 1

    @contextmanager
    def turn(self, *, bounded: bool = True, wait: bool = True) -> Iterator[float]:
        """Hold this store's writer turn; yields the seconds left of the lock wait, for
        SQLite's own wait on other processes.

        ``bounded=False`` queues even past ``limit`` (the audit entry of a write already
        committed); ``wait=False`` takes the turn only if it is free, else raises
        :class:`StoreBusy` at once (best-effort writes)."""
        deadline = time.monotonic() + self.lock_timeout
        with self._counts:
            if wait and bounded and self._waiting >= self.limit:
                self._rejected += 1
                raise StoreBusy(
                    _(
                        "{count} writes are already waiting for the store's write lock; the "
                        "write was not done, retry it"
                    ).format(count=self.limit),
                    self.retry_after,
                )
            self._waiting += 1
        try:
            taken = (
                self._turn.acquire(timeout=self.lock_timeout)
                if wait
                else self._turn.acquire(blocking=False)
            )
        finally:
            with self._counts:
                self._waiting -= 1
        if not taken:
            if not wait:
                raise StoreBusy(_("the store's write lock is taken"), self.retry_after)
            raise self.busy()
        left = max(0.0, deadline - time.monotonic()) if wait else 0.0
        with self._counts:
            self._longest_granted = max(self._longest_granted, left)
        try:
            yield left
        finally:
            self._turn.release()

    def stats(self) -> WriterQueueStats:
        with self._counts:
            return WriterQueueStats(
                lock_timeout=self.lock_timeout,
                limit=self.limit,
                held=self._turn.locked(),
                waiting=self._waiting,
                rejected=self._rejected,
                timed_out=self._timed_out,
                skipped=self._skipped,
                longest_granted=self._longest_granted,
            )


# --- the file's health -----------------------------------------------------------------------


class Health(StrEnum):
    CHECKING = "checking"
    OK = "ok"
    DAMAGED = "damaged"


class Integrity:
    """The store file's health: ``checking`` until ``quick_check`` passes, then ``ok``; or
    ``damaged`` for good (a failed check, or a read that found a damaged page)."""

    def __init__(self) -> None:
        self._state = Health.CHECKING
        self._lock = threading.Lock()

    @property
    def state(self) -> Health:
        return self._state

    def passed(self) -> None:
        with self._lock:
            if self._state is Health.CHECKING:
                self._state = Health.OK

    def damaged(self, cause: str) -> None:
        """Mark the file damaged; logged with its cause (which no answer ever carries)."""
        with self._lock:
            first = self._state is not Health.DAMAGED
            self._state = Health.DAMAGED
        if first:
            logger.error(
                "the SQLite store is damaged; nothing more is served from it (restore the "
                "file from a backup and restart): %s",
                cause if len(cause) <= _CAUSE_CHARS else cause[:_CAUSE_CHARS] + " …",
            )

    def require_usable(self) -> None:
        """Raise :class:`StoreCorrupt` (a 500) once the file is known to be damaged."""
        if self._state is Health.DAMAGED:
            raise StoreCorrupt()

    def require_ready(self) -> None:
        """Raise :class:`StoreNotReady` (readiness: 503) unless the check has passed."""
        if self._state is Health.DAMAGED:
            raise StoreNotReady(_("the store failed its integrity check"))
        if self._state is Health.CHECKING:
            raise StoreNotReady(_("the store's integrity check is still running"))


def quick_check(conn: sqlite3.Connection) -> list[str]:
    """The problems ``PRAGMA quick_check`` finds (none: an empty list).

    Raises :class:`sqlite3.DatabaseError` when the file is too damaged to check.

    >>> quick_check(sqlite3.connect(":memory:"))
    []
    """
    rows = conn.execute(f"PRAGMA quick_check({_CHECK_ROWS})").fetchall()
    return [str(row[0]) for row in rows if row[0] != "ok"]
