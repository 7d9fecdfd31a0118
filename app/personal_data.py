"""Personal-data rights (GDPR Art. 15, 17, 20): what we hold on one stakeholder, and erasure.

The export is built from one snapshot read; erasure deletes the person and every tie that
touches them in one transaction (SQLite overwrites the freed pages: ``secure_delete``).
What Neo4j keeps afterwards is documented in docs/SECURITY.md.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field

from app.analytics import AnalyticsService
from graph.errors import NotFound
from graph.history import parse_valid_time
from graph.repositories import OPEN, TimelineQuery
from graph.store import GraphStore
from graph.webhook_store import WebhookStore
from schemas.analytics import InfluenceItem
from schemas.deals import CommitteeSeatPublic
from schemas.interactions import InteractionPublic
from schemas.resources import PersonPublic, RelationshipPublic
from schemas.webhooks import DeliveryDetail


class PersonVersion(BaseModel):
    """One version of the person as history keeps it (valid time, UTC)."""

    valid_from: datetime
    valid_to: datetime | None = Field(description="None: still in force")
    stored: dict[str, Any]


#: Interactions read per page for an export.
_EXPORT_PAGE = 500


def _interactions_with(
    store: GraphStore, tenant: str, org_id: str, person_id: str
) -> list[InteractionPublic]:
    found: list[InteractionPublic] = []
    query = TimelineQuery(person_id=person_id)
    while True:
        page = store.list_interactions(tenant, org_id, query, limit=_EXPORT_PAGE)
        found += page
        if len(page) < _EXPORT_PAGE:
            return found
        query = replace(query, before=(page[-1].occurred_on.isoformat(), page[-1].id))


def _versions(store: GraphStore, tenant: str, person_id: str) -> list[PersonVersion]:
    return [
        PersonVersion(
            valid_from=parse_valid_time(v["valid_from"]),
            valid_to=None if v["valid_to"] == OPEN else parse_valid_time(v["valid_to"]),
            stored=v["stored"],
        )
        for v in store.person_history(tenant, person_id)
    ]


class PersonalDataExport(BaseModel):
    """Everything Stakemap stores or derives about one person, machine-readable."""

    exported_at: datetime
    person: PersonPublic
    relationships: list[RelationshipPublic] = Field(
        description="Every tie that starts or ends at the person"
    )
    committee_seats: list[CommitteeSeatPublic] = Field(
        default_factory=list,
        description="The person's roles and stance on each deal whose buying committee they sit on",
    )
    influence: InfluenceItem | None = Field(
        description="What our analytics derive about the person (power, rank, components)"
    )
    history: list[PersonVersion] = Field(
        default_factory=list, description="Every version of the person we keep, oldest first"
    )
    interactions: list[InteractionPublic] = Field(
        default_factory=list, description="Every interaction the person took part in"
    )
    webhook_deliveries: list[DeliveryDetail] = Field(
        default_factory=list,
        description="Every webhook delivery (sent or pending) whose payload names the person",
    )


def export_person(
    store: GraphStore,
    analytics: AnalyticsService,
    webhooks: WebhookStore,
    tenant: str,
    org_id: str,
    person_id: str,
) -> PersonalDataExport:
    snapshot = store.snapshot(tenant, org_id)
    person = next((p for p in snapshot.people if p.id == person_id), None)
    if person is None:
        raise NotFound("person")
    ranking = analytics.influence(tenant, org_id).model
    return PersonalDataExport(
        exported_at=datetime.now(UTC),
        person=person,
        relationships=[
            r for r in snapshot.relationships if person_id in (r.source_id, r.target_id)
        ],
        committee_seats=[seat for seat in snapshot.committee if seat.person_id == person_id],
        influence=next((i for i in ranking.items if i.person_id == person_id), None),
        history=_versions(store, tenant, person_id),
        interactions=_interactions_with(store, tenant, org_id, person_id),
        webhook_deliveries=webhooks.deliveries_naming(tenant, org_id, person_id),
    )


def erase_person(store: GraphStore, tenant: str, org_id: str, person_id: str) -> None:
    """Remove the person, their ties, their committee seats, the interactions and webhook
    deliveries naming them and every version of them and of their ties in history (one
    transaction); the audit log keeps only the ids of the act."""
    store.delete_person(tenant, org_id, person_id, erase=True)
