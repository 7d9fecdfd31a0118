"""The analytics service: one snapshot read, pure analytics, results cached by version.

Results are kept per (tenant, organisation, version, question, parameters) as the JSON bytes
the API sends, so a warm request neither recomputes nor re-serialises. The organisation's
current version is known locally: every write made through this process's store drops the
organisation's entries (see :class:`CacheInvalidatingStore`), so a warm read costs no store
round trip; with ``cache_revalidate`` (several processes on one store) it costs one cheap
version query. A cold read costs one round trip: the snapshot. Concurrent cold reads of
the same answer (a web page asks for the ranking, the map and the next contacts at once)
share one computation (:class:`SingleFlight`).
"""

from __future__ import annotations

import asyncio
import threading
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Callable, Hashable, Iterator, Sequence
from concurrent.futures import Executor, Future
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import partial
from typing import Any, TypeVar

import networkx as nx
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from app.keycache import ApiKeyCache
from app.sizing import estimate_size
from graph.analytics import (
    coverage,
    entry_paths,
    find_decision_makers,
    influence_csv_rows,
    next_contacts,
    rank_influence,
)
from graph.analytics.influence import reweighted
from graph.csvio import encode_rows
from graph.errors import NotFound
from graph.idempotency import IdempotencyClaim, IdempotentWrite, StoredResponse
from graph.network import build_graph
from graph.port import GraphStore, ImportOutcome, OrgImport
from graph.powermap import power_map, render_svg, to_graphml
from graph.powermap.layout import DEFAULT_WORK_BUDGET
from schemas.analytics import EntryPaths, InfluenceRanking, InfluenceWeights
from schemas.audit import AuditEntry
from schemas.common import KeyRole
from schemas.imports import ImportRequest, ImportResult
from schemas.keys import ApiKeyPublic
from schemas.powermap import Highlight, PowerMap
from schemas.resources import (
    OrganisationCreate,
    OrganisationPublic,
    OrganisationUpdate,
    PersonCreate,
    PersonPublic,
    PersonUpdate,
    RelationshipCreate,
    RelationshipPublic,
    TeamMemberCreate,
    TeamMemberPublic,
    TeamMemberUpdate,
)
from schemas.snapshot import OrgSnapshot

ModelT = TypeVar("ModelT", bound=BaseModel)
T = TypeVar("T")

EXPORT_PAGE_SIZE = 100
"""Organisations read per page by the streamed export."""

OrgKey = tuple[str, str]

CachedQuestion = tuple[str, Hashable]
"""A question and its parameters, as in the cache's keys ``(tenant, org, version, q, p)``."""

WarmOrganisation = tuple[OrgKey, frozenset[CachedQuestion]]
"""An organisation whose cached answers an invalidation dropped, with those questions."""


@dataclass(frozen=True)
class CachedResult:
    """A computed answer and its serialised form."""

    model: Any
    body: bytes


DEFAULT_CACHE_MAX_BYTES = 256 * 2**20
"""Default bound of :class:`AnalyticsCache` (``STAKEMAP_CACHE_MAX_BYTES``)."""

DEFAULT_CACHE_MAX_VARIANTS = 16
"""Default ``STAKEMAP_CACHE_MAX_VARIANTS``: parameter sets kept per question and organisation."""


@dataclass(frozen=True)
class _Entry:
    value: Any
    size: int


