"""Fair sharing of cold computations between tenants (:class:`app.fairshare.FairShare`).

Deterministic: computations are held on events and released by the test; nothing is timed.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from app.analytics import AnalyticsService
from app.cache import AnalyticsCache
from app.demo import DEMO_ORGANISATION, demo_import
from app.fairshare import FairShare
from app.settings import Settings
from graph.sqlite_store import SqliteStore
from graph.store import GraphStore
from schemas.imports import ImportRequest
from schemas.resources import OrganisationCreate
from schemas.snapshot import OrgSnapshot
from tests.factories import subscribed

AS_OF = date(2026, 11, 27)
DEADLINE_S = 30.0


async def _until(condition: Callable[[], bool]) -> None:
    """Wait (yielding to the loop) until ``condition`` holds; fail after ``DEADLINE_S``."""
    deadline = time.monotonic() + DEADLINE_S
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.005)


class Holder:
    """Tasks that take a slot and keep it until released, recording who entered."""

    def __init__(self, fair: FairShare) -> None:
        self.fair = fair
        self.entered: list[str] = []
        self.release: dict[str, asyncio.Event] = {}

    async def hold(self, name: str, tenant: str) -> None:
        self.release[name] = asyncio.Event()
        async with self.fair.slot(tenant):
            self.entered.append(name)
            await self.release[name].wait()


def test_one_tenant_holds_at_most_its_share_while_another_gets_a_slot() -> None:
    async def scenario() -> None:
        fair = FairShare(workers=3, per_tenant=2)
        holder = Holder(fair)
        a = [asyncio.create_task(holder.hold(f"a{i}", "A")) for i in range(4)]
        await _until(lambda: len(holder.entered) == 2)
        assert (fair.running("A"), fair.waiting("A")) == (2, 2)  # one slot is still free
        b = asyncio.create_task(holder.hold("b0", "B"))
        await _until(lambda: "b0" in holder.entered)  # not behind A's queue
        assert (fair.running("B"), fair.waiting()) == (1, 2)
        holder.release["a0"].set()
        await _until(lambda: len(holder.entered) == 4)
        assert holder.entered == ["a0", "a1", "b0", "a2"]
        assert (fair.running("A"), fair.waiting("A")) == (2, 1)
        for event in holder.release.values():
            event.set()
        await asyncio.gather(*a, b)
        assert fair.running("A") == fair.running("B") == fair.waiting() == 0

    asyncio.run(scenario())


def test_a_freed_slot_goes_to_the_tenant_served_longest_ago() -> None:
    async def scenario() -> list[str]:
        fair = FairShare(workers=1, per_tenant=1)
        holder = Holder(fair)
        tasks = [asyncio.create_task(holder.hold("a0", "A"))]
        await _until(lambda: holder.entered == ["a0"])
        for name, tenant in [("a1", "A"), ("a2", "A"), ("b0", "B"), ("c0", "C"), ("b1", "B")]:
            tasks.append(asyncio.create_task(holder.hold(name, tenant)))
        await _until(lambda: fair.waiting() == 5)
        for step in range(1, 6):
            holder.release[holder.entered[-1]].set()
            await _until(lambda step=step: len(holder.entered) == step + 1)  # type: ignore[misc]
        holder.release[holder.entered[-1]].set()
        await asyncio.gather(*tasks)
        return holder.entered

    # A had its turn: B and C go first, then A and B alternate
    assert asyncio.run(scenario()) == ["a0", "b0", "c0", "a1", "b1", "a2"]


def test_a_request_cancelled_while_waiting_or_after_its_grant_frees_its_place() -> None:
    async def scenario() -> None:
        fair = FairShare(workers=1, per_tenant=1)
        holder = Holder(fair)
        first = asyncio.create_task(holder.hold("a0", "A"))
        await _until(lambda: holder.entered == ["a0"])
        gone = asyncio.create_task(holder.hold("b0", "B"))
        await _until(lambda: fair.waiting("B") == 1)
        gone.cancel()  # the client went away while waiting
        await asyncio.gather(gone, return_exceptions=True)
        assert fair.waiting() == 0
        granted = asyncio.create_task(holder.hold("c0", "C"))
        await _until(lambda: fair.waiting("C") == 1)
        holder.release["a0"].set()
        await first
        assert fair.running("C") == 1
        granted.cancel()  # granted, then cancelled before or while running
        await asyncio.gather(granted, return_exceptions=True)
        assert (fair.running("C"), fair.waiting()) == (0, 0)
        last = asyncio.create_task(holder.hold("d0", "D"))
        await _until(lambda: "d0" in holder.entered)  # the slot was given back
        holder.release["d0"].set()
        await last

    asyncio.run(scenario())


class HeldSnapshots:
    """A store whose snapshot reads for one tenant wait until released."""

    def __init__(self, inner: GraphStore, held_tenant: str) -> None:
        self.inner = inner
        self.held_tenant = held_tenant
        self.release = threading.Event()
        self.entered = 0
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def snapshot(self, tenant: str, org_id: str) -> OrgSnapshot:
        taken = self.inner.snapshot(tenant, org_id)
        if tenant == self.held_tenant:
            with self._lock:
                self.entered += 1
            assert self.release.wait(timeout=DEADLINE_S)
        return taken


def _demo_org(store: GraphStore, tenant: str) -> str:
    org = store.create_organisation(tenant, OrganisationCreate(**DEMO_ORGANISATION))
    store.import_graph(tenant, org.id, ImportRequest.model_validate(demo_import(AS_OF)))
    return org.id


def test_a_tenants_cold_questions_cannot_take_every_worker(tmp_path: Path) -> None:
    """Tenant A asks three cold rankings (three organisations, so nothing is shared) on a
    service with 3 workers and 2 per tenant; A's computations hang. Tenant B's cold
    ranking is answered meanwhile, and A's third waits without a thread."""
    store = GraphStore(SqliteStore(tmp_path / "fair.db"))
    try:
        a_orgs = [_demo_org(store, "A") for _ in range(3)]
        b_org = _demo_org(store, "B")
        held = HeldSnapshots(store, "A")
        cache = AnalyticsCache()
        fair = FairShare(workers=3, per_tenant=2)
        service = AnalyticsService(
            subscribed(store, cache) and held,  # type: ignore[arg-type]
            cache,
            clock=lambda: AS_OF,
            fair_share=fair,
        )

        async def scenario() -> None:
            asks: list[Awaitable[Any]] = [
                service.answer(partial(service.influence, "A", org)) for org in a_orgs
            ]
            a = [asyncio.ensure_future(ask) for ask in asks]
            await _until(lambda: held.entered == 2 and fair.waiting("A") == 1)
            b = await service.answer(partial(service.influence, "B", b_org))
            assert b.model.org_id == b_org
            assert (held.entered, fair.running("A"), fair.waiting("A")) == (2, 2, 1)
            held.release.set()
            done = await asyncio.gather(*a)
            assert sorted(r.model.org_id for r in done) == sorted(a_orgs)
            assert fair.running("A") == fair.waiting() == 0

        asyncio.run(scenario())
    finally:
        store.close()


def test_a_tenant_share_larger_than_the_whole_is_refused() -> None:
    with pytest.raises(ValidationError, match="TENANT_CONCURRENCY"):
        Settings(analytics_concurrency=2, analytics_tenant_concurrency=3)
    equal = Settings(analytics_concurrency=2, analytics_tenant_concurrency=2)
    assert equal.analytics_tenant_concurrency == 2
