"""The layout's work budget over real HTTP, on both stores: a degraded map says so in its
document (``data.layout``) and in a ``Stakemap-Layout: degraded`` header."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.routers.maps import LAYOUT_HEADER
from app.security import generate_key, hash_key
from app.settings import Settings
from schemas.common import KeyRole
from tests.api.test_http import load
from tests.conftest import TEST_PEPPER, LiveServer, open_store
from tests.powermap.support import tree_body

MAPS = ("power-map", "power-map.svg", "graph.graphml")


@pytest.fixture
def tight(store_kind: str, tmp_path: Path) -> Iterator[LiveServer]:
    """A server whose layouts may spend 20,000 work units (a 300-person deep tree's full
    layout needs about a hundred times that)."""
    settings = Settings(layout_work_budget=20_000, analytics_processes=0, rate_limit_per_minute=0)
    server = LiveServer(open_store(store_kind, tmp_path), settings)
    server.start()
    yield server
    server.stop()


def client(server: LiveServer, tenant: str) -> httpx.Client:
    secret = generate_key()
    server.store.create_api_key(tenant, KeyRole.EDITOR, "layout", hash_key(secret, TEST_PEPPER))
    return httpx.Client(
        base_url=server.url, headers={"Authorization": f"Bearer {secret}"}, timeout=60
    )


def deep_org(api: httpx.Client, people: int) -> str:
    org_id: str = api.post("/v1/organisations", json={"name": "Deep Ltd"}).json()["id"]
    load(api, org_id, tree_body(people))
    return org_id


def test_a_map_past_the_budget_is_degraded_and_says_so(tight: LiveServer, tenant: str) -> None:
    with client(tight, tenant) as api:
        org_id = deep_org(api, 300)
        for name in MAPS:
            for _ in range(2):  # computed, then from the cache
                response = api.get(f"/v1/organisations/{org_id}/{name}")
                assert response.status_code == 200, response.text
                assert response.headers[LAYOUT_HEADER] == "degraded"
        doc = api.get(f"/v1/organisations/{org_id}/power-map").json()
        layout = doc["data"]["layout"]
        assert layout["degraded"] is True
        assert "work budget" in layout["reason"]
        assert layout["budget"] == 20_000
        assert layout["work"] <= 20_000
        highlighted = api.get(
            f"/v1/organisations/{org_id}/power-map", params={"highlight": "entry-paths"}
        )
        assert highlighted.headers[LAYOUT_HEADER] == "degraded"
        assert len(doc["elements"]["nodes"]) == 301  # everyone is on it, our team too


def test_a_normal_map_is_not_degraded(api: httpx.Client) -> None:
    org_id = deep_org(api, 300)  # the shared server: the default budget
    for name in MAPS:
        response = api.get(f"/v1/organisations/{org_id}/{name}")
        assert response.status_code == 200, response.text
        assert LAYOUT_HEADER not in response.headers
    layout = api.get(f"/v1/organisations/{org_id}/power-map").json()["data"]["layout"]
    assert layout["degraded"] is False
    assert layout["work"] <= layout["budget"]
    assert layout["method"] in ("layered", "layered-straight")
