"""HTTP plumbing shared by every route: request ids, the language of the answer's messages
(from ``Accept-Language``) and access logs, security headers, body-size limit and
Prometheus metrics. Pure ASGI middleware, so streamed responses pass through untouched."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph.messages import _, negotiate, reset_language, use_language

if TYPE_CHECKING:
    from app.cache import AnalyticsCache
    from app.fairshare import FairShare

logger = logging.getLogger("stakemap.access")

REQUEST_ID: ContextVar[str] = ContextVar("request_id", default="-")
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

#: The page and its scripts come from us only; /docs (Swagger UI) needs its inline bootstrap.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'self'"
)
DOCS_CSP = CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'").replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
)
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class JsonLogFormatter(logging.Formatter):
    """One JSON object per line, with the request id of the request being served."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": REQUEST_ID.get(),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class DropQueryString(logging.Filter):
    """Cut the query string out of uvicorn's access-log lines (``stakemap serve`` turns that
    log off; this covers ``uvicorn app.main:app`` run by hand): a query may carry a person's
    id or name, and logs are kept longer and read more widely than the data."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str):
            record.args = (*args[:2], args[2].split("?", 1)[0], *args[3:])
        return True


def configure_logging(level: str = "INFO") -> None:
    """Send the service's logs to stderr as JSON lines (idempotent), and keep query
    strings out of uvicorn's access log."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, DropQueryString) for f in access.filters):
        access.addFilter(DropQueryString())
    root = logging.getLogger("stakemap")
    if not any(isinstance(h.formatter, JsonLogFormatter) for h in root.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(JsonLogFormatter())
        root.addHandler(handler)
        root.propagate = False
    root.setLevel(level)


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

    def watch_precompute(self, precomputer: Any) -> None:
        """Report the background recomputations done and waiting."""
        self.registry.register(_PrecomputeCollector(precomputer))


class _CacheCollector(Collector):
    def __init__(self, cache: AnalyticsCache) -> None:
        self._cache = cache

    def collect(self) -> Any:
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

    def collect(self) -> Any:
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
    def __init__(self, precomputer: Any) -> None:
        self._precomputer = precomputer

    def collect(self) -> Any:
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


def _route_template(scope: Scope) -> str:
    route = scope.get("route")
    path: str | None = getattr(route, "path", None)
    return path or "unmatched"


def _app_state(scope: Scope) -> Any:
    """The lifespan's :class:`~app.state.AppState`, or None before the lifespan ran."""
    return scope.get("state", {}).get("app")


class RequestContextMiddleware:
    """Request id (``X-Request-ID`` in and out), the language of the request's messages
    (negotiated from ``Accept-Language``, :func:`graph.messages.negotiate`), one JSON
    access-log line, metrics."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        incoming = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = REQUEST_ID.set(request_id)
        language = use_language(negotiate(headers.get(b"accept-language", b"").decode("latin-1")))
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = _route_template(scope)
            state = _app_state(scope)
            if state is not None:
                state.metrics.requests.labels(scope["method"], route, str(status)).inc()
                state.metrics.latency.labels(scope["method"], route).observe(elapsed)
            # The path template, never the query string or headers: no keys or data in logs.
            logger.info(
                "request",
                extra={
                    "fields": {
                        "method": scope["method"],
                        "route": route,
                        "status": status,
                        "ms": round(elapsed * 1000, 2),
                    }
                },
            )
            reset_language(language)
            REQUEST_ID.reset(token)


class SecurityHeadersMiddleware:
    """CSP without inline script, no sniffing, no framing, no referrer; API answers uncached."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        csp = DOCS_CSP if path.startswith("/docs") else CSP

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [*SECURITY_HEADERS, (b"content-security-policy", csp.encode())]
                if path.startswith("/v1/"):
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodySizeLimitMiddleware:
    """Refuse request bodies above ``STAKEMAP_MAX_BODY_BYTES`` with 413, declared or streamed."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def _refuse(self, send: Send, max_bytes: int) -> None:
        body = json.dumps(
            {
                "type": "about:blank",
                "title": _("Payload too large"),
                "status": 413,
                "detail": _("the request body is larger than {limit} bytes").format(
                    limit=max_bytes
                ),
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/problem+json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = _app_state(scope)
        if scope["type"] != "http" or state is None:
            await self.app(scope, receive, send)
            return
        max_bytes: int = state.settings.max_body_bytes
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > max_bytes:
            await self._refuse(send, max_bytes)
            return
        seen = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > max_bytes:
                    raise _BodyTooLarge(max_bytes)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _BodyTooLarge:
            if not started:
                await self._refuse(send, max_bytes)


class _BodyTooLarge(StarletteHTTPException):
    """Raised inside the app when a streamed (chunked) body passes the limit.

    An ``HTTPException``, because FastAPI turns any other error raised while it reads the
    body into a 400; this one it re-raises, and the problem handlers answer 413. The
    connection is closed: the rest of the body is never read.
    """

    def __init__(self, max_bytes: int) -> None:
        super().__init__(
            413,
            _("the request body is larger than {limit} bytes").format(limit=max_bytes),
            headers={"Connection": "close"},
        )


class SettingsCORSMiddleware:
    """Starlette's CORS middleware with the allow-list from settings (off when empty)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._cors: ASGIApp | None = None
        self._origins: list[str] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = _app_state(scope)
        origins: list[str] = state.settings.cors_origins if state is not None else []
        if scope["type"] != "http" or not origins:
            await self.app(scope, receive, send)
            return
        if self._cors is None or self._origins != origins:
            self._origins = origins
            self._cors = CORSMiddleware(
                self.app,
                allow_origins=origins,
                allow_methods=["GET", "POST", "PATCH", "PUT", "DELETE"],
                allow_headers=["Authorization", "Content-Type", "If-Match", "Idempotency-Key"],
                expose_headers=["ETag", "Location", "Retry-After", "X-Request-ID"],
                max_age=600,
            )
        await self._cors(scope, receive, send)


WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_ACTION_SUFFIXES = {"/import": "import", "/erase": "erase", "/revoke": "revoke"}


def _action(method: str, route: str) -> str:
    for suffix, action in _ACTION_SUFFIXES.items():
        if route.endswith(suffix):
            return action
    return {"POST": "create", "DELETE": "delete"}.get(method, "update")


class AuditMiddleware:
    """Record every successful write in the audit log: the key, the action, the route and
    the ids it touched — never bodies, names or other personal data.

    Written after the answer (so a failing audit store cannot undo a committed write; it is
    logged as an error instead).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in WRITE_METHODS:
            await self.app(scope, receive, send)
            return
        status = 0
        location = ""
        replayed = False

        async def watching_send(message: Message) -> None:
            nonlocal status, location, replayed
            if message["type"] == "http.response.start":
                status = message["status"]
                for name, value in message.get("headers", []):
                    if name.lower() == b"location":
                        location = value.decode("latin-1")
                    elif name.lower() == b"idempotent-replayed":
                        replayed = True  # an idempotent retry wrote nothing
            await send(message)

        await self.app(scope, receive, watching_send)
        state = scope.get("state", {})
        principal = state.get("principal")
        app_state = state.get("app")
        if principal is None or app_state is None or replayed or not 200 <= status < 300:
            return
        await self._record(scope, app_state, principal, status, location)

    async def _record(
        self, scope: Scope, app_state: Any, principal: Any, status: int, location: str
    ) -> None:
        from anyio import to_thread

        from app.audit import audit_entry

        route = _route_template(scope)
        entry = audit_entry(
            tenant=principal.tenant,
            key_id=principal.key_id,
            action=_action(scope["method"], route),
            method=scope["method"],
            resource=route,
            path_params=dict(scope.get("path_params", {})),
            location=location,
            status=status,
            request_id=REQUEST_ID.get(),
        )
        try:
            await to_thread.run_sync(app_state.store.append_audit, entry)
        except Exception:
            logger.exception("could not write the audit entry for %s %s", entry.method, route)
