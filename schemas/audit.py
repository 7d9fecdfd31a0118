"""The audit log: who (key id) did what (action on a resource) and when; no personal data."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class AuditEntry(BaseModel):
    """One successful write. ``resource`` is the route template, ids are opaque."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(description="Time-ordered id; pass the last one as `cursor`")
    tenant: str
    at: datetime
    key_id: str = Field(description="The API key that made the change")
    action: str = Field(description="create, update, delete, import, erase, revoke, ...")
    method: str
    resource: str = Field(description="Route template, e.g. /v1/organisations/{org_id}")
    resource_id: str | None = Field(default=None, description="Id of the resource written")
    org_id: str | None = None
    status: int = Field(description="HTTP status of the answer")
    request_id: str | None = None
