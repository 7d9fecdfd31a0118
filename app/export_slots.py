"""Admission of tenant-wide exports: each one holds a thread and a core for minutes.

A pipeline export of 100,000 deals runs for about 20 minutes (docs/PERFORMANCE.md). Without a
bound, one tenant starting a dozen would hold a dozen server threads and every core, and
every other tenant's requests would queue behind them. :class:`ExportSlots` lets at most
``per_tenant`` exports of one tenant and ``total`` of all tenants run at once; past either,
the request is refused at once with 429 and ``Retry-After`` (never queued: an export is a
download the client retries, and a waiting request would hold a connection for minutes).

>>> slots = ExportSlots(per_tenant=1, total=2)
>>> first = slots.acquire("a")
>>> slots.acquire("a")
Traceback (most recent call last):
...
graph.errors.ExportsBusy: an export of this tenant is already running; retry when it has finished
>>> second = slots.acquire("b"); slots.running
2
>>> first.release(); first.release(); slots.running  # a slot is released once
1
"""

from __future__ import annotations

import threading
from collections import Counter

from graph.errors import ExportsBusy

__all__ = ["DEFAULT_EXPORTS_PER_TENANT", "DEFAULT_EXPORTS_TOTAL", "ExportSlot", "ExportSlots"]

DEFAULT_EXPORTS_PER_TENANT = 1
DEFAULT_EXPORTS_TOTAL = 2


class ExportSlot:
    """One running export's place; :meth:`release` when its body has ended (any way)."""

    def __init__(self, slots: ExportSlots, tenant: str) -> None:
        self._slots, self._tenant, self._held = slots, tenant, True

    def release(self) -> None:
        with self._slots._lock:
            if self._held:
                self._held = False
                self._slots._release(self._tenant)


class ExportSlots:
    """At most ``per_tenant`` running exports of one tenant and ``total`` of all."""

    def __init__(
        self, per_tenant: int = DEFAULT_EXPORTS_PER_TENANT, total: int = DEFAULT_EXPORTS_TOTAL
    ) -> None:
        self.total = max(1, total)
        self.per_tenant = max(1, min(per_tenant, self.total))
        self._lock = threading.Lock()
        self._by_tenant: Counter[str] = Counter()

    @property
    def running(self) -> int:
        return sum(self._by_tenant.values())

    def acquire(self, tenant: str) -> ExportSlot:
        """A slot for one export of ``tenant``.

        Raises
        ------
        ExportsBusy
            The tenant has ``per_tenant`` exports running, or all tenants ``total``.
        """
        with self._lock:
            if self._by_tenant[tenant] >= self.per_tenant:
                raise ExportsBusy(mine=True)
            if self.running >= self.total:
                raise ExportsBusy(mine=False)
            self._by_tenant[tenant] += 1
        return ExportSlot(self, tenant)

    def _release(self, tenant: str) -> None:  # called holding the lock
        self._by_tenant[tenant] -= 1
        if self._by_tenant[tenant] <= 0:
            del self._by_tenant[tenant]
