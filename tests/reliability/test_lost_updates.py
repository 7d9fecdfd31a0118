"""No lost updates: 8 writers each send 1,000 conditional updates of one person.

Every writer keeps the version it last saw and sends it as the expected version (If-Match);
a 412 tells it the current version, with which it tries again. With the check and the write
under one lock, every success makes exactly one new version: the person's final version
minus its first equals the number of successful writes, the organisation's version rose by
the same number, and the person holds what the last successful write wrote.

Both runs are in CI on both stores: through the store port, and as HTTP ``PATCH``es with
``If-Match`` against the live server (about 15 s on SQLite and 40 s on Neo4j). Each writes
its figures to ``test-output/lost-updates-<run>-<store>.json``.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from graph.errors import PreconditionFailed
from graph.store import GraphStore
from schemas.resources import OrganisationCreate, PersonCreate, PersonUpdate

WRITERS = 8
ATTEMPTS = 1_000
OUTPUT = Path(__file__).resolve().parents[2] / "test-output"


@dataclass
class Tally:
    successes: int = 0
    conflicts: int = 0
    #: version made -> the note written with it
    written: dict[int, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


Attempt = Callable[[int, str], tuple[bool, int]]


def hammer(attempt: Attempt, start: int) -> tuple[Tally, float]:
    """Run the writers; ``attempt(expected, note)`` -> (succeeded, version now known)."""
    tally = Tally()
    barrier = threading.Barrier(WRITERS)
    failures: list[BaseException] = []

    def writer(number: int) -> None:
        known = start
        barrier.wait()
        try:
            for i in range(ATTEMPTS):
                note = f"writer {number} attempt {i}"
                ok, known = attempt(known, note)
                with tally.lock:
                    if ok:
                        tally.successes += 1
                        assert known not in tally.written, "two writes made one version"
                        tally.written[known] = note
                    else:
                        tally.conflicts += 1
        except BaseException as exc:  # surfaced below
            failures.append(exc)

    started = time.perf_counter()
    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    return tally, time.perf_counter() - started


def report(name: str, tally: Tally, seconds: float, start: int, final: int) -> None:
    figures = {
        "writers": WRITERS,
        "attempts_per_writer": ATTEMPTS,
        "successful_writes": tally.successes,
        "precondition_failed_412": tally.conflicts,
        "start_version": start,
        "final_version": final,
        "lost_updates": tally.successes - (final - start),
        "seconds": round(seconds, 2),
    }
    OUTPUT.mkdir(exist_ok=True)
    (OUTPUT / f"lost-updates-{name}.json").write_text(json.dumps(figures, indent=2))
    print(f"\nlost updates ({name}): {figures}")


def test_no_lost_updates_in_the_store(store: GraphStore, tenant: str, store_kind: str) -> None:
    org_id = store.create_organisation(tenant, OrganisationCreate(name="Contended")).id
    person = store.create_person(tenant, org_id, PersonCreate(name="Hot Spot"))
    org_start = store.org_version(tenant, org_id)

    def attempt(expected: int, note: str) -> tuple[bool, int]:
        try:
            changed = store.update_person(
                tenant, org_id, person.id, PersonUpdate(notes=note), expected_version=expected
            )
        except PreconditionFailed as refused:
            return False, refused.current_version
        return True, changed.version

    tally, seconds = hammer(attempt, person.version)
    final = store.get_person(tenant, org_id, person.id)
    report(f"store-{store_kind}", tally, seconds, person.version, final.version)
    assert tally.successes + tally.conflicts == WRITERS * ATTEMPTS
    assert final.version - person.version == tally.successes  # 0 lost updates
    assert store.org_version(tenant, org_id) - org_start == tally.successes
    assert final.notes == tally.written[final.version]
    assert sorted(tally.written) == list(range(person.version + 1, final.version + 1))


def test_no_lost_updates_over_http(unlimited_api: httpx.Client, store_kind: str) -> None:
    api = unlimited_api
    org_id = api.post("/v1/organisations", json={"name": "Contended"}).json()["id"]
    created = api.post(f"/v1/organisations/{org_id}/people", json={"name": "Hot Spot"})
    path = created.headers["location"]
    start = created.json()["version"]
    base, headers = str(api.base_url), dict(api.headers)
    clients = threading.local()
    opened: list[httpx.Client] = []

    def attempt(expected: int, note: str) -> tuple[bool, int]:
        client = getattr(clients, "client", None)
        if client is None:
            client = clients.client = httpx.Client(base_url=base, headers=headers, timeout=60)
            opened.append(client)
        answer = client.patch(path, json={"notes": note}, headers={"If-Match": f'"{expected}"'})
        if answer.status_code == 412:
            return False, int(answer.json()["current_version"])
        assert answer.status_code == 200, answer.text
        return True, int(answer.json()["version"])

    try:
        tally, seconds = hammer(attempt, start)
    finally:
        for client in opened:
            client.close()
    final = api.get(path).json()
    report(f"http-{store_kind}", tally, seconds, start, final["version"])
    assert final["version"] - start == tally.successes
    assert final["notes"] == tally.written[final["version"]]
