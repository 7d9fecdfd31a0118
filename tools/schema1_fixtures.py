"""Write tests/data/schema-1/: a store created by the code at tag ``schema-1`` (the commit
before versioned migrations), with realistic data, dumped as text.

Run it with the schema-1 code first on the path (docs/MIGRATIONS.md)::

    git worktree add /tmp/schema1 schema-1
    PYTHONPATH=/tmp/schema1 .venv/bin/python tools/schema1_fixtures.py \\
        --neo4j bolt://127.0.0.1:7687 --out tests/data/schema-1
    git worktree remove /tmp/schema1

It fills one store of each kind through the schema-1 API (an admin key, the demo account
imported, a second organisation, a viewer key, a team member; the writes leave audit entries
and the ``Idempotency-Key`` ones idempotency records), then writes ``sqlite.sql`` (the
file's ``iterdump()``), ``neo4j.cypher`` (statements recreating the tenant's nodes and
relationships; the Neo4j tenant is deleted afterwards) and ``manifest.json`` (the tenant,
the keys' secrets and what each store holds, for tests/migrations/test_schema1_fixtures.py).
"""

from __future__ import annotations

import argparse
import base64
import json
import math
import sqlite3
import sys
import tempfile
import warnings
from datetime import date
from pathlib import Path
from typing import Any

from app.demo import DEMO_ORGANISATION, demo_import
from app.main import create_app
from app.security import DEVELOPMENT_PEPPER, hash_key
from app.settings import Settings
from graph.port import GraphStore
from schemas.common import KeyRole

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

#: The tenant of the fixture (tests load it under a unique name of their own).
TENANT = "schema-1-fixture"
ADMIN_SECRET = "sm_schema1-fixture-admin-not-a-real-key"  # noqa: S105 (test data)
VIEWER_SECRET = "sm_schema1-fixture-viewer-not-a-real-key"  # noqa: S105 (test data)
TODAY = date(2026, 12, 1)
#: Node labels whose (tenant, id) identifies them: the ends of every relationship.
KEYED = ("Organisation", "Person", "TeamMember")


def populate(store: GraphStore, settings: Settings) -> dict[str, Any]:
    """Fill ``store`` through the schema-1 HTTP API; what the manifest says about it."""
    store.create_api_key(
        TENANT, KeyRole.ADMIN, "fixture-admin", hash_key(ADMIN_SECRET, DEVELOPMENT_PEPPER)
    )
    store.create_api_key(
        TENANT, KeyRole.VIEWER, "fixture-viewer", hash_key(VIEWER_SECRET, DEVELOPMENT_PEPPER)
    )
    admin = {"Authorization": f"Bearer {ADMIN_SECRET}"}
    with TestClient(create_app(settings, store_factory=lambda _: store)) as client:
        created = client.post(
            "/v1/organisations",
            json=DEMO_ORGANISATION,
            headers={**admin, "Idempotency-Key": "schema-1-demo-account"},
        )
        assert created.status_code == 201, created.text
        demo_id = created.json()["id"]
        imported = client.post(
            f"/v1/organisations/{demo_id}/import",
            json=demo_import(TODAY),
            headers={**admin, "Idempotency-Key": "schema-1-demo-import"},
        )
        assert imported.status_code == 200, imported.text
        second = client.post(
            "/v1/organisations",
            json={"name": "Harbour Logistics", "industry": "Logistics", "tier": 2},
            headers=admin,
        )
        assert second.status_code == 201, second.text
        person = client.post(
            f"/v1/organisations/{second.json()['id']}/people",
            json={"name": "Ines Varga", "title": "Head of Procurement", "stance": "neutral"},
            headers=admin,
        )
        assert person.status_code == 201, person.text
        paths = client.get(f"/v1/organisations/{demo_id}/entry-paths", headers=admin)
        assert paths.status_code == 200, paths.text
        people = client.get(
            f"/v1/organisations/{demo_id}/people", params={"limit": 500}, headers=admin
        )
        ties = client.get(
            f"/v1/organisations/{demo_id}/relationships", params={"limit": 500}, headers=admin
        )
        audit = client.get("/v1/audit", params={"limit": 500}, headers=admin)
        assert audit.status_code == 200, audit.text
    return {
        "tenant": TENANT,
        "pepper": DEVELOPMENT_PEPPER,
        "admin_secret": ADMIN_SECRET,
        "viewer_secret": VIEWER_SECRET,
        "organisations": {
            demo_id: DEMO_ORGANISATION["name"],
            second.json()["id"]: "Harbour Logistics",
        },
        "demo_id": demo_id,
        "demo_people": len(people.json()["items"]),
        "demo_ties": len(ties.json()["items"]),
        "entry_paths": len(paths.json()["paths"]),
        "audit_entries": len(audit.json()["items"]),
        "idempotency_keys": ["schema-1-demo-account", "schema-1-demo-import"],
    }