class AnalyticsCache:
    """A byte-bounded LRU of analytics results and graphs, plus each organisation's known
    version.

    Every entry is charged its estimated size (:func:`app.sizing.estimate_size`: the
    answer's model and bytes, or the graph); the least recently used entries go until the
    total is within ``max_bytes``, and an entry larger than that alone is not kept. The
    answers of one question about one organisation version that differ only in their
    parameters (weights, target, member, ``k`` ...) are *variants*: at most
    ``max_variants`` of them are kept, the least recently used going first, so a sweep of
    parameters evicts its own older variants rather than everyone else's answers.
    """

    def __init__(
        self,
        max_bytes: int = DEFAULT_CACHE_MAX_BYTES,
        *,
        max_variants: int = DEFAULT_CACHE_MAX_VARIANTS,
        sizer: Callable[[object], int] = estimate_size,
    ) -> None:
        self._max_bytes = max_bytes
        self._max_variants = max(1, max_variants)
        self._sizer = sizer
        self._entries: OrderedDict[Hashable, _Entry] = OrderedDict()
        self._variants: dict[Hashable, OrderedDict[Hashable, None]] = {}
        self._bytes = 0
        self._versions: dict[OrgKey, int] = {}
        self._epoch = 0
        self._org_generation: dict[OrgKey, int] = {}
        self._tenant_generation: dict[str, int] = {}
        self._lock = threading.Lock()
        self._listeners: list[Callable[[list[WarmOrganisation]], None]] = []
        self.hits = 0
        self.misses = 0
        self.evictions = 0

    def get(self, key: Hashable, *, count_miss: bool = True) -> Any | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                group = self._variants.get(_group_of(key))
                if group is not None:
                    group.move_to_end(key)
                self.hits += 1
                return entry.value
            if count_miss:
                self.misses += 1
            return None

    def put(self, key: Hashable, value: Any, *, size: int | None = None) -> None:
        """Keep ``value`` (charged ``size`` bytes, estimated when not given), then evict
        the least recently used variants and entries beyond the bounds."""
        if self._max_bytes <= 0:
            return
        charged = self._sizer(value) if size is None else size
        if charged > self._max_bytes:
            return
        with self._lock:
            self._drop(key)
            self._entries[key] = _Entry(value, charged)
            self._bytes += charged
            group_key = _group_of(key)
            if group_key is not None:
                group = self._variants.setdefault(group_key, OrderedDict())
                group[key] = None
                while len(group) > self._max_variants:
                    self._drop(next(iter(group)))
                    self.evictions += 1
            while self._bytes > self._max_bytes:
                self._drop(next(iter(self._entries)))
                self.evictions += 1

    def _drop(self, key: Hashable) -> None:
        """Forget one entry (the lock held)."""
        entry = self._entries.pop(key, None)
        if entry is None:
            return
        self._bytes -= entry.size
        group_key = _group_of(key)
        group = self._variants.get(group_key)
        if group is not None:
            group.pop(key, None)
            if not group:
                del self._variants[group_key]

    @property
    def bytes(self) -> int:
        """Estimated bytes held by the cached entries (at most ``max_bytes``)."""
        with self._lock:
            return self._bytes

    @property
    def max_bytes(self) -> int:
        return self._max_bytes

    def variants(self, tenant: str, org_id: str, version: int, question: str) -> int:
        """How many parameter sets of ``question`` are cached for this organisation version."""
        with self._lock:
            return len(self._variants.get((tenant, org_id, version, question), ()))

    def known_version(self, org: OrgKey) -> int | None:
        with self._lock:
            return self._versions.get(org)

    @property
    def epoch(self) -> int:
        """Counts invalidations (of any organisation)."""
        with self._lock:
            return self._epoch

    def generation(self, org: OrgKey) -> int:
        """Changes whenever the organisation's answers are invalidated (a write to it or to
        its whole tenant), and only then; read it before a snapshot and pass it to
        :meth:`remember_version`. Computations are shared only within one generation
        (:class:`SingleFlight`), so a read after a write never joins one begun before it."""
        with self._lock:
            return self._generation(org)

    def _generation(self, org: OrgKey) -> int:
        return max(self._org_generation.get(org, 0), self._tenant_generation.get(org[0], 0))

    def remember_version(self, org: OrgKey, version: int, generation: int | None = None) -> None:
        """Remember the organisation's current version, unless it was invalidated since
        ``generation``: a snapshot read while a write commits may hold the old version,
        and remembering it would serve stale answers until the next write."""
        with self._lock:
            if generation is None or generation == self._generation(org):
                self._versions[org] = version

    def invalidate(self, tenant: str, org_id: str | None = None) -> None:
        """Forget what is known of one organisation, or of a whole tenant, and tell the
        listeners which organisations had cached answers (someone was viewing them)."""
        warm: dict[OrgKey, set[CachedQuestion]] = {}
        with self._lock:
            self._epoch += 1
            if org_id is None:
                self._tenant_generation[tenant] = self._epoch
            else:
                self._org_generation[(tenant, org_id)] = self._epoch
            stale = [org for org in self._versions if org[0] == tenant and org_id in (None, org[1])]
            for org in stale:
                del self._versions[org]
            for key in [k for k in self._entries if _org_of(k) in stale]:
                self._drop(key)
                if isinstance(key, tuple) and len(key) == 5:  # (tenant, org, version, q, params)
                    warm.setdefault((key[0], key[1]), set()).add((key[3], key[4]))
            listeners = list(self._listeners)
        if warm:
            changed = [(org, frozenset(asked)) for org, asked in warm.items()]
            for listener in listeners:
                listener(changed)

    def add_listener(self, listener: Callable[[list[WarmOrganisation]], None]) -> None:
        """Call ``listener`` after each invalidation that dropped cached answers."""
        with self._lock:
            self._listeners.append(listener)

    def __len__(self) -> int:
        return len(self._entries)


