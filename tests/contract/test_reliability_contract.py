"""The storage contract for reliability: version checks on writes and idempotency records.

Both adapters pass exactly these tests (``store`` runs them on SQLite and on Neo4j).
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest

from graph.errors import (
    IdempotencyInProgress,
    IdempotencyKeyReused,
    NotFound,
    PreconditionFailed,
    ValidationFailed,
)
from graph.idempotency import ClaimOutcome, IdempotentReplay, IdempotentWrite, StoredResponse
from graph.port import OrgImport
from graph.store import GraphStore
from schemas.imports import ImportRequest
from schemas.resources import (
    OrganisationCreate,
    OrganisationUpdate,
    PersonCreate,
    PersonUpdate,
    RelationshipCreate,
    TeamMemberCreate,
    TeamMemberUpdate,
)
from tests.contract.test_store_contract import SMALL, load, new_org

LEASE, TTL = 60.0, 3600.0


def respond_with_json(result: Any) -> StoredResponse:
    return StoredResponse(201, result.model_dump_json().encode(), (("ETag", '"1"'),))


def key() -> str:
    return f"key-{uuid.uuid4().hex}"


# --- If-Match: the version check happens in the write --------------------------------------


def test_organisation_writes_check_the_version(store: GraphStore, tenant: str) -> None:
    org_id = new_org(store, tenant)
    with pytest.raises(PreconditionFailed) as info:
        store.update_organisation(tenant, org_id, OrganisationUpdate(tier=2), expected_version=2)
    assert info.value.current_version == 1
    assert store.get_organisation(tenant, org_id).tier is None  # nothing written
    updated = store.update_organisation(
        tenant, org_id, OrganisationUpdate(tier=2), expected_version=1
    )
    assert updated.version == 2
    with pytest.raises(PreconditionFailed) as info:
        store.delete_organisation(tenant, org_id, expected_version=1)
    assert info.value.current_version == 2
    store.delete_organisation(tenant, org_id, expected_version=2)
    with pytest.raises(NotFound):
        store.get_organisation(tenant, org_id)


def test_person_writes_check_the_person_version(store: GraphStore, tenant: str) -> None:
    org_id = new_org(store, tenant)
    person = store.create_person(tenant, org_id, PersonCreate(name="Dana"))
    org_version = store.org_version(tenant, org_id)
    with pytest.raises(PreconditionFailed) as info:
        store.update_person(tenant, org_id, person.id, PersonUpdate(title="x"), expected_version=7)
    assert info.value.current_version == 1
    assert store.org_version(tenant, org_id) == org_version  # the refused write left no bump
    changed = store.update_person(
        tenant, org_id, person.id, PersonUpdate(title="CIO"), expected_version=1
    )
    assert (changed.title, changed.version) == ("CIO", 2)
    with pytest.raises(PreconditionFailed):
        store.delete_person(tenant, org_id, person.id, expected_version=1)
    store.delete_person(tenant, org_id, person.id, expected_version=2)
    with pytest.raises(NotFound):
        store.get_person(tenant, org_id, person.id)


def test_team_and_tie_writes_check_their_version(store: GraphStore, tenant: str) -> None:
    org_id = new_org(store, tenant)
    ids = load(store, tenant, org_id, SMALL)
    member = store.create_team_member(tenant, TeamMemberCreate(name="Max"))
    with pytest.raises(PreconditionFailed):
        store.update_team_member(
            tenant, member.id, TeamMemberUpdate(title="AE"), expected_version=2
        )
    renamed = store.update_team_member(
        tenant, member.id, TeamMemberUpdate(title="AE"), expected_version=1
    )
    with pytest.raises(PreconditionFailed) as info:
        store.delete_team_member(tenant, member.id, expected_version=1)
    assert info.value.current_version == renamed.version == 2
    store.delete_team_member(tenant, member.id, expected_version=2)
    tie = store.create_relationship(
        tenant,
        org_id,
        RelationshipCreate(type="INFLUENCES", source_id=ids["eng"], target_id=ids["ceo"]),
    )
    with pytest.raises(PreconditionFailed):
        store.delete_relationship(tenant, org_id, tie.id, expected_version=3)
    store.delete_relationship(tenant, org_id, tie.id, expected_version=1)
    with pytest.raises(NotFound):
        store.get_relationship(tenant, org_id, tie.id)


def test_unknown_and_foreign_ids_are_not_found_whatever_the_version(
    store: GraphStore, tenant: str
) -> None:
    org_id = new_org(store, tenant)
    ids = load(store, tenant, org_id, SMALL)
    before = store.snapshot(tenant, org_id)
    stranger = f"{tenant}-other"
    person, member = ids["ceo"], ids["am"]

    def writes(t: str, v: int) -> list[Any]:
        return [
            lambda: store.update_organisation(t, org_id, OrganisationUpdate(), expected_version=v),
            lambda: store.delete_organisation(t, org_id, expected_version=v),
            lambda: store.update_person(t, org_id, person, PersonUpdate(), expected_version=v),
            lambda: store.delete_person(t, org_id, person, expected_version=v),
            lambda: store.update_team_member(t, member, TeamMemberUpdate(), expected_version=v),
            lambda: store.delete_team_member(t, member, expected_version=v),
        ]

    for version in (1, 99):
        for write in writes(stranger, version):
            with pytest.raises(NotFound):
                write()
    with pytest.raises(NotFound):
        store.update_person(tenant, org_id, "no-such-id", PersonUpdate(), expected_version=99)
    assert store.snapshot(tenant, org_id) == before  # nothing changed


# --- idempotency records ---------------------------------------------------------------------


def test_a_claim_is_exclusive_until_released_or_done(store: GraphStore, tenant: str) -> None:
    k = key()
    first = store.claim_idempotency_key(tenant, k, "fp", lease_seconds=LEASE, ttl_seconds=TTL)
    assert first.outcome is ClaimOutcome.CLAIMED
    assert first.token is not None
    again = store.claim_idempotency_key(tenant, k, "fp", lease_seconds=LEASE, ttl_seconds=TTL)
    assert again.outcome is ClaimOutcome.IN_PROGRESS
    assert 0 < again.retry_after <= LEASE
    other = store.claim_idempotency_key(tenant, k, "other", lease_seconds=LEASE, ttl_seconds=TTL)
    assert other.outcome is ClaimOutcome.MISMATCH
    store.release_idempotency_key(tenant, k, "not-my-token")  # someone else's: no effect
    assert (
        store.claim_idempotency_key(tenant, k, "fp", lease_seconds=LEASE, ttl_seconds=TTL).outcome
        is ClaimOutcome.IN_PROGRESS
    )
    store.release_idempotency_key(tenant, k, first.token)
    retry = store.claim_idempotency_key(tenant, k, "fp", lease_seconds=LEASE, ttl_seconds=TTL)
    assert retry.outcome is ClaimOutcome.CLAIMED
    assert retry.token is not None
    answer = StoredResponse(204, b"", (("X-Thing", "1"),))
    store.complete_idempotency_key(tenant, k, retry.token, answer, ttl_seconds=TTL)
    replay = store.claim_idempotency_key(tenant, k, "fp", lease_seconds=LEASE, ttl_seconds=TTL)
    assert (replay.outcome, replay.response) == (ClaimOutcome.REPLAY, answer)
    store.release_idempotency_key(tenant, k, retry.token)  # done records are never released
    assert (
        store.claim_idempotency_key(tenant, k, "fp", lease_seconds=LEASE, ttl_seconds=TTL).outcome
        is ClaimOutcome.REPLAY
    )


def test_keys_are_scoped_per_tenant(store: GraphStore, tenant: str) -> None:
    k = key()
    mine = store.claim_idempotency_key(tenant, k, "fp", lease_seconds=LEASE, ttl_seconds=TTL)
    theirs = store.claim_idempotency_key(
        f"{tenant}-b", k, "another", lease_seconds=LEASE, ttl_seconds=TTL
    )
    assert mine.outcome is theirs.outcome is ClaimOutcome.CLAIMED


def test_expired_records_are_forgotten_and_purged(store: GraphStore, tenant: str) -> None:
    k = key()
    claim = store.claim_idempotency_key(tenant, k, "fp", lease_seconds=0.05, ttl_seconds=0.2)
    assert claim.token is not None
    time.sleep(0.1)  # the lease runs out: time passing is the condition
    takeover = store.claim_idempotency_key(tenant, k, "fp", lease_seconds=LEASE, ttl_seconds=0.2)
    assert takeover.outcome is ClaimOutcome.CLAIMED  # the first lease ran out
    assert takeover.token != claim.token
    assert takeover.token is not None
    store.complete_idempotency_key(tenant, k, takeover.token, StoredResponse(200), ttl_seconds=0.2)
    time.sleep(0.3)  # the TTL runs out: time passing is the condition
    assert store.purge_idempotency_keys() >= 1
    fresh = store.claim_idempotency_key(tenant, k, "new", lease_seconds=LEASE, ttl_seconds=TTL)
    assert fresh.outcome is ClaimOutcome.CLAIMED  # expired: the key is free again


def test_a_create_keeps_its_answer_in_its_own_transaction(store: GraphStore, tenant: str) -> None:
    k = key()
    write = IdempotentWrite(k, "fp", respond_with_json)
    org = store.create_organisation(tenant, OrganisationCreate(name="Once"), idempotency=write)
    with pytest.raises(IdempotentReplay) as info:
        store.create_organisation(tenant, OrganisationCreate(name="Once"), idempotency=write)
    assert info.value.response.status == 201
    assert info.value.response.body == org.model_dump_json().encode()
    assert [o.name for o in store.list_organisations(tenant, limit=10)] == ["Once"]
    claim = store.claim_idempotency_key(tenant, k, "fp", lease_seconds=LEASE, ttl_seconds=TTL)
    assert claim.outcome is ClaimOutcome.REPLAY
    reused = IdempotentWrite(k, "other", respond_with_json)
    with pytest.raises(IdempotencyKeyReused):
        store.create_organisation(tenant, OrganisationCreate(name="Once"), idempotency=reused)


def test_every_create_records_its_answer(store: GraphStore, tenant: str) -> None:
    org_id = new_org(store, tenant)
    ids = load(store, tenant, org_id, SMALL)

    def twice(create: Any) -> None:
        write = IdempotentWrite(key(), "fp", respond_with_json)
        created = create(write)
        with pytest.raises(IdempotentReplay) as info:
            create(write)
        assert info.value.response.body == created.model_dump_json().encode()

    twice(lambda w: store.create_person(tenant, org_id, PersonCreate(name="P"), idempotency=w))
    twice(lambda w: store.create_team_member(tenant, TeamMemberCreate(name="M"), idempotency=w))
    twice(
        lambda w: store.create_relationship(
            tenant,
            org_id,
            RelationshipCreate(type="INFLUENCES", source_id=ids["eng"], target_id=ids["cfo"]),
            idempotency=w,
        )
    )
    snapshot = store.snapshot(tenant, org_id)
    assert len(snapshot.people) == 4
    assert len(snapshot.team) == 2
    assert len(snapshot.relationships) == 5


def test_a_claimed_write_goes_ahead_and_others_wait(store: GraphStore, tenant: str) -> None:
    org_id = new_org(store, tenant)
    k = key()
    claim = store.claim_idempotency_key(tenant, k, "fp", lease_seconds=LEASE, ttl_seconds=TTL)
    body = ImportRequest.model_validate({"people": [{"ref": "a", "name": "A"}]})
    # a write without the claim's token waits for the claim (here: refused at once)
    with pytest.raises(IdempotencyInProgress):
        store.import_graph(
            tenant, org_id, body, idempotency=IdempotentWrite(k, "fp", respond_with_json)
        )
    result = store.import_graph(
        tenant,
        org_id,
        body,
        idempotency=IdempotentWrite(k, "fp", respond_with_json, token=claim.token),
    )
    replay = store.claim_idempotency_key(tenant, k, "fp", lease_seconds=LEASE, ttl_seconds=TTL)
    assert replay.response is not None
    assert replay.response.body == result.model_dump_json().encode()
    assert len(store.snapshot(tenant, org_id).people) == 1


def test_a_refused_import_keeps_no_record(store: GraphStore, tenant: str) -> None:
    org_id = new_org(store, tenant)
    k = key()
    bad = ImportRequest.model_validate({"people": [{"ref": "a", "name": "A", "reports_to": "x"}]})
    with pytest.raises(ValidationFailed):
        store.import_graph(
            tenant, org_id, bad, idempotency=IdempotentWrite(k, "fp", respond_with_json)
        )
    with pytest.raises(NotFound):
        store.import_graph(
            tenant, "no-such-org", bad, idempotency=IdempotentWrite(k, "fp", respond_with_json)
        )
    claim = store.claim_idempotency_key(tenant, k, "fp", lease_seconds=LEASE, ttl_seconds=TTL)
    assert claim.outcome is ClaimOutcome.CLAIMED


def test_import_many_commits_its_record_with_the_organisations(
    store: GraphStore, tenant: str
) -> None:
    items = [
        OrgImport(
            ImportRequest.model_validate(SMALL), create=OrganisationCreate(name=f"Batch org {i}")
        )
        for i in range(3)
    ]
    write = IdempotentWrite(
        key(), "batch-1", lambda outcomes: StoredResponse(200, str(len(outcomes)).encode())
    )
    outcomes = store.import_many(tenant, items, idempotency=write)
    assert all(o.ok for o in outcomes)
    with pytest.raises(IdempotentReplay) as info:
        store.import_many(tenant, items, idempotency=write)
    assert info.value.response.body == b"3"
    orgs = store.list_organisations(tenant, limit=10)
    assert sorted(o.name for o in orgs) == ["Batch org 0", "Batch org 1", "Batch org 2"]
