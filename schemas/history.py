"""What changed in an organisation: the items of ``GET …/changes`` (docs/ANALYTICS.md, §14)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

__all__ = ["Change", "ChangeKind", "Changes"]


class ChangeKind(StrEnum):
    JOINED = "joined"
    LEFT = "left"
    LEAVING_ANNOUNCED = "leaving_announced"
    RETURNED = "returned"
    ON_LEAVE = "on_leave"
    STANCE_CHANGED = "stance_changed"
    TITLE_CHANGED = "title_changed"
    ROLES_CHANGED = "roles_changed"
    PERSON_UPDATED = "person_updated"
    REMOVED = "removed"
    NEW_MANAGER = "new_manager"
    MANAGER_REMOVED = "manager_removed"
    TIE_CREATED = "tie_created"
    TIE_UPDATED = "tie_updated"
    TIE_REMOVED = "tie_removed"
    TIE_FADED = "tie_faded"
    DEAL_CREATED = "deal_created"
    DEAL_CHANGED = "deal_changed"
    DEAL_REMOVED = "deal_removed"
    COMMITTEE_JOINED = "committee_joined"
    COMMITTEE_CHANGED = "committee_changed"
    COMMITTEE_LEFT = "committee_left"


class Change(BaseModel):
    at: datetime = Field(description="When it happened (UTC): the write, or the day it fell due")
    kind: ChangeKind
    person_id: str | None = None
    relationship_id: str | None = None
    opportunity_id: str | None = None
    before: dict[str, Any] | None = Field(default=None, description="The fields before")
    after: dict[str, Any] | None = Field(default=None, description="The fields after")
    message: str


class Changes(BaseModel):
    items: list[Change]
    next_cursor: str | None = None
