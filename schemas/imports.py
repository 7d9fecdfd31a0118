"""The atomic bulk-import body (BRIEF §4) and its answer."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints, field_validator
from pydantic.json_schema import SkipJsonSchema

from schemas.common import InputModel, Stance
from schemas.deals import CommitteeSeatFields, OpportunityCreate
from schemas.resources import (
    OrganisationCreate,
    PersonFields,
    RelationshipFields,
    TeamMemberCreate,
)

Ref = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
]

MAX_IMPORT_ROWS = 50_000


class PersonImport(PersonFields):
    ref: Ref = Field(description="Caller-chosen name, unique in the request")
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    reports_to: Ref | None = Field(
        default=None, description="ref or id of this person's solid-line manager"
    )


class TeamImport(TeamMemberCreate):
    ref: Ref


class RelationshipImport(RelationshipFields):
    source: Ref = Field(description="ref, or id of an existing person / team member")
    target: Ref = Field(
        description="ref, or id of an existing person (an organisation id for AFFILIATED_WITH)"
    )


class CommitteeImport(CommitteeSeatFields):
    """A seat on the deal's buying committee."""

    person: Ref = Field(description="ref of a person of this request, or id of a stored one")
    stance: Stance = Field(default=Stance.NEUTRAL, description="Where they stand on this deal")


class OpportunityImport(OpportunityCreate):
    """A deal with its buying committee (Salesforce Opportunity + OpportunityContactRole)."""

    ref: Ref = Field(description="Caller-chosen name, unique among the request's deals")
    owner: Ref | None = Field(
        default=None, description="ref of a team member of this request, or id of a stored one"
    )
    committee: list[CommitteeImport] = Field(default_factory=list, max_length=MAX_IMPORT_ROWS)
    #: an import names the owner by ``owner`` (a ref or an id), as ties name their ends
    owner_id: SkipJsonSchema[None] = None

    @field_validator("owner_id", mode="before")
    @classmethod
    def _owner_by_ref(cls, value: object) -> None:
        if value is not None:
            raise ValueError("an import names the owner with `owner` (a ref or an id)")
        return


class ImportRequest(InputModel):
    """People, team members, ties and deals loaded in one transaction: all of it or none."""

    people: list[PersonImport] = Field(default_factory=list, max_length=MAX_IMPORT_ROWS)
    team: list[TeamImport] = Field(default_factory=list, max_length=MAX_IMPORT_ROWS)
    relationships: list[RelationshipImport] = Field(
        default_factory=list, max_length=MAX_IMPORT_ROWS
    )
    opportunities: list[OpportunityImport] = Field(default_factory=list, max_length=MAX_IMPORT_ROWS)


class NewOrganisationImport(ImportRequest):
    """A new organisation and its graph, created in one transaction: all of it or none (a
    refused import leaves no organisation behind)."""

    organisation: OrganisationCreate


class ImportCounts(BaseModel):
    people: int = 0
    team: int = 0
    relationships: int = 0
    opportunities: int = 0
    committee: int = Field(default=0, description="Seats on deals' buying committees")

    @property
    def total(self) -> int:
        return self.people + self.team + self.relationships + self.opportunities + self.committee


class ImportResult(BaseModel):
    org_id: str
    ids: dict[str, str] = Field(description="Every ref of the request mapped to its id")
    created: ImportCounts
    updated: ImportCounts = Field(
        default_factory=ImportCounts,
        description="Upsert: stored people and ties whose fields changed (their version bumped)",
    )
    unchanged: ImportCounts = Field(
        default_factory=ImportCounts,
        description="Upsert: rows that matched stored ones exactly and were not rewritten",
    )
    removed: ImportCounts = Field(
        default_factory=ImportCounts,
        description="Upsert: solid reporting lines replaced by a new `reports_to`",
    )
    version: int = Field(description="The organisation's version after the import")
    dry_run: bool = Field(
        default=False, description="Nothing was stored: the counts say what would have changed"
    )

    @property
    def changed(self) -> bool:
        """Whether the import wrote anything (or, in a dry run, would have)."""
        return bool(self.created.total or self.updated.total or self.removed.total)
