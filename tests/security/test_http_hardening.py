"""Browser-facing hardening and request limits (OWASP API4), over real HTTP."""

from __future__ import annotations

import json
import logging
import threading
import time

import httpx
import pytest

from app.logging_setup import JsonLogFormatter
from app.settings import Settings
from graph.store import GraphStore
from schemas.common import KeyRole
from tests.conftest import TEST_PEPPER, ClientFactory, LiveServer, open_store


def test_security_headers_on_api_and_errors(api: httpx.Client) -> None:
    for response in (api.get("/v1/organisations"), api.get("/v1/organisations/nope")):
        headers = response.headers
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert "script-src 'self';" in headers["content-security-policy"]
        assert "unsafe-inline" not in headers["content-security-policy"]
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["cache-control"] == "no-store"
        assert len(headers["x-request-id"]) >= 16


def test_request_id_is_echoed_when_sane(api: httpx.Client) -> None:
    assert (
        api.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["x-request-id"]
        == "abc-123"
    )
    odd = api.get("/healthz", headers={"X-Request-ID": "<script>"}).headers["x-request-id"]
    assert odd != "<script>"


def test_cors_is_off_by_default(api: httpx.Client) -> None:
    response = api.get("/v1/organisations", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in response.headers


def test_oversized_body_is_413_and_stores_nothing(api: httpx.Client) -> None:
    org_id = api.post("/v1/organisations", json={"name": "Acme"}).json()["id"]
    huge = {"people": [{"ref": f"p{i}", "name": "x" * 190} for i in range(90_000)]}
    response = api.post(f"/v1/organisations/{org_id}/import", content=json.dumps(huge))
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert api.get(f"/v1/organisations/{org_id}/people").json()["items"] == []


def test_import_row_cap(api: httpx.Client) -> None:
    org_id = api.post("/v1/organisations", json={"name": "Acme"}).json()["id"]
    rows = {"people": [{"ref": str(i), "name": "n"} for i in range(50_001)]}
    response = api.post(f"/v1/organisations/{org_id}/import", json=rows)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "people"


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/v1/organisations", {"limit": 501}),
        ("/v1/organisations/x/entry-paths", {"k": 21}),
        ("/v1/organisations/x/next-contacts", {"limit": 51}),
    ],
)
def test_caps_on_sizes(api: httpx.Client, path: str, params: dict[str, int]) -> None:
    response = api.get(path, params=params)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == f"query.{next(iter(params))}"


def test_mass_assignment_is_refused(api: httpx.Client) -> None:
    org = api.post("/v1/organisations", json={"name": "Acme"}).json()
    for field, value in [
        ("tenant", "other"),
        ("id", "00000000-0000-4000-8000-000000000000"),
        ("version", 99),
        ("created_at", "2020-01-01T00:00:00Z"),
        ("updated_at", "2020-01-01T00:00:00Z"),
        ("org_id", "x"),
    ]:
        created = api.post(
            f"/v1/organisations/{org['id']}/people", json={"name": "P", field: value}
        )
        assert created.status_code == 422, field
        assert created.json()["errors"][0]["field"] == field
        patched = api.patch(f"/v1/organisations/{org['id']}", json={field: value})
        assert patched.status_code == 422, field
    assert api.get(f"/v1/organisations/{org['id']}").json() == org
    assert api.get(f"/v1/organisations/{org['id']}/people").json()["items"] == []


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(JsonLogFormatter().format(record))


def test_api_key_never_reaches_the_logs(make_client: ClientFactory) -> None:
    client = make_client()
    secret = client.headers["Authorization"].removeprefix("Bearer ")
    collector = _Collect()
    service_logger = logging.getLogger("stakemap")
    service_logger.addHandler(collector)
    try:
        client.get("/v1/organisations", params={"limit": 5})
        client.get("/v1/organisations/does-not-exist")
        client.post("/v1/organisations", content=b"{broken")
        # the access line is written just after the answer is sent
        deadline = time.monotonic() + 5
        while len(collector.lines) < 3 and time.monotonic() < deadline:
            time.sleep(0.01)  # poll interval of the condition
    finally:
        service_logger.removeHandler(collector)
    access = [json.loads(line) for line in collector.lines]
    assert [entry["status"] for entry in access if entry["message"] == "request"] == [
        200,
        404,
        422,
    ]
    assert all(secret not in line and "Bearer" not in line for line in collector.lines)


@pytest.fixture
def limited_server(tmp_path_factory: pytest.TempPathFactory) -> LiveServer:
    store: GraphStore = open_store("sqlite", tmp_path_factory.mktemp("limited"))
    server = LiveServer(store, Settings(rate_limit_per_minute=600, rate_limit_burst=20))
    server.start()
    yield server  # type: ignore[misc]
    server.stop()


def _client(server: LiveServer, tenant: str, role: KeyRole = KeyRole.VIEWER) -> httpx.Client:
    from app.security import generate_key, hash_key

    key = generate_key()
    server.store.create_api_key(tenant, role, "test", hash_key(key, TEST_PEPPER))
    return httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {key}"})


def test_rate_limit_answers_429_with_retry_after(limited_server: LiveServer) -> None:
    with _client(limited_server, "noisy") as client:
        responses = [client.get("/v1/organisations") for _ in range(40)]
        codes = [response.status_code for response in responses]
        assert codes[:20] == [200] * 20
        assert 429 in codes[20:]
        # the refusal itself, not one more request: 10 tokens/s refill one between requests
        # on a slow (loaded, or coverage-traced) run
        refused = next(response for response in responses[20:] if response.status_code == 429)
        assert int(refused.headers["retry-after"]) >= 1
        assert refused.headers["content-type"] == "application/problem+json"


def test_one_tenant_hammering_does_not_starve_another(limited_server: LiveServer) -> None:
    noisy = _client(limited_server, "noisy-tenant")
    quiet = _client(limited_server, "quiet-tenant")
    stop = threading.Event()
    noisy_codes: list[int] = []

    def hammer() -> None:
        while not stop.is_set():
            noisy_codes.append(noisy.get("/v1/organisations").status_code)

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for thread in threads:
        thread.start()
    try:
        # once the noisy tenant is being refused, the quiet one asks
        deadline = time.monotonic() + 30
        while 429 not in noisy_codes and time.monotonic() < deadline:
            time.sleep(0.01)  # poll interval of the condition
        quiet_codes = []
        for _ in range(10):
            quiet_codes.append(quiet.get("/v1/organisations").status_code)
            time.sleep(0.1)  # pacing: ten requests spread over a second, not a wait
    finally:
        stop.set()
        for thread in threads:
            thread.join()
        noisy.close()
        quiet.close()
    assert quiet_codes == [200] * 10
    assert noisy_codes.count(429) > noisy_codes.count(200)
