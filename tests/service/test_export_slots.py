"""Tenant-wide exports are admitted a few at a time (:mod:`app.export_slots`), through the
real app: one tenant cannot hold every server thread with minutes-long exports."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from app.export_slots import ExportSlots
from app.main import create_app
from app.security import new_key
from app.settings import Settings
from graph.sqlite_store import SqliteStore
from graph.store import GraphStore
from schemas.common import KeyRole

with warnings.catch_warnings():
    # starlette would like httpx2 for its in-process client; httpx serves it well
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

PATHS = ["/v1/exports/deals.csv", "/v1/exports/influence.jsonl", "/v1/exports/deals?format=jsonl"]


@dataclass
class App:
    client: TestClient
    slots: ExportSlots
    keys: dict[str, dict[str, str]]

    def get(self, tenant: str, path: str) -> httpx.Response:
        return self.client.get(path, headers=self.keys[tenant])


@pytest.fixture
def app(tmp_path: Path) -> Iterator[App]:
    """The app for tenants ``a``, ``b`` and ``c``: 1 export per tenant, 2 in all."""
    store = GraphStore(SqliteStore(tmp_path / "slots.db"))
    settings = Settings(
        store="sqlite", metrics_enabled=False, exports_per_tenant=1, exports_total=2
    )
    keys = {}
    for tenant in ("a", "b", "c"):
        key = new_key(settings.key_pepper.get_secret_value())
        store.create_api_key(tenant, KeyRole.VIEWER, "slots", key.secret_hash)
        keys[tenant] = {"Authorization": f"Bearer {key.secret}"}
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
        client = TestClient(create_app(settings, store_factory=lambda _: store))
    with client:
        yield App(client, client.app_state["app"].exports, keys)
    store.close()


@pytest.mark.parametrize("path", PATHS)
def test_a_second_export_of_a_tenant_waits_for_the_first(app: App, path: str) -> None:
    """While tenant a's export runs, a's next one is refused at once with Retry-After;
    tenant b still exports; when a's ends, a may export again, and again."""
    held = app.slots.acquire("a")
    refused = app.get("a", path)
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "60"
    assert "already running" in refused.json()["detail"]
    assert app.get("b", path).status_code == 200
    held.release()
    assert app.get("a", path).status_code == 200
    assert app.get("a", path).status_code == 200  # the one before released its slot
    assert app.slots.running == 0


def test_the_server_runs_at_most_its_total(app: App) -> None:
    held = [app.slots.acquire("a"), app.slots.acquire("b")]
    refused = app.get("c", "/v1/exports/deals.csv")
    assert refused.status_code == 429
    assert "as many exports as it can" in refused.json()["detail"]
    held.pop().release()
    assert app.get("c", "/v1/exports/deals.csv").status_code == 200
    held.pop().release()
    assert app.slots.running == 0
