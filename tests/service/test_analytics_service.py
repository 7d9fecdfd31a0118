"""The analytics service: store round trips, caching, and identical answers on both stores."""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from app.analytics import AnalyticsService
from app.bootstrap import invalidate_on_write
from app.cache import AnalyticsCache, CacheKey, Question
from app.demo import DEMO_ORGANISATION, demo_import
from app.keycache import ApiKeyCache
from graph.store import GraphStore
from schemas.imports import ImportRequest
from schemas.resources import OrganisationCreate, PersonUpdate
from tests.conftest import open_store

AS_OF = date(2026, 11, 27)


class CountingStore:
    """Counts the calls that reach the real store (each is one round trip)."""

    def __init__(self, inner: GraphStore) -> None:
        self.inner = inner
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.inner, name)
        if not callable(attribute):
            return attribute

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls.append(name)
            return attribute(*args, **kwargs)

        return counted


def wired(store: GraphStore, *, revalidate: bool = False) -> tuple[AnalyticsService, Any]:
    counting = CountingStore(store)
    cache = AnalyticsCache()
    # writes go to the real store, whose write events drop what they change from the cache
    store.subscribe(invalidate_on_write(cache, ApiKeyCache(60)))
    service = AnalyticsService(counting, cache, revalidate=revalidate, clock=lambda: AS_OF)
    return service, counting


def load_demo(store: GraphStore, tenant: str) -> tuple[str, dict[str, str]]:
    org = store.create_organisation(tenant, OrganisationCreate(**DEMO_ORGANISATION))
    result = store.import_graph(tenant, org.id, ImportRequest.model_validate(demo_import(AS_OF)))
    return org.id, result.ids


def test_one_round_trip_cold_none_warm(store: GraphStore, tenant: str) -> None:
    org_id, ids = load_demo(store, tenant)
    service, counting = wired(store)
    service.influence(tenant, org_id)
    assert counting.calls == ["snapshot"]
    counting.calls.clear()
    for _ in range(3):
        service.influence(tenant, org_id)
        service.entry_paths(tenant, org_id, target_id=None, member_id=None, k=5, include_cold=True)
        service.next_contacts(tenant, org_id, member_id=None, limit=5)
        service.coverage(tenant, org_id, stale_after_days=90)
        service.decision_makers(tenant, org_id)
    assert counting.calls == []

    writable = counting.inner
    writable.update_person(tenant, org_id, ids["cfo"], PersonUpdate(influence=1))
    counting.calls.clear()
    fresh = service.influence(tenant, org_id)
    assert counting.calls == ["snapshot"]
    assert fresh.model.version == store.org_version(tenant, org_id)


def test_revalidating_costs_one_cheap_query(store: GraphStore, tenant: str) -> None:
    org_id, ids = load_demo(store, tenant)
    service, counting = wired(store, revalidate=True)
    service.influence(tenant, org_id)
    counting.calls.clear()
    service.influence(tenant, org_id)
    assert counting.calls == ["org_version"]
    # a write made by another process (straight to the store) is seen at once
    store.update_person(tenant, org_id, ids["cfo"], PersonUpdate(influence=1))
    counting.calls.clear()
    answer = service.influence(tenant, org_id)
    assert counting.calls == ["org_version", "snapshot"]
    assert answer.model.version == store.org_version(tenant, org_id)


def test_cache_is_bounded_in_bytes() -> None:
    cache = AnalyticsCache(300, sizer=lambda value: 100)
    for i in range(10):
        cache.put(CacheKey("t", "o", i, Question.GRAPH), i)
    assert len(cache) == 3
    assert cache.bytes == 300
    assert cache.get(CacheKey("t", "o", 9, Question.GRAPH)) == 9
    assert cache.get(CacheKey("t", "o", 0, Question.GRAPH)) is None


def test_a_read_racing_a_write_never_pins_the_old_version(store: GraphStore, tenant: str) -> None:
    """A snapshot read just before a write commits holds the old version; the write's
    invalidation lands before the reader remembers it. The next read must still see the
    write, not serve the old answer until some later write."""
    org_id, ids = load_demo(store, tenant)
    service, counting = wired(store)
    writable = counting.inner
    real_snapshot = counting.snapshot

    def snapshot_then_concurrent_write(t: str, o: str) -> Any:
        taken = real_snapshot(t, o)
        writable.update_person(tenant, org_id, ids["cfo"], PersonUpdate(influence=1))
        return taken

    counting.snapshot = snapshot_then_concurrent_write  # type: ignore[method-assign]
    stale = service.influence(tenant, org_id)
    counting.snapshot = real_snapshot  # type: ignore[method-assign]
    fresh = service.influence(tenant, org_id)
    assert fresh.model.version == store.org_version(tenant, org_id) > stale.model.version


def _named(payload: bytes, names: dict[str, str]) -> str:
    """The JSON with every id replaced by the name it stands for."""
    text = payload.decode()
    for ident, name in names.items():
        text = text.replace(ident, name)
    return text


