"""A large import through the store, one ``import_many`` transaction per batch of
organisations, each batch under its own idempotency key: what ``test_kill_import`` runs in
a subprocess and kills with SIGKILL at random moments.

    python -m tests.reliability.import_worker STORE LOCATION TENANT RUN ORGS PEOPLE BATCH

STORE is ``sqlite`` (LOCATION a file) or ``neo4j`` (LOCATION a bolt URI). The data is the
same for the same ORGS/PEOPLE, so a re-run with the same RUN key replays the batches that
committed and imports the rest. Prints ``ready``, then ``batch <n> imported|replayed``, then
``done``.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from graph.idempotency import IdempotentReplay, IdempotentWrite, StoredResponse
from graph.port import ImportOutcome, OrgImport
from graph.store import GraphStore
from schemas.imports import ImportRequest
from schemas.resources import OrganisationCreate


def org_name(index: int) -> str:
    return f"Org {index:04d}"


def org_body(index: int, people: int) -> dict[str, Any]:
    """One organisation: a reporting tree, influence lines and one team member who knows
    half the people (``people`` people, ``2 * people - 1 + people // 2`` ties)."""
    rows = [
        {
            "ref": f"p{n}",
            "name": f"Person {index}-{n}",
            "email": f"p{n}@org{index}.example",
            "influence": 1 + n % 5,
            **({"reports_to": f"p{(n - 1) // 3}"} if n else {}),
        }
        for n in range(people)
    ]
    ties = [
        {"type": "INFLUENCES", "source": f"p{n}", "target": f"p{n // 2}", "strength": 0.5}
        for n in range(1, people)
    ]
    ties += [
        {"type": "KNOWS", "source": "am", "target": f"p{n}", "strength": 0.6}
        for n in range(0, people, 2)
    ]
    return {
        "people": rows,
        "team": [{"ref": "am", "name": f"Member {index}"}],
        "relationships": ties,
    }


def expected_ties(people: int) -> int:
    return (people - 1) * 2 + (people + 1) // 2


def batches(orgs: int, size: int) -> list[list[int]]:
    return [list(range(start, min(start + size, orgs))) for start in range(0, orgs, size)]


def fingerprint(batch: list[int], people: int) -> str:
    return f"orgs {batch[0]}-{batch[-1]}, {people} people each"


def answer(outcomes: list[ImportOutcome]) -> StoredResponse:
    ids = [o.result.org_id if o.result else None for o in outcomes]
    return StoredResponse(200, json.dumps(ids).encode(), (("Content-Type", "application/json"),))


def open_store(kind: str, location: str) -> GraphStore:
    if kind == "sqlite":
        from graph.sqlite_store import SqliteStore

        return GraphStore(SqliteStore(location))
    from graph.neo4j_store import Neo4jStore

    return GraphStore(Neo4jStore(location, user="neo4j", password="unused", database="neo4j"))


def main(argv: list[str]) -> None:
    kind, location, tenant, run, orgs, people, size = argv
    store = open_store(kind, location)
    bodies = {i: ImportRequest.model_validate(org_body(i, int(people))) for i in range(int(orgs))}
    print("ready", flush=True)
    for number, batch in enumerate(batches(int(orgs), int(size))):
        items = [
            OrgImport(bodies[i], create=OrganisationCreate(name=org_name(i), external_id=str(i)))
            for i in batch
        ]
        write = IdempotentWrite(f"{run}-{number}", fingerprint(batch, int(people)), answer)
        try:
            outcomes = store.import_many(tenant, items, idempotency=write)
        except IdempotentReplay:
            print(f"batch {number} replayed", flush=True)
            continue
        assert all(o.ok for o in outcomes), [o.errors for o in outcomes]
        print(f"batch {number} imported", flush=True)
    store.close()
    print("done", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
