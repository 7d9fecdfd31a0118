"""The same import body produces the same graph in SQLite and in Neo4j."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from app.demo import DEMO_ORGANISATION, demo_import
from schemas.imports import ImportRequest
from schemas.resources import OrganisationCreate
from tests.conftest import open_store
from tests.contract.test_store_contract import SMALL, canonical


@pytest.mark.neo4j
@pytest.mark.parametrize("body", [SMALL, demo_import()], ids=["small", "demo"])
def test_snapshots_are_identical_across_stores(tmp_path: Path, body: dict[str, object]) -> None:
    tenant = f"t-{uuid.uuid4().hex[:12]}"
    snapshots = []
    for kind in ("sqlite", "neo4j"):
        store = open_store(kind, tmp_path)
        try:
            org = store.create_organisation(tenant, OrganisationCreate(**DEMO_ORGANISATION))
            store.import_graph(tenant, org.id, ImportRequest.model_validate(body))
            snapshots.append(store.snapshot(tenant, org.id))
        finally:
            store.close()
    sqlite_snapshot, neo4j_snapshot = snapshots
    assert canonical(sqlite_snapshot) == canonical(neo4j_snapshot)
    assert sqlite_snapshot.organisation.model_dump(
        exclude={"id", "created_at", "updated_at"}
    ) == neo4j_snapshot.organisation.model_dump(exclude={"id", "created_at", "updated_at"})
