"""What versioned migrations add to opening a store, as ratios to a reference of this run.

    python -m bench.migrate_bench [--rounds 30] [--neo4j bolt://127.0.0.1:7687]

SQLite: the reference is the schema-1 way of opening (one ``executescript`` of the schema's
``CREATE … IF NOT EXISTS``) on a new file and on an existing one, against ``SqliteStore``
on a new file (every migration applied, one transaction each) and on an up-to-date file (a
version read only); the store's open also sets its pragmas, so the ratios are upper bounds.
Neo4j, with ``--neo4j``: the reference is the schema-1 open (ensure the constraints and
indexes), against ``Neo4jStore`` at open (ensure + a version read). Medians of ``--rounds``.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from graph.migrations import load_migrations


def _median_ms(work: Callable[[], None], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def sqlite_figures(rounds: int) -> dict[str, float]:
    from graph.sqlite_store import SqliteStore

    schema_1 = "\n".join(load_migrations("sqlite")[0].statements)
    with tempfile.TemporaryDirectory(prefix="stakemap-migrate-bench-") as tmp:
        files = iter(range(10_000))

        def schema_1_open(path: Path) -> None:
            conn = sqlite3.connect(path, isolation_level=None)
            conn.execute("PRAGMA journal_mode = WAL")
            conn.executescript(schema_1)
            conn.close()

        old = Path(tmp) / "schema1.db"
        schema_1_open(old)
        current = Path(tmp) / "current.db"
        SqliteStore(current).close()
        figures = {
            "schema_1_fresh_ms": _median_ms(
                lambda: schema_1_open(Path(tmp) / f"r{next(files)}.db"), rounds
            ),
            "migrated_fresh_ms": _median_ms(
                lambda: SqliteStore(Path(tmp) / f"f{next(files)}.db").close(), rounds
            ),
            "schema_1_reopen_ms": _median_ms(lambda: schema_1_open(old), rounds),
            "up_to_date_reopen_ms": _median_ms(lambda: SqliteStore(current).close(), rounds),
        }
    return {
        **{name: round(ms, 2) for name, ms in figures.items()},
        "fresh_ratio": round(figures["migrated_fresh_ms"] / figures["schema_1_fresh_ms"], 2),
        "reopen_ratio": round(figures["up_to_date_reopen_ms"] / figures["schema_1_reopen_ms"], 2),
    }


def neo4j_figures(uri: str, rounds: int) -> dict[str, float]:
    from neo4j import GraphDatabase

    from graph.neo4j_store import Neo4jStore
    from queries import load_catalog

    schema = load_catalog().schema()

    def reference() -> None:
        with GraphDatabase.driver(uri, auth=("neo4j", "")) as driver:
            driver.verify_connectivity()
            for statement in schema:
                driver.execute_query(statement, database_="neo4j")

    def current() -> None:
        Neo4jStore(uri, user="neo4j", password="", database="neo4j").close()

    ref = _median_ms(reference, rounds)
    now = _median_ms(current, rounds)
    return {
        "reference_schema_1_open_ms": round(ref, 2),
        "open_ms": round(now, 2),
        "ratio": round(now / ref, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--neo4j", default=None)
    args = parser.parse_args()
    figures: dict[str, dict[str, float]] = {"sqlite": sqlite_figures(args.rounds)}
    if args.neo4j:
        figures["neo4j"] = neo4j_figures(args.neo4j, args.rounds)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
