"""The analytics cache is bounded in bytes and in parameter variants, whatever is asked."""

from __future__ import annotations

import gc
import pickle
import random
import tracemalloc
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from app.analytics import AnalyticsService
from app.cache import AnalyticsCache, CachedResult, CacheKey, Question
from app.demo import DEMO_ORGANISATION, demo_import
from app.sizing import estimate_size
from graph.analytics import rank_influence
from graph.network import build_graph
from graph.sqlite_store import SqliteStore
from graph.store import GraphStore
from schemas.analytics import InfluenceWeights
from schemas.imports import ImportRequest
from schemas.resources import OrganisationCreate
from tests.datasets import krackhardt_request, lazega_request, snapshot_from_request
from tests.factories import subscribed

AS_OF = date(2026, 11, 27)
TENANT = "memory"
BOUND = 1024 * 1024
REQUESTS = 1_000
TRACED_REQUESTS = 100
VARIANTS = 8
TEAM = {ref["ref"] for ref in demo_import(AS_OF)["team"]}
PEOPLE = {ref["ref"] for ref in demo_import(AS_OF)["people"]}


def _ask(service: AnalyticsService, org_id: str, rng: random.Random, ids: dict[str, str]) -> None:
    """One question with random parameters (a third each: weights, entry paths, contacts)."""
    team = [ids[ref] for ref in sorted(TEAM)]
    people = sorted(v for k, v in ids.items() if k in PEOPLE)
    kind = rng.randrange(3)
    if kind == 0:
        weights = InfluenceWeights(**{w: rng.uniform(0.01, 1) for w in _WEIGHTS})
        service.influence(TENANT, org_id, weights)
    elif kind == 1:
        service.entry_paths(
            TENANT,
            org_id,
            target_id=rng.choice(people),
            member_id=rng.choice([None, *team]),
            k=rng.randint(1, 20),
            include_cold=True,
        )
    else:
        service.next_contacts(
            TENANT, org_id, member_id=rng.choice([None, *team]), limit=rng.randint(1, 50)
        )


_WEIGHTS = ("formal", "informal", "brokerage", "declared")


def test_cache_memory_under_random_parameters_stays_within_the_byte_bound(
    tmp_path: Path,
) -> None:
    """1,000 requests with random weights, targets, members, k and limits. What the cache
    then holds, rebuilt under tracemalloc, is within its bound + 20% and within its own byte
    count + 20%. Then, from an empty cache, 100 more with every allocation traced: what
    the process keeps of them is within the bound + 20%."""
    store = GraphStore(SqliteStore(tmp_path / "memory.db"))
    try:
        org = store.create_organisation(TENANT, OrganisationCreate(**DEMO_ORGANISATION))
        ids = store.import_graph(
            TENANT, org.id, ImportRequest.model_validate(demo_import(AS_OF))
        ).ids
        cache = AnalyticsCache(BOUND, max_variants=VARIANTS)
        service = AnalyticsService(subscribed(store, cache), cache, clock=lambda: AS_OF)
        rng = random.Random(2)
        for _ in range(REQUESTS):
            _ask(service, org.id, rng, ids)
        gc.collect()
        tracemalloc.start()
        try:
            held = pickle.dumps([entry.value for entry in cache._entries.values()])
            start = tracemalloc.get_traced_memory()[0]
            rebuilt = pickle.loads(held)  # noqa: S301 (the bytes pickled just above)
            real = tracemalloc.get_traced_memory()[0] - start
            counted = cache.bytes
            del held, rebuilt
            cache.invalidate(TENANT)
            evicted = cache.evictions
            gc.collect()
            start = tracemalloc.get_traced_memory()[0]
            for _ in range(TRACED_REQUESTS):
                _ask(service, org.id, rng, ids)
            gc.collect()
            kept = tracemalloc.get_traced_memory()[0] - start
        finally:
            tracemalloc.stop()
        version = store.org_version(TENANT, org.id)
    finally:
        store.close()

    assert evicted > REQUESTS / 2  # the bounds were reached, again and again
    assert counted <= BOUND
    assert real <= BOUND * 1.2, f"the cache held {real:,} bytes for a bound of {BOUND:,}"
    assert real <= counted * 1.2, f"it held {real:,} bytes but counted {counted:,}"
    assert cache.evictions > evicted  # the traced requests filled the cache again
    assert kept <= BOUND * 1.2, f"{TRACED_REQUESTS} requests kept {kept:,} bytes"
    assert cache.bytes <= BOUND
    for question in (Question.INFLUENCE, Question.ENTRY_PATHS, Question.NEXT_CONTACTS):
        assert cache.variants(TENANT, org.id, version, question) <= VARIANTS