def _org_of(key: Hashable) -> OrgKey | None:
    if isinstance(key, tuple) and len(key) >= 2:
        return (key[0], key[1])
    return None


def _group_of(key: Hashable) -> Hashable:
    """``(tenant, org, version, question)`` of an answer's key; ``None`` for a graph's."""
    if isinstance(key, tuple) and len(key) == 5:
        return key[:4]
    return None


class SingleFlight:
    """Concurrent calls with the same key share one computation: the first caller computes,
    the others wait for its result (or its exception).

    Callers put the organisation's generation (:meth:`AnalyticsCache.generation`) in the
    key, so a call made after a write never joins a computation that started before it
    (read-your-writes).

    >>> flights = SingleFlight()
    >>> flights.run("k", lambda: 42)
    42
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: dict[Hashable, Future[Any]] = {}
        self.joined = 0

    def run(self, key: Hashable, compute: Callable[[], T]) -> T:
        with self._lock:
            running = self._running.get(key)
            if running is None:
                mine: Future[Any] = Future()
                self._running[key] = mine
            else:
                self.joined += 1
        if running is not None:
            shared: T = running.result()
            return shared
        try:
            value = compute()
        except BaseException as exc:
            mine.set_exception(exc)
            raise
        else:
            mine.set_result(value)
            return value
        finally:
            with self._lock:
                del self._running[key]


DEFAULT_ANALYTICS_CONCURRENCY = 4
"""Default ``STAKEMAP_ANALYTICS_CONCURRENCY``: cold computations running at once."""

DEFAULT_TENANT_CONCURRENCY = 2
"""Default ``STAKEMAP_ANALYTICS_TENANT_CONCURRENCY``: of those, at most this many per tenant."""


@dataclass
class _Waiter:
    tenant: str
    future: asyncio.Future[None]
    granted: bool = False


class FairShare:
    """Admission of cold computations: at most ``workers`` at once, at most ``per_tenant``
    of them for one tenant, the others waiting (on the event loop, holding no thread).

    When a slot frees, it goes to the waiting tenant with the fewest running computations,
    tenants taking turns on a tie (round robin, each tenant's own requests in arrival
    order). So a tenant with a queue of expensive requests (cold power maps of a large
    account, random parameters) holds at most ``per_tenant`` of the ``workers`` slots, and
    a request of another tenant waits for at most the first slot to free, never for the
    queue ahead of it.

    >>> async def demo() -> list[str]:
    ...     fair, order = FairShare(workers=1, per_tenant=1), []
    ...     async def ask(tenant: str) -> None:
    ...         async with fair.slot(tenant):
    ...             order.append(tenant)
    ...             await asyncio.sleep(0)
    ...     await asyncio.gather(*(ask(t) for t in ["a", "a", "a", "b"]))
    ...     return order
    >>> asyncio.run(demo())
    ['a', 'b', 'a', 'a']
    """

    def __init__(
        self,
        workers: int = DEFAULT_ANALYTICS_CONCURRENCY,
        per_tenant: int = DEFAULT_TENANT_CONCURRENCY,
    ) -> None:
        self.workers = max(1, workers)
        self.per_tenant = max(1, min(per_tenant, self.workers))
        self._lock = threading.Lock()
        self._running: dict[str, int] = {}
        self._total = 0
        self._queues: dict[str, deque[_Waiter]] = {}
        self._served: dict[str, int] = {}  # when each tenant last got a slot
        self._grants = 0

    @asynccontextmanager
    async def slot(self, tenant: str) -> AsyncIterator[None]:
        """Hold one of the tenant's slots for the body of the ``async with``."""
        waiter = _Waiter(tenant, asyncio.get_running_loop().create_future())
        with self._lock:
            self._queues.setdefault(tenant, deque()).append(waiter)
            self._dispatch()
        try:
            await waiter.future
        except BaseException:  # cancelled while waiting (the client went away)
            with self._lock:
                if waiter.granted:
                    self._release(tenant)
                else:
                    queue = self._queues.get(tenant)
                    if queue is not None and waiter in queue:
                        queue.remove(waiter)
                        if not queue:
                            del self._queues[tenant]
                            if tenant not in self._running:
                                self._served.pop(tenant, None)
            raise
        try:
            yield
        finally:
            with self._lock:
                self._release(tenant)

    def running(self, tenant: str | None = None) -> int:
        """Computations holding a slot now (of one tenant, or of all)."""
        with self._lock:
            return self._total if tenant is None else self._running.get(tenant, 0)

    def waiting(self, tenant: str | None = None) -> int:
        """Requests waiting for a slot (of one tenant, or of all)."""
        with self._lock:
            if tenant is not None:
                return len(self._queues.get(tenant, ()))
            return sum(len(queue) for queue in self._queues.values())

    def _release(self, tenant: str) -> None:
        self._total -= 1
        left = self._running[tenant] - 1
        if left:
            self._running[tenant] = left
        else:
            del self._running[tenant]
            if tenant not in self._queues:
                self._served.pop(tenant, None)
        self._dispatch()

    def _dispatch(self) -> None:
        """Grant free slots to waiters (the lock held): fewest running first, then the
        tenant served longest ago."""
        while self._total < self.workers:
            eligible = [t for t in self._queues if self._running.get(t, 0) < self.per_tenant]
            if not eligible:
                return
            tenant = min(eligible, key=lambda t: (self._running.get(t, 0), self._served.get(t, -1)))
            queue = self._queues[tenant]
            waiter = queue.popleft()
            if not queue:
                del self._queues[tenant]
            waiter.granted = True
            self._running[tenant] = self._running.get(tenant, 0) + 1
            self._total += 1
            self._grants += 1
            self._served[tenant] = self._grants
            waiter.future.get_loop().call_soon_threadsafe(_wake, waiter.future)


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


