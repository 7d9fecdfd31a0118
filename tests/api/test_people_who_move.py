"""People who move, over real HTTP on both stores: a person marked left is gone from power,
roles and targets at once; marked back, they return; the status is stored like any field."""

from __future__ import annotations

from datetime import timedelta

import httpx

from tests.api.test_kam_scenarios import TODAY, ask, knows, org_with, person


def _account(api: httpx.Client) -> tuple[str, dict[str, str]]:
    """The CEO decides; the CTO, our champion and technical buyer, reports to the CEO;
    Anna knows the CTO well, and the CTO the CEO."""
    return org_with(
        api,
        {
            "people": [
                person("ceo", roles=["decision_maker"], influence=5),
                person("cto", reports_to="ceo", roles=["technical_buyer"], stance="champion"),
                person("eng", reports_to="cto"),
            ],
            "team": [{"ref": "anna", "name": "Anna"}],
            "relationships": [knows("anna", "cto", 0.9), knows("cto", "ceo", 0.9)],
        },
    )


def _patch(
    api: httpx.Client, org_id: str, person_id: str, body: dict[str, object]
) -> httpx.Response:
    url = f"/v1/organisations/{org_id}/people/{person_id}"
    version = api.get(url).headers["etag"]
    return api.patch(url, json=body, headers={"If-Match": version})


def test_a_champion_who_left_is_gone_from_power_and_roles_and_flags_the_path(
    api: httpx.Client,
) -> None:
    """The CTO left last week. A KAM stops counting them as power or as the technical
    buyer; the way to the CEO through them is now an alumnus' favour, flagged as such; the
    engineer who reported to them now reports to the CEO."""
    org_id, ids = _account(api)
    before = ask(api, org_id, "entry-paths", k=1)["paths"][0]

    left = _patch(
        api,
        org_id,
        ids["cto"],
        {"status": "left", "left_on": (TODAY - timedelta(days=7)).isoformat()},
    )

    assert left.status_code == 200, left.text
    assert (left.json()["status"], left.json()["version"]) == ("left", 2)
    ranked = {i["person_id"]: i for i in ask(api, org_id, "influence")["items"]}
    assert ids["cto"] not in ranked
    assert ranked[ids["eng"]]["depth"] == 1
    roles = {r["role"]: r for r in ask(api, org_id, "coverage")["roles"]}
    assert roles["technical_buyer"]["holders"] == []
    after = ask(api, org_id, "entry-paths", k=1)["paths"][0]
    assert [s["to_id"] for s in after["steps"]] == [s["to_id"] for s in before["steps"]]
    assert "former_employee" in after["flags"]
    assert after["probability"] < before["probability"]
    assert "who has left" in after["explanation"]

    back = _patch(api, org_id, ids["cto"], {"status": "active"})
    assert back.status_code == 200, back.text
    assert (back.json()["status"], back.json()["left_on"]) == ("active", None)
    assert ids["cto"] in {i["person_id"] for i in ask(api, org_id, "influence")["items"]}


def test_left_on_belongs_to_people_who_left(api: httpx.Client) -> None:
    org_id, ids = _account(api)
    refused = _patch(api, org_id, ids["cto"], {"left_on": TODAY.isoformat()})
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["left_on"]
    created = api.post(
        f"/v1/organisations/{org_id}/people",
        json={"name": "Ola", "status": "on_leave", "left_on": TODAY.isoformat()},
    )
    assert created.status_code == 422
    assert ask(api, org_id, "influence")["n"] == 3


def test_the_status_is_imported_stored_and_on_leave_keeps_power(api: httpx.Client) -> None:
    """An import can say who is on leave and who left; someone on leave still ranks and
    holds their roles, and a path through them says they are away."""
    org_id, ids = org_with(
        api,
        {
            "people": [
                person("ceo", roles=["decision_maker"], influence=5),
                person("cto", reports_to="ceo", roles=["technical_buyer"], status="on_leave"),
                person("ex", reports_to="ceo", status="left", left_on="2025-01-31"),
            ],
            "team": [{"ref": "anna", "name": "Anna"}],
            "relationships": [knows("anna", "cto", 0.9), knows("cto", "ceo", 0.9)],
        },
    )
    people = {p["id"]: p for p in api.get(f"/v1/organisations/{org_id}/people").json()["items"]}
    assert (people[ids["ex"]]["status"], people[ids["ex"]]["left_on"]) == ("left", "2025-01-31")
    assert people[ids["cto"]]["status"] == "on_leave"
    ranked = {i["person_id"] for i in ask(api, org_id, "influence")["items"]}
    assert ranked == {ids["ceo"], ids["cto"]}
    roles = {r["role"]: r["holders"] for r in ask(api, org_id, "coverage")["roles"]}
    assert roles["technical_buyer"] == [ids["cto"]]
    path = ask(api, org_id, "entry-paths", k=1)["paths"][0]
    assert "on_leave" in path["flags"]
