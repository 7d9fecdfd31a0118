"""Per-organisation cost as the database grows: 10k then 1M people, both stores, same run.

    python -m bench.scale_bench                       # SQLite and Neo4j, 10k then 1M people
    python -m bench.scale_bench --store sqlite        # one store
    python -m bench.scale_bench --sizes 10000,200000  # other database sizes
    python -m bench.scale_bench --write-doc           # also update docs/PERFORMANCE.md

One tenant gets a shared team of 60 people and a measured account of 1,000 people (loaded
with the store's own ``import_graph``), then filler accounts of 100-300 people until the
database holds the first size. At each size the bench measures, for the measured account:
the store's snapshot read in this process; snapshot + graph + influence ranking in this
process; and the cold influence endpoint over HTTP (uvicorn, nothing cached); plus the
snapshot of 20 filler accounts that exist at every size, and the query plan (SQLite's
``EXPLAIN QUERY PLAN``, Neo4j's ``PROFILE`` db hits). Then it adds filler up to the next size
and measures again. The ratios largest / smallest are the point (target <= 1.3).

At each size it also streams the tenant's whole influence export
(``GET /v1/exports/influence?format=csv``) from a fresh server and records rows/s and the
server's peak resident memory (target: the peak at the largest size <= 1.2x the peak at the
smallest).

Filler goes in the fastest way each store has: SQLite through ``import_many`` (the store's
bulk path), Neo4j with ``UNWIND ... CREATE`` batches through the driver (the properties the
store writes; the store's ``import_many`` validates every organisation against the stored
graph and is far slower for 1M people). Without ``--neo4j-uri`` the bench uses its own
Neo4j on bolt://127.0.0.1:7688 (``.neo4j/bench``, 4 GiB heap and page cache), starting it if
needed and, if it started it, stopping it and deleting its data afterwards; on any other
server it deletes its tenant when done.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
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
    ratio,
    save,
    timed_get,
    write_section,
)
from bench.orgs import account
from graph.analytics import rank_influence
from graph.network import build_graph
from graph.port import GraphStore, OrgImport
from schemas.resources import OrganisationCreate, TeamMemberCreate

HEADING = "## Database size"
SIZES = (10_000, 1_000_000)
MEASURED_PEOPLE = 1_000
TEAM = 60
OTHERS = 20
REPEATS = 15
HTTP_REPEATS = 10
SQLITE_BATCH_ROWS = 5_000
NEO4J_BATCH_ROWS = 10_000
BENCH_NEO4J = "bolt://127.0.0.1:7688"
BENCH_NEO4J_ENV = {
    "NEO4J_BOLT_PORT": "7688",
    "NEO4J_DATA_DIR": ".neo4j/bench",
    "NEO4J_HEAP": "4g",
    "NEO4J_PAGECACHE": "4g",
}


# --- the stores ----------------------------------------------------------------------------


@dataclass
class Target:
    """One store under test: how to open it, serve it, fill it and clean it up."""

    kind: str
    workdir: Path
    neo4j_uri: str | None = None
    database: str = "neo4j"
    started_neo4j: bool = False
    driver: Any = None
    tenant: str = field(default_factory=lambda: f"bench-scale-{uuid.uuid4().hex[:8]}")

    @property
    def sqlite_path(self) -> Path:
        return self.workdir / "scale.db"

    def open(self) -> GraphStore:
        if self.kind == "sqlite":
            from graph.sqlite_store import SqliteStore

            return SqliteStore(self.sqlite_path)
        from graph.neo4j_store import Neo4jStore

        assert self.neo4j_uri is not None
        return Neo4jStore(
            self.neo4j_uri, user="neo4j", password=neo4j_password(), database=self.database
        )

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

    def people_in_database(self, store: GraphStore) -> int:
        if self.kind == "sqlite":
            import sqlite3

            with sqlite3.connect(self.sqlite_path) as conn:
                return int(conn.execute("SELECT count(*) FROM people").fetchone()[0])
        records, _, _ = self.driver.execute_query(
            "MATCH (p:Person) RETURN count(p) AS n", database_=self.database
        )
        return int(records[0]["n"])

    def cleanup(self) -> None:
        if self.kind != "neo4j":
            return
        if self.started_neo4j:
            if self.driver is not None:
                self.driver.close()
            neo4j_script("stop")
            shutil.rmtree(ROOT / BENCH_NEO4J_ENV["NEO4J_DATA_DIR"], ignore_errors=True)
            return
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


def neo4j_password() -> str:
    """The dev servers run without authentication; set this for one that has it."""
    return os.environ.get("STAKEMAP_BENCH_NEO4J_PASSWORD", "")


def neo4j_script(command: str) -> None:
    subprocess.run(
        ["bash", "tools/neo4j/neo4j.sh", command],
        cwd=ROOT,
        env={**os.environ, **BENCH_NEO4J_ENV},
        check=True,
    )


def bench_neo4j_running() -> bool:
    status = subprocess.run(
        ["bash", "tools/neo4j/neo4j.sh", "status"],
        cwd=ROOT,
        env={**os.environ, **BENCH_NEO4J_ENV},
        capture_output=True,
    )
    return status.returncode == 0


# --- filling ----------------------------------------------------------------------------------


def filler(seed: int, team_ids: list[str]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Endless filler accounts of 100-300 people: (name, import body)."""
    rng = random.Random(seed)
    today = date.today()
    number = 0
    while True:
        number += 1
        size = rng.randint(100, 300)
        body = account(size, seed=seed * 1_000_003 + number, today=today, team_ids=team_ids)
        yield f"Filler {seed}-{number:06d}", body


