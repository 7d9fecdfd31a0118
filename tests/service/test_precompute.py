"""Background recomputation: after a write to an organisation someone is viewing, the next
read is warm (no store round trip) and already shows the write."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.analytics import AnalyticsService
from app.cache import AnalyticsCache, CachedQuestion, CacheKey, Question
from app.precompute import Precomputer
from app.security import generate_key, hash_key
from app.settings import Settings
from graph.store import GraphStore
from schemas.common import KeyRole
from schemas.powermap import Highlight
from schemas.resources import PersonUpdate
from tests.conftest import TEST_PEPPER, LiveServer, open_store
from tests.factories import subscribed
from tests.service.test_analytics_service import AS_OF, CountingStore, load_demo

Wired = tuple[AnalyticsService, GraphStore, CountingStore, Precomputer]


@pytest.fixture
def wired(store: GraphStore) -> Iterator[Wired]:
    counting = CountingStore(store)
    cache = AnalyticsCache()
    writable = subscribed(store, cache)
    service = AnalyticsService(counting, cache, clock=lambda: AS_OF)  # type: ignore[arg-type]
    precomputer = Precomputer(service, delay=0.05)
    cache.add_listener(precomputer.schedule)
    precomputer.start()
    yield service, writable, counting, precomputer
    precomputer.stop()


def test_a_write_to_a_viewed_organisation_leaves_it_warm(wired: Wired, tenant: str) -> None:
    service, writable, counting, precomputer = wired
    org_id, ids = load_demo(writable, tenant)
    service.influence(tenant, org_id)
    service.power_map(tenant, org_id, highlight=Highlight.ENTRY_PATHS)

    writable.update_person(tenant, org_id, ids["cfo"], PersonUpdate(influence=1))
    assert precomputer.wait_idle(timeout=60)
    assert precomputer.recomputed == 1

    counting.calls.clear()
    ranking = service.influence(tenant, org_id).model
    drawn = service.power_map(tenant, org_id, highlight=Highlight.ENTRY_PATHS).model
    service.decision_makers(tenant, org_id)
    assert counting.calls == []  # all three were recomputed in the background
    version = writable.org_version(tenant, org_id)
    assert ranking.version == drawn.data.version == version
    cfo = next(item for item in ranking.items if item.person_id == ids["cfo"])
    assert cfo.components.declared == 0.0  # influence 1 on the 1-5 scale


def test_an_organisation_nobody_viewed_is_left_alone(wired: Wired, tenant: str) -> None:
    _service, writable, counting, precomputer = wired
    org_id, ids = load_demo(writable, tenant)
    counting.calls.clear()
    writable.update_person(tenant, org_id, ids["cfo"], PersonUpdate(influence=1))
    assert precomputer.pending == 0
    assert precomputer.wait_idle(timeout=5)
    assert "snapshot" not in counting.calls
    assert precomputer.recomputed == 0


def test_a_burst_of_writes_is_recomputed_once(store: GraphStore, tenant: str) -> None:
    now = [0.0]
    counting = CountingStore(store)
    cache = AnalyticsCache()
    writable = subscribed(store, cache)
    service = AnalyticsService(counting, cache, clock=lambda: AS_OF)  # type: ignore[arg-type]
    precomputer = Precomputer(service, delay=1.0, clock=lambda: now[0])
    cache.add_listener(precomputer.schedule)
    org_id, ids = load_demo(writable, tenant)
    service.influence(tenant, org_id)
    for level in (1, 2, 3, 4, 5):
        if level > 1:
            service.influence(tenant, org_id)  # a reader in between warms it again
        writable.update_person(tenant, org_id, ids["cfo"], PersonUpdate(influence=level))
    assert precomputer.pending == 1  # one organisation, however many writes
    precomputer.start()
    try:
        counting.calls.clear()
        now[0] = 10.0  # past the delay
        precomputer.schedule([])  # wake the thread to look at the clock
        assert precomputer.wait_idle(timeout=60)
        assert counting.calls.count("snapshot") == 1
    finally:
        precomputer.stop()


def test_a_deleted_organisation_is_skipped(wired: Wired, tenant: str) -> None:
    service, writable, _counting, precomputer = wired
    org_id, _ = load_demo(writable, tenant)
    service.influence(tenant, org_id)
    writable.delete_organisation(tenant, org_id)
    assert precomputer.wait_idle(timeout=30)
    assert precomputer.recomputed == 0
    # the thread survived and still works
    other, ids = load_demo(writable, tenant)
    service.influence(tenant, other)
    writable.update_person(tenant, other, ids["cfo"], PersonUpdate(influence=2))
    assert precomputer.wait_idle(timeout=60)
    assert precomputer.recomputed == 1


def test_the_listener_hears_only_warm_organisations(tenant: str) -> None:
    heard: list[Any] = []
    cache = AnalyticsCache()
    cache.add_listener(heard.append)
    day = date(2026, 11, 27)
    cache.put(CacheKey(tenant, "warm", 3, Question.GRAPH), "graph")  # not an answer
    cache.put(CacheKey(tenant, "warm", 3, Question.INFLUENCE, "{}"), "ranking")
    cache.put(CacheKey(tenant, "warm", 3, Question.POWER_MAP, (None, day)), "map")
    cache.remember_version((tenant, "warm"), 3)
    cache.remember_version((tenant, "cold"), 1)
    cache.invalidate(tenant, "cold")
    assert heard == []
    cache.invalidate(tenant)
    assert heard == [
        [
            (
                (tenant, "warm"),
                frozenset(
                    {
                        CachedQuestion(Question.INFLUENCE, "{}"),
                        CachedQuestion(Question.POWER_MAP, (None, day)),
                    }
                ),
            )
        ]
    ]


@pytest.fixture
def server(store_kind: str, tmp_path: Path) -> Iterator[LiveServer]:
    """A server of its own: no other test's background work lands in its counts."""
    server = LiveServer(open_store(store_kind, tmp_path), Settings())
    server.start()
    yield server
    server.stop()


def test_the_served_app_recomputes_after_a_write(server: LiveServer, tenant: str) -> None:
    secret = generate_key()
    server.store.create_api_key(tenant, KeyRole.EDITOR, "precompute", hash_key(secret, TEST_PEPPER))
    api = httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {secret}"})
    org_id, ids = load_demo(server.store, tenant)
    assert api.get(f"/v1/organisations/{org_id}/influence").status_code == 200
    before = server.store_calls("snapshot")
    version = api.get(f"/v1/organisations/{org_id}/people/{ids['cfo']}").headers["etag"]
    changed = api.patch(
        f"/v1/organisations/{org_id}/people/{ids['cfo']}",
        json={"influence": 1},
        headers={"If-Match": version},
    )
    assert changed.status_code == 200
    deadline = time.monotonic() + 60
    while server.store_calls("snapshot") == before and time.monotonic() < deadline:
        time.sleep(0.05)  # poll interval of the condition
    assert server.store_calls("snapshot") == before + 1  # recomputed in the background
    answer = api.get(f"/v1/organisations/{org_id}/influence")
    assert server.store_calls("snapshot") == before + 1  # and served warm
    exposed = httpx.get(server.metrics_url).text.splitlines()
    prefix = "stakemap_precomputed_organisations_total "
    assert [float(line.removeprefix(prefix)) for line in exposed if line.startswith(prefix)] == [
        1.0
    ]
    cfo = next(i for i in answer.json()["items"] if i["person_id"] == ids["cfo"])
    assert cfo["components"]["declared"] == 0.0
    api.close()
