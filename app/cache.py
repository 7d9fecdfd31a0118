"""The analytics cache: answers and graphs under typed keys, bounded in bytes, per version.

Results are kept per :class:`CacheKey` -- tenant, organisation, version, :class:`Question`,
its parameters and the language of its human-readable text -- as the JSON bytes the API
sends (:class:`CachedResult`), so a warm request neither recomputes nor re-serialises.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

from pydantic import BaseModel

from app.sizing import estimate_size
from graph.messages import DEFAULT_LANGUAGE

__all__ = [
    "DEFAULT_CACHE_MAX_BYTES",
    "DEFAULT_CACHE_MAX_VARIANTS",
    "AnalyticsCache",
    "CacheKey",
    "CachedQuestion",
    "CachedResult",
    "OrgKey",
    "Question",
    "WarmOrganisation",
]

ModelT = TypeVar("ModelT", bound=BaseModel)

OrgKey = tuple[str, str]
"""``(tenant, organisation id)``."""


class Question(StrEnum):
    """What a cache entry answers (the value names it in metrics and logs)."""

    GRAPH = "graph"
    """The organisation's analytics graph itself (not an answer: never a variant)."""
    INFLUENCE = "influence"
    INFLUENCE_CSV = "influence.csv"
    DECISION_MAKERS = "decision-makers"
    ENTRY_PATHS = "entry-paths"
    NEXT_CONTACTS = "next-contacts"
    COVERAGE = "coverage"
    POWER_MAP = "power-map"
    POWER_MAP_SVG = "power-map.svg"
    GRAPHML = "graph.graphml"
    ALERTS = "alerts"
    GRAPH_AS_OF = "graph-as-of"
    """The graph of a past day (from history), for the ``as_of`` answers."""


@dataclass(frozen=True, slots=True)
class CacheKey:
    """What identifies one cache entry.

    ``params`` are the question's own parameters (weights, target, ``k``, the day ...);
    ``language`` is the language of the answer's explanations and reasons
    (:mod:`graph.messages`). The graph itself (:attr:`Question.GRAPH`) takes neither.

    >>> key = CacheKey("t", "o", 3, Question.COVERAGE, (None, 90))
    >>> key.org, key.variant_group
    (('t', 'o'), ('t', 'o', 3, <Question.COVERAGE: 'coverage'>))
    >>> CacheKey("t", "o", 3, Question.GRAPH).variant_group is None
    True
    """

    tenant: str
    org_id: str
    version: int
    question: Question
    params: Hashable = None
    language: str = DEFAULT_LANGUAGE

    @property
    def org(self) -> OrgKey:
        return (self.tenant, self.org_id)

    @property
    def variant_group(self) -> tuple[str, str, int, Question] | None:
        """The answers this one is a *variant* of (same question and organisation version,
        other parameters or language); ``None`` for the graph."""
        if self.question is Question.GRAPH:
            return None
        return (self.tenant, self.org_id, self.version, self.question)

    @property
    def asked(self) -> CachedQuestion:
        return CachedQuestion(self.question, self.params, self.language)


@dataclass(frozen=True, slots=True)
class CachedQuestion:
    """A question as it was asked (of some organisation): what a recomputation repeats."""

    question: Question
    params: Hashable = None
    language: str = DEFAULT_LANGUAGE


WarmOrganisation = tuple[OrgKey, frozenset[CachedQuestion]]
"""An organisation whose cached answers an invalidation dropped, with those questions."""


@dataclass(frozen=True)
class CachedResult(Generic[ModelT]):
    """A computed answer and its serialised form."""

    model: ModelT
    body: bytes


DEFAULT_CACHE_MAX_BYTES = 256 * 2**20
"""Default bound of :class:`AnalyticsCache` (``STAKEMAP_CACHE_MAX_BYTES``)."""

DEFAULT_CACHE_MAX_VARIANTS = 16
"""Default ``STAKEMAP_CACHE_MAX_VARIANTS``: parameter sets kept per question and organisation."""

_VariantGroup = tuple[str, str, int, Question]


@dataclass(frozen=True)
class _Entry:
    value: object
    size: int


class AnalyticsCache:
    """A byte-bounded LRU of analytics results and graphs, plus each organisation's known
    version.

    Every entry is charged its estimated size (:func:`app.sizing.estimate_size`: the
    answer's model and bytes, or the graph); the least recently used entries go until the
    total is within ``max_bytes``, and an entry larger than that alone is not kept. The
    answers of one question about one organisation version that differ only in their
    parameters (weights, target, member, ``k``, language ...) are *variants*: at most
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
        self._entries: OrderedDict[CacheKey, _Entry] = OrderedDict()
        self._variants: dict[_VariantGroup, OrderedDict[CacheKey, None]] = {}
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

    def get(self, key: CacheKey, *, count_miss: bool = True) -> object | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                group_key = key.variant_group
                group = None if group_key is None else self._variants.get(group_key)
                if group is not None:
                    group.move_to_end(key)
                self.hits += 1
                return entry.value
            if count_miss:
                self.misses += 1
            return None

    def put(self, key: CacheKey, value: object, *, size: int | None = None) -> None:
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
            group_key = key.variant_group
            if group_key is not None:
                group = self._variants.setdefault(group_key, OrderedDict())
                group[key] = None
                while len(group) > self._max_variants:
                    self._drop(next(iter(group)))
                    self.evictions += 1
            while self._bytes > self._max_bytes:
                self._drop(next(iter(self._entries)))
                self.evictions += 1

    def _drop(self, key: CacheKey) -> None:
        """Forget one entry (the lock held)."""
        entry = self._entries.pop(key, None)
        if entry is None:
            return
        self._bytes -= entry.size
        group_key = key.variant_group
        if group_key is None:
            return
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

    def variants(self, tenant: str, org_id: str, version: int, question: Question) -> int:
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
        (:class:`app.singleflight.SingleFlight`), so a read after a write never joins one
        begun before it."""
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
            for key in [k for k in self._entries if k.org in stale]:
                self._drop(key)
                if key.question not in (Question.GRAPH, Question.GRAPH_AS_OF):
                    warm.setdefault(key.org, set()).add(key.asked)
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
