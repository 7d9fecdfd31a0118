"""Personal-data rights (GDPR Art. 15, 17, 20): what we hold on one stakeholder, and erasure.

The export is built from one snapshot read; erasure deletes the person and every tie that
touches them in one transaction (SQLite overwrites the freed pages: ``secure_delete``).
What Neo4j keeps afterwards is documented in docs/SECURITY.md.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel, Field

from app.analytics import AnalyticsService
from graph.errors import NotFound
from graph.store import GraphStore
from schemas.analytics import InfluenceItem
from schemas.deals import CommitteeSeatPublic
from schemas.resources import PersonPublic, RelationshipPublic


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


def export_person(
    store: GraphStore, analytics: AnalyticsService, tenant: str, org_id: str, person_id: str
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
    )


def erase_person(store: GraphStore, tenant: str, org_id: str, person_id: str) -> None:
    """Remove the person, their ties and their committee seats; the audit log keeps only
    the ids of the act."""
    store.delete_person(tenant, org_id, person_id)
