"""The storage port: what the application needs from a store, and nothing else.

Both adapters (:mod:`graph.sqlite_store`, :mod:`graph.neo4j_store`) satisfy
:class:`GraphStore` and pass the same contract suite (``tests/contract``). Every method is
scoped by ``tenant``; an id from another tenant behaves exactly like an unknown id.
Every write bumps the version of each organisation whose snapshot it changes.

Updates and deletes take ``expected_version``: when given, the write happens only if the
resource is at that version (checked and written under the resource's write lock, in one
transaction), else :class:`~graph.errors.PreconditionFailed` carries the current version. The
existence check comes first, so another tenant's id answers ``NotFound`` whatever the version.
Creates and imports take ``idempotency`` (:mod:`graph.idempotency`): the response to replay
is stored in the write's own transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from graph.errors import FieldError
from graph.idempotency import IdempotencyClaim, IdempotentWrite, StoredResponse
from schemas.audit import AuditEntry
from schemas.common import KeyRole
from schemas.imports import ImportRequest, ImportResult
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

#: Largest page a list call returns, whatever the caller asks for.
MAX_PAGE_SIZE = 500


@dataclass(frozen=True)
class OrgImport:
    """One organisation's part of a bulk import: a stored organisation (``org_id``) or a new
    one (``create``), created in the same transaction as its graph."""

    request: ImportRequest
    org_id: str | None = None
    create: OrganisationCreate | None = None

    def __post_init__(self) -> None:
        if (self.org_id is None) == (self.create is None):
            raise ValueError("an OrgImport names exactly one of org_id and create")


@dataclass(frozen=True)
class ImportOutcome:
    """What became of one :class:`OrgImport`: its result, or why it was refused whole."""

    result: ImportResult | None = None
    errors: list[FieldError] = field(default_factory=list)
    #: the organisation (``OrgImport.org_id``) does not exist in the tenant
    missing: bool = False

    @property
    def ok(self) -> bool:
        return self.result is not None


@runtime_checkable
class GraphStore(Protocol):
    """Persistence of organisations, stakeholders, our team, their ties, and API keys."""

    # lifecycle
    def ping(self) -> None:
        """Raise :class:`~graph.errors.StoreUnavailable` unless the store is usable."""

    def close(self) -> None: ...

    # organisations
    def create_organisation(
        self, tenant: str, data: OrganisationCreate, *, idempotency: IdempotentWrite | None = None
    ) -> OrganisationPublic: ...

    def get_organisation(self, tenant: str, org_id: str) -> OrganisationPublic: ...

    def list_organisations(
        self, tenant: str, *, limit: int, after: str | None = None
    ) -> list[OrganisationPublic]:
        """Organisations ordered by id, those with id greater than ``after``."""

    def update_organisation(
        self,
        tenant: str,
        org_id: str,
        changes: OrganisationUpdate,
        *,
        expected_version: int | None = None,
    ) -> OrganisationPublic: ...

    def delete_organisation(
        self, tenant: str, org_id: str, *, expected_version: int | None = None
    ) -> None:
        """Delete the organisation with its people and every tie stored under it."""

    def org_version(self, tenant: str, org_id: str) -> int:
        """The organisation's current version: one cheap read, for cache checks."""

    # people
    def create_person(
        self,
        tenant: str,
        org_id: str,
        data: PersonCreate,
        *,
        idempotency: IdempotentWrite | None = None,
    ) -> PersonPublic: ...

    def get_person(self, tenant: str, org_id: str, person_id: str) -> PersonPublic: ...

    def list_people(
        self, tenant: str, org_id: str, *, limit: int, after: str | None = None
    ) -> list[PersonPublic]: ...

    def update_person(
        self,
        tenant: str,
        org_id: str,
        person_id: str,
        changes: PersonUpdate,
        *,
        expected_version: int | None = None,
    ) -> PersonPublic: ...

    def delete_person(
        self, tenant: str, org_id: str, person_id: str, *, expected_version: int | None = None
    ) -> None:
        """Delete the person and every tie that touches them."""

    # our team
    def create_team_member(
        self, tenant: str, data: TeamMemberCreate, *, idempotency: IdempotentWrite | None = None
    ) -> TeamMemberPublic: ...

    def get_team_member(self, tenant: str, member_id: str) -> TeamMemberPublic: ...

    def list_team_members(
        self, tenant: str, *, limit: int, after: str | None = None
    ) -> list[TeamMemberPublic]: ...

    def update_team_member(
        self,
        tenant: str,
        member_id: str,
        changes: TeamMemberUpdate,
        *,
        expected_version: int | None = None,
    ) -> TeamMemberPublic: ...

    def delete_team_member(
        self, tenant: str, member_id: str, *, expected_version: int | None = None
    ) -> None: ...

    # relationships
    def create_relationship(
        self,
        tenant: str,
        org_id: str,
        data: RelationshipCreate,
        *,
        idempotency: IdempotentWrite | None = None,
    ) -> RelationshipPublic: ...

    def get_relationship(self, tenant: str, org_id: str, rel_id: str) -> RelationshipPublic: ...

    def list_relationships(
        self, tenant: str, org_id: str, *, limit: int, after: str | None = None
    ) -> list[RelationshipPublic]: ...

    def delete_relationship(
        self, tenant: str, org_id: str, rel_id: str, *, expected_version: int | None = None
    ) -> None: ...

    # bulk
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
        what differs (see :mod:`graph.planning`), so importing the same data twice changes
        nothing. ``dry_run`` validates against the stored graph and answers what would
        change, storing nothing. Raises ``ValidationFailed`` or ``NotFound``. The
        ``idempotency`` record commits with the import (a dry run records nothing).
        """

    def import_many(
        self,
        tenant: str,
        items: Sequence[OrgImport],
        *,
        upsert: bool = False,
        dry_run: bool = False,
        idempotency: IdempotentWrite | None = None,
    ) -> list[ImportOutcome]:
        """Import several organisations in one transaction, each validated on its own.

        An organisation whose import is invalid is left out whole (its outcome carries the
        errors) while the others are stored, so each organisation is stored completely or
        not at all. New organisations are created with their graph. Outcomes come in the
        order of ``items``; team members created for one item are matched by later ones.
        The ``idempotency`` record commits in the same transaction (a dry run records
        nothing); a key already done raises :class:`~graph.idempotency.IdempotentReplay`.
        """

    def snapshot(self, tenant: str, org_id: str) -> OrgSnapshot:
        """Everything of one organisation, read in one round trip."""

    # API keys
    def create_api_key(
        self, tenant: str, role: KeyRole, name: str | None, secret_hash: str
    ) -> ApiKeyPublic: ...

    def ensure_api_key(
        self, tenant: str, role: KeyRole, name: str | None, secret_hash: str
    ) -> ApiKeyPublic:
        """Create the key unless one with this hash exists; either way return it."""

    def find_api_key(self, secret_hash: str) -> ApiKeyPublic | None:
        """The key with this hash (revoked ones included), or None."""

    def touch_api_key(self, key_id: str) -> None:
        """Record that the key was just used (best effort: a store whose write lock is taken
        may skip it rather than make the request it authenticates wait)."""

    def list_api_keys(self, tenant: str) -> list[ApiKeyPublic]: ...

    def revoke_api_key(self, tenant: str, key_id: str) -> ApiKeyPublic: ...

    # audit log
    def append_audit(self, entry: AuditEntry) -> None:
        """Record one write (entries hold ids and route names, never personal data)."""

    def list_audit(self, tenant: str, *, limit: int, after: str | None = None) -> list[AuditEntry]:
        """The tenant's audit entries, oldest first, those with id greater than ``after``."""

    # idempotency keys (graph.idempotency)
    def claim_idempotency_key(
        self,
        tenant: str,
        key: str,
        fingerprint: str,
        *,
        lease_seconds: float,
        ttl_seconds: float,
    ) -> IdempotencyClaim:
        """Claim ``key`` for a request with ``fingerprint`` (its own short transaction):
        ``claimed`` with a token, the stored response to replay, ``mismatch`` (the key
        was used with another request) or ``in_progress`` (another claim's lease runs)."""

    def complete_idempotency_key(
        self, tenant: str, key: str, token: str, response: StoredResponse, *, ttl_seconds: float
    ) -> None:
        """Store the response of a claimed key whose write kept no record itself."""

    def release_idempotency_key(self, tenant: str, key: str, token: str) -> None:
        """Drop this claim if it is still pending (its write failed or did not commit)."""

    def purge_idempotency_keys(self, *, limit: int = 10_000) -> int:
        """Delete up to ``limit`` expired records; answer how many."""
