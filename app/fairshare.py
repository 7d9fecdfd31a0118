"""Fair admission of cold analytics computations between tenants."""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

__all__ = ["DEFAULT_ANALYTICS_CONCURRENCY", "DEFAULT_TENANT_CONCURRENCY", "FairShare"]

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
