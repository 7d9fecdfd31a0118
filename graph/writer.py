"""The one write path: every create, update, delete and import, for both stores.

:class:`GraphWriter` holds the orchestration once — lock, check the version, plan, write
the planned rows, record the idempotent response in the same transaction — above the narrow
transactional port (:mod:`graph.tx`). After a write commits it emits a
:class:`GraphChanged` naming exactly the organisations it bumped (or the whole tenant, for a
team change), and :class:`KeyRevoked` for a revoked key; the composition root subscribes
the analytics cache and the API-key cache to them.

Lock order is always: the idempotency record, then organisations in id order, so two writes
never wait on each other in a cycle.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from graph.deal_planning import seat_row
from graph.errors import (
    ExistencePreconditionFailed,
    FieldError,
    NotFound,
    OutcomeUnknown,
    StoreBusy,
    ValidationFailed,
    check_version,
)
from graph.idempotency import (
    ClaimOutcome,
    IdempotencyClaim,
    IdempotentWrite,
    StoredResponse,
    admit,
    done_record,
    judge_claim,
    new_token,
    pending_record,
)
from graph.interactions import plan_ties, touched, with_strength_source
from graph.messages import _ as _t
from graph.planning import (
    BatchPlan,
    OrgContext,
    external_refs,
    new_id,
    new_record,
    next_state,
    plan_batch,
    utcnow,
)
from graph.port import ImportOutcome, OrgImport
from graph.records import (
    INTERACTION_FIELDS,
    OPPORTUNITY_FIELDS,
    ORGANISATION_FIELDS,
    PERSON_FIELDS,
    RELATIONSHIP_FIELDS,
    SEAT_FIELDS,
    TEAM_FIELDS,
    interaction_from,
    model_row,
    opportunity_from,
    organisation_from,
    person_from,
    relationship_from,
    seat_from,
    team_member_from,
    to_storable,
)
from graph.repositories import (
    ApiKeys,
    AuditLog,
    Committee,
    CommitteeReads,
    History,
    IdempotencyRecords,
    Interactions,
    Opportunities,
    OpportunityReads,
    OrganisationReads,
    Organisations,
    People,
    PeopleReads,
    Team,
    TeamReads,
    TieReads,
    Ties,
)
from graph.timing import Observer, observed, unobserved
from graph.tx import ReadTx, Row, TxStore, WriteTx
from graph.webhooks import (
    enqueue,
    events_of_deal_update,
    events_of_person_update,
    forget_organisation,
    forget_person,
    interaction_logged,
    publish_batch,
)
from schemas.audit import AuditEntry
from schemas.common import KeyRole, PersonStatus
from schemas.deals import (
    CommitteeSeatPublic,
    CommitteeSeatPut,
    OpportunityCreate,
    OpportunityPublic,
    OpportunityUpdate,
    merged_deal,
)
from schemas.imports import (
    ImportRequest,
    ImportResult,
    OpportunityImport,
    PersonImport,
    RelationshipImport,
)
from schemas.interactions import InteractionCreate, InteractionLogged, InteractionPublic
from schemas.keys import ApiKeyPublic
from schemas.resources import (
    OrganisationCreate,
    OrganisationPublic,
    OrganisationUpdate,
    PersonCreate,
    PersonPublic,
    PersonUpdate,
    RelationshipCreate,
    RelationshipPublic,
    RelationshipUpdate,
    TeamMemberCreate,
    TeamMemberPublic,
    TeamMemberUpdate,
    left_on_problem,
    tie_field_problems,
)

logger = logging.getLogger("stakemap")

ResultT = TypeVar("ResultT")

#: Error fields of a single-deal create, named as in its request body.
_DEAL_PATHS = {"opportunities[0].owner": "owner_id"}

#: Error fields of a single-tie create, named as in its request body.
_TIE_PATHS = {
    "relationships[0].source": "source_id",
    "relationships[0].target": "target_id",
    "relationships[0]": "type",
}


def _check_participants(tx: WriteTx, tenant: str, org_id: str, data: InteractionCreate) -> None:
    """Refuse an interaction naming someone who is not one of our team members or not a
    person of the organisation (422 naming each such entry)."""
    members = TeamReads(tx).known(tenant, data.member_ids)
    people = PeopleReads(tx).known(tenant, org_id, data.person_ids)
    errors = [
        FieldError(f"member_ids[{i}]", _t("unknown team member"))
        for i, member in enumerate(data.member_ids)
        if member not in members
    ] + [
        FieldError(f"person_ids[{i}]", _t("not a person of this organisation"))
        for i, person in enumerate(data.person_ids)
        if person not in people
    ]
    if errors:
        raise ValidationFailed(errors)


@dataclass(frozen=True)
class GraphChanged:
    """A committed write changed these organisations' snapshots (all of the tenant's when
    ``whole_tenant``: our team shows in every one)."""

    tenant: str
    org_ids: frozenset[str] = frozenset()
    whole_tenant: bool = False


@dataclass(frozen=True)
class KeyRevoked:
    tenant: str
    key_id: str


WriteEvent = GraphChanged | KeyRevoked
Listener = Callable[[WriteEvent], None]


def plan_in(
    tx: ReadTx,
    tenant: str,
    items: Sequence[OrgImport],
    versions: dict[str, int],
    *,
    upsert: bool,
    paths: dict[str, str] | None = None,
) -> BatchPlan:
    """Plan ``items`` against what ``tx`` sees (``versions``: the stored organisations the
    items name, locked by the caller unless it only validates)."""
    refs: set[str] = set()
    for item in items:
        refs |= external_refs(item.request)
    orgs, team = OrganisationReads(tx), TeamReads(tx)
    if upsert:
        stored = sorted(versions)
        people_of: dict[str, list[Row]] = {org_id: [] for org_id in stored}
        ties_of: dict[str, list[Row]] = {org_id: [] for org_id in stored}
        for row in PeopleReads(tx).rows_of(tenant, stored):
            people_of[row["org_id"]].append(row)
        for row in TieReads(tx).rows_of(tenant, stored):
            ties_of[row["org_id"]].append(row)
        deals_of: dict[str, list[Row]] = {org_id: [] for org_id in stored}
        seats_of: dict[str, list[Row]] = {org_id: [] for org_id in stored}
        for row in OpportunityReads(tx).rows_of(tenant, stored):
            deals_of[row["org_id"]].append(row)
        for row in CommitteeReads(tx).rows_of(tenant, stored):
            seats_of[row["org_id"]].append(row)
        team_rows = team.all_rows(tenant)
        known_orgs = orgs.known(tenant, refs)

        def full_context(org_id: str, new: bool) -> OrgContext:
            return OrgContext.from_rows(
                tenant,
                org_id,
                people=people_of.get(org_id, []),
                team=team_rows,
                relationships=ties_of.get(org_id, []),
                org_ids=known_orgs,
                opportunities=deals_of.get(org_id, []),
                seats=seats_of.get(org_id, []),
            )

        context = full_context
    else:
        team_ids, org_ids = team.known(tenant, refs), orgs.known(tenant, refs)

        def lean_context(org_id: str, new: bool) -> OrgContext:
            if new:
                return OrgContext(tenant, org_id, set(), set(team_ids), set(org_ids))
            return OrgContext(
                tenant,
                org_id,
                PeopleReads(tx).ids_of(tenant, org_id),
                set(team_ids),
                set(org_ids),
                TieReads(tx).lean(tenant, org_id),
            )

        context = lean_context

    def check_parent(parent_id: str) -> None:
        orgs.check_parent(tenant, "", parent_id)

    return plan_batch(
        tenant,
        items,
        versions=versions,
        context=context,
        check_parent=check_parent,
        upsert=upsert,
        paths=paths,
    )


def store_plan(tx: WriteTx, tenant: str, batch: BatchPlan) -> None:
    """Write every row of a planned batch (and, first, the webhook events it reports)."""
    publish_batch(tx, tenant, batch, time.time())
    orgs, people, ties = Organisations(tx), People(tx), Ties(tx)
    orgs.insert(batch.new_organisations)
    people.insert(batch.people)
    people.replace(batch.updated_people)
    Team(tx).insert(batch.team)
    ties.remove(batch.removed_relationships)
    ties.replace(batch.updated_relationships)
    ties.insert(batch.relationships)
    deals, committee = Opportunities(tx), Committee(tx)
    deals.insert(batch.opportunities)
    deals.replace(batch.updated_opportunities)
    committee.put(batch.seats + batch.updated_seats)
    orgs.set_versions(tenant, batch.version_updates())
    if batch.creates_team:
        orgs.bump_tenant(tenant)


def _single_result(batch: BatchPlan, *, dry_run: bool) -> ImportResult:
    """The result of a one-organisation batch, or its refusal raised."""
    [outcome] = batch.outcomes(dry_run=dry_run)
    if outcome.missing:
        raise NotFound("organisation")
    if outcome.result is None:
        raise ValidationFailed(outcome.errors)
    return outcome.result


def _changed_by(tenant: str, batch: BatchPlan) -> GraphChanged:
    return GraphChanged(
        tenant,
        frozenset(org_id for org_id, _ in batch.version_updates()),
        whole_tenant=batch.creates_team,
    )


def _merged(row: Row, values: dict[str, Any]) -> Row:
    """A stored row with an update's ``values`` applied: the resource's next state."""
    changes = {name: to_storable(value) for name, value in values.items()}
    return next_state(row, changes, to_storable(utcnow()))


class GraphWriter:
    """Every write of the service, once, over a :class:`~graph.tx.TxStore`."""

    def __init__(self, store: TxStore, *, observe: Observer = unobserved) -> None:
        self._store = store
        self._observe = observe
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` after each committed write with what it changed; answer the
        call that stops it."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def _emit(self, event: WriteEvent) -> None:
        for listener in self._listeners:
            listener(event)

    def _commit(
        self,
        tenant: str,
        work: Callable[[WriteTx], ResultT],
        changed: Callable[[ResultT], WriteEvent | None],
        *,
        bounded: bool = True,
        wait: bool = True,
    ) -> ResultT:
        """Run ``work`` in one write transaction; tell the listeners what it changed. If
        the outcome is unknown (the commit may have happened) the whole tenant is stale."""
        try:
            result = self._store.write(work, bounded=bounded, wait=wait)
        except OutcomeUnknown:
            self._emit(GraphChanged(tenant, whole_tenant=True))
            raise
        event = changed(result)
        if event is not None:
            self._emit(event)
        return result

    def _in_organisation(
        self, tenant: str, org_id: str, work: Callable[[WriteTx], ResultT]
    ) -> ResultT:
        """A write to something the organisation holds (a person, a tie): the organisation's
        lock first (bumping its version guards everything in it), then ``work``."""

        def locked(tx: WriteTx) -> ResultT:
            Organisations(tx).bump(tenant, org_id)
            return work(tx)

        return self._commit(tenant, locked, lambda _: GraphChanged(tenant, frozenset({org_id})))

    # --- idempotency within a write --------------------------------------------------------

    @staticmethod
    def _admit(tx: WriteTx, tenant: str, write: IdempotentWrite | None) -> None:
        """First in a write transaction: lock the key's record and check it."""
        if write is not None:
            admit(IdempotencyRecords(tx).lock(tenant, write.key), write, time.time())

    @staticmethod
    def _record_done(tx: WriteTx, tenant: str, write: IdempotentWrite | None, result: Any) -> None:
        """Last in the write transaction: the response to replay, committed with it."""
        if write is not None:
            response = write.respond(result)
            IdempotencyRecords(tx).save(
                done_record(
                    tenant, write.key, write.fingerprint, response, time.time(), write.ttl_seconds
                )
            )

    # --- imports (and the creates that are one-row imports) ----------------------------------

    def _batch(
        self,
        tenant: str,
        items: Sequence[OrgImport],
        *,
        upsert: bool,
        dry_run: bool,
        paths: dict[str, str] | None = None,
        idempotency: IdempotentWrite | None = None,
        result_of: Callable[[BatchPlan], Any] | None = None,
    ) -> BatchPlan:
        """Plan ``items`` and, unless ``dry_run``, store them in one transaction, which also
        records ``idempotency`` with ``result_of(batch)`` (default: the outcomes)."""
        org_ids = sorted({item.org_id for item in items if item.org_id is not None})
        if dry_run:

            def validate(tx: ReadTx) -> BatchPlan:
                versions = OrganisationReads(tx).versions(tenant, org_ids)
                return plan_in(tx, tenant, items, versions, upsert=upsert, paths=paths)

            return self._store.read(validate)

        def work(tx: WriteTx) -> BatchPlan:
            self._admit(tx, tenant, idempotency)
            versions = Organisations(tx).lock_many(tenant, org_ids)
            batch = plan_in(tx, tenant, items, versions, upsert=upsert, paths=paths)
            store_plan(tx, tenant, batch)
            if idempotency is not None:
                result = result_of(batch) if result_of else batch.outcomes(dry_run=False)
                self._record_done(tx, tenant, idempotency, result)
            return batch

        return self._commit(tenant, work, lambda batch: _changed_by(tenant, batch))

    def _import_one(
        self,
        tenant: str,
        org_id: str,
        request: ImportRequest,
        *,
        upsert: bool = False,
        dry_run: bool = False,
        paths: dict[str, str] | None = None,
        idempotency: IdempotentWrite | None = None,
        created: Callable[[BatchPlan], Any] | None = None,
    ) -> tuple[BatchPlan, ImportResult]:
        """Import into one organisation; raise its refusal. With ``idempotency``, the
        refusal is raised inside the transaction and ``created(batch)`` (default: the
        import result) is what the record keeps."""

        def result_of(batch: BatchPlan) -> Any:
            result = _single_result(batch, dry_run=False)
            return result if created is None else created(batch)

        batch = self._batch(
            tenant,
            [OrgImport(request, org_id=org_id)],
            upsert=upsert,
            dry_run=dry_run,
            paths=paths,
            idempotency=idempotency,
            result_of=result_of,
        )
        return batch, _single_result(batch, dry_run=dry_run)

    @observed
    def import_graph(
        self,
        tenant: str,
        org_id: str,
        request: ImportRequest,
        *,
        upsert: bool = False,
        dry_run: bool = False,
        idempotency: IdempotentWrite | None = None,
    ) -> ImportResult:
        """Validate and store the whole request in one transaction, or nothing.

        ``upsert`` matches people, team members and ties with stored ones and writes only
        what differs (see :mod:`graph.planning`). ``dry_run`` validates against the stored
        graph and answers what would change, storing nothing. Raises ``ValidationFailed``
        or ``NotFound``. The ``idempotency`` record commits with the import."""
        return self._import_one(
            tenant, org_id, request, upsert=upsert, dry_run=dry_run, idempotency=idempotency
        )[1]

    @observed
    def import_many(
        self,
        tenant: str,
        items: Sequence[OrgImport],
        *,
        upsert: bool = False,
        dry_run: bool = False,
        idempotency: IdempotentWrite | None = None,
    ) -> list[ImportOutcome]:
        """Import several organisations in one transaction, each validated on its own: an
        invalid one is left out whole (its outcome carries the errors), the others are
        stored. New organisations are created with their graph; team members created for
        one item are matched by later ones. A key already done raises
        :class:`~graph.idempotency.IdempotentReplay`."""
        batch = self._batch(tenant, items, upsert=upsert, dry_run=dry_run, idempotency=idempotency)
        return batch.outcomes(dry_run=dry_run)

    # --- organisations ----------------------------------------------------------------------

    @observed
    def create_organisation(
        self, tenant: str, data: OrganisationCreate, *, idempotency: IdempotentWrite | None = None
    ) -> OrganisationPublic:
        org = new_record(OrganisationPublic, tenant, data)

        def work(tx: WriteTx) -> OrganisationPublic:
            self._admit(tx, tenant, idempotency)
            orgs = Organisations(tx)
            orgs.check_parent(tenant, org.id, org.parent_id)
            orgs.insert([model_row(org, ORGANISATION_FIELDS)])
            self._record_done(tx, tenant, idempotency, org)
            return org

        return self._commit(tenant, work, lambda _: None)  # nothing cached knows it yet

    @observed
    def update_organisation(
        self,
        tenant: str,
        org_id: str,
        changes: OrganisationUpdate,
        *,
        expected_version: int | None = None,
    ) -> OrganisationPublic:
        values = changes.model_dump(exclude_unset=True)

        def work(tx: WriteTx) -> OrganisationPublic:
            orgs = Organisations(tx)
            check_version("organisation", orgs.lock(tenant, org_id), expected_version)
            if "parent_id" in values:
                orgs.check_parent(tenant, org_id, values["parent_id"])
            row = orgs.row(tenant, org_id)
            updated = organisation_from(_merged(row, values))
            orgs.replace(model_row(updated, ORGANISATION_FIELDS))
            return updated

        return self._commit(tenant, work, lambda _: GraphChanged(tenant, frozenset({org_id})))

    @observed
    def delete_organisation(
        self, tenant: str, org_id: str, *, expected_version: int | None = None
    ) -> None:
        """Delete the organisation with its people and every tie stored under it; the
        organisations whose people were affiliated with it change too."""

        def work(tx: WriteTx) -> frozenset[str]:
            orgs = Organisations(tx)
            check_version("organisation", orgs.lock(tenant, org_id), expected_version)
            affiliates = orgs.affiliates(tenant, org_id) - {org_id}
            orgs.delete(tenant, org_id)
            forget_organisation(tx, tenant, org_id)
            for other in sorted(affiliates):
                orgs.bump(tenant, other)
            return frozenset(affiliates | {org_id})

        self._commit(tenant, work, lambda changed: GraphChanged(tenant, changed))

    # --- people -----------------------------------------------------------------------------

    @observed
    def create_person(
        self,
        tenant: str,
        org_id: str,
        data: PersonCreate,
        *,
        idempotency: IdempotentWrite | None = None,
    ) -> PersonPublic:
        def created(batch: BatchPlan) -> PersonPublic:
            return person_from(batch.planned[0].plan.people[0])

        request = ImportRequest(people=[PersonImport(ref="new", **data.model_dump())])
        batch, _ = self._import_one(
            tenant, org_id, request, idempotency=idempotency, created=created
        )
        return created(batch)

    @observed
    def update_person(
        self,
        tenant: str,
        org_id: str,
        person_id: str,
        changes: PersonUpdate,
        *,
        expected_version: int | None = None,
    ) -> PersonPublic:
        values = changes.model_dump(exclude_unset=True)
        if values.get("status") not in (None, PersonStatus.LEFT) and "left_on" not in values:
            values["left_on"] = None  # back, or on leave: the day they left no longer applies

        def work(tx: WriteTx) -> PersonPublic:
            people = People(tx)
            row = people.row(tenant, org_id, person_id)  # read under the organisation's lock
            check_version("person", int(row["version"]), expected_version)
            updated = person_from(_merged(row, values))
            problem = left_on_problem(updated.status, updated.left_on)
            if problem:
                raise ValidationFailed([FieldError("left_on", problem)])
            stored = model_row(updated, PERSON_FIELDS)
            people.replace([stored])
            enqueue(tx, tenant, events_of_person_update(row, stored), time.time())
            return updated

        return self._in_organisation(tenant, org_id, work)

    @observed
    def delete_person(
        self,
        tenant: str,
        org_id: str,
        person_id: str,
        *,
        expected_version: int | None = None,
        erase: bool = False,
    ) -> None:
        """Delete the person and every tie that touches them. History keeps what they were
        (``as_of`` a day before still shows them) unless ``erase``: then it forgets them."""

        def work(tx: WriteTx) -> None:
            people = People(tx)
            check_version("person", people.version(tenant, org_id, person_id), expected_version)
            people.delete(tenant, org_id, person_id)
            if erase:
                History(tx).forget_person(tenant, person_id)
            forget_person(tx, tenant, org_id, person_id)
            Interactions(tx).forget_person(tenant, org_id, person_id)

        self._in_organisation(tenant, org_id, work)

    # --- our team ----------------------------------------------------------------------------

    @observed
    def create_team_member(
        self, tenant: str, data: TeamMemberCreate, *, idempotency: IdempotentWrite | None = None
    ) -> TeamMemberPublic:
        member = new_record(TeamMemberPublic, tenant, data)

        def work(tx: WriteTx) -> TeamMemberPublic:
            self._admit(tx, tenant, idempotency)
            Team(tx).insert([model_row(member, TEAM_FIELDS)])
            Organisations(tx).bump_tenant(tenant)
            self._record_done(tx, tenant, idempotency, member)
            return member

        return self._commit(tenant, work, lambda _: GraphChanged(tenant, whole_tenant=True))

    @observed
    def update_team_member(
        self,
        tenant: str,
        member_id: str,
        changes: TeamMemberUpdate,
        *,
        expected_version: int | None = None,
    ) -> TeamMemberPublic:
        values = changes.model_dump(exclude_unset=True)

        def work(tx: WriteTx) -> TeamMemberPublic:
            team = Team(tx)
            check_version("team member", team.lock(tenant, member_id), expected_version)
            row = team.row(tenant, member_id)
            updated = team_member_from(_merged(row, values))
            team.replace(model_row(updated, TEAM_FIELDS))
            Organisations(tx).bump_tenant(tenant)
            return updated

        return self._commit(tenant, work, lambda _: GraphChanged(tenant, whole_tenant=True))

    @observed
    def delete_team_member(
        self, tenant: str, member_id: str, *, expected_version: int | None = None
    ) -> None:
        def work(tx: WriteTx) -> None:
            team = Team(tx)
            check_version("team member", team.lock(tenant, member_id), expected_version)
            team.delete(tenant, member_id)
            Interactions(tx).forget_member(tenant, member_id)
            Organisations(tx).bump_tenant(tenant)

        self._commit(tenant, work, lambda _: GraphChanged(tenant, whole_tenant=True))

    # --- ties ---------------------------------------------------------------------------------

    @observed
    def create_relationship(
        self,
        tenant: str,
        org_id: str,
        data: RelationshipCreate,
        *,
        idempotency: IdempotentWrite | None = None,
    ) -> RelationshipPublic:
        def created(batch: BatchPlan) -> RelationshipPublic:
            return relationship_from(batch.planned[0].plan.relationships[0])

        rel = RelationshipImport(
            source=data.source_id,
            target=data.target_id,
            **data.model_dump(exclude={"source_id", "target_id"}),
        )
        batch, _ = self._import_one(
            tenant,
            org_id,
            ImportRequest(relationships=[rel]),
            paths=_TIE_PATHS,
            idempotency=idempotency,
            created=created,
        )
        return created(batch)

    @observed
    def update_relationship(
        self,
        tenant: str,
        org_id: str,
        rel_id: str,
        changes: RelationshipUpdate,
        *,
        expected_version: int | None = None,
    ) -> RelationshipPublic:
        """Change a tie's strength, last contact, channel or dotted flag; what its type
        cannot have is refused as on create."""
        values = changes.model_dump(exclude_unset=True)

        def work(tx: WriteTx) -> RelationshipPublic:
            ties = Ties(tx)
            row = ties.row(tenant, org_id, rel_id)  # read under the organisation's lock
            check_version("relationship", int(row["version"]), expected_version)
            updated = relationship_from(_merged(row, with_strength_source(row, values)))
            problems = tie_field_problems(updated)
            if problems:
                raise ValidationFailed([FieldError(name, reason) for name, reason in problems])
            ties.replace([model_row(updated, RELATIONSHIP_FIELDS)])
            return updated

        return self._in_organisation(tenant, org_id, work)

    @observed
    def delete_relationship(
        self, tenant: str, org_id: str, rel_id: str, *, expected_version: int | None = None
    ) -> None:
        def work(tx: WriteTx) -> None:
            ties = Ties(tx)
            check_version("relationship", ties.version(tenant, org_id, rel_id), expected_version)
            ties.delete(tenant, org_id, rel_id)

        self._in_organisation(tenant, org_id, work)

    # --- interactions ------------------------------------------------------------------------

    @observed
    def log_interaction(
        self,
        tenant: str,
        org_id: str,
        data: InteractionCreate,
        *,
        idempotency: IdempotentWrite | None = None,
    ) -> InteractionLogged:
        """Store an interaction and bring the KNOWS ties between its team members and its
        people up to date (``last_contact``, derived strength), creating missing ones
        (:func:`graph.interactions.plan_ties`), in one transaction."""
        now = utcnow()
        logged = InteractionPublic(
            id=new_id(),
            tenant=tenant,
            created_at=now,
            updated_at=now,
            version=1,
            org_id=org_id,
            **data.model_dump(),
        )
        row = model_row(logged, INTERACTION_FIELDS)

        def work(tx: WriteTx) -> InteractionLogged:
            self._admit(tx, tenant, idempotency)
            Organisations(tx).bump(tenant, org_id)  # the organisation's lock; 404 if unknown
            _check_participants(tx, tenant, org_id, data)
            interactions = Interactions(tx)
            interactions.insert([row])
            history = interactions.between(tenant, org_id, data.member_ids, data.person_ids)
            ties = Ties(tx)
            stored = ties.knows_between(tenant, org_id, data.member_ids, data.person_ids)
            plan = plan_ties(row, history, stored, now=row["created_at"], new_id=new_id)
            ties.insert(plan.created)
            ties.replace(plan.updated)
            enqueue(tx, tenant, [interaction_logged(org_id, row)], time.time())
            result = InteractionLogged(
                **interaction_from(row).model_dump(),
                ties=[touched(r, created=True) for r in plan.created]
                + [touched(r, created=False) for r in plan.updated],
            )
            self._record_done(tx, tenant, idempotency, result)
            return result

        return self._commit(tenant, work, lambda _: GraphChanged(tenant, frozenset({org_id})))

    # --- deals -----------------------------------------------------------------------------

    @observed
    def create_opportunity(
        self,
        tenant: str,
        org_id: str,
        data: OpportunityCreate,
        *,
        idempotency: IdempotentWrite | None = None,
    ) -> OpportunityPublic:
        """A new deal (its owner must be a team member), through the import rules."""

        def created(batch: BatchPlan) -> OpportunityPublic:
            return opportunity_from(batch.planned[0].plan.opportunities[0])

        deal = OpportunityImport(
            ref="new", owner=data.owner_id, **data.model_dump(exclude={"owner_id"})
        )
        batch, _ = self._import_one(
            tenant,
            org_id,
            ImportRequest(opportunities=[deal]),
            paths=_DEAL_PATHS,
            idempotency=idempotency,
            created=created,
        )
        return created(batch)

    @observed
    def update_opportunity(
        self,
        tenant: str,
        org_id: str,
        opp_id: str,
        changes: OpportunityUpdate,
        *,
        expected_version: int | None = None,
    ) -> OpportunityPublic:
        """Change some fields of a deal; stage and status stay consistent, the amount fits
        the currency, the owner is a team member."""
        values = {
            name: to_storable(v) for name, v in changes.model_dump(exclude_unset=True).items()
        }

        def work(tx: WriteTx) -> OpportunityPublic:
            deals = Opportunities(tx)
            row = deals.row(tenant, org_id, opp_id)  # read under the organisation's lock
            check_version("opportunity", int(row["version"]), expected_version)
            try:
                merged = merged_deal(row, values)
            except ValueError as exc:
                field, _sep, reason = str(exc).partition(": ")
                raise ValidationFailed([FieldError(field, reason)]) from None
            owner = values.get("owner_id")
            if owner is not None and not Team(tx).known(tenant, [owner]):
                raise ValidationFailed(
                    [FieldError("owner_id", _t("unknown team member {id!r}").format(id=owner))]
                )
            updated = opportunity_from(next_state(row, merged, to_storable(utcnow())))
            stored = model_row(updated, OPPORTUNITY_FIELDS)
            deals.replace([stored])
            enqueue(tx, tenant, events_of_deal_update(row, stored), time.time())
            return updated

        return self._in_organisation(tenant, org_id, work)

    @observed
    def delete_opportunity(
        self, tenant: str, org_id: str, opp_id: str, *, expected_version: int | None = None
    ) -> None:
        """Delete the deal and its buying committee."""

        def work(tx: WriteTx) -> None:
            deals = Opportunities(tx)
            check_version("opportunity", deals.version(tenant, org_id, opp_id), expected_version)
            deals.delete(tenant, org_id, opp_id)

        self._in_organisation(tenant, org_id, work)

    @observed
    def put_seat(
        self,
        tenant: str,
        org_id: str,
        opp_id: str,
        person_id: str,
        data: CommitteeSeatPut,
        *,
        expected_version: int | None = None,
        create_only: bool = False,
        must_exist: bool = False,
    ) -> tuple[CommitteeSeatPublic, bool]:
        """Create or replace a person's seat on the deal's committee; answer it and whether
        it is new. ``expected_version`` (If-Match) must match the stored seat;
        ``create_only`` (If-None-Match: *) refuses a seat that exists, ``must_exist``
        (any If-Match) one that does not. A primary seat makes
        the deal's other seats not primary."""
        values = {name: to_storable(v) for name, v in data.model_dump().items()}

        def work(tx: WriteTx) -> tuple[CommitteeSeatPublic, bool]:
            Opportunities(tx).version(tenant, org_id, opp_id)  # NotFound: no such deal
            People(tx).version(tenant, org_id, person_id)  # NotFound: no such person
            committee = Committee(tx)
            stored = committee.find(tenant, org_id, opp_id, person_id)
            if stored is None:
                if must_exist or expected_version is not None:
                    raise ExistencePreconditionFailed("committee seat", None)
                row = seat_row(
                    data,
                    tenant=tenant,
                    org_id=org_id,
                    opp_id=opp_id,
                    person_id=person_id,
                    now=to_storable(utcnow()),
                    new_id=new_id(),
                )
            else:
                if create_only:
                    raise ExistencePreconditionFailed("committee seat", int(stored["version"]))
                check_version("committee seat", int(stored["version"]), expected_version)
                row = next_state(stored, values, to_storable(utcnow()))
            if values["is_primary"]:
                committee.clear_primary(tenant, org_id, opp_id, person_id)
            committee.put([model_row(seat_from(row), SEAT_FIELDS)])
            return seat_from(row), stored is None

        return self._in_organisation(tenant, org_id, work)

    @observed
    def delete_seat(
        self,
        tenant: str,
        org_id: str,
        opp_id: str,
        person_id: str,
        *,
        expected_version: int | None = None,
    ) -> None:
        """Take the person off the deal's committee."""

        def work(tx: WriteTx) -> None:
            committee = Committee(tx)
            seat = committee.get(tenant, org_id, opp_id, person_id)
            check_version("committee seat", seat.version, expected_version)
            committee.delete(tenant, org_id, opp_id, person_id)

        self._in_organisation(tenant, org_id, work)

    # --- API keys and audit --------------------------------------------------------------------

    def _create_key(
        self, tenant: str, role: KeyRole, name: str | None, secret_hash: str, *, ensure: bool
    ) -> ApiKeyPublic:
        row = {
            "id": new_id(),
            "tenant": tenant,
            "role": role.value,
            "name": name,
            "secret_hash": secret_hash,
            "created_at": to_storable(utcnow()),
        }

        def work(tx: WriteTx) -> ApiKeyPublic:
            return ApiKeys(tx).create(row, unless_known=ensure)

        return self._commit(tenant, work, lambda _: None)

    @observed
    def create_api_key(
        self, tenant: str, role: KeyRole, name: str | None, secret_hash: str
    ) -> ApiKeyPublic:
        """A new key (:class:`~graph.errors.Conflict` if its hash is known)."""
        return self._create_key(tenant, role, name, secret_hash, ensure=False)

    @observed
    def ensure_api_key(
        self, tenant: str, role: KeyRole, name: str | None, secret_hash: str
    ) -> ApiKeyPublic:
        """Create the key unless one with this hash exists; either way return it."""
        return self._create_key(tenant, role, name, secret_hash, ensure=True)

    @observed
    def touch_api_key(self, key_id: str) -> None:
        """Record that the key was just used, best effort: skipped while another write holds
        the lock (the stamp is advisory), so authenticating never waits for a writer."""
        try:
            self._store.write(lambda tx: ApiKeys(tx).touch(key_id), wait=False)
        except StoreBusy:
            logger.debug("key use stamp skipped: the store's write lock is taken")

    @observed
    def revoke_api_key(self, tenant: str, key_id: str) -> ApiKeyPublic:
        def work(tx: WriteTx) -> ApiKeyPublic:
            return ApiKeys(tx).revoke(tenant, key_id)

        return self._commit(tenant, work, lambda _: KeyRevoked(tenant, key_id))

    @observed
    def append_audit(self, entry: AuditEntry) -> None:
        """Record one write (entries hold ids and route names, never personal data); it
        queues even when the write queue is full: its write has committed already."""
        self._store.write(lambda tx: AuditLog(tx).append(entry), bounded=False)

    # --- idempotency keys (graph.idempotency) ---------------------------------------------------

    @observed
    def claim_idempotency_key(
        self,
        tenant: str,
        key: str,
        fingerprint: str,
        *,
        lease_seconds: float,
        ttl_seconds: float,
    ) -> IdempotencyClaim:
        """Claim ``key`` for a request with ``fingerprint`` (its own short transaction)."""

        def work(tx: WriteTx) -> IdempotencyClaim:
            records = IdempotencyRecords(tx)
            now = time.time()
            answer = judge_claim(records.lock(tenant, key), fingerprint, now)
            if answer is not None:
                return answer
            token = new_token()
            records.save(
                pending_record(tenant, key, fingerprint, token, now, lease_seconds, ttl_seconds)
            )
            return IdempotencyClaim(ClaimOutcome.CLAIMED, token=token)

        return self._store.write(work)

    @observed
    def complete_idempotency_key(
        self, tenant: str, key: str, token: str, response: StoredResponse, *, ttl_seconds: float
    ) -> None:
        """Store the response of a claimed key whose write kept no record itself."""

        def work(tx: WriteTx) -> None:
            records = IdempotencyRecords(tx)
            row = records.lock(tenant, key)
            if row is None or row.get("state") != "pending" or row.get("token") != token:
                # taken over after our lease ended (the new holder answers), or gone: drop
                # the placeholder the lock statement may just have made
                records.release(tenant, key, token)
                return
            records.save(
                done_record(tenant, key, row["fingerprint"], response, time.time(), ttl_seconds)
            )

        self._store.write(work)

    @observed
    def release_idempotency_key(self, tenant: str, key: str, token: str) -> None:
        """Drop this claim if it is still pending (its write failed or did not commit)."""
        self._store.write(lambda tx: IdempotencyRecords(tx).release(tenant, key, token))

    @observed
    def purge_idempotency_keys(self, *, limit: int = 10_000) -> int:
        """Delete up to ``limit`` expired records; answer how many."""
        return self._store.write(lambda tx: IdempotencyRecords(tx).purge(time.time(), limit))
