"""A store created by the code at tag ``schema-1`` (the commit before versioned migrations),
committed as text in tests/data/schema-1/ (tools/schema1_fixtures.py wrote it), is loaded
into a fresh store, migrated, and served by today's code: its organisations, people, ties,
keys, audit entries and idempotency records are all still there and still work."""

from __future__ import annotations

import base64
import json
import os
import re
import sqlite3
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from neo4j import Driver, GraphDatabase

from app.main import create_app
from app.settings import Settings
from graph.migrations import latest_version, load_migrations, migrate, split_statements
from graph.neo4j_migrations import Neo4jMigrations
from graph.sqlite_migrations import SqliteMigrations
from graph.store import GraphStore
from queries import load_catalog
from tests.conftest import NEO4J_DATABASE, NEO4J_URI

with warnings.catch_warnings():
    # starlette would like httpx2 for its in-process client; httpx serves it well
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "schema-1"
MANIFEST: dict[str, Any] = json.loads((FIXTURES / "manifest.json").read_text())
FIXTURE_TENANT = "schema-1-fixture"


def _settings() -> Settings:
    return Settings(
        metrics_enabled=False,
        analytics_precompute=False,
        analytics_processes=0,
        rate_limit_per_minute=0,
    )


def check_served(store: GraphStore, facts: dict[str, Any]) -> None:
    """Today's code serves the schema-1 data, through the HTTP API."""
    admin = {"Authorization": f"Bearer {facts['admin_secret']}"}
    viewer = {"Authorization": f"Bearer {facts['viewer_secret']}"}
    demo = facts["demo_id"]
    with TestClient(create_app(_settings(), store_factory=lambda _: store)) as client:
        orgs = client.get("/v1/organisations", headers=viewer)  # the viewer key authenticates
        assert orgs.status_code == 200, orgs.text
        assert {o["id"]: o["name"] for o in orgs.json()["items"]} == facts["organisations"]
        people = client.get(
            f"/v1/organisations/{demo}/people", params={"limit": 500}, headers=admin
        )
        assert len(people.json()["items"]) == facts["demo_people"]
        ties = client.get(
            f"/v1/organisations/{demo}/relationships", params={"limit": 500}, headers=admin
        )
        assert len(ties.json()["items"]) == facts["demo_ties"]
        team = client.get("/v1/team", headers=admin)
        assert team.status_code == 200, team.text
        assert team.json()["items"], "the demo account's team members are gone"
        paths = client.get(f"/v1/organisations/{demo}/entry-paths", headers=viewer)
        assert paths.status_code == 200, paths.text
        assert len(paths.json()["paths"]) == facts["entry_paths"]
        # strengths stored before interactions existed were given by hand (migration 0005)
        given = [t for t in ties.json()["items"] if t["strength"] is not None]
        assert given
        assert all(t["strength_source"] == "manual" for t in given)
        # history starts with what was stored (migration 0007): every person has a first
        # version, valid from their creation
        feed = client.get(
            f"/v1/organisations/{demo}/changes",
            params={"since": "2000-01-01", "limit": 500},
            headers=viewer,
        )
        assert feed.status_code == 200, feed.text
        joined = [c for c in feed.json()["items"] if c["kind"] == "joined"]
        assert len(joined) == facts["demo_people"]
        audit = client.get("/v1/audit", params={"limit": 500}, headers=admin)
        assert len(audit.json()["items"]) >= facts["audit_entries"]
        # and the store still takes writes
        created = client.post(
            f"/v1/organisations/{demo}/people", json={"name": "New Contact"}, headers=admin
        )
        assert created.status_code == 201, created.text
        refused = client.get("/v1/organisations", headers={"Authorization": "Bearer sm_wrong"})
        assert refused.status_code == 401


# --- SQLite --------------------------------------------------------------------------------


def test_a_schema_1_sqlite_store_migrates_and_serves(tmp_path: Path) -> None:
    from graph.sqlite_store import SqliteStore

    path = tmp_path / "schema1.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.executescript((FIXTURES / "sqlite.sql").read_text())
    migrations = load_migrations("sqlite")
    target = SqliteMigrations(conn)
    assert target.version() == 0  # schema-1 recorded no version
    applied = migrate(target, migrations)
    assert [m.version for m in applied] == [m.version for m in migrations]
    assert target.version() == latest_version(migrations)
    counts = {
        table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
        for table in ("organisations", "idempotency_keys", "api_keys")
    }
    conn.close()
    assert counts == {"organisations": 2, "idempotency_keys": 2, "api_keys": 2}
    facts = MANIFEST["sqlite"]
    # as production opens it: nothing pending
    store = GraphStore(SqliteStore(path, migrate=False))
    check_served(store, facts)