def fill(
    target: Target, store: GraphStore, team_ids: list[str], people: int, seed: int
) -> list[str]:
    """Add filler accounts until ``people`` more people are stored; their ids."""
    load = _fill_sqlite if target.kind == "sqlite" else _fill_neo4j
    started = time.perf_counter()
    added, org_ids = load(target, store, filler(seed, team_ids), people)
    elapsed = time.perf_counter() - started
    print(f"    filled {added:,} people in {elapsed:.0f} s", flush=True)
    return org_ids


def _fill_sqlite(
    target: Target, store: GraphStore, accounts: Iterator[tuple[str, dict[str, Any]]], people: int
) -> tuple[int, list[str]]:
    from schemas.imports import ImportRequest

    added, org_ids = 0, []
    while added < people:
        batch: list[OrgImport] = []
        rows = 0
        while rows < SQLITE_BATCH_ROWS and added < people:
            name, body = next(accounts)
            request = ImportRequest.model_validate(body)
            batch.append(OrgImport(request, create=OrganisationCreate(name=name)))
            rows += len(request.people) + len(request.relationships)
            added += len(request.people)
        for outcome in store.import_many(target.tenant, batch):
            if outcome.result is None:
                raise RuntimeError(f"filler refused: {outcome.errors[:3]}")
            org_ids.append(outcome.result.org_id)
    return added, org_ids


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


def _fill_neo4j(
    target: Target, store: GraphStore, accounts: Iterator[tuple[str, dict[str, Any]]], people: int
) -> tuple[int, list[str]]:
    """The rows the store writes (same labels, properties and formats), created in
    batches; organisations first, then people, then ties."""
    added, org_ids = 0, []
    now = datetime.now(UTC).isoformat()
    stamp = {"tenant": target.tenant, "created_at": now, "updated_at": now, "version": 1}
    while added < people:
        orgs: list[dict[str, Any]] = []
        persons: list[dict[str, Any]] = []
        ties: dict[str, list[dict[str, Any]]] = {}
        team_ties: list[dict[str, Any]] = []
        while len(persons) + sum(map(len, ties.values())) < NEO4J_BATCH_ROWS and added < people:
            name, body = next(accounts)
            org_id = str(uuid.uuid4())
            orgs.append({**stamp, "id": org_id, "name": name})
            ids = {p["ref"]: str(uuid.uuid4()) for p in body["people"]}
            for p in body["people"]:
                row = {k: v for k, v in p.items() if k not in ("ref", "reports_to")}
                row = {k: v for k, v in row.items() if v is not None}
                persons.append({**stamp, **row, "id": ids[p["ref"]], "org_id": org_id})
                if "reports_to" in p:
                    ties.setdefault("REPORTS_TO", []).append(
                        _tie(stamp, org_id, "REPORTS_TO", ids[p["ref"]], ids[p["reports_to"]], {})
                    )
            for r in body["relationships"]:
                extra = {k: r[k] for k in ("strength", "last_contact", "channel") if r.get(k)}
                if r["source"] in ids:
                    tie = _tie(stamp, org_id, r["type"], ids[r["source"]], ids[r["target"]], extra)
                    ties.setdefault(r["type"], []).append(tie)
                else:
                    team_ties.append(
                        _tie(stamp, org_id, "KNOWS", r["source"], ids[r["target"]], extra)
                    )
            added += len(body["people"])
            org_ids.append(org_id)
        run = target.driver.execute_query
        run(_NEO4J_FILL["orgs"], rows=orgs, database_=target.database)
        run(_NEO4J_FILL["people"], rows=persons, database_=target.database)
        for rel_type, rows in ties.items():
            statement = _NEO4J_FILL["person_ties"].replace("__TYPE__", rel_type)
            run(statement, rows=rows, database_=target.database)
        run(_NEO4J_FILL["team_ties"], rows=team_ties, database_=target.database)
    return added, org_ids


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


