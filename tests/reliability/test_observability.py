"""Store latency in /metrics, and errors as problem documents with request ids."""

from __future__ import annotations

import re

import httpx

from tests.conftest import LiveServer


def metric(text: str, name: str, **labels: str) -> float:
    """The value of one sample of the Prometheus text ``text``."""
    for line in text.splitlines():
        if not line.startswith(name + "{"):
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', line[: line.index("}")]))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_store_calls_are_timed_and_failures_counted(
    api: httpx.Client, live_server: LiveServer
) -> None:
    before = httpx.get(live_server.metrics_url).text
    org = api.post("/v1/organisations", json={"name": "Timed"}).json()
    assert api.get(f"/v1/organisations/{org['id']}").status_code == 200
    assert api.get("/v1/organisations/00000000-0000-4000-8000-000000000000").status_code == 404
    after = httpx.get(live_server.metrics_url).text
    for operation in ("create_organisation", "get_organisation", "find_api_key"):
        count = "stakemap_store_call_seconds_count"
        assert metric(after, count, operation=operation) > metric(
            before, count, operation=operation
        ), operation
    assert metric(
        after, "stakemap_store_errors_total", operation="get_organisation", error="NotFound"
    ) >= 1 + metric(
        before, "stakemap_store_errors_total", operation="get_organisation", error="NotFound"
    )
    assert 'stakemap_http_request_seconds_count{method="POST",route="/v1/organisations"}' in after


def test_every_error_is_a_problem_with_a_request_id(
    api: httpx.Client, live_server: LiveServer
) -> None:
    answers = [
        api.get("/v1/no-such-route"),
        api.request("PUT", "/v1/organisations"),
        api.post("/v1/organisations", content=b"{not json", headers={"X-Request-ID": "req-42"}),
        api.post("/v1/organisations", json={"name": ""}),
        api.patch("/v1/organisations/00000000-0000-4000-8000-000000000000", json={}),
        httpx.get(f"{live_server.url}/v1/organisations"),
    ]
    assert [a.status_code for a in answers] == [404, 405, 422, 422, 404, 401]
    for answer in answers:
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["status"] == answer.status_code
        assert answer.headers["x-request-id"]
    assert answers[1].headers["allow"] == "GET, POST"
    assert answers[2].headers["x-request-id"] == "req-42"
