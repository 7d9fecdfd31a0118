"""The service's logs: JSON lines on stderr, each with the id of the request being served,
and no query strings in uvicorn's access log."""

from __future__ import annotations

import json
import logging
from contextvars import ContextVar
from typing import Any

__all__ = ["REQUEST_ID", "DropQueryString", "JsonLogFormatter", "configure_logging"]

#: The id of the request being served (``-`` outside a request); set by
#: :class:`app.middleware.RequestContextMiddleware`.
REQUEST_ID: ContextVar[str] = ContextVar("request_id", default="-")


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
