"""Single-flight: concurrent calls with the same key share one computation."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from typing import Any, TypeVar

__all__ = ["SingleFlight"]

T = TypeVar("T")


class SingleFlight:
    """Concurrent calls with the same key share one computation: the first caller computes,
    the others wait for its result (or its exception).

    Callers put the organisation's generation (:meth:`app.cache.AnalyticsCache.generation`) in the
    key, so a call made after a write never joins a computation that started before it
    (read-your-writes).

    >>> flights = SingleFlight()
    >>> flights.run("k", lambda: 42)
    42
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: dict[Hashable, Future[Any]] = {}
        self.joined = 0

    def run(self, key: Hashable, compute: Callable[[], T]) -> T:
        with self._lock:
            running = self._running.get(key)
            if running is None:
                mine: Future[Any] = Future()
                self._running[key] = mine
            else:
                self.joined += 1
        if running is not None:
            shared: T = running.result()
            return shared
        try:
            value = compute()
        except BaseException as exc:
            mine.set_exception(exc)
            raise
        else:
            mine.set_result(value)
            return value
        finally:
            with self._lock:
                del self._running[key]
