"""Per-organisation cost as the database grows: 10k against 1M people, both stores, same run.

    python -m bench.scale_bench                       # SQLite and Neo4j, 10k and 1M people
    python -m bench.scale_bench --store sqlite        # one store
    python -m bench.scale_bench --sizes 10000,200000  # other database sizes
    python -m bench.scale_bench --write-doc           # also update docs/PERFORMANCE.md

For each store the bench builds one database per size, side by side. Each holds a tenant with
a team of 60, the same measured account of 1,000 people (loaded with the store's own
``import_graph``), and the same filler accounts of 100-300 people, as many as the size needs
(the larger database holds the smaller one's filler and more). Then it measures every
database in alternation, so the machine's load (shared here) falls on both alike:

* the measured account's snapshot read, in this process;
* snapshot + graph + influence ranking, in this process;
* the cold influence endpoint over HTTP (uvicorn, nothing cached; one server per database);
* the snapshot of 20 filler accounts that exist in every database;
* the read plan: SQLite's ``EXPLAIN QUERY PLAN``; Neo4j's ``PROFILE`` operators and db hits.

The ratios largest / smallest are the point (target <= 1.3). Then, for each database, it
streams the tenant's whole influence export (``GET /v1/exports/influence?format=csv``) from a
fresh server and records rows/s and the server's peak resident memory (target: the peak at
the largest size <= 1.2x the peak at the smallest).

Filler goes in the fastest way each store has: SQLite through ``import_many`` (the store's
bulk path); Neo4j with ``UNWIND ... CREATE`` batches through the driver, writing the
properties the store writes (its ``import_many`` validates every organisation against the
stored graph, far too slowly for 1M people here). The Neo4j databases are the bench's own
servers, one per size on bolt://127.0.0.1:7688, 7689, ... (``.neo4j/bench-<port>``, 3 GiB
heap and page cache), started and afterwards stopped and deleted by the bench; with
``--neo4j-uris`` it uses the given servers instead (one per size, all of them its own to
fill) and deletes only its tenant from them.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sqlite3
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import neo4j

from bench._common import (
    ROOT,
    Server,
    load_account,
    machine,
    machine_line,
    median,
    ms,
    new_key,
    p95,
    publish,
    ratio,
    rerender,
    save,
    timed_get,
)
from bench.orgs import account
from graph.analytics import rank_influence
from graph.network import build_graph
from graph.port import OrgImport
from graph.store import GraphStore
from schemas.imports import ImportRequest
from schemas.resources import OrganisationCreate, TeamMemberCreate

HEADING = "## Database size"
SIZES = (10_000, 1_000_000)
MEASURED_PEOPLE = 1_000
TEAM = 60
OTHERS = 20
OTHERS_REPEATS = 3
REPEATS = 40  # even: each database goes first in half the rounds
HTTP_REPEATS = 20
WARM_UP = 25
SEED = 17
SQLITE_BATCH_ROWS = 5_000
NEO4J_BATCH_ROWS = 10_000
NEO4J_FIRST_PORT = 7688
NEO4J_MEMORY = "3g"


# --- one database of one size -----------------------------------------------------------------


@dataclass
class Database:
    """One store at one size: where it lives, how to open and serve it, what it holds."""

    kind: str
    size: int
    sqlite_path: Path | None = None
    neo4j_uri: str | None = None
    neo4j_port: int | None = None  # a server this bench started (and will delete)
    database: str = "neo4j"
    tenant: str = field(default_factory=lambda: f"bench-scale-{uuid.uuid4().hex[:8]}")
    driver: Any = None
    store: GraphStore | None = None
    key: str = ""
    org_id: str = ""
    accounts: dict[str, str] = field(default_factory=dict)  # filler name -> id

    def open(self) -> GraphStore:
        if self.kind == "sqlite":
            from graph.sqlite_store import SqliteStore

            assert self.sqlite_path is not None
            self.store = GraphStore(SqliteStore(self.sqlite_path))
        else:
            from graph.neo4j_store import Neo4jStore

            assert self.neo4j_uri is not None
            self.driver = neo4j.GraphDatabase.driver(
                self.neo4j_uri, auth=("neo4j", neo4j_password())
            )
            self.store = GraphStore(
                Neo4jStore(
                    self.neo4j_uri, user="neo4j", password=neo4j_password(), database=self.database
                )
            )
        return self.store

    def server_env(self, **extra: str) -> dict[str, str]:
        env = {"STAKEMAP_STORE": self.kind, **extra}
        if self.kind == "sqlite":
            env["STAKEMAP_SQLITE_PATH"] = str(self.sqlite_path)
        else:
            assert self.neo4j_uri is not None
            env |= {
                "STAKEMAP_NEO4J_URI": self.neo4j_uri,
                "STAKEMAP_NEO4J_DATABASE": self.database,
                "STAKEMAP_NEO4J_PASSWORD": neo4j_password(),
            }
        return env

    def people_in_database(self) -> int:
        if self.kind == "sqlite":
            with sqlite3.connect(self.sqlite_path or "") as conn:
                return int(conn.execute("SELECT count(*) FROM people").fetchone()[0])
        records, _, _ = self.driver.execute_query(
            "MATCH (p:Person) RETURN count(p) AS n", database_=self.database
        )
        return int(records[0]["n"])

    def cleanup(self) -> None:
        if self.store is not None:
            self.store.close()
        if self.kind == "neo4j" and self.driver is not None:
            if self.neo4j_port is None:
                for label in ("Person", "TeamMember", "Organisation", "ApiKey"):
                    while True:
                        records, _, _ = self.driver.execute_query(
                            f"MATCH (n:{label} {{tenant: $tenant}}) WITH n LIMIT 10000 "
                            "DETACH DELETE n RETURN count(*) AS n",
                            tenant=self.tenant,
                            database_=self.database,
                        )
                        if records[0]["n"] == 0:
                            break
            self.driver.close()
        if self.neo4j_port is not None:
            neo4j_server("stop", self.neo4j_port)
            shutil.rmtree(ROOT / neo4j_home(self.neo4j_port), ignore_errors=True)


def neo4j_password() -> str:
    """The dev servers run without authentication; set this for one that has it."""
    return os.environ.get("STAKEMAP_BENCH_NEO4J_PASSWORD", "")


def neo4j_home(port: int) -> str:
    return f".neo4j/bench-{port}"


def neo4j_server(command: str, port: int) -> None:
    """Start or stop one of the bench's own Neo4j servers (tools/neo4j/neo4j.sh)."""
    env = {
        "NEO4J_BOLT_PORT": str(port),
        "NEO4J_DATA_DIR": neo4j_home(port),
        "NEO4J_HEAP": NEO4J_MEMORY,
        "NEO4J_PAGECACHE": NEO4J_MEMORY,
    }
    subprocess.run(
        ["bash", "tools/neo4j/neo4j.sh", command], cwd=ROOT, env={**os.environ, **env}, check=True
    )


