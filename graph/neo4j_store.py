"""The production store: Neo4j through the official driver.

One driver per process (opened by the lifespan through the composition root); reads go
through ``execute_query`` routed to readers, writes through managed transactions whose
first statement takes the organisation's write lock: it bumps the version, or (imports,
``organisation_lock_many``) writes it unchanged, in id order, and the version is set once
the plan is known, so an import that changes nothing leaves it alone. Imports write in
``UNWIND`` batches, ``CREATE`` for rows known to be new. Every statement is a named file
from :mod:`queries`; driver errors become domain errors here.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import neo4j
from neo4j import (
    GraphDatabase,
    ManagedTransaction,
    NotificationMinimumSeverity,
    Query,
    RoutingControl,
    unit_of_work,
)
from neo4j.exceptions import (
    ConstraintError,
    DriverError,
    IncompleteCommit,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
    TransientError,
)

from graph.errors import (
    Conflict,
    FieldError,
    NotFound,
    OutcomeUnknown,
    StoreUnavailable,
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
from graph.migrations import load_migrations, open_schema
from graph.neo4j_migrations import Neo4jMigrations
from graph.planning import (
    BatchPlan,
    OrgContext,
    external_refs,
    new_id,
    new_record,
    plan_batch,
    utcnow,
)
from graph.port import ImportOutcome, OrgImport
from graph.records import (
    ORGANISATION_FIELDS,
    TEAM_FIELDS,
    api_key_from,
    model_row,
    organisation_from,
    person_from,
    relationship_from,
    team_member_from,
    to_storable,
)
from queries import QueryCatalog, load_catalog
from schemas.audit import AuditEntry
from schemas.common import KeyRole, RelType
from schemas.imports import (
    ImportRequest,
    ImportResult,
    PersonImport,
    RelationshipImport,
)
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
    TeamMemberCreate,
    TeamMemberPublic,
    TeamMemberUpdate,
)
from schemas.snapshot import OrgSnapshot

ResultT = TypeVar("ResultT")

#: The statement that creates each type of tie: the allow-list from type to Cypher file.
CREATE_TIE: dict[RelType, str] = {
    RelType.REPORTS_TO: "relationship_create_reports_to",
    RelType.INFLUENCES: "relationship_create_influences",
    RelType.KNOWS: "relationship_create_knows",
    RelType.AFFILIATED_WITH: "relationship_create_affiliated_with",
}

STATEMENTS = [
    "ping",
    "organisation_create",
    "organisation_get",
    "organisation_parent",
    "organisation_list",
    "organisation_update",
    "organisation_bump",
    "organisation_bump_tenant",
    "organisation_version",
    "organisation_affiliates",
    "organisation_delete",
    "org_context",
    "import_context",
    "team_context",
    "organisation_known",
    "organisation_lock_many",
    "organisation_versions",
    "organisation_create_many",
    "organisation_set_versions",
    "person_create_many",
    "person_update_many",
    "person_get",
    "person_list",
    "person_update",
    "person_delete",
    "team_create_many",
    "team_get",
    "team_list",
    "team_update",
    "team_delete",
    *CREATE_TIE.values(),
    "relationship_get",
    "relationship_list",
    "relationship_delete",
    "relationship_delete_many",
    "relationship_update_many",
    "snapshot",
    "api_key_create",
    "api_key_ensure",
    "api_key_find",
    "api_key_touch",
    "api_key_list",
    "api_key_revoke",
    "audit_append",
    "audit_list",
    "organisation_lock",
    "team_lock",
    "person_version",
    "relationship_version",
    "idempotency_lock",
    "idempotency_save",
    "idempotency_release",
    "idempotency_purge",
]

#: Rows written per UNWIND statement in bulk imports (see docs/PERFORMANCE.md).
BATCH_SIZE = 5_000

#: Error fields of a single-tie create, named as in its request body.
_TIE_PATHS = {
    "relationships[0].source": "source_id",
    "relationships[0].target": "target_id",
    "relationships[0]": "type",
}


@contextmanager
def _domain_errors() -> Iterator[None]:
    """Translate driver failures into domain errors (ours pass through untouched)."""
    try:
        yield
    except ConstraintError as exc:
        raise Conflict(f"conflicts with stored data: {exc.message}") from exc
    except IncompleteCommit as exc:
        # The connection broke after COMMIT was sent: stored or not, nobody knows.
        raise OutcomeUnknown(str(exc)) from exc
    except (ServiceUnavailable, SessionExpired, TransientError) as exc:
        raise StoreUnavailable(f"Neo4j is unavailable: {exc}") from exc
    except DriverError as exc:
        raise StoreUnavailable(f"Neo4j driver error: {exc}") from exc
    except Neo4jError as exc:
        code = exc.code or ""
        if code.startswith("Neo.TransientError") or "TransactionTimedOut" in code:
            raise StoreUnavailable(f"Neo4j is busy: {exc.message}") from exc
        raise


def _single_result(batch: BatchPlan, *, dry_run: bool) -> ImportResult:
    """The result of a one-organisation batch, or its refusal raised."""
    [outcome] = batch.outcomes(dry_run=dry_run)
    if outcome.missing:
        raise NotFound("organisation")
    if outcome.result is None:
        raise ValidationFailed(outcome.errors)
    return outcome.result


def _created_person(batch: BatchPlan) -> PersonPublic:
    return person_from(batch.planned[0].plan.people[0])


def _created_relationship(batch: BatchPlan) -> RelationshipPublic:
    return relationship_from(batch.planned[0].plan.relationships[0])


def _node(record: neo4j.Record | None, kind: str) -> dict[str, Any]:
    if record is None:
        raise NotFound(kind)
    node: dict[str, Any] = record["node"]
    return node


class Neo4jStore:
    """:class:`graph.port.GraphStore` on a Neo4j 5 server."""

    def __init__(
        self,
        uri: str,
        *,
        user: str,
        password: str,
        database: str,
        timeout: float = 15.0,
        connect_timeout: float | None = None,
        retry_time: float | None = None,
        catalog: QueryCatalog | None = None,
        migrate: bool = True,
    ) -> None:
        """``timeout`` bounds each transaction (and, unless given, connecting and retrying);
        ``connect_timeout`` bounds opening a connection and getting one from the pool;
        ``retry_time`` bounds how long a failing transaction is retried. Small bounds make
        requests fail fast (503) while Neo4j is down; the driver reconnects by itself.
        ``migrate`` applies pending migrations at open, else they are refused
        (:func:`graph.migrations.open_schema`)."""
        self._catalog = catalog or load_catalog()
        self._catalog.require(STATEMENTS)
        self._database = database
        self._timeout = timeout
        self._queries = {
            name: Query(
                self._catalog[name], metadata={"app": "stakemap", "query": name}, timeout=timeout
            )
            for name in STATEMENTS
        }
        with _domain_errors():
            self._driver = GraphDatabase.driver(
                uri,
                auth=(user, password),
                connection_timeout=connect_timeout or timeout,
                connection_acquisition_timeout=(connect_timeout or timeout) * 2,
                max_transaction_retry_time=timeout if retry_time is None else retry_time,
                # Schema hints such as "property key does not exist" on an empty database
                # are noise for a service; real failures arrive as exceptions.
                notifications_min_severity=NotificationMinimumSeverity.OFF,
            )
            try:
                self._driver.verify_connectivity()
                target = Neo4jMigrations(self._driver, database, schema=self._catalog.schema())
                open_schema(target, load_migrations("neo4j"), apply=migrate)
            except BaseException:
                self._driver.close()
                raise

    # --- plumbing --------------------------------------------------------------------------

    def _read(self, name: str, **params: Any) -> list[neo4j.Record]:
        with _domain_errors():
            records, _, _ = self._driver.execute_query(
                self._queries[name],
                params,
                database_=self._database,
                routing_=RoutingControl.READ,
            )
        return records

    def _read_one(self, name: str, **params: Any) -> neo4j.Record | None:
        records = self._read(name, **params)
        return records[0] if records else None

    def _write(self, work: Callable[[ManagedTransaction], ResultT]) -> ResultT:
        bounded = unit_of_work(timeout=self._timeout, metadata={"app": "stakemap"})(work)
        with _domain_errors(), self._driver.session(database=self._database) as session:
            return session.execute_write(bounded)

    def _run(self, tx: ManagedTransaction, name: str, **params: Any) -> list[neo4j.Record]:
        return list(tx.run(self._catalog[name], params))

    def _run_one(self, tx: ManagedTransaction, name: str, **params: Any) -> neo4j.Record | None:
        records = self._run(tx, name, **params)
        return records[0] if records else None

    def _bump(self, tx: ManagedTransaction, tenant: str, org_id: str) -> int:
        record = self._run_one(
            tx, "organisation_bump", tenant=tenant, org_id=org_id, now=to_storable(utcnow())
        )
        if record is None:
            raise NotFound("organisation")
        return int(record["version"])

    def _lock_and_check(
        self,
        tx: ManagedTransaction,
        statement: str,
        kind: str,
        expected: int | None,
        **params: Any,
    ) -> None:
        """Run ``statement`` (which locks the resource, or reads it under a lock the
        transaction holds already) and check its version: NotFound, PreconditionFailed."""
        record = self._run_one(tx, statement, **params)
        if record is None:
            raise NotFound(kind)
        check_version(kind, int(record["version"]), expected)

    def _lean_context(
        self, tx: ManagedTransaction, tenant: str, org_id: str, refs: list[str]
    ) -> OrgContext:
        record = self._run_one(tx, "org_context", tenant=tenant, org_id=org_id, ids=refs)
        assert record is not None
        return OrgContext(
            tenant,
            org_id,
            set(record["person_ids"]),
            set(record["team_ids"]),
            set(record["org_ids"]),
            [(RelType(t), s, d, bool(dotted)) for t, s, d, dotted in record["ties"]],
        )

    def _plan(
        self,
        tx: ManagedTransaction,
        tenant: str,
        items: Sequence[OrgImport],
        *,
        upsert: bool,
        dry_run: bool,
        paths: dict[str, str] | None,
    ) -> BatchPlan:
        org_ids = sorted({item.org_id for item in items if item.org_id is not None})
        statement = "organisation_versions" if dry_run else "organisation_lock_many"
        versions = {
            r["id"]: int(r["version"])
            for r in self._run(tx, statement, tenant=tenant, org_ids=org_ids)
        }
        refs: set[str] = set()
        for item in items:
            refs |= external_refs(item.request)
        ref_list = sorted(refs)
        stored: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {}
        team: list[dict[str, Any]] = []
        known_orgs: set[str] = set()
        if upsert:
            for record in self._run(tx, "import_context", tenant=tenant, org_ids=list(versions)):
                stored[record["org_id"]] = (list(record["people"]), list(record["ties"]))
            team_record = self._run_one(tx, "team_context", tenant=tenant)
            team = list(team_record["team"]) if team_record else []
            if ref_list:
                known = self._run_one(tx, "organisation_known", tenant=tenant, ids=ref_list)
                known_orgs = set(known["ids"]) if known else set()

        def context(org_id: str, new: bool) -> OrgContext:
            if not upsert:
                if new:
                    empty = self._lean_context(tx, tenant, "", ref_list)
                    return OrgContext(tenant, org_id, set(), empty.team_ids, empty.org_ids)
                return self._lean_context(tx, tenant, org_id, ref_list)
            people, ties = stored.get(org_id, ([], []))
            return OrgContext.from_rows(
                tenant, org_id, people=people, team=team, relationships=ties, org_ids=known_orgs
            )

        def check_parent(parent_id: str) -> None:
            self._check_parent(tx, tenant, "", parent_id)

        return plan_batch(
            tenant,
            items,
            versions=versions,
            context=context,
            check_parent=check_parent,
            upsert=upsert,
            paths=paths,
        )

    def _run_batched(self, tx: ManagedTransaction, name: str, rows: list[dict[str, Any]]) -> None:
        for start in range(0, len(rows), BATCH_SIZE):
            self._run(tx, name, rows=rows[start : start + BATCH_SIZE])

    def _store(self, tx: ManagedTransaction, tenant: str, batch: BatchPlan) -> None:
        self._run_batched(tx, "organisation_create_many", batch.new_organisations)
        self._run_batched(tx, "person_create_many", batch.rows("people"))
        self._run_batched(tx, "person_update_many", batch.rows("updated_people"))
        self._run_batched(tx, "team_create_many", batch.rows("team"))
        self._run_batched(tx, "relationship_delete_many", batch.rows("removed_relationships"))
        self._run_batched(tx, "relationship_update_many", batch.rows("updated_relationships"))
        ties = batch.rows("relationships")
        for rel_type, statement in CREATE_TIE.items():
            self._run_batched(tx, statement, [r for r in ties if r["type"] == rel_type.value])
        updates = [{"id": org_id, "version": v} for org_id, v in batch.version_updates()]
        if updates:
            self._run(
                tx,
                "organisation_set_versions",
                tenant=tenant,
                rows=updates,
                now=to_storable(utcnow()),
            )
        if batch.creates_team:
            self._run(tx, "organisation_bump_tenant", tenant=tenant)

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
        """Plan ``items`` and, unless ``dry_run``, store them: one transaction, which also
        records ``idempotency`` with ``result_of(batch)`` (default: the outcomes)."""

        def work(tx: ManagedTransaction) -> BatchPlan:
            if not dry_run:
                self._admit(tx, tenant, idempotency)
            batch = self._plan(tx, tenant, items, upsert=upsert, dry_run=dry_run, paths=paths)
            if not dry_run:
                self._store(tx, tenant, batch)
                if idempotency is not None:
                    result = result_of(batch) if result_of else batch.outcomes(dry_run=False)
                    self._record_done(tx, tenant, idempotency, result)
            return batch

        if dry_run:
            bounded = unit_of_work(timeout=self._timeout, metadata={"app": "stakemap"})(work)
            with _domain_errors(), self._driver.session(database=self._database) as session:
                return session.execute_read(bounded)
        return self._write(work)

    def _single(
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

    @staticmethod
    def _changes(values: dict[str, Any]) -> dict[str, Any]:
        return {name: to_storable(value) for name, value in values.items()}

    # --- lifecycle -------------------------------------------------------------------------

    def ping(self) -> None:
        self._read("ping")

    def close(self) -> None:
        self._driver.close()

    # --- organisations ---------------------------------------------------------------------

    def _check_parent(
        self, tx: ManagedTransaction, tenant: str, org_id: str, parent_id: str | None
    ) -> None:
        seen = {org_id}
        current = parent_id
        while current is not None:
            if current in seen:
                raise ValidationFailed(
                    [
                        FieldError(
                            "parent_id", "this parent would make the organisation its own ancestor"
                        )
                    ]
                )
            seen.add(current)
            record = self._run_one(tx, "organisation_parent", tenant=tenant, org_id=current)
            if record is None:
                raise ValidationFailed(
                    [FieldError("parent_id", f"unknown organisation {current!r}")]
                )
            current = record["parent_id"]

    def create_organisation(
        self, tenant: str, data: OrganisationCreate, *, idempotency: IdempotentWrite | None = None
    ) -> OrganisationPublic:
        org = new_record(OrganisationPublic, tenant, data)

        def work(tx: ManagedTransaction) -> None:
            self._admit(tx, tenant, idempotency)
            self._check_parent(tx, tenant, org.id, org.parent_id)
            self._run(tx, "organisation_create", row=model_row(org, ORGANISATION_FIELDS))
            self._record_done(tx, tenant, idempotency, org)

        self._write(work)
        return org

    def get_organisation(self, tenant: str, org_id: str) -> OrganisationPublic:
        record = self._read_one("organisation_get", tenant=tenant, org_id=org_id)
        return organisation_from(_node(record, "organisation"))

    def list_organisations(
        self, tenant: str, *, limit: int, after: str | None = None
    ) -> list[OrganisationPublic]:
        records = self._read("organisation_list", tenant=tenant, after=after or "", limit=limit)
        return [organisation_from(r["node"]) for r in records]

    def update_organisation(
        self,
        tenant: str,
        org_id: str,
        changes: OrganisationUpdate,
        *,
        expected_version: int | None = None,
    ) -> OrganisationPublic:
        values = changes.model_dump(exclude_unset=True)

        def work(tx: ManagedTransaction) -> dict[str, Any]:
            self._lock_and_check(
                tx,
                "organisation_lock",
                "organisation",
                expected_version,
                tenant=tenant,
                org_id=org_id,
            )
            if "parent_id" in values:
                self._check_parent(tx, tenant, org_id, values["parent_id"])
            record = self._run_one(
                tx,
                "organisation_update",
                tenant=tenant,
                org_id=org_id,
                changes=self._changes(values),
                now=to_storable(utcnow()),
            )
            return _node(record, "organisation")

        return organisation_from(self._write(work))

    def delete_organisation(
        self, tenant: str, org_id: str, *, expected_version: int | None = None
    ) -> None:
        def work(tx: ManagedTransaction) -> None:
            self._lock_and_check(
                tx,
                "organisation_lock",
                "organisation",
                expected_version,
                tenant=tenant,
                org_id=org_id,
            )
            self._bump(tx, tenant, org_id)
            affiliates = self._run_one(tx, "organisation_affiliates", tenant=tenant, org_id=org_id)
            self._run(tx, "organisation_delete", tenant=tenant, org_id=org_id)
            for other in affiliates["org_ids"] if affiliates else []:
                if other != org_id:
                    self._bump(tx, tenant, other)

        self._write(work)

    def org_version(self, tenant: str, org_id: str) -> int:
        record = self._read_one("organisation_version", tenant=tenant, org_id=org_id)
        if record is None:
            raise NotFound("organisation")
        return int(record["version"])

    # --- people ----------------------------------------------------------------------------

    def create_person(
        self,
        tenant: str,
        org_id: str,
        data: PersonCreate,
        *,
        idempotency: IdempotentWrite | None = None,
    ) -> PersonPublic:
        request = ImportRequest(people=[PersonImport(ref="new", **data.model_dump())])
        batch, _ = self._single(
            tenant, org_id, request, idempotency=idempotency, created=_created_person
        )
        return _created_person(batch)

    def get_person(self, tenant: str, org_id: str, person_id: str) -> PersonPublic:
        record = self._read_one("person_get", tenant=tenant, org_id=org_id, person_id=person_id)
        return person_from(_node(record, "person"))

    def list_people(
        self, tenant: str, org_id: str, *, limit: int, after: str | None = None
    ) -> list[PersonPublic]:
        self.org_version(tenant, org_id)
        records = self._read(
            "person_list", tenant=tenant, org_id=org_id, after=after or "", limit=limit
        )
        return [person_from(r["node"]) for r in records]

    def update_person(
        self,
        tenant: str,
        org_id: str,
        person_id: str,
        changes: PersonUpdate,
        *,
        expected_version: int | None = None,
    ) -> PersonPublic:
        values = self._changes(changes.model_dump(exclude_unset=True))

        def work(tx: ManagedTransaction) -> dict[str, Any]:
            self._bump(tx, tenant, org_id)  # the organisation's lock guards its people
            self._lock_and_check(
                tx,
                "person_version",
                "person",
                expected_version,
                tenant=tenant,
                org_id=org_id,
                person_id=person_id,
            )
            record = self._run_one(
                tx,
                "person_update",
                tenant=tenant,
                org_id=org_id,
                person_id=person_id,
                changes=values,
                now=to_storable(utcnow()),
            )
            return _node(record, "person")

        return person_from(self._write(work))

    def delete_person(
        self, tenant: str, org_id: str, person_id: str, *, expected_version: int | None = None
    ) -> None:
        def work(tx: ManagedTransaction) -> None:
            self._bump(tx, tenant, org_id)
            self._lock_and_check(
                tx,
                "person_version",
                "person",
                expected_version,
                tenant=tenant,
                org_id=org_id,
                person_id=person_id,
            )
            record = self._run_one(
                tx, "person_delete", tenant=tenant, org_id=org_id, person_id=person_id
            )
            if record is None or record["deleted"] == 0:
                raise NotFound("person")

        self._write(work)

    # --- team ------------------------------------------------------------------------------

    def create_team_member(
        self, tenant: str, data: TeamMemberCreate, *, idempotency: IdempotentWrite | None = None
    ) -> TeamMemberPublic:
        member = new_record(TeamMemberPublic, tenant, data)

        def work(tx: ManagedTransaction) -> None:
            self._admit(tx, tenant, idempotency)
            self._run(tx, "team_create_many", rows=[model_row(member, TEAM_FIELDS)])
            self._run(tx, "organisation_bump_tenant", tenant=tenant)
            self._record_done(tx, tenant, idempotency, member)

        self._write(work)
        return member

    def get_team_member(self, tenant: str, member_id: str) -> TeamMemberPublic:
        record = self._read_one("team_get", tenant=tenant, member_id=member_id)
        return team_member_from(_node(record, "team member"))

    def list_team_members(
        self, tenant: str, *, limit: int, after: str | None = None
    ) -> list[TeamMemberPublic]:
        records = self._read("team_list", tenant=tenant, after=after or "", limit=limit)
        return [team_member_from(r["node"]) for r in records]

    def update_team_member(
        self,
        tenant: str,
        member_id: str,
        changes: TeamMemberUpdate,
        *,
        expected_version: int | None = None,
    ) -> TeamMemberPublic:
        values = self._changes(changes.model_dump(exclude_unset=True))

        def work(tx: ManagedTransaction) -> dict[str, Any]:
            self._lock_and_check(
                tx, "team_lock", "team member", expected_version, tenant=tenant, member_id=member_id
            )
            record = self._run_one(
                tx,
                "team_update",
                tenant=tenant,
                member_id=member_id,
                changes=values,
                now=to_storable(utcnow()),
            )
            node = _node(record, "team member")
            self._run(tx, "organisation_bump_tenant", tenant=tenant)
            return node

        return team_member_from(self._write(work))

    def delete_team_member(
        self, tenant: str, member_id: str, *, expected_version: int | None = None
    ) -> None:
        def work(tx: ManagedTransaction) -> None:
            self._lock_and_check(
                tx, "team_lock", "team member", expected_version, tenant=tenant, member_id=member_id
            )
            record = self._run_one(tx, "team_delete", tenant=tenant, member_id=member_id)
            if record is None or record["deleted"] == 0:
                raise NotFound("team member")
            self._run(tx, "organisation_bump_tenant", tenant=tenant)

        self._write(work)

    # --- relationships ---------------------------------------------------------------------

    def create_relationship(
        self,
        tenant: str,
        org_id: str,
        data: RelationshipCreate,
        *,
        idempotency: IdempotentWrite | None = None,
    ) -> RelationshipPublic:
        rel = RelationshipImport(
            source=data.source_id,
            target=data.target_id,
            **data.model_dump(exclude={"source_id", "target_id"}),
        )
        batch, _ = self._single(
            tenant,
            org_id,
            ImportRequest(relationships=[rel]),
            paths=_TIE_PATHS,
            idempotency=idempotency,
            created=_created_relationship,
        )
        return _created_relationship(batch)

    def get_relationship(self, tenant: str, org_id: str, rel_id: str) -> RelationshipPublic:
        record = self._read_one("relationship_get", tenant=tenant, org_id=org_id, rel_id=rel_id)
        return relationship_from(_node(record, "relationship"))

    def list_relationships(
        self, tenant: str, org_id: str, *, limit: int, after: str | None = None
    ) -> list[RelationshipPublic]:
        self.org_version(tenant, org_id)
        records = self._read(
            "relationship_list", tenant=tenant, org_id=org_id, after=after or "", limit=limit
        )
        return [relationship_from(r["node"]) for r in records]

    def delete_relationship(
        self, tenant: str, org_id: str, rel_id: str, *, expected_version: int | None = None
    ) -> None:
        def work(tx: ManagedTransaction) -> None:
            self._bump(tx, tenant, org_id)
            self._lock_and_check(
                tx,
                "relationship_version",
                "relationship",
                expected_version,
                tenant=tenant,
                org_id=org_id,
                rel_id=rel_id,
            )
            record = self._run_one(
                tx, "relationship_delete", tenant=tenant, org_id=org_id, rel_id=rel_id
            )
            if record is None or record["deleted"] == 0:
                raise NotFound("relationship")

        self._write(work)

    # --- bulk --------------------------------------------------------------------------------

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
        return self._single(
            tenant, org_id, request, upsert=upsert, dry_run=dry_run, idempotency=idempotency
        )[1]

    def import_many(
        self,
        tenant: str,
        items: Sequence[OrgImport],
        *,
        upsert: bool = False,
        dry_run: bool = False,
        idempotency: IdempotentWrite | None = None,
    ) -> list[ImportOutcome]:
        batch = self._batch(tenant, items, upsert=upsert, dry_run=dry_run, idempotency=idempotency)
        return batch.outcomes(dry_run=dry_run)

    def snapshot(self, tenant: str, org_id: str) -> OrgSnapshot:
        record = self._read_one("snapshot", tenant=tenant, org_id=org_id)
        if record is None:
            raise NotFound("organisation")
        return OrgSnapshot(
            organisation=organisation_from(record["organisation"]),
            people=sorted((person_from(p) for p in record["people"]), key=lambda p: p.id),
            team=sorted((team_member_from(t) for t in record["team"]), key=lambda t: t.id),
            relationships=sorted(
                (relationship_from(r) for r in record["relationships"]), key=lambda r: r.id
            ),
        )

    # --- API keys ----------------------------------------------------------------------------

    @staticmethod
    def _key_row(tenant: str, role: KeyRole, name: str | None, secret_hash: str) -> dict[str, Any]:
        return {
            "id": new_id(),
            "tenant": tenant,
            "role": role.value,
            "name": name,
            "secret_hash": secret_hash,
            "created_at": to_storable(utcnow()),
        }

    def create_api_key(
        self, tenant: str, role: KeyRole, name: str | None, secret_hash: str
    ) -> ApiKeyPublic:
        row = self._key_row(tenant, role, name, secret_hash)

        def work(tx: ManagedTransaction) -> dict[str, Any]:
            return _node(self._run_one(tx, "api_key_create", row=row), "API key")

        return api_key_from(self._write(work))

    def ensure_api_key(
        self, tenant: str, role: KeyRole, name: str | None, secret_hash: str
    ) -> ApiKeyPublic:
        row = self._key_row(tenant, role, name, secret_hash)

        def work(tx: ManagedTransaction) -> dict[str, Any]:
            return _node(self._run_one(tx, "api_key_ensure", row=row), "API key")

        return api_key_from(self._write(work))

    def find_api_key(self, secret_hash: str) -> ApiKeyPublic | None:
        record = self._read_one("api_key_find", secret_hash=secret_hash)
        return None if record is None else api_key_from(record["node"])

    def touch_api_key(self, key_id: str) -> None:
        def work(tx: ManagedTransaction) -> None:
            self._run(tx, "api_key_touch", key_id=key_id, now=to_storable(utcnow()))

        self._write(work)

    def list_api_keys(self, tenant: str) -> list[ApiKeyPublic]:
        return [api_key_from(r["node"]) for r in self._read("api_key_list", tenant=tenant)]

    def revoke_api_key(self, tenant: str, key_id: str) -> ApiKeyPublic:
        def work(tx: ManagedTransaction) -> dict[str, Any]:
            record = self._run_one(
                tx, "api_key_revoke", tenant=tenant, key_id=key_id, now=to_storable(utcnow())
            )
            return _node(record, "API key")

        return api_key_from(self._write(work))

    # --- audit log -----------------------------------------------------------------------------

    def append_audit(self, entry: AuditEntry) -> None:
        row = entry.model_dump(mode="json")

        def work(tx: ManagedTransaction) -> None:
            self._run(tx, "audit_append", row=row)

        self._write(work)

    def list_audit(self, tenant: str, *, limit: int, after: str | None = None) -> list[AuditEntry]:
        records = self._read("audit_list", tenant=tenant, after=after or "", limit=limit)
        return [AuditEntry.model_validate(r["node"]) for r in records]

    # --- idempotency keys (graph.idempotency) --------------------------------------------------

    def _idempotency_row(self, tx: ManagedTransaction, tenant: str, key: str) -> dict[str, Any]:
        """The key's record, created if new, with its write lock held from now on."""
        record = self._run_one(tx, "idempotency_lock", tenant=tenant, key=key)
        assert record is not None
        row: dict[str, Any] = record["node"]
        return row

    def _save_idempotency(self, tx: ManagedTransaction, row: dict[str, Any]) -> None:
        fields = {name: value for name, value in row.items() if name not in ("tenant", "key")}
        self._run(tx, "idempotency_save", tenant=row["tenant"], key=row["key"], row=fields)

    def _admit(self, tx: ManagedTransaction, tenant: str, write: IdempotentWrite | None) -> None:
        """First in a write transaction: lock the key's record (before any organisation, so
        locks are always taken in the same order) and check it."""
        if write is not None:
            admit(self._idempotency_row(tx, tenant, write.key), write, time.time())

    def _record_done(
        self, tx: ManagedTransaction, tenant: str, write: IdempotentWrite | None, result: Any
    ) -> None:
        """Last in the write transaction: the response to replay, committed with it."""
        if write is not None:
            response = write.respond(result)
            self._save_idempotency(
                tx,
                done_record(
                    tenant, write.key, write.fingerprint, response, time.time(), write.ttl_seconds
                ),
            )

    def claim_idempotency_key(
        self,
        tenant: str,
        key: str,
        fingerprint: str,
        *,
        lease_seconds: float,
        ttl_seconds: float,
    ) -> IdempotencyClaim:
        def work(tx: ManagedTransaction) -> IdempotencyClaim:
            now = time.time()
            answer = judge_claim(self._idempotency_row(tx, tenant, key), fingerprint, now)
            if answer is not None:
                return answer
            token = new_token()
            self._save_idempotency(
                tx, pending_record(tenant, key, fingerprint, token, now, lease_seconds, ttl_seconds)
            )
            return IdempotencyClaim(ClaimOutcome.CLAIMED, token=token)

        return self._write(work)

    def complete_idempotency_key(
        self, tenant: str, key: str, token: str, response: StoredResponse, *, ttl_seconds: float
    ) -> None:
        def work(tx: ManagedTransaction) -> None:
            row = self._idempotency_row(tx, tenant, key)
            if row.get("state") != "pending" or row.get("token") != token:
                # taken over after our lease ended (the new holder answers), or gone: drop
                # the record the lock statement may just have made
                self._run(tx, "idempotency_release", tenant=tenant, key=key, token=token)
                return
            self._save_idempotency(
                tx, done_record(tenant, key, row["fingerprint"], response, time.time(), ttl_seconds)
            )

        self._write(work)

    def release_idempotency_key(self, tenant: str, key: str, token: str) -> None:
        def work(tx: ManagedTransaction) -> None:
            self._run(tx, "idempotency_release", tenant=tenant, key=key, token=token)

        self._write(work)

    def purge_idempotency_keys(self, *, limit: int = 10_000) -> int:
        def work(tx: ManagedTransaction) -> int:
            record = self._run_one(tx, "idempotency_purge", now=time.time(), limit=limit)
            return int(record["deleted"]) if record else 0

        return self._write(work)
