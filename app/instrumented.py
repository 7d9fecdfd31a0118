"""Store latency for Prometheus: every store call timed by operation.

Composed in the lifespan around the real store (inside the cache-invalidating wrapper), so
``stakemap_store_call_seconds{operation="update_person"}`` measures the adapter alone, and
``stakemap_store_errors{operation, error}`` counts the calls that failed (``StoreUnavailable``
and friends by class name).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from prometheus_client import Counter, Histogram

from graph.port import GraphStore

__all__ = ["TimedStore", "timed"]


class TimedStore:
    """A :class:`~graph.port.GraphStore` proxy that observes each method's duration."""

    def __init__(self, inner: GraphStore, latency: Histogram, errors: Counter) -> None:
        self._inner = inner
        self._latency = latency
        self._errors = errors
        self._methods: dict[str, Callable[..., Any]] = {}

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._inner, name)
        if name.startswith("_") or not callable(attribute):
            return attribute
        method = self._methods.get(name)
        if method is None:
            method = self._methods[name] = self._timed(name, attribute)
        return method

    def _timed(self, name: str, call: Callable[..., Any]) -> Callable[..., Any]:
        observe = self._latency.labels(name).observe

        @wraps(call)
        def timed_call(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return call(*args, **kwargs)
            except Exception as exc:
                self._errors.labels(name, type(exc).__name__).inc()
                raise
            finally:
                observe(time.perf_counter() - started)

        return timed_call


def timed(inner: GraphStore, latency: Histogram, errors: Counter) -> GraphStore:
    """``inner`` with every call timed into ``latency`` (and failures counted in ``errors``)."""
    return cast(GraphStore, TimedStore(inner, latency, errors))
