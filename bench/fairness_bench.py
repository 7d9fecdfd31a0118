"""Random parameters from many clients: throughput, tail latency, memory, and another tenant.

    python -m bench.fairness_bench               # 1,000 requests from 50 clients, 2,000 people
    python -m bench.fairness_bench --quick       # 300 requests
    python -m bench.fairness_bench --write-doc   # also update docs/PERFORMANCE.md

A generated account (:mod:`bench.orgs`) of tenant A is loaded into a fresh SQLite store and
served by uvicorn (one worker, the defaults). 50 concurrent clients of tenant A then send
requests whose parameters are all different: the ranking with four random weights, entry
paths with a random target, member and ``k``, next contacts with a random member and
``limit`` (a third each). Measured: requests per second, latency percentiles, and the server's
resident memory before, right after and a few seconds after the load. Meanwhile tenant B,
with a small account of its own, asks one new question after another (entry paths with a
random target and ``k``, so each is computed); its latency is compared with the same requests
on the idle server.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from bench._common import (
    Server,
    comparison_options,
    earlier,
    load_account,
    machine,
    machine_line,
    median,
    new_key,
    p95,
    publish,
    rerender_compared,
    save,
    timed_get,
)
from graph.sqlite_store import SqliteStore
from graph.store import GraphStore

HEADING = "## Random parameters from many clients"
PEOPLE = 2_000
OTHER_PEOPLE = 200
CLIENTS = 50
REQUESTS = 1_000
QUICK_REQUESTS = 300
PROBES_IDLE = 20
SETTLE_S = 5.0
TENANT_A = f"bench-fair-a-{uuid.uuid4().hex[:8]}"
TENANT_B = f"bench-fair-b-{uuid.uuid4().hex[:8]}"


def _query(rng: random.Random, people: list[str], team: list[str]) -> tuple[str, dict[str, Any]]:
    """One request of tenant A with parameters nobody asked for before."""
    kind = rng.randrange(3)
    if kind == 0:
        weights = {f"w_{name}": round(rng.uniform(0.01, 1), 6) for name in _WEIGHTS}
        return "/influence", weights
    member = rng.choice([None, *team])
    chosen = {} if member is None else {"member_id": member}
    if kind == 1:
        return "/entry-paths", {"target_id": rng.choice(people), "k": rng.randint(1, 20), **chosen}
    return "/next-contacts", {"limit": rng.randint(1, 50), **chosen}


_WEIGHTS = ("formal", "informal", "brokerage", "declared")


async def _load(
    url: str, key: str, base: str, people: list[str], team: list[str], total: int
) -> dict[str, Any]:
    """``total`` requests from ``CLIENTS`` concurrent clients; latencies and failures."""
    rng = random.Random(7)
    jobs = [_query(rng, people, team) for _ in range(total)]
    queue: asyncio.Queue[tuple[str, dict[str, Any]]] = asyncio.Queue()
    for job in jobs:
        queue.put_nowait(job)
    latencies: list[float] = []
    failures: dict[str, int] = {}
    limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(
        base_url=url, headers=headers, timeout=600, limits=limits
    ) as client:

        async def worker() -> None:
            while True:
                try:
                    path, params = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                started = time.perf_counter()
                label = ""
                for _ in range(2):  # a keep-alive connection the server closed: once more
                    try:
                        response = await client.get(base + path, params=params)
                    except httpx.TransportError as exc:
                        label = f"{path} {type(exc).__name__}"
                        continue
                    label = "" if response.status_code == 200 else f"{path} {response.status_code}"
                    break
                latencies.append(time.perf_counter() - started)
                if label:
                    failures[label] = failures.get(label, 0) + 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CLIENTS)))
        elapsed = time.perf_counter() - started
    return {"latencies_s": latencies, "failures": failures, "elapsed_s": elapsed}


def _probe(client: httpx.Client, base: str, people: list[str], rng: random.Random) -> float:
    params = {"target_id": rng.choice(people), "k": rng.randint(1, 20)}
    return timed_get(client, base + "/entry-paths", **params)[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.fairness_bench", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_REQUESTS} requests")
    parser.add_argument("--people", type=int, default=PEOPLE)
    comparison_options(parser)
    args = parser.parse_args(argv)
    if args.report:
        return rerender_compared(args, report, HEADING)
    before = earlier(args)
    total = QUICK_REQUESTS if args.quick else REQUESTS
    info = machine()
    print(machine_line(info), flush=True)
    with tempfile.TemporaryDirectory(prefix="stakemap-bench-") as workdir:
        db = Path(workdir) / "fairness.db"
        store = GraphStore(SqliteStore(db))
        try:
            key_a = new_key(store, TENANT_A)
            key_b = new_key(store, TENANT_B)
            org_a, ids_a = load_account(store, TENANT_A, args.people, seed=args.people)
            org_b, ids_b = load_account(store, TENANT_B, OTHER_PEOPLE, seed=OTHER_PEOPLE)
        finally:
            store.close()
        people_a = [v for k, v in ids_a.items() if k.startswith("p")]
        team_a = [v for k, v in ids_a.items() if k.startswith("t")]
        people_b = [v for k, v in ids_b.items() if k.startswith("p")]
        base_a, base_b = f"/v1/organisations/{org_a}", f"/v1/organisations/{org_b}"
        with Server({"STAKEMAP_SQLITE_PATH": str(db)}) as server:
            a = httpx.Client(
                base_url=server.url, headers={"Authorization": f"Bearer {key_a}"}, timeout=600
            )
            b = httpx.Client(
                base_url=server.url, headers={"Authorization": f"Bearer {key_b}"}, timeout=600
            )
            with a, b:
                cold_s = timed_get(a, base_a + "/influence")[0]  # graph and ranking warm
                timed_get(b, base_b + "/influence")
                rng = random.Random(11)
                idle = [_probe(b, base_b, people_b, rng) for _ in range(PROBES_IDLE)]
                rss_before = server.rss_mib()
                loaded: list[float] = []
                done = False

                def probe_during() -> None:
                    while not done:
                        loaded.append(_probe(b, base_b, people_b, rng))

                prober = threading.Thread(target=probe_during)
                prober.start()
                try:
                    load = asyncio.run(_load(server.url, key_a, base_a, people_a, team_a, total))
                finally:
                    done = True
                    prober.join()
                rss_after = server.rss_mib()
                time.sleep(SETTLE_S)
                rss_settled = server.rss_mib()
                peak = server.peak_rss_mib()
                metrics = httpx.get(server.url + "/metrics", timeout=30).text
    latencies = load["latencies_s"]
    result: dict[str, Any] = {
        "label": args.label,
        "quick": args.quick,
        "people": args.people,
        "other_people": OTHER_PEOPLE,
        "clients": CLIENTS,
        "requests": total,
        "cold_ranking_s": cold_s,
        "elapsed_s": load["elapsed_s"],
        "rps": total / load["elapsed_s"],
        "p50_s": float(np.percentile(latencies, 50)),
        "p99_s": float(np.percentile(latencies, 99)),
        "max_s": max(latencies),
        "failures": load["failures"],
        "rss_before_mib": rss_before,
        "rss_after_mib": rss_after,
        "rss_settled_mib": rss_settled,
        "peak_rss_mib": peak,
        "cache_bytes": _metric(metrics, "stakemap_analytics_cache_bytes"),
        "other_idle_s": idle,
        "other_loaded_s": loaded,
    }
    path = save("fairness", {"machine": info, **result})
    print(f"results: {path}")
    text = report(info, {**result, "at": path.stem.rsplit("-", 1)[-1]}, before)
    publish(HEADING, text, write_doc=args.write_doc)
    return 0


def _metric(text: str, name: str) -> float | None:
    for line in text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.rsplit(" ", 1)[1])
    return None


def _cells(r: dict[str, Any]) -> list[str]:
    idle, loaded = median(r["other_idle_s"]), median(r["other_loaded_s"] or [float("nan")])
    cache = "-" if r.get("cache_bytes") is None else f"{r['cache_bytes'] / 2**20:,.0f} MiB"
    failures = ", ".join(f"{k}: {v}" for k, v in r["failures"].items()) or "none"
    return [
        f"{r['rps']:,.1f}",
        f"{r['p50_s'] * 1000:,.0f} / {r['p99_s'] * 1000:,.0f} / {r['max_s'] * 1000:,.0f} ms",
        failures,
        f"{r['rss_before_mib']:,.0f} → {r['rss_after_mib']:,.0f} → "
        f"{r['rss_settled_mib']:,.0f} MiB (peak {r['peak_rss_mib']:,.0f})",
        cache,
        f"{idle * 1000:,.1f} → {loaded * 1000:,.1f} ms, p95 {p95(r['other_loaded_s']) * 1000:,.0f} "
        f"ms ({len(r['other_loaded_s'])} requests during the load)",
    ]


MEASURES = (
    "requests/s",
    "latency p50 / p99 / max",
    "failed requests",
    f"RSS before → after → {SETTLE_S:.0f} s later",
    "analytics cache after the load",
    "tenant B, new entry paths: p50 idle → during the load",
)


def report(info: dict[str, Any], r: dict[str, Any], before: dict[str, Any] | None = None) -> str:
    """The markdown section; with ``before`` (the results of a run of an earlier build), a
    column for each."""
    stamp = str(r.get("at") or datetime.now(UTC).strftime("%Y%m%d"))
    head = f"""`python -m bench.fairness_bench` ({stamp[:4]}-{stamp[4:6]}-{stamp[6:8]}). \
{machine_line(info)}

