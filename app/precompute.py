"""Recompute, in the background, the analytics of organisations someone is looking at.

A write to an organisation drops its cached answers (:class:`app.cache.AnalyticsCache`),
so the next read pays a snapshot read and a full ranking: seconds for a 5,000-person account,
right after the account manager's own edit. When the organisation was *warm* -- it had cached
answers, so someone was viewing it -- :class:`Precomputer` recomputes its graph, influence
ranking and whichever power maps were cached, a short while after the last write (a burst of
edits costs one recomputation), in one background thread. Organisations nobody viewed are
left alone, so a bulk import of thousands of new accounts schedules nothing.

The answers land in the cache under the organisation's new version, through the same code
path as a read, so a recomputation racing another write can never pin a stale answer (see
:meth:`app.cache.AnalyticsCache.remember_version`). Another worker process does not see this
process's writes: with ``STAKEMAP_CACHE_REVALIDATE`` its next read recomputes as before.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable

from app.analytics import AnalyticsService
from app.cache import CachedQuestion, Question, WarmOrganisation
from graph.errors import NotFound, StoreUnavailable
from graph.messages import DEFAULT_LANGUAGE, language
from schemas.powermap import Highlight

__all__ = ["DEFAULT_DELAY", "Precomputer"]

logger = logging.getLogger(__name__)

DEFAULT_DELAY = 0.25
"""Seconds after an organisation's last write before it is recomputed."""


class Precomputer:
    """One background thread that recomputes warm organisations after writes.

    Parameters
    ----------
    analytics : AnalyticsService
        Computes and caches the answers, exactly as a request would.
    delay : float
        Seconds to wait after the last write to an organisation.
    clock : callable
        Monotonic seconds (tests pass a fake one).
    """

    def __init__(
        self,
        analytics: AnalyticsService,
        *,
        delay: float = DEFAULT_DELAY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._analytics = analytics
        self._delay = delay
        self._clock = clock
        self._pending: dict[tuple[str, str], tuple[float, frozenset[CachedQuestion]]] = {}
        self._busy = False
        self._stopping = False
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="stakemap-precompute", daemon=True)
        self.recomputed = 0

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the organisation being recomputed, if any; drop the rest."""
        with self._changed:
            self._stopping = True
            self._pending.clear()
            self._changed.notify_all()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def schedule(self, organisations: Iterable[WarmOrganisation]) -> None:
        """Recompute these organisations ``delay`` seconds from now (a later call for the
        same organisation pushes its time back and adds its questions)."""
        due = self._clock() + self._delay
        with self._changed:
            for org, questions in organisations:
                _, earlier = self._pending.get(org, (due, frozenset()))
                self._pending[org] = (due, earlier | questions)
            self._changed.notify_all()

    @property
    def pending(self) -> int:
        with self._changed:
            return len(self._pending)

    def wait_idle(self, timeout: float) -> bool:
        """Block until nothing is pending or being recomputed; ``False`` on timeout."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while self._pending or self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(min(left, 0.05))
            return True

    def _next(self) -> WarmOrganisation | None:
        """The next organisation whose time has come; ``None`` when stopping."""
        with self._changed:
            while not self._stopping:
                if self._pending:
                    org, (due, questions) = min(self._pending.items(), key=lambda i: i[1][0])
                    wait = due - self._clock()
                    if wait <= 0:
                        del self._pending[org]
                        self._busy = True
                        return org, questions
                    self._changed.wait(wait)
                else:
                    self._changed.wait()
            return None

    def _run(self) -> None:
        while (job := self._next()) is not None:
            (tenant, org_id), questions = job
            try:
                self._recompute(tenant, org_id, questions)
                self.recomputed += 1
            except (NotFound, StoreUnavailable) as exc:
                # deleted since, or the store is down: the next read computes as usual
                logger.info("precompute skipped", extra={"fields": {"reason": str(exc)}})
            except Exception:  # a bug here must not stop every later recomputation
                logger.exception("precompute failed")
            finally:
                with self._changed:
                    self._busy = False
                    self._changed.notify_all()

    def _recompute(self, tenant: str, org_id: str, questions: frozenset[CachedQuestion]) -> None:
        analytics = self._analytics
        for lang in sorted({asked.language for asked in questions} or {DEFAULT_LANGUAGE}):
            with language(lang):  # the answers' messages, as they were asked
                analytics.influence(tenant, org_id)  # the graph and the ranking all answers read
                analytics.decision_makers(tenant, org_id)
                in_lang = frozenset(asked for asked in questions if asked.language == lang)
                for highlight in _highlights(in_lang):
                    analytics.power_map(tenant, org_id, highlight=highlight)


def _highlights(questions: frozenset[CachedQuestion]) -> list[Highlight | None]:
    """The power-map variants that were cached (parameters ``(highlight, as_of)``).

    >>> from datetime import date
    >>> day = date(2026, 11, 27)
    >>> cached_map = CachedQuestion(Question.POWER_MAP, (None, day))
    >>> _highlights(frozenset({cached_map, CachedQuestion(Question.INFLUENCE, "{}")}))
    [None]
    >>> _highlights(frozenset({CachedQuestion(Question.POWER_MAP, (Highlight.ENTRY_PATHS, day))}))
    [<Highlight.ENTRY_PATHS: 'entry-paths'>]
    """
    found: set[Highlight | None] = set()
    for asked in questions:
        params = asked.params
        if asked.question is Question.POWER_MAP and isinstance(params, tuple) and params:
            if len(params) > 2 and params[2] is not None:
                continue  # a deal's map: recomputed when it is asked again
            highlight = params[0]
            if highlight is None or isinstance(highlight, Highlight):
                found.add(highlight)
    return sorted(found, key=lambda h: "" if h is None else h.value)
