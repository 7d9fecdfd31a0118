"""The first ranking after an edit, over HTTP, against the same work in one process.

    python -m bench.cold_bench               # 2,000 and 5,000 people, five runs each
    python -m bench.cold_bench --quick       # 2,000 people, three runs
    python -m bench.cold_bench --write-doc   # also update docs/PERFORMANCE.md

A generated account (:mod:`bench.orgs`) is loaded into a fresh SQLite store and served by
uvicorn (one worker, the default settings: the betweenness kernel in a worker process,
background recomputation on). Its ranking and power map are read once, so the
organisation is *viewed*. Then, five times: a person is edited (``PATCH`` with
``If-Match``) and the ranking read at once (``GET …/influence``: the write dropped every
cached answer, so this read reads the snapshot, builds the graph and ranks, while the
background recomputation the write scheduled starts 0.25 s later). Beside each read, in
this process, the same work from the same store file: snapshot, graph, ranking (the kernel
in this process) and the JSON, timed before and after the request (their mean is the
reference of that run). Target: HTTP / in-process at most 1.5x at 2,000 and 5,000 people,
and over the five runs the largest ratio at most 1.25x the smallest.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import orjson

from bench._common import (
    Server,
    load_account,
    machine,
    machine_line,
    median,
    ms,
    new_key,
    ratio,
    save,
    timed_get,
    write_section,
)
from graph.analytics import rank_influence
from graph.network import build_graph
from graph.sqlite_store import SqliteStore

HEADING = "## The first ranking after an edit"
SIZES = (2_000, 5_000)
QUICK_SIZES = (2_000,)
RUNS = 5
QUICK_RUNS = 3
SETTLE_S = 8.0
"""Pause between runs, so the background recomputation of the previous edit is done."""
TENANT = f"bench-cold-{uuid.uuid4().hex[:8]}"
TARGET_RATIO = 1.5
TARGET_SPREAD = 1.25


def in_process(store: SqliteStore, org_id: str) -> float:
    """Snapshot, graph, ranking and JSON in this process (seconds)."""
    started = time.perf_counter()
    rank_influence(build_graph(store.snapshot(TENANT, org_id))).model_dump_json()
    return time.perf_counter() - started


def measure(db: Path, key: str, org_id: str, n: int, runs: int) -> dict[str, Any]:
    store = SqliteStore(db)
    try:
        in_process(store, org_id)  # warm-up: imports, the page cache
        with Server({"STAKEMAP_SQLITE_PATH": str(db)}) as server:
            headers = {"Authorization": f"Bearer {key}"}
            with httpx.Client(base_url=server.url, headers=headers, timeout=600) as client:
                base = f"/v1/organisations/{org_id}"
                items = orjson.loads(timed_get(client, base + "/influence")[1])["items"]
                timed_get(client, base + "/power-map")  # viewed: recomputed after a write
                time.sleep(SETTLE_S)
                http: list[float] = []
                reference: list[float] = []
                for i in range(runs):
                    person = f"{base}/people/{items[i]['person_id']}"
                    etag = client.get(person).headers["etag"]
                    before = in_process(store, org_id)
                    edited = client.patch(
                        person, json={"title": f"Edited {i}"}, headers={"If-Match": etag}
                    )
                    if edited.status_code != 200:
                        raise RuntimeError(f"PATCH answered {edited.status_code}")
                    http.append(timed_get(client, base + "/influence")[0])
                    time.sleep(SETTLE_S)
                    reference.append((before + in_process(store, org_id)) / 2)
    finally:
        store.close()
    ratios = [h / r for h, r in zip(http, reference, strict=True)]
    row = {
        "people": n,
        "http_s": http,
        "in_process_s": reference,
        "ratios": ratios,
        "p50_ratio": median(ratios),
        "max_ratio": max(ratios),
        "spread": max(ratios) / min(ratios),
    }
    print(
        f"  {n:>6,} people: HTTP {', '.join(ms(h) for h in http)} ms; in process "
        f"{', '.join(ms(r) for r in reference)} ms; ratios "
        f"{', '.join(ratio(x) for x in ratios)}", flush=True
    )  # fmt: skip
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.cold_bench", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="2,000 people, three runs")
    parser.add_argument("--write-doc", action="store_true", help="update docs/PERFORMANCE.md")
    parser.add_argument("--sizes", help="comma-separated account sizes")
    parser.add_argument("--label", default="", help="a note saved with the results")
    parser.add_argument("--report", type=Path, help="re-render the report of a results JSON")
    args = parser.parse_args(argv)
    if args.report:
        saved = json.loads(args.report.read_text("utf-8"))
        text = report(saved["machine"], saved)
        print(text)
        if args.write_doc:
            write_section(HEADING, text)
        return 0
    sizes: tuple[int, ...] = QUICK_SIZES if args.quick else SIZES
    if args.sizes:
        sizes = tuple(int(size) for size in args.sizes.split(","))
    runs = QUICK_RUNS if args.quick else RUNS
    info = machine()
    print(machine_line(info), flush=True)
    rows = []
    with tempfile.TemporaryDirectory(prefix="stakemap-bench-") as workdir:
        db = Path(workdir) / "cold.db"
        store = SqliteStore(db)
        try:
            key = new_key(store, TENANT)
            orgs = {n: load_account(store, TENANT, n, seed=n)[0] for n in sizes}
        finally:
            store.close()
        for n, org_id in orgs.items():
            rows.append(measure(db, key, org_id, n, runs))
    full = not args.quick and not args.sizes
    result = {"label": args.label, "quick": args.quick, "full": full, "runs": runs, "rows": rows}
    path = save("cold", {"machine": info, **result})
    print(f"results: {path}")
    text = report(info, {**result, "at": path.stem.rsplit("-", 1)[-1]})
    print(text)
    if args.write_doc:
        write_section(HEADING, text)
    return 0


def report(info: dict[str, Any], r: dict[str, Any]) -> str:
    stamp = str(r.get("at") or datetime.now(UTC).strftime("%Y%m%d"))
    lines = [
        f"`python -m bench.cold_bench` ({stamp[:4]}-{stamp[4:6]}-{stamp[6:8]}). "
        f"{machine_line(info)}",
        "",
        "A person of a generated account is edited while its ranking and power map are "
        "cached, and the ranking read at once over HTTP (uvicorn, one worker, the default "
        "settings: the kernel in a worker process, background recomputation on). Beside "
        "each read, the same work in the bench process from the same store: snapshot, "
        "graph, ranking (kernel in process), JSON; the mean of one run just before the edit "
        "and one after the read is that run's reference. Target: HTTP / in-process at most "
        f"{TARGET_RATIO}x, and the largest of the {r['runs']} ratios at most "
        f"{TARGET_SPREAD}x the smallest.",
        "",
        "| people | HTTP ms (runs) | in process ms (runs) | ratio (runs) | ratio p50 "
        "| largest / smallest |",
        "|---:|---|---|---|---:|---:|",
    ]
    for row in r["rows"]:
        lines.append(
            f"| {row['people']:,} | {', '.join(ms(x) for x in row['http_s'])} "
            f"| {', '.join(ms(x) for x in row['in_process_s'])} "
            f"| {', '.join(ratio(x) for x in row['ratios'])} | **{ratio(row['p50_ratio'])}** "
            f"| **{ratio(row['spread'])}** |"
        )
    lines += ["", verdict(r["rows"])]
    return "\n".join(lines)


def verdict(rows: list[dict[str, Any]]) -> str:
    worst = max(row["max_ratio"] for row in rows)
    spread = max(row["spread"] for row in rows)
    met = worst <= TARGET_RATIO and spread <= TARGET_SPREAD
    sizes = ", ".join(f"{row['people']:,}" for row in rows)
    return (
        f"**Target {'met' if met else 'missed'}** at {sizes} people: the largest ratio is "
        f"{ratio(worst)} (target {TARGET_RATIO}x), the largest spread {ratio(spread)} "
        f"(target {TARGET_SPREAD}x)."
    )


if __name__ == "__main__":
    raise SystemExit(main())
