"""How uvicorn serves the app: timeouts and limits on the connection itself.

uvicorn bounds the idle time between requests (``timeout_keep_alive``) but not the time a
client takes to send a request head, nor (with httptools) its size: a client that opens a
connection and sends nothing, or one header byte a second, holds it open for ever. The
protocols here are uvicorn's own with a deadline on each request head
(``STAKEMAP_HEADER_TIMEOUT_SECONDS``, from the connection's start or the first byte of the
request) and a cap on its size (``STAKEMAP_MAX_HEADER_BYTES``); past either the connection
is closed.

``stakemap serve`` uses them with :func:`uvicorn_options`; plain ``uvicorn app.main:app``
cannot (its ``--http`` takes only uvicorn's own protocols), which is why the recipe runs
``stakemap serve``.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from app.settings import Settings

logger = logging.getLogger("stakemap.server")

try:  # uvicorn's default protocol when httptools is installed (it is, with uvicorn[standard])
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # pragma: no cover - depends on the installation
    HttpToolsProtocol = None  # type: ignore[assignment, misc]


@functools.cache
def _configured() -> tuple[float, int]:
    settings = Settings()
    return settings.header_timeout_seconds, settings.max_header_bytes


def _bounds(header_timeout: float | None, max_header_bytes: int | None) -> tuple[float, int]:
    """The class's bounds, any left ``None`` from the settings (read once per process)."""
    if header_timeout is None or max_header_bytes is None:
        seconds, size = _configured()
        return header_timeout or seconds, max_header_bytes or size
    return header_timeout, max_header_bytes


class _HeadDeadline:
    """One timer per connection: armed while a request head is awaited, closes the
    transport when it fires."""

    def __init__(
        self, loop: asyncio.AbstractEventLoop, transport: asyncio.Transport, seconds: float
    ) -> None:
        self._loop = loop
        self._transport = transport
        self._seconds = seconds
        self._timer: asyncio.TimerHandle | None = None

    def arm(self) -> None:
        """Start the clock, unless it already runs (a slow head does not restart it)."""
        if self._timer is None and not self._transport.is_closing():
            self._timer = self._loop.call_later(self._seconds, self._expired)

    def disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _expired(self) -> None:
        self._timer = None
        if not self._transport.is_closing():
            logger.info("closed a connection that sent no complete request head in time")
            self._transport.close()


class HeadTooLarge(Exception):
    """The request line and headers passed ``STAKEMAP_MAX_HEADER_BYTES``."""


class BoundedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline on each request head (h11 caps its size)."""

    #: ``None``: from ``STAKEMAP_HEADER_TIMEOUT_SECONDS`` (read once per process).
    header_timeout: float | None = None
    max_header_bytes: int | None = None  # h11's own limit: ``h11_max_incomplete_event_size``

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        seconds, _ = _bounds(self.header_timeout, self.max_header_bytes)
        self._head = _HeadDeadline(self.loop, transport, seconds)
        self._head.arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is h11.IDLE:  # part of a request head, or nothing yet
            self._head.arm()
        else:
            self._head.disarm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._head.disarm()
        super().connection_lost(exc)


if HttpToolsProtocol is not None:

    class BoundedHttpToolsProtocol(HttpToolsProtocol):
        """uvicorn's httptools protocol with a deadline on each request head and a cap on
        its size (httptools itself has none)."""

        header_timeout: float | None = None
        max_header_bytes: int | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            seconds, self._head_limit = _bounds(self.header_timeout, self.max_header_bytes)
            self._in_head = True  # awaiting (the rest of) a request head
            self._head_bytes = 0
            self._boundaries = 0  # heads and messages ended in the bytes being parsed
            self._head = _HeadDeadline(self.loop, transport, seconds)
            self._head.arm()

        def data_received(self, data: bytes) -> None:
            self._boundaries = 0
            super().data_received(data)
            if self._in_head and not self._boundaries and not self.transport.is_closing():
                # within one request head from its start to past these bytes: all are head
                self._head_bytes += len(data)
                if self._head_bytes > self._head_limit:
                    self.send_400_response("Request head too large.")

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self._head.arm()

        def on_headers_complete(self) -> None:
            size = len(self.url) + sum(len(name) + len(value) + 4 for name, value in self.headers)
            self._in_head, self._head_bytes = False, 0
            self._boundaries += 1
            self._head.disarm()
            if size > self._head_limit:
                raise HeadTooLarge  # httptools reports it as a parse error: 400, closed
            super().on_headers_complete()

        def on_message_complete(self) -> None:
            super().on_message_complete()
            self._in_head, self._head_bytes = True, 0
            self._boundaries += 1

        def connection_lost(self, exc: Exception | None) -> None:
            self._head.disarm()
            super().connection_lost(exc)

    DEFAULT_PROTOCOL: type[asyncio.Protocol] = BoundedHttpToolsProtocol
    DEFAULT_PROTOCOL_PATH = "app.server:BoundedHttpToolsProtocol"
else:  # pragma: no cover - depends on the installation
    DEFAULT_PROTOCOL = BoundedH11Protocol
    DEFAULT_PROTOCOL_PATH = "app.server:BoundedH11Protocol"


def bounded_protocol(settings: Settings) -> type[asyncio.Protocol]:
    """The default protocol with these settings' bounds fixed (for a server in this
    process, e.g. the tests'; ``stakemap serve`` names the class so workers can import it)."""
    return type(
        DEFAULT_PROTOCOL.__name__,
        (DEFAULT_PROTOCOL,),
        {
            "header_timeout": settings.header_timeout_seconds,
            "max_header_bytes": settings.max_header_bytes,
        },
    )


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's options for the API: our protocol and timeouts, its access log off (the
    ``stakemap.access`` request log has the route template, never the query string), and
    ``X-Forwarded-For`` left to ``STAKEMAP_TRUSTED_PROXIES`` (app.ratelimit)."""
    return {
        "http": DEFAULT_PROTOCOL_PATH,
        "timeout_keep_alive": settings.keep_alive_seconds,
        "h11_max_incomplete_event_size": settings.max_header_bytes,
        "access_log": False,
        "proxy_headers": False,
        "server_header": False,
    }
