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

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator, Sequence
from concurrent.futures import Executor, Future
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, TypeVar

import networkx as nx
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from app.keycache import ApiKeyCache
from graph.analytics import (
    coverage,
    entry_paths,
    find_decision_makers,
    influence_csv_rows,
    next_contacts,
    rank_influence,
)
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


class AnalyticsCache:
    """A bounded LRU of analytics results and graphs, plus each organisation's known version."""

    def __init__(self, max_entries: int) -> None:
        self._max = max_entries
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._versions: dict[OrgKey, int] = {}
        self._epoch = 0
        self._lock = threading.Lock()
        self._listeners: list[Callable[[list[WarmOrganisation]], None]] = []
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable, *, count_miss: bool = True) -> Any | None:
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                self.hits += 1
                return self._entries[key]
            if count_miss:
                self.misses += 1
            return None

    def put(self, key: Hashable, value: Any) -> None:
        if self._max == 0:
            return
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)

    def known_version(self, org: OrgKey) -> int | None:
        with self._lock:
            return self._versions.get(org)

    @property
    def epoch(self) -> int:
        """Counts invalidations; read it before a snapshot and pass it to
        :meth:`remember_version`."""
        with self._lock:
            return self._epoch

    def remember_version(self, org: OrgKey, version: int, epoch: int | None = None) -> None:
        """Remember the organisation's current version, unless something was invalidated
        since ``epoch``: a snapshot read while a write commits may hold the old version,
        and remembering it would serve stale answers until the next write."""
        with self._lock:
            if epoch is None or epoch == self._epoch:
                self._versions[org] = version

    def invalidate(self, tenant: str, org_id: str | None = None) -> None:
        """Forget what is known of one organisation, or of a whole tenant, and tell the
        listeners which organisations had cached answers (someone was viewing them)."""
        warm: dict[OrgKey, set[CachedQuestion]] = {}
        with self._lock:
            self._epoch += 1
            stale = [org for org in self._versions if org[0] == tenant and org_id in (None, org[1])]
            for org in stale:
                del self._versions[org]
            for key in [k for k in self._entries if _org_of(k) in stale]:
                del self._entries[key]
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


class SingleFlight:
    """Concurrent calls with the same key share one computation: the first caller computes,
    the others wait for its result (or its exception).

    Callers put the cache's epoch in the key, so a call made after a write never joins a
    computation that started before it (read-your-writes).

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
    ) -> None:
        self._store = store
        self._cache = cache
        self._revalidate = revalidate
        self._clock = clock
        self._executor = executor  # heavy kernels (graph.analytics.kernels) run there
        self._layout_budget = layout_budget  # work units per power-map layout
        self._flights = SingleFlight()

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
        epoch = self._cache.epoch
        return self._flights.run(
            (epoch, tenant, org_id, version, "graph"),
            lambda: self._read_graph(tenant, org_id, epoch),
        )

    def _read_graph(self, tenant: str, org_id: str, epoch: int) -> nx.MultiDiGraph:
        graph = build_graph(self._store.snapshot(tenant, org_id))
        version = int(graph.graph["version"])
        self._cache.remember_version((tenant, org_id), version, epoch)
        self._cache.put((tenant, org_id, version, "graph"), graph)
        return graph

    async def answer(self, ask: Callable[[], CachedResult]) -> CachedResult:
        """Answer a question from an async route: on the event loop when the answer is
        cached (a dictionary lookup: no store read, no computation, so no thread hop and no
        wait for the interpreter lock behind busy threads), else in the thread pool.

        ``ask`` calls one of the question methods, e.g.
        ``partial(service.influence, tenant, org_id)``.
        """
        token = _CACHED_ONLY.set(True)
        try:
            return ask()
        except _NotCached:
            pass
        finally:
            _CACHED_ONLY.reset(token)
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
        version = self._version(tenant, org_id)
        if version is not None:
            key = (tenant, org_id, version, question, params)
            cached = self._cache.get(key, count_miss=not cached_only)
            if cached is not None:
                return cached  # type: ignore[no-any-return]
        if cached_only:
            raise _NotCached
        return self._flights.run(
            (self._cache.epoch, tenant, org_id, version, question, params),
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
        """Power ranking with its four components."""
        chosen = weights or InfluenceWeights()
        return self._answer(
            tenant,
            org_id,
            "influence",
            chosen.model_dump_json(),
            lambda g: rank_influence(g, chosen, executor=self._executor),
        )

    def influence_csv(
        self, tenant: str, org_id: str, weights: InfluenceWeights | None = None
    ) -> CachedResult:
        """The ranking as CSV text (same rows and order as the JSON)."""
        chosen = weights or InfluenceWeights()

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
        default = InfluenceWeights().model_dump_json()
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


def _csv_bytes(rows: list[list[str]]) -> bytes:
    import csv
    import io

    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


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
