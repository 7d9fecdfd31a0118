"""Audit entries, built from the route that answered (never from the request body), and
the middleware that records one for every successful write."""

from __future__ import annotations

import logging
import time
import uuid
from datetime import UTC, datetime

from anyio import to_thread
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.logging_setup import REQUEST_ID
from app.middleware import app_state, route_template
from app.state import AppState
from schemas.audit import AuditEntry
from schemas.keys import Principal

logger = logging.getLogger("stakemap.access")


def audit_id() -> str:
    """A time-ordered id: nanoseconds since the epoch, then randomness against ties."""
    return f"{time.time_ns():020d}-{uuid.uuid4().hex[:12]}"


def audit_entry(
    *,
    tenant: str,
    key_id: str,
    action: str,
    method: str,
    resource: str,
    path_params: dict[str, str],
    location: str,
    status: int,
    request_id: str | None,
) -> AuditEntry:
    """The entry for one successful write.

    The resource id is the last id in the path, or for a creation the id in ``Location``.

    >>> entry = audit_entry(tenant="t", key_id="k", action="create", method="POST",
    ...     resource="/v1/organisations", path_params={}, location="/v1/organisations/o1",
    ...     status=201, request_id=None)
    >>> (entry.resource_id, entry.org_id)
    ('o1', None)
    """
    ids = list(path_params.values())
    created = location.rstrip("/").rsplit("/", 1)[-1] if location else None
    resource_id = created or (ids[-1] if ids else None)
    return AuditEntry(
        id=audit_id(),
        tenant=tenant,
        at=datetime.now(UTC),
        key_id=key_id,
        action=action,
        method=method,
        resource=resource,
        resource_id=resource_id,
        org_id=path_params.get("org_id"),
        status=status,
        request_id=None if request_id in (None, "-") else request_id,
    )


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
        principal: Principal | None = scope.get("state", {}).get("principal")  # app.deps
        state = app_state(scope)
        if principal is None or state is None or replayed or not 200 <= status < 300:
            return
        await self._record(scope, state, principal, status, location)

    async def _record(
        self, scope: Scope, state: AppState, principal: Principal, status: int, location: str
    ) -> None:
        route = route_template(scope)
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
            await to_thread.run_sync(state.store.append_audit, entry)
        except Exception:
            logger.exception("could not write the audit entry for %s %s", entry.method, route)
