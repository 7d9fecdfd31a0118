"""History: bytes per recorded change, and the ``as_of`` answer against today's, same run.

    python -m bench.history_bench               # 1k and 100k changes
    python -m bench.history_bench --small       # 1k and 10k
    python -m bench.history_bench --write-doc   # also put the table in docs/PERFORMANCE.md

For each size it builds a fresh SQLite store with one realistic account (``PEOPLE`` people in
a 4-ary reporting tree with influence ties, ``TEAM`` colleagues with ``TEAM_TIES`` ties in)
and then applies that many **changes**, spread over ``DAYS`` simulated days (stamped with
:func:`graph.planning.write_clock`): each change rewrites one person's title or one tie's
strength, chosen at random (the adversarial part: every change lands on a random entity, so
nothing is appended in order), in upsert imports of ``BATCH`` changes. It reports

* **bytes per change**: the growth of the database file (after a checkpoint and a
  ``VACUUM``) from the loaded account to the changed one, divided by the changes — constant
  cost shows as the same figure at both sizes (the issue asks ±20%);
* **as_of answer**: the influence ranking asked ``as_of`` the last simulated day (a history
  read of the versions then in force, the graph, the ranking), against the same ranking of
  today's graph (the reference, same store, same run), median of ``REPEATS``; and ``as_of`` the
  middle day, where half the history is still ahead of the day asked (the worst case of the
  index on the end of validity).

Results go to ``bench/results/`` as JSON.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bench._common import machine, machine_line, median, publish, save
from bench.export_bench import org_body
from graph.analytics.influence import rank_influence
from graph.network import build_graph
from graph.planning import write_clock
from graph.sqlite_store import SqliteStore
from graph.store import GraphStore
from schemas.imports import ImportRequest
from schemas.resources import OrganisationCreate

DOC_HEADING = "## History"
PEOPLE = 400
TEAM = 6
TEAM_TIES = 60
DAYS = 100
BATCH = 10
REPEATS = 7
SEED = 20261202
FIRST_DAY = date(2026, 1, 1)


def _account(store: GraphStore, rng: random.Random) -> tuple[str, dict[str, str]]:
    org = store.create_organisation("bench", OrganisationCreate(name="History account"))
    body = org_body(rng, PEOPLE)
    body["team"] = [{"ref": f"m{i}", "name": f"Member {i}"} for i in range(TEAM)]
    pairs = {(rng.randrange(TEAM), rng.randrange(PEOPLE)) for _ in range(TEAM_TIES)}
    body["relationships"] = body.get("relationships", []) + [
        {"type": "KNOWS", "source": f"m{m}", "target": f"p{p}", "strength": 0.5}
        for m, p in sorted(pairs)
    ]
    result = store.import_graph("bench", org.id, ImportRequest.model_validate(body))
    return org.id, result.ids


def _file_bytes(path: Path) -> int:
    """The database's size once its write-ahead log is folded in and it is compacted (so
    half-full pages of a small database do not count as the cost of its rows)."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("VACUUM")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return path.stat().st_size


