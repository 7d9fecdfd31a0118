"""Issue 12, "titles alone say nothing": a title-only CRM export, on both stores over HTTP."""

from __future__ import annotations

import httpx

from tests.api.test_http import load

TITLES = {
    "ceo": "Chief Executive Officer",
    "cfo": "Chief Financial Officer",
    "eng": "Software Engineer",
    "intern": "Intern",
    "zh_ceo": "总裁",
    "zh_fin": "财务总监",
    "zh_eng": "软件工程师",
    "zh_intern": "实习生",
}


def _title_only_account(api: httpx.Client) -> tuple[str, dict[str, str]]:
    org = api.post("/v1/organisations", json={"name": "Titles Only AG"}).json()
    # input order is the reverse of the expected ranking: order must not decide
    people = [
        {"ref": ref, "name": f"Person {ref}", "title": title}
        for ref, title in reversed(TITLES.items())
    ]
    return org["id"], load(api, org["id"], {"people": people})


def test_titles_rank_decide_and_show_as_inferred(api: httpx.Client) -> None:
    org_id, ids = _title_only_account(api)
    rank_of = {
        item["person_id"]: item["rank"]
        for item in api.get(f"/v1/organisations/{org_id}/influence").json()["items"]
    }
    for chain in (["ceo", "cfo", "eng", "intern"], ["zh_ceo", "zh_fin", "zh_eng", "zh_intern"]):
        ranks = [rank_of[ids[ref]] for ref in chain]
        assert ranks == sorted(ranks), (chain, ranks)
        assert len(set(ranks)) == len(ranks)

    makers = api.get(f"/v1/organisations/{org_id}/decision-makers").json()["items"]
    by_id = {m["person_id"]: m for m in makers}
    assert set(by_id) == {ids["ceo"], ids["cfo"], ids["zh_ceo"]}
    assert all(m["inferred"] for m in makers)
    assert by_id[ids["cfo"]]["reasons"][0].startswith("titled Chief Financial Officer")
    assert by_id[ids["cfo"]]["decision_roles"] == []
    assert makers[0]["person_id"] in {ids["ceo"], ids["zh_ceo"]}

    people = api.get(f"/v1/organisations/{org_id}/people", params={"limit": 50}).json()["items"]
    shown = {p["id"]: p for p in people}
    cfo, intern, zh_fin = shown[ids["cfo"]], shown[ids["intern"]], shown[ids["zh_fin"]]
    assert (cfo["seniority"], cfo["seniority_inferred"]) == ("executive", True)
    assert (cfo["function"], cfo["function_inferred"]) == ("finance", True)
    assert cfo["suggested_roles"] == ["economic_buyer"]
    assert cfo["roles"] == []
    assert (intern["seniority"], intern["function"]) == ("junior", "other")
    assert (zh_fin["seniority"], zh_fin["function"]) == ("director", "finance")
    assert zh_fin["suggested_roles"] == ["economic_buyer"]


def test_a_given_seniority_wins_over_the_title(api: httpx.Client) -> None:
    org_id, ids = _title_only_account(api)
    url = f"/v1/organisations/{org_id}/people/{ids['intern']}"
    etag = api.get(url).headers["ETag"]
    patched = api.patch(url, json={"seniority": "manager"}, headers={"If-Match": etag})
    assert patched.status_code == 200, patched.text
    person = api.get(url).json()
    assert (person["seniority"], person["seniority_inferred"]) == ("manager", False)
    assert person["function"] == "other"


def test_suggested_roles_never_count_in_coverage(api: httpx.Client) -> None:
    org_id, _ = _title_only_account(api)
    coverage = api.get(f"/v1/organisations/{org_id}/coverage").json()
    assert coverage["roles_covered"] == []