Tenant A: a {r["people"]:,}-person account; {r["clients"]} concurrent clients send \
{r["requests"]:,} requests whose parameters are all new (a third each: `GET …/influence` with \
four random weights, `…/entry-paths` with a random target, member and `k`, \
`…/next-contacts` with a random member and `limit`), after one cold ranking \
({r["cold_ranking_s"] * 1000:,.0f} ms). Tenant B: a {r["other_people"]}-person account, one \
new entry-path question after another during the load. uvicorn, one worker, the default \
settings; resident memory from `/proc`.

What bounds the memory is the byte-bounded cache (`STAKEMAP_CACHE_MAX_BYTES`, each question's \
parameter variants capped by `STAKEMAP_CACHE_MAX_VARIANTS`); what keeps tenant B served is \
the fair sharing of cold computations (tenant A holds at most \
`STAKEMAP_ANALYTICS_TENANT_CONCURRENCY` of the `STAKEMAP_ANALYTICS_CONCURRENCY` slots). \
Random weights cost a re-sort of the cached default ranking; the requests per second are \
bounded by the entry-path and next-contact questions, each a new computation over the \
account's whole hop graph (about 0.4-0.5 s at 2,000 people, *Entry paths and next contacts* \
above), one interpreter lock for all of them.
"""
    now = _cells(r)
    if before is None:
        rows = "\n".join(f"| {m} | {v} |" for m, v in zip(MEASURES, now, strict=True))
        return f"{head}\n| measure | value |\n|---|---:|\n{rows}\n"
    then = _cells(before)
    rows = "\n".join(f"| {m} | {b} | {a} |" for m, b, a in zip(MEASURES, then, now, strict=True))
    return (
        f"{head}\n*Before* is the same bench on the build before the byte-bounded cache, the "
        f"fair sharing and the normalised weights ({before.get('label') or 'earlier build'}, "
        f"load average {before['machine']['load_average'][0]:g} when it started).\n\n"
        f"| measure | before | after |\n|---|---:|---:|\n{rows}\n"
    )


if __name__ == "__main__":
    raise SystemExit(main())
