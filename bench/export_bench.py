"""Memory of the tenant-wide influence export: streamed against materialised, same run.

    python -m bench.export_bench               # 10k and 100k people (100 per organisation)
    python -m bench.export_bench --small       # 1k and 10k
    python -m bench.export_bench --write-doc   # also put the table in docs/PERFORMANCE.md

It loads generated organisations (100 people each: a reporting tree, influence and peer
ties) into a fresh SQLite store, then, in a fresh process per measurement so peaks do not
mix, runs

* **streamed**: ``app.routers.exports.export_chunks``, the generator the route hands to
  ``StreamingResponse`` (organisations a page at a time, one ranking in memory at a time),
  writing every chunk to ``/dev/null``;
* **materialised** (the reference): the same rankings collected first and the whole CSV
  body built in memory, as a non-streaming endpoint would;

and reports, per size, the rows written, the time taken and the peak resident memory the
export added to its process (``ru_maxrss`` after the run minus before it), plus the peak of
Python allocations seen by ``tracemalloc`` in a separate run. Constant memory shows as a
streamed peak that does not grow from 10k to 100k people while the reference grows with
them. Results go to ``bench/results/`` as JSON.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench._common import machine, machine_line, measured_in_child, publish, save
from graph.store import GraphStore

DOC_HEADING = "## Export"
PEOPLE_PER_ORG = 100
SEED = 20260101


def org_body(rng: random.Random, n: int) -> dict[str, Any]:
    """One organisation as an import body: a 4-ary reporting tree plus influence and peers."""
    stances = ["champion", "supporter", "neutral", "neutral", "skeptic", "opponent"]
    roles = [[], [], [], ["influencer"], ["evaluator"], ["technical_buyer"], ["user_buyer"]]
    people = []
    for i in range(n):
        person: dict[str, Any] = {
            "ref": f"p{i}",
            "name": f"Person {i}",
            "title": "Chief Executive Officer" if i == 0 else f"Manager {i}",
            "stance": rng.choice(stances),
            "roles": ["decision_maker"] if i == 0 else rng.choice(roles),
            "influence": rng.randint(1, 5),
        }
        if i:
            person["reports_to"] = f"p{(i - 1) // 4}"
        people.append(person)
    rels: list[dict[str, Any]] = []
    seen: set[tuple[str, str, str]] = set()
    for _ in range(n // 3):
        a, b = rng.sample(range(n), 2)
        for kind in ("INFLUENCES", "KNOWS"):
            key = (
                (kind, f"p{min(a, b)}", f"p{max(a, b)}")
                if kind == "KNOWS"
                else (kind, f"p{a}", f"p{b}")
            )
            if key in seen:
                continue
            seen.add(key)
            rels.append(
                {
                    "type": kind,
                    "source": key[1],
                    "target": key[2],
                    "strength": round(rng.random(), 2),
                }
            )
    return {"people": people, "relationships": rels}


def build(db: Path, tenant: str, orgs: int) -> float:
    """Load ``orgs`` organisations into ``tenant``; answer the seconds it took."""
    from graph.sqlite_store import SqliteStore
    from schemas.imports import ImportRequest
    from schemas.resources import OrganisationCreate

    rng = random.Random(SEED)
    store = GraphStore(SqliteStore(db))
    started = time.perf_counter()
    try:
        for i in range(orgs):
            org = store.create_organisation(tenant, OrganisationCreate(name=f"Account {i:05d}"))
            body = ImportRequest.model_validate(org_body(rng, PEOPLE_PER_ORG))
            store.import_graph(tenant, org.id, body)
    finally:
        store.close()
    return time.perf_counter() - started


def _peak_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def measure(db: Path, tenant: str, mode: str, trace: bool) -> dict[str, Any]:
    """One export in this process: rows, bytes, seconds and peak memory."""
    from app.bootstrap import build_services
    from app.routers.exports import Export, ExportFormat, export_chunks
    from app.settings import Settings
    from graph.powermap.export import csv_chunk, csv_header

    services = build_services(
        Settings(store="sqlite", sqlite_path=db, analytics_processes=0), kernel_workers=False
    )
    service = services.analytics
    # warm up before the baseline: the connection, and the imports and caches a first
    # ranking pulls in (scipy for PageRank), which any running server has already paid for
    next(iter(service.export_rankings(tenant, page_size=1)), None)
    gc.collect()
    if trace:
        tracemalloc.start()
    before = _peak_kib()
    started = time.perf_counter()
    written = rows = 0
    with open(os.devnull, "wb") as sink:
        if mode == "streamed":
            for chunk in export_chunks(service, tenant, Export.INFLUENCE, ExportFormat.CSV):
                sink.write(chunk)
                written += len(chunk)
                rows += chunk.count(b"\n")
        else:
            rankings = list(service.export_rankings(tenant))
            body = csv_header() + b"".join(csv_chunk(o.id, o.name, r) for o, r in rankings)
            sink.write(body)
            written, rows = len(body), body.count(b"\n")
    seconds = time.perf_counter() - started
    traced = tracemalloc.get_traced_memory()[1] if trace else None
    services.close()
    return {
        "mode": mode,
        "rows": rows - 1,
        "bytes": written,
        "seconds": round(seconds, 2),
        "rss_before_mib": round(before / 1024, 1),
        "rss_added_mib": round((_peak_kib() - before) / 1024, 1),
        "traced_peak_mib": None if traced is None else round(traced / 2**20, 1),
    }


def run_child(db: Path, tenant: str, mode: str, trace: bool) -> dict[str, Any]:
    extra = ("--trace",) if trace else ()
    return measured_in_child("bench.export_bench", str(db), tenant, mode, *extra)


def table(results: list[dict[str, Any]]) -> str:
    lines = [
        "| people | organisations | export | rows | seconds | peak RSS added | peak traced |",
        "|---:|---:|---|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['people']:,} | {r['orgs']:,} | {r['mode']} | {r['rows']:,} | {r['seconds']} "
            f"| {r['rss_added_mib']} MiB | {r['traced_peak_mib']} MiB |"
        )
    return "\n".join(lines)


def section(results: list[dict[str, Any]], info: dict[str, Any]) -> str:
    by = {(r["people"], r["mode"]): r for r in results}
    sizes = sorted({r["people"] for r in results})
    small, large = sizes[0], sizes[-1]
    growth_streamed = by[(large, "streamed")]["traced_peak_mib"] / max(
        by[(small, "streamed")]["traced_peak_mib"], 0.1
    )
    growth_reference = by[(large, "materialised")]["traced_peak_mib"] / max(
        by[(small, "materialised")]["traced_peak_mib"], 0.1
    )
    ratio = by[(large, "streamed")]["traced_peak_mib"] / max(
        by[(large, "materialised")]["traced_peak_mib"], 0.1
    )
    date = datetime.now(UTC).date().isoformat()
    return f"""`python -m bench.export_bench` ({date}). {machine_line(info)}

