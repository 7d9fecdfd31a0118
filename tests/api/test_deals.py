"""Deals over real HTTP on both stores: opportunities, buying committees, per-deal answers.

The resources behave like every other one (validation naming the field, ETag/If-Match,
Idempotency-Key, tenant isolation, paging, atomic import); the scenarios check that a deal's
committee re-targets and re-routes the advice the way a key-account manager expects.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from tests.api.test_http import load
from tests.api.test_kam_scenarios import TODAY, ask, knows, person, route


def _org(api: httpx.Client) -> str:
    org_id: str = api.post("/v1/organisations", json={"name": "Deal account"}).json()["id"]
    return org_id


def _deals(org_id: str) -> str:
    return f"/v1/organisations/{org_id}/opportunities"


def _seat(org_id: str, opp_id: str, person_id: str) -> str:
    return f"{_deals(org_id)}/{opp_id}/committee/{person_id}"


def _fields(response: httpx.Response) -> set[str]:
    return {error["field"] for error in response.json().get("errors", [])}


# --- the resource ------------------------------------------------------------------------------


def test_create_read_update_delete_a_deal(api: httpx.Client) -> None:
    org_id = _org(api)
    owner = api.post("/v1/team", json={"name": "Ann"}).json()["id"]
    version = api.get(f"/v1/organisations/{org_id}").json()["version"]
    created = api.post(
        _deals(org_id),
        json={
            "name": "ERP renewal",
            "amount": "125000",
            "currency": "eur",
            "stage": "negotiation_review",
            "close_date": "2027-03-31",
            "trigger": "planned_replacement",
            "owner_id": owner,
            "external_id": "006A0000001",
        },
    )
    assert created.status_code == 201, created.text
    deal = created.json()
    assert created.headers["ETag"] == '"1"'
    assert created.headers["Location"].endswith(f"/opportunities/{deal['id']}")
    assert (deal["amount"], deal["currency"], deal["status"]) == ("125000.00", "EUR", "open")
    assert (deal["urgency"], deal["stage_label"]) == ("medium", "Negotiation/Review")
    assert api.get(f"/v1/organisations/{org_id}").json()["version"] == version + 1

    read = api.get(f"{_deals(org_id)}/{deal['id']}")
    assert read.json() == deal
    assert read.headers["ETag"] == '"1"'

    assert (
        api.patch(f"{_deals(org_id)}/{deal['id']}", json={"stage": "closed_won"}).status_code == 428
    )
    stale = api.patch(
        f"{_deals(org_id)}/{deal['id']}", json={"stage": "closed_won"}, headers={"If-Match": '"7"'}
    )
    assert stale.status_code == 412
    assert stale.headers["ETag"] == '"1"'
    won = api.patch(
        f"{_deals(org_id)}/{deal['id']}", json={"stage": "closed_won"}, headers={"If-Match": '"1"'}
    )
    assert won.status_code == 200, won.text
    assert (won.json()["status"], won.json()["version"]) == ("won", 2)

    listed = api.get(_deals(org_id)).json()
    assert [d["id"] for d in listed["items"]] == [deal["id"]]

    assert api.delete(f"{_deals(org_id)}/{deal['id']}").status_code == 428
    gone = api.delete(f"{_deals(org_id)}/{deal['id']}", headers={"If-Match": '"2"'})
    assert gone.status_code == 204
    assert api.get(f"{_deals(org_id)}/{deal['id']}").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "X", "amount": "10.5", "currency": "JPY"}, "amount"),
        ({"name": "X", "amount": "10.123", "currency": "EUR"}, "amount"),
        ({"name": "X", "amount": "10"}, "amount"),
        ({"name": "X", "amount": 10, "currency": "EUR"}, "amount"),
        ({"name": "X", "amount": "-1", "currency": "EUR"}, "amount"),
        ({"name": "X", "currency": "EURO"}, "currency"),
        ({"name": "X", "currency": "ZZZ"}, "currency"),
        ({"name": "X", "stage": "closed_won", "status": "lost"}, "status"),
        ({"name": "X", "stage": "won"}, "stage"),
        ({"name": "X", "trigger": "whim"}, "trigger"),
        ({"name": ""}, "name"),
        ({"name": "X", "owner_id": "nobody"}, "owner_id"),
    ],
)
def test_bad_deals_are_refused_naming_the_field(
    api: httpx.Client, body: dict[str, Any], field: str
) -> None:
    org_id = _org(api)
    refused = api.post(_deals(org_id), json=body)
    assert refused.status_code == 422, refused.text
    assert any(f == field or f.endswith(f".{field}") for f in _fields(refused)), refused.text
    assert api.get(_deals(org_id)).json()["items"] == []


def test_status_implies_the_closed_stage_and_a_mismatch_is_refused(api: httpx.Client) -> None:
    org_id = _org(api)
    lost = api.post(_deals(org_id), json={"name": "Pilot", "status": "lost"}).json()
    assert lost["stage"] == "closed_lost"
    url = f"{_deals(org_id)}/{lost['id']}"
    reopen = api.patch(url, json={"status": "open"}, headers={"If-Match": "*"})
    assert reopen.status_code == 422
    assert _fields(reopen) == {"stage"}
    moved = api.patch(url, json={"stage": "proposal_price_quote"}, headers={"If-Match": "*"})
    assert moved.json()["status"] == "open"
    clash = api.patch(
        url, json={"stage": "closed_won", "status": "lost"}, headers={"If-Match": "*"}
    )
    assert clash.status_code == 422
    jpy = api.patch(url, json={"amount": "99.5", "currency": "JPY"}, headers={"If-Match": "*"})
    assert jpy.status_code == 422
    assert "amount" in _fields(jpy)


def test_another_tenants_deal_is_not_found(api: httpx.Client, make_client: Any) -> None:
    org_id = _org(api)
    deal = api.post(_deals(org_id), json={"name": "ERP"}).json()
    other = make_client(for_tenant="someone-else")
    assert other.get(f"{_deals(org_id)}/{deal['id']}").status_code == 404
    assert other.get(_deals(org_id)).status_code == 404
    assert other.post(_deals(org_id), json={"name": "X"}).status_code == 404


def test_idempotent_create_replays(api: httpx.Client) -> None:
    org_id = _org(api)
    key = {"Idempotency-Key": "deal-create-1"}
    first = api.post(_deals(org_id), json={"name": "ERP"}, headers=key)
    again = api.post(_deals(org_id), json={"name": "ERP"}, headers=key)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert len(api.get(_deals(org_id)).json()["items"]) == 1


def test_deals_page_by_id(api: httpx.Client) -> None:
    org_id = _org(api)
    made = sorted(api.post(_deals(org_id), json={"name": f"D{i}"}).json()["id"] for i in range(5))
    first = api.get(_deals(org_id), params={"limit": 2}).json()
    second = api.get(_deals(org_id), params={"limit": 2, "cursor": first["next_cursor"]}).json()
    assert [d["id"] for d in first["items"] + second["items"]] == made[:4]


# --- the buying committee --------------------------------------------------------------------


def _deal_with_people(api: httpx.Client) -> tuple[str, str, dict[str, str]]:
    org_id = _org(api)
    ids = load(api, org_id, {"people": [person("cfo"), person("cio"), person("cto")]})
    deal = api.post(_deals(org_id), json={"name": "ERP"}).json()
    return org_id, deal["id"], ids


def test_put_creates_then_replaces_a_seat(api: httpx.Client) -> None:
    org_id, opp_id, ids = _deal_with_people(api)
    version = api.get(f"/v1/organisations/{org_id}").json()["version"]
    url = _seat(org_id, opp_id, ids["cfo"])
    made = api.put(url, json={"roles": ["economic_buyer"], "stance": "opponent"})
    assert made.status_code == 201, made.text
    assert (made.json()["roles"], made.json()["stance"], made.headers["ETag"]) == (
        ["economic_buyer"],
        "opponent",
        '"1"',
    )
    assert api.get(f"/v1/organisations/{org_id}").json()["version"] == version + 1
    only_new = api.put(url, json={"roles": [], "stance": "neutral"}, headers={"If-None-Match": "*"})
    assert only_new.status_code == 412
    assert only_new.headers["ETag"] == '"1"'
    stale = api.put(url, json={"roles": [], "stance": "neutral"}, headers={"If-Match": '"5"'})
    assert stale.status_code == 412
    replaced = api.put(
        url,
        json={"roles": ["economic_buyer", "coach"], "stance": "supporter"},
        headers={"If-Match": '"1"'},
    )
    assert replaced.status_code == 200
    assert (replaced.json()["roles"], replaced.json()["version"]) == (
        ["economic_buyer", "coach"],
        2,
    )
    absent = api.put(
        _seat(org_id, opp_id, ids["cto"]),
        json={"roles": [], "stance": "neutral"},
        headers={"If-Match": '"1"'},
    )
    assert absent.status_code == 412
    assert api.get(_seat(org_id, opp_id, ids["cto"])).status_code == 404


def test_one_primary_contact_per_deal(api: httpx.Client) -> None:
    org_id, opp_id, ids = _deal_with_people(api)
    api.put(
        _seat(org_id, opp_id, ids["cfo"]),
        json={"roles": [], "stance": "neutral", "is_primary": True},
    )
    api.put(
        _seat(org_id, opp_id, ids["cio"]),
        json={"roles": ["decision_maker"], "stance": "supporter", "is_primary": True},
    )
    seats = api.get(f"{_deals(org_id)}/{opp_id}/committee").json()["items"]
    primary = {s["person_id"]: s["is_primary"] for s in seats}
    assert primary == {ids["cfo"]: False, ids["cio"]: True}


def test_seat_needs_a_person_and_a_deal_of_the_organisation(api: httpx.Client) -> None:
    org_id, opp_id, ids = _deal_with_people(api)
    body = {"roles": ["coach"], "stance": "champion"}
    assert api.put(_seat(org_id, opp_id, "nobody"), json=body).status_code == 404
    assert api.put(_seat(org_id, "no-deal", ids["cfo"]), json=body).status_code == 404
    other_org = _org(api)
    stranger = load(api, other_org, {"people": [person("stranger")]})["stranger"]
    assert api.put(_seat(org_id, opp_id, stranger), json=body).status_code == 404
    bad = api.put(_seat(org_id, opp_id, ids["cfo"]), json={"roles": ["boss"], "stance": "x"})
    assert bad.status_code == 422
    assert {"roles[0]", "stance"} <= {f.removeprefix("body.") for f in _fields(bad)}


def test_delete_seat_needs_if_match_and_people_leave_their_seats(api: httpx.Client) -> None:
    org_id, opp_id, ids = _deal_with_people(api)
    body = {"roles": ["coach"], "stance": "champion"}
    api.put(_seat(org_id, opp_id, ids["cfo"]), json=body)
    api.put(_seat(org_id, opp_id, ids["cio"]), json=body)
    assert api.delete(_seat(org_id, opp_id, ids["cfo"])).status_code == 428
    assert (
        api.delete(_seat(org_id, opp_id, ids["cfo"]), headers={"If-Match": '"1"'}).status_code
        == 204
    )
    gone = api.delete(f"/v1/organisations/{org_id}/people/{ids['cio']}", headers={"If-Match": "*"})
    assert gone.status_code == 204
    assert api.get(f"{_deals(org_id)}/{opp_id}/committee").json()["items"] == []


def test_import_with_deals_is_atomic(api: httpx.Client) -> None:
    org_id = _org(api)
    body = {
        "people": [person("cfo"), person("cio")],
        "team": [{"ref": "am", "name": "Ann"}],
        "opportunities": [
            {
                "ref": "erp",
                "name": "ERP",
                "owner": "am",
                "committee": [
                    {"person": "cfo", "roles": ["economic_buyer"], "stance": "opponent"},
                    {"person": "nobody", "roles": [], "stance": "neutral"},
                ],
            }
        ],
    }
    refused = api.post(f"/v1/organisations/{org_id}/import", json=body)
    assert refused.status_code == 422
    assert "opportunities[0].committee[1].person" in _fields(refused)
    assert api.get(f"/v1/organisations/{org_id}/people").json()["items"] == []
    assert api.get(_deals(org_id)).json()["items"] == []

    body["opportunities"][0]["committee"].pop()
    ids = load(api, org_id, body)
    deal = api.get(f"{_deals(org_id)}/{ids['erp']}").json()
    assert deal["owner_id"] == ids["am"]
    seats = api.get(f"{_deals(org_id)}/{ids['erp']}/committee").json()["items"]
    assert [(s["person_id"], s["stance"]) for s in seats] == [(ids["cfo"], "opponent")]


# --- per-deal answers --------------------------------------------------------------------------


def two_deals_account(api: httpx.Client) -> tuple[str, dict[str, str]]:
    """The CEO tops the tree; the CIO and the CFO report to them. We know the CFO well and
    the CIO only a little; the CFO and the CIO are close. Deal ERP: the CIO decides, the CFO
    (its economic buyer) opposes it. Deal BI: the CIO decides and the CFO is our coach."""
    org_id = _org(api)
    ids = load(
        api,
        org_id,
        {
            "people": [
                person("ceo", title="CEO", roles=["decision_maker"], influence=5),
                person("cfo", title="CFO", reports_to="ceo", influence=4),
                person("cio", title="CIO", reports_to="ceo", influence=4),
            ],
            "team": [{"ref": "am", "name": "Ann"}],
            "relationships": [
                knows("am", "cfo", 0.9),
                knows("am", "cio", 0.3),
                knows("cfo", "cio", 0.9),
            ],
            "opportunities": [
                {
                    "ref": "erp",
                    "name": "ERP",
                    "committee": [
                        {"person": "cio", "roles": ["decision_maker"], "stance": "neutral"},
                        {"person": "cfo", "roles": ["economic_buyer"], "stance": "opponent"},
                    ],
                },
                {
                    "ref": "bi",
                    "name": "BI pilot",
                    "committee": [
                        {"person": "cio", "roles": ["decision_maker"], "stance": "neutral"},
                        {"person": "cfo", "roles": ["coach"], "stance": "champion"},
                    ],
                },
            ],
        },
    )
    return org_id, ids


def test_each_deal_targets_its_own_decision_maker(api: httpx.Client) -> None:
    """Without a deal the way in leads to the CEO; for a deal whose decision the CIO holds,
    a KAM plans the way to the CIO instead."""
    org_id, ids = two_deals_account(api)
    plain = ask(api, org_id, "entry-paths", k=1)
    assert plain["target_id"] == ids["ceo"]
    for deal in ("erp", "bi"):
        answer = ask(api, org_id, "entry-paths", k=1, opportunity_id=ids[deal])
        assert answer["target_id"] == ids["cio"], deal
        assert answer["target_source"] == "deal_decision_maker"


def test_an_opponent_in_one_deal_is_a_bridge_in_the_other(api: httpx.Client) -> None:
    """The CFO backs the BI pilot and blocks the ERP deal. For BI a KAM asks the CFO to
    introduce them to the CIO (strong ties both ways); for ERP they would never route the
    approach through the person fighting the deal, and go to the CIO directly."""
    org_id, ids = two_deals_account(api)
    bi = ask(api, org_id, "entry-paths", k=1, opportunity_id=ids["bi"])["paths"][0]
    erp = ask(api, org_id, "entry-paths", k=1, opportunity_id=ids["erp"])["paths"][0]
    assert route(bi, ids) == ["am", "cfo", "cio"]
    assert route(erp, ids) == ["am", "cio"]
    assert bi["probability"] > erp["probability"]


def test_roles_come_from_the_committee_only(api: httpx.Client) -> None:
    """For a deal, the CEO's organisation-wide decision role does not count: the deal's
    decision-makers are the committee's."""
    org_id, ids = two_deals_account(api)
    plain = ask(api, org_id, "influence")["items"]
    deal = ask(api, org_id, "influence", opportunity_id=ids["erp"])["items"]
    roles = {item["person_id"]: item["roles"] for item in deal}
    assert roles == {ids["ceo"]: [], ids["cfo"]: ["economic_buyer"], ids["cio"]: ["decision_maker"]}
    stance = {item["person_id"]: item["stance"] for item in deal}
    assert stance[ids["cfo"]] == "opponent"
    assert {i["person_id"]: i["stance"] for i in plain}[ids["cfo"]] == "neutral"


