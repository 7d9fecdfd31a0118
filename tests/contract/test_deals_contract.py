"""Deals in the store: the same contract on both stores (snapshot, cascades, upsert)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from graph.errors import ExistencePreconditionFailed, NotFound, ValidationFailed
from graph.store import GraphStore
from schemas.deals import CommitteeSeatPut, OpportunityUpdate
from schemas.imports import ImportRequest
from tests.contract.test_store_contract import new_org

BODY: dict[str, Any] = {
    "people": [
        {"ref": "ceo", "name": "Cleo", "external_id": "003A", "roles": ["decision_maker"]},
        {"ref": "cfo", "name": "Finn", "external_id": "003B", "reports_to": "ceo"},
        {"ref": "cio", "name": "Ivy", "external_id": "003C", "reports_to": "ceo"},
    ],
    "team": [{"ref": "am", "name": "Avery", "email": "avery@us.example"}],
    "opportunities": [
        {
            "ref": "erp",
            "name": "ERP renewal",
            "external_id": "006A",
            "amount": "125000.5",
            "currency": "EUR",
            "stage": "Negotiation_Review".lower(),
            "close_date": "2027-03-31",
            "trigger": "planned_replacement",
            "owner": "am",
            "committee": [
                {
                    "person": "cio",
                    "roles": ["decision_maker"],
                    "stance": "neutral",
                    "is_primary": True,
                },
                {"person": "cfo", "roles": ["economic_buyer"], "stance": "opponent"},
            ],
        },
        {
            "ref": "bi",
            "name": "BI pilot",
            "external_id": "006B",
            "committee": [{"person": "cfo", "roles": ["coach"], "stance": "champion"}],
        },
    ],
}


def test_deals_and_seats_are_in_the_snapshot(store: GraphStore, tenant: str) -> None:
    org = new_org(store, tenant)
    result = store.import_graph(tenant, org, ImportRequest.model_validate(BODY))
    assert (result.created.opportunities, result.created.committee) == (2, 3)
    snap = store.snapshot(tenant, org)
    deals = {d.id: d for d in snap.opportunities}
    erp = deals[result.ids["erp"]]
    assert (erp.amount, erp.owner_id, erp.stage.value) == (
        "125000.50",
        result.ids["am"],
        "negotiation_review",
    )
    seats = {(s.opportunity_id, s.person_id): s for s in snap.committee}
    assert seats[(result.ids["erp"], result.ids["cfo"])].stance.value == "opponent"
    assert seats[(result.ids["bi"], result.ids["cfo"])].roles[0].value == "coach"
    assert seats[(result.ids["erp"], result.ids["cio"])].is_primary is True
    assert seats[(result.ids["erp"], result.ids["cfo"])].is_primary is False


def test_upsert_of_the_same_deals_changes_nothing(store: GraphStore, tenant: str) -> None:
    org = new_org(store, tenant)
    store.import_graph(tenant, org, ImportRequest.model_validate(BODY), upsert=True)
    version = store.org_version(tenant, org)
    again = store.import_graph(tenant, org, ImportRequest.model_validate(BODY), upsert=True)
    assert again.created.total == again.updated.total == 0
    assert (again.unchanged.opportunities, again.unchanged.committee) == (2, 3)
    assert store.org_version(tenant, org) == version

    changed = copy.deepcopy(BODY)
    changed["opportunities"][0]["stage"] = "closed_won"
    changed["opportunities"][0]["committee"][1]["stance"] = "supporter"
    moved = store.import_graph(tenant, org, ImportRequest.model_validate(changed), upsert=True)
    assert (moved.updated.opportunities, moved.updated.committee) == (1, 1)
    erp = store.get_opportunity(tenant, org, moved.ids["erp"])
    assert (erp.status.value, erp.version) == ("won", 2)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda b: b["opportunities"][0].update(owner="nobody"), "opportunities[0].owner"),
        (lambda b: b["opportunities"][0].update(owner="cfo"), "opportunities[0].owner"),
        (
            lambda b: b["opportunities"][0]["committee"].append(
                {"person": "cio", "roles": [], "stance": "neutral"}
            ),
            "opportunities[0].committee[2].person",
        ),
        (
            lambda b: b["opportunities"][0]["committee"][1].update(is_primary=True),
            "opportunities[0].committee[1].is_primary",
        ),
        (lambda b: b["opportunities"][1].update(ref="cfo"), "opportunities[1].ref"),
        (
            lambda b: b["opportunities"][1]["committee"][0].update(person="am"),
            "opportunities[1].committee[0].person",
        ),
    ],
)
def test_a_bad_deal_refuses_the_whole_import(
    store: GraphStore, tenant: str, change: Any, field: str
) -> None:
    body = copy.deepcopy(BODY)
    change(body)
    org = new_org(store, tenant)
    with pytest.raises(ValidationFailed) as refused:
        store.import_graph(tenant, org, ImportRequest.model_validate(body))
    assert field in {error.field for error in refused.value.errors}
    snap = store.snapshot(tenant, org)
    assert (snap.people, snap.opportunities, snap.committee) == ([], [], [])


def test_deleting_people_members_and_organisations_cascades(store: GraphStore, tenant: str) -> None:
    org = new_org(store, tenant)
    ids = store.import_graph(tenant, org, ImportRequest.model_validate(BODY)).ids
    store.delete_person(tenant, org, ids["cfo"])
    snap = store.snapshot(tenant, org)
    assert [(s.opportunity_id, s.person_id) for s in snap.committee] == [(ids["erp"], ids["cio"])]
    store.delete_team_member(tenant, ids["am"])
    erp = store.get_opportunity(tenant, org, ids["erp"])
    assert (erp.owner_id, erp.version) == (None, 2)
    store.delete_opportunity(tenant, org, ids["bi"])
    assert [d.id for d in store.snapshot(tenant, org).opportunities] == [ids["erp"]]
    store.delete_organisation(tenant, org)
    with pytest.raises(NotFound):
        store.get_opportunity(tenant, org, ids["erp"])
    with pytest.raises(NotFound):
        store.list_committee(tenant, org, ids["erp"], limit=10)


def test_seat_preconditions(store: GraphStore, tenant: str) -> None:
    org = new_org(store, tenant)
    ids = store.import_graph(tenant, org, ImportRequest.model_validate(BODY)).ids
    seat = CommitteeSeatPut(roles=[], stance="neutral")
    with pytest.raises(ExistencePreconditionFailed):
        store.put_seat(tenant, org, ids["bi"], ids["cfo"], seat, create_only=True)
    with pytest.raises(ExistencePreconditionFailed):
        store.put_seat(tenant, org, ids["bi"], ids["ceo"], seat, must_exist=True)
    made, new = store.put_seat(tenant, org, ids["bi"], ids["ceo"], seat, create_only=True)
    assert new
    assert made.version == 1
    with pytest.raises(NotFound):
        store.put_seat(tenant, org, ids["bi"], "nobody", seat)
    other = new_org(store, tenant)
    with pytest.raises(NotFound):
        store.put_seat(tenant, other, ids["bi"], ids["ceo"], seat)


def test_a_deal_of_another_tenant_is_not_found(store: GraphStore, tenant: str) -> None:
    org = new_org(store, tenant)
    ids = store.import_graph(tenant, org, ImportRequest.model_validate(BODY)).ids
    with pytest.raises(NotFound):
        store.get_opportunity("another-tenant", org, ids["erp"])
    with pytest.raises(NotFound):
        store.update_opportunity("another-tenant", org, ids["erp"], OpportunityUpdate(name="Mine"))
    assert store.list_organisations_with_open_deals("another-tenant", limit=10) == []


def test_the_organisations_with_open_deals_are_listed_in_id_order(
    store: GraphStore, tenant: str
) -> None:
    """Only organisations with at least one open deal, paged like every list."""
    body = copy.deepcopy(BODY)
    del body["team"], body["opportunities"][0]["owner"]
    orgs = sorted(new_org(store, tenant) for _ in range(4))
    for org in orgs[:3]:
        store.import_graph(tenant, org, ImportRequest.model_validate(body))
    closed = store.list_opportunities(tenant, orgs[1], limit=10)
    for deal in closed:
        store.update_opportunity(tenant, orgs[1], deal.id, OpportunityUpdate(status="lost"))
    first = store.list_organisations_with_open_deals(tenant, limit=1)
    rest = store.list_organisations_with_open_deals(tenant, limit=10, after=first[-1].id)
    assert [o.id for o in first + rest] == [orgs[0], orgs[2]]
