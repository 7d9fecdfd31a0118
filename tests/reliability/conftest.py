"""Fixtures of the reliability suite: a live server per store without rate limits (the
fuzzing and concurrency runs send thousands of requests with one key)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from app.security import generate_key, hash_key
from app.settings import Settings
from schemas.common import KeyRole
from tests.conftest import TEST_PEPPER, LiveServer, open_store


@pytest.fixture(scope="session")
def unlimited_server(
    store_kind: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    store = open_store(store_kind, tmp_path_factory.mktemp(f"unlimited-{store_kind}"))
    server = LiveServer(store, Settings(store="sqlite", rate_limit_per_minute=0))
    server.start()
    yield server
    server.stop()


def key_for(server: LiveServer, tenant: str, role: KeyRole = KeyRole.ADMIN) -> str:
    """A new API key of ``tenant`` on ``server``."""
    key = generate_key()
    server.store.create_api_key(tenant, role, "reliability", hash_key(key, TEST_PEPPER))
    return key


@pytest.fixture
def unlimited_api(unlimited_server: LiveServer, tenant: str) -> Iterator[httpx.Client]:
    """An admin's client for a fresh tenant on the server without rate limits."""
    key = key_for(unlimited_server, tenant)
    with httpx.Client(
        base_url=unlimited_server.url, headers={"Authorization": f"Bearer {key}"}, timeout=60
    ) as client:
        yield client


RECIPE = "test_production_recipe.py::test_the_compose_recipe_starts_and_serves"


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Start the production recipe's Neo4j (authentication on) in the background with the
    first test of this directory, when the session runs that test: the tests before it run
    while it starts (a fresh instance takes ~20 s)."""
    from tests.conftest import NEO4J_URI
    from tests.reliability.recipe import EarlyNeo4j

    if (
        EarlyNeo4j.started is None
        and NEO4J_URI
        and any(other.nodeid.endswith(RECIPE) for other in item.session.items)
    ):
        EarlyNeo4j.start()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    from tests.reliability.recipe import EarlyNeo4j

    if EarlyNeo4j.started is not None:
        EarlyNeo4j.started.stop()
