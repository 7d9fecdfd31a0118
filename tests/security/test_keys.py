"""The key module: no default pepper, and keys hashed under one pepper fail under another."""

from __future__ import annotations

import inspect

import httpx

from app.security import DEVELOPMENT_PEPPER, hash_key, new_key
from schemas.common import KeyRole
from tests.conftest import TEST_PEPPER, LiveServer


def test_no_function_defaults_the_pepper() -> None:
    for function in (hash_key, new_key):
        pepper = inspect.signature(function).parameters["pepper"]
        assert pepper.default is inspect.Parameter.empty, function.__name__


def test_the_test_server_checks_keys_under_its_own_pepper(
    live_server: LiveServer, tenant: str
) -> None:
    good = new_key(TEST_PEPPER)
    live_server.store.create_api_key(tenant, KeyRole.VIEWER, "test", good.secret_hash)
    development = new_key(DEVELOPMENT_PEPPER)
    live_server.store.create_api_key(tenant, KeyRole.VIEWER, "dev", development.secret_hash)

    def status(secret: str) -> int:
        headers = {"Authorization": f"Bearer {secret}"}
        return httpx.get(f"{live_server.url}/v1/organisations", headers=headers).status_code

    assert (status(good.secret), status(development.secret)) == (200, 401)
