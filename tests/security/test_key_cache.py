"""Verified API keys are trusted for ``STAKEMAP_KEY_CACHE_SECONDS`` without a store read, and
no longer: a key revoked by another worker process stops working within that time."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.security import generate_key, hash_key
from app.settings import Settings
from graph.store import GraphStore
from schemas.common import KeyRole
from tests.conftest import TEST_PEPPER, LiveServer, open_store

TTL = 0.5


@pytest.fixture
def short_ttl_server(store_kind: str, tmp_path: Path) -> Iterator[LiveServer]:
    # its own store: the app closes the store it was given when it stops
    server = LiveServer(open_store(store_kind, tmp_path), Settings(key_cache_seconds=TTL))
    server.start()
    yield server
    server.stop()


def _client(server: LiveServer, tenant: str) -> tuple[httpx.Client, str]:
    secret = generate_key()
    record = server.store.create_api_key(
        tenant, KeyRole.VIEWER, "cached", hash_key(secret, TEST_PEPPER)
    )
    client = httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {secret}"})
    return client, record.id


def test_a_verified_key_is_not_read_again_within_the_ttl(
    short_ttl_server: LiveServer, tenant: str
) -> None:
    client, _ = _client(short_ttl_server, tenant)
    with client:
        assert client.get("/v1/organisations").status_code == 200
        reads = short_ttl_server.store_calls("find_api_key")
        for _ in range(5):
            assert client.get("/v1/organisations").status_code == 200
        assert short_ttl_server.store_calls("find_api_key") == reads
        time.sleep(TTL * 1.5)  # the TTL runs out: time passing is the condition
        assert client.get("/v1/organisations").status_code == 200
        assert short_ttl_server.store_calls("find_api_key") == reads + 1


def test_a_key_revoked_elsewhere_stops_working_within_the_ttl(
    short_ttl_server: LiveServer, tenant: str
) -> None:
    client, key_id = _client(short_ttl_server, tenant)
    with client:
        assert client.get("/v1/organisations").status_code == 200
        # Straight to the store, as another worker process would: this process's cache
        # is not told.
        other = GraphStore(short_ttl_server.store.adapter)  # nobody listens to its writes
        other.revoke_api_key(tenant, key_id)
        time.sleep(TTL * 1.5)  # the TTL runs out: time passing is the condition
        refused = client.get("/v1/organisations")
        assert refused.status_code == 401
        assert "revoked" in refused.json()["detail"]


def test_an_unknown_key_is_never_cached(short_ttl_server: LiveServer) -> None:
    headers = {"Authorization": f"Bearer {generate_key()}"}
    reads = short_ttl_server.store_calls("find_api_key")
    for _ in range(3):
        answer = httpx.get(f"{short_ttl_server.url}/v1/organisations", headers=headers)
        assert answer.status_code == 401
    assert short_ttl_server.store_calls("find_api_key") == reads + 3
