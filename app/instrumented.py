"""Store latency for Prometheus: every store call timed by operation.

:func:`store_observer` is the :class:`~graph.timing.Observer` the composition root gives the
store, so ``stakemap_store_call_seconds{operation="update_person"}`` measures each call
(``@observed`` in :mod:`graph.reader` and :mod:`graph.writer`), and
``stakemap_store_errors{operation, error}`` counts the calls that failed
(``StoreUnavailable`` and friends by class name).
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

from graph.timing import Observer

__all__ = ["store_observer"]


def store_observer(latency: Histogram, errors: Counter) -> Observer:
    """Observe each call into ``latency`` and count its failures in ``errors``."""

    def observe(operation: str, seconds: float, error: Exception | None) -> None:
        latency.labels(operation).observe(seconds)
        if error is not None:
            errors.labels(operation, type(error).__name__).inc()

    return observe