# --- Neo4j ---------------------------------------------------------------------------------


def _driver() -> Driver:
    if not NEO4J_URI:
        pytest.skip("STAKEMAP_TEST_NEO4J_URI is not set")
    return GraphDatabase.driver(
        NEO4J_URI,
        auth=(
            os.environ.get("STAKEMAP_TEST_NEO4J_USER", "neo4j"),
            os.environ.get("STAKEMAP_TEST_NEO4J_PASSWORD", "test-password"),
        ),
    )


def neo4j_script(tenant: str) -> tuple[list[str], dict[str, bytes]]:
    """The fixture's statements for ``tenant`` (the test Neo4j is shared: a tenant of our
    own) and the byte-array parameters its header declares."""
    text = (FIXTURES / "neo4j.cypher").read_text()
    params = {
        name: base64.b64decode(data)
        for name, data in re.findall(r"^// param (\w+) base64 (\S+)$", text, re.MULTILINE)
    }
    text = text.replace(json.dumps(FIXTURE_TENANT), json.dumps(tenant))
    return list(split_statements(text, "neo4j")), params


@pytest.fixture
def neo4j_fixture() -> Iterator[tuple[Driver, str, str]]:
    """A fresh tenant loaded from the fixture, and a migration ledger of this test's own
    (so the migrations really run: the shared database's own ledger is migrated already)."""
    tenant = f"schema1-{uuid.uuid4().hex[:12]}"
    ledger = f"test-{uuid.uuid4().hex[:12]}"
    driver = _driver()
    statements, params = neo4j_script(tenant)
    key_ids = re.findall(r'CREATE \(:ApiKey \{[^\n]*?`id`: "([^"]+)"', "\n".join(statements))
    try:
        # API key ids and hashes are unique across tenants: drop a copy a crashed run left
        driver.execute_query(
            "MATCH (k:ApiKey) WHERE k.id IN $ids DETACH DELETE k",
            ids=key_ids,
            database_=NEO4J_DATABASE,
        )
        with driver.session(database=NEO4J_DATABASE) as session:
            session.execute_write(lambda tx: [tx.run(s, params).consume() for s in statements])
        yield driver, tenant, ledger
    finally:
        driver.execute_query(
            "MATCH (n {tenant: $tenant}) DETACH DELETE n", tenant=tenant, database_=NEO4J_DATABASE
        )
        driver.execute_query(
            "MATCH (v:SchemaVersion {ledger: $ledger}) DELETE v",
            ledger=ledger,
            database_=NEO4J_DATABASE,
        )
        driver.close()


@pytest.mark.neo4j
def test_a_schema_1_neo4j_tenant_migrates_and_serves(
    neo4j_fixture: tuple[Driver, str, str],
) -> None:
    from graph.neo4j_store import Neo4jStore

    driver, tenant, ledger = neo4j_fixture
    migrations = load_migrations("neo4j")
    target = Neo4jMigrations(driver, NEO4J_DATABASE, schema=load_catalog().schema(), ledger=ledger)
    assert target.version() == 0
    applied = migrate(target, migrations)
    assert [m.version for m in applied] == [m.version for m in migrations]
    assert target.version() == latest_version(migrations)
    assert [h.version for h in target.history()] == [m.version for m in migrations]
    records, _, _ = driver.execute_query(
        "MATCH (k:IdempotencyKey {tenant: $tenant}) RETURN count(k) AS n",
        tenant=tenant,
        database_=NEO4J_DATABASE,
    )
    assert records[0]["n"] == 2
    assert NEO4J_URI is not None
    store = GraphStore(
        Neo4jStore(
            NEO4J_URI,
            user=os.environ.get("STAKEMAP_TEST_NEO4J_USER", "neo4j"),
            password=os.environ.get("STAKEMAP_TEST_NEO4J_PASSWORD", "test-password"),
            database=NEO4J_DATABASE,
        )
    )
    check_served(store, MANIFEST["neo4j"])