def _settings(**overrides: Any) -> Settings:
    return Settings(
        metrics_enabled=False,
        analytics_precompute=False,
        analytics_processes=0,
        rate_limit_per_minute=0,
        **overrides,
    )


def sqlite_fixture(out: Path) -> dict[str, Any]:
    from graph.sqlite_store import SqliteStore

    with tempfile.TemporaryDirectory(prefix="stakemap-schema1-") as tmp:
        path = Path(tmp) / "schema1.db"
        manifest = populate(SqliteStore(path), _settings(store="sqlite", sqlite_path=path))
        conn = sqlite3.connect(path)
        try:
            dump = "\n".join(conn.iterdump()) + "\n"
        finally:
            conn.close()
    (out / "sqlite.sql").write_text(
        "-- A SQLite store created by the code at tag schema-1 (tools/schema1_fixtures.py).\n"
        + dump
    )
    return manifest


def _literal(value: Any, params: dict[str, bytes]) -> str:
    """A Cypher literal for a stored property value (bytes become a ``$body_N`` parameter,
    declared in the script's header: Cypher has no byte-array literal)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        assert math.isfinite(value)
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, bytes | bytearray):
        name = f"bytes_{len(params)}"
        params[name] = bytes(value)
        return "$" + name
    if isinstance(value, list):
        return "[" + ", ".join(_literal(item, params) for item in value) + "]"
    raise TypeError(f"no Cypher literal for {type(value).__name__}")


def _map(properties: dict[str, Any], params: dict[str, bytes]) -> str:
    return (
        "{"
        + ", ".join(
            f"`{name}`: {_literal(properties[name], params)}" for name in sorted(properties)
        )
        + "}"
    )


def neo4j_fixture(uri: str, out: Path) -> dict[str, Any]:
    from neo4j import GraphDatabase

    from graph.neo4j_store import Neo4jStore

    store = Neo4jStore(uri, user="neo4j", password="", database="neo4j")
    manifest = populate(store, _settings(store="neo4j", neo4j_uri=uri))
    params: dict[str, bytes] = {}
    lines: list[str] = []
    with GraphDatabase.driver(uri, auth=("neo4j", "")) as driver:
        nodes, _, _ = driver.execute_query(
            "MATCH (n {tenant: $tenant}) RETURN labels(n) AS labels, properties(n) AS props "
            "ORDER BY labels[0], n.id, n.key",
            tenant=TENANT,
        )
        for node in nodes:
            [label] = node["labels"]
            lines.append(f"CREATE (:{label} {_map(node['props'], params)});")
        ties, _, _ = driver.execute_query(
            "MATCH (a {tenant: $tenant})-[r]->(b {tenant: $tenant}) "
            "RETURN labels(a)[0] AS a_label, a.id AS a_id, type(r) AS type, "
            "properties(r) AS props, labels(b)[0] AS b_label, b.id AS b_id "
            "ORDER BY type, r.id, a_id, b_id",
            tenant=TENANT,
        )
        for tie in ties:
            assert tie["a_label"] in KEYED, tie
            assert tie["b_label"] in KEYED, tie
            tenant = json.dumps(TENANT)
            lines.append(
                f"MATCH (a:{tie['a_label']} {{tenant: {tenant}, id: {json.dumps(tie['a_id'])}}}), "
                f"(b:{tie['b_label']} {{tenant: {tenant}, id: {json.dumps(tie['b_id'])}}}) "
                f"CREATE (a)-[:{tie['type']} {_map(tie['props'], params)}]->(b);"
            )
        driver.execute_query("MATCH (n {tenant: $tenant}) DETACH DELETE n", tenant=TENANT)
    header = [
        "// A Neo4j tenant created by the code at tag schema-1 (tools/schema1_fixtures.py):",
        f'// every node and relationship of tenant "{TENANT}", one statement each, split on',
        "// `;` at a line end. Byte-array properties (no Cypher literal) are parameters:",
    ]
    header += [
        f"// param {name} base64 {base64.b64encode(data).decode()}" for name, data in params.items()
    ]
    (out / "neo4j.cypher").write_text("\n".join(header + lines) + "\n")
    return manifest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--neo4j", required=True, help="Bolt URI of a Neo4j without auth")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    import graph

    if (Path(graph.__file__ or "").parent / "migrations.py").exists():
        sys.exit("put the schema-1 code first on PYTHONPATH (it has no graph/migrations.py)")
    args.out.mkdir(parents=True, exist_ok=True)
    manifest = {"sqlite": sqlite_fixture(args.out), "neo4j": neo4j_fixture(args.neo4j, args.out)}
    (args.out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")


if __name__ == "__main__":
    main()
