"""ETag and If-Match over HTTP, on both stores: every resource says its version, and a write
must name the version it changes."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from schemas.common import KeyRole
from tests.conftest import ClientFactory
from tests.contract.test_store_contract import SMALL

PROBLEM = "application/problem+json"


def world(api: httpx.Client) -> dict[str, Any]:
    org = api.post("/v1/organisations", json={"name": "Acme"})
    org_id = org.json()["id"]
    ids = api.post(f"/v1/organisations/{org_id}/import", json=SMALL).json()["ids"]
    rel = api.get(f"/v1/organisations/{org_id}/relationships").json()["items"][0]
    return {
        "org": f"/v1/organisations/{org_id}",
        "person": f"/v1/organisations/{org_id}/people/{ids['cfo']}",
        "member": f"/v1/team/{ids['am']}",
        "tie": f"/v1/organisations/{org_id}/relationships/{rel['id']}",
    }


def test_every_resource_answers_its_version_as_etag(api: httpx.Client) -> None:
    created = api.post("/v1/organisations", json={"name": "Acme"})
    assert created.headers["etag"] == '"1"'
    paths = world(api)
    for path in paths.values():
        response = api.get(path)
        assert response.status_code == 200, path
        assert response.headers["etag"] == f'"{response.json()["version"]}"', path


@pytest.mark.parametrize(
    ("resource", "method", "body"),
    [
        ("org", "PATCH", {"tier": 2}),
        ("person", "PATCH", {"title": "CFO"}),
        ("member", "PATCH", {"title": "AE"}),
        ("org", "DELETE", None),
        ("person", "DELETE", None),
        ("member", "DELETE", None),
        ("tie", "DELETE", None),
    ],
)
def test_writes_need_the_current_version(
    api: httpx.Client, resource: str, method: str, body: Any
) -> None:
    path = world(api)[resource]
    current = api.get(path)
    version = current.json()["version"]

    missing = api.request(method, path, json=body)
    assert missing.status_code == 428
    assert missing.headers["content-type"] == PROBLEM
    assert "If-Match" in missing.json()["detail"]

    stale = api.request(method, path, json=body, headers={"If-Match": f'"{version + 7}"'})
    assert stale.status_code == 412
    assert stale.json()["current_version"] == version
    assert stale.headers["etag"] == current.headers["etag"]
    weak = api.request(method, path, json=body, headers={"If-Match": f'W/"{version}"'})
    assert weak.status_code == 412  # If-Match compares strongly (RFC 9110 13.1.1)
    assert api.get(path).json() == current.json()  # nothing written

    done = api.request(method, path, json=body, headers={"If-Match": current.headers["etag"]})
    assert done.status_code == (200 if method == "PATCH" else 204), done.text
    if method == "PATCH":
        assert done.json()["version"] == version + 1
        assert done.headers["etag"] == f'"{version + 1}"'
        again = api.request(method, path, json=body, headers={"If-Match": current.headers["etag"]})
        assert again.status_code == 412  # the second writer with the old tag loses
    else:
        assert api.get(path).status_code == 404


def test_if_match_star_and_lists(api: httpx.Client) -> None:
    path = world(api)["person"]
    star = api.patch(path, json={"title": "A"}, headers={"If-Match": "*"})
    assert star.status_code == 200
    listed = api.patch(path, json={"title": "B"}, headers={"If-Match": '"1", "2", "9"'})
    assert listed.status_code == 200
    assert listed.json()["version"] == 3
    junk = api.patch(path, json={"title": "C"}, headers={"If-Match": "junk"})
    assert junk.status_code == 412


def test_foreign_ids_answer_404_never_412_or_428(make_client: ClientFactory) -> None:
    owner = make_client()
    paths = world(owner)
    stranger = make_client(KeyRole.EDITOR, for_tenant="someone-else")
    for path in paths.values():
        for headers in ({}, {"If-Match": '"1"'}, {"If-Match": '"99"'}, {"If-Match": "*"}):
            for method, body in (("PATCH", {}), ("DELETE", None)):
                if method == "PATCH" and "relationships" in path:
                    continue
                answer = stranger.request(method, path, json=body, headers=headers)
                assert answer.status_code == 404, (method, path, headers)
    for path in paths.values():
        assert owner.get(path).status_code == 200