def test_unknown_deal_is_refused(api: httpx.Client) -> None:
    org_id, _ = two_deals_account(api)
    answer = api.get(f"/v1/organisations/{org_id}/coverage", params={"opportunity_id": "nope"})
    assert answer.status_code == 404
    assert "opportunity_id" in answer.text


def test_a_committee_change_is_seen_at_once(api: httpx.Client) -> None:
    """Answers are cached per organisation version: re-seating the CFO as a champion on the
    ERP deal must change its advice on the next question."""
    org_id, ids = two_deals_account(api)
    before = ask(api, org_id, "entry-paths", k=1, opportunity_id=ids["erp"])["paths"][0]
    assert route(before, ids) == ["am", "cio"]
    api.put(
        _seat(org_id, ids["erp"], ids["cfo"]),
        json={"roles": ["economic_buyer"], "stance": "champion"},
        headers={"If-Match": "*"},
    )
    after = ask(api, org_id, "entry-paths", k=1, opportunity_id=ids["erp"])["paths"][0]
    assert route(after, ids) == ["am", "cfo", "cio"]


# --- Blue-Sheet coverage and red flags -------------------------------------------------------


def _flags(coverage: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {flag["code"]: flag for flag in coverage["deal"]["red_flags"]}


def test_deal_coverage_lists_roles_with_stance_and_warmest_tie(api: httpx.Client) -> None:
    """For the ERP deal a KAM wants the Blue Sheet: who holds each role, where they stand
    and who of us is closest to them."""
    org_id, ids = two_deals_account(api)
    plain = ask(api, org_id, "coverage")
    assert plain["deal"] is None
    erp = ask(api, org_id, "coverage", opportunity_id=ids["erp"])
    roles = {r["role"]: r["holders"] for r in erp["deal"]["roles"]}
    assert [h["person_id"] for h in roles["decision_maker"]] == [ids["cio"]]
    [buyer] = roles["economic_buyer"]
    assert (buyer["person_id"], buyer["stance"], buyer["best_tie"]) == (
        ids["cfo"],
        "opponent",
        ids["am"],
    )
    assert buyer["warmth"] > 0.8
    assert roles["coach"] == []
    assert erp["target_id"] == ids["cio"]
    assert erp["target_source"] == "deal_decision_maker"
    assert "decision_maker" in erp["roles_missing"]  # the CIO: only a weak tie (0.3)
    assert "economic_buyer" not in erp["roles_covered"]  # an opponent never covers a role
    assert erp["deal"]["committee_size"] == 2


def test_red_flags_of_the_two_deals(api: httpx.Client) -> None:
    """ERP: the economic buyer fights it and nobody coaches us — both must be flagged.
    BI: the CFO coaches us, so no coach flag; no economic buyer is named at all."""
    org_id, ids = two_deals_account(api)
    erp = _flags(ask(api, org_id, "coverage", opportunity_id=ids["erp"]))
    assert erp["economic_buyer_opponent"]["person_ids"] == [ids["cfo"]]
    assert "no_coach" in erp
    assert "economic_buyer_uncovered" not in erp  # we know the CFO well, opponent or not
    bi = _flags(ask(api, org_id, "coverage", opportunity_id=ids["bi"]))
    assert "no_coach" not in bi
    assert bi["economic_buyer_uncovered"]["person_ids"] == []
    assert "economic_buyer_opponent" not in bi


def test_single_threaded_unreachable_and_close_date_flags(api: httpx.Client) -> None:
    """One team member knowing one committee member is single-threaded; a decision-maker
    no warm tie reaches is unreachable; an open deal closing in ten days is near; with a
    wider committee, another colleague's tie and a later date, none of these is raised."""
    org_id = _org(api)
    soon = (TODAY + timedelta(days=10)).isoformat()
    later = (TODAY + timedelta(days=200)).isoformat()
    ids = load(
        api,
        org_id,
        {
            "people": [person("ceo"), person("cfo"), person("cio"), person("island")],
            "team": [{"ref": "am", "name": "Ann"}, {"ref": "se", "name": "Sam"}],
            "relationships": [
                knows("am", "cfo", 0.9),
                knows("se", "cio", 0.9),
                knows("cfo", "ceo", 0.8),
            ],
            "opportunities": [
                {
                    "ref": "thin",
                    "name": "Thin",
                    "close_date": soon,
                    "committee": [
                        {"person": "island", "roles": ["decision_maker"], "stance": "neutral"},
                        {
                            "person": "cfo",
                            "roles": ["coach", "economic_buyer"],
                            "stance": "champion",
                        },
                    ],
                },
                {
                    "ref": "broad",
                    "name": "Broad",
                    "close_date": later,
                    "committee": [
                        {"person": "ceo", "roles": ["decision_maker"], "stance": "neutral"},
                        {
                            "person": "cfo",
                            "roles": ["coach", "economic_buyer"],
                            "stance": "champion",
                        },
                        {"person": "cio", "roles": ["technical_buyer"], "stance": "supporter"},
                    ],
                },
            ],
        },
    )
    thin = _flags(ask(api, org_id, "coverage", opportunity_id=ids["thin"]))
    assert set(thin) == {"decision_maker_unreachable", "single_threaded", "close_date_near"}
    assert thin["decision_maker_unreachable"]["person_ids"] == [ids["island"]]
    assert "10" in thin["close_date_near"]["message"]
    broad = _flags(ask(api, org_id, "coverage", opportunity_id=ids["broad"]))
    assert broad == {}
    wider = ask(api, org_id, "coverage", opportunity_id=ids["broad"], close_date_near_days=365)
    assert set(_flags(wider)) == {"close_date_near"}


def test_target_defaulting_rules(api: httpx.Client) -> None:
    """Two decision-makers: the primary one is the target; none: the economic buyer; no
    decision role at all: the organisation's top decision-maker; a requested target wins."""
    org_id = _org(api)
    ids = load(
        api,
        org_id,
        {
            "people": [
                person("ceo", roles=["decision_maker"], influence=5),
                person("big", reports_to="ceo", influence=5),
                person("small", reports_to="ceo", influence=1),
                person("purse", reports_to="ceo", influence=2),
            ],
            "opportunities": [
                {
                    "ref": "two",
                    "name": "Two deciders",
                    "committee": [
                        {"person": "big", "roles": ["decision_maker"], "stance": "neutral"},
                        {
                            "person": "small",
                            "roles": ["decision_maker"],
                            "stance": "neutral",
                            "is_primary": True,
                        },
                    ],
                },
                {
                    "ref": "budget",
                    "name": "Budget only",
                    "committee": [
                        {"person": "purse", "roles": ["economic_buyer"], "stance": "neutral"}
                    ],
                },
                {"ref": "none", "name": "Nobody named", "committee": []},
            ],
        },
    )

    def target(deal: str, **extra: Any) -> tuple[str, str]:
        answer = ask(api, org_id, "entry-paths", k=1, opportunity_id=ids[deal], **extra)
        return answer["target_id"], answer["target_source"]

    assert target("two") == (ids["small"], "deal_decision_maker")
    assert target("budget") == (ids["purse"], "deal_economic_buyer")
    assert target("none") == (ids["ceo"], "top_decision_maker")
    assert target("two", target_id=ids["big"]) == (ids["big"], "requested")
    seat = _seat(org_id, ids["two"], ids["small"])
    api.put(
        seat, json={"roles": ["decision_maker"], "stance": "neutral"}, headers={"If-Match": "*"}
    )
    assert target("two") == (ids["big"], "deal_decision_maker")  # no primary: the most powerful
