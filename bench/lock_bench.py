"""One tenant's writes against an external SQLite write lock: what another tenant's reads see.

    python -m bench.lock_bench                 # 12 s external lock, 60 queued writes
    python -m bench.lock_bench --lock-seconds 6 --writes 30
    python -m bench.lock_bench --write-doc     # also put the table in docs/PERFORMANCE.md

A fresh SQLite file holds two tenants, each with one organisation of 50 people. The API runs
in its own ``uvicorn`` process (``bench._common.Server``, default settings except the rate
limit). Then:

1. **idle**: tenant B's ``GET /v1/organisations/{id}`` 40 times, one after the other: the
   reference latency of this run;
2. **under the lock**: another process opens the file and holds its write lock
   (``BEGIN IMMEDIATE``) for ``--lock-seconds``; half a second in, tenant A sends
   ``--writes`` concurrent ``POST …/people``; meanwhile tenant B keeps reading as in (1).
   Reported: B's median and worst latency while the lock was held, and how A's writes
   ended (status counts, median and worst time to their answer);
3. **one write**: the lock is taken again and a single write of tenant A is sent alone;
   reported: its time to its answer (a 503 once the configured lock wait,
   ``STAKEMAP_SQLITE_LOCK_TIMEOUT_SECONDS``, is spent);
4. **integrity check**: a file of ``--check-people`` people (about 190 MiB for a million)
   is opened with ``PRAGMA quick_check`` and with the check deferred: what the check adds
   to a start (the basis of ``STAKEMAP_SQLITE_QUICK_CHECK_MAX_BYTES``).

Results go to ``bench/results/`` as JSON.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench._common import Server, machine, machine_line, median, ms, publish, ratio, save
from graph.store import GraphStore

DOC_HEADING = "## SQLite write lock"
PEOPLE = 50

#: Holds the write lock of the database named by argv[1] for argv[2] seconds (or until its
#: standard input closes), saying "locked" once it has it.
_HOLDER = """
import sqlite3, sys, select
conn = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=60)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
select.select([sys.stdin], [], [], float(sys.argv[2]))
conn.execute("ROLLBACK")
conn.close()
"""


def prepare(db: Path) -> dict[str, Any]:
    """Two tenants with an organisation and an admin key each."""
    from bench._common import load_account, new_key
    from graph.sqlite_store import SqliteStore

    store = GraphStore(SqliteStore(db))
    try:
        setup = {}
        for tenant in ("tenant-a", "tenant-b"):
            org_id, _ = load_account(store, tenant, PEOPLE, seed=7)
            setup[tenant] = {"org": org_id, "key": new_key(store, tenant)}
    finally:
        store.close()
    return setup


class Holder:
    """Another process holding the database's write lock."""

    def __init__(self, db: Path, seconds: float) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", _HOLDER, str(db), str(seconds)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline().strip()
        if line != "locked":
            raise RuntimeError(f"the lock holder did not get the lock: {line!r}")
        self.taken = time.perf_counter()

    def release(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


def client(url: str, key: str) -> httpx.Client:
    return httpx.Client(
        base_url=url,
        headers={"Authorization": f"Bearer {key}"},
        timeout=120,
        limits=httpx.Limits(max_connections=200, max_keepalive_connections=200),
    )


def reads(http: httpx.Client, org: str, until: threading.Event, pause: float) -> list[float]:
    latencies: list[float] = []
    while not until.is_set():
        started = time.perf_counter()
        response = http.get(f"/v1/organisations/{org}")
        latencies.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise RuntimeError(f"tenant B's read answered {response.status_code}")
        until.wait(pause)
    return latencies


def write(http: httpx.Client, org: str, n: int) -> tuple[int, float, str | None]:
    started = time.perf_counter()
    response = http.post(f"/v1/organisations/{org}/people", json={"name": f"Queued {n}"})
    return response.status_code, time.perf_counter() - started, response.headers.get("Retry-After")


def run(lock_seconds: float, writes: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="stakemap-lock-bench-") as tmp:
        db = Path(tmp) / "bench.db"
        setup = prepare(db)
        env = {"STAKEMAP_STORE": "sqlite", "STAKEMAP_SQLITE_PATH": str(db)}
        with Server(env) as server:
            a = client(server.url, setup["tenant-a"]["key"])
            b = client(server.url, setup["tenant-b"]["key"])
            org_a, org_b = setup["tenant-a"]["org"], setup["tenant-b"]["org"]
            # warm up: connections, and each key's last-used stamp (a write) before the lock
            for http, org in ((a, org_a), (b, org_b)):
                for _ in range(5):
                    http.get(f"/v1/organisations/{org}").raise_for_status()
            idle = []
            for _ in range(40):
                started = time.perf_counter()
                b.get(f"/v1/organisations/{org_b}").raise_for_status()
                idle.append(time.perf_counter() - started)

            holder = Holder(db, lock_seconds)
            stop = threading.Event()
            with ThreadPoolExecutor(max_workers=writes + 1) as pool:
                reader = pool.submit(reads, b, org_b, stop, 0.1)
                time.sleep(0.5)
                queued = [pool.submit(write, a, org_a, n) for n in range(writes)]
                # the reads that count are those made while the lock was held
                time.sleep(max(0.0, lock_seconds - 0.5 - (time.perf_counter() - holder.taken)))
                stop.set()
                under_lock = reader.result()
                holder.release()
                answers = [f.result() for f in queued]

            holder = Holder(db, 120)
            status, single, retry_after = write(a, org_a, -1)
            holder.release()
            a.close()
            b.close()
    statuses = Counter(str(s) for s, _, _ in answers)
    times = [t for _, t, _ in answers]
    return {
        "lock_seconds": lock_seconds,
        "writes": writes,
        "idle_get_p50_ms": round(median(idle) * 1000, 2),
        "locked_get_p50_ms": round(median(under_lock) * 1000, 2),
        "locked_get_max_ms": round(max(under_lock) * 1000, 2),
        "locked_gets": len(under_lock),
        "write_statuses": dict(sorted(statuses.items())),
        "write_p50_ms": round(median(times) * 1000, 1),
        "write_max_ms": round(max(times) * 1000, 1),
        "write_retry_after": sorted({r for _, _, r in answers if r is not None}),
        "single_write_status": status,
        "single_write_ms": round(single * 1000, 1),
        "single_write_retry_after": retry_after,
    }


def integrity(people: int) -> dict[str, Any]:
    """How long opening a file of ``people`` people takes with ``PRAGMA quick_check`` and
    without it (the check deferred), on a warm page cache."""
    import sqlite3

    from graph.migrations import load_migrations, migrate
    from graph.sqlite_migrations import SqliteMigrations
    from graph.sqlite_store import SqliteStore

    with tempfile.TemporaryDirectory(prefix="stakemap-check-bench-") as tmp:
        db = Path(tmp) / "check.db"
        conn = sqlite3.connect(db, isolation_level=None)
        conn.execute("PRAGMA journal_mode = WAL")
        migrate(SqliteMigrations(conn), load_migrations("sqlite"))
        conn.execute("BEGIN")
        conn.execute(
            "INSERT INTO organisations VALUES "
            "('t', 'o', 'Org', NULL, NULL, NULL, NULL, NULL, NULL, 'now', 'now', 1)"
        )
        conn.executemany(
            "INSERT INTO people VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                ("t", "o", f"p{i:08d}", f"Person {i}", "Director of Operations", "Operations",
                 f"p{i}@example.com", None, "[]", "neutral", 3, "Met at the fair. " * 3, None,
                 "now", "now", 1)
                for i in range(people)
            ),
        )  # fmt: skip
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
        size = db.stat().st_size
        checked: list[float] = []
        deferred: list[float] = []
        for _ in range(3):
            for into, limit in ((checked, size), (deferred, 0)):
                started = time.perf_counter()
                store = GraphStore(
                    SqliteStore(db, quick_check_max_bytes=limit, background=lambda _: None)
                )
                into.append(time.perf_counter() - started)
                store.close()
    return {
        "file_mib": round(size / 2**20, 1),
        "open_checked_ms": round(median(checked) * 1000, 1),
        "open_deferred_ms": round(median(deferred) * 1000, 1),
    }


