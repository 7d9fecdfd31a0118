"""Interactions: meetings, calls, emails, events and messages between our team and theirs.

Logging one keeps the ties it touches current: every KNOWS tie from one of its team members
to one of its people gets ``last_contact = max(stored, occurred_on)`` and its strength derived
from the pair's whole interaction history (docs/ANALYTICS.md, "Interactions"); a missing tie
is created, except by a large event.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints, field_validator

from schemas.common import InputModel, StoredModel, StrengthSource

__all__ = [
    "MAX_MEMBERS",
    "MAX_PEOPLE",
    "MAX_SUMMARY_LENGTH",
    "InitiatedBy",
    "InteractionCreate",
    "InteractionKind",
    "InteractionLogged",
    "InteractionPublic",
    "Sentiment",
    "TieTouched",
]

#: Most team members on one interaction (a pitch team, not a department).
MAX_MEMBERS = 20
#: Most people of theirs on one interaction (a large event's attendee list).
MAX_PEOPLE = 200
#: Longest summary: a few paragraphs of notes, not a transcript.
MAX_SUMMARY_LENGTH = 4_000

ParticipantId = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)
]


class InteractionKind(StrEnum):
    """How the contact happened; each kind has its own depth (docs/ANALYTICS.md)."""

    MEETING = "meeting"
    CALL = "call"
    EMAIL = "email"
    EVENT = "event"
    MESSAGE = "message"


class Sentiment(StrEnum):
    """How it went, as the team member judged it."""

    POSITIVE = "positive"
    NEUTRAL = "neutral"
    NEGATIVE = "negative"


class InitiatedBy(StrEnum):
    """Who reached out: a contact *they* start is a sign of a two-way relationship."""

    US = "us"
    THEM = "them"


def _unique(ids: list[str]) -> list[str]:
    if len(set(ids)) != len(ids):
        raise ValueError("each id may appear once")
    return ids


class InteractionCreate(InputModel):
    """One contact between team members and people of the organisation."""

    occurred_on: date = Field(description="The day it happened (UTC); not in the future")
    kind: InteractionKind
    member_ids: list[ParticipantId] = Field(
        min_length=1, max_length=MAX_MEMBERS, description="Our team members who took part"
    )
    person_ids: list[ParticipantId] = Field(
        min_length=1,
        max_length=MAX_PEOPLE,
        description="People of this organisation who took part",
    )
    summary: Annotated[str, StringConstraints(max_length=MAX_SUMMARY_LENGTH)] | None = None
    sentiment: Sentiment | None = None
    initiated_by: InitiatedBy | None = Field(
        default=None,
        description="Who reached out; a meeting or call counts as two-way whoever did",
    )

    @field_validator("member_ids", "person_ids")
    @classmethod
    def _each_once(cls, ids: list[str]) -> list[str]:
        return _unique(ids)

    @field_validator("occurred_on")
    @classmethod
    def _not_in_the_future(cls, day: date) -> date:
        # A planned meeting is not contact yet: logging it ahead would hide a tie going cold.
        if day > datetime.now(UTC).date():
            raise ValueError("this day is in the future; log an interaction once it happened")
        return day


class InteractionPublic(StoredModel):
    org_id: str
    occurred_on: date
    kind: InteractionKind
    member_ids: list[str]
    person_ids: list[str]
    summary: str | None = None
    sentiment: Sentiment | None = None
    initiated_by: InitiatedBy | None = None


class TieTouched(BaseModel):
    """A KNOWS tie the interaction created or brought up to date."""

    relationship_id: str
    member_id: str
    person_id: str
    created: bool
    last_contact: date
    strength: float | None
    strength_source: StrengthSource | None
    derived_strength: float


class InteractionLogged(InteractionPublic):
    """The stored interaction and the ties it touched."""

    ties: list[TieTouched] = Field(default_factory=list)
