"""Sales rules as named scenarios, over real HTTP on both stores.

Each test states, in its docstring, what an experienced key-account manager would do; the
assertions check that the service gives that advice (docs/ANALYTICS.md, the rules of #12).
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.api.test_http import load

TODAY = datetime.now(UTC).date()


def org_with(api: httpx.Client, body: dict[str, Any]) -> tuple[str, dict[str, str]]:
    org = api.post("/v1/organisations", json={"name": "Scenario account"}).json()
    return org["id"], load(api, org["id"], body)


def person(ref: str, **fields: Any) -> dict[str, Any]:
    return {"ref": ref, "name": ref.replace("_", " ").title(), **fields}


def knows(source: str, target: str, strength: float, last: date | None = TODAY) -> dict[str, Any]:
    tie: dict[str, Any] = {"type": "KNOWS", "source": source, "target": target}
    tie["strength"] = strength
    if last is not None:
        tie["last_contact"] = last.isoformat()
    return tie


def ask(api: httpx.Client, org_id: str, endpoint: str, **params: Any) -> Any:
    response = api.get(f"/v1/organisations/{org_id}/{endpoint}", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def route(path: dict[str, Any], ids: dict[str, str]) -> list[str]:
    by_id = {v: k for k, v in ids.items()}
    return [by_id[path["steps"][0]["from_id"]], *(by_id[s["to_id"]] for s in path["steps"])]


# --- the assistant and the champion ----------------------------------------------------------


def assistant_account(assistant_tie: dict[str, Any] | None) -> dict[str, Any]:
    people = [
        person("ceo", title="Chief Executive Officer", roles=["decision_maker"], influence=5),
        person("vp_ops", title="VP Operations", reports_to="ceo"),
        person(
            "director", title="Director Plant Engineering", stance="champion", reports_to="vp_ops"
        ),
        person("assistant", title="Executive Assistant to the CEO", reports_to="ceo"),
    ]
    ties = [
        knows("am", "director", 0.8),
        {"type": "INFLUENCES", "source": "director", "target": "ceo", "strength": 0.4},
    ]
    if assistant_tie is not None:
        ties.append(assistant_tie)
    return {"people": people, "team": [{"ref": "am", "name": "Anna"}], "relationships": ties}


@pytest.mark.parametrize(
    "assistant_tie",
    [
        None,
        knows("am", "assistant", 0.3),
        knows("am", "assistant", 0.3, date(2018, 1, 1)),
        knows("am", "assistant", 0.7, None),
    ],
    ids=["no-tie", "fresh-0.3", "dead", "undated-0.7"],
)
def test_knowing_the_ceos_assistant_does_not_spoil_the_champion_route(
    api: httpx.Client, assistant_tie: dict[str, Any] | None
) -> None:
    """Our champion director influences the CEO: that is the way in (0.8 x 0.4 = 32%). A
    passing acquaintance with the CEO's assistant (0.3), a tie dead for years, or an undated
    one (0.7 x 0.5 = 0.35) is no working relationship: nobody's head is gone over, so the
    champion route keeps its full 32% and no risk flag."""
    org_id, ids = org_with(api, assistant_account(assistant_tie))
    best = ask(api, org_id, "entry-paths", k=3)["paths"][0]
    assert route(best, ids) == ["am", "director", "ceo"]
    assert best["probability"] == pytest.approx(0.32)
    assert best["flags"] == []


def test_a_strong_tie_to_the_assistant_still_leaves_the_champion_route_first(
    api: httpx.Client,
) -> None:
    """With a real working tie to the assistant (0.7, fresh), going to the CEO without her
    is flagged, so the AM loops her in; but the advice stays "go through the champion", not
    "ask the assistant to introduce us upward"."""
    org_id, ids = org_with(api, assistant_account(knows("am", "assistant", 0.7)))
    paths = ask(api, org_id, "entry-paths", k=3)["paths"]
    assert route(paths[0], ids) == ["am", "director", "ceo"]
    assert paths[0]["bypassed"] == [ids["assistant"]]
    via_assistant = next(p for p in paths if route(p, ids) == ["am", "assistant", "ceo"])
    assert via_assistant["probability"] < paths[0]["probability"]


# --- a referral down is the top-down strategy ------------------------------------------------


def test_a_referral_down_from_the_ceo_is_never_a_bypass(api: httpx.Client) -> None:
    """Target: the CIO. Our VP knows the CEO; our AM knows the CIO's IT manager. "The CEO
    sends us to the CIO" is the top-down method itself and must beat "ask the IT manager to
    take us to his boss" (bottom-up, 0.8 x 0.35 x 0.6 = 17%)."""
    body = {
        "people": [
            person("ceo", title="CEO", roles=["decision_maker"], influence=5),
            person("cio", title="CIO", reports_to="ceo", roles=["technical_buyer"]),
            person("it_manager", title="IT Manager", reports_to="cio"),
        ],
        "team": [{"ref": "vp", "name": "Victor"}, {"ref": "am", "name": "Anna"}],
        "relationships": [knows("vp", "ceo", 0.8), knows("am", "it_manager", 0.8)],
    }
    org_id, ids = org_with(api, body)
    result = ask(api, org_id, "entry-paths", k=3, target_id=ids["cio"])
    assert (result["target_id"], result["target_source"]) == (ids["cio"], "requested")
    first, second = result["paths"][:2]
    assert route(first, ids) == ["vp", "ceo", "cio"]
    assert first["flags"] == []
    assert first["bypassed"] == []
    assert first["probability"] == pytest.approx(0.8 * 0.6 * 0.6)
    assert route(second, ids) == ["am", "it_manager", "cio"]
    assert second["probability"] == pytest.approx(0.8 * 0.35 * 0.6)


