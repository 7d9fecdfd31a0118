"""The composition root: the one place that decides what is wired to what.

:func:`build_services` opens the configured store and builds everything that serves from it
— the analytics cache and service, the API-key cache, metrics, the kernel worker pool, the
webhook store (and, on request, its delivery worker: :func:`build_delivery_worker`) — and
subscribes the caches to the writer's invalidation events. The server's lifespan, the CLI,
the tests and the benches all build their services here.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass

from app.analytics import AnalyticsService
from app.cache import AnalyticsCache
from app.fairshare import FairShare
from app.instrumented import store_observer
from app.keycache import ApiKeyCache
from app.metrics import Metrics
from app.settings import Settings
from app.webhooks import DeliveryPolicy, DeliveryWorker, DestinationPolicy
from graph.analytics.kernels import kernel_pool
from graph.store import GraphStore
from graph.titles import load_table as load_title_table
from graph.tx import TxStore
from graph.webhook_store import WebhookStore
from graph.writer import GraphChanged, KeyRevoked, WriteEvent

__all__ = [
    "Services",
    "build_adapter",
    "build_delivery_worker",
    "build_services",
    "build_store",
]


def build_adapter(settings: Settings) -> TxStore:
    """Open the configured store adapter (schema, constraints and indexes included)."""
    if settings.store == "neo4j":
        from graph.neo4j_store import Neo4jStore

        return Neo4jStore(
            settings.neo4j_uri,
            user=settings.neo4j_user,
            password=settings.neo4j_password.get_secret_value(),
            database=settings.neo4j_database,
            timeout=settings.neo4j_timeout_seconds,
            connect_timeout=settings.neo4j_connect_timeout_seconds,
            retry_time=settings.neo4j_retry_seconds,
            migrate=settings.migrates_on_start,
        )
    from graph.sqlite_store import SqliteStore

    return SqliteStore(
        settings.sqlite_path,
        lock_timeout=settings.sqlite_lock_timeout_seconds,
        write_queue=settings.sqlite_write_queue,
        quick_check_max_bytes=settings.sqlite_quick_check_max_bytes,
        migrate=settings.migrates_on_start,
    )


def build_store(settings: Settings) -> GraphStore:
    """The configured store."""
    return GraphStore(build_adapter(settings))


StoreFactory = Callable[[Settings], GraphStore]


@dataclass
class Services:
    """Everything the service runs on, built once per process."""

    settings: Settings
    store: GraphStore
    cache: AnalyticsCache
    analytics: AnalyticsService
    api_keys: ApiKeyCache
    metrics: Metrics
    fair_share: FairShare
    executor: Executor | None
    unsubscribe: Callable[[], None]
    webhooks: WebhookStore
    destinations: DestinationPolicy

    def close(self) -> None:
        self.unsubscribe()
        if self.executor is not None:
            self.executor.shutdown(cancel_futures=True)
        self.store.close()


def invalidate_on_write(
    cache: AnalyticsCache, api_keys: ApiKeyCache
) -> Callable[[WriteEvent], None]:
    """The writer's listener that forgets exactly what a committed write changed."""

    def forget(event: WriteEvent) -> None:
        if isinstance(event, KeyRevoked):
            api_keys.forget(event.key_id)  # a revoked key stops working at once here
        elif isinstance(event, GraphChanged):
            if event.whole_tenant:
                cache.invalidate(event.tenant)  # every organisation, those named included
                return
            for org_id in sorted(event.org_ids):
                cache.invalidate(event.tenant, org_id)

    return forget


def build_services(
    settings: Settings,
    *,
    store_factory: StoreFactory = build_store,
    kernel_workers: bool = True,
) -> Services:
    """Open the store and build the services over it (``kernel_workers=False``: compute in
    the calling process, as a one-shot command does)."""
    cache = AnalyticsCache(settings.cache_max_bytes, max_variants=settings.cache_max_variants)
    metrics = Metrics()
    metrics.watch_cache(cache)
    api_keys = ApiKeyCache(settings.key_cache_seconds)
    store = store_factory(settings)
    observer = store_observer(metrics.store_latency, metrics.store_errors)
    store.observe_with(observer)
    webhooks = WebhookStore(store.adapter, observe=observer)
    unsubscribe = store.subscribe(invalidate_on_write(cache, api_keys))
    # rustworkx holds the GIL while it computes: large kernels run in worker processes
    processes = settings.analytics_processes if kernel_workers else 0
    executor = kernel_pool(processes) if processes else None
    load_title_table()  # read and compile once at start, not on the first request
    fair = FairShare(settings.analytics_concurrency, settings.analytics_tenant_concurrency)
    metrics.watch_fair_share(fair)
    analytics = AnalyticsService(
        store,
        cache,
        revalidate=settings.cache_revalidate,
        executor=executor,
        layout_budget=settings.layout_work_budget,
        fair_share=fair,
    )
    return Services(
        settings,
        store,
        cache,
        analytics,
        api_keys,
        metrics,
        fair,
        executor,
        unsubscribe,
        webhooks=webhooks,
        destinations=DestinationPolicy(allow_loopback=settings.webhook_allow_loopback),
    )


def build_delivery_worker(services: Services) -> DeliveryWorker:
    """The webhook delivery worker over the services' outbox, woken by every committed
    write (it starts and stops with the caller: the lifespan, or a test)."""
    return DeliveryWorker(
        services.webhooks,
        DeliveryPolicy.from_settings(services.settings),
        services.destinations,
    )