_CACHED_ONLY: ContextVar[bool] = ContextVar("stakemap_cached_only", default=False)
"""Set while :meth:`AnalyticsService.answer` tries an answer on the event loop."""


class _NotCached(Exception):
    """The answer would need a store read or a computation."""


def today() -> date:
    return datetime.now(UTC).date()


class AnalyticsService:
    """Answers the analytics questions of BRIEF §3 for one organisation at a time."""

    def __init__(
        self,
        store: GraphStore,
        cache: AnalyticsCache,
        *,
        revalidate: bool = False,
        clock: Callable[[], date] = today,
        executor: Executor | None = None,
        layout_budget: int = DEFAULT_WORK_BUDGET,
        fair_share: FairShare | None = None,
    ) -> None:
        self._store = store
        self._cache = cache
        self._revalidate = revalidate
        self._clock = clock
        self._executor = executor  # heavy kernels (graph.analytics.kernels) run there
        self._layout_budget = layout_budget  # work units per power-map layout
        self._flights = SingleFlight()
        self._fair = fair_share or FairShare()

    # --- plumbing --------------------------------------------------------------------------

    def _version(self, tenant: str, org_id: str) -> int | None:
        """The organisation's current version if it can be had without a snapshot read."""
        if self._revalidate:
            return self._store.org_version(tenant, org_id)
        return self._cache.known_version((tenant, org_id))

    def graph(self, tenant: str, org_id: str) -> nx.MultiDiGraph:
        """The organisation's analytics graph (one snapshot read when not cached)."""
        return self._graph(tenant, org_id, self._version(tenant, org_id))

    def _graph(self, tenant: str, org_id: str, version: int | None) -> nx.MultiDiGraph:
        if version is not None:
            cached = self._cache.get((tenant, org_id, version, "graph"))
            if cached is not None:
                return cached
        generation = self._cache.generation((tenant, org_id))
        return self._flights.run(
            self._flight_key(generation, tenant, org_id, version, "graph"),
            lambda: self._read_graph(tenant, org_id, generation),
        )

    def _flight_key(
        self, generation: int, tenant: str, org_id: str, version: int | None, *asked: Hashable
    ) -> Hashable:
        """What identifies one shared computation: the organisation's generation (so a read
        after a write never joins one begun before it) and the question. The known version
        is left out when this process sees every write: a read that does not know it yet
        (the first after a write) and one that does (the background recomputation, once
        the first has read the snapshot) are the same computation, and must not run twice.
        With ``revalidate`` another process may have written meanwhile: the version stays."""
        return (generation, tenant, org_id, version if self._revalidate else None, *asked)

    def _read_graph(self, tenant: str, org_id: str, generation: int) -> nx.MultiDiGraph:
        graph = build_graph(self._store.snapshot(tenant, org_id))
        version = int(graph.graph["version"])
        self._cache.remember_version((tenant, org_id), version, generation)
        self._cache.put((tenant, org_id, version, "graph"), graph)
        return graph

    async def answer(
        self, ask: Callable[[], CachedResult], *, tenant: str | None = None
    ) -> CachedResult:
        """Answer a question from an async route: on the event loop when the answer is
        cached (a dictionary lookup: no store read, no computation, so no thread hop and no
        wait for the interpreter lock behind busy threads), else in the thread pool once
        the fair scheduler (:class:`FairShare`) gives the tenant a slot.

        ``ask`` calls one of the question methods, e.g.
        ``partial(service.influence, tenant, org_id)``; the tenant is ``tenant`` or, when
        not given, the first argument of such a ``partial`` (every question takes it first).
        """
        token = _CACHED_ONLY.set(True)
        try:
            return ask()
        except _NotCached:
            pass
        finally:
            _CACHED_ONLY.reset(token)
        if tenant is None and isinstance(ask, partial) and ask.args:
            tenant = str(ask.args[0])
        async with self._fair.slot(tenant or ""):
            return await run_in_threadpool(ask)

    def _answer(
        self,
        tenant: str,
        org_id: str,
        question: str,
        params: Hashable,
        compute: Callable[[nx.MultiDiGraph], BaseModel],
        serialise: Callable[[Any], bytes] | None = None,
    ) -> CachedResult:
        cached_only = _CACHED_ONLY.get()  # on the event loop: no store read, no computing
        if cached_only and self._revalidate:
            raise _NotCached  # the version check is a store read
        generation = self._cache.generation((tenant, org_id))
        version = self._version(tenant, org_id)
        if version is not None:
            key = (tenant, org_id, version, question, params)
            cached = self._cache.get(key, count_miss=not cached_only)
            if cached is not None:
                return cached  # type: ignore[no-any-return]
        if cached_only:
            raise _NotCached
        return self._flights.run(
            self._flight_key(generation, tenant, org_id, version, question, params),
            lambda: self._compute(tenant, org_id, version, question, params, compute, serialise),
        )

    def _compute(
        self,
        tenant: str,
        org_id: str,
        version: int | None,
        question: str,
        params: Hashable,
        compute: Callable[[nx.MultiDiGraph], BaseModel],
        serialise: Callable[[Any], bytes] | None,
    ) -> CachedResult:
        graph = self._graph(tenant, org_id, version)
        model = compute(graph)
        body = serialise(model) if serialise else model.model_dump_json().encode()
        result = CachedResult(model, body)
        self._cache.put((tenant, org_id, graph.graph["version"], question, params), result)
        return result

    def _ranking(
        self, tenant: str, org_id: str, weights: InfluenceWeights | None = None
    ) -> InfluenceRanking:
        ranking: InfluenceRanking = self.influence(tenant, org_id, weights).model
        return ranking

    # --- questions -------------------------------------------------------------------------

    def influence(
        self, tenant: str, org_id: str, weights: InfluenceWeights | None = None
    ) -> CachedResult:
        """Power ranking with its four components, under ``weights`` divided by their sum
        and rounded to 4 decimals (:meth:`InfluenceWeights.normalised`; the answer echoes
        them), so requests with the same proportions share one answer. Weights other than
        the defaults re-rank the default ranking's components (:func:`reweighted`) instead
        of computing PageRank and betweenness again."""
        chosen = _normalised(weights)
        compute: Callable[[nx.MultiDiGraph], BaseModel]
        if chosen == DEFAULT_WEIGHTS:

            def compute(graph: nx.MultiDiGraph) -> BaseModel:
                return rank_influence(graph, chosen, executor=self._executor)
        else:

            def compute(graph: nx.MultiDiGraph) -> BaseModel:
                return reweighted(self._ranking(tenant, org_id), chosen)

        return self._answer(tenant, org_id, "influence", chosen.model_dump_json(), compute)

    def influence_csv(
        self, tenant: str, org_id: str, weights: InfluenceWeights | None = None
    ) -> CachedResult:
        """The ranking as CSV text (same rows and order as the JSON)."""
        chosen = _normalised(weights)

        def compute(graph: nx.MultiDiGraph) -> InfluenceRanking:
            return self._ranking(tenant, org_id, chosen)

        return self._answer(
            tenant,
            org_id,
            "influence.csv",
            chosen.model_dump_json(),
            compute,
            serialise=lambda ranking: _csv_bytes(influence_csv_rows(ranking)),
        )

    def decision_makers(self, tenant: str, org_id: str) -> CachedResult:
        return self._answer(
            tenant,
            org_id,
            "decision-makers",
            None,
            lambda g: find_decision_makers(g, self._ranking(tenant, org_id)),
        )

    def entry_paths(
        self,
        tenant: str,
        org_id: str,
        *,
        target_id: str | None,
        member_id: str | None,
        k: int,
        include_cold: bool,
    ) -> CachedResult:
        as_of = self._clock()
        return self._answer(
            tenant,
            org_id,
            "entry-paths",
            (target_id, member_id, k, include_cold, as_of),
            lambda g: entry_paths(
                g,
                self._ranking(tenant, org_id),
                target_id=target_id,
                member_id=member_id,
                k=k,
                include_cold=include_cold,
                as_of=as_of,
            ),
        )

    def next_contacts(
        self,
        tenant: str,
        org_id: str,
        *,
        target_id: str | None = None,
        member_id: str | None,
        limit: int,
    ) -> CachedResult:
        as_of = self._clock()
        return self._answer(
            tenant,
            org_id,
            "next-contacts",
            (target_id, member_id, limit, as_of),
            lambda g: next_contacts(
                g,
                self._ranking(tenant, org_id),
                target_id=target_id,
                member_id=member_id,
                limit=limit,
                as_of=as_of,
            ),
        )

    def coverage(
        self, tenant: str, org_id: str, *, target_id: str | None = None, stale_after_days: int
    ) -> CachedResult:
        as_of = self._clock()
        return self._answer(
            tenant,
            org_id,
            "coverage",
            (target_id, stale_after_days, as_of),
            lambda g: coverage(
                g,
                self._ranking(tenant, org_id),
                as_of=as_of,
                target_id=target_id,
                stale_after_days=stale_after_days,
            ),
        )

    # --- power map and exports (issue 4) ----------------------------------------------------

    def power_map(
        self, tenant: str, org_id: str, *, highlight: Highlight | None = None
    ) -> CachedResult:
        """The power map with its layout (Cytoscape.js JSON); with ``highlight``, the best
        entry path to the top decision-maker is marked."""
        as_of = self._clock()

        def compute(graph: nx.MultiDiGraph) -> PowerMap:
            path = None
            if highlight is Highlight.ENTRY_PATHS:
                best: EntryPaths = self.entry_paths(
                    tenant, org_id, target_id=None, member_id=None, k=1, include_cold=True
                ).model
                path = best.paths[0] if best.paths else None
            return power_map(
                graph,
                self._ranking(tenant, org_id),
                as_of=as_of,
                path=path,
                highlight=highlight,
                budget=self._layout_budget,
                executor=self._executor,  # the layout of a large organisation runs there
            )

        return self._answer(tenant, org_id, "power-map", (highlight, as_of), compute)

    def power_map_svg(
        self, tenant: str, org_id: str, *, highlight: Highlight | None = None
    ) -> CachedResult:
        """The power map drawn as a standalone SVG (the same layout as the JSON)."""
        as_of = self._clock()

        def compute(graph: nx.MultiDiGraph) -> PowerMap:
            drawn: PowerMap = self.power_map(tenant, org_id, highlight=highlight).model
            return drawn

        return self._answer(
            tenant,
            org_id,
            "power-map.svg",
            (highlight, as_of),
            compute,
            serialise=lambda drawn: render_svg(drawn).encode("utf-8"),
        )

    def graphml(self, tenant: str, org_id: str) -> CachedResult:
        """The power map as GraphML (typed attributes, positions) for Gephi and yEd."""
        as_of = self._clock()

        def compute(graph: nx.MultiDiGraph) -> PowerMap:
            drawn: PowerMap = self.power_map(tenant, org_id).model
            return drawn

        return self._answer(tenant, org_id, "graph.graphml", (as_of,), compute, to_graphml)

    def export_rankings(
        self, tenant: str, *, page_size: int = EXPORT_PAGE_SIZE
    ) -> Iterator[tuple[OrganisationPublic, InfluenceRanking]]:
        """Every organisation of the tenant with its ranking (default weights), one at a
        time, in id order: the source of the streamed export.

        Organisations are read a page at a time; a ranking already cached is reused, any
        other is computed from one snapshot read and *not* cached, so a bulk export neither
        holds more than one organisation at a time nor evicts what interactive users warmed.
        An organisation deleted while the export runs is skipped.
        """
        after: str | None = None
        default = DEFAULT_WEIGHTS.model_dump_json()
        while True:
            page = self._store.list_organisations(tenant, limit=page_size, after=after)
            for org in page:
                version = self._version(tenant, org.id)
                cached = (
                    None
                    if version is None
                    else self._cache.get((tenant, org.id, version, "influence", default))
                )
                if cached is not None:
                    yield org, cached.model
                    continue
                try:
                    snapshot = self._store.snapshot(tenant, org.id)
                except NotFound:
                    continue
                yield org, rank_influence(build_graph(snapshot), executor=self._executor)
            if len(page) < page_size:
                return
            after = page[-1].id


