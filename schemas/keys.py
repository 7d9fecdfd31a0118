"""API keys: a tenant and a role; the secret is shown once and stored only as a hash."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from schemas.common import InputModel, KeyRole, ShortText


class ApiKeyCreate(InputModel):
    role: KeyRole = KeyRole.VIEWER
    name: ShortText | None = Field(default=None, description="What the key is for")


class ApiKeyPublic(BaseModel):
    id: str
    tenant: str
    role: KeyRole
    name: str | None = None
    created_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


class ApiKeyCreated(ApiKeyPublic):
    secret: str = Field(description="The key itself; shown only in this response")


class Principal(BaseModel):
    """Who is calling: the authenticated key's tenant and role."""

    key_id: str
    tenant: str
    role: KeyRole