@pytest.mark.parametrize("body", [krackhardt_request, lazega_request])
def test_estimates_are_close_to_traced_sizes(body: Callable[[], dict[str, Any]]) -> None:
    """The estimate of a graph and of a cached answer is at least what tracemalloc sees
    them allocate, and not wildly more."""
    snapshot = snapshot_from_request(body())
    # A first run outside the trace: one-time allocations (lazy imports, the message
    # catalog, interned names) belong to the process, not to this graph or answer.
    rank_influence(build_graph(snapshot)).model_dump_json()
    gc.collect()
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        graph = build_graph(snapshot)
        graph_bytes = tracemalloc.get_traced_memory()[0] - start
        start = tracemalloc.get_traced_memory()[0]
        ranking = rank_influence(graph)
        answer = CachedResult(ranking, ranking.model_dump_json().encode())
        gc.collect()
        answer_bytes = tracemalloc.get_traced_memory()[0] - start
    finally:
        tracemalloc.stop()
    for traced, estimated in (
        (graph_bytes, estimate_size(graph)),
        (answer_bytes, estimate_size(answer)),
    ):
        assert traced <= estimated <= traced * 2.5


def _key(question: Question, params: object = None, version: int = 1) -> CacheKey:
    return CacheKey("t", "o", version, question, params)


def test_variants_of_one_question_are_capped_and_spare_other_questions() -> None:
    cache = AnalyticsCache(10_000, max_variants=3, sizer=lambda value: 10)
    cache.put(_key(Question.GRAPH), "graph")
    cache.put(_key(Question.COVERAGE, 90), "coverage")
    for k in range(10):
        cache.put(_key(Question.ENTRY_PATHS, k), k)
    assert cache.variants("t", "o", 1, Question.ENTRY_PATHS) == 3
    assert [cache.get(_key(Question.ENTRY_PATHS, k)) for k in (6, 7, 8, 9)] == [None, 7, 8, 9]
    assert cache.get(_key(Question.COVERAGE, 90)) == "coverage"
    assert cache.get(_key(Question.GRAPH)) == "graph"
    cache.get(_key(Question.ENTRY_PATHS, 7))  # used: the least recently used goes next
    cache.put(_key(Question.ENTRY_PATHS, 10), 10)
    assert cache.get(_key(Question.ENTRY_PATHS, 8)) is None
    assert cache.get(_key(Question.ENTRY_PATHS, 7)) == 7
    assert cache.bytes == 10 * (2 + 3)


def test_languages_of_one_answer_are_separate_variants() -> None:
    cache = AnalyticsCache(10_000, max_variants=2, sizer=lambda value: 10)
    english = CacheKey("t", "o", 1, Question.COVERAGE, 90)
    other = CacheKey("t", "o", 1, Question.COVERAGE, 90, language="xx")
    cache.put(english, "coverage")
    assert cache.get(other) is None
    cache.put(other, "couverture")
    assert (cache.get(english), cache.get(other)) == ("coverage", "couverture")
    assert cache.variants("t", "o", 1, Question.COVERAGE) == 2


def test_an_entry_larger_than_the_bound_is_not_kept_and_evicts_nothing() -> None:
    cache = AnalyticsCache(100, sizer=lambda value: len(str(value)))
    cache.put(_key(Question.COVERAGE, 1), "x" * 60)
    cache.put(_key(Question.COVERAGE, 2), "y" * 101)
    assert cache.get(_key(Question.COVERAGE, 2)) is None
    assert cache.get(_key(Question.COVERAGE, 1)) == "x" * 60
    cache.put(_key(Question.COVERAGE, 3), "z" * 60)  # both cannot fit: the older goes
    assert cache.get(_key(Question.COVERAGE, 1)) is None
    assert cache.bytes == 60


def test_near_identical_weights_share_one_answer_that_echoes_the_weights_used(
    tmp_path: Path,
) -> None:
    store = GraphStore(SqliteStore(tmp_path / "weights.db"))
    try:
        org = store.create_organisation(TENANT, OrganisationCreate(**DEMO_ORGANISATION))
        store.import_graph(TENANT, org.id, ImportRequest.model_validate(demo_import(AS_OF)))
        cache = AnalyticsCache()
        service = AnalyticsService(subscribed(store, cache), cache)
        first = service.influence(
            TENANT, org.id, InfluenceWeights(formal=2, informal=1, brokerage=1, declared=0)
        )
        again = service.influence(
            TENANT,
            org.id,
            InfluenceWeights(formal=4.00001, informal=2, brokerage=2, declared=0),
        )
        default = service.influence(TENANT, org.id)
        scaled = service.influence(
            TENANT,
            org.id,
            InfluenceWeights(formal=35, informal=30, brokerage=15, declared=20),
        )
    finally:
        store.close()
    assert again is first
    assert first.model.weights == InfluenceWeights(
        formal=0.5, informal=0.25, brokerage=0.25, declared=0
    )
    assert scaled is default
    assert cache.variants(TENANT, org.id, first.model.version, Question.INFLUENCE) == 2
