"""The first ranking after an edit, over HTTP, against the same work in one process.

    python -m bench.cold_bench               # 2,000 and 5,000 people, five runs each
    python -m bench.cold_bench --quick       # 2,000 people, three runs
    python -m bench.cold_bench --write-doc   # also update docs/PERFORMANCE.md

A generated account (:mod:`bench.orgs`) is loaded into a fresh SQLite store and served by
uvicorn (one worker, the default settings: the betweenness kernel in a worker process,
background recomputation on). Its ranking and power map are read once, so the
organisation is *viewed*. Then, five runs of three rounds: a person is edited (``PATCH``
with ``If-Match``) and the ranking read at once (``GET …/influence``: the write dropped
every cached answer, so this read reads the snapshot, builds the graph and ranks, while the
background recomputation the write scheduled starts 0.25 s later); just before the edit,
in this process, the same work from the same store file: snapshot, graph, ranking (the
kernel in this process) and the JSON, once before the edit and once after the read (when
the server is idle again). A run takes the best of each side, and the bench waits for the
server to go idle (no CPU used) after each read. Target: HTTP /
in-process at most 1.5x at 2,000 and 5,000 people,
and over the five runs the largest ratio at most 1.25x the smallest.
"""

from __future__ import annotations

import argparse
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
    comparison_options,
    earlier,
    load_account,
    machine,
    machine_line,
    median,
    ms,
    new_key,
    publish,
    ratio,
    rerender_compared,
    save,
    timed_get,
)
from graph.analytics import rank_influence
from graph.network import build_graph
from graph.sqlite_store import SqliteStore
from graph.store import GraphStore

HEADING = "## The first ranking after an edit"
SIZES = (2_000, 5_000)
QUICK_SIZES = (2_000,)
RUNS = 5
QUICK_RUNS = 3
SETTLE_S = 30.0
"""Longest wait for the server to go idle after an edit (its background recomputation)."""
TRIES = 3
"""Edit-then-read rounds per run; a run is the best of them (the least disturbed by other
work on the machine), and so is its in-process reference."""
TENANT = f"bench-cold-{uuid.uuid4().hex[:8]}"
TARGET_RATIO = 1.5
TARGET_SPREAD = 1.25


def in_process(store: SqliteStore, org_id: str) -> float:
    """Snapshot, graph, ranking and JSON in this process (seconds)."""
    started = time.perf_counter()
    rank_influence(build_graph(store.snapshot(TENANT, org_id))).model_dump_json()
    return time.perf_counter() - started