def section(result: dict[str, Any], info: dict[str, Any]) -> str:
    date = datetime.now(UTC).date().isoformat()
    r = result
    statuses = ", ".join(f"{n} x {s}" for s, n in r["write_statuses"].items())
    slow = r["locked_get_p50_ms"] / max(r["idle_get_p50_ms"], 0.01)
    check_row = ""
    if "integrity" in r:
        c = r["integrity"]
        rate = c["file_mib"] / max(c["open_checked_ms"] - c["open_deferred_ms"], 0.1) * 1000
        check_row = (
            f"| opening a {c['file_mib']:g} MiB file with `PRAGMA quick_check` / without "
            f"(warm page cache) | {ms(c['open_checked_ms'] / 1000)} / "
            f"{ms(c['open_deferred_ms'] / 1000)} ms ({rate:,.0f} MiB/s checked) |\n"
        )
    return f"""`python -m bench.lock_bench` ({date}). {machine_line(info)}

Another process holds the SQLite file's write lock for {r["lock_seconds"]:g} s; half a second
in, tenant A sends {r["writes"]} concurrent `POST …/people` while tenant B keeps reading
`GET /v1/organisations/{{id}}` (one at a time, 0.1 s apart). Default settings.

| measure | result |
|---|---|
| tenant B's GET, idle (p50) | {ms(r["idle_get_p50_ms"] / 1000)} ms |
| tenant B's GET under the lock (p50 / worst, {r["locked_gets"]} reads) | \
{ms(r["locked_get_p50_ms"] / 1000)} / {ms(r["locked_get_max_ms"] / 1000)} ms \
({ratio(slow)} idle) |
| tenant A's {r["writes"]} writes | {statuses}; p50 {ms(r["write_p50_ms"] / 1000)} ms, \
worst {ms(r["write_max_ms"] / 1000)} ms; Retry-After {", ".join(r["write_retry_after"]) or "-"} |
| one write alone under the lock | {r["single_write_status"]} after \
{ms(r["single_write_ms"] / 1000)} ms (Retry-After {r["single_write_retry_after"] or "-"}) |
{check_row}"""


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lock-seconds", type=float, default=12.0)
    parser.add_argument("--writes", type=int, default=60)
    parser.add_argument(
        "--check-people",
        type=int,
        default=1_000_000,
        help="people in the file whose integrity check is timed (0: skip)",
    )
    parser.add_argument("--write-doc", action="store_true", help="update docs/PERFORMANCE.md")
    args = parser.parse_args(argv)
    result = run(args.lock_seconds, args.writes)
    if args.check_people:
        result["integrity"] = integrity(args.check_people)
    info = machine()
    print(f"results: {save('lock', {'machine': info, 'result': result})}")
    print()
    publish(DOC_HEADING, section(result, info), write_doc=args.write_doc)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
