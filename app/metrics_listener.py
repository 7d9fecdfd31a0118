"""Prometheus ``/metrics`` on a listener of its own, never the API's port.

The counts are cross-tenant (requests by route, store calls, cache hits), so they are served
on ``STAKEMAP_METRICS_HOST:STAKEMAP_METRICS_PORT`` (loopback by default) by the standard
library's WSGI server in a daemon thread, started and stopped by the app's lifespan: it runs
the same under ``stakemap serve`` and ``uvicorn app.main:app``. With several worker processes
only the first binds the port (the others log a warning).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import CollectorRegistry, make_wsgi_app

logger = logging.getLogger("stakemap")

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def metrics_wsgi_app(registry: CollectorRegistry) -> WsgiApp:
    """The ``/metrics`` app itself, for serving in-process (e.g. ``httpx.WSGITransport``)."""
    served: WsgiApp = make_wsgi_app(registry)

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != "/metrics":
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found\n"]
        return served(environ, start_response)

    return app


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """No access lines on stderr (a scrape every few seconds)."""


class MetricsListener:
    """The ``/metrics`` listener of one process."""

    def __init__(self, registry: CollectorRegistry, host: str, port: int) -> None:
        self._registry = registry
        self._host = host
        self._port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> bool:
        """Bind and serve; False (logged) when the port is taken, e.g. by another worker."""
        try:
            server = make_server(
                self._host,
                self._port,
                metrics_wsgi_app(self._registry),
                server_class=_Server,
                handler_class=_QuietHandler,
            )
        except OSError as exc:
            logger.warning("metrics listener not started on %s:%d: %s", self._host, self._port, exc)
            return False
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return True

    @property
    def address(self) -> tuple[str, int] | None:
        """The bound interface and port, None if unbound."""
        if self._server is None:
            return None
        host, port = self._server.server_address[:2]
        return str(host), int(port)

    @property
    def port(self) -> int | None:
        """The bound port (the one chosen when ``STAKEMAP_METRICS_PORT=0``), None if unbound."""
        address = self.address
        return address[1] if address is not None else None

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