# --- stance ----------------------------------------------------------------------------------


def test_a_supporter_route_beats_an_opponent_with_ties_five_times_stronger(
    api: httpx.Client,
) -> None:
    """The opponent knows us and the target five times better than the supporter does, at
    both ends; and the supporter route even goes over our contact's head. A KAM still asks
    the supporter: an opponent's "introduction" is a way to get blocked."""
    body = {
        "people": [
            person("ceo", title="CEO", roles=["decision_maker"], stance="opponent", influence=5),
            person("cio", title="CIO", reports_to="ceo"),
            person("it_manager", title="IT Manager", reports_to="cio"),
            person("architect", title="Chief Architect", reports_to="cio", stance="supporter"),
            person("buyer", title="Buyer", stance="opponent"),
            person("fan", title="Engineer", stance="supporter"),
        ],
        "team": [{"ref": "am", "name": "Anna"}],
        "relationships": [
            knows("am", "it_manager", 0.8),
            knows("am", "ceo", 1.0),
            knows("am", "architect", 0.2),
            knows("am", "buyer", 1.0),
            knows("buyer", "cio", 1.0),
            knows("am", "fan", 0.2),
            knows("fan", "cio", 0.2),
        ],
    }
    org_id, ids = org_with(api, body)
    paths = ask(api, org_id, "entry-paths", k=10, target_id=ids["cio"])["paths"]
    by_route = {tuple(route(p, ids)): p for p in paths}
    supporter_over_head = by_route[("am", "architect", "cio")]
    assert supporter_over_head["bypassed"] == [ids["it_manager"]]
    for opponent_route in [("am", "ceo", "cio"), ("am", "buyer", "cio")]:
        assert by_route[opponent_route]["probability"] < supporter_over_head["probability"]
    assert (
        by_route[("am", "fan", "cio")]["probability"]
        > by_route[("am", "buyer", "cio")]["probability"]
    )
    assert "through_opponent" in by_route[("am", "ceo", "cio")]["flags"]


def test_an_opponent_we_know_well_covers_no_buying_role(api: httpx.Client) -> None:
    """We know the CFO well, but she opposes us: the economic buyer is not covered, her power
    is not our share, and she is listed as a risk, per role and overall."""
    body = {
        "people": [
            person("ceo", title="CEO", roles=["decision_maker"], influence=5),
            person(
                "cfo", title="CFO", roles=["economic_buyer"], stance="opponent", reports_to="ceo"
            ),
            person("cto", title="CTO", roles=["technical_buyer"], reports_to="ceo"),
        ],
        "team": [{"ref": "am", "name": "Anna"}],
        "relationships": [knows("am", "cfo", 0.9), knows("am", "cto", 0.9)],
    }
    org_id, ids = org_with(api, body)
    coverage = ask(api, org_id, "coverage")
    assert [e["person_id"] for e in coverage["engaged"]] == [ids["cto"]]
    assert [e["person_id"] for e in coverage["engaged_opponents"]] == [ids["cfo"]]
    economic = next(r for r in coverage["roles"] if r["role"] == "economic_buyer")
    assert economic["covered"] is False
    assert economic["engaged_holders"] == []
    assert economic["opponent_holders"] == [ids["cfo"]]
    assert "economic_buyer" in coverage["roles_missing"]
    assert "technical_buyer" in coverage["roles_covered"]
    influence = ask(api, org_id, "influence")["items"]
    power = {i["person_id"]: i["power"] for i in influence}
    assert coverage["engaged_power_share"] == pytest.approx(power[ids["cto"]] / sum(power.values()))