# --- loading ----------------------------------------------------------------------------------


def filler(team_ids: list[str]) -> Iterator[tuple[str, dict[str, Any]]]:
    """The same endless sequence of filler accounts (100-300 people) for every database."""
    rng = random.Random(SEED)
    today = date.today()
    number = 0
    while True:
        number += 1
        size = rng.randint(100, 300)
        body = account(size, seed=SEED * 1_000_003 + number, today=today, team_ids=team_ids)
        yield f"Filler {number:06d}", body


def load(db: Database) -> None:
    """Key, team, the measured account, then filler until ``db.size`` people."""
    store = db.open()
    db.key = new_key(store, db.tenant)
    team = [
        store.create_team_member(db.tenant, TeamMemberCreate(name=f"Member {i:02d}")).id
        for i in range(TEAM)
    ]
    db.org_id, _ = load_account(store, db.tenant, MEASURED_PEOPLE, seed=MEASURED_PEOPLE)
    started = time.perf_counter()
    fill = _fill_sqlite if db.kind == "sqlite" else _fill_neo4j
    added = fill(db, filler(team), db.size - MEASURED_PEOPLE)
    print(
        f"  {db.kind} {db.size:,}: filled {added:,} people in "
        f"{time.perf_counter() - started:,.0f} s", flush=True
    )  # fmt: skip


