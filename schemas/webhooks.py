"""Webhooks: subscriptions (Create / Public), the event names, and the delivery log.

The secret a webhook is created with signs its deliveries; it is write-only (never in any
answer). What each event's payload holds is in docs/API.md, "Webhooks".
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, StringConstraints, field_validator

from schemas.common import InputModel, ShortText, StoredModel

__all__ = [
    "MAX_SECRET_LENGTH",
    "MAX_URL_LENGTH",
    "MAX_WEBHOOKS_PER_TENANT",
    "MIN_SECRET_LENGTH",
    "DeliveryDetail",
    "DeliveryPublic",
    "DeliveryStatus",
    "EventName",
    "WebhookCreate",
    "WebhookPublic",
]


class EventName(StrEnum):
    """What a webhook may subscribe to (docs/API.md, "Webhooks", lists each payload)."""

    #: a person was added to an organisation (created or imported)
    PERSON_JOINED = "person.joined"
    #: a person's status became ``left``
    PERSON_LEFT = "person.left"
    #: a person's solid-line manager changed (gained, replaced or removed)
    PERSON_MANAGER_CHANGED = "person.manager_changed"
    #: a person's stance toward us changed
    PERSON_STANCE_CHANGED = "person.stance_changed"
    #: a tie (REPORTS_TO, INFLUENCES, KNOWS, AFFILIATED_WITH) was created
    RELATIONSHIP_CREATED = "relationship.created"
    #: a meeting, call, email, event or message was logged
    INTERACTION_LOGGED = "interaction.logged"
    #: a deal was created
    OPPORTUNITY_CREATED = "opportunity.created"
    #: a deal moved to another stage
    OPPORTUNITY_STAGE_CHANGED = "opportunity.stage_changed"
    #: a deal was won or lost
    OPPORTUNITY_CLOSED = "opportunity.closed"


class DeliveryStatus(StrEnum):
    """Where a delivery stands: waiting (first try or a retry), done, or given up."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


MIN_SECRET_LENGTH = 16
MAX_SECRET_LENGTH = 256
#: Longest webhook URL accepted.
MAX_URL_LENGTH = 2048
#: Webhooks one tenant may have: each event fans out to every subscription, in the write's
#: own transaction, so their number bounds what one write can cost.
MAX_WEBHOOKS_PER_TENANT = 20


class WebhookCreate(InputModel):
    url: Annotated[str, StringConstraints(min_length=1, max_length=MAX_URL_LENGTH)] = Field(
        description="Where deliveries are POSTed: an https URL whose host resolves to public "
        "addresses only (private, loopback and link-local destinations are refused)"
    )
    events: list[EventName] = Field(
        min_length=1,
        max_length=len(EventName),
        description="The events to deliver (see docs/API.md, Webhooks)",
    )
    secret: SecretStr = Field(
        min_length=MIN_SECRET_LENGTH,
        max_length=MAX_SECRET_LENGTH,
        description="Signs every delivery (`Stakemap-Signature`); never returned",
    )
    description: ShortText | None = None
    active: bool = Field(
        default=True, strict=True, description="An inactive webhook is sent nothing"
    )

    @field_validator("events")
    @classmethod
    def _unique_events(cls, events: list[EventName]) -> list[EventName]:
        return sorted(set(events), key=list(EventName).index)


class WebhookPublic(StoredModel):
    """A webhook as stored, without its secret."""

    url: str
    events: list[EventName]
    description: str | None = None
    active: bool = True


class DeliveryPublic(BaseModel):
    """One event sent (or to be sent) to one webhook, with its latest attempt."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(description="The delivery id, also sent as `Stakemap-Delivery`")
    webhook_id: str
    event: EventName
    event_id: str = Field(
        description="The event's id (the body's `id`): the same in every webhook's delivery"
    )
    org_id: str
    status: DeliveryStatus
    attempts: int = Field(description="Attempts made so far (the one in flight included)")
    next_attempt_at: datetime | None = Field(
        default=None, description="While pending: when the next attempt is due"
    )
    last_status_code: int | None = Field(
        default=None, description="The HTTP status of the latest attempt (none: no answer)"
    )
    last_error: str | None = Field(
        default=None, description="Why the latest attempt failed, in a few words"
    )
    last_attempt_at: datetime | None = None
    created_at: datetime
    delivered_at: datetime | None = None


class DeliveryDetail(DeliveryPublic):
    """A delivery with the body it sends (its `data` names the people concerned)."""

    payload: dict[str, Any] = Field(
        description="The JSON body of every attempt: `id`, `event`, `occurred_at`, `org_id`, `data`"
    )
