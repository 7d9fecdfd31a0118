"""The HTTP API over a real uvicorn server, on both stores."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from schemas.common import KeyRole
from tests.conftest import ClientFactory, LiveServer
from tests.contract.test_store_contract import SMALL

PROBLEM = "application/problem+json"


def make_org(api: httpx.Client, name: str = "Acme") -> str:
    response = api.post("/v1/organisations", json={"name": name})
    assert response.status_code == 201, response.text
    org_id: str = response.json()["id"]
    return org_id


def load(api: httpx.Client, org_id: str, body: dict[str, Any]) -> dict[str, str]:
    response = api.post(f"/v1/organisations/{org_id}/import", json=body)
    assert response.status_code == 200, response.text
    ids: dict[str, str] = response.json()["ids"]
    return ids


def snapshot_state(api: httpx.Client, org_id: str) -> tuple[Any, Any]:
    people = api.get(f"/v1/organisations/{org_id}/people", params={"limit": 500}).json()
    ties = api.get(f"/v1/organisations/{org_id}/relationships", params={"limit": 500}).json()
    return people, ties


def test_probes(live_server: LiveServer) -> None:
    assert httpx.get(f"{live_server.url}/healthz").json() == {"status": "ok"}
    assert httpx.get(f"{live_server.url}/readyz").json() == {"status": "ready"}


def test_every_route_is_described_in_openapi(live_server: LiveServer) -> None:
    spec = httpx.get(f"{live_server.url}/openapi.json").json()
    operations = [
        (path, method, op) for path, item in spec["paths"].items() for method, op in item.items()
    ]
    assert len(operations) >= 20
    undocumented = [(p, m) for p, m, op in operations if not op.get("description")]
    assert undocumented == []


def test_without_a_key_is_401(live_server: LiveServer) -> None:
    response = httpx.get(f"{live_server.url}/v1/organisations")
    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM
    bad = httpx.get(
        f"{live_server.url}/v1/organisations", headers={"Authorization": "Bearer sm_nope"}
    )
    assert bad.status_code == 401


def test_viewer_reads_but_cannot_write(make_client: ClientFactory) -> None:
    editor = make_client()
    org_id = make_org(editor)
    viewer = make_client(KeyRole.VIEWER)
    assert viewer.get(f"/v1/organisations/{org_id}").status_code == 200
    refused = viewer.post("/v1/organisations", json={"name": "X"})
    assert refused.status_code == 403
    assert refused.headers["content-type"] == PROBLEM
    assert viewer.delete(f"/v1/organisations/{org_id}").status_code == 403
    assert editor.get("/v1/keys").status_code == 403


def test_revoked_key_stops_working(make_client: ClientFactory) -> None:
    admin = make_client(KeyRole.ADMIN)
    created = admin.post("/v1/keys", json={"role": "viewer", "name": "temp"})
    assert created.status_code == 201
    secret, key_id = created.json()["secret"], created.json()["id"]
    temp = httpx.Client(base_url=str(admin.base_url), headers={"Authorization": f"Bearer {secret}"})
    assert temp.get("/v1/organisations").status_code == 200
    listed = admin.get("/v1/keys").json()
    assert all("secret" not in key and "secret_hash" not in key for key in listed)
    assert admin.post(f"/v1/keys/{key_id}/revoke").status_code == 200
    assert temp.get("/v1/organisations").status_code == 401
    temp.close()


def test_crud_round_trip(api: httpx.Client) -> None:
    org_id = make_org(api)
    person = api.post(
        f"/v1/organisations/{org_id}/people",
        json={"name": "Dana Ng", "title": "CIO", "roles": ["technical_buyer"], "influence": 4},
    )
    assert person.status_code == 201
    assert person.headers["location"].endswith(person.json()["id"])
    pid = person.json()["id"]
    member = api.post("/v1/team", json={"name": "Avery", "title": "AE"}).json()
    tie = api.post(
        f"/v1/organisations/{org_id}/relationships",
        json={"type": "KNOWS", "source_id": member["id"], "target_id": pid, "strength": 0.6},
    )
    assert tie.status_code == 201, tie.text
    assert person.headers["etag"] == '"1"'
    patched = api.patch(
        f"/v1/organisations/{org_id}/people/{pid}",
        json={"stance": "champion"},
        headers={"If-Match": person.headers["etag"]},
    )
    assert patched.json()["stance"] == "champion"
    assert patched.json()["version"] == 2
    assert patched.headers["etag"] == '"2"'
    org_response = api.get(f"/v1/organisations/{org_id}")
    org = org_response.json()
    assert org["version"] == 5  # created, person, team member (tenant-wide), tie, patch
    assert org_response.headers["etag"] == '"5"'
    deleted = api.delete(
        f"/v1/organisations/{org_id}/people/{pid}", headers={"If-Match": patched.headers["etag"]}
    )
    assert deleted.status_code == 204
    people, ties = snapshot_state(api, org_id)
    assert people["items"] == []
    assert ties["items"] == []
    assert api.get(f"/v1/organisations/{org_id}/people/{pid}").status_code == 404
    etag = api.get(f"/v1/organisations/{org_id}").headers["etag"]
    assert api.delete(f"/v1/organisations/{org_id}", headers={"If-Match": etag}).status_code == 204
    assert api.get(f"/v1/organisations/{org_id}").status_code == 404


def test_import_returns_ids_and_lists_page(api: httpx.Client) -> None:
    org_id = make_org(api)
    ids = load(api, org_id, SMALL)
    assert set(ids) == {"ceo", "cfo", "eng", "am"}
    first = api.get(f"/v1/organisations/{org_id}/people", params={"limit": 2}).json()
    assert len(first["items"]) == 2
    assert first["next_cursor"] == first["items"][-1]["id"]
    rest = api.get(
        f"/v1/organisations/{org_id}/people", params={"limit": 2, "cursor": first["next_cursor"]}
    ).json()
    assert rest["next_cursor"] is None
    names = {p["name"] for p in first["items"] + rest["items"]}
    assert names == {"Cleo", "Finn", "Erin"}
    too_big = api.get(f"/v1/organisations/{org_id}/people", params={"limit": 100_000})
    assert too_big.status_code == 422
    assert too_big.json()["errors"][0]["field"] == "query.limit"


# --- validation: 4xx naming the field, nothing stored -----------------------------------------

BAD_BODIES: dict[str, tuple[str, dict[str, Any], str]] = {
    "strength above 1": (
        "relationships",
        {"type": "KNOWS", "source_id": "@am", "target_id": "@eng", "strength": 1.5},
        "strength",
    ),
    "negative strength": (
        "relationships",
        {"type": "INFLUENCES", "source_id": "@cfo", "target_id": "@ceo", "strength": -0.1},
        "strength",
    ),
    "unknown stance": ("people", {"name": "Z", "stance": "hostile"}, "stance"),
    "unknown role": ("people", {"name": "Z", "roles": ["king"]}, "roles[0]"),
    "influence out of range": ("people", {"name": "Z", "influence": 9}, "influence"),
    "unknown field": ("people", {"name": "Z", "tenant": "other"}, "tenant"),
    "empty name": ("people", {"name": "  "}, "name"),
    "self loop": (
        "relationships",
        {"type": "INFLUENCES", "source_id": "@cfo", "target_id": "@cfo"},
        "target_id",
    ),
    "reporting cycle": (
        "relationships",
        {"type": "REPORTS_TO", "source_id": "@ceo", "target_id": "@eng"},
        "target_id",
    ),
    "second solid manager": (
        "relationships",
        {"type": "REPORTS_TO", "source_id": "@eng", "target_id": "@ceo"},
        "target_id",
    ),
    "unknown source": (
        "relationships",
        {"type": "INFLUENCES", "source_id": "nobody", "target_id": "@ceo"},
        "source_id",
    ),
    "field of another type": (
        "relationships",
        {"type": "REPORTS_TO", "source_id": "@eng", "target_id": "@ceo", "strength": 0.5},
        "body",
    ),
}


@pytest.mark.parametrize(("resource", "body", "field"), BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_bad_input_is_422_naming_the_field(
    api: httpx.Client, resource: str, body: dict[str, Any], field: str
) -> None:
    org_id = make_org(api)
    ids = load(api, org_id, SMALL)
    resolved = {
        k: ids[v[1:]] if isinstance(v, str) and v.startswith("@") else v for k, v in body.items()
    }
    before = snapshot_state(api, org_id)
    response = api.post(f"/v1/organisations/{org_id}/{resource}", json=resolved)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["status"] == 422
    assert field in [e["field"] for e in problem["errors"]], problem
    assert snapshot_state(api, org_id) == before


def test_bad_import_stores_nothing_and_names_every_problem(api: httpx.Client) -> None:
    org_id = make_org(api)
    body = {
        "people": [
            {"ref": "a", "name": "A", "reports_to": "b"},
            {"ref": "b", "name": "B", "reports_to": "a"},
            {"ref": "a", "name": "Again"},
        ],
        "team": [{"ref": "m", "name": "M"}],
        "relationships": [{"type": "KNOWS", "source": "m", "target": "ghost"}],
    }
    response = api.post(f"/v1/organisations/{org_id}/import", json=body)
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"people[2].ref", "relationships[0].target"} <= fields
    people, ties = snapshot_state(api, org_id)
    assert (people["items"], ties["items"]) == ([], [])
    assert api.get("/v1/team").json()["items"] == []


def test_malformed_json_is_422(api: httpx.Client) -> None:
    org_id = make_org(api)
    response = api.post(
        f"/v1/organisations/{org_id}/people",
        content=b"{not json",
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM


# --- tenancy ---------------------------------------------------------------------------------


def test_other_tenants_resources_answer_exactly_like_unknown_ones(
    make_client: ClientFactory,
) -> None:
    owner = make_client()
    org_id = make_org(owner)
    ids = load(owner, org_id, SMALL)
    stranger = make_client(for_tenant="someone-else")
    unknown_org = "00000000-0000-4000-8000-000000000000"
    pairs = [
        (f"/v1/organisations/{org_id}", f"/v1/organisations/{unknown_org}"),
        (
            f"/v1/organisations/{org_id}/people/{ids['ceo']}",
            f"/v1/organisations/{unknown_org}/people/{ids['ceo']}",
        ),
        (f"/v1/organisations/{org_id}/people", f"/v1/organisations/{unknown_org}/people"),
        (f"/v1/team/{ids['am']}", f"/v1/team/{unknown_org}"),
    ]
    for foreign, unknown in pairs:
        a, b = stranger.get(foreign), stranger.get(unknown)
        assert a.status_code == b.status_code == 404
        assert a.content == b.content
    assert stranger.delete(f"/v1/organisations/{org_id}").status_code == 404
    assert stranger.get("/v1/organisations").json()["items"] == []
    assert owner.get(f"/v1/organisations/{org_id}").status_code == 200
