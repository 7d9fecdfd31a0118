"""Fault injection between the app and Neo4j: connections cut during a read and during a
commit, the network gone silent, and Neo4j stopped and restarted mid-test.

The module starts its own Neo4j (``tools/neo4j/neo4j.sh``, port 7691, data in
``.neo4j/reliability``; never the shared instance) and serves the app through
:class:`~tests.reliability.proxy.FaultProxy` with short driver bounds (1 s to connect, 2 s
of retries, 2 s idempotency lease), so failures show in seconds. Figures go to
``test-output/fault-injection.json``.
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.settings import Settings
from graph.neo4j_store import Neo4jStore
from graph.store import GraphStore
from tests.conftest import NEO4J_URI, LiveServer
from tests.reliability.conftest import key_for
from tests.reliability.proxy import FaultProxy

pytestmark = pytest.mark.neo4j

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "test-output"
PORT = int(os.environ.get("STAKEMAP_TEST_FAULT_NEO4J_PORT", "7691"))
DATA_DIR = ".neo4j/reliability"
KEY = "Idempotency-Key"
PEOPLE = 40
#: Longest a request may take to fail while the store is away ("fail fast").
FAIL_FAST_SECONDS = 10.0
FIGURES: dict[str, Any] = {}


def launcher(action: str) -> None:
    env = {**os.environ, "NEO4J_BOLT_PORT": str(PORT), "NEO4J_DATA_DIR": DATA_DIR}
    subprocess.run(
        ["bash", "tools/neo4j/neo4j.sh", action], cwd=ROOT, env=env, check=True, timeout=300
    )


@pytest.fixture(scope="module")
def own_neo4j() -> Iterator[int]:
    if not NEO4J_URI:
        pytest.skip("STAKEMAP_TEST_NEO4J_URI is not set (the Neo4j half is off)")
    launcher("start")
    try:
        yield PORT
    finally:
        launcher("stop")
        OUTPUT.mkdir(exist_ok=True)
        (OUTPUT / "fault-injection.json").write_text(json.dumps(FIGURES, indent=2))


@pytest.fixture(scope="module")
def proxy(own_neo4j: int) -> Iterator[FaultProxy]:
    fault = FaultProxy(own_neo4j)
    yield fault
    fault.close()


@pytest.fixture(scope="module")
def server(proxy: FaultProxy) -> Iterator[LiveServer]:
    store = GraphStore(
        Neo4jStore(
            proxy.uri,
            user="neo4j",
            password="unused",
            database="neo4j",
            timeout=10,
            connect_timeout=1,
            retry_time=2,
        )
    )
    settings = Settings(
        store="neo4j",
        rate_limit_per_minute=0,
        idempotency_lease_seconds=2,
        analytics_processes=0,
    )
    live = LiveServer(store, settings)
    live.start()
    yield live
    live.stop()


@pytest.fixture
def api(server: LiveServer, tenant: str, proxy: FaultProxy) -> Iterator[httpx.Client]:
    proxy.mode, proxy.trigger = "pass", None
    key = key_for(server, tenant)
    with httpx.Client(
        base_url=server.url, headers={"Authorization": f"Bearer {key}"}, timeout=60
    ) as client:
        yield client
    proxy.mode, proxy.trigger = "pass", None


def import_body(label: str) -> dict[str, Any]:
    return {
        "people": [
            {"ref": f"p{n}", "name": f"{label} person {n}", **({"reports_to": "p0"} if n else {})}
            for n in range(PEOPLE)
        ]
    }


def people_count(api: httpx.Client, org_id: str) -> int:
    page = api.get(f"/v1/organisations/{org_id}/people", params={"limit": 500})
    assert page.status_code == 200, page.text
    return len(page.json()["items"])


def new_org(api: httpx.Client, name: str = "Acme") -> str:
    created = api.post("/v1/organisations", json={"name": name})
    assert created.status_code == 201, created.text
    org_id: str = created.json()["id"]
    return org_id


def assert_outcome_unknown(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    problem = response.json()
    assert response.headers["content-type"] == "application/problem+json"
    assert problem["outcome"] == "unknown"
    assert problem["retry_with_same_idempotency_key"] is True
    assert "Idempotency-Key is safe" in problem["detail"]
    assert int(response.headers["retry-after"]) >= 1


def test_a_connection_cut_during_a_read_is_retried(api: httpx.Client, proxy: FaultProxy) -> None:
    org_id = new_org(api)
    assert api.post(f"/v1/organisations/{org_id}/import", json=import_body("r")).status_code == 200
    cuts = proxy.cuts
    # the snapshot's people (queries/people_of_orgs.cypher)
    trigger = proxy.arm(after=b"UNWIND $org_ids AS org_id\nMATCH (p:Person", at=None)
    ranking = api.get(f"/v1/organisations/{org_id}/influence")
    assert trigger.fired.is_set()
    assert proxy.cuts == cuts + 1
    assert ranking.status_code == 200, ranking.text  # the driver retried on a new connection
    assert len(ranking.json()["items"]) == PEOPLE
    FIGURES["read_cut"] = {"status": ranking.status_code}


@pytest.mark.parametrize("committed", [False, True], ids=["before-commit", "after-commit"])
def test_a_connection_cut_during_a_commit(
    api: httpx.Client, proxy: FaultProxy, committed: bool
) -> None:
    org_id = new_org(api)
    path, body, key = f"/v1/organisations/{org_id}/import", import_body("c"), str(uuid.uuid4())
    trigger = proxy.arm(after=b"CREATE (p:Person)", deliver=committed)
    first = api.post(path, json=body, headers={KEY: key})
    assert trigger.fired.is_set()
    assert_outcome_unknown(first)
    assert people_count(api, org_id) == (PEOPLE if committed else 0)  # all or nothing

    retry = api.post(path, json=body, headers={KEY: key})
    assert retry.status_code == 200, retry.text
    assert ("idempotent-replayed" in retry.headers) == committed
    again = api.post(path, json=body, headers={KEY: key})
    assert again.headers["idempotent-replayed"] == "true"
    assert again.content == retry.content
    assert people_count(api, org_id) == PEOPLE  # exactly one copy
    FIGURES[f"commit_cut_{'after' if committed else 'before'}"] = {
        "first": first.status_code,
        "retry": retry.status_code,
        "people": PEOPLE,
    }


def timed(send: Callable[[], httpx.Response]) -> tuple[httpx.Response, float]:
    started = time.perf_counter()
    response = send()
    return response, time.perf_counter() - started


def test_an_unreachable_store_fails_fast_and_recovers(
    api: httpx.Client, server: LiveServer, proxy: FaultProxy
) -> None:
    org_id = new_org(api)
    proxy.mode = "blackhole"  # connections hang: only the driver's bounds end them
    proxy.cut_all()
    answers = {
        "read": timed(lambda: api.get(f"/v1/organisations/{org_id}")),
        "write": timed(lambda: api.post("/v1/organisations", json={"name": "During"})),
        "readyz": timed(lambda: httpx.get(f"{server.url}/readyz", timeout=60)),
    }
    for what, (response, seconds) in answers.items():
        assert response.status_code == 503, (what, response.text)
        assert int(response.headers["retry-after"]) >= 1, what
        assert seconds < FAIL_FAST_SECONDS, (what, seconds)
    proxy.mode = "refuse"  # a server that is down: refused at once
    refused, refused_seconds = timed(lambda: api.get(f"/v1/organisations/{org_id}"))
    assert refused.status_code == 503
    proxy.mode = "pass"
    proxy.cut_all()
    recovered_after = wait_until_ready(server)
    assert api.get(f"/v1/organisations/{org_id}").status_code == 200
    assert api.post("/v1/organisations", json={"name": "After"}).status_code == 201
    names = [o["name"] for o in api.get("/v1/organisations").json()["items"]]
    assert sorted(names) == ["Acme", "After"]  # the write during the outage stored nothing
    FIGURES["unreachable"] = {
        **{f"{what}_seconds": round(s, 2) for what, (_, s) in answers.items()},
        "refused_seconds": round(refused_seconds, 2),
        "recovered_after_seconds": round(recovered_after, 2),
    }


def wait_until_ready(server: LiveServer, limit: float = 60.0) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        if httpx.get(f"{server.url}/readyz", timeout=60).status_code == 200:
            return time.perf_counter() - started
        time.sleep(0.2)  # poll interval of the condition
    raise AssertionError(f"not ready {limit} s after the store came back")


def test_neo4j_stopped_and_restarted_mid_test(
    api: httpx.Client, server: LiveServer, proxy: FaultProxy
) -> None:
    """Writers keep importing while Neo4j is stopped and started again with the launcher:
    503s (with Retry-After, fast) while it is down, full recovery after, and every import,
    retried with its idempotency key until it succeeds, stored exactly once and whole."""
    seen: list[tuple[int, float, str | None]] = []
    done: list[tuple[str, str]] = []
    failures: list[BaseException] = []
    stop = threading.Event()
    lock = threading.Lock()

    def post_until(path: str, body: dict[str, Any], key: str, ok: int) -> httpx.Response:
        """POST with one idempotency key until the answer is ``ok`` (a client's retries)."""
        while True:
            response, seconds = timed(lambda: api.post(path, json=body, headers={KEY: key}))
            with lock:
                seen.append((response.status_code, seconds, response.headers.get("retry-after")))
            if response.status_code == ok:
                return response
            assert response.status_code in (409, 503), response.text
            time.sleep(0.2)  # a client's retry back-off, not a wait

    def writer(number: int) -> None:
        try:
            count = 0
            while not stop.is_set():
                name = f"writer {number} import {count}"
                org = post_until("/v1/organisations", {"name": name}, str(uuid.uuid4()), 201)
                org_id = org.json()["id"]
                post_until(
                    f"/v1/organisations/{org_id}/import", import_body(name), str(uuid.uuid4()), 200
                )
                with lock:
                    done.append((name, org_id))
                count += 1
        except BaseException as exc:
            failures.append(exc)

    writers = [threading.Thread(target=writer, args=(n,)) for n in range(2)]
    for thread in writers:
        thread.start()
    try:
        wait_for(lambda: len(done) >= 4)
        before = len(done)
        launcher("stop")
        stopped_at = time.perf_counter()
        wait_for(lambda: sum(1 for s, _, _ in seen if s == 503) >= 6)
        down, down_seconds = timed(lambda: httpx.get(f"{server.url}/readyz", timeout=60))
        assert down.status_code == 503
        assert down_seconds < FAIL_FAST_SECONDS
        launcher("start")
        recovered = wait_until_ready(server)
        outage = time.perf_counter() - stopped_at
        wait_for(lambda: len(done) >= before + 4)
    finally:
        stop.set()
        for thread in writers:
            thread.join(timeout=120)
    assert failures == []
    unavailable = [(seconds, retry) for status, seconds, retry in seen if status == 503]
    assert unavailable, "no request saw the outage"
    assert all(retry is not None and int(retry) >= 1 for _, retry in unavailable)
    assert max(seconds for seconds, _ in unavailable) < FAIL_FAST_SECONDS
    # every import stored exactly once and whole; no organisation half-written
    orgs = api.get("/v1/organisations", params={"limit": 500}).json()["items"]
    names = [o["name"] for o in orgs]
    assert sorted(names) == sorted(name for name, _ in done)
    for org in orgs:
        assert people_count(api, org["id"]) == PEOPLE, org["name"]
    FIGURES["restart"] = {
        "imports_done": len(done),
        "requests": len(seen),
        "answered_503": len(unavailable),
        "answered_409": sum(1 for s, _, _ in seen if s == 409),
        "slowest_503_seconds": round(max(s for s, _ in unavailable), 2),
        "readyz_down_seconds": round(down_seconds, 2),
        "outage_seconds": round(outage, 2),
        "ready_after_restart_seconds": round(recovered, 2),
        "partial_writes": 0,
        "duplicate_imports": 0,
    }
    print(f"\nNeo4j stop/restart: {FIGURES['restart']}")


def wait_for(condition: Callable[[], bool], limit: float = 120.0) -> None:
    started = time.perf_counter()
    while not condition():
        if time.perf_counter() - started > limit:
            raise AssertionError("timed out waiting")
        time.sleep(0.1)  # poll interval of the condition