def _fill_sqlite(db: Database, accounts: Iterator[tuple[str, dict[str, Any]]], people: int) -> int:
    assert db.store is not None
    added = 0
    while added < people:
        batch: list[tuple[str, OrgImport]] = []
        rows = 0
        while rows < SQLITE_BATCH_ROWS and added < people:
            name, body = next(accounts)
            request = ImportRequest.model_validate(body)
            batch.append((name, OrgImport(request, create=OrganisationCreate(name=name))))
            rows += len(request.people) + len(request.relationships)
            added += len(request.people)
        outcomes = db.store.import_many(db.tenant, [item for _, item in batch])
        for (name, _), outcome in zip(batch, outcomes, strict=True):
            if outcome.result is None:
                raise RuntimeError(f"filler refused: {outcome.errors[:3]}")
            db.accounts[name] = outcome.result.org_id
    return added


_NEO4J_FILL = {
    "orgs": "UNWIND $rows AS row CREATE (o:Organisation) SET o = row",
    "people": "UNWIND $rows AS row CREATE (p:Person) SET p = row",
    "person_ties": "UNWIND $rows AS row "
    "MATCH (s:Person {tenant: row.tenant, id: row.source_id}) "
    "MATCH (t:Person {tenant: row.tenant, id: row.target_id}) "
    "CREATE (s)-[r:__TYPE__]->(t) SET r = row",
    "team_ties": "UNWIND $rows AS row "
    "MATCH (s:TeamMember {tenant: row.tenant, id: row.source_id}) "
    "MATCH (t:Person {tenant: row.tenant, id: row.target_id}) "
    "CREATE (s)-[r:KNOWS]->(t) SET r = row",
}


def _fill_neo4j(db: Database, accounts: Iterator[tuple[str, dict[str, Any]]], people: int) -> int:
    """The rows the store writes (same labels, properties and formats), created in
    batches: organisations, then people, then ties."""
    added = 0
    now = datetime.now(UTC).isoformat()
    stamp = {"tenant": db.tenant, "created_at": now, "updated_at": now, "version": 1}
    run = partial(db.driver.execute_query, database_=db.database)
    while added < people:
        orgs: list[dict[str, Any]] = []
        persons: list[dict[str, Any]] = []
        ties: dict[str, list[dict[str, Any]]] = {}
        while len(persons) + sum(map(len, ties.values())) < NEO4J_BATCH_ROWS and added < people:
            name, body = next(accounts)
            org_id = str(uuid.uuid4())
            db.accounts[name] = org_id
            orgs.append({**stamp, "id": org_id, "name": name})
            ids = {p["ref"]: str(uuid.uuid4()) for p in body["people"]}
            for p in body["people"]:
                row = {
                    k: v for k, v in p.items() if k not in ("ref", "reports_to") and v is not None
                }
                persons.append({**stamp, **row, "id": ids[p["ref"]], "org_id": org_id})
                if "reports_to" in p:
                    tie = _tie(stamp, org_id, "REPORTS_TO", ids[p["ref"]], ids[p["reports_to"]], {})
                    ties.setdefault("REPORTS_TO", []).append(tie)
            for r in body["relationships"]:
                extra = {k: r[k] for k in ("strength", "last_contact", "channel") if r.get(k)}
                source = ids.get(r["source"], r["source"])  # a team member's id stays as it is
                kind = r["type"] if r["source"] in ids else "TEAM_KNOWS"
                tie = _tie(stamp, org_id, r["type"], source, ids[r["target"]], extra)
                ties.setdefault(kind, []).append(tie)
            added += len(body["people"])
        run(_NEO4J_FILL["orgs"], rows=orgs)
        run(_NEO4J_FILL["people"], rows=persons)
        for kind, rows in ties.items():
            if kind == "TEAM_KNOWS":
                run(_NEO4J_FILL["team_ties"], rows=rows)
            else:
                run(_NEO4J_FILL["person_ties"].replace("__TYPE__", kind), rows=rows)
    return added


