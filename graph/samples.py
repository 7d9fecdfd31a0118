"""Small named organisations built in memory, for docstring examples and unit tests (no
store involved), in the manner of networkx's named graphs.

:func:`tiny_snapshot` is the organisation most examples use; :class:`SnapshotBuilder` builds
others with readable names as ids. Production code never calls these: they live here, not
under ``tests/``, so that the examples in production modules are self-contained.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from schemas.common import BuyingRole, PersonStatus, RelType, Seniority, Stance
from schemas.deals import CommitteeSeatPublic, OpportunityPublic, OpportunityStage, reconcile_stage
from schemas.resources import (
    OrganisationPublic,
    PersonPublic,
    RelationshipPublic,
    TeamMemberPublic,
)
from schemas.snapshot import OrgSnapshot

__all__ = ["NOW", "TENANT", "SnapshotBuilder", "tiny_snapshot"]

TENANT = "t-test"
"""The tenant of every sample."""
NOW = datetime(2026, 1, 1, tzinfo=UTC)
"""The creation and update time of every sample record."""


def _stored(**extra: Any) -> dict[str, Any]:
    return {
        "id": extra.pop("id", None) or str(uuid.uuid4()),
        "tenant": TENANT,
        "created_at": NOW,
        "updated_at": NOW,
        "version": 1,
        **extra,
    }


class SnapshotBuilder:
    """Build an :class:`OrgSnapshot` by hand with readable names as ids.

    >>> b = SnapshotBuilder()
    >>> _ = b.person("ceo", roles=["decision_maker"]).person("cfo").reports("cfo", "ceo")
    >>> len(b.build().people)
    2
    """

    def __init__(self, org_id: str = "org", version: int = 1) -> None:
        self.org = OrganisationPublic(**_stored(id=org_id, name="Org", version=version))
        self.people: list[PersonPublic] = []
        self.team: list[TeamMemberPublic] = []
        self.rels: list[RelationshipPublic] = []
        self.deals: list[OpportunityPublic] = []
        self.seats: list[CommitteeSeatPublic] = []

    def person(
        self,
        pid: str,
        *,
        roles: list[str] | None = None,
        stance: str = "neutral",
        influence: int | None = None,
        title: str | None = None,
        seniority: str | None = None,
        status: str = "active",
        left_on: date | None = None,
    ) -> SnapshotBuilder:
        self.people.append(
            PersonPublic(
                **_stored(
                    id=pid,
                    org_id=self.org.id,
                    name=pid.upper(),
                    title=title,
                    roles=[BuyingRole(r) for r in roles or []],
                    stance=Stance(stance),
                    influence=influence,
                    seniority=Seniority(seniority) if seniority else None,
                    status=PersonStatus(status),
                    left_on=left_on,
                )
            )
        )
        return self

    def member(self, mid: str) -> SnapshotBuilder:
        self.team.append(TeamMemberPublic(**_stored(id=mid, name=mid.upper())))
        return self

    def tie(
        self,
        rel_type: RelType,
        source: str,
        target: str,
        *,
        strength: float | None = None,
        last_contact: date | None = None,
        dotted: bool = False,
    ) -> SnapshotBuilder:
        self.rels.append(
            RelationshipPublic(
                **_stored(
                    id=f"{rel_type.value}:{source}->{target}",
                    org_id=self.org.id,
                    type=rel_type,
                    source_id=source,
                    target_id=target,
                    strength=strength,
                    last_contact=last_contact,
                    dotted=dotted,
                )
            )
        )
        return self

    def reports(self, report: str, manager: str, *, dotted: bool = False) -> SnapshotBuilder:
        return self.tie(RelType.REPORTS_TO, report, manager, dotted=dotted)

    def influences(self, source: str, target: str, strength: float = 0.5) -> SnapshotBuilder:
        return self.tie(RelType.INFLUENCES, source, target, strength=strength)

    def knows(
        self,
        source: str,
        target: str,
        strength: float = 0.5,
        last_contact: date | None = None,
    ) -> SnapshotBuilder:
        return self.tie(RelType.KNOWS, source, target, strength=strength, last_contact=last_contact)

    def deal(
        self,
        did: str,
        *,
        stage: str = "qualification",
        close_date: date | None = None,
        trigger: str | None = None,
        owner: str | None = None,
        amount: str | None = None,
        currency: str | None = None,
    ) -> SnapshotBuilder:
        """A deal named ``did`` (its id too)."""
        chosen, status = reconcile_stage(OpportunityStage(stage), None)
        self.deals.append(
            OpportunityPublic(
                **_stored(
                    id=did,
                    org_id=self.org.id,
                    name=did.upper(),
                    stage=chosen,
                    status=status,
                    close_date=close_date,
                    trigger=trigger,
                    owner_id=owner,
                    amount=amount,
                    currency=currency,
                )
            )
        )
        return self

    def seat(
        self,
        did: str,
        pid: str,
        *,
        roles: list[str] | None = None,
        stance: str = "neutral",
        influence: int | None = None,
        primary: bool = False,
    ) -> SnapshotBuilder:
        """``pid``'s seat on the committee of deal ``did``."""
        self.seats.append(
            CommitteeSeatPublic(
                **_stored(
                    id=f"seat:{did}:{pid}",
                    org_id=self.org.id,
                    opportunity_id=did,
                    person_id=pid,
                    roles=[BuyingRole(r) for r in roles or []],
                    stance=Stance(stance),
                    influence=influence,
                    is_primary=primary,
                )
            )
        )
        return self

    def build(self) -> OrgSnapshot:
        return OrgSnapshot(
            organisation=self.org,
            people=self.people,
            team=self.team,
            relationships=self.rels,
            opportunities=self.deals,
            committee=self.seats,
        )


def tiny_snapshot() -> OrgSnapshot:
    """CEO, CFO reporting to the CEO, and one account manager who knows the CFO.

    >>> [p.id for p in tiny_snapshot().people], [m.id for m in tiny_snapshot().team]
    (['ceo', 'cfo'], ['am'])
    """
    return (
        SnapshotBuilder()
        .person("ceo", roles=["decision_maker"], influence=5)
        .person("cfo", roles=["economic_buyer"], influence=4)
        .member("am")
        .reports("cfo", "ceo")
        .knows("am", "cfo", 0.8)
        .build()
    )
