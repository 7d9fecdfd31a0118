"""The pipeline export (``GET /v1/exports/deals.csv|.jsonl``) over real HTTP on both stores.

An analyst's pipeline must say what the account manager's screen says: every open deal once,
with the figures ``coverage?opportunity_id=`` answers for it today, and nothing of the deals
already won or lost.
"""

from __future__ import annotations

import csv
import io
import uuid
from typing import Any

import httpx
import orjson

from graph.pipeline import PIPELINE_COLUMNS
from tests.api.test_deals import two_deals_account
from tests.api.test_http import load
from tests.api.test_kam_scenarios import ask, person


def _jsonl(api: httpx.Client) -> list[dict[str, Any]]:
    response = api.get("/v1/exports/deals.jsonl")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/x-ndjson"
    assert response.headers["content-disposition"] == 'attachment; filename="deals-export.jsonl"'
    return [orjson.loads(line) for line in response.content.splitlines()]


def _closed_and_empty_accounts(api: httpx.Client) -> tuple[str, str]:
    """An account whose only deal is lost, and one with no deal at all."""
    lost = api.post("/v1/organisations", json={"name": "Lost account"}).json()["id"]
    ids = load(
        api,
        lost,
        {
            "people": [person("ceo", roles=["decision_maker"])],
            "opportunities": [{"ref": "gone", "name": "Gone", "stage": "closed_lost"}],
        },
    )
    assert ids["gone"]
    empty = api.post("/v1/organisations", json={"name": "Quiet account"}).json()["id"]
    load(api, empty, {"people": [person("ceo")]})
    return lost, empty


def test_every_open_deal_once_with_the_figures_of_its_coverage(api: httpx.Client) -> None:
    """Each row equals that deal's coverage answer: target, warmth, committee engagement,
    roles and red flags, so the pivot table and the deal screen never disagree."""
    org_id, ids = two_deals_account(api)
    _closed_and_empty_accounts(api)
    rows = _jsonl(api)

    assert [row["opportunity_id"] for row in rows] == sorted([ids["erp"], ids["bi"]])
    assert {row["org_id"] for row in rows} == {org_id}
    for row in rows:
        assert list(row) == list(PIPELINE_COLUMNS)
        answer = ask(api, org_id, "coverage", opportunity_id=row["opportunity_id"])
        deal = answer["deal"]
        assert row["org_name"] == "Deal account"
        assert row["target_id"] == answer["target_id"]
        assert row["target_name"] == answer["target_name"]
        assert row["target_source"] == answer["target_source"] == "deal_decision_maker"
        assert row["best_warm_probability"] == deal["best_warm_probability"]
        assert row["committee_size"] == deal["committee_size"] == 2
        assert row["committee_engaged"] == deal["committee_engaged"]
        assert row["engaged_power_share"] == answer["engaged_power_share"]
        assert row["roles_covered"] == answer["roles_covered"]
        assert row["roles_missing"] == answer["roles_missing"]
        assert row["roles_unassigned"] == answer["roles_unassigned"]
        assert row["red_flags"] == [flag["code"] for flag in deal["red_flags"]]
        assert row["red_flag_count"] == len(deal["red_flags"])
    erp = next(row for row in rows if row["opportunity_id"] == ids["erp"])
    assert erp["target_id"] == ids["cio"]
    assert "economic_buyer_opponent" in erp["red_flags"]


def test_the_deals_facts_are_in_their_row(api: httpx.Client) -> None:
    """Money as the decimal string of its currency, the Salesforce stage label, the urgency
    of its trigger, the owner's name and the days left to the close date."""
    org_id = api.post("/v1/organisations", json={"name": "Facts"}).json()["id"]
    ids = load(
        api,
        org_id,
        {
            "people": [person("ceo", roles=["decision_maker"])],
            "team": [{"ref": "am", "name": "Ann Owner"}],
            "opportunities": [
                {
                    "ref": "erp",
                    "name": "ERP",
                    "external_id": "006XX",
                    "amount": "125000",
                    "currency": "EUR",
                    "stage": "negotiation_review",
                    "trigger": "unplanned_replacement",
                    "owner": "am",
                    "close_date": "2099-01-31",
                }
            ],
        },
    )
    [row] = _jsonl(api)
    deal = api.get(f"/v1/organisations/{org_id}/opportunities/{ids['erp']}").json()
    assert (row["amount"], row["currency"]) == ("125000.00", "EUR")
    assert (row["stage"], row["stage_label"]) == ("negotiation_review", "Negotiation/Review")
    assert (row["trigger"], row["urgency"]) == ("unplanned_replacement", deal["urgency"])
    assert (row["owner_id"], row["owner_name"]) == (ids["am"], "Ann Owner")
    assert (row["external_id"], row["close_date"]) == ("006XX", "2099-01-31")
    assert row["days_to_close"] > 365 * 70


def test_csv_has_the_same_rows_flattened_and_spreadsheet_safe(api: httpx.Client) -> None:
    """The CSV carries the JSONL's records: lists `;`-joined, null as an empty cell, and a
    deal name a spreadsheet would run as a formula neutralised."""
    org_id, ids = two_deals_account(api)
    renamed = api.patch(
        f"/v1/organisations/{org_id}/opportunities/{ids['bi']}",
        json={"name": "=HYPERLINK(1)"},
        headers={"If-Match": '"1"'},
    )
    assert renamed.status_code == 200, renamed.text
    records = _jsonl(api)
    response = api.get("/v1/exports/deals.csv")
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    table = list(csv.reader(io.StringIO(response.text)))
    assert table[0] == list(PIPELINE_COLUMNS)
    assert len(table) == 1 + len(records)
    for line, record in zip(table[1:], records, strict=True):
        cells = dict(zip(PIPELINE_COLUMNS, line, strict=True))
        assert cells["red_flags"] == ";".join(record["red_flags"])
        assert cells["roles_unassigned"] == ";".join(record["roles_unassigned"])
        assert cells["external_id"] == ""
        assert float(cells["best_warm_probability"]) == record["best_warm_probability"]
        assert int(cells["committee_size"]) == record["committee_size"]
    names = {dict(zip(PIPELINE_COLUMNS, line, strict=True))["name"] for line in table[1:]}
    assert names == {"ERP", "'=HYPERLINK(1)"}


def test_a_tenant_without_open_deals_gets_the_header_only(
    api: httpx.Client, make_client: Any
) -> None:
    """Lost deals and deal-less accounts export nothing; another tenant's deals never show."""
    _closed_and_empty_accounts(api)
    two_deals_account(make_client(for_tenant=f"other-{uuid.uuid4()}"))
    assert _jsonl(api) == []
    assert api.get("/v1/exports/deals.csv").text.splitlines() == [",".join(PIPELINE_COLUMNS)]