# --- measuring ------------------------------------------------------------------------------


def _timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def measure(
    target: Target, store: GraphStore, key: str, org_id: str, others: list[str]
) -> dict[str, Any]:
    tenant = target.tenant
    for _ in range(3):
        store.snapshot(tenant, org_id)  # the connection and the store's caches are warm
    snapshot, ranked = [], []
    for _ in range(REPEATS):
        snapshot.append(_timed(lambda: store.snapshot(tenant, org_id)))
        ranked.append(_timed(lambda: rank_influence(build_graph(store.snapshot(tenant, org_id)))))
    other = [min(_timed(partial(store.snapshot, tenant, o)) for _ in range(2)) for o in others]
    env = target.server_env(STAKEMAP_ANALYTICS_CACHE_ENTRIES="0")
    with (
        Server(env) as server,
        httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {key}"}, timeout=600
        ) as client,
    ):
        path = f"/v1/organisations/{org_id}/influence"
        timed_get(client, path)
        served = [timed_get(client, path)[0] for _ in range(HTTP_REPEATS)]
    return {
        "people_in_database": target.people_in_database(store),
        "snapshot_s": snapshot,
        "snapshot_rank_s": ranked,
        "endpoint_s": served,
        "others_snapshot_s": other,
        "plan": plan(target, store, org_id),
    }


def plan(target: Target, store: GraphStore, org_id: str) -> dict[str, Any]:
    """How the snapshot is read: SQLite's query plan; Neo4j's operators and db hits."""
    if target.kind == "sqlite":
        import sqlite3

        with sqlite3.connect(target.sqlite_path) as conn:
            return {
                table: [
                    row[3]
                    for row in conn.execute(
                        f"EXPLAIN QUERY PLAN SELECT * FROM {table} "  # noqa: S608 (fixed names)
                        "WHERE tenant = ? AND org_id = ? ORDER BY id",
                        (target.tenant, org_id),
                    )
                ]
                for table in ("people", "relationships")
            }
    text = (ROOT / "queries" / "snapshot.cypher").read_text("utf-8")
    _, summary, _ = target.driver.execute_query(
        "PROFILE " + text,
        tenant=target.tenant,
        org_id=org_id,
        database_=target.database,
        routing_=neo4j.RoutingControl.READ,
    )
    profile = summary.profile or {}
    operators: list[str] = []

    def walk(node: dict[str, Any]) -> int:
        operators.append(str(node.get("operatorType", "")).split("@")[0])
        hits = int(node.get("dbHits", 0))
        return hits + sum(walk(child) for child in node.get("children", []))

    hits = walk(profile)
    seeks = sorted({op for op in operators if "Seek" in op or "Scan" in op})
    return {"db_hits": hits, "seeks_and_scans": seeks}


def export(target: Target, key: str) -> dict[str, Any]:
    """Stream the tenant's whole export from a fresh server: rows/s and peak memory."""
    with Server(target.server_env()) as server:
        headers = {"Authorization": f"Bearer {key}"}
        with httpx.Client(base_url=server.url, headers=headers, timeout=3600) as client:
            client.get("/v1/organisations", params={"limit": 1})  # warm the process
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


