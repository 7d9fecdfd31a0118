"""Crash-safe imports: SIGKILL a large import at 20 random moments, on both stores.

A subprocess (``import_worker``) imports 48 organisations of 150 people (7,200 people and
about 18,000 ties) through the store, 6 organisations per transaction, each batch under its
own idempotency key. The test kills it at a random moment while it imports —
4 times in each of 5 chains of re-runs with the same keys, so kills also land while earlier
batches replay — and checks after every kill that:

* each organisation is stored whole or not at all, and batches commit in order;
* no person, tie or team member is stored without its organisation (raw counts of the
  tenant), no tie dangles, every version is what the committed batches make it;
* every committed batch has its idempotency record and no other batch has one.

Each chain then runs to the end with the same keys: exactly one copy of every organisation.
The moments come from a seeded random generator (``STAKEMAP_KILL_SEED``; printed and
written to ``test-output/kill-import-<store>.json``).
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from graph.idempotency import ClaimOutcome
from graph.port import MAX_PAGE_SIZE
from graph.store import GraphStore
from tests.conftest import NEO4J_URI
from tests.reliability.import_worker import (
    batches,
    expected_ties,
    fingerprint,
    open_store,
    org_name,
)

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "test-output"
ORGS, PEOPLE, BATCH = 48, 150, 6
CHAINS, KILLS_PER_CHAIN, KILLS = 5, 4, 20
STORES = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("neo4j", id="neo4j", marks=pytest.mark.neo4j),
]

RawCounts = Callable[[str], tuple[int, int]]


def run_worker(kind: str, location: str, tenant: str, run: str) -> subprocess.Popen[str]:
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.reliability.import_worker",
            kind,
            location,
            tenant,
            run,
            str(ORGS),
            str(PEOPLE),
            str(BATCH),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert worker.stdout is not None
    ready = worker.stdout.readline().strip()
    assert ready == "ready", worker.stderr.read() if worker.stderr else ready
    return worker


def finish(worker: subprocess.Popen[str]) -> list[str]:
    out, err = worker.communicate(timeout=300)
    assert worker.returncode == 0, err[-3000:]
    return out.splitlines()


def kill(worker: subprocess.Popen[str]) -> bool:
    """SIGKILL the worker; False if it had finished already."""
    worker.send_signal(signal.SIGKILL)
    worker.communicate(timeout=60)  # reaps it and closes its pipes
    assert worker.returncode in (0, -signal.SIGKILL), worker.returncode
    return worker.returncode == -signal.SIGKILL


RETRIED: list[str] = []


def settled(check: Callable[[], int]) -> int:
    """``check()`` once the store has settled. A Neo4j server finishes the transaction of a
    killed client on its own time: COMMIT may have been sent just before the kill, and a
    check that reads while it commits can see part of it (read-committed reads are not one
    snapshot). A real partial write stays, so the last try (after 10 s) decides."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            return check()
        except AssertionError as exc:
            RETRIED.append(str(exc).splitlines()[0])
            time.sleep(0.2)  # poll interval of the condition
    return check()


def organisations(store: GraphStore, tenant: str) -> list[Any]:
    found: list[Any] = []
    after = None
    while True:
        page = store.list_organisations(tenant, limit=MAX_PAGE_SIZE, after=after)
        found += page
        if len(page) < MAX_PAGE_SIZE:
            return found
        after = page[-1].id


def check_integrity(
    store: GraphStore, raw: RawCounts, tenant: str, *, deep: bool = True, since: int = 0
) -> int:
    """Everything the module docstring promises; answers how many batches committed.

    Counts and versions are checked for every organisation; the organisations' graphs
    (every person and tie) for the batches from ``since`` on, or all with ``deep``: a chain
    checks the batches it saw committed before whole already, and they cannot change.
    """
    stored = organisations(store, tenant)
    names = [org.name for org in stored]
    assert len(names) == len(set(names)), "an organisation was stored twice"
    by_name = {org.name: org for org in stored}
    plan = batches(ORGS, BATCH)
    committed = []
    for batch in plan:
        present = [org_name(i) in by_name for i in batch]
        assert all(present) or not any(present), f"batch {batch} half stored: {present}"
        committed.append(all(present))
    done = committed.count(True)
    assert committed == [True] * done + [False] * (len(plan) - done), committed
    for number, batch in enumerate(plan[:done]):
        for index in batch:
            org = by_name[org_name(index)]
            # created at 1, then +1 for each committed batch from this one on (team members)
            assert org.version == 1 + done - number
            if not deep and number < since:
                continue
            snap = store.snapshot(tenant, org.id)
            people = {p.id for p in snap.people}
            team_ids = {t.id for t in snap.team}
            assert len(people) == PEOPLE
            assert len(snap.relationships) == expected_ties(PEOPLE)
            for tie in snap.relationships:
                assert tie.source_id in people | team_ids, "a tie starts nowhere"
                assert tie.target_id in people, "a tie ends nowhere"
                assert tie.version == 1
            assert all(p.version == 1 for p in snap.people)
    assert len(store.list_team_members(tenant, limit=MAX_PAGE_SIZE)) == done * BATCH
    # no person or tie stored without its organisation (the tenant's rows, counted raw)
    assert raw(tenant) == (done * BATCH * PEOPLE, done * BATCH * expected_ties(PEOPLE))
    return done