DEFAULT_WEIGHTS = InfluenceWeights().normalised()
"""The documented default weights (they already sum to 1)."""


def _normalised(weights: InfluenceWeights | None) -> InfluenceWeights:
    return DEFAULT_WEIGHTS if weights is None else weights.normalised()


def _csv_bytes(rows: list[list[str]]) -> bytes:
    return encode_rows(rows)


class CacheInvalidatingStore:
    """A :class:`GraphStore` that forgets cached analytics of whatever it writes.

    Wrapped around the real store in the lifespan, so routes and the CLI never have to
    remember to invalidate.
    """

    def __init__(
        self, inner: GraphStore, cache: AnalyticsCache, api_keys: ApiKeyCache | None = None
    ) -> None:
        self._inner = inner
        self._cache = cache
        self._api_keys = api_keys  # a revoked key must stop working at once in this process

    # reads pass straight through
    def ping(self) -> None:
        self._inner.ping()

    def close(self) -> None:
        self._inner.close()

    def get_organisation(self, tenant: str, org_id: str) -> OrganisationPublic:
        return self._inner.get_organisation(tenant, org_id)

    def list_organisations(
        self, tenant: str, *, limit: int, after: str | None = None
    ) -> list[OrganisationPublic]:
        return self._inner.list_organisations(tenant, limit=limit, after=after)

    def org_version(self, tenant: str, org_id: str) -> int:
        return self._inner.org_version(tenant, org_id)

    def get_person(self, tenant: str, org_id: str, person_id: str) -> PersonPublic:
        return self._inner.get_person(tenant, org_id, person_id)

    def list_people(
        self, tenant: str, org_id: str, *, limit: int, after: str | None = None
    ) -> list[PersonPublic]:
        return self._inner.list_people(tenant, org_id, limit=limit, after=after)

    def get_team_member(self, tenant: str, member_id: str) -> TeamMemberPublic:
        return self._inner.get_team_member(tenant, member_id)

    def list_team_members(
        self, tenant: str, *, limit: int, after: str | None = None
    ) -> list[TeamMemberPublic]:
        return self._inner.list_team_members(tenant, limit=limit, after=after)

    def get_relationship(self, tenant: str, org_id: str, rel_id: str) -> RelationshipPublic:
        return self._inner.get_relationship(tenant, org_id, rel_id)

    def list_relationships(
        self, tenant: str, org_id: str, *, limit: int, after: str | None = None
    ) -> list[RelationshipPublic]:
        return self._inner.list_relationships(tenant, org_id, limit=limit, after=after)

    def snapshot(self, tenant: str, org_id: str) -> OrgSnapshot:
        return self._inner.snapshot(tenant, org_id)

    def find_api_key(self, secret_hash: str) -> ApiKeyPublic | None:
        return self._inner.find_api_key(secret_hash)

    def list_api_keys(self, tenant: str) -> list[ApiKeyPublic]:
        return self._inner.list_api_keys(tenant)

    # writes invalidate what they change (even when they fail half-way: cheap and safe)
    def create_organisation(
        self, tenant: str, data: OrganisationCreate, *, idempotency: IdempotentWrite | None = None
    ) -> OrganisationPublic:
        return self._inner.create_organisation(tenant, data, idempotency=idempotency)

    def update_organisation(
        self,
        tenant: str,
        org_id: str,
        changes: OrganisationUpdate,
        *,
        expected_version: int | None = None,
    ) -> OrganisationPublic:
        try:
            return self._inner.update_organisation(
                tenant, org_id, changes, expected_version=expected_version
            )
        finally:
            self._cache.invalidate(tenant, org_id)

    def delete_organisation(
        self, tenant: str, org_id: str, *, expected_version: int | None = None
    ) -> None:
        try:
            self._inner.delete_organisation(tenant, org_id, expected_version=expected_version)
        finally:
            self._cache.invalidate(tenant)  # affiliations elsewhere change too

    def create_person(
        self,
        tenant: str,
        org_id: str,
        data: PersonCreate,
        *,
        idempotency: IdempotentWrite | None = None,
    ) -> PersonPublic:
        try:
            return self._inner.create_person(tenant, org_id, data, idempotency=idempotency)
        finally:
            self._cache.invalidate(tenant, org_id)

    def update_person(
        self,
        tenant: str,
        org_id: str,
        person_id: str,
        changes: PersonUpdate,
        *,
        expected_version: int | None = None,
    ) -> PersonPublic:
        try:
            return self._inner.update_person(
                tenant, org_id, person_id, changes, expected_version=expected_version
            )
        finally:
            self._cache.invalidate(tenant, org_id)

    def delete_person(
        self, tenant: str, org_id: str, person_id: str, *, expected_version: int | None = None
    ) -> None:
        try:
            self._inner.delete_person(tenant, org_id, person_id, expected_version=expected_version)
        finally:
            self._cache.invalidate(tenant, org_id)

    def create_team_member(
        self, tenant: str, data: TeamMemberCreate, *, idempotency: IdempotentWrite | None = None
    ) -> TeamMemberPublic:
        try:
            return self._inner.create_team_member(tenant, data, idempotency=idempotency)
        finally:
            self._cache.invalidate(tenant)

    def update_team_member(
        self,
        tenant: str,
        member_id: str,
        changes: TeamMemberUpdate,
        *,
        expected_version: int | None = None,
    ) -> TeamMemberPublic:
        try:
            return self._inner.update_team_member(
                tenant, member_id, changes, expected_version=expected_version
            )
        finally:
            self._cache.invalidate(tenant)

    def delete_team_member(
        self, tenant: str, member_id: str, *, expected_version: int | None = None
    ) -> None:
        try:
            self._inner.delete_team_member(tenant, member_id, expected_version=expected_version)
        finally:
            self._cache.invalidate(tenant)

    def create_relationship(
        self,
        tenant: str,
        org_id: str,
        data: RelationshipCreate,
        *,
        idempotency: IdempotentWrite | None = None,
    ) -> RelationshipPublic:
        try:
            return self._inner.create_relationship(tenant, org_id, data, idempotency=idempotency)
        finally:
            self._cache.invalidate(tenant, org_id)

    def delete_relationship(
        self, tenant: str, org_id: str, rel_id: str, *, expected_version: int | None = None
    ) -> None:
        try:
            self._inner.delete_relationship(
                tenant, org_id, rel_id, expected_version=expected_version
            )
        finally:
            self._cache.invalidate(tenant, org_id)

    def import_graph(
        self,
        tenant: str,
        org_id: str,
        request: ImportRequest,
        *,
        upsert: bool = False,
        dry_run: bool = False,
        idempotency: IdempotentWrite | None = None,
    ) -> ImportResult:
        try:
            return self._inner.import_graph(
                tenant, org_id, request, upsert=upsert, dry_run=dry_run, idempotency=idempotency
            )
        finally:
            self._cache.invalidate(tenant)  # new team members show in every organisation

    def import_many(
        self,
        tenant: str,
        items: Sequence[OrgImport],
        *,
        upsert: bool = False,
        dry_run: bool = False,
        idempotency: IdempotentWrite | None = None,
    ) -> list[ImportOutcome]:
        try:
            return self._inner.import_many(
                tenant, items, upsert=upsert, dry_run=dry_run, idempotency=idempotency
            )
        finally:
            self._cache.invalidate(tenant)

    def create_api_key(
        self, tenant: str, role: KeyRole, name: str | None, secret_hash: str
    ) -> ApiKeyPublic:
        return self._inner.create_api_key(tenant, role, name, secret_hash)

    def ensure_api_key(
        self, tenant: str, role: KeyRole, name: str | None, secret_hash: str
    ) -> ApiKeyPublic:
        return self._inner.ensure_api_key(tenant, role, name, secret_hash)

    def touch_api_key(self, key_id: str) -> None:
        self._inner.touch_api_key(key_id)

    def revoke_api_key(self, tenant: str, key_id: str) -> ApiKeyPublic:
        revoked = self._inner.revoke_api_key(tenant, key_id)
        if self._api_keys is not None:
            self._api_keys.forget(key_id)
        return revoked

    def append_audit(self, entry: AuditEntry) -> None:
        self._inner.append_audit(entry)

    def list_audit(self, tenant: str, *, limit: int, after: str | None = None) -> list[AuditEntry]:
        return self._inner.list_audit(tenant, limit=limit, after=after)

    # idempotency keys change no graph
    def claim_idempotency_key(
        self,
        tenant: str,
        key: str,
        fingerprint: str,
        *,
        lease_seconds: float,
        ttl_seconds: float,
    ) -> IdempotencyClaim:
        return self._inner.claim_idempotency_key(
            tenant, key, fingerprint, lease_seconds=lease_seconds, ttl_seconds=ttl_seconds
        )

    def complete_idempotency_key(
        self, tenant: str, key: str, token: str, response: StoredResponse, *, ttl_seconds: float
    ) -> None:
        self._inner.complete_idempotency_key(tenant, key, token, response, ttl_seconds=ttl_seconds)

    def release_idempotency_key(self, tenant: str, key: str, token: str) -> None:
        self._inner.release_idempotency_key(tenant, key, token)

    def purge_idempotency_keys(self, *, limit: int = 10_000) -> int:
        return self._inner.purge_idempotency_keys(limit=limit)
