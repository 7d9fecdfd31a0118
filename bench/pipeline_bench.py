"""The pipeline export (``GET /v1/exports/deals.csv``): rows/s and memory, against the
influence export of the same tenant, same run.

    python -m bench.pipeline_bench               # 10k and 100k open deals
    python -m bench.pipeline_bench --small       # 1k and 10k
    python -m bench.pipeline_bench --write-doc   # also put the table in docs/PERFORMANCE.md

It loads generated organisations into a fresh SQLite store: ``PEOPLE_PER_ORG`` people each
(a 4-ary reporting tree, influence and peer ties), ``TEAM`` colleagues with ties into each,
and ``OPEN_DEALS_PER_ORG`` open deals plus ``CLOSED_DEALS_PER_ORG`` closed ones, each with a
committee of ``SEATS`` people of random roles and stances; one seat in ten declares an
influence of its own (the adversarial part: that deal is ranked afresh, the others reuse the
organisation's ranking). Then, in a fresh process per measurement so peaks do not mix, it
streams

* **pipeline**: ``app.routers.exports.export_chunks(…, Export.DEALS, …)``, what the route
  streams: one row per open deal, each a deal view, a target, the engaged committee and the
  best warm path;
* **influence** (the reference): the influence export of the same tenant, one row per person;

to ``/dev/null`` and reports rows, seconds, rows/s and the peak resident memory the export
added to its process. Constant memory shows as a pipeline peak that does not grow from the
small tenant to the large one. Results go to ``bench/results/`` as JSON.
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
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bench._common import machine, machine_line, measured_in_child, publish, save
from bench.export_bench import org_body
from graph.store import GraphStore

DOC_HEADING = "## Pipeline export"
PEOPLE_PER_ORG = 50
OPEN_DEALS_PER_ORG = 50
CLOSED_DEALS_PER_ORG = 5
SEATS = 5
TEAM = 4
TEAM_TIES = 12
SEED = 20261202
ROLES = ["decision_maker", "economic_buyer", "coach", "technical_buyer", "influencer", "user_buyer"]
STANCES = ["champion", "supporter", "neutral", "neutral", "skeptic", "opponent"]


def deals_body(rng: random.Random, team: list[str], today: date) -> dict[str, Any]:
    """One organisation: people, our team's ties into it, and its deals."""
    body = org_body(rng, PEOPLE_PER_ORG)
    pairs = {(rng.choice(team), rng.randrange(PEOPLE_PER_ORG)) for _ in range(TEAM_TIES)}
    for member, person in sorted(pairs):
        body["relationships"].append(
            {
                "type": "KNOWS",
                "source": member,
                "target": f"p{person}",
                "strength": round(rng.uniform(0.2, 1.0), 2),
            }
        )
    deals = []
    for d in range(OPEN_DEALS_PER_ORG + CLOSED_DEALS_PER_ORG):
        committee = [
            {
                "person": f"p{p}",
                "roles": rng.sample(ROLES, rng.randint(0, 2)),
                "stance": rng.choice(STANCES),
                **({"influence": rng.randint(1, 5)} if rng.random() < 0.1 else {}),
            }
            for p in rng.sample(range(PEOPLE_PER_ORG), SEATS)
        ]
        deals.append(
            {
                "ref": f"d{d}",
                "name": f"Deal {d}",
                "amount": f"{rng.randint(1, 900) * 1000}",
                "currency": "EUR",
                "stage": "proposal_price_quote" if d < OPEN_DEALS_PER_ORG else "closed_won",
                "close_date": (today + timedelta(days=rng.randint(-10, 200))).isoformat(),
                "trigger": rng.choice(["planned_replacement", "catching_up", None]),
                "owner": rng.choice(team),
                "committee": committee,
            }
        )
    body["opportunities"] = deals
    return body


def build(db: Path, tenant: str, orgs: int) -> float:
    """Load ``orgs`` organisations into ``tenant``; answer the seconds it took."""
    from graph.sqlite_store import SqliteStore
    from schemas.imports import ImportRequest
    from schemas.resources import OrganisationCreate, TeamMemberCreate

    rng = random.Random(SEED)
    store = GraphStore(SqliteStore(db))
    started = time.perf_counter()
    try:
        team = [
            store.create_team_member(tenant, TeamMemberCreate(name=f"Colleague {i}")).id
            for i in range(TEAM)
        ]
        today = datetime.now(UTC).date()
        for i in range(orgs):
            org = store.create_organisation(tenant, OrganisationCreate(name=f"Account {i:05d}"))
            body = ImportRequest.model_validate(deals_body(rng, team, today))
            store.import_graph(tenant, org.id, body)
    finally:
        store.close()
    return time.perf_counter() - started


