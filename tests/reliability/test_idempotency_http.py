"""Idempotency keys over HTTP, on both stores: a retried POST is done once."""

from __future__ import annotations

import json
import threading
import uuid
from typing import Any

import httpx

from app.idempotency import fingerprint
from graph.idempotency import ClaimOutcome
from schemas.common import KeyRole
from tests.conftest import ClientFactory, LiveServer

KEY = "Idempotency-Key"


def new_key() -> str:
    return str(uuid.uuid4())


def org_names(api: httpx.Client) -> list[str]:
    return [o["name"] for o in api.get("/v1/organisations", params={"limit": 500}).json()["items"]]


def count_people(api: httpx.Client, org_id: str) -> int:
    count, cursor = 0, None
    while True:
        params: dict[str, Any] = {"limit": 500} | ({"cursor": cursor} if cursor else {})
        page = api.get(f"/v1/organisations/{org_id}/people", params=params).json()
        count += len(page["items"])
        cursor = page["next_cursor"]
        if not cursor:
            return count


def test_a_retried_create_is_replayed_not_repeated(api: httpx.Client) -> None:
    key = new_key()
    first = api.post("/v1/organisations", json={"name": "Acme", "tier": 1}, headers={KEY: key})
    assert first.status_code == 201
    # the same request: same bytes back, nothing written
    retry = api.post(
        "/v1/organisations",
        content=b'{ "tier": 1,  "name": "Acme" }',  # the same JSON, written differently
        headers={KEY: key, "Content-Type": "application/json"},
    )
    assert retry.status_code == 201
    assert retry.content == first.content
    for header in ("location", "etag", "content-type"):
        assert retry.headers[header] == first.headers[header]
    assert retry.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert org_names(api) == ["Acme"]


def test_same_key_another_request_is_422(api: httpx.Client) -> None:
    key = new_key()
    assert api.post("/v1/organisations", json={"name": "A"}, headers={KEY: key}).status_code == 201
    other = api.post("/v1/organisations", json={"name": "B"}, headers={KEY: key})
    assert other.status_code == 422
    assert other.json()["errors"][0]["field"] == "header.Idempotency-Key"
    elsewhere = api.post("/v1/team", json={"name": "A"}, headers={KEY: key})
    assert elsewhere.status_code == 422  # another path is another request
    assert org_names(api) == ["A"]


def test_keys_are_per_tenant(make_client: ClientFactory) -> None:
    key = new_key()
    mine, theirs = make_client(), make_client(KeyRole.EDITOR, for_tenant=f"other-{key}")
    a = mine.post("/v1/organisations", json={"name": "Mine"}, headers={KEY: key})
    b = theirs.post("/v1/organisations", json={"name": "Theirs"}, headers={KEY: key})
    assert (a.status_code, b.status_code) == (201, 201)
    assert "idempotent-replayed" not in b.headers
    assert org_names(mine) == ["Mine"]
    assert org_names(theirs) == ["Theirs"]


def test_a_key_in_use_is_409_until_released(
    api: httpx.Client, live_server: LiveServer, tenant: str
) -> None:
    key = new_key()
    body = json.dumps({"name": "Busy"}).encode()
    claim = live_server.store.claim_idempotency_key(
        tenant,
        key,
        fingerprint("POST", "/v1/organisations", "", body),
        lease_seconds=60,
        ttl_seconds=3600,
    )
    assert claim.outcome is ClaimOutcome.CLAIMED
    assert claim.token is not None
    headers = {KEY: key, "Content-Type": "application/json"}
    busy = api.post("/v1/organisations", content=body, headers=headers)
    assert busy.status_code == 409
    assert 1 <= int(busy.headers["retry-after"]) <= 60
    assert org_names(api) == []
    live_server.store.release_idempotency_key(tenant, key, claim.token)
    assert api.post("/v1/organisations", content=body, headers=headers).status_code == 201