Generated organisations of {PEOPLE_PER_ORG} people each (a reporting tree, influence and peer
ties) in a fresh SQLite store; each measurement in a fresh process. *streamed* is
`app.routers.exports.export_chunks`, the generator `GET /v1/exports/influence.csv` streams
(organisations a page of 100 at a time, one ranking held at a time, rankings not cached);
*materialised* is the reference: the same rankings collected first and the whole CSV built in
memory, as a non-streaming endpoint would. Each process ranks one organisation first (as a
running server already has: imports, connection), then measures. "Peak RSS added" is the
process's peak resident memory during the export minus before it; "peak traced" is the peak of
Python allocations (`tracemalloc`, separate run, so its overhead does not touch the times).

{table(results)}

From {small:,} to {large:,} people the streamed export's traced peak grows x{growth_streamed:.2f}
(flat: it holds one organisation at a time) while the materialised reference grows
x{growth_reference:.1f}; at {large:,} people streaming needs {ratio:.1%} of the reference's memory.
"""


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", action="store_true", help="1k and 10k people")
    parser.add_argument("--write-doc", action="store_true", help="update docs/PERFORMANCE.md")
    parser.add_argument(
        "--measure", nargs=3, metavar=("DB", "TENANT", "MODE"), help=argparse.SUPPRESS
    )
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        db, tenant, mode = args.measure
        print(json.dumps(measure(Path(db), tenant, mode, args.trace)))
        return 0

    sizes = [10, 100] if args.small else [100, 1000]
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="stakemap-export-bench-") as tmp:
        db = Path(tmp) / "bench.db"
        for orgs in sizes:
            tenant = f"bench-{orgs}"
            seconds = build(db, tenant, orgs)
            print(
                f"loaded {orgs} organisations ({orgs * PEOPLE_PER_ORG:,} people) in {seconds:.1f}s",
                flush=True,
            )
            for mode in ("streamed", "materialised"):
                plain = run_child(db, tenant, mode, trace=False)
                traced = run_child(db, tenant, mode, trace=True)
                plain["traced_peak_mib"] = traced["traced_peak_mib"]
                plain.update(people=orgs * PEOPLE_PER_ORG, orgs=orgs)
                results.append(plain)
                print(json.dumps(plain), flush=True)
    info = machine()
    print(f"results: {save('export', {'machine': info, 'results': results})}")
    print()
    publish(DOC_HEADING, section(results, info), write_doc=args.write_doc)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