def _peak_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def measure(db: Path, tenant: str, mode: str) -> dict[str, Any]:
    """One export in this process: rows, bytes, seconds and peak memory."""
    from app.bootstrap import build_services
    from app.routers.exports import Export, ExportFormat, export_chunks
    from app.settings import Settings

    services = build_services(
        Settings(store="sqlite", sqlite_path=db, analytics_processes=0), kernel_workers=False
    )
    service = services.analytics
    # warm up before the baseline: the connection and the imports a first answer pulls in
    next(iter(service.export_pipeline(tenant, page_size=1)), None)
    gc.collect()
    before = _peak_kib()
    what = Export.DEALS if mode == "pipeline" else Export.INFLUENCE
    started = time.perf_counter()
    written = rows = 0
    with open(os.devnull, "wb") as sink:
        for chunk in export_chunks(service, tenant, what, ExportFormat.CSV):
            sink.write(chunk)
            written += len(chunk)
            rows += chunk.count(b"\r\n")
    seconds = time.perf_counter() - started
    services.close()
    return {
        "mode": mode,
        "rows": rows - 1,
        "bytes": written,
        "seconds": round(seconds, 2),
        "rows_per_second": round((rows - 1) / seconds, 1),
        "rss_before_mib": round(before / 1024, 1),
        "rss_added_mib": round((_peak_kib() - before) / 1024, 1),
    }


def table(results: list[dict[str, Any]]) -> str:
    lines = [
        "| organisations | export | rows | seconds | rows/s | peak RSS added |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['orgs']:,} | {r['mode']} | {r['rows']:,} | {r['seconds']} "
            f"| {r['rows_per_second']:,.0f} | {r['rss_added_mib']} MiB |"
        )
    return "\n".join(lines)


def section(results: list[dict[str, Any]], info: dict[str, Any]) -> str:
    by = {(r["orgs"], r["mode"]): r for r in results}
    sizes = sorted({r["orgs"] for r in results})
    small, large = sizes[0], sizes[-1]
    pipeline, influence = by[(large, "pipeline")], by[(large, "influence")]
    speed = pipeline["rows_per_second"] / influence["rows_per_second"]
    growth = pipeline["rss_added_mib"] - by[(small, "pipeline")]["rss_added_mib"]
    stamp = datetime.now(UTC).date().isoformat()
    return f"""`python -m bench.pipeline_bench` ({stamp}). {machine_line(info)}

Generated organisations of {PEOPLE_PER_ORG} people (a reporting tree, influence and peer ties),
{TEAM} colleagues with {TEAM_TIES} ties into each, and {OPEN_DEALS_PER_ORG} open plus
{CLOSED_DEALS_PER_ORG} closed deals each, committees of {SEATS} with random roles and stances (one
seat in ten declares its own influence, so about {1 - 0.9**SEATS:.0%} of the deals are ranked
afresh); a fresh SQLite store, each measurement in a fresh process. *pipeline* is
`app.routers.exports.export_chunks(…, Export.DEALS, CSV)`, what `GET /v1/exports/deals.csv`
streams (organisations with an open deal a page at a time, one organisation held at a time, one
row per open deal); *influence* is the reference: the influence export of the same tenant (one
row per person). "Peak RSS added" is the process's peak resident memory during the export minus
before it.

{table(results)}

At {large:,} organisations the pipeline writes {pipeline["rows_per_second"]:,.0f} rows/s,
x{speed:.3f} the influence export's {influence["rows_per_second"]:,.0f} rows/s: a deal row is a
deal view, a target, the committee's engagement and a best-warm-path search, where an influence
row is one person of a ranking computed once per organisation. From {small:,} to {large:,}
organisations the pipeline's peak memory grows by {growth:+.1f} MiB: it holds one organisation
at a time.
"""


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", action="store_true", help="1k and 10k open deals")
    parser.add_argument("--write-doc", action="store_true", help="update docs/PERFORMANCE.md")
    parser.add_argument(
        "--measure", nargs=3, metavar=("DB", "TENANT", "MODE"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if args.measure:
        db, tenant, mode = args.measure
        print(json.dumps(measure(Path(db), tenant, mode)))
        return 0

    sizes = [20, 200] if args.small else [200, 2000]
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="stakemap-pipeline-bench-") as tmp:
        db = Path(tmp) / "bench.db"
        for orgs in sizes:
            tenant = f"bench-{orgs}"
            seconds = build(db, tenant, orgs)
            print(
                f"loaded {orgs} organisations ({orgs * OPEN_DEALS_PER_ORG:,} open deals) "
                f"in {seconds:.1f}s",
                flush=True,
            )
            for mode in ("influence", "pipeline"):
                result = measured_in_child("bench.pipeline_bench", str(db), tenant, mode)
                result["orgs"] = orgs
                results.append(result)
                print(json.dumps(result), flush=True)
    info = machine()
    print(f"results: {save('pipeline', {'machine': info, 'results': results})}")
    print()
    publish(DOC_HEADING, section(results, info), write_doc=args.write_doc, full=not args.small)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
