"""History over real HTTP on both stores: ``?as_of=`` on the analytics, the changes feed,
and erasure. Writes are stamped days in the past with :func:`graph.planning.write_clock`
(the live server runs in this process)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, time, timedelta
from typing import Any

import httpx

from graph.planning import write_clock
from tests.api.test_kam_scenarios import TODAY, ask, knows, org_with, person


@contextmanager
def days_ago(days: int) -> Iterator[None]:
    """Writes inside the block happen ``days`` ago (at 10:00 UTC)."""
    moment = [datetime.combine(TODAY - timedelta(days=days), time(10), tzinfo=UTC)]

    def tick() -> datetime:
        moment[0] += timedelta(milliseconds=10)
        return moment[0]

    with write_clock(tick):
        yield


def _quarter(api: httpx.Client) -> tuple[str, dict[str, str]]:
    """Sixty days ago we mapped the account: the CEO decides, the CFO (economic buyer, our
    champion) and the CTO report to the CEO; Anna last met the CFO 100 days ago (the tie
    went stale nine days ago). Ten days ago the CFO left; five days ago the CTO turned
    opponent."""
    with days_ago(60):
        org_id, ids = org_with(
            api,
            {
                "people": [
                    person("ceo", roles=["decision_maker"], influence=5),
                    person("cfo", reports_to="ceo", roles=["economic_buyer"], stance="champion"),
                    person("cto", reports_to="ceo", influence=4),
                ],
                "team": [{"ref": "anna", "name": "Anna"}],
                "relationships": [knows("anna", "cfo", 0.8, TODAY - timedelta(days=100))],
            },
        )
    with days_ago(10):
        _patch_person(api, org_id, ids["cfo"], {"status": "left", "left_on": _day(10)})
    with days_ago(5):
        _patch_person(api, org_id, ids["cto"], {"stance": "opponent"})
    return org_id, ids


def _day(days_back: int) -> str:
    return (TODAY - timedelta(days=days_back)).isoformat()


def _patch_person(api: httpx.Client, org_id: str, pid: str, body: dict[str, Any]) -> None:
    url = f"/v1/organisations/{org_id}/people/{pid}"
    changed = api.patch(url, json=body, headers={"If-Match": api.get(url).headers["etag"]})
    assert changed.status_code == 200, changed.text


def _ranked(api: httpx.Client, org_id: str, **params: Any) -> list[str]:
    return [i["person_id"] for i in ask(api, org_id, "influence", **params)["items"]]


def test_a_person_who_left_is_gone_today_and_back_as_of_before(api: httpx.Client) -> None:
    """The CFO left ten days ago: today they hold no power and no buying role (the economic
    buyer is uncovered). Asked as of two weeks ago, the map is the one the AM saw then: the
    CFO ranked, the economic buyer covered, the version then in force. Before the account
    was mapped there was no map at all."""
    org_id, ids = _quarter(api)

    assert ids["cfo"] not in _ranked(api, org_id)
    today = ask(api, org_id, "coverage")
    assert "economic_buyer" in today["roles_unassigned"]

    then = ask(api, org_id, "influence", as_of=_day(14))
    assert ids["cfo"] in [i["person_id"] for i in then["items"]]
    then_coverage = ask(api, org_id, "coverage", as_of=_day(14))
    assert "economic_buyer" in then_coverage["roles_covered"]
    assert then["version"] < ask(api, org_id, "influence")["version"]
    before = api.get(f"/v1/organisations/{org_id}/influence", params={"as_of": _day(90)})
    assert before.status_code == 404, before.text
    stance_then = {i["person_id"]: i["stance"] for i in then["items"]}
    assert stance_then[ids["cto"]] == "neutral"


def test_a_future_day_measures_tie_ages_then(api: httpx.Client) -> None:
    """A tie met yesterday is fresh today and stale a year from now: asking ahead shows
    which ways in will have gone cold if nobody acts."""
    org_id, _ids = org_with(
        api,
        {
            "people": [person("ceo", roles=["decision_maker"])],
            "team": [{"ref": "anna", "name": "Anna"}],
            "relationships": [knows("anna", "ceo", 0.8, TODAY - timedelta(days=1))],
        },
    )
    now = ask(api, org_id, "entry-paths", k=1)["paths"][0]
    ahead = ask(api, org_id, "entry-paths", k=1, as_of=(TODAY + timedelta(days=365)).isoformat())
    assert "stale_tie" not in now["flags"]
    assert "stale_tie" in ahead["paths"][0]["flags"]
    assert ahead["as_of"] == (TODAY + timedelta(days=365)).isoformat()


def test_the_changes_feed_tells_the_quarter(api: httpx.Client) -> None:
    """What happened this quarter, oldest first: the people mapped, the CFO leaving, the
    CTO turning opponent, and Anna's tie to the CFO going stale on the day it crossed the
    line — with before and after of what changed."""
    org_id, ids = _quarter(api)

    feed = api.get(f"/v1/organisations/{org_id}/changes", params={"since": _day(90)}).json()

    kinds = [(c["kind"], c["person_id"]) for c in feed["items"]]
    assert ("joined", ids["ceo"]) in kinds
    assert ("new_manager", ids["cfo"]) in kinds
    assert ("left", ids["cfo"]) in kinds
    assert ("tie_faded", ids["cfo"]) in kinds
    stance = next(c for c in feed["items"] if c["kind"] == "stance_changed")
    assert (stance["before"], stance["after"]) == ({"stance": "neutral"}, {"stance": "opponent"})
    assert [c["at"] for c in feed["items"]] == sorted(c["at"] for c in feed["items"])
    recent = api.get(f"/v1/organisations/{org_id}/changes", params={"since": _day(7)}).json()
    assert [c["kind"] for c in recent["items"]] == ["stance_changed"]
    paged: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"since": _day(90), "limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = api.get(f"/v1/organisations/{org_id}/changes", params=params).json()
        paged += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert paged == feed["items"]
    bad = api.get(f"/v1/organisations/{org_id}/changes", params={"since": "last week"})
    assert bad.status_code == 422


def test_erasure_removes_a_person_from_history(api: httpx.Client) -> None:
    """A former CFO asks to be forgotten: after erasure even the map of two weeks ago and
    the changes feed no longer name them; the rest of the past stays as it was."""
    org_id, ids = _quarter(api)
    url = f"/v1/organisations/{org_id}/people/{ids['cfo']}"
    export = api.get(f"{url}/export")
    assert export.status_code == 200, export.text
    assert [v["stored"]["status"] for v in export.json()["history"]] == ["active", "left"]

    erased = api.post(f"{url}/erase")

    assert erased.status_code == 204, erased.text
    then = _ranked(api, org_id, as_of=_day(14))
    assert ids["cfo"] not in then
    assert ids["ceo"] in then
    feed = api.get(f"/v1/organisations/{org_id}/changes", params={"since": _day(90)}).json()
    assert all(ids["cfo"] not in str(c) for c in feed["items"])
