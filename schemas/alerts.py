"""Alerts: what an account team should act on before it is too late (docs/ANALYTICS.md, §13)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, Field

__all__ = ["MAX_WITHIN_DAYS", "Alert", "AlertKind", "Alerts"]

#: The widest window an alert list looks at, either side of today.
MAX_WITHIN_DAYS = 365


class AlertKind(StrEnum):
    #: a tie to a key person goes stale within the window (``due_on``: its first stale day)
    TIE_GOING_STALE = "tie_going_stale"
    #: a tie to a key person went stale within the last days of the window
    TIE_WENT_STALE = "tie_went_stale"
    #: a champion or coach leaves (announced) or left within the window
    CHAMPION_LEFT = "champion_left"
    #: someone new is at the top of a reporting tree
    NEW_TOP_PERSON = "new_top_person"
    #: an opponent gained reports or moved up a level
    OPPONENT_PROMOTED = "opponent_promoted"


class Alert(BaseModel):
    kind: AlertKind
    org_id: str
    person_id: str = Field(description="Whom it is about")
    member_id: str | None = Field(
        default=None, description="Who on our team acts on it (none: nobody knows them yet)"
    )
    relationship_id: str | None = Field(default=None, description="The tie, for tie alerts")
    due_on: date = Field(description="When it happens or happened")
    message: str


class Alerts(BaseModel):
    """Alerts due within ``within_days`` either side of ``as_of``, by organisation (in id
    order), each organisation's soonest first."""

    as_of: date
    within_days: int
    items: list[Alert]
    next_cursor: str | None = Field(
        default=None, description="Pass back as `cursor` for the next organisations"
    )
