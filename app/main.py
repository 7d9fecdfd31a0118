"""The FastAPI application: factory, lifespan and router wiring.

``app.main:app`` is the ASGI entry point. Building it creates no connection: the store is
opened in the lifespan, from settings read at start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app.audit import AuditMiddleware
from app.bootstrap import StoreFactory, build_delivery_worker, build_services, build_store
from app.constants import BOOTSTRAP_TENANT
from app.export_slots import ExportSlots
from app.idempotency import purge_periodically
from app.logging_setup import configure_logging
from app.metrics_listener import MetricsListener
from app.middleware import (
    BodySizeLimitMiddleware,
    RequestContextMiddleware,
    SecurityHeadersMiddleware,
    SettingsCORSMiddleware,
)
from app.operation_ids import operation_id
from app.precompute import Precomputer
from app.problems import OutcomeProblem, Problem, document_problems, register_problem_handlers
from app.ratelimit import FailureThrottle, TokenBuckets
from app.routers import (
    alerts,
    analytics,
    audit,
    exports,
    health,
    history,
    interactions,
    keys,
    maps,
    opportunities,
    organisations,
    people,
    relationships,
    team,
    web,
    webhooks,
)
from app.security import hash_key
from app.settings import Settings
from app.state import AppState
from schemas.common import KeyRole

logger = logging.getLogger("stakemap")

DESCRIPTION = """
Stakeholder power maps for key-account sales teams.

Authenticate with `Authorization: Bearer <api key>`. Errors are RFC 9457 problem documents
(`application/problem+json`) whose `errors` list names each offending field.
"""


def create_app(
    settings: Settings | None = None,
    store_factory: StoreFactory = build_store,
) -> FastAPI:
    """Build the application; ``store_factory`` lets tests wire in another store."""

    @asynccontextmanager
    async def lifespan(instance: FastAPI) -> AsyncIterator[dict[str, AppState]]:
        active = settings or Settings()
        configure_logging()
        services = build_services(active, store_factory=store_factory)
        store, metrics = services.store, services.metrics
        listener = MetricsListener(metrics.registry, active.metrics_host, active.metrics_port)
        instance.state.metrics_listener = listener  # read by tests for the chosen port
        try:
            if active.bootstrap_admin_key is not None:
                store.ensure_api_key(
                    BOOTSTRAP_TENANT,
                    KeyRole.ADMIN,
                    "bootstrap",
                    hash_key(
                        active.bootstrap_admin_key.get_secret_value(),
                        active.key_pepper.get_secret_value(),
                    ),
                )
            precomputer = Precomputer(services.analytics) if active.analytics_precompute else None
            if precomputer is not None:
                services.cache.add_listener(precomputer.schedule)
                metrics.watch_precompute(precomputer)
                precomputer.start()
            limits = TokenBuckets(active.rate_limit_per_minute / 60, active.rate_limit_burst)
            failures = FailureThrottle(
                active.auth_failure_limit, active.auth_failure_window_seconds
            )
            if active.metrics_enabled:
                await asyncio.to_thread(listener.start)
            purging = asyncio.create_task(purge_periodically(store))
            worker = build_delivery_worker(services) if active.webhook_worker else None
            stop_waking = None if worker is None else store.subscribe(worker.written)
            if worker is not None:
                worker.start()
            try:
                yield {
                    "app": AppState(
                        settings=active,
                        store=store,
                        analytics=services.analytics,
                        metrics=metrics,
                        rate_limits=limits,
                        api_keys=services.api_keys,
                        auth_failures=failures,
                        exports=ExportSlots(active.exports_per_tenant, active.exports_total),
                        webhooks=services.webhooks,
                        destinations=services.destinations,
                    )
                }
            finally:
                await asyncio.to_thread(listener.stop)
                if precomputer is not None:
                    precomputer.stop()
                purging.cancel()
                if stop_waking is not None:
                    stop_waking()
                if worker is not None:
                    await asyncio.to_thread(worker.stop)
                with contextlib.suppress(asyncio.CancelledError):
                    await purging
        finally:
            services.close()

    app = FastAPI(
        title="Stakemap",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
        docs_url=None,  # served by app.routers.web from local assets
        redoc_url=None,
        responses={
            400: {"model": Problem, "description": "The body is not JSON"},
            401: {"model": Problem, "description": "Missing, unknown or revoked API key"},
            403: {"model": Problem, "description": "The key's role does not allow this"},
            404: {"model": Problem, "description": "Unknown id (or another tenant's)"},
            413: {"model": Problem, "description": "The body is too large"},
            422: {"model": Problem, "description": "Invalid input, field by field"},
            429: {"model": Problem, "description": "Rate limit exceeded (see `Retry-After`)"},
            503: {
                "model": OutcomeProblem,
                "description": "The store is unavailable (retry after `Retry-After` seconds), "
                "or the outcome of a write is unknown (retry with the same `Idempotency-Key`)",
            },
        },
    )
    register_problem_handlers(app)
    document_problems(app)
    # Outermost last: request ids wrap everything, so even a 413 carries one.
    app.add_middleware(AuditMiddleware)
    app.add_middleware(SettingsCORSMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(BodySizeLimitMiddleware)
    app.add_middleware(RequestContextMiddleware)
    for module in (
        health,
        organisations,
        people,
        team,
        relationships,
        opportunities,
        interactions,
        history,
        analytics,
        alerts,
        maps,
        exports,
        keys,
        audit,
        webhooks,
    ):
        app.include_router(module.router)
    web.install(app)
    return app


app = create_app()
