"""Every read of the service, once, over a :class:`~graph.tx.TxStore`.

Each call is one read transaction. Every call is scoped by ``tenant``: an id from another
tenant behaves exactly like an unknown id.
"""

from __future__ import annotations

from datetime import date, datetime

from graph.history import (
    change_items,
    end_of_day,
    faded_ties,
    parse_valid_time,
    snapshot_from_versions,
)
from graph.repositories import (
    ApiKeyReads,
    AuditReads,
    CommitteeReads,
    HistoryReads,
    InteractionReads,
    OpportunityReads,
    OrganisationReads,
    PeopleReads,
    TeamReads,
    TieReads,
    TimelineQuery,
    snapshot,
    valid_time,
)
from graph.timing import Observer, observed, unobserved
from graph.tx import ReadTx, Row, TxStore
from schemas.audit import AuditEntry
from schemas.deals import CommitteeSeatPublic, OpportunityPublic
from schemas.history import Change
from schemas.interactions import InteractionPublic
from schemas.keys import ApiKeyPublic
from schemas.resources import (
    OrganisationPublic,
    PersonPublic,
    RelationshipPublic,
    TeamMemberPublic,
)
from schemas.snapshot import OrgSnapshot


class GraphReader:
    """Organisations, people, our team, ties, keys and the audit log, as stored."""

    def __init__(self, store: TxStore, *, observe: Observer = unobserved) -> None:
        self._store = store
        self._observe = observe

    @observed
    def get_organisation(self, tenant: str, org_id: str) -> OrganisationPublic:
        return self._store.read(lambda tx: OrganisationReads(tx).get(tenant, org_id))

    @observed
    def list_organisations(
        self, tenant: str, *, limit: int, after: str | None = None
    ) -> list[OrganisationPublic]:
        """Organisations ordered by id, those with id greater than ``after``."""
        return self._store.read(
            lambda tx: OrganisationReads(tx).page(tenant, limit=limit, after=after)
        )

    @observed
    def list_organisations_with_open_deals(
        self, tenant: str, *, limit: int, after: str | None = None
    ) -> list[OrganisationPublic]:
        """The organisations that have an open deal, ordered by id, after ``after``."""
        return self._store.read(
            lambda tx: OrganisationReads(tx).page_with_open_deals(tenant, limit=limit, after=after)
        )

    @observed
    def org_version(self, tenant: str, org_id: str) -> int:
        """The organisation's current version: one cheap read, for cache checks."""
        return self._store.read(lambda tx: OrganisationReads(tx).version(tenant, org_id))

    @observed
    def get_person(self, tenant: str, org_id: str, person_id: str) -> PersonPublic:
        return self._store.read(lambda tx: PeopleReads(tx).get(tenant, org_id, person_id))

    @observed
    def list_people(
        self, tenant: str, org_id: str, *, limit: int, after: str | None = None
    ) -> list[PersonPublic]:
        def work(tx: ReadTx) -> list[PersonPublic]:
            OrganisationReads(tx).version(tenant, org_id)  # NotFound for an unknown one
            return PeopleReads(tx).page(tenant, org_id, limit=limit, after=after)

        return self._store.read(work)

    @observed
    def get_opportunity(self, tenant: str, org_id: str, opp_id: str) -> OpportunityPublic:
        return self._store.read(lambda tx: OpportunityReads(tx).get(tenant, org_id, opp_id))

    @observed
    def list_opportunities(
        self, tenant: str, org_id: str, *, limit: int, after: str | None = None
    ) -> list[OpportunityPublic]:
        def work(tx: ReadTx) -> list[OpportunityPublic]:
            OrganisationReads(tx).version(tenant, org_id)  # NotFound for an unknown one
            return OpportunityReads(tx).page(tenant, org_id, limit=limit, after=after)

        return self._store.read(work)

    @observed
    def get_seat(
        self, tenant: str, org_id: str, opp_id: str, person_id: str
    ) -> CommitteeSeatPublic:
        def work(tx: ReadTx) -> CommitteeSeatPublic:
            OpportunityReads(tx).version(tenant, org_id, opp_id)  # NotFound: no such deal
            return CommitteeReads(tx).get(tenant, org_id, opp_id, person_id)

        return self._store.read(work)

    @observed
    def list_committee(
        self, tenant: str, org_id: str, opp_id: str, *, limit: int, after: str | None = None
    ) -> list[CommitteeSeatPublic]:
        """A deal's buying committee in person-id order, one page."""

        def work(tx: ReadTx) -> list[CommitteeSeatPublic]:
            OpportunityReads(tx).version(tenant, org_id, opp_id)  # NotFound: no such deal
            return CommitteeReads(tx).page(tenant, org_id, opp_id, limit=limit, after=after)

        return self._store.read(work)

    @observed
    def get_team_member(self, tenant: str, member_id: str) -> TeamMemberPublic:
        return self._store.read(lambda tx: TeamReads(tx).get(tenant, member_id))

    @observed
    def list_team_members(
        self, tenant: str, *, limit: int, after: str | None = None
    ) -> list[TeamMemberPublic]:
        return self._store.read(lambda tx: TeamReads(tx).page(tenant, limit=limit, after=after))

    @observed
    def get_relationship(self, tenant: str, org_id: str, rel_id: str) -> RelationshipPublic:
        return self._store.read(lambda tx: TieReads(tx).get(tenant, org_id, rel_id))

    @observed
    def list_relationships(
        self, tenant: str, org_id: str, *, limit: int, after: str | None = None
    ) -> list[RelationshipPublic]:
        def work(tx: ReadTx) -> list[RelationshipPublic]:
            OrganisationReads(tx).version(tenant, org_id)
            return TieReads(tx).page(tenant, org_id, limit=limit, after=after)

        return self._store.read(work)

    @observed
    def get_interaction(self, tenant: str, org_id: str, interaction_id: str) -> InteractionPublic:
        return self._store.read(lambda tx: InteractionReads(tx).get(tenant, org_id, interaction_id))

    @observed
    def list_interactions(
        self, tenant: str, org_id: str, query: TimelineQuery, *, limit: int
    ) -> list[InteractionPublic]:
        """The organisation's timeline: newest first, filtered by ``query``."""

        def work(tx: ReadTx) -> list[InteractionPublic]:
            OrganisationReads(tx).version(tenant, org_id)
            return InteractionReads(tx).page(tenant, org_id, query, limit=limit)

        return self._store.read(work)

    @observed
    def list_member_interactions(
        self, tenant: str, query: TimelineQuery, *, limit: int
    ) -> list[InteractionPublic]:
        """A team member's timeline across the tenant's organisations, newest first."""

        def work(tx: ReadTx) -> list[InteractionPublic]:
            TeamReads(tx).row(tenant, query.member_id)
            return InteractionReads(tx).page_of_member(tenant, query, limit=limit)

        return self._store.read(work)

    @observed
    def snapshot_as_of(self, tenant: str, org_id: str, day: date) -> OrgSnapshot:
        """The organisation as it stood at the end of ``day`` (UTC), from its history
        (NotFound if it did not exist then)."""
        rows = self._store.read(
            lambda tx: HistoryReads(tx).in_force(tenant, org_id, end_of_day(day))
        )
        return snapshot_from_versions(rows)

    @observed
    def person_history(self, tenant: str, person_id: str) -> list[Row]:
        """Every version of the person (``valid_from``, ``valid_to``, ``stored``), oldest
        first: what their personal-data export shows of the past."""
        return self._store.read(lambda tx: HistoryReads(tx).of_person(tenant, person_id))

    @observed
    def list_changes(
        self,
        tenant: str,
        org_id: str,
        *,
        since: datetime,
        now: datetime,
        limit: int,
        after: tuple[str, str] | None = None,
    ) -> tuple[list[Change], tuple[str, str] | None]:
        """One page of what changed in the organisation from ``since`` until ``now``, in
        time order, and the cursor of the next page (None: the last one). Written changes
        come from history; ties going stale (``tie_faded``) are merged in by their day."""
        start = valid_time(since)
        cursor = after or (start, "")

        def work(tx: ReadTx) -> tuple[list[Row], OrgSnapshot]:
            current = snapshot(tx, tenant, org_id)  # NotFound for an unknown organisation
            rows = HistoryReads(tx).changes(tenant, org_id, since=start, after=cursor, limit=limit)
            return rows, current

        rows, current = self._store.read(work)
        names = {p.id: p.name for p in current.people} | {m.id: m.name for m in current.team}
        for row in rows:  # people deleted since are named from their last version
            for state in (row.get("before"), row.get("after")):
                if row["kind"] == "person" and state:
                    names.setdefault(state["id"], state["name"])
        items = change_items(rows, names)
        full = len(rows) == limit
        window_end = parse_valid_time(rows[-1]["at"]) if full else now
        window_start = max(since, parse_valid_time(cursor[0])) if after else since
        faded = [
            c
            for c in faded_ties(current, start=window_start, end=window_end)
            if after is None or valid_time(c.at) > cursor[0]
        ]
        merged = sorted([*items, *faded], key=lambda c: c.at)
        next_cursor = (rows[-1]["at"], rows[-1]["entity_id"] + rows[-1]["event"]) if full else None
        return merged, next_cursor

    @observed
    def snapshot(self, tenant: str, org_id: str) -> OrgSnapshot:
        """Everything of one organisation, read in one transaction."""
        return self._store.read(lambda tx: snapshot(tx, tenant, org_id))

    @observed
    def find_api_key(self, secret_hash: str) -> ApiKeyPublic | None:
        """The key with this hash (revoked ones included), or None."""
        return self._store.read(lambda tx: ApiKeyReads(tx).find(secret_hash))

    @observed
    def list_api_keys(self, tenant: str) -> list[ApiKeyPublic]:
        return self._store.read(lambda tx: ApiKeyReads(tx).of_tenant(tenant))

    @observed
    def list_audit(self, tenant: str, *, limit: int, after: str | None = None) -> list[AuditEntry]:
        """The tenant's audit entries, oldest first, those with id greater than ``after``."""
        return self._store.read(lambda tx: AuditReads(tx).page(tenant, limit=limit, after=after))
