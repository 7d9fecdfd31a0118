"""HTTP plumbing shared by every route: request ids, the language of the answer's messages
(from ``Accept-Language``) and access logs, security headers, the body-size limit and CORS.
Pure ASGI middleware, so streamed responses pass through untouched. (Logs:
:mod:`app.logging_setup`; metrics: :mod:`app.metrics`; the audit middleware: :mod:`app.audit`.)
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.logging_setup import REQUEST_ID
from app.problems import PROBLEM_JSON, problem_body
from app.state import AppState
from graph.messages import _, negotiate, reset_language, use_language

__all__ = [
    "BodySizeLimitMiddleware",
    "RequestContextMiddleware",
    "SecurityHeadersMiddleware",
    "SettingsCORSMiddleware",
    "app_state",
    "route_template",
]

logger = logging.getLogger("stakemap.access")

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


def route_template(scope: Scope) -> str:
    route = scope.get("route")
    path: str | None = getattr(route, "path", None)
    return path or "unmatched"


def app_state(scope: Scope) -> AppState | None:
    """The lifespan's :class:`~app.state.AppState`, or None before the lifespan ran."""
    state: AppState | None = scope.get("state", {}).get("app")
    return state


class RequestContextMiddleware:
    """Request id (``X-Request-ID`` in and out), the language of the request's messages
    (negotiated from ``Accept-Language``, :func:`graph.messages.negotiate`; answered as
    ``Content-Language`` with ``Vary: Accept-Language``), one JSON access-log line, metrics."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        incoming = headers.get(b"x-request-id", b"").decode("latin-1")
        chosen = negotiate(headers.get(b"accept-language", b"").decode("latin-1"))
        language = use_language(chosen)
        request_id = incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = REQUEST_ID.set(request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                # the messages of the body are in this language, chosen from Accept-Language:
                # a shared cache must key on it
                headers.append((b"content-language", chosen.encode()))
                headers.append((b"vary", b"Accept-Language"))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = route_template(scope)
            state = app_state(scope)
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
            REQUEST_ID.reset(token)
            reset_language(language)


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
        body = problem_body(
            413,
            _("Payload too large"),
            _("the request body is larger than {limit} bytes").format(limit=max_bytes),
        )
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", PROBLEM_JSON.encode()),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = app_state(scope)
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
        state = app_state(scope)
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