def _changes(store: GraphStore, org_id: str, changes: int, rng: random.Random) -> None:
    snapshot = store.snapshot("bench", org_id)
    people = list(snapshot.people)
    ties = [r for r in snapshot.relationships if r.type == "KNOWS"]
    per_day = max(1, changes // DAYS)
    done = 0
    moment = [datetime(FIRST_DAY.year, FIRST_DAY.month, FIRST_DAY.day, 9, tzinfo=UTC)]

    def tick() -> datetime:
        moment[0] += timedelta(milliseconds=5)
        return moment[0]

    while done < changes:
        day = FIRST_DAY + timedelta(days=done // per_day)
        if moment[0].date() < day:  # the day's first write: from 09:00 on, every stamp new
            moment[0] = datetime(day.year, day.month, day.day, 9, tzinfo=UTC)

        size = min(BATCH, changes - done, per_day - done % per_day)
        chosen_people: dict[str, dict[str, Any]] = {}
        chosen_ties: dict[str, dict[str, Any]] = {}
        for _ in range(size):
            if rng.random() < 0.5:
                p = rng.choice(people)
                title = f"Title {rng.randrange(10_000)}"
                chosen_people[p.id] = {"ref": f"u{p.id}", "name": p.name, "title": title}
            else:
                t = rng.choice(ties)
                chosen_ties[t.id] = {
                    "type": "KNOWS",
                    "source": t.source_id,
                    "target": t.target_id,
                    "strength": round(rng.random(), 3),
                }
        body = {"people": list(chosen_people.values()), "relationships": list(chosen_ties.values())}
        with write_clock(tick):
            store.import_graph("bench", org_id, ImportRequest.model_validate(body), upsert=True)
        done += len(chosen_people) + len(chosen_ties)


def _timed(fn: Any) -> float:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return median(times)


def measure(changes: int) -> dict[str, Any]:
    rng = random.Random(SEED)
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "history.db"
        adapter = SqliteStore(path)
        store = GraphStore(adapter)
        try:
            with write_clock(lambda: datetime(2025, 12, 31, 9, tzinfo=UTC)):
                org_id, _ids = _account(store, rng)
            loaded = _file_bytes(path)
            started = time.perf_counter()
            _changes(store, org_id, changes, rng)
            write_seconds = time.perf_counter() - started
            changed = _file_bytes(path)
            last = FIRST_DAY + timedelta(days=DAYS - 1)
            middle = FIRST_DAY + timedelta(days=DAYS // 2)

            def today() -> None:
                rank_influence(build_graph(store.snapshot("bench", org_id)))

            def as_of(day: date) -> None:
                rank_influence(build_graph(store.snapshot_as_of("bench", org_id, day), as_of=day))

            reference = _timed(today)
            recent = _timed(lambda: as_of(last))
            halfway = _timed(lambda: as_of(middle))
        finally:
            store.close()
    return {
        "changes": changes,
        "bytes_per_change": (changed - loaded) / changes,
        "write_seconds": write_seconds,
        "today_ms": reference * 1e3,
        "as_of_last_ms": recent * 1e3,
        "as_of_middle_ms": halfway * 1e3,
    }


def render(results: dict[str, Any]) -> str:
    rows = results["sizes"]
    first = rows[0]["bytes_per_change"]
    lines = [
        DOC_HEADING,
        "",
        f"`python -m bench.history_bench` ({results['when']}). {machine_line(results['machine'])}",
        "",
        f"One account ({PEOPLE} people, {TEAM} colleagues, {TEAM_TIES} team ties) changed "
        f"over {DAYS} days, a random person's title or tie's strength per change.",
        "",
        "| changes | bytes per change | vs the smallest | today's ranking | as_of last day | "
        "ratio | as_of middle day | ratio |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        lines.append(
            f"| {row['changes']:,} | {row['bytes_per_change']:,.0f} | "
            f"x{row['bytes_per_change'] / first:.2f} | {row['today_ms']:.1f} ms | "
            f"{row['as_of_last_ms']:.1f} ms | x{row['as_of_last_ms'] / row['today_ms']:.2f} | "
            f"{row['as_of_middle_ms']:.1f} ms | x{row['as_of_middle_ms'] / row['today_ms']:.2f} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="1k and 10k changes")
    parser.add_argument("--write-doc", action="store_true")
    args = parser.parse_args()
    sizes = [1_000, 10_000] if args.small else [1_000, 100_000]
    results = {
        "when": datetime.now(UTC).date().isoformat(),
        "machine": machine(),
        "sizes": [measure(n) for n in sizes],
    }
    save("history", results)
    publish(DOC_HEADING, render(results), write_doc=args.write_doc, full=not args.small)


if __name__ == "__main__":
    main()