def test_concurrent_requests_with_one_key_write_once(api: httpx.Client) -> None:
    org_id = api.post("/v1/organisations", json={"name": "Acme"}).json()["id"]
    body = {"people": [{"ref": f"p{i}", "name": f"Person {i}"} for i in range(3000)]}
    key = new_key()
    answers: list[httpx.Response] = []

    def post() -> None:
        answers.append(
            api.post(f"/v1/organisations/{org_id}/import", json=body, headers={KEY: key})
        )

    threads = [threading.Thread(target=post) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(a.status_code for a in answers)
    assert statuses.count(200) >= 1
    assert set(statuses) <= {200, 409}
    bodies = {a.content for a in answers if a.status_code == 200}
    assert len(bodies) == 1  # replays answer exactly what the import answered
    assert count_people(api, org_id) == 3000
    assert api.get(f"/v1/organisations/{org_id}").json()["version"] == 2  # one import


def test_refused_requests_keep_no_answer(api: httpx.Client) -> None:
    org_id = api.post("/v1/organisations", json={"name": "Acme"}).json()["id"]
    key = new_key()
    bad = {"people": [{"ref": "a", "name": "A", "reports_to": "nobody"}]}
    path = f"/v1/organisations/{org_id}/import"
    for _ in range(2):  # refused again, not replayed: nothing was stored either time
        refused = api.post(path, json=bad, headers={KEY: key})
        assert refused.status_code == 422
        assert "idempotent-replayed" not in refused.headers
    good = api.post(path, json={"people": [{"ref": "a", "name": "A"}]}, headers={KEY: key})
    assert good.status_code == 200
    missing = api.post(
        "/v1/organisations/00000000-0000-4000-8000-000000000000/people",
        json={"name": "X"},
        headers={KEY: new_key()},
    )
    assert missing.status_code == 404


def test_every_post_takes_a_key(make_client: ClientFactory) -> None:
    admin = make_client(KeyRole.ADMIN)
    org_id = admin.post("/v1/organisations", json={"name": "Acme"}).json()["id"]
    people = admin.post(
        f"/v1/organisations/{org_id}/import",
        json={"people": [{"ref": "a", "name": "A"}, {"ref": "b", "name": "B"}]},
    ).json()["ids"]
    posts: list[tuple[str, dict[str, Any] | None]] = [
        (f"/v1/organisations/{org_id}/people", {"name": "C"}),
        ("/v1/team", {"name": "M"}),
        (
            f"/v1/organisations/{org_id}/relationships",
            {"type": "INFLUENCES", "source_id": people["a"], "target_id": people["b"]},
        ),
    ]
    for path, body in posts:
        key = new_key()
        first = admin.post(path, json=body, headers={KEY: key})
        again = admin.post(path, json=body, headers={KEY: key})
        assert first.status_code == again.status_code == 201, path
        assert first.content == again.content, path
    snapshot = admin.get(f"/v1/organisations/{org_id}/people", params={"limit": 50}).json()
    assert len(snapshot["items"]) == 3
    assert len(admin.get("/v1/team").json()["items"]) == 1


def test_a_new_api_key_is_never_replayed(make_client: ClientFactory) -> None:
    admin = make_client(KeyRole.ADMIN)
    key = new_key()
    first = admin.post("/v1/keys", json={"role": "viewer", "name": "ci"}, headers={KEY: key})
    assert first.status_code == 201
    assert first.json()["secret"]
    again = admin.post("/v1/keys", json={"role": "viewer", "name": "ci"}, headers={KEY: key})
    assert again.status_code == 409
    assert again.json()["key_id"] == first.json()["id"]
    assert first.json()["secret"] not in again.text
    assert [k["name"] for k in admin.get("/v1/keys").json()].count("ci") == 1
    revoke = f"/v1/keys/{first.json()['id']}/revoke"
    r1 = admin.post(revoke, headers={KEY: key + "-r"})
    r2 = admin.post(revoke, headers={KEY: key + "-r"})
    assert r1.status_code == r2.status_code == 200
    assert r1.content == r2.content


def test_malformed_keys_are_refused(api: httpx.Client) -> None:
    for bad in ("", "x" * 256, "tab\tinside"):
        response = api.post("/v1/organisations", json={"name": "A"}, headers={KEY: bad})
        assert response.status_code == 422, bad
    assert org_names(api) == []


def test_a_dry_run_import_is_replayed_too(api: httpx.Client) -> None:
    org_id = api.post("/v1/organisations", json={"name": "Acme"}).json()["id"]
    key, body = new_key(), {"people": [{"ref": "a", "name": "A"}]}
    path = f"/v1/organisations/{org_id}/import?dry_run=true"
    first = api.post(path, json=body, headers={KEY: key})
    again = api.post(path, json=body, headers={KEY: key})
    assert first.status_code == again.status_code == 200
    assert again.headers["idempotent-replayed"] == "true"
    assert again.content == first.content
    assert count_people(api, org_id) == 0


def test_a_replay_is_not_audited_as_a_second_write(make_client: ClientFactory) -> None:
    admin = make_client(KeyRole.ADMIN)
    key = new_key()
    for _ in range(3):
        admin.post("/v1/organisations", json={"name": "Once"}, headers={KEY: key})
    entries = admin.get("/v1/audit", params={"limit": 500}).json()["items"]
    creates = [e for e in entries if e["action"] == "create" and e["method"] == "POST"]
    assert len(creates) == 1