def check_records(store: GraphStore, tenant: str, run: str, done: int) -> None:
    """The committed batches have their answers; the next one has no record."""
    plan = batches(ORGS, BATCH)
    for number, batch in enumerate(plan):
        if number > done:
            break
        claim = store.claim_idempotency_key(
            tenant, f"{run}-{number}", fingerprint(batch, PEOPLE), lease_seconds=60, ttl_seconds=60
        )
        if number < done:
            assert claim.outcome is ClaimOutcome.REPLAY, (number, claim.outcome)
        else:
            assert claim.outcome is ClaimOutcome.CLAIMED, (number, claim.outcome)
            assert claim.token is not None
            store.release_idempotency_key(tenant, f"{run}-{number}", claim.token)


def raw_counter(kind: str, location: str) -> tuple[RawCounts, Callable[[], None]]:
    """People and ties of a tenant counted in the database itself (orphans included)."""
    if kind == "sqlite":
        conn = sqlite3.connect(location)

        def count_sqlite(tenant: str) -> tuple[int, int]:
            people = conn.execute("SELECT count(*) FROM people WHERE tenant = ?", (tenant,))
            ties = conn.execute("SELECT count(*) FROM relationships WHERE tenant = ?", (tenant,))
            return int(people.fetchone()[0]), int(ties.fetchone()[0])

        return count_sqlite, conn.close
    from neo4j import GraphDatabase

    driver = GraphDatabase.driver(location, auth=("neo4j", "unused"))

    def count_neo4j(tenant: str) -> tuple[int, int]:
        people = driver.execute_query(
            "MATCH (p:Person {tenant: $tenant}) RETURN count(p) AS n", tenant=tenant
        ).records[0]["n"]
        ties = driver.execute_query(
            "MATCH ()-[r]->() WHERE r.tenant = $tenant RETURN count(r) AS n", tenant=tenant
        ).records[0]["n"]
        return int(people), int(ties)

    return count_neo4j, driver.close


@pytest.mark.parametrize("kind", STORES)
def test_sigkill_at_random_moments_leaves_all_or_nothing(kind: str, tmp_path: Path) -> None:
    if kind == "neo4j" and not NEO4J_URI:
        pytest.skip("STAKEMAP_TEST_NEO4J_URI is not set")
    location = str(tmp_path / "import.db") if kind == "sqlite" else str(NEO4J_URI)
    seed = int(os.environ.get("STAKEMAP_KILL_SEED", str(random.SystemRandom().randrange(10**9))))
    rng = random.Random(seed)
    prefix = f"kill-{uuid.uuid4().hex[:8]}"
    RETRIED.clear()
    store = open_store(kind, location)
    raw, close_raw = raw_counter(kind, location)
    try:
        # one uninterrupted run: how long the import itself takes
        worker = run_worker(kind, location, f"{prefix}-calibration", "calibration")
        started = time.perf_counter()
        lines = finish(worker)
        duration = time.perf_counter() - started
        assert lines[-1] == "done"
        assert check_integrity(store, raw, f"{prefix}-calibration") == len(batches(ORGS, BATCH))
        kills: list[dict[str, Any]] = []
        total = len(batches(ORGS, BATCH))
        chain = 0
        missed = 0
        while len(kills) < KILLS and chain < 4 * CHAINS:
            tenant, run = f"{prefix}-{chain}", f"run-{chain}"
            done = 0
            for _ in range(KILLS_PER_CHAIN):
                worker = run_worker(kind, location, tenant, run)
                # a moment while it still imports: replaying the committed batches is quick
                after = rng.uniform(0, duration * (total - done) / total)
                time.sleep(after)  # when to kill (random), not a wait for a condition
                landed = kill(worker)
                seen = done
                done = settled(
                    lambda: check_integrity(store, raw, tenant, deep=False, since=seen)  # noqa: B023
                )
                check_records(store, tenant, run, done)
                if landed:
                    kills.append({"chain": chain, "after_s": round(after, 3), "committed": done})
                else:  # it had finished: the machine runs faster than calibrated
                    missed += 1
                    duration *= 0.75
                if done == total or len(kills) == KILLS:
                    break
            # the same keys, to the end: exactly one copy of everything
            finish(run_worker(kind, location, tenant, run))
            assert check_integrity(store, raw, tenant) == total
            check_records(store, tenant, run, total)
            chain += 1
    finally:
        close_raw()
        store.close()
    figures = {
        "store": kind,
        "seed": seed,
        "organisations": ORGS,
        "people_per_organisation": PEOPLE,
        "organisations_per_transaction": BATCH,
        "import_seconds": round(duration, 2),
        "kills": len(kills),
        "chains": chain,
        "finished_before_the_kill": missed,
        "integrity_failures": 0,
        "checks_retried_while_the_server_settled": len(RETRIED),
        "retried_because": RETRIED[:5],
        "copies_after_rerun": 1,
        "moments": kills,
    }
    OUTPUT.mkdir(exist_ok=True)
    (OUTPUT / f"kill-import-{kind}.json").write_text(json.dumps(figures, indent=2))
    committed = [k["committed"] for k in kills]
    print(f"\nkill -9 ({kind}): {len(kills)} kills, seed {seed}, batches committed {committed}")
    assert len(kills) == KILLS
