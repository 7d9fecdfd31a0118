"""Audit entries: built from the route that answered, never from the request body."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime

from schemas.audit import AuditEntry


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
