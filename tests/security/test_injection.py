"""Hostile text is data, never code: it round-trips literally on both stores and changes
node, tie and constraint counts only as intended."""

from __future__ import annotations

import os
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.store import GraphStore
from schemas.common import RelType
from schemas.imports import ImportRequest
from schemas.resources import OrganisationCreate, PersonCreate, PersonUpdate, RelationshipCreate

PAYLOADS = [
    "'; DROP TABLE people; --",
    '"}) MATCH (n) DETACH DELETE n //',
    "`Person` {tenant: 'x'}",
    "${tenant}",
    "') RETURN 1 UNION MATCH (k:ApiKey) RETURN k.secret_hash //",
    "CALL db.labels()",
    "\\u0027 OR 1=1 --",
    "{{7*7}} <script>alert(1)</script>",
]
hostile_text = st.one_of(
    st.sampled_from(PAYLOADS),
    st.text(
        alphabet=st.sampled_from(list("'\"`{}()[]$;:\\/-*<>&|!% \nMATCHDELETEreturn张伟")),
        min_size=1,
        max_size=60,
    ).filter(lambda s: s.strip() != ""),
)


def _neo4j_counts(tenant: str) -> tuple[int, int, int] | None:
    """(the tenant's nodes but history's versions, its ties, all constraints) of the test
    Neo4j, read with the raw driver; scoped to the tenant so other tests' writes cannot blur
    the count."""
    uri = os.environ.get("STAKEMAP_TEST_NEO4J_URI")
    if not uri:
        return None
    from neo4j import GraphDatabase

    with GraphDatabase.driver(uri, auth=("neo4j", "x")) as driver:
        nodes = driver.execute_query(
            "MATCH (n) WHERE n.tenant = $tenant AND NOT n:History RETURN count(n) AS c",
            tenant=tenant,
        ).records[0]["c"]
        ties = driver.execute_query(
            "MATCH ()-[r]->() WHERE r.tenant = $tenant RETURN count(r) AS c", tenant=tenant
        ).records[0]["c"]
        constraints = len(driver.execute_query("SHOW CONSTRAINTS").records)
    return int(nodes), int(ties), constraints


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(name=hostile_text, notes=hostile_text, title=hostile_text)
def test_hostile_text_round_trips_literally(
    store: GraphStore, store_kind: str, name: str, notes: str, title: str
) -> None:
    tenant = f"t-{uuid.uuid4().hex[:12]}"
    org = store.create_organisation(tenant, OrganisationCreate(name=name))
    before = _neo4j_counts(tenant) if store_kind == "neo4j" else None
    person = store.create_person(tenant, org.id, PersonCreate(name=name, title=title, notes=notes))
    other = store.import_graph(
        tenant,
        org.id,
        ImportRequest.model_validate({"people": [{"ref": name, "name": notes}]}),
    ).ids[name.strip()]
    store.create_relationship(
        tenant,
        org.id,
        RelationshipCreate(type=RelType.INFLUENCES, source_id=other, target_id=person.id),
    )
    stored = store.get_person(tenant, org.id, person.id)
    assert (stored.name, stored.title, stored.notes) == (name.strip(), title.strip(), notes)
    assert store.get_organisation(tenant, org.id).name == name.strip()
    renamed = store.update_person(tenant, org.id, person.id, PersonUpdate(notes=title))
    assert renamed.notes == title
    snapshot = store.snapshot(tenant, org.id)
    assert len(snapshot.people) == 2
    assert len(snapshot.relationships) == 1
    if before is not None:
        after = _neo4j_counts(tenant)
        assert after is not None
        nodes, ties, constraints = before
        # Exactly our two people and one tie were added; no constraint changed.
        assert after == (nodes + 2, ties + 1, constraints)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_hostile_ids_are_just_unknown(store: GraphStore, tenant: str, payload: str) -> None:
    from graph.errors import NotFound

    org = store.create_organisation(tenant, OrganisationCreate(name="Acme"))
    with pytest.raises(NotFound):
        store.get_person(tenant, org.id, payload)
    with pytest.raises(NotFound):
        store.get_organisation(tenant, payload)
    assert store.list_people(tenant, org.id, limit=10, after=payload) == []
