"""The analytics service: one snapshot read, pure analytics, results cached by version.

Answers are cached (:mod:`app.cache`) per organisation version, question, parameters and
language. The organisation's current version is known locally: every write made through
this process's store drops the organisation's entries (the writer's events, wired in
:mod:`app.bootstrap`), so a warm read costs no store round trip;
with ``cache_revalidate`` (several processes on one store) it costs one cheap version query.
A cold read costs one round trip: the snapshot. Concurrent cold reads of the same answer (a
web page asks for the ranking, the map and the next contacts at once) share one computation
(:class:`app.singleflight.SingleFlight`); cold computations are admitted fairly between
tenants (:class:`app.fairshare.FairShare`).

The human-readable text of an answer is in the language current when the question is asked
(:func:`graph.messages.current_language`, negotiated per request from ``Accept-Language``),
which is part of the answer's cache key.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime
from functools import partial
from typing import Any, TypeVar, cast

import networkx as nx
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from app.cache import AnalyticsCache, CachedResult, CacheKey, Question
from app.fairshare import FairShare
from app.singleflight import SingleFlight
from graph.analytics import (
    coverage,
    entry_paths,
    find_decision_makers,
    influence_csv_rows,
    next_contacts,
    rank_influence,
)
from graph.analytics.alerts import account_alerts
from graph.analytics.deals import CLOSE_DATE_NEAR_DAYS, deal_graph, deal_of, deal_ranking
from graph.analytics.decision import top_decision_maker
from graph.analytics.influence import reweighted
from graph.csvio import encode_rows
from graph.errors import NotFound
from graph.messages import current_language, language
from graph.network import build_graph
from graph.pipeline import pipeline_records
from graph.powermap import power_map, render_svg, to_graphml
from graph.powermap.layout import DEFAULT_WORK_BUDGET
from graph.store import GraphStore
from schemas.alerts import Alerts
from schemas.analytics import (
    Coverage,
    DecisionMakers,
    EntryPaths,
    InfluenceRanking,
    InfluenceWeights,
    NextContacts,
)
from schemas.powermap import Highlight, PowerMap
from schemas.resources import OrganisationPublic

__all__ = ["DEFAULT_WEIGHTS", "EXPORT_PAGE_SIZE", "AnalyticsService", "today"]

ModelT = TypeVar("ModelT", bound=BaseModel)

EXPORT_PAGE_SIZE = 100
"""Organisations read per page by the streamed export."""


_CACHED_ONLY: ContextVar[bool] = ContextVar("stakemap_cached_only", default=False)
"""Set while :meth:`AnalyticsService.answer` tries an answer on the event loop."""


_ASKED_DAY: ContextVar[date | None] = ContextVar("stakemap_asked_day", default=None)
"""The day questions are asked about (``?as_of=``), set by :meth:`AnalyticsService.as_of`."""


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
        #: organisation -> the day its cached answers stop being true (someone leaves)
        self._due: dict[tuple[str, str], date] = {}

    # --- plumbing --------------------------------------------------------------------------

    def _version(self, tenant: str, org_id: str) -> int | None:
        """The organisation's current version if it can be had without a snapshot read.

        When a departure announced for later has come due (``changes_on`` of the graph,
        :mod:`graph.movers`), what is cached of the organisation is forgotten first: its
        answers were true until yesterday."""
        due = self._due.get((tenant, org_id))
        if due is not None and self._clock() >= due:
            self._due.pop((tenant, org_id), None)
            self._cache.invalidate(tenant, org_id)
        if self._revalidate:
            return self._store.org_version(tenant, org_id)
        return self._cache.known_version((tenant, org_id))

    def graph(self, tenant: str, org_id: str) -> nx.MultiDiGraph:
        """The organisation's analytics graph (one snapshot read when not cached)."""
        return self._graph(tenant, org_id, self._version(tenant, org_id))

    def _graph(self, tenant: str, org_id: str, version: int | None) -> nx.MultiDiGraph:
        if version is not None:
            cached = self._cache.get(CacheKey(tenant, org_id, version, Question.GRAPH))
            if cached is not None:
                return cast(nx.MultiDiGraph, cached)
        generation = self._cache.generation((tenant, org_id))
        return self._flights.run(
            self._flight_key(generation, tenant, org_id, version, Question.GRAPH),
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
        # people who left are gone as of today (graph.movers)
        graph = build_graph(self._store.snapshot(tenant, org_id), as_of=self._clock())
        version = int(graph.graph["version"])
        if graph.graph.get("changes_on") is not None:
            self._due[(tenant, org_id)] = graph.graph["changes_on"]
        else:
            self._due.pop((tenant, org_id), None)
        self._cache.remember_version((tenant, org_id), version, generation)
        self._cache.put(CacheKey(tenant, org_id, version, Question.GRAPH), graph)
        return graph

    async def answer(
        self, ask: Callable[[], CachedResult[ModelT]], *, tenant: str | None = None
    ) -> CachedResult[ModelT]:
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
        question: Question,
        params: Hashable,
        compute: Callable[[nx.MultiDiGraph], ModelT],
        serialise: Callable[[ModelT], bytes] | None = None,
    ) -> CachedResult[ModelT]:
        """The cached answer to ``question`` in the current language, else ``compute``'s
        (shared with concurrent askers of the same answer) serialised and cached."""
        cached_only = _CACHED_ONLY.get()  # on the event loop: no store read, no computing
        if cached_only and self._revalidate:
            raise _NotCached  # the version check is a store read
        past = self._past()
        if past is not None:  # a past day's answer: its own entry, dropped by any write
            params = ("as_of", past, params)
        generation = self._cache.generation((tenant, org_id))
        version = self._version(tenant, org_id)
        lang = current_language()
        if version is not None:
            key = CacheKey(tenant, org_id, version, question, params, lang)
            cached = self._cache.get(key, count_miss=not cached_only)
            if cached is not None:
                return cast(CachedResult[ModelT], cached)
        if cached_only:
            raise _NotCached
        return self._flights.run(
            self._flight_key(generation, tenant, org_id, version, question, params, lang),
            lambda: self._compute(
                tenant, org_id, version, question, params, lang, compute, serialise, past
            ),
        )

    def _compute(
        self,
        tenant: str,
        org_id: str,
        version: int | None,
        question: Question,
        params: Hashable,
        lang: str,
        compute: Callable[[nx.MultiDiGraph], ModelT],
        serialise: Callable[[ModelT], bytes] | None,
        past: date | None = None,
    ) -> CachedResult[ModelT]:
        if past is None:
            graph = self._graph(tenant, org_id, version)
        else:
            graph = self._past_graph(tenant, org_id, version, past)
        with language(lang):  # the messages of the answer (and of those it is built on)
            model = compute(graph)
            body = serialise(model) if serialise else model.model_dump_json().encode()
        result = CachedResult(model, body)
        # a past answer is filed under today's version (any write drops it), not its own
        filed = int(graph.graph["version"]) if past is None else version
        if filed is not None:
            self._cache.put(CacheKey(tenant, org_id, filed, question, params, lang), result)
        return result

    def _past_graph(
        self, tenant: str, org_id: str, version: int | None, day: date
    ) -> nx.MultiDiGraph:
        """The graph of the organisation as it stood at the end of ``day`` (its version
        then in force; people who left by then gone)."""
        key = (
            None
            if version is None
            else CacheKey(tenant, org_id, version, Question.GRAPH_AS_OF, day)
        )
        if key is not None:
            cached = self._cache.get(key)
            if cached is not None:
                return cast(nx.MultiDiGraph, cached)
        graph = build_graph(self._store.snapshot_as_of(tenant, org_id, day), as_of=day)
        if key is not None:
            self._cache.put(key, graph)
        return graph

    def _ranking(
        self,
        tenant: str,
        org_id: str,
        weights: InfluenceWeights | None = None,
        opportunity_id: str | None = None,
    ) -> InfluenceRanking:
        return self.influence(tenant, org_id, weights, opportunity_id=opportunity_id).model

    def _view(
        self, graph: nx.MultiDiGraph, tenant: str, org_id: str, opportunity_id: str | None
    ) -> nx.MultiDiGraph:
        """The graph a question reads: the organisation's, or with a deal the deal's view
        (:func:`graph.analytics.deals.deal_graph`), whose last fallback target is the
        organisation's own top decision-maker."""
        if opportunity_id is None:
            return graph
        deal = deal_of(graph, opportunity_id)
        organisation_top = top_decision_maker(graph, self._ranking(tenant, org_id))
        return deal_graph(graph, deal, organisation_top=organisation_top)

    # --- questions -------------------------------------------------------------------------

    def influence(
        self,
        tenant: str,
        org_id: str,
        weights: InfluenceWeights | None = None,
        *,
        opportunity_id: str | None = None,
    ) -> CachedResult[InfluenceRanking]:
        """Power ranking with its four components, under ``weights`` divided by their sum
        and rounded to 4 decimals (:meth:`InfluenceWeights.normalised`; the answer echoes
        them), so requests with the same proportions share one answer. Weights other than
        the defaults re-rank the default ranking's components (:func:`reweighted`) instead
        of computing PageRank and betweenness again."""
        chosen = _normalised(weights)
        compute: Callable[[nx.MultiDiGraph], InfluenceRanking]
        if chosen == DEFAULT_WEIGHTS:

            def compute(graph: nx.MultiDiGraph) -> InfluenceRanking:
                if opportunity_id is None:
                    return rank_influence(graph, chosen, executor=self._executor)
                view = self._view(graph, tenant, org_id, opportunity_id)
                return deal_ranking(view, self._ranking(tenant, org_id), executor=self._executor)
        else:

            def compute(graph: nx.MultiDiGraph) -> InfluenceRanking:
                ranking = self._ranking(tenant, org_id, opportunity_id=opportunity_id)
                return reweighted(ranking, chosen)

        return self._answer(
            tenant,
            org_id,
            Question.INFLUENCE,
            (chosen.model_dump_json(), opportunity_id),
            compute,
        )

    def influence_csv(
        self,
        tenant: str,
        org_id: str,
        weights: InfluenceWeights | None = None,
        *,
        opportunity_id: str | None = None,
    ) -> CachedResult[InfluenceRanking]:
        """The ranking as CSV text (same rows and order as the JSON)."""
        chosen = _normalised(weights)

        def compute(graph: nx.MultiDiGraph) -> InfluenceRanking:
            return self._ranking(tenant, org_id, chosen, opportunity_id)

        return self._answer(
            tenant,
            org_id,
            Question.INFLUENCE_CSV,
            (chosen.model_dump_json(), opportunity_id),
            compute,
            serialise=lambda ranking: encode_rows(influence_csv_rows(ranking)),
        )

    def decision_makers(
        self, tenant: str, org_id: str, *, opportunity_id: str | None = None
    ) -> CachedResult[DecisionMakers]:
        return self._answer(
            tenant,
            org_id,
            Question.DECISION_MAKERS,
            opportunity_id,
            lambda g: find_decision_makers(
                self._view(g, tenant, org_id, opportunity_id),
                self._ranking(tenant, org_id, opportunity_id=opportunity_id),
            ),
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
        opportunity_id: str | None = None,
    ) -> CachedResult[EntryPaths]:
        as_of = self._day()
        return self._answer(
            tenant,
            org_id,
            Question.ENTRY_PATHS,
            (target_id, member_id, k, include_cold, as_of, opportunity_id),
            lambda g: entry_paths(
                self._view(g, tenant, org_id, opportunity_id),
                self._ranking(tenant, org_id, opportunity_id=opportunity_id),
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
        opportunity_id: str | None = None,
    ) -> CachedResult[NextContacts]:
        as_of = self._day()
        return self._answer(
            tenant,
            org_id,
            Question.NEXT_CONTACTS,
            (target_id, member_id, limit, as_of, opportunity_id),
            lambda g: next_contacts(
                self._view(g, tenant, org_id, opportunity_id),
                self._ranking(tenant, org_id, opportunity_id=opportunity_id),
                target_id=target_id,
                member_id=member_id,
                limit=limit,
                as_of=as_of,
            ),
        )

    def coverage(
        self,
        tenant: str,
        org_id: str,
        *,
        target_id: str | None = None,
        stale_after_days: int,
        opportunity_id: str | None = None,
        close_date_near_days: int = CLOSE_DATE_NEAR_DAYS,
    ) -> CachedResult[Coverage]:
        as_of = self._day()
        return self._answer(
            tenant,
            org_id,
            Question.COVERAGE,
            (target_id, stale_after_days, as_of, opportunity_id, close_date_near_days),
            lambda g: coverage(
                self._view(g, tenant, org_id, opportunity_id),
                self._ranking(tenant, org_id, opportunity_id=opportunity_id),
                as_of=as_of,
                target_id=target_id,
                stale_after_days=stale_after_days,
                close_date_near_days=close_date_near_days,
            ),
        )

    def today(self) -> date:
        """The day the answers are as of (the injected clock)."""
        return self._clock()

    @contextmanager
    def as_of(self, day: date | None) -> Iterator[None]:
        """Ask the questions inside the block about the end of ``day`` (UTC): a past day
        reads the organisation as it stood then (:mod:`graph.history`), with tie ages
        measured that day; a future day reads today's graph with ages measured then."""
        token = _ASKED_DAY.set(day)
        try:
            yield
        finally:
            _ASKED_DAY.reset(token)

    def _day(self) -> date:
        """The day answers are about: the one asked (``as_of``) or today."""
        return _ASKED_DAY.get() or self._clock()

    def _past(self) -> date | None:
        """The day asked, when it is before today (its graph comes from history)."""
        asked = _ASKED_DAY.get()
        return asked if asked is not None and asked < self._clock() else None

    def account_alerts(
        self, tenant: str, org_id: str, *, within_days: int, stale_after_days: int = 90
    ) -> CachedResult[Alerts]:
        """One organisation's alerts due within ``within_days`` either side of today
        (:func:`graph.analytics.alerts.account_alerts`)."""
        as_of = self._day()
        return self._answer(
            tenant,
            org_id,
            Question.ALERTS,
            (within_days, stale_after_days, as_of),
            lambda g: Alerts(
                as_of=as_of,
                within_days=within_days,
                items=account_alerts(
                    g,
                    self._ranking(tenant, org_id),
                    as_of=as_of,
                    within_days=within_days,
                    stale_after_days=stale_after_days,
                ),
            ),
        )

    # --- power map and exports (issue 4) ----------------------------------------------------

    def power_map(
        self,
        tenant: str,
        org_id: str,
        *,
        highlight: Highlight | None = None,
        opportunity_id: str | None = None,
    ) -> CachedResult[PowerMap]:
        """The power map with its layout (Cytoscape.js JSON); with ``highlight``, the best
        entry path to the top decision-maker (with a deal: the deal's) is marked."""
        as_of = self._day()

        def compute(graph: nx.MultiDiGraph) -> PowerMap:
            path = None
            if highlight is Highlight.ENTRY_PATHS:
                best = self.entry_paths(
                    tenant,
                    org_id,
                    target_id=None,
                    member_id=None,
                    k=1,
                    include_cold=True,
                    opportunity_id=opportunity_id,
                ).model
                path = best.paths[0] if best.paths else None
            return power_map(
                self._view(graph, tenant, org_id, opportunity_id),
                self._ranking(tenant, org_id, opportunity_id=opportunity_id),
                as_of=as_of,
                path=path,
                highlight=highlight,
                budget=self._layout_budget,
                executor=self._executor,  # the layout of a large organisation runs there
            )

        return self._answer(
            tenant, org_id, Question.POWER_MAP, (highlight, as_of, opportunity_id), compute
        )

    def power_map_svg(
        self,
        tenant: str,
        org_id: str,
        *,
        highlight: Highlight | None = None,
        opportunity_id: str | None = None,
    ) -> CachedResult[PowerMap]:
        """The power map drawn as a standalone SVG (the same layout as the JSON)."""
        as_of = self._day()

        def compute(graph: nx.MultiDiGraph) -> PowerMap:
            return self.power_map(
                tenant, org_id, highlight=highlight, opportunity_id=opportunity_id
            ).model

        return self._answer(
            tenant,
            org_id,
            Question.POWER_MAP_SVG,
            (highlight, as_of, opportunity_id),
            compute,
            serialise=lambda drawn: render_svg(drawn).encode("utf-8"),
        )

    def graphml(self, tenant: str, org_id: str) -> CachedResult[PowerMap]:
        """The power map as GraphML (typed attributes, positions) for Gephi and yEd."""
        as_of = self._day()

        def compute(graph: nx.MultiDiGraph) -> PowerMap:
            return self.power_map(tenant, org_id).model

        return self._answer(tenant, org_id, Question.GRAPHML, (as_of,), compute, to_graphml)

    def export_rankings(
        self, tenant: str, *, page_size: int = EXPORT_PAGE_SIZE
    ) -> Iterator[tuple[OrganisationPublic, InfluenceRanking]]:
        """Every organisation of the tenant with its ranking (default weights), one at a
        time, in id order: the source of the streamed influence export.

        Organisations are read a page at a time; a ranking already cached is reused, any
        other is computed from one snapshot read and *not* cached, so a bulk export neither
        holds more than one organisation at a time nor evicts what interactive users warmed.
        An organisation deleted while the export runs is skipped.
        """
        for org in self._export_pages(tenant, self._store.list_organisations, page_size):
            version = self._version(tenant, org.id)
            cached = None if version is None else self._cached_ranking(tenant, org.id, version)
            if cached is not None:
                yield org, cached
                continue
            try:
                snapshot = self._store.snapshot(tenant, org.id)
            except NotFound:
                continue
            graph = build_graph(snapshot, as_of=self._clock())
            yield org, rank_influence(graph, executor=self._executor)

    def export_pipeline(
        self, tenant: str, *, page_size: int = EXPORT_PAGE_SIZE
    ) -> Iterator[tuple[OrganisationPublic, list[dict[str, Any]]]]:
        """Every organisation of the tenant that has open deals, with one pipeline record
        per open deal (:func:`graph.pipeline.pipeline_records`), one organisation at a
        time in id order: the source of the streamed pipeline export. Memory and caching
        as :meth:`export_rankings`; the records are computed and never cached."""
        as_of = self._day()
        pages = self._store.list_organisations_with_open_deals
        for org in self._export_pages(tenant, pages, page_size):
            try:
                snapshot = self._store.snapshot(tenant, org.id)
            except NotFound:
                continue
            graph = build_graph(snapshot, as_of=as_of)
            ranking = self._cached_ranking(tenant, org.id, snapshot.organisation.version)
            if ranking is None:
                ranking = rank_influence(graph, executor=self._executor)
            records = pipeline_records(
                graph, ranking, org_name=org.name, as_of=as_of, executor=self._executor
            )
            yield org, list(records)

    def _export_pages(
        self,
        tenant: str,
        pages: Callable[..., list[OrganisationPublic]],
        page_size: int,
    ) -> Iterator[OrganisationPublic]:
        """The organisations ``pages`` lists, a page of ``page_size`` at a time."""
        after: str | None = None
        while True:
            page = pages(tenant, limit=page_size, after=after)
            yield from page
            if len(page) < page_size:
                return
            after = page[-1].id

    def _cached_ranking(self, tenant: str, org_id: str, version: int) -> InfluenceRanking | None:
        """The default ranking of that version if the cache holds it (an export reads the
        cache but never fills it: it must not evict what interactive users warmed)."""
        default = (DEFAULT_WEIGHTS.model_dump_json(), None)
        cached = self._cache.get(
            CacheKey(tenant, org_id, version, Question.INFLUENCE, default, current_language())
        )
        if isinstance(cached, CachedResult):
            return cast(CachedResult[InfluenceRanking], cached).model
        return None


DEFAULT_WEIGHTS = InfluenceWeights().normalised()
"""The documented default weights (they already sum to 1)."""


def _normalised(weights: InfluenceWeights | None) -> InfluenceWeights:
    return DEFAULT_WEIGHTS if weights is None else weights.normalised()