def _cpu_ticks(pids: list[int]) -> int:
    """User + system CPU ticks used so far by these processes (``/proc/<pid>/stat``)."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children = (task / "children").read_text().split()
        found += [int(c) for c in children]
    return found


def wait_idle(server: Server) -> None:
    """Until the server and its worker processes use no CPU for a moment (the background
    recomputation of the last edit is over), at most ``SETTLE_S``."""
    deadline = time.monotonic() + SETTLE_S
    pids = [server.pid, *_children(server.pid)]
    last = _cpu_ticks(pids)
    quiet = 0
    while time.monotonic() < deadline and quiet < 3:
        time.sleep(0.2)
        now = _cpu_ticks(pids)
        quiet = quiet + 1 if now - last <= 1 else 0
        last = now


def measure(db: Path, key: str, org_id: str, n: int, runs: int) -> dict[str, Any]:
    """``runs`` runs, each the best of ``TRIES`` edit-then-read rounds over HTTP and the
    best of ``TRIES`` in-process computations beside them."""
    store = GraphStore(SqliteStore(db))
    try:
        in_process(store, org_id)  # warm-up: imports, the page cache
        with Server({"STAKEMAP_SQLITE_PATH": str(db)}) as server:
            headers = {"Authorization": f"Bearer {key}"}
            with httpx.Client(base_url=server.url, headers=headers, timeout=600) as client:
                base = f"/v1/organisations/{org_id}"
                items = orjson.loads(timed_get(client, base + "/influence")[1])["items"]
                timed_get(client, base + "/power-map")  # viewed: recomputed after a write
                wait_idle(server)
                http: list[float] = []
                reference: list[float] = []
                edits = 0
                for _ in range(runs):
                    served, computed = [], []
                    for _ in range(TRIES):
                        person = f"{base}/people/{items[edits % len(items)]['person_id']}"
                        edits += 1
                        etag = client.get(person).headers["etag"]
                        computed.append(in_process(store, org_id))
                        edited = client.patch(
                            person, json={"title": f"Edited {edits}"}, headers={"If-Match": etag}
                        )
                        if edited.status_code != 200:
                            raise RuntimeError(f"PATCH answered {edited.status_code}")
                        served.append(timed_get(client, base + "/influence")[0])
                        wait_idle(server)
                        computed.append(in_process(store, org_id))
                    http.append(min(served))
                    reference.append(min(computed))
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
    parser.add_argument("--sizes", help="comma-separated account sizes")
    comparison_options(parser)
    args = parser.parse_args(argv)
    if args.report:
        return rerender_compared(args, report, HEADING)
    before = earlier(args)
    sizes: tuple[int, ...] = QUICK_SIZES if args.quick else SIZES
    if args.sizes:
        sizes = tuple(int(size) for size in args.sizes.split(","))
    runs = QUICK_RUNS if args.quick else RUNS
    info = machine()
    print(machine_line(info), flush=True)
    rows = []
    with tempfile.TemporaryDirectory(prefix="stakemap-bench-") as workdir:
        db = Path(workdir) / "cold.db"
        store = GraphStore(SqliteStore(db))
        try:
            key = new_key(store, TENANT)
            orgs = {n: load_account(store, TENANT, n, seed=n)[0] for n in sizes}
        finally:
            store.close()
        for n, org_id in orgs.items():
            rows.append(measure(db, key, org_id, n, runs))
    full = not args.quick and not args.sizes
    result = {
        "label": args.label,
        "quick": args.quick,
        "full": full,
        "runs": runs,
        "tries": TRIES,
        "rows": rows,
    }
    path = save("cold", {"machine": info, **result})
    print(f"results: {path}")
    text = report(info, {**result, "at": path.stem.rsplit("-", 1)[-1]}, before)
    publish(HEADING, text, write_doc=args.write_doc)
    return 0


TABLE_HEAD = (
    "| people | HTTP ms (runs) | in process ms (runs) | ratio (runs) | ratio p50 "
    "| largest / smallest |",
    "|---:|---|---|---|---:|---:|",
)


def report(info: dict[str, Any], r: dict[str, Any], before: dict[str, Any] | None = None) -> str:
    stamp = str(r.get("at") or datetime.now(UTC).strftime("%Y%m%d"))
    lines = [
        f"`python -m bench.cold_bench` ({stamp[:4]}-{stamp[4:6]}-{stamp[6:8]}). "
        f"{machine_line(info)}",
        "",
        "A person of a generated account is edited while its ranking and power map are "
        "cached, and the ranking read at once over HTTP (uvicorn, one worker, the default "
        "settings: the kernel in a worker process, background recomputation on). Beside "
        "each read, the same work in the bench process from the same store: snapshot, "
        "graph, ranking (kernel in process), JSON, once just before the edit and once after "
        f"the read. Each run is the best of {r.get('tries', 1)} rounds on each side (the "
        "least disturbed by other work on this shared machine); after each read the bench "
        "waits until the server uses no CPU (its background recomputation of the edit is "
        "over). "
        "Target: HTTP / in-process at most "
        f"{TARGET_RATIO}x, and the largest of the {r['runs']} ratios at most "
        f"{TARGET_SPREAD}x the smallest.",
        "",
        *TABLE_HEAD,
    ]
    lines += [_row(row) for row in r["rows"]]
    lines += ["", verdict(r["rows"])]
    if before is not None:
        lines += [
            "",
            f"*Before*, the same bench on the previous build ({before.get('label') or '?'}), "
            "where the first read after an edit and the background recomputation it "
            "triggers were two computations (the shared-computation key held the version, "
            "which the first read did not know yet and the recomputation did), competing "
            "for the CPU and the kernel worker:",
            "",
            *TABLE_HEAD,
            *[_row(row) for row in before["rows"]],
            "",
            verdict(before["rows"]),
        ]
    return "\n".join(lines)


def _row(row: dict[str, Any]) -> str:
    return (
        f"| {row['people']:,} | {', '.join(ms(x) for x in row['http_s'])} "
        f"| {', '.join(ms(x) for x in row['in_process_s'])} "
        f"| {', '.join(ratio(x) for x in row['ratios'])} | **{ratio(row['p50_ratio'])}** "
        f"| **{ratio(row['spread'])}** |"
    )


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
