"""Logging interactions keeps ties current: over real HTTP, on both stores."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx

from graph.interactions import EVENT_NEW_TIE_LIMIT, KIND_DEPTH
from schemas.common import KeyRole
from schemas.interactions import InteractionKind
from tests.api.test_kam_scenarios import TODAY, ask, knows, org_with, person
from tests.conftest import ClientFactory


def _ties(api: httpx.Client, org_id: str) -> dict[tuple[str, str], dict[str, Any]]:
    items = api.get(f"/v1/organisations/{org_id}/relationships", params={"limit": 200}).json()
    return {(r["source_id"], r["target_id"]): r for r in items["items"] if r["type"] == "KNOWS"}


def _log(
    api: httpx.Client,
    org_id: str,
    kind: str,
    members: list[str],
    people: list[str],
    on: date = TODAY,
    **fields: Any,
) -> httpx.Response:
    body = {
        "occurred_on": on.isoformat(),
        "kind": kind,
        "member_ids": members,
        "person_ids": people,
        **fields,
    }
    return api.post(f"/v1/organisations/{org_id}/interactions", json=body)


def _logged(api: httpx.Client, org_id: str, *args: Any, **fields: Any) -> dict[str, Any]:
    response = _log(api, org_id, *args, **fields)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def _account(api: httpx.Client) -> tuple[str, dict[str, str]]:
    """Anna met the CFO more than a year ago (a strength she set herself); the CFO reports
    to and influences the CEO; Bob knows nobody yet."""
    return org_with(
        api,
        {
            "people": [
                person("ceo", roles=["decision_maker"], influence=5),
                person("cfo", reports_to="ceo"),
                person("cto", reports_to="ceo"),
            ],
            "team": [{"ref": "anna", "name": "Anna"}, {"ref": "bob", "name": "Bob"}],
            "relationships": [
                knows("anna", "cfo", 0.8, TODAY - timedelta(days=400)),
                {"type": "INFLUENCES", "source": "cfo", "target": "ceo", "strength": 0.6},
            ],
        },
    )


def test_logging_a_meeting_removes_the_stale_flag_from_the_path(api: httpx.Client) -> None:
    """Anna's only way to the CEO runs through a tie not kept up for 400 days, so a KAM is
    warned it is stale. Once she logs last week's meeting with the CFO, the same path is
    current again and more likely to work; the strength she set by hand stays hers, with
    what the history supports shown beside it."""
    org_id, ids = _account(api)
    before = ask(api, org_id, "entry-paths", k=1, member_id=ids["anna"])["paths"][0]
    assert "stale_tie" in before["flags"]

    logged = _logged(api, org_id, "meeting", [ids["anna"]], [ids["cfo"]], TODAY - timedelta(days=7))

    [tie] = logged["ties"]
    assert (tie["member_id"], tie["person_id"], tie["created"]) == (ids["anna"], ids["cfo"], False)
    stored = _ties(api, org_id)[(ids["anna"], ids["cfo"])]
    assert stored["last_contact"] == (TODAY - timedelta(days=7)).isoformat()
    assert (stored["strength"], stored["strength_source"]) == (0.8, "manual")
    assert stored["derived_strength"] == KIND_DEPTH[InteractionKind.MEETING]
    after = ask(api, org_id, "entry-paths", k=1, member_id=ids["anna"])["paths"][0]
    assert after["steps"][0]["relationship_id"] == stored["id"]
    assert "stale_tie" not in after["flags"]
    assert after["probability"] > before["probability"]


def test_a_first_call_creates_the_tie_with_the_kinds_starting_strength(api: httpx.Client) -> None:
    """Bob calls the CTO for the first time: from now on Bob knows the CTO, as well as one
    call lets anyone know someone, and that is a way in the advice can use."""
    org_id, ids = _account(api)

    logged = _logged(api, org_id, "call", [ids["bob"]], [ids["cto"]], TODAY - timedelta(days=1))

    [tie] = logged["ties"]
    assert tie["created"] is True
    stored = _ties(api, org_id)[(ids["bob"], ids["cto"])]
    assert stored["id"] == tie["relationship_id"]
    assert stored["strength"] == stored["derived_strength"] == KIND_DEPTH[InteractionKind.CALL]
    assert stored["strength_source"] == "interactions"
    assert stored["last_contact"] == (TODAY - timedelta(days=1)).isoformat()
    paths = ask(api, org_id, "entry-paths", k=3, member_id=ids["bob"])["paths"]
    assert any(p["steps"][0]["relationship_id"] == stored["id"] for p in paths)


def test_a_year_of_two_way_contact_builds_more_than_a_burst(api: httpx.Client) -> None:
    """Six meetings in one week make an acquaintance; six meetings spread over a year make
    a relationship: the second tie comes out clearly stronger, though neither was ever
    given a strength by hand."""
    org_id, ids = _account(api)
    for day in range(6):
        on = TODAY - timedelta(days=10 + day)
        _logged(api, org_id, "meeting", [ids["bob"]], [ids["cto"]], on)
        _logged(
            api, org_id, "meeting", [ids["anna"]], [ids["ceo"]], TODAY - timedelta(days=60 * day)
        )

    ties = _ties(api, org_id)
    burst, year = ties[(ids["bob"], ids["cto"])], ties[(ids["anna"], ids["ceo"])]
    assert burst["strength"] < 0.85 < year["strength"]
    assert year["strength_source"] == burst["strength_source"] == "interactions"


def test_a_large_event_creates_no_ties_but_counts_as_contact(api: httpx.Client) -> None:
    """A conference with many attendees is no introduction: nobody Bob merely shared a hall
    with becomes someone he knows. Anna, who already knew the CFO, did see them there."""
    org_id, ids = _account(api)
    extra = {"people": [person(f"guest_{i}") for i in range(EVENT_NEW_TIE_LIMIT)]}
    guests = org_with_people(api, org_id, extra)
    attendees = [ids["cfo"], ids["cto"], *guests]

    logged = _logged(api, org_id, "event", [ids["anna"], ids["bob"]], attendees)

    assert [(t["member_id"], t["person_id"]) for t in logged["ties"]] == [(ids["anna"], ids["cfo"])]
    ties = _ties(api, org_id)
    assert (ids["bob"], ids["cto"]) not in ties
    assert ties[(ids["anna"], ids["cfo"])]["last_contact"] == TODAY.isoformat()


def org_with_people(api: httpx.Client, org_id: str, body: dict[str, Any]) -> list[str]:
    imported = api.post(f"/v1/organisations/{org_id}/import", json=body)
    assert imported.status_code in (200, 201), imported.text
    return list(imported.json()["ids"].values())


def test_an_older_interaction_never_moves_last_contact_back(api: httpx.Client) -> None:
    """Logging last year's email after this week's meeting keeps the meeting as the last
    contact: the tie is no staler for a late entry in the log."""
    org_id, ids = _account(api)
    _logged(api, org_id, "meeting", [ids["bob"]], [ids["cto"]], TODAY - timedelta(days=3))
    first = _ties(api, org_id)[(ids["bob"], ids["cto"])]

    _logged(api, org_id, "email", [ids["bob"]], [ids["cto"]], TODAY - timedelta(days=300))

    tie = _ties(api, org_id)[(ids["bob"], ids["cto"])]
    assert tie["last_contact"] == (TODAY - timedelta(days=3)).isoformat()
    assert tie["derived_strength"] > first["derived_strength"]
    assert tie["version"] == first["version"] + 1


def test_clearing_a_hand_set_strength_falls_back_to_the_history(api: httpx.Client) -> None:
    """Anna set 0.8 by hand; after a meeting the history supports 0.5. When she clears her
    own figure the tie follows the history, and the next interaction moves it again."""
    org_id, ids = _account(api)
    _logged(api, org_id, "meeting", [ids["anna"]], [ids["cfo"]], TODAY - timedelta(days=20))
    tie = _ties(api, org_id)[(ids["anna"], ids["cfo"])]
    url = f"/v1/organisations/{org_id}/relationships/{tie['id']}"

    cleared = api.patch(url, json={"strength": None}, headers={"If-Match": f'"{tie["version"]}"'})

    assert cleared.status_code == 200, cleared.text
    body = cleared.json()
    assert (body["strength"], body["strength_source"]) == (0.5, "interactions")
    _logged(api, org_id, "call", [ids["anna"]], [ids["cfo"]], TODAY - timedelta(days=2))
    again = api.get(url).json()
    assert again["strength"] == again["derived_strength"] > 0.5
    set_again = api.patch(
        url, json={"strength": 0.3}, headers={"If-Match": f'"{again["version"]}"'}
    ).json()
    assert (set_again["strength"], set_again["strength_source"]) == (0.3, "manual")


def test_unknown_participants_are_refused_and_nothing_is_stored(api: httpx.Client) -> None:
    """A typo in the attendee list must not create a ghost tie or half an interaction: the
    answer names each bad entry, and the account is exactly as it was."""
    org_id, ids = _account(api)
    _other_id, other = org_with(api, {"people": [person("stranger")]})
    before = _ties(api, org_id)

    refused = _log(api, org_id, "meeting", ["no-such-member"], [ids["ceo"], other["stranger"]])

    assert refused.status_code == 422, refused.text
    fields = {e["field"] for e in refused.json()["errors"]}
    assert fields == {"member_ids[0]", "person_ids[1]"}
    assert _ties(api, org_id) == before
    assert api.get(f"/v1/organisations/{org_id}/interactions").json()["items"] == []


def test_bad_bodies_name_the_field(api: httpx.Client) -> None:
    """A meeting that has not happened yet, a participant listed twice or an unknown kind is
    refused before anything is read, naming the field."""
    org_id, ids = _account(api)
    cases = {
        "occurred_on": _log(
            api, org_id, "meeting", [ids["anna"]], [ids["cfo"]], TODAY + timedelta(days=2)
        ),
        "person_ids": _log(api, org_id, "call", [ids["anna"]], [ids["cfo"], ids["cfo"]]),
        "kind": _log(api, org_id, "lunch", [ids["anna"]], [ids["cfo"]]),
        "member_ids": _log(api, org_id, "call", [], [ids["cfo"]]),
    }
    for field, response in cases.items():
        assert response.status_code == 422, (field, response.text)
        assert any(field in e["field"] for e in response.json()["errors"]), response.text


def test_timelines_filter_and_page_newest_first(
    api: httpx.Client, make_client: ClientFactory
) -> None:
    """An AM preparing a visit reads what happened with one person, newest first, a page at
    a time; a manager reads one team member's activity across every account."""
    org_id, ids = _account(api)
    second_id, second = org_with(api, {"people": [person("buyer")]})
    days = [TODAY - timedelta(days=d) for d in (40, 30, 20, 10)]
    for day in days:
        _logged(api, org_id, "call", [ids["anna"]], [ids["cfo"]], day, summary=f"call {day}")
    _logged(api, org_id, "email", [ids["bob"]], [ids["ceo"]], TODAY - timedelta(days=5))
    _logged(api, second_id, "meeting", [ids["anna"]], [second["buyer"]], TODAY)
    url = f"/v1/organisations/{org_id}/interactions"

    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"person_id": ids["cfo"], "limit": 3}
        if cursor:
            params["cursor"] = cursor
        page = api.get(url, params=params).json()
        seen += [i["occurred_on"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [d.isoformat() for d in reversed(days)]
    window = api.get(url, params={"since": days[1].isoformat(), "until": days[2].isoformat()})
    assert [i["occurred_on"] for i in window.json()["items"]] == [
        days[2].isoformat(),
        days[1].isoformat(),
    ]
    by_bob = api.get(url, params={"member_id": ids["bob"]}).json()["items"]
    assert [i["kind"] for i in by_bob] == ["email"]

    anna = api.get(f"/v1/team/{ids['anna']}/interactions").json()["items"]
    assert [(i["org_id"], i["occurred_on"]) for i in anna[:2]] == [
        (second_id, TODAY.isoformat()),
        (org_id, days[3].isoformat()),
    ]
    assert len(anna) == 5
    viewer = make_client(KeyRole.VIEWER)
    one = viewer.get(f"{url}/{by_bob[0]['id']}")
    assert one.status_code == 200
    assert one.json() == by_bob[0]
    assert viewer.get(url, params={"cursor": "garbage"}).status_code == 422
    assert viewer.get("/v1/team/no-such-member/interactions").status_code == 404
    assert _log(viewer, org_id, "call", [ids["anna"]], [ids["cfo"]]).status_code == 403


def test_deleting_a_person_takes_them_out_of_the_log(api: httpx.Client) -> None:
    """A stakeholder deleted (or erased on request) leaves no trace in the timeline: a
    meeting with them alone is gone, a meeting with others no longer lists them."""
    org_id, ids = _account(api)
    alone = _logged(api, org_id, "meeting", [ids["anna"]], [ids["cto"]])
    shared = _logged(api, org_id, "meeting", [ids["anna"]], [ids["cto"], ids["ceo"]])

    cto = f"/v1/organisations/{org_id}/people/{ids['cto']}"
    deleted = api.delete(cto, headers={"If-Match": api.get(cto).headers["etag"]})

    assert deleted.status_code == 204, deleted.text
    url = f"/v1/organisations/{org_id}/interactions"
    assert api.get(f"{url}/{alone['id']}").status_code == 404
    assert api.get(f"{url}/{shared['id']}").json()["person_ids"] == [ids["ceo"]]
    assert api.get(url, params={"person_id": ids["cto"]}).json()["items"] == []


def test_a_retried_log_with_the_same_key_is_stored_once(api: httpx.Client) -> None:
    """A flaky mobile connection sends the same log twice: one interaction, one answer."""
    org_id, ids = _account(api)
    body = {
        "occurred_on": TODAY.isoformat(),
        "kind": "call",
        "member_ids": [ids["bob"]],
        "person_ids": [ids["ceo"]],
    }
    url = f"/v1/organisations/{org_id}/interactions"
    headers = {"Idempotency-Key": "call-ceo-1"}

    first = api.post(url, json=body, headers=headers)
    second = api.post(url, json=body, headers=headers)

    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert len(api.get(url).json()["items"]) == 1
    assert _ties(api, org_id)[(ids["bob"], ids["ceo"])]["version"] == 1
