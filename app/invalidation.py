"""The store wrapper that drops cached analytics of whatever a write touches.

(Moved unchanged from :mod:`app.analytics`; invalidation events emitted by the writer are
to replace it.)
"""

from __future__ import annotations

from collections.abc import Sequence

from app.cache import AnalyticsCache
from app.keycache import ApiKeyCache
from graph.idempotency import IdempotencyClaim, IdempotentWrite, StoredResponse
from graph.port import GraphStore, ImportOutcome, OrgImport
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

__all__ = ["CacheInvalidatingStore"]


class CacheInvalidatingStore:
    """A :class:`GraphStore` that forgets cached analytics of whatever it writes.

    Wrapped around the real store in the lifespan, so routes and the CLI never have to
    remember to invalidate.
    """

    def __init__(
        self, inner: GraphStore, cache: AnalyticsCache, api_keys: ApiKeyCache | None = None
    ) -> None:
        self._inner = inner
        self._cache = cache
        self._api_keys = api_keys  # a revoked key must stop working at once in this process

    # reads pass straight through
    def ping(self) -> None:
        self._inner.ping()

    def close(self) -> None:
        self._inner.close()

    def get_organisation(self, tenant: str, org_id: str) -> OrganisationPublic:
        return self._inner.get_organisation(tenant, org_id)

    def list_organisations(
        self, tenant: str, *, limit: int, after: str | None = None
    ) -> list[OrganisationPublic]:
        return self._inner.list_organisations(tenant, limit=limit, after=after)

    def org_version(self, tenant: str, org_id: str) -> int:
        return self._inner.org_version(tenant, org_id)

    def get_person(self, tenant: str, org_id: str, person_id: str) -> PersonPublic:
        return self._inner.get_person(tenant, org_id, person_id)

    def list_people(
        self, tenant: str, org_id: str, *, limit: int, after: str | None = None
    ) -> list[PersonPublic]:
        return self._inner.list_people(tenant, org_id, limit=limit, after=after)

    def get_team_member(self, tenant: str, member_id: str) -> TeamMemberPublic:
        return self._inner.get_team_member(tenant, member_id)

    def list_team_members(
        self, tenant: str, *, limit: int, after: str | None = None
    ) -> list[TeamMemberPublic]:
        return self._inner.list_team_members(tenant, limit=limit, after=after)

    def get_relationship(self, tenant: str, org_id: str, rel_id: str) -> RelationshipPublic:
        return self._inner.get_relationship(tenant, org_id, rel_id)

    def list_relationships(
        self, tenant: str, org_id: str, *, limit: int, after: str | None = None
    ) -> list[RelationshipPublic]:
        return self._inner.list_relationships(tenant, org_id, limit=limit, after=after)

    def snapshot(self, tenant: str, org_id: str) -> OrgSnapshot:
        return self._inner.snapshot(tenant, org_id)

    def find_api_key(self, secret_hash: str) -> ApiKeyPublic | None:
        return self._inner.find_api_key(secret_hash)

    def list_api_keys(self, tenant: str) -> list[ApiKeyPublic]:
        return self._inner.list_api_keys(tenant)

    # writes invalidate what they change (even when they fail half-way: cheap and safe)
    def create_organisation(
        self, tenant: str, data: OrganisationCreate, *, idempotency: IdempotentWrite | None = None
    ) -> OrganisationPublic:
        return self._inner.create_organisation(tenant, data, idempotency=idempotency)

    def update_organisation(
        self,
        tenant: str,
        org_id: str,
        changes: OrganisationUpdate,
        *,
        expected_version: int | None = None,
    ) -> OrganisationPublic:
        try:
            return self._inner.update_organisation(
                tenant, org_id, changes, expected_version=expected_version
            )
        finally:
            self._cache.invalidate(tenant, org_id)

    def delete_organisation(
        self, tenant: str, org_id: str, *, expected_version: int | None = None
    ) -> None:
        try:
            self._inner.delete_organisation(tenant, org_id, expected_version=expected_version)
        finally:
            self._cache.invalidate(tenant)  # affiliations elsewhere change too

    def create_person(
        self,
        tenant: str,
        org_id: str,
        data: PersonCreate,
        *,
        idempotency: IdempotentWrite | None = None,
    ) -> PersonPublic:
        try:
            return self._inner.create_person(tenant, org_id, data, idempotency=idempotency)
        finally:
            self._cache.invalidate(tenant, org_id)

    def update_person(
        self,
        tenant: str,
        org_id: str,
        person_id: str,
        changes: PersonUpdate,
        *,
        expected_version: int | None = None,
    ) -> PersonPublic:
        try:
            return self._inner.update_person(
                tenant, org_id, person_id, changes, expected_version=expected_version
            )
        finally:
            self._cache.invalidate(tenant, org_id)

    def delete_person(
        self, tenant: str, org_id: str, person_id: str, *, expected_version: int | None = None
    ) -> None:
        try:
            self._inner.delete_person(tenant, org_id, person_id, expected_version=expected_version)
        finally:
            self._cache.invalidate(tenant, org_id)

    def create_team_member(
        self, tenant: str, data: TeamMemberCreate, *, idempotency: IdempotentWrite | None = None
    ) -> TeamMemberPublic:
        try:
            return self._inner.create_team_member(tenant, data, idempotency=idempotency)
        finally:
            self._cache.invalidate(tenant)

    def update_team_member(
        self,
        tenant: str,
        member_id: str,
        changes: TeamMemberUpdate,
        *,
        expected_version: int | None = None,
    ) -> TeamMemberPublic:
        try:
            return self._inner.update_team_member(
                tenant, member_id, changes, expected_version=expected_version
            )
        finally:
            self._cache.invalidate(tenant)

    def delete_team_member(
        self, tenant: str, member_id: str, *, expected_version: int | None = None
    ) -> None:
        try:
            self._inner.delete_team_member(tenant, member_id, expected_version=expected_version)
        finally:
            self._cache.invalidate(tenant)

    def create_relationship(
        self,
        tenant: str,
        org_id: str,
        data: RelationshipCreate,
        *,
        idempotency: IdempotentWrite | None = None,
    ) -> RelationshipPublic:
        try:
            return self._inner.create_relationship(tenant, org_id, data, idempotency=idempotency)
        finally:
            self._cache.invalidate(tenant, org_id)

    def delete_relationship(
        self, tenant: str, org_id: str, rel_id: str, *, expected_version: int | None = None
    ) -> None:
        try:
            self._inner.delete_relationship(
                tenant, org_id, rel_id, expected_version=expected_version
            )
        finally:
            self._cache.invalidate(tenant, org_id)

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
        try:
            return self._inner.import_graph(
                tenant, org_id, request, upsert=upsert, dry_run=dry_run, idempotency=idempotency
            )
        finally:
            self._cache.invalidate(tenant)  # new team members show in every organisation

    def import_many(
        self,
        tenant: str,
        items: Sequence[OrgImport],
        *,
        upsert: bool = False,
        dry_run: bool = False,
        idempotency: IdempotentWrite | None = None,
    ) -> list[ImportOutcome]:
        try:
            return self._inner.import_many(
                tenant, items, upsert=upsert, dry_run=dry_run, idempotency=idempotency
            )
        finally:
            self._cache.invalidate(tenant)

    def create_api_key(
        self, tenant: str, role: KeyRole, name: str | None, secret_hash: str
    ) -> ApiKeyPublic:
        return self._inner.create_api_key(tenant, role, name, secret_hash)

    def ensure_api_key(
        self, tenant: str, role: KeyRole, name: str | None, secret_hash: str
    ) -> ApiKeyPublic:
        return self._inner.ensure_api_key(tenant, role, name, secret_hash)

    def touch_api_key(self, key_id: str) -> None:
        self._inner.touch_api_key(key_id)

    def revoke_api_key(self, tenant: str, key_id: str) -> ApiKeyPublic:
        revoked = self._inner.revoke_api_key(tenant, key_id)
        if self._api_keys is not None:
            self._api_keys.forget(key_id)
        return revoked

    def append_audit(self, entry: AuditEntry) -> None:
        self._inner.append_audit(entry)

    def list_audit(self, tenant: str, *, limit: int, after: str | None = None) -> list[AuditEntry]:
        return self._inner.list_audit(tenant, limit=limit, after=after)

    # idempotency keys change no graph
    def claim_idempotency_key(
        self,
        tenant: str,
        key: str,
        fingerprint: str,
        *,
        lease_seconds: float,
        ttl_seconds: float,
    ) -> IdempotencyClaim:
        return self._inner.claim_idempotency_key(
            tenant, key, fingerprint, lease_seconds=lease_seconds, ttl_seconds=ttl_seconds
        )

    def complete_idempotency_key(
        self, tenant: str, key: str, token: str, response: StoredResponse, *, ttl_seconds: float
    ) -> None:
        self._inner.complete_idempotency_key(tenant, key, token, response, ttl_seconds=ttl_seconds)

    def release_idempotency_key(self, tenant: str, key: str, token: str) -> None:
        self._inner.release_idempotency_key(tenant, key, token)

    def purge_idempotency_keys(self, *, limit: int = 10_000) -> int:
        return self._inner.purge_idempotency_keys(limit=limit)
