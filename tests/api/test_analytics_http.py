"""Analytics endpoints over real HTTP, on both stores."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx
import pytest

from app.demo import DEMO_ORGANISATION, demo_import
from tests.api.test_http import load
from tests.datasets import krackhardt_request

ENDPOINTS = ["influence", "decision-makers", "entry-paths", "next-contacts", "coverage"]


def demo_org(api: httpx.Client) -> tuple[str, dict[str, str]]:
    org = api.post("/v1/organisations", json=DEMO_ORGANISATION).json()
    return org["id"], load(api, org["id"], demo_import())


def test_every_endpoint_answers_on_the_demo_account(api: httpx.Client) -> None:
    org_id, ids = demo_org(api)
    answers: dict[str, Any] = {}
    for endpoint in ENDPOINTS:
        response = api.get(f"/v1/organisations/{org_id}/{endpoint}")
        assert response.status_code == 200, (endpoint, response.text)
        assert response.headers["content-type"] == "application/json"
        answers[endpoint] = response.json()

    ranking = answers["influence"]["items"]
    assert [item["rank"] for item in ranking] == list(range(1, 41))
    assert all(0 <= item["power"] <= 1 for item in ranking)
    assert answers["decision-makers"]["items"][0]["person_id"] == ids["ceo"]

    paths = answers["entry-paths"]
    assert paths["target_id"] == ids["ceo"]
    probabilities = [p["probability"] for p in paths["paths"]]
    assert probabilities == sorted(probabilities, reverse=True)
    assert all(0 < p <= 1 for p in probabilities)
    assert all(p["steps"][-1]["to_id"] == ids["ceo"] for p in paths["paths"])

    engaged = {e["person_id"] for e in answers["coverage"]["engaged"]}
    suggested = {c["person_id"] for c in answers["next-contacts"]["items"]}
    assert engaged
    assert suggested
    assert not engaged & suggested


def test_csv_is_the_same_table(api: httpx.Client) -> None:
    org_id, _ = demo_org(api)
    as_json = api.get(f"/v1/organisations/{org_id}/influence").json()["items"]
    response = api.get(f"/v1/organisations/{org_id}/influence", params={"format": "csv"})
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["person_id"] for r in rows] == [i["person_id"] for i in as_json]
    assert [float(r["power"]) for r in rows] == pytest.approx([i["power"] for i in as_json])


def test_weights_change_the_ranking_and_are_validated(api: httpx.Client) -> None:
    org_id, ids = demo_org(api)
    formal_only = api.get(
        f"/v1/organisations/{org_id}/influence",
        params={"w_formal": 1, "w_informal": 0, "w_brokerage": 0, "w_declared": 0},
    ).json()
    assert formal_only["weights"]["formal"] == 1
    top = formal_only["items"][0]
    assert (top["person_id"], top["power"]) == (ids["ceo"], 1.0)
    bad = api.get(f"/v1/organisations/{org_id}/influence", params={"w_formal": -1})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "query.w_formal"
    zero = api.get(
        f"/v1/organisations/{org_id}/influence",
        params={"w_formal": 0, "w_informal": 0, "w_brokerage": 0, "w_declared": 0},
    )
    assert zero.status_code == 422


def test_weights_are_divided_by_their_sum_and_near_identical_ones_share_an_answer(
    api: httpx.Client,
) -> None:
    org_id, _ = demo_org(api)
    path = f"/v1/organisations/{org_id}/influence"
    first = api.get(
        path, params={"w_formal": 2, "w_informal": 1, "w_brokerage": 1, "w_declared": 0}
    )
    again = api.get(
        path, params={"w_formal": 4.00001, "w_informal": 2, "w_brokerage": 2, "w_declared": 0}
    )
    assert first.status_code == again.status_code == 200
    assert first.json()["weights"] == {
        "formal": 0.5,
        "informal": 0.25,
        "brokerage": 0.25,
        "declared": 0.0,
    }
    assert again.content == first.content
    default = api.get(path).json()
    scaled = api.get(
        path, params={"w_formal": 35, "w_informal": 30, "w_brokerage": 15, "w_declared": 20}
    )
    assert scaled.json() == default


def test_unknown_ids_are_404(api: httpx.Client) -> None:
    org_id, _ = demo_org(api)
    missing = "00000000-0000-4000-8000-000000000000"
    for endpoint in ENDPOINTS:
        assert api.get(f"/v1/organisations/{missing}/{endpoint}").status_code == 404
    for params in ({"member_id": missing}, {"target_id": missing}):
        response = api.get(f"/v1/organisations/{org_id}/entry-paths", params=params)
        assert response.status_code == 404, response.text
    assert api.get(f"/v1/organisations/{org_id}/entry-paths", params={"k": 99}).status_code == 422


def test_a_write_is_seen_by_the_next_read(api: httpx.Client) -> None:
    org_id, ids = demo_org(api)
    before = api.get(f"/v1/organisations/{org_id}/influence").json()
    api.patch(
        f"/v1/organisations/{org_id}/people/{ids['ea_ceo']}",
        json={"influence": 5},
        headers={"If-Match": '"1"'},
    )
    after = api.get(f"/v1/organisations/{org_id}/influence").json()
    assert after["version"] == before["version"] + 1

    def declared(ranking: dict[str, Any]) -> float:
        item = next(i for i in ranking["items"] if i["person_id"] == ids["ea_ceo"])
        value: float = item["components"]["declared"]
        return value

    assert (declared(before), declared(after)) == (0.25, 1.0)


def test_krackhardt_top_down_entry_to_the_ceo(api: httpx.Client) -> None:
    """One account manager who knows a low-level manager: the CEO (manager 7) is the top
    decision-maker and the best ways to him are explained step by step."""
    body = krackhardt_request()
    body["team"] = [{"ref": "am", "name": "Account Manager"}]
    body["relationships"].append(
        {"type": "KNOWS", "source": "am", "target": "m10", "strength": 0.8}
    )
    org = api.post("/v1/organisations", json={"name": "Krackhardt high-tech"}).json()
    ids = load(api, org["id"], body)
    top = api.get(f"/v1/organisations/{org['id']}/decision-makers").json()["items"][0]
    assert (top["person_id"], top["name"]) == (ids["m7"], "Manager 7")
    paths = api.get(
        f"/v1/organisations/{org['id']}/entry-paths", params={"include_cold": False}
    ).json()
    assert paths["target_id"] == ids["m7"]
    assert paths["paths"]
    best = paths["paths"][0]
    assert best["steps"][0]["from_id"] == ids["am"]
    assert best["steps"][0]["to_id"] == ids["m10"]
    assert best["steps"][-1]["to_id"] == ids["m7"]
    product = 1.0
    for step in best["steps"]:
        product *= step["probability"]
    assert best["probability"] == pytest.approx(product)
    assert "Manager 7" in best["explanation"]