def _tie(
    stamp: dict[str, Any],
    org_id: str,
    rel_type: str,
    source: str,
    target: str,
    extra: dict[str, Any],
) -> dict[str, Any]:
    return {
        **stamp,
        "id": str(uuid.uuid4()),
        "org_id": org_id,
        "type": rel_type,
        "source_id": source,
        "target_id": target,
        "dotted": False,
        **extra,
    }


# --- measuring, the databases in alternation ---------------------------------------------------


def _timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def _snapshot_and_rank(store: GraphStore, tenant: str, org_id: str) -> object:
    return rank_influence(build_graph(store.snapshot(tenant, org_id)))


def measure(dbs: list[Database], others: list[str]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = [
        {"size": db.size, "snapshot_s": [], "snapshot_rank_s": [], "endpoint_s": []} for db in dbs
    ]
    for db in dbs:
        assert db.store is not None
        for _ in range(WARM_UP):  # connections, caches and (Neo4j) the JIT warm
            db.store.snapshot(db.tenant, db.org_id)
    for rep in range(REPEATS):
        for i in _alternating(len(dbs), rep):
            db, store = dbs[i], dbs[i].store
            assert store is not None
            found[i]["snapshot_s"].append(_timed(partial(store.snapshot, db.tenant, db.org_id)))
            found[i]["snapshot_rank_s"].append(
                _timed(partial(_snapshot_and_rank, store, db.tenant, db.org_id))
            )
    best: list[dict[str, float]] = [{} for _ in dbs]
    for rep in range(OTHERS_REPEATS):
        for i in _alternating(len(dbs), rep):
            db, store = dbs[i], dbs[i].store
            assert store is not None
            for name in others:
                took = _timed(partial(store.snapshot, db.tenant, db.accounts[name]))
                best[i][name] = min(took, best[i].get(name, took))
    for i in range(len(dbs)):
        found[i]["others_snapshot_s"] = list(best[i].values())

    servers = [Server(db.server_env(STAKEMAP_CACHE_MAX_BYTES="0")) for db in dbs]
    try:
        clients = [
            httpx.Client(
                base_url=server.url, headers={"Authorization": f"Bearer {db.key}"}, timeout=600
            )
            for server, db in zip(servers, dbs, strict=True)
        ]
        paths = [f"/v1/organisations/{db.org_id}/influence" for db in dbs]
        for client, path in zip(clients, paths, strict=True):
            timed_get(client, path)
        for rep in range(HTTP_REPEATS):
            for i in _alternating(len(dbs), rep):
                found[i]["endpoint_s"].append(timed_get(clients[i], paths[i])[0])
        for client in clients:
            client.close()
    finally:
        for server in servers:
            server.stop()
    for i, db in enumerate(dbs):
        found[i]["people_in_database"] = db.people_in_database()
        found[i]["plan"] = plan(db)
    return found


def _alternating(n: int, rep: int) -> list[int]:
    """0..n-1 on even rounds, backwards on odd ones (no database always goes first)."""
    order = list(range(n))
    return order if rep % 2 == 0 else order[::-1]


def plan(db: Database) -> dict[str, Any]:
    """How the snapshot is read: SQLite's query plan; Neo4j's operators and db hits."""
    if db.kind == "sqlite":
        with sqlite3.connect(db.sqlite_path or "") as conn:
            return {
                table: [
                    row[3]
                    for row in conn.execute(
                        f"EXPLAIN QUERY PLAN SELECT * FROM {table} "  # noqa: S608 (fixed names)
                        "WHERE tenant = ? AND org_id = ? ORDER BY id",
                        (db.tenant, db.org_id),
                    )
                ]
                for table in ("people", "relationships")
            }
    text = (ROOT / "queries" / "snapshot.cypher").read_text("utf-8")
    _, summary, _ = db.driver.execute_query(
        "PROFILE " + text,
        tenant=db.tenant,
        org_id=db.org_id,
        database_=db.database,
        routing_=neo4j.RoutingControl.READ,
    )
    operators: list[str] = []

    def walk(node: dict[str, Any]) -> int:
        operators.append(str(node.get("operatorType", "")).split("@")[0])
        hits = int(node.get("dbHits", 0))
        return hits + sum(walk(child) for child in node.get("children", []))

    hits = walk(summary.profile or {})
    seeks = sorted({op for op in operators if "Seek" in op or "Scan" in op})
    return {"db_hits": hits, "seeks_and_scans": seeks}


def export(db: Database) -> dict[str, Any]:
    """Stream the tenant's whole export from a fresh server: rows/s and peak memory."""
    with Server(db.server_env()) as server:
        headers = {"Authorization": f"Bearer {db.key}"}
        with httpx.Client(base_url=server.url, headers=headers, timeout=7200) as client:
            timed_get(client, f"/v1/organisations/{db.org_id}/influence")  # a warm process
            before = server.rss_mib()
            rows = size = 0
            started = time.perf_counter()
            with client.stream("GET", "/v1/exports/influence", params={"format": "csv"}) as r:
                if r.status_code != 200:
                    raise RuntimeError(f"export answered {r.status_code}")
                for chunk in r.iter_bytes():
                    rows += chunk.count(b"\n")
                    size += len(chunk)
            elapsed = time.perf_counter() - started
            peak = server.peak_rss_mib()
    return {
        "rows": rows - 1,
        "bytes": size,
        "seconds": elapsed,
        "rows_per_s": (rows - 1) / elapsed,
        "rss_before_mib": before,
        "peak_rss_mib": peak,
    }


# --- running ------------------------------------------------------------------------------------


def run_store(
    kind: str, sizes: tuple[int, ...], workdir: Path, uris: list[str] | None, do_export: bool
) -> dict[str, Any]:
    print(f"{kind}:", flush=True)
    dbs: list[Database] = []
    try:
        for i, size in enumerate(sizes):
            db = Database(kind, size)
            if kind == "sqlite":
                db.sqlite_path = workdir / f"scale-{size}.db"
            elif uris:
                db.neo4j_uri = uris[i]
            else:
                port = NEO4J_FIRST_PORT + i
                neo4j_server("start", port)
                db.neo4j_port, db.neo4j_uri = port, f"bolt://127.0.0.1:{port}"
            dbs.append(db)
            load(db)
        names = sorted(set.intersection(*(set(db.accounts) for db in dbs)))
        others = random.Random(SEED).sample(names, min(OTHERS, len(names)))
        print("  measuring, the databases in alternation ...", flush=True)
        found = measure(dbs, others)
        if do_export:
            for db, row in zip(dbs, found, strict=True):
                print(f"  exporting {db.size:,} ...", flush=True)
                row["export"] = export(db)
        for row in found:
            print(
                f"  {row['size']:>9,}: snapshot p50 {ms(median(row['snapshot_s']))} ms, + ranking "
                f"{ms(median(row['snapshot_rank_s']))} ms, endpoint "
                f"{ms(median(row['endpoint_s']))} ms", flush=True
            )  # fmt: skip
        return {"store": kind, "sizes": found}
    finally:
        for db in dbs:
            db.cleanup()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.scale_bench", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--store", action="append", choices=["sqlite", "neo4j"])
    parser.add_argument("--sizes", help="comma-separated database sizes in people")
    parser.add_argument("--quick", action="store_true", help="10k and 100k people")
    parser.add_argument("--no-export", action="store_true", help="skip the export runs")
    parser.add_argument(
        "--neo4j-uris", help="Neo4j servers to fill, one per size (comma-separated)"
    )
    parser.add_argument("--neo4j-database", default="neo4j")
    parser.add_argument("--write-doc", action="store_true", help="update docs/PERFORMANCE.md")
    parser.add_argument("--report", type=Path, help="re-render the report of a results JSON")
    args = parser.parse_args(argv)
    if args.report:
        return rerender(
            args.report,
            lambda saved: report(saved["machine"], saved["results"], saved.get("at")),
            HEADING,
            write_doc=args.write_doc,
        )
    sizes: tuple[int, ...] = SIZES if not args.quick else (10_000, 100_000)
    if args.sizes:
        sizes = tuple(int(size) for size in args.sizes.split(","))
    uris = args.neo4j_uris.split(",") if args.neo4j_uris else None
    if uris and len(uris) != len(sizes):
        parser.error("--neo4j-uris needs one server per size")
    info = machine()
    print(machine_line(info), flush=True)

    results = []
    with tempfile.TemporaryDirectory(prefix="stakemap-bench-") as workdir:
        for kind in args.store or ["sqlite", "neo4j"]:
            results.append(run_store(kind, sizes, Path(workdir), uris, not args.no_export))

    path = save("scale", {"machine": info, "sizes": list(sizes), "results": results})
    print(f"results: {path}")
    publish(HEADING, report(info, results), write_doc=args.write_doc)
    return 0


