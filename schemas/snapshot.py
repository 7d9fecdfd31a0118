"""One organisation's whole graph, read in one round trip; the input of every analytic."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from schemas.deals import CommitteeSeatPublic, OpportunityPublic
from schemas.resources import (
    OrganisationPublic,
    PersonPublic,
    RelationshipPublic,
    TeamMemberPublic,
)


class OrgSnapshot(BaseModel):
    """Everything analytics may look at for one organisation.

    ``team`` is the tenant's whole account team (any member can make a cold approach);
    ``relationships`` are the ties stored under this organisation, including our team's
    KNOWS ties into it and its people's AFFILIATED_WITH ties to other organisations;
    ``opportunities`` are its deals (every status) and ``committee`` the seats of their
    buying committees.
    """

    model_config = ConfigDict(frozen=True)

    organisation: OrganisationPublic
    people: list[PersonPublic]
    team: list[TeamMemberPublic]
    relationships: list[RelationshipPublic]
    opportunities: list[OpportunityPublic] = []
    committee: list[CommitteeSeatPublic] = []

    @property
    def version(self) -> int:
        return self.organisation.version