# --- fragility -------------------------------------------------------------------------------


def test_fragility_names_the_champion_who_carries_the_account(api: httpx.Client) -> None:
    """Three warm routes reach the CEO, so the bus factor sees no single point of failure;
    but two of them are feeble and the champion carries 80% of our chance. A KAM calls that
    fragile: losing the champion would cut our best chance by far more than half."""
    body = {
        "people": [
            person("ceo", title="CEO", roles=["decision_maker"], influence=5),
            person("champion", title="COO", stance="champion", reports_to="ceo"),
            person("a", title="Controller", reports_to="ceo"),
            person("b", title="Planner", reports_to="ceo"),
        ],
        "team": [{"ref": "am", "name": "Anna"}, {"ref": "se", "name": "Sam"}],
        "relationships": [
            knows("am", "champion", 0.9),
            {"type": "INFLUENCES", "source": "champion", "target": "ceo", "strength": 0.9},
            knows("se", "a", 0.2),
            knows("am", "b", 0.2),
        ],
    }
    org_id, ids = org_with(api, body)
    coverage = ask(api, org_id, "coverage")
    assert coverage["bus_factor"]["connectivity"] == 2  # through Anna or through Sam
    assert coverage["bus_factor"]["critical_people"] == []
    fragility = coverage["fragility"]
    assert fragility["target_id"] == ids["ceo"] == coverage["target_id"]
    assert coverage["target_source"] == "top_decision_maker"
    assert fragility["best_probability"] == pytest.approx(0.81)
    critical = {c["id"]: c for c in fragility["critical"]}
    assert set(critical) == {ids["champion"], ids["am"]}
    champion = critical[ids["champion"]]
    assert champion["kind"] == "person"
    assert champion["drop_share"] >= 0.5
    assert champion["probability_after"] == pytest.approx(0.2 * 0.35 * 0.6)
    assert critical[ids["am"]]["kind"] == "member"
    # the warm paths: Anna-champion (0.81); Anna-b and Sam-a (0.2 x 0.35 x 0.6 each), which
    # go over the champion's head to the CEO, so count half
    assert champion["path_share"] == pytest.approx(0.81 / (0.81 + 2 * 0.021))
    assert fragility["paths_considered"] == 3
    cto_view = ask(api, org_id, "coverage", target_id=ids["a"])
    assert cto_view["target_id"] == ids["a"]
    assert cto_view["target_source"] == "requested"


# --- time ------------------------------------------------------------------------------------


def test_a_dormant_strong_tie_beats_a_fresh_acquaintance(api: httpx.Client) -> None:
    """Our AE was close to the plant manager (0.9) but has not spoken to him for 400 days;
    he met the engineering lead once last week (0.3). Reconnecting the old tie is the better
    way in, and the path says the tie is stale so the AE knows to reactivate it."""
    body = {
        "people": [
            person("ceo", title="CEO", roles=["decision_maker"], influence=5),
            person("plant_manager", title="Plant Manager"),
            person("eng_lead", title="Engineering Lead"),
        ],
        "team": [{"ref": "ae", "name": "Ella"}],
        "relationships": [
            knows("ae", "plant_manager", 0.9, TODAY - timedelta(days=400)),
            knows("ae", "eng_lead", 0.3),
            {"type": "INFLUENCES", "source": "plant_manager", "target": "ceo", "strength": 0.8},
            {"type": "INFLUENCES", "source": "eng_lead", "target": "ceo", "strength": 0.8},
        ],
    }
    org_id, ids = org_with(api, body)
    paths = ask(api, org_id, "entry-paths", k=2, include_cold=False)["paths"]
    assert route(paths[0], ids) == ["ae", "plant_manager", "ceo"]
    assert "stale_tie" in paths[0]["flags"]
    assert "last contact 400 days ago" in paths[0]["explanation"]
    assert route(paths[1], ids) == ["ae", "eng_lead", "ceo"]


def test_an_undated_tie_says_what_its_unknown_age_does(api: httpx.Client) -> None:
    """An imported Person-Person tie without a date is counted as one half-life old, and the
    step says so instead of halving it silently."""
    body = {
        "people": [
            person("ceo", title="CEO", roles=["decision_maker"]),
            person("friend", title="Advisor", stance="champion"),
        ],
        "team": [{"ref": "am", "name": "Anna"}],
        "relationships": [knows("am", "friend", 0.9), knows("friend", "ceo", 0.8, None)],
    }
    org_id, _ids = org_with(api, body)
    best = ask(api, org_id, "entry-paths", k=1, include_cold=False)["paths"][0]
    assert best["steps"][1]["undated"] is True
    assert best["steps"][1]["probability"] == pytest.approx(0.8 * 0.5)
    assert "last contact unknown: counted as one half-life old, x0.50" in best["explanation"]


