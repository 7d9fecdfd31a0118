"""What the one write path and the narrow port cost: the store's calls against the same work
done straight on the driver, measured in the same run.

For each store and account size, the median of repeated calls of

* ``snapshot``: ``GraphStore.snapshot`` (one read transaction, four named statements, rows
  to models) against the reference — for Neo4j the single-round-trip Cypher snapshot the
  adapter ran before the port (``execute_query``), for SQLite the same four ``SELECT``\\ s on a
  raw connection — each building the same ``OrgSnapshot``;
* ``update``: ``GraphStore.update_person`` (lock, version check, read, whole-row write)
  against the reference ``SET p += $changes`` / ``UPDATE … SET`` one-statement update in
  its own transaction.

Run ``python -m bench.store_bench [--neo4j bolt://127.0.0.1:7687] [--sizes 40,2000]
[--write-doc]``. Ratios > 1 mean the port costs more than the reference.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench._common import load_account, machine, machine_line, median, ms, publish, ratio, save
from graph.records import organisation_from, person_from, relationship_from, team_member_from
from graph.store import GraphStore
from schemas.resources import PersonUpdate
from schemas.snapshot import OrgSnapshot

HEADING = "## Store: the port against the driver"

#: The snapshot as one Cypher statement (what the Neo4j adapter ran before the port).
NEO4J_SNAPSHOT = """
MATCH (o:Organisation {tenant: $tenant, id: $org_id})
CALL () {
  MATCH (p:Person {tenant: $tenant, org_id: $org_id})
  RETURN collect(properties(p)) AS people
}
CALL () { MATCH (t:TeamMember {tenant: $tenant}) RETURN collect(properties(t)) AS team }
CALL () {
  MATCH (:Person {tenant: $tenant, org_id: $org_id})
        -[r:REPORTS_TO|INFLUENCES|KNOWS|AFFILIATED_WITH]-()
  WHERE r.org_id = $org_id
  WITH DISTINCT r
  RETURN collect(properties(r)) AS relationships
}
RETURN properties(o) AS organisation, people, team, relationships
"""
NEO4J_UPDATE = """
MATCH (p:Person {tenant: $tenant, id: $person_id}) WHERE p.org_id = $org_id
SET p += $changes, p.version = p.version + 1
"""


def _snapshot_of(org: Any, people: Any, team: Any, ties: Any) -> OrgSnapshot:
    return OrgSnapshot(
        organisation=organisation_from(org),
        people=sorted((person_from(p) for p in people), key=lambda p: p.id),
        team=sorted((team_member_from(t) for t in team), key=lambda t: t.id),
        relationships=sorted((relationship_from(r) for r in ties), key=lambda r: r.id),
    )


def _sqlite_reference(path: str) -> tuple[Callable[..., OrgSnapshot], Callable[..., None]]:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA synchronous = NORMAL")  # as the store's own connections

    def rows(sql: str, *params: Any) -> list[dict[str, Any]]:
        found = [dict(r) for r in conn.execute(sql, params)]
        for row in found:
            if isinstance(row.get("roles"), str):
                row["roles"] = json.loads(row["roles"])
        return found

    def snapshot(tenant: str, org_id: str) -> OrgSnapshot:
        conn.execute("BEGIN")
        try:
            org = rows("SELECT * FROM organisations WHERE tenant = ? AND id = ?", tenant, org_id)
            people = rows("SELECT * FROM people WHERE tenant = ? AND org_id = ?", tenant, org_id)
            team = rows("SELECT * FROM team_members WHERE tenant = ?", tenant)
            ties = rows(
                "SELECT * FROM relationships WHERE tenant = ? AND org_id = ?", tenant, org_id
            )
        finally:
            conn.execute("COMMIT")
        return _snapshot_of(org[0], people, team, ties)

    def update(tenant: str, org_id: str, person_id: str, title: str) -> None:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            "UPDATE people SET title = ?, version = version + 1 "
            "WHERE tenant = ? AND org_id = ? AND id = ?",
            (title, tenant, org_id, person_id),
        )
        conn.execute("COMMIT")

    return snapshot, update


def _neo4j_reference(uri: str) -> tuple[Callable[..., OrgSnapshot], Callable[..., None], Any]:
    from neo4j import GraphDatabase

    driver = GraphDatabase.driver(uri, auth=("neo4j", "unused"))

    def snapshot(tenant: str, org_id: str) -> OrgSnapshot:
        records, _, _ = driver.execute_query(
            NEO4J_SNAPSHOT, tenant=tenant, org_id=org_id, database_="neo4j"
        )
        record = records[0]
        return _snapshot_of(
            record["organisation"], record["people"], record["team"], record["relationships"]
        )

    def update(tenant: str, org_id: str, person_id: str, title: str) -> None:
        driver.execute_query(
            NEO4J_UPDATE,
            tenant=tenant,
            org_id=org_id,
            person_id=person_id,
            changes={"title": title},
            database_="neo4j",
        )

    return snapshot, update, driver


def _median_seconds(call: Callable[[], Any], repeats: int) -> float:
    call()  # warm: connections, caches, query plans
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return median(times)


def measure(
    kind: str, store: GraphStore, reference: tuple[Any, Any], size: int, repeats: int
) -> dict[str, Any]:
    tenant = f"bench-{uuid.uuid4().hex[:8]}"
    org_id, ids = load_account(store, tenant, size, seed=size)
    person_id = sorted(i for ref, i in ids.items() if ref.startswith("p"))[size // 2]
    ref_snapshot, ref_update = reference
    assert store.snapshot(tenant, org_id) == ref_snapshot(tenant, org_id)
    titles = iter(f"Title {n}" for n in range(10 * repeats + 10))
    figures = {
        "snapshot": _median_seconds(lambda: store.snapshot(tenant, org_id), repeats),
        "snapshot_reference": _median_seconds(lambda: ref_snapshot(tenant, org_id), repeats),
        "update": _median_seconds(
            lambda: store.update_person(
                tenant, org_id, person_id, PersonUpdate(title=next(titles))
            ),
            repeats,
        ),
        "update_reference": _median_seconds(
            lambda: ref_update(tenant, org_id, person_id, next(titles)), repeats
        ),
    }
    return {"store": kind, "people": size, **figures}


def render(results: dict[str, Any]) -> str:
    lines = [
        machine_line(results["machine"]),
        "",
        "Medians of repeated calls in one run; the reference does the same work straight on "
        "the driver (`python -m bench.store_bench`).",
        "",
        "| store | people | snapshot | reference | ratio | update_person | reference | ratio |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in results["rows"]:
        lines.append(
            f"| {row['store']} | {row['people']:,} | {ms(row['snapshot'])} | "
            f"{ms(row['snapshot_reference'])} | "
            f"{ratio(row['snapshot'] / row['snapshot_reference'])} | {ms(row['update'])} | "
            f"{ms(row['update_reference'])} | {ratio(row['update'] / row['update_reference'])} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--neo4j", help="a running Neo4j's Bolt URI (else SQLite only)")
    parser.add_argument("--sizes", default="40,2000")
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--write-doc", action="store_true")
    args = parser.parse_args()
    from graph.sqlite_store import SqliteStore

    sizes = [int(s) for s in args.sizes.split(",")]
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        store = GraphStore(SqliteStore(path))
        snapshot, update = _sqlite_reference(str(path))
        rows += [measure("sqlite", store, (snapshot, update), n, args.repeats) for n in sizes]
        store.close()
    if args.neo4j:
        from graph.neo4j_store import Neo4jStore

        store = GraphStore(
            Neo4jStore(args.neo4j, user="neo4j", password="unused", database="neo4j")  # noqa: S106
        )
        snapshot, update, driver = _neo4j_reference(args.neo4j)
        rows += [measure("neo4j", store, (snapshot, update), n, args.repeats) for n in sizes]
        driver.close()
        store.close()
    results = {"machine": machine(), "rows": rows}
    save("store", results)
    publish(HEADING, render(results), write_doc=args.write_doc, full=bool(args.neo4j))


if __name__ == "__main__":
    main()