def report(info: dict[str, Any], results: list[dict[str, Any]], at: str | None = None) -> str:
    stamp = at or datetime.now(UTC).strftime("%Y%m%d")
    lines = [
        f"`python -m bench.scale_bench` ({stamp[:4]}-{stamp[4:6]}-{stamp[6:8]}). "
        f"{machine_line(info)}",
        "",
        "One database per size, side by side, measured in alternation so that the load of "
        f"this shared machine falls on both alike; each holds one tenant with a team of {TEAM}, "
        f"the same measured account of {MEASURED_PEOPLE:,} people and the same filler accounts "
        "of 100-300 people, as many as the size needs. "
        "*snapshot*: the store's one-round-trip read of the account, in the bench process; "
        "*+ ranking*: snapshot, graph and influence ranking in the bench process; "
        "*endpoint*: `GET …/influence` over HTTP with nothing cached; *others*: the snapshot "
        f"of {OTHERS} filler accounts that exist at every size (best of {OTHERS_REPEATS}, "
        f"then the median). Medians of {REPEATS} rounds ({HTTP_REPEATS} over HTTP); in each "
        "round every database is measured once, the order reversed every other round, so "
        "each goes first equally often. The ratio is largest size / smallest. Target: at "
        "most 1.3.",
        "",
        "| store | people in the database | snapshot p50 ms | snapshot p95 ms "
        "| + ranking p50 ms | endpoint p50 ms | others' snapshot p50 ms | read plan |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        for s in r["sizes"]:
            lines.append(
                f"| {r['store']} | {s['people_in_database']:,} | {ms(median(s['snapshot_s']))} "
                f"| {ms(p95(s['snapshot_s']))} | {ms(median(s['snapshot_rank_s']))} "
                f"| {ms(median(s['endpoint_s']))} | {ms(median(s['others_snapshot_s']))} "
                f"| {_plan_text(s['plan'])} |"
            )
        first, last = r["sizes"][0], r["sizes"][-1]
        if len(r["sizes"]) > 1:
            cells = [ratio(growth(first, last, name)) for name in MEASURES]
            p95_ratio = ratio(p95(last["snapshot_s"]) / p95(first["snapshot_s"]))
            lines.append(
                f"| **{r['store']}: ratio** | {last['size'] // first['size']:,}x more "
                f"| **{cells[0]}** | {p95_ratio} | **{cells[1]}** | **{cells[2]}** "
                f"| **{cells[3]}** | |"
            )
    lines += ["", scale_verdict(results)]
    exports = [(r["store"], s) for r in results for s in r["sizes"] if "export" in s]
    if exports:
        lines += [
            "",
            "### The all-accounts export",
            "",
            "`GET /v1/exports/influence?format=csv` of the whole tenant, streamed from a fresh "
            "server (every ranking computed: nothing is cached by an export), read by the "
            "client as it arrives. Peak memory is the server process's peak resident set "
            "(`VmHWM`) after the export; target: the peak at the largest size at most 1.2x "
            "the peak at the smallest.",
            "",
            "| store | people | rows | seconds | rows/s | server RSS before MiB "
            "| server peak RSS MiB |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for store, s in exports:
            e = s["export"]
            lines.append(
                f"| {store} | {s['people_in_database']:,} | {e['rows']:,} | {e['seconds']:,.1f} "
                f"| {e['rows_per_s']:,.0f} | {e['rss_before_mib']:,.0f} "
                f"| {e['peak_rss_mib']:,.0f} |"
            )
        for store in sorted({store for store, _ in exports}):
            mine = [s["export"] for st, s in exports if st == store]
            if len(mine) > 1:
                lines.append(
                    f"| **{store}: peak ratio** | | | | | "
                    f"| **{ratio(mine[-1]['peak_rss_mib'] / mine[0]['peak_rss_mib'])}** |"
                )
        lines += ["", export_verdict(exports)]
    return "\n".join(lines)


MEASURES = ("snapshot_s", "snapshot_rank_s", "endpoint_s", "others_snapshot_s")


def growth(first: dict[str, Any], last: dict[str, Any], name: str) -> float:
    """How much a figure grew from the smallest database to the largest (medians)."""
    return median(last[name]) / median(first[name])


def scale_verdict(results: list[dict[str, Any]]) -> str:
    notes = []
    for r in results:
        first, last = r["sizes"][0], r["sizes"][-1]
        if len(r["sizes"]) < 2:
            continue
        worst = max(growth(first, last, name) for name in MEASURES)
        grown = f"{first['people_in_database']:,} to {last['people_in_database']:,} people"
        if worst <= 1.3:
            notes.append(
                f"**{r['store']}: target met**, from {grown} no per-organisation figure grew "
                f"by more than {ratio(worst)} (target 1.3x)."
            )
        else:
            notes.append(
                f"**{r['store']}: target missed**, from {grown} the worst per-organisation "
                f"figure grew {ratio(worst)} (target 1.3x, over by a factor {worst / 1.3:.2f})."
            )
    return " ".join(notes)


def export_verdict(exports: list[tuple[str, dict[str, Any]]]) -> str:
    notes = []
    for store in sorted({store for store, _ in exports}):
        mine = [s for st, s in exports if st == store]
        if len(mine) < 2:
            continue
        growth = mine[-1]["export"]["peak_rss_mib"] / mine[0]["export"]["peak_rss_mib"]
        people = mine[-1]["people_in_database"] / mine[0]["people_in_database"]
        state = "target met" if growth <= 1.2 else "target missed"
        notes.append(
            f"**{store}: {state}**: {people:,.0f}x the people, {ratio(growth)} the peak memory "
            "(target 1.2x)."
        )
    return " ".join(notes)


def _plan_text(found: dict[str, Any]) -> str:
    if "db_hits" in found:
        return f"{found['db_hits']:,} db hits; " + ", ".join(found["seeks_and_scans"])
    return "; ".join(f"{table}: {' / '.join(steps)}" for table, steps in found.items())


if __name__ == "__main__":
    raise SystemExit(main())