def run_store(target: Target, sizes: tuple[int, ...], do_export: bool, seed: int) -> dict[str, Any]:
    print(f"{target.kind}:", flush=True)
    store = target.open()
    try:
        key = new_key(store, target.tenant)
        team = [
            store.create_team_member(target.tenant, TeamMemberCreate(name=f"Member {i:02d}")).id
            for i in range(TEAM)
        ]
        org_id, _ = load_account(store, target.tenant, MEASURED_PEOPLE, seed=MEASURED_PEOPLE)
        stored = MEASURED_PEOPLE
        others: list[str] = []
        results = []
        for size in sizes:
            if size > stored:
                added = fill(target, store, team, size - stored, seed + size)
                others = others or random.Random(seed).sample(added, min(OTHERS, len(added)))
            stored = max(stored, size)
            print(f"  {size:,} people: measuring ...", flush=True)
            found = measure(target, store, key, org_id, others)
            found["size"] = size
            if do_export:
                found["export"] = export(target, key)
            results.append(found)
            print(
                f"    snapshot p50 {ms(median(found['snapshot_s']))} ms, + ranking "
                f"{ms(median(found['snapshot_rank_s']))} ms, endpoint "
                f"{ms(median(found['endpoint_s']))} ms", flush=True
            )  # fmt: skip
        return {"store": target.kind, "sizes": results}
    finally:
        store.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.scale_bench", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--store", action="append", choices=["sqlite", "neo4j"])
    parser.add_argument("--sizes", help="comma-separated database sizes in people")
    parser.add_argument("--quick", action="store_true", help="10k and 100k people")
    parser.add_argument("--no-export", action="store_true", help="skip the export runs")
    parser.add_argument("--neo4j-uri", help=f"a Neo4j to use (default: our own on {BENCH_NEO4J})")
    parser.add_argument("--neo4j-database", default="neo4j")
    parser.add_argument("--write-doc", action="store_true", help="update docs/PERFORMANCE.md")
    parser.add_argument("--report", type=Path, help="re-render the report of a results JSON")
    args = parser.parse_args(argv)
    if args.report:
        saved = json.loads(args.report.read_text("utf-8"))
        text = report(saved["machine"], saved["results"], saved.get("at"))
        print(text)
        if args.write_doc:
            write_section(HEADING, text)
        return 0
    sizes: tuple[int, ...] = SIZES if not args.quick else (10_000, 100_000)
    if args.sizes:
        sizes = tuple(int(size) for size in args.sizes.split(","))
    stores = args.store or ["sqlite", "neo4j"]
    info = machine()
    print(machine_line(info), flush=True)

    results = []
    with tempfile.TemporaryDirectory(prefix="stakemap-bench-") as workdir:
        for kind in stores:
            target = Target(kind, Path(workdir), database=args.neo4j_database)
            if kind == "neo4j":
                target.neo4j_uri = args.neo4j_uri or BENCH_NEO4J
                if not args.neo4j_uri and not bench_neo4j_running():
                    neo4j_script("start")
                    target.started_neo4j = True
                target.driver = neo4j.GraphDatabase.driver(
                    target.neo4j_uri, auth=("neo4j", neo4j_password())
                )
            try:
                results.append(run_store(target, sizes, not args.no_export, seed=17))
            finally:
                target.cleanup()

    path = save("scale", {"machine": info, "sizes": list(sizes), "results": results})
    print(f"results: {path}")
    text = report(info, results)
    print(text)
    if args.write_doc:
        write_section(HEADING, text)
    return 0


def report(info: dict[str, Any], results: list[dict[str, Any]], at: str | None = None) -> str:
    stamp = at or datetime.now(UTC).strftime("%Y%m%d")
    lines = [
        f"`python -m bench.scale_bench` ({stamp[:4]}-{stamp[4:6]}-{stamp[6:8]}). "
        f"{machine_line(info)}",
        "",
        f"One tenant: a team of {TEAM}, a measured account of {MEASURED_PEOPLE:,} people, and "
        "filler accounts of 100-300 people until the database holds the size shown. "
        "*snapshot*: the store's one-round-trip read of the account, in the bench process; "
        "*+ ranking*: snapshot, graph and influence ranking in the bench process; "
        "*endpoint*: `GET …/influence` over HTTP with nothing cached; *others*: the snapshot "
        f"of {OTHERS} filler accounts that exist at every size. Medians of {REPEATS} "
        f"({HTTP_REPEATS} over HTTP). The ratio is largest size / smallest (target: at most "
        "1.3).",
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
            cells = [
                ratio(median(last[name]) / median(first[name]))
                for name in ("snapshot_s", "snapshot_rank_s", "endpoint_s", "others_snapshot_s")
            ]
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


def scale_verdict(results: list[dict[str, Any]]) -> str:
    notes = []
    for r in results:
        first, last = r["sizes"][0], r["sizes"][-1]
        if len(r["sizes"]) < 2:
            continue
        worst = max(
            median(last[name]) / median(first[name])
            for name in ("snapshot_s", "snapshot_rank_s", "endpoint_s", "others_snapshot_s")
        )
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
