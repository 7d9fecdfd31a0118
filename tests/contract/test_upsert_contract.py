"""Upsert and multi-organisation imports: the same contract on both stores."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from graph.errors import NotFound, ValidationFailed
from graph.port import OrgImport
from graph.store import GraphStore
from schemas.common import RelType
from schemas.imports import ImportRequest
from schemas.resources import OrganisationCreate, PersonUpdate
from tests.contract.test_store_contract import new_org

CRM: dict[str, Any] = {
    "people": [
        {
            "ref": "ceo",
            "name": "Cleo Park",
            "email": "cleo@acme.example",
            "external_id": "003A",
            "roles": ["decision_maker"],
            "influence": 5,
        },
        {
            "ref": "cfo",
            "name": "Finn Moe",
            "email": "finn@acme.example",
            "external_id": "003B",
            "reports_to": "ceo",
            "stance": "skeptic",
        },
        {"ref": "eng", "name": "Erin Lee", "email": "erin@acme.example", "reports_to": "cfo"},
        {"ref": "ops", "name": "王小明", "reports_to": "ceo"},
    ],
    "team": [{"ref": "am", "name": "Avery Stone", "email": "avery@us.example"}],
    "relationships": [
        {"type": "INFLUENCES", "source": "cfo", "target": "ceo", "strength": 0.7},
        {"type": "KNOWS", "source": "am", "target": "eng", "strength": 0.8},
    ],
}


def upsert(
    store: GraphStore, tenant: str, org_id: str, body: dict[str, Any], *, dry_run: bool = False
) -> Any:
    return store.import_graph(
        tenant, org_id, ImportRequest.model_validate(body), upsert=True, dry_run=dry_run
    )


def test_reimporting_the_same_body_changes_nothing(store: GraphStore, tenant: str) -> None:
    org_id = new_org(store, tenant)
    first = upsert(store, tenant, org_id, CRM)
    assert (first.created.people, first.created.team, first.created.relationships) == (4, 1, 5)
    before = store.snapshot(tenant, org_id)

    again = upsert(store, tenant, org_id, CRM)

    assert again.created.total == again.updated.total == again.removed.total == 0
    assert (again.unchanged.people, again.unchanged.team, again.unchanged.relationships) == (
        4,
        1,
        5,
    )
    assert again.ids == first.ids
    assert not again.changed
    assert store.snapshot(tenant, org_id) == before  # version and time stamps included
    assert again.version == before.version


def test_a_changed_row_bumps_only_that_persons_version(store: GraphStore, tenant: str) -> None:
    org_id = new_org(store, tenant)
    ids = upsert(store, tenant, org_id, CRM).ids
    org_version = store.org_version(tenant, org_id)
    body = copy.deepcopy(CRM)
    body["people"][1]["title"] = "Chief Financial Officer"
    body["people"][1]["ref"] = "finance"  # refs are per request; the external_id matches
    for rel in body["relationships"]:
        rel["source"] = "finance" if rel["source"] == "cfo" else rel["source"]
    body["people"][2]["reports_to"] = "finance"

    result = upsert(store, tenant, org_id, body)

    assert (result.updated.people, result.created.total, result.unchanged.people) == (1, 0, 3)
    assert result.version == org_version + 1
    versions = {p.id: p.version for p in store.snapshot(tenant, org_id).people}
    assert versions == {ids["ceo"]: 1, ids["cfo"]: 2, ids["eng"]: 1, ids["ops"]: 1}
    cfo = store.get_person(tenant, org_id, ids["cfo"])
    assert (cfo.title, cfo.stance.value, cfo.external_id) == (
        "Chief Financial Officer",
        "skeptic",
        "003B",
    )


def test_fields_left_out_keep_their_value(store: GraphStore, tenant: str) -> None:
    org_id = new_org(store, tenant)
    ids = upsert(store, tenant, org_id, CRM).ids
    store.update_person(tenant, org_id, ids["ceo"], PersonUpdate(notes="met at Hannover"))

    again = upsert(store, tenant, org_id, CRM)

    assert again.unchanged.people == 4
    assert store.get_person(tenant, org_id, ids["ceo"]).notes == "met at Hannover"


def test_people_match_by_external_id_then_email_then_name(store: GraphStore, tenant: str) -> None:
    org_id = new_org(store, tenant)
    ids = upsert(store, tenant, org_id, CRM).ids
    body = {
        "people": [
            # new email, same external_id: the CEO, with a new email
            {"ref": "a", "name": "Cleo Park", "external_id": "003A", "email": "cp@acme.example"},
            # no external_id, same email (case differs): Erin
            {"ref": "b", "name": "Erin Lee", "email": "ERIN@acme.example"},
            # neither: matched by name
            {"ref": "c", "name": "王小明"},
            # same email as Finn but another CRM record: a new person
            {"ref": "d", "name": "Finn M.", "email": "finn@acme.example", "external_id": "003Z"},
        ]
    }

    result = upsert(store, tenant, org_id, body)

    assert result.ids["a"] == ids["ceo"]
    assert result.ids["b"] == ids["eng"]
    assert result.ids["c"] == ids["ops"]
    assert result.ids["d"] not in ids.values()
    assert (result.created.people, result.updated.people, result.unchanged.people) == (1, 2, 1)


def test_reports_to_replaces_the_solid_line(store: GraphStore, tenant: str) -> None:
    org_id = new_org(store, tenant)
    ids = upsert(store, tenant, org_id, CRM).ids
    body = copy.deepcopy(CRM)
    body["people"][2]["reports_to"] = "ceo"  # Erin now reports to the CEO

    result = upsert(store, tenant, org_id, body)

    assert (result.removed.relationships, result.created.relationships) == (1, 1)
    lines = {
        (r.source_id, r.target_id)
        for r in store.snapshot(tenant, org_id).relationships
        if r.type is RelType.REPORTS_TO
    }
    assert lines == {(ids["cfo"], ids["ceo"]), (ids["eng"], ids["ceo"]), (ids["ops"], ids["ceo"])}


def test_a_changed_tie_is_updated_and_an_identical_one_skipped(
    store: GraphStore, tenant: str
) -> None:
    org_id = new_org(store, tenant)
    upsert(store, tenant, org_id, CRM)
    body = copy.deepcopy(CRM)
    body["relationships"][0]["strength"] = 0.9
    # the same Person--Person KNOWS tie in the other direction is the same tie
    body["relationships"].append({"type": "KNOWS", "source": "eng", "target": "ops"})
    upsert(store, tenant, org_id, body)
    body["relationships"][-1] = {"type": "KNOWS", "source": "ops", "target": "eng"}

    result = upsert(store, tenant, org_id, body)

    assert result.unchanged.relationships == 6
    influences = [
        r for r in store.snapshot(tenant, org_id).relationships if r.type is RelType.INFLUENCES
    ]
    assert [(r.strength, r.version) for r in influences] == [(0.9, 2)]


def test_stored_people_may_be_named_by_key(store: GraphStore, tenant: str) -> None:
    org_id = new_org(store, tenant)
    ids = upsert(store, tenant, org_id, CRM).ids
    body = {
        "people": [{"ref": "new", "name": "Nia", "reports_to": "finn@acme.example"}],
        "relationships": [
            {"type": "INFLUENCES", "source": "003B", "target": "Erin Lee", "strength": 0.4},
            {"type": "KNOWS", "source": "avery@us.example", "target": "new"},
        ],
    }

    result = upsert(store, tenant, org_id, body)

    ties = {
        (r.type, r.source_id, r.target_id)
        for r in store.snapshot(tenant, org_id).relationships
        if r.version == 1
    }
    assert (RelType.REPORTS_TO, result.ids["new"], ids["cfo"]) in ties
    assert (RelType.INFLUENCES, ids["cfo"], ids["eng"]) in ties
    assert (RelType.KNOWS, ids["am"], result.ids["new"]) in ties


def test_upsert_refuses_what_cannot_be_told_apart(store: GraphStore, tenant: str) -> None:
    org_id = new_org(store, tenant)
    upsert(store, tenant, org_id, CRM)
    before = store.snapshot(tenant, org_id)
    body = {
        "people": [
            {"ref": "a", "name": "Ann", "external_id": "X1"},
            {"ref": "b", "name": "Ann B", "external_id": "X1"},
            {"ref": "c", "name": "Sam"},
            {"ref": "d", "name": "sam"},
            {"ref": "e", "name": "Eve", "reports_to": "nobody@acme.example"},
        ]
    }

    with pytest.raises(ValidationFailed) as info:
        upsert(store, tenant, org_id, body)

    assert [e.field for e in info.value.errors] == [
        "people[1].external_id",
        "people[3].name",
        "people[4].reports_to",
    ]
    assert store.snapshot(tenant, org_id) == before


def test_dry_run_reports_and_stores_nothing(store: GraphStore, tenant: str) -> None:
    org_id = new_org(store, tenant)
    before = store.snapshot(tenant, org_id)

    result = upsert(store, tenant, org_id, CRM, dry_run=True)

    assert result.dry_run
    assert (result.created.people, result.created.relationships) == (4, 5)
    assert store.snapshot(tenant, org_id) == before
    assert store.list_team_members(tenant, limit=10) == []
    with pytest.raises(ValidationFailed):
        upsert(store, tenant, org_id, {"people": [{"ref": "a", "name": "A", "reports_to": "?"}]})


def test_import_many_stores_each_organisation_whole_or_not_at_all(
    store: GraphStore, tenant: str
) -> None:
    stored = new_org(store, tenant, "Stored")
    bad = copy.deepcopy(CRM)
    bad["people"][3]["reports_to"] = "ghost"
    items = [
        OrgImport(ImportRequest.model_validate(CRM), create=OrganisationCreate(name="New Co")),
        OrgImport(ImportRequest.model_validate(bad), org_id=stored),
        OrgImport(ImportRequest.model_validate(CRM), org_id="no-such-org"),
        OrgImport(ImportRequest.model_validate(CRM), org_id=stored),
    ]

    outcomes = store.import_many(tenant, items, upsert=True)

    assert [o.ok for o in outcomes] == [True, False, False, True]
    assert [e.field for e in outcomes[1].errors] == ["people[3].reports_to"]
    assert outcomes[2].missing
    created, written = outcomes[0].result, outcomes[3].result
    assert created is not None
    assert written is not None
    assert store.get_organisation(tenant, created.org_id).name == "New Co"
    assert len(store.snapshot(tenant, created.org_id).people) == 4
    assert len(store.snapshot(tenant, stored).people) == 4
    # one team member, created by the first item and matched by the last
    assert [m.name for m in store.list_team_members(tenant, limit=10)] == ["Avery Stone"]
    assert (created.created.team, written.created.team, written.unchanged.team) == (1, 0, 1)
    assert created.version == store.org_version(tenant, created.org_id)
    assert written.version == store.org_version(tenant, stored)


def test_import_many_dry_run_creates_no_organisation(store: GraphStore, tenant: str) -> None:
    items = [OrgImport(ImportRequest.model_validate(CRM), create=OrganisationCreate(name="N"))]

    [outcome] = store.import_many(tenant, items, upsert=True, dry_run=True)

    assert outcome.result is not None
    assert outcome.result.created.people == 4
    assert store.list_organisations(tenant, limit=10) == []


def test_plain_import_still_refuses_existing_ties(store: GraphStore, tenant: str) -> None:
    org_id = new_org(store, tenant)
    ids = upsert(store, tenant, org_id, CRM).ids
    body = {"relationships": [{"type": "INFLUENCES", "source": ids["cfo"], "target": ids["ceo"]}]}
    with pytest.raises(ValidationFailed) as info:
        store.import_graph(tenant, org_id, ImportRequest.model_validate(body))
    assert info.value.errors[0].reason == "this INFLUENCES tie already exists"
    with pytest.raises(NotFound):
        store.import_graph(tenant, "no-such-org", ImportRequest(), upsert=True)
