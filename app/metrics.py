"""Prometheus metrics: the collectors of one app instance, and the ones that read the
analytics cache, the fair-share slots and the background recomputations when scraped."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from app.cache import AnalyticsCache
from app.fairshare import FairShare
from app.precompute import Precomputer

__all__ = ["Metrics"]


class Metrics:
    """The Prometheus collectors of one app instance (its own registry, so tests can build
    many apps in one process)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "stakemap_http_requests",
            "HTTP requests by route template, method and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "stakemap_http_request_seconds",
            "HTTP request latency by route template and method",
            ["method", "route"],
            registry=self.registry,
        )
        self.store_latency = Histogram(
            "stakemap_store_call_seconds",
            "Store call latency by operation",
            ["operation"],
            registry=self.registry,
        )
        self.store_errors = Counter(
            "stakemap_store_errors",
            "Store calls that failed, by operation and error class",
            ["operation", "error"],
            registry=self.registry,
        )

    def watch_cache(self, cache: AnalyticsCache) -> None:
        """Report the analytics cache's hit and miss counts."""
        self.registry.register(_CacheCollector(cache))

    def watch_fair_share(self, fair: FairShare) -> None:
        """Report the cold computations running and waiting for a slot."""
        self.registry.register(_FairShareCollector(fair))

    def watch_precompute(self, precomputer: Precomputer) -> None:
        """Report the background recomputations done and waiting."""
        self.registry.register(_PrecomputeCollector(precomputer))


class _CacheCollector(Collector):
    def __init__(self, cache: AnalyticsCache) -> None:
        self._cache = cache

    def collect(self) -> Iterator[Metric]:
        family = CounterMetricFamily(
            "stakemap_analytics_cache_lookups",
            "Analytics cache lookups by result",
            labels=["result"],
        )
        family.add_metric(["hit"], self._cache.hits)
        family.add_metric(["miss"], self._cache.misses)
        yield family
        size = GaugeMetricFamily(
            "stakemap_analytics_cache_bytes",
            "Estimated bytes held by the analytics cache (bounded by STAKEMAP_CACHE_MAX_BYTES)",
        )
        size.add_metric([], self._cache.bytes)
        yield size
        evicted = CounterMetricFamily(
            "stakemap_analytics_cache_evictions",
            "Analytics cache entries evicted for the byte or the variant bound",
        )
        evicted.add_metric([], self._cache.evictions)
        yield evicted


class _FairShareCollector(Collector):
    def __init__(self, fair: FairShare) -> None:
        self._fair = fair

    def collect(self) -> Iterator[Metric]:
        running = GaugeMetricFamily(
            "stakemap_analytics_running", "Cold analytics computations holding a slot"
        )
        running.add_metric([], self._fair.running())
        yield running
        waiting = GaugeMetricFamily(
            "stakemap_analytics_waiting", "Cold analytics computations waiting for a slot"
        )
        waiting.add_metric([], self._fair.waiting())
        yield waiting


class _PrecomputeCollector(Collector):
    def __init__(self, precomputer: Precomputer) -> None:
        self._precomputer = precomputer

    def collect(self) -> Iterator[Metric]:
        done = CounterMetricFamily(
            "stakemap_precomputed_organisations",
            "Organisations recomputed in the background after a write",
        )
        done.add_metric([], self._precomputer.recomputed)
        yield done
        waiting = GaugeMetricFamily(
            "stakemap_precompute_pending", "Organisations waiting to be recomputed"
        )
        waiting.add_metric([], self._precomputer.pending)
        yield waiting
