"""``GET /v1/alerts`` over real HTTP on both stores."""

from __future__ import annotations

from datetime import timedelta

import httpx

from tests.api.test_kam_scenarios import TODAY, knows, org_with, person


def _account(api: httpx.Client, name: str) -> tuple[str, dict[str, str]]:
    """Anna last met the CEO 85 days ago and Raj the junior buyer 88 days ago; the CFO, our
    champion, leaves in a fortnight."""
    org_id, ids = org_with(
        api,
        {
            "people": [
                person("ceo", roles=["decision_maker"], influence=5),
                *[person(f"mgr_{i}", reports_to="ceo", influence=3) for i in range(6)],
                person("junior", reports_to="mgr_0", influence=1),
                person(
                    "cfo",
                    reports_to="ceo",
                    stance="champion",
                    status="left",
                    left_on=(TODAY + timedelta(days=14)).isoformat(),
                ),
            ],
            "team": [
                {"ref": "anna", "name": f"Anna {name}"},
                {"ref": "raj", "name": f"Raj {name}"},
            ],
            "relationships": [
                knows("anna", "ceo", 0.7, TODAY - timedelta(days=85)),
                knows("raj", "junior", 0.7, TODAY - timedelta(days=88)),
                knows("anna", "cfo", 0.8, TODAY - timedelta(days=3)),
            ],
        },
    )
    return org_id, ids


def test_alerts_warn_before_a_key_tie_goes_stale_and_when_a_champion_leaves(
    api: httpx.Client,
) -> None:
    """Anna is told her CEO tie goes stale in six days and that the champion leaves in two
    weeks (she knows them best, so she acts); Raj's tie to a junior buyer raises nothing.
    Logging a call with the CEO clears her first alert."""
    org_id, ids = _account(api, "A")

    alerts = api.get("/v1/alerts", params={"org_id": org_id}).json()

    found = {(a["kind"], a["person_id"], a["member_id"]) for a in alerts["items"]}
    assert found == {
        ("tie_going_stale", ids["ceo"], ids["anna"]),
        ("champion_left", ids["cfo"], ids["anna"]),
    }
    assert alerts["as_of"] == TODAY.isoformat()
    call = {
        "occurred_on": TODAY.isoformat(),
        "kind": "call",
        "member_ids": [ids["anna"]],
        "person_ids": [ids["ceo"]],
    }
    assert api.post(f"/v1/organisations/{org_id}/interactions", json=call).status_code == 201
    after = api.get("/v1/alerts", params={"org_id": org_id}).json()["items"]
    assert [a["kind"] for a in after] == ["champion_left"]
    narrow = api.get("/v1/alerts", params={"org_id": org_id, "within_days": 7}).json()
    assert narrow["items"] == []


def test_tenant_alerts_walk_every_account_and_filter_by_member(api: httpx.Client) -> None:
    """A manager reads the whole tenant's alerts, a page of accounts at a time, or only
    what one team member has to do."""
    first_id, first = _account(api, "B")
    second_id, _second = _account(api, "C")

    page = api.get("/v1/alerts", params={"limit": 1}).json()
    every = api.get("/v1/alerts").json()
    mine = api.get("/v1/alerts", params={"member_id": first["anna"]}).json()

    assert {a["org_id"] for a in every["items"]} == {first_id, second_id}
    assert len(every["items"]) == 4
    assert every["next_cursor"] is None
    assert len({a["org_id"] for a in page["items"]}) == 1
    assert page["next_cursor"]
    rest = api.get("/v1/alerts", params={"cursor": page["next_cursor"]}).json()
    assert page["items"] + rest["items"] == every["items"]
    assert {a["org_id"] for a in mine["items"]} == {first_id}
    assert api.get("/v1/alerts", params={"member_id": "nobody"}).status_code == 404
    assert api.get("/v1/alerts", params={"org_id": "nowhere"}).status_code == 404
    assert api.get("/v1/alerts", params={"within_days": 0}).status_code == 422