@pytest.mark.neo4j
def test_every_answer_is_identical_on_both_stores(tmp_path: Path) -> None:
    tenant = f"t-{uuid.uuid4().hex[:12]}"
    answers: list[list[str]] = []
    for kind in ("sqlite", "neo4j"):
        store = open_store(kind, tmp_path)
        try:
            org_id, ids = load_demo(store, tenant)
            service, _ = wired(store)
            names = {ident: f"<{ref}>" for ref, ident in ids.items()} | {org_id: "<org>"}
            results = [
                service.influence(tenant, org_id),
                service.decision_makers(tenant, org_id),
                service.entry_paths(
                    tenant, org_id, target_id=None, member_id=None, k=5, include_cold=True
                ),
                service.next_contacts(tenant, org_id, member_id=None, limit=10),
                service.coverage(tenant, org_id, stale_after_days=90),
            ]
            answers.append([_named(r.body, names) for r in results])
        finally:
            store.close()
    sqlite_answers, neo4j_answers = answers
    for ours, theirs in zip(sqlite_answers, neo4j_answers, strict=True):
        assert _approx(json.loads(ours)) == _approx(json.loads(theirs), exact=True)


def _approx(value: Any, *, exact: bool = False) -> Any:
    """Floats compared to 1e-9 (summation order follows ids, which differ between stores);
    tie ids are generated per store and left out."""
    if isinstance(value, float) and not exact:
        return pytest.approx(value, rel=1e-9, abs=1e-12)
    if isinstance(value, list):
        return [_approx(v, exact=exact) for v in value]
    if isinstance(value, dict):
        return {k: _approx(v, exact=exact) for k, v in value.items() if k != "relationship_id"}
    return value


def _blocking_first_snapshot(counting: Any) -> tuple[threading.Event, threading.Event]:
    """Make the first snapshot read wait (after reading) until released."""
    entered, release = threading.Event(), threading.Event()
    real_snapshot = counting.snapshot

    def snapshot(t: str, o: str) -> Any:
        taken = real_snapshot(t, o)
        if not entered.is_set():
            entered.set()
            assert release.wait(timeout=60)
        return taken

    counting.snapshot = snapshot
    return entered, release


def test_concurrent_cold_reads_share_one_computation(store: GraphStore, tenant: str) -> None:
    org_id, _ = load_demo(store, tenant)
    service, counting = wired(store)
    entered, release = _blocking_first_snapshot(counting)
    with ThreadPoolExecutor(max_workers=3) as pool:
        first = pool.submit(service.influence, tenant, org_id)
        assert entered.wait(timeout=30)
        # one more ranking and a power map, both needing the graph being read
        second = pool.submit(service.influence, tenant, org_id)
        drawn = pool.submit(service.power_map, tenant, org_id)
        deadline = time.monotonic() + 30
        while service._flights.joined < 2 and time.monotonic() < deadline:
            time.sleep(0.01)  # poll interval of the condition
        assert service._flights.joined >= 2
        release.set()
        assert first.result(timeout=60) is second.result(timeout=60)
        assert drawn.result(timeout=60).model.data.version == first.result().model.version
    assert counting.calls == ["snapshot"]


def test_a_read_after_a_write_never_joins_an_older_computation(
    store: GraphStore, tenant: str
) -> None:
    org_id, ids = load_demo(store, tenant)
    service, counting = wired(store)
    writable = counting.inner
    entered, release = _blocking_first_snapshot(counting)
    with ThreadPoolExecutor(max_workers=2) as pool:
        before = pool.submit(service.influence, tenant, org_id)
        assert entered.wait(timeout=30)
        writable.update_person(tenant, org_id, ids["cfo"], PersonUpdate(influence=1))
        after = service.influence(tenant, org_id)  # must not wait for the older read
        assert not before.done()
        release.set()
        assert before.result(timeout=60).model.version < after.model.version
    assert after.model.version == store.org_version(tenant, org_id)
    assert service._flights.joined == 0
    assert counting.calls.count("snapshot") == 2


@pytest.mark.parametrize("revalidate", [False, True])
def test_only_a_cached_answer_is_served_on_the_event_loop(
    store: GraphStore, tenant: str, revalidate: bool
) -> None:
    org_id, _ = load_demo(store, tenant)
    service, counting = wired(store, revalidate=revalidate)
    threads: list[int] = []

    def influence() -> Any:
        threads.append(threading.get_ident())
        return service.influence(tenant, org_id)

    async def twice() -> tuple[int, Any, Any]:
        loop_thread = threading.get_ident()
        return loop_thread, await service.answer(influence), await service.answer(influence)

    loop_thread, cold, warm = asyncio.run(twice())
    assert warm is cold
    assert counting.calls.count("snapshot") == 1
    tried_on_loop, computed_in = threads[0], threads[1]
    assert tried_on_loop == loop_thread != computed_in
    if revalidate:  # the version check reads the store: never on the event loop
        assert threads[2:] == [loop_thread, threads[3]]
        assert threads[3] != loop_thread
    else:
        assert threads[2:] == [loop_thread]
