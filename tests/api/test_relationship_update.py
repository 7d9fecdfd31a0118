"""Changing a tie in place (``PATCH …/relationships/{rel_id}``) over real HTTP on both stores."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from tests.api.test_kam_scenarios import TODAY, ask, knows, org_with, person


def _ties(api: httpx.Client, org_id: str) -> dict[tuple[str, str, str], dict[str, Any]]:
    items = api.get(f"/v1/organisations/{org_id}/relationships", params={"limit": 200}).json()
    return {(r["type"], r["source_id"], r["target_id"]): r for r in items["items"]}


def _account(api: httpx.Client) -> tuple[str, dict[str, str]]:
    """Anna last met the CFO more than a year ago; the CFO reports to and influences the CEO."""
    return org_with(
        api,
        {
            "people": [
                person("ceo", roles=["decision_maker"], influence=5),
                person("cfo", reports_to="ceo"),
            ],
            "team": [{"ref": "anna", "name": "Anna"}],
            "relationships": [
                knows("anna", "cfo", 0.8, TODAY - timedelta(days=400)),
                {"type": "INFLUENCES", "source": "cfo", "target": "ceo", "strength": 0.6},
            ],
        },
    )


def test_a_fresh_meeting_date_clears_the_stale_flag_of_the_path(api: httpx.Client) -> None:
    """Anna's way to the CEO runs through a tie not kept up for 400 days: a KAM is warned.
    Once she records last week's meeting on that tie, the same path is no longer stale and
    its chance rises (recency decay)."""
    org_id, ids = _account(api)
    before = ask(api, org_id, "entry-paths", k=1)["paths"][0]
    assert "stale_tie" in before["flags"]
    tie = _ties(api, org_id)[("KNOWS", ids["anna"], ids["cfo"])]
    url = f"/v1/organisations/{org_id}/relationships/{tie['id']}"

    changed = api.patch(
        url,
        json={"last_contact": (TODAY - timedelta(days=7)).isoformat(), "channel": "meeting"},
        headers={"If-Match": '"1"'},
    )

    assert changed.status_code == 200, changed.text
    assert changed.headers["etag"] == '"2"'
    body = changed.json()
    assert (body["version"], body["strength"], body["channel"]) == (2, 0.8, "meeting")
    assert api.get(url).json() == body
    after = ask(api, org_id, "entry-paths", k=1)["paths"][0]
    assert "stale_tie" not in after["flags"]
    assert after["probability"] > before["probability"]


def test_preconditions_and_clearing(api: httpx.Client) -> None:
    org_id, ids = _account(api)
    tie = _ties(api, org_id)[("KNOWS", ids["anna"], ids["cfo"])]
    url = f"/v1/organisations/{org_id}/relationships/{tie['id']}"
    assert api.patch(url, json={"strength": 0.3}).status_code == 428
    assert api.patch(url, json={"strength": 0.3}, headers={"If-Match": '"7"'}).status_code == 412
    cleared = api.patch(url, json={"strength": None}, headers={"If-Match": '"1"'})
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["strength"] is None
    assert cleared.json()["last_contact"] == tie["last_contact"]  # left out: kept
    missing = f"/v1/organisations/{org_id}/relationships/00000000-0000-4000-8000-000000000000"
    assert api.patch(missing, json={}, headers={"If-Match": '"1"'}).status_code == 404


def test_fields_that_do_not_fit_the_type_are_refused_naming_the_field(api: httpx.Client) -> None:
    """The rules of create: a reporting line has no strength, only KNOWS has a contact date,
    only REPORTS_TO is dotted; nothing is changed by a refused request."""
    org_id, ids = _account(api)
    ties = _ties(api, org_id)
    cases = [
        (("REPORTS_TO", ids["cfo"], ids["ceo"]), {"strength": 0.5}, "strength"),
        (
            ("INFLUENCES", ids["cfo"], ids["ceo"]),
            {"last_contact": TODAY.isoformat()},
            "last_contact",
        ),
        (("KNOWS", ids["anna"], ids["cfo"]), {"dotted": True}, "dotted"),
        (("KNOWS", ids["anna"], ids["cfo"]), {"dotted": None}, "dotted"),
        (("KNOWS", ids["anna"], ids["cfo"]), {"strength": 1.5}, "strength"),
    ]
    for key, body, field in cases:
        url = f"/v1/organisations/{org_id}/relationships/{ties[key]['id']}"
        refused = api.patch(url, json=body, headers={"If-Match": '"1"'})
        assert refused.status_code == 422, (body, refused.text)
        assert [e["field"] for e in refused.json()["errors"]] == [field], body
    assert _ties(api, org_id) == ties