# --- next contacts ---------------------------------------------------------------------------


def test_next_contacts_go_for_the_uncovered_economic_buyer_not_the_easy_director(
    api: httpx.Client,
) -> None:
    """The director is reachable at 72% through our champion but holds no buying role; the
    economic buyer holds the budget and nobody we work with covers it. The KAM goes for the
    economic buyer; reachability only breaks near-ties."""
    body = {
        "people": [
            person("ceo", title="CEO", roles=["decision_maker"], influence=5),
            person("cfo", title="CFO", roles=["economic_buyer"], influence=4, reports_to="ceo"),
            person("director", title="Director", influence=4, reports_to="ceo"),
            person("champion", title="Engineer", stance="champion"),
        ],
        "team": [{"ref": "am", "name": "Anna"}, {"ref": "vp", "name": "Victor"}],
        "relationships": [
            knows("am", "champion", 0.9),
            knows("champion", "director", 0.8),
            knows("vp", "ceo", 0.9),
        ],
    }
    org_id, ids = org_with(api, body)
    result = ask(api, org_id, "next-contacts", limit=5)
    order = [c["person_id"] for c in result["items"]]
    assert order.index(ids["cfo"]) < order.index(ids["director"])
    assert result["target_source"] == "top_decision_maker"
    assert result["exact"] is True


def test_next_contacts_reactivate_our_own_tie_and_take_a_target(api: httpx.Client) -> None:
    """Our SE knew the CTO well two years ago. A KAM asks the SE to call him again rather
    than route through one of his engineers, and says so; asked about the CTO as target, the
    answer names the target and how it was chosen."""
    body = {
        "people": [
            person("ceo", title="CEO", roles=["decision_maker"], influence=5),
            person("cto", title="CTO", roles=["technical_buyer"], reports_to="ceo"),
            person("engineer", title="Engineer", stance="champion", reports_to="cto"),
        ],
        "team": [{"ref": "am", "name": "Anna"}, {"ref": "se", "name": "Sam"}],
        "relationships": [
            knows("am", "engineer", 0.9),
            knows("se", "cto", 0.8, TODAY - timedelta(days=700)),
        ],
    }
    org_id, ids = org_with(api, body)
    result = ask(api, org_id, "next-contacts", limit=5, target_id=ids["cto"])
    assert (result["target_id"], result["target_source"]) == (ids["cto"], "requested")
    cto = next(c for c in result["items"] if c["person_id"] == ids["cto"])
    assert cto["direct_tie"] is True
    assert route(cto["path"], ids) == ["se", "cto"]
    assert any(
        r.startswith("reactivate Sam's tie (last contact 700 days ago") for r in cto["reasons"]
    )
    assert "is the target" in cto["reasons"]
    unknown = api.get(f"/v1/organisations/{org_id}/next-contacts", params={"target_id": ids["se"]})
    assert unknown.status_code == 404


# --- informal influence ----------------------------------------------------------------------


def test_the_end_of_a_chain_of_juniors_does_not_outrank_the_cfo_the_ceo_listens_to(
    api: httpx.Client,
) -> None:
    """Six engineers each defer to the next one; the CEO takes the CFO's advice. A KAM knows
    whose word moves the decision: the CFO's, not the last engineer's in the chain."""
    juniors = [f"engineer_{i}" for i in range(1, 7)]
    body = {
        "people": [
            person("ceo", title="CEO", roles=["decision_maker"], influence=5),
            person("cfo", title="CFO", reports_to="ceo"),
            person("cto", title="CTO", reports_to="ceo"),
            *(person(j, title="Engineer", reports_to="cto") for j in juniors),
        ],
        "team": [{"ref": "am", "name": "Anna"}],
        "relationships": [
            {"type": "INFLUENCES", "source": "cfo", "target": "ceo", "strength": 0.6},
            *(
                {"type": "INFLUENCES", "source": b, "target": a, "strength": 0.9}
                for a, b in itertools.pairwise(juniors)
            ),
        ],
    }
    org_id, ids = org_with(api, body)
    items = {i["person_id"]: i for i in ask(api, org_id, "influence")["items"]}
    cfo, last = items[ids["cfo"]], items[ids["engineer_6"]]
    assert cfo["components"]["informal"] > last["components"]["informal"]
    assert cfo["rank"] < last["rank"]
