"""``POST /v1/organisations/new/import``: a new organisation and its graph in one transaction,
on both stores (the live server of each)."""

from __future__ import annotations

from typing import Any

import httpx

from schemas.imports import MAX_IMPORT_ROWS


def body(**organisation: Any) -> dict[str, Any]:
    return {
        "organisation": {"name": "Globex", **organisation},
        "people": [
            {"ref": "ceo", "name": "Hank Scorpio", "roles": ["decision_maker"]},
            {"ref": "cfo", "name": "Lisa Lee", "reports_to": "ceo"},
        ],
        "team": [{"ref": "ae", "name": "Anna Weber", "email": "anna@example.com"}],
        "relationships": [{"type": "KNOWS", "source": "ae", "target": "cfo", "strength": 0.7}],
    }


def organisations(api: httpx.Client) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = api.get("/v1/organisations").json()["items"]
    return items


def test_the_organisation_is_created_with_its_graph(api: httpx.Client) -> None:
    response = api.post("/v1/organisations/new/import", json=body(industry="Energy"))

    assert response.status_code == 201, response.text
    result = response.json()
    org_id = result["org_id"]
    assert response.headers["location"] == f"/v1/organisations/{org_id}"
    assert response.headers["etag"] == f'"{result["version"]}"'
    assert result["created"] == {
        "people": 2,
        "team": 1,
        "relationships": 2,
        "opportunities": 0,
        "committee": 0,
    }
    org = api.get(f"/v1/organisations/{org_id}").json()
    assert (org["name"], org["industry"], org["version"]) == ("Globex", "Energy", result["version"])
    people = api.get(f"/v1/organisations/{org_id}/people").json()["items"]
    assert sorted(p["name"] for p in people) == ["Hank Scorpio", "Lisa Lee"]


def test_a_refused_import_leaves_no_organisation_behind(api: httpx.Client) -> None:
    bad = body()
    bad["people"][1]["reports_to"] = "nobody"

    response = api.post("/v1/organisations/new/import", json=bad)

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["people[1].reports_to"]
    assert organisations(api) == []


def test_an_unknown_parent_is_named_in_the_organisation(api: httpx.Client) -> None:
    response = api.post("/v1/organisations/new/import", json=body(parent_id="no-such-org"))

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["organisation.parent_id"]
    assert organisations(api) == []


def test_a_dry_run_stores_nothing_and_meets_the_real_run_s_limits(api: httpx.Client) -> None:
    dry = api.post("/v1/organisations/new/import", params={"dry_run": "true"}, json=body())
    too_many = body()
    too_many["people"] = [{"ref": f"p{i}", "name": "P"} for i in range(MAX_IMPORT_ROWS + 1)]
    too_many["relationships"] = []
    refused = [
        api.post("/v1/organisations/new/import", params={"dry_run": flag}, json=too_many)
        for flag in ("true", "false")
    ]

    assert dry.status_code == 200
    assert dry.json()["dry_run"] is True
    assert dry.json()["created"] == {
        "people": 2,
        "team": 1,
        "relationships": 2,
        "opportunities": 0,
        "committee": 0,
    }
    assert [r.status_code for r in refused] == [422, 422]
    assert refused[0].json()["errors"] == refused[1].json()["errors"]
    assert refused[0].json()["errors"][0]["field"] == "people"
    assert organisations(api) == []


def test_a_retry_with_the_same_key_creates_one_organisation(api: httpx.Client) -> None:
    headers = {"Idempotency-Key": "new-org-import-1"}

    first = api.post("/v1/organisations/new/import", json=body(), headers=headers)
    again = api.post("/v1/organisations/new/import", json=body(), headers=headers)

    assert first.status_code == again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert [o["id"] for o in organisations(api)] == [first.json()["org_id"]]
