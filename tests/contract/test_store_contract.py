"""The storage contract: every adapter passes exactly these tests."""

from __future__ import annotations

from typing import Any

import pytest

from app.demo import DEMO_ORGANISATION, demo_import
from graph.errors import NotFound, ValidationFailed
from graph.store import GraphStore
from schemas.common import KeyRole, RelType, Stance
from schemas.imports import ImportRequest
from schemas.resources import (
    OrganisationCreate,
    OrganisationUpdate,
    PersonCreate,
    PersonUpdate,
    RelationshipCreate,
    TeamMemberUpdate,
)
from schemas.snapshot import OrgSnapshot


def new_org(store: GraphStore, tenant: str, name: str = "Acme") -> str:
    return store.create_organisation(tenant, OrganisationCreate(name=name)).id


def load(store: GraphStore, tenant: str, org_id: str, body: dict[str, Any]) -> dict[str, str]:
    return store.import_graph(tenant, org_id, ImportRequest.model_validate(body)).ids


def canonical(snapshot: OrgSnapshot) -> dict[str, Any]:
    """The snapshot with ids replaced by names, so two loads of one body compare equal."""
    names = {p.id: p.name for p in snapshot.people} | {t.id: t.name for t in snapshot.team}
    return {
        "people": sorted(
            p.model_dump(exclude={"id", "tenant", "org_id", "created_at", "updated_at"}).__repr__()
            for p in snapshot.people
        ),
        "team": sorted(t.name for t in snapshot.team),
        "ties": sorted(
            (
                r.type.value,
                names.get(r.source_id, r.source_id),
                names.get(r.target_id, r.target_id),
                r.strength,
                r.last_contact,
                r.channel,
                r.dotted,
                r.role,
            ).__repr__()
            for r in snapshot.relationships
        ),
    }


SMALL = {
    "people": [
        {"ref": "ceo", "name": "Cleo", "title": "CEO", "roles": ["decision_maker"], "influence": 5},
        {"ref": "cfo", "name": "Finn", "reports_to": "ceo", "stance": "skeptic"},
        {"ref": "eng", "name": "Erin", "reports_to": "cfo"},
    ],
    "team": [{"ref": "am", "name": "Avery"}],
    "relationships": [
        {"type": "INFLUENCES", "source": "cfo", "target": "ceo", "strength": 0.7},
        {
            "type": "KNOWS",
            "source": "am",
            "target": "eng",
            "strength": 0.8,
            "last_contact": "2026-10-01",
            "channel": "email",
        },
    ],
}


# --- organisations ---------------------------------------------------------------------------


def test_organisation_lifecycle(store: GraphStore, tenant: str) -> None:
    created = store.create_organisation(
        tenant, OrganisationCreate(name="Acme", industry="Steel", tier=1, potential_revenue=5e6)
    )
    assert created.version == 1
    assert store.get_organisation(tenant, created.id) == created
    updated = store.update_organisation(tenant, created.id, OrganisationUpdate(tier=2))
    assert (updated.tier, updated.industry, updated.version) == (2, "Steel", 2)
    cleared = store.update_organisation(
        tenant, created.id, OrganisationUpdate.model_validate({"industry": None})
    )
    assert cleared.industry is None
    store.delete_organisation(tenant, created.id)
    with pytest.raises(NotFound):
        store.get_organisation(tenant, created.id)


def test_organisation_parent_must_exist_and_not_loop(store: GraphStore, tenant: str) -> None:
    parent = new_org(store, tenant, "Group")
    child = store.create_organisation(tenant, OrganisationCreate(name="Sub", parent_id=parent))
    with pytest.raises(ValidationFailed) as info:
        store.update_organisation(tenant, parent, OrganisationUpdate(parent_id=child.id))
    assert info.value.errors[0].field == "parent_id"
    with pytest.raises(ValidationFailed):
        store.create_organisation(tenant, OrganisationCreate(name="X", parent_id="nope"))
    assert store.get_organisation(tenant, parent).parent_id is None


def test_list_pages_by_id(store: GraphStore, tenant: str) -> None:
    ids = sorted(new_org(store, tenant, f"Org {i}") for i in range(5))
    first = store.list_organisations(tenant, limit=2)
    second = store.list_organisations(tenant, limit=2, after=first[-1].id)
    rest = store.list_organisations(tenant, limit=10, after=second[-1].id)
    assert [o.id for o in first + second + rest] == ids


# --- people, team, ties ----------------------------------------------------------------------


def test_person_lifecycle_bumps_the_organisation(store: GraphStore, tenant: str) -> None:
    org_id = new_org(store, tenant)
    person = store.create_person(
        tenant, org_id, PersonCreate(name="Dana", roles=["coach", "coach"], influence=3)
    )
    assert person.roles == ["coach"]
    assert store.get_person(tenant, org_id, person.id) == person
    assert store.org_version(tenant, org_id) == 2
    changed = store.update_person(
        tenant, org_id, person.id, PersonUpdate(stance=Stance.CHAMPION, title="CIO")
    )
    assert (changed.stance, changed.title, changed.influence, changed.version) == (
        Stance.CHAMPION,
        "CIO",
        3,
        2,
    )
    assert store.org_version(tenant, org_id) == 3
    store.delete_person(tenant, org_id, person.id)
    with pytest.raises(NotFound):
        store.get_person(tenant, org_id, person.id)
    assert store.org_version(tenant, org_id) == 4


def test_deleting_a_person_removes_their_ties(store: GraphStore, tenant: str) -> None:
    org_id = new_org(store, tenant)
    ids = load(store, tenant, org_id, SMALL)
    store.delete_person(tenant, org_id, ids["cfo"])
    snap = store.snapshot(tenant, org_id)
    assert {p.name for p in snap.people} == {"Cleo", "Erin"}
    assert all(ids["cfo"] not in (r.source_id, r.target_id) for r in snap.relationships)
    assert len(snap.relationships) == 1  # only Avery KNOWS Erin is left


def test_team_member_lifecycle(store: GraphStore, tenant: str) -> None:
    org_id = new_org(store, tenant)
    ids = load(store, tenant, org_id, SMALL)
    member = store.get_team_member(tenant, ids["am"])
    before = store.org_version(tenant, org_id)
    renamed = store.update_team_member(tenant, member.id, TeamMemberUpdate(title="AE"))
    assert renamed.title == "AE"
    assert store.org_version(tenant, org_id) == before + 1
    store.delete_team_member(tenant, member.id)
    snap = store.snapshot(tenant, org_id)
    assert snap.team == []
    assert all(r.type is not RelType.KNOWS for r in snap.relationships)
    assert store.list_team_members(tenant, limit=10) == []


def test_relationship_lifecycle(store: GraphStore, tenant: str) -> None:
    org_id = new_org(store, tenant)
    ids = load(store, tenant, org_id, SMALL)
    rel = store.create_relationship(
        tenant,
        org_id,
        RelationshipCreate(type=RelType.INFLUENCES, source_id=ids["eng"], target_id=ids["cfo"]),
    )
    assert store.get_relationship(tenant, org_id, rel.id) == rel
    listed = store.list_relationships(tenant, org_id, limit=100)
    assert rel in listed
    assert len(listed) == 5
    store.delete_relationship(tenant, org_id, rel.id)
    with pytest.raises(NotFound):
        store.get_relationship(tenant, org_id, rel.id)
    with pytest.raises(NotFound):
        store.delete_relationship(tenant, org_id, rel.id)


def test_affiliation_points_at_another_organisation(store: GraphStore, tenant: str) -> None:
    org_id = new_org(store, tenant)
    other = new_org(store, tenant, "Board Co")
    ids = load(store, tenant, org_id, SMALL)
    rel = store.create_relationship(
        tenant,
        org_id,
        RelationshipCreate(
            type=RelType.AFFILIATED_WITH, source_id=ids["ceo"], target_id=other, role="board"
        ),
    )
    assert rel.target_id == other
    version = store.org_version(tenant, org_id)
    store.delete_organisation(tenant, other)
    assert store.org_version(tenant, org_id) == version + 1
    assert all(
        r.type is not RelType.AFFILIATED_WITH for r in store.snapshot(tenant, org_id).relationships
    )


def test_deleting_an_organisation_removes_everything_in_it(store: GraphStore, tenant: str) -> None:
    org_id = new_org(store, tenant)
    ids = load(store, tenant, org_id, SMALL)
    store.delete_organisation(tenant, org_id)
    with pytest.raises(NotFound):
        store.snapshot(tenant, org_id)
    with pytest.raises(NotFound):
        store.get_person(tenant, org_id, ids["ceo"])
    # the team is tenant-wide and stays
    assert store.get_team_member(tenant, ids["am"]).name == "Avery"


# --- import and snapshot ---------------------------------------------------------------------


def test_import_maps_every_ref_and_snapshot_holds_it_all(store: GraphStore, tenant: str) -> None:
    org_id = new_org(store, tenant)
    result = store.import_graph(tenant, org_id, ImportRequest.model_validate(SMALL))
    assert set(result.ids) == {"ceo", "cfo", "eng", "am"}
    assert (result.created.people, result.created.team, result.created.relationships) == (3, 1, 4)
    snap = store.snapshot(tenant, org_id)
    assert snap.version == result.version == store.org_version(tenant, org_id)
    assert {p.name for p in snap.people} == {"Cleo", "Finn", "Erin"}
    reports = {
        (r.source_id, r.target_id) for r in snap.relationships if r.type is RelType.REPORTS_TO
    }
    assert reports == {
        (result.ids["cfo"], result.ids["ceo"]),
        (result.ids["eng"], result.ids["cfo"]),
    }
    knows = next(r for r in snap.relationships if r.type is RelType.KNOWS)
    assert (knows.strength, str(knows.last_contact), knows.channel) == (0.8, "2026-10-01", "email")


def test_import_may_reference_existing_ids(store: GraphStore, tenant: str) -> None:
    org_id = new_org(store, tenant)
    ids = load(store, tenant, org_id, SMALL)
    more = load(
        store,
        tenant,
        org_id,
        {
            "people": [{"ref": "cto", "name": "Theo", "reports_to": ids["ceo"]}],
            "relationships": [{"type": "KNOWS", "source": ids["am"], "target": "cto"}],
        },
    )
    snap = store.snapshot(tenant, org_id)
    assert len(snap.people) == 4
    assert any(r.source_id == ids["am"] and r.target_id == more["cto"] for r in snap.relationships)


def test_demo_account_loads(store: GraphStore, tenant: str) -> None:
    org = store.create_organisation(tenant, OrganisationCreate(**DEMO_ORGANISATION))
    result = store.import_graph(tenant, org.id, ImportRequest.model_validate(demo_import()))
    assert (result.created.people, result.created.team) == (40, 3)
    assert len(store.snapshot(tenant, org.id).relationships) == result.created.relationships


# --- validation: refused writes store nothing ------------------------------------------------

INVALID_IMPORTS = {
    "duplicate ref": (
        {"people": [{"ref": "a", "name": "A"}], "team": [{"ref": "a", "name": "B"}]},
        "team[0].ref",
    ),
    "unknown ref": (
        {"people": [{"ref": "a", "name": "A", "reports_to": "ghost"}]},
        "people[0].reports_to",
    ),
    "self loop": (
        {
            "people": [{"ref": "a", "name": "A"}],
            "relationships": [{"type": "INFLUENCES", "source": "a", "target": "a"}],
        },
        "relationships[0].target",
    ),
    "reporting cycle": (
        {
            "people": [
                {"ref": "a", "name": "A", "reports_to": "b"},
                {"ref": "b", "name": "B", "reports_to": "a"},
            ]
        },
        "people[0].reports_to",
    ),
    "two solid managers": (
        {
            "people": [
                {"ref": "a", "name": "A"},
                {"ref": "b", "name": "B"},
                {"ref": "c", "name": "C", "reports_to": "a"},
            ],
            "relationships": [{"type": "REPORTS_TO", "source": "c", "target": "b"}],
        },
        "relationships[0].target",
    ),
    "team member as a manager": (
        {
            "people": [{"ref": "a", "name": "A"}],
            "team": [{"ref": "m", "name": "M"}],
            "relationships": [{"type": "REPORTS_TO", "source": "a", "target": "m"}],
        },
        "relationships[0].target",
    ),
    "duplicate tie": (
        {
            "people": [{"ref": "a", "name": "A"}, {"ref": "b", "name": "B"}],
            "relationships": [
                {"type": "KNOWS", "source": "a", "target": "b"},
                {"type": "KNOWS", "source": "b", "target": "a"},
            ],
        },
        "relationships[1]",
    ),
}


@pytest.mark.parametrize(("body", "field"), INVALID_IMPORTS.values(), ids=INVALID_IMPORTS.keys())
def test_invalid_import_is_refused_whole(
    store: GraphStore, tenant: str, body: dict[str, Any], field: str
) -> None:
    org_id = new_org(store, tenant)
    load(store, tenant, org_id, SMALL)
    before = store.snapshot(tenant, org_id)
    with pytest.raises(ValidationFailed) as info:
        load(store, tenant, org_id, body)
    assert field in [e.field for e in info.value.errors]
    after = store.snapshot(tenant, org_id)
    assert after == before
    assert len(store.list_team_members(tenant, limit=100)) == 1


def test_dotted_line_is_allowed_beside_a_solid_one(store: GraphStore, tenant: str) -> None:
    org_id = new_org(store, tenant)
    ids = load(store, tenant, org_id, SMALL)
    rel = store.create_relationship(
        tenant,
        org_id,
        RelationshipCreate(
            type=RelType.REPORTS_TO, source_id=ids["eng"], target_id=ids["ceo"], dotted=True
        ),
    )
    assert rel.dotted
    with pytest.raises(ValidationFailed) as info:
        store.create_relationship(
            tenant,
            org_id,
            RelationshipCreate(type=RelType.REPORTS_TO, source_id=ids["eng"], target_id=ids["ceo"]),
        )
    assert info.value.errors[0].field == "type"  # the same tie already exists


def test_cycle_through_existing_lines_names_the_new_field(store: GraphStore, tenant: str) -> None:
    org_id = new_org(store, tenant)
    ids = load(store, tenant, org_id, SMALL)
    before = store.snapshot(tenant, org_id)
    with pytest.raises(ValidationFailed) as info:
        store.create_relationship(
            tenant,
            org_id,
            RelationshipCreate(
                type=RelType.REPORTS_TO, source_id=ids["ceo"], target_id=ids["eng"], dotted=True
            ),
        )
    assert [e.field for e in info.value.errors] == ["target_id"]
    assert "cycle" in info.value.errors[0].reason
    assert store.snapshot(tenant, org_id) == before


# --- tenancy ---------------------------------------------------------------------------------


def test_another_tenants_ids_are_unknown(store: GraphStore, tenant: str) -> None:
    org_id = new_org(store, tenant)
    ids = load(store, tenant, org_id, SMALL)
    intruder = tenant + "-other"
    with pytest.raises(NotFound):
        store.get_organisation(intruder, org_id)
    with pytest.raises(NotFound):
        store.get_person(intruder, org_id, ids["ceo"])
    with pytest.raises(NotFound):
        store.snapshot(intruder, org_id)
    with pytest.raises(NotFound):
        store.get_team_member(intruder, ids["am"])
    with pytest.raises(NotFound):
        store.delete_person(intruder, org_id, ids["ceo"])
    assert store.list_organisations(intruder, limit=10) == []
    # ties can't reach into another tenant either
    own = new_org(store, intruder)
    mine = load(store, intruder, own, {"people": [{"ref": "x", "name": "X"}]})
    with pytest.raises(ValidationFailed):
        load(
            store,
            intruder,
            own,
            {"relationships": [{"type": "KNOWS", "source": mine["x"], "target": ids["ceo"]}]},
        )
    assert len(store.snapshot(tenant, org_id).people) == 3


def test_ties_cannot_cross_organisations(store: GraphStore, tenant: str) -> None:
    first, second = new_org(store, tenant), new_org(store, tenant, "Other")
    ids = load(store, tenant, first, SMALL)
    other = load(store, tenant, second, {"people": [{"ref": "z", "name": "Zed"}]})
    with pytest.raises(ValidationFailed) as info:
        store.create_relationship(
            tenant,
            second,
            RelationshipCreate(type=RelType.INFLUENCES, source_id=other["z"], target_id=ids["ceo"]),
        )
    assert info.value.errors[0].field == "target_id"


# --- API keys --------------------------------------------------------------------------------


def test_api_keys(store: GraphStore, tenant: str) -> None:
    key = store.create_api_key(tenant, KeyRole.EDITOR, "ci", f"hash-{tenant}")
    assert store.find_api_key(f"hash-{tenant}") == key
    assert store.ensure_api_key(tenant, KeyRole.EDITOR, "ci", f"hash-{tenant}").id == key.id
    store.touch_api_key(key.id)
    found = store.find_api_key(f"hash-{tenant}")
    assert found is not None
    assert found.last_used_at is not None
    revoked = store.revoke_api_key(tenant, key.id)
    assert revoked.revoked_at is not None
    assert [k.id for k in store.list_api_keys(tenant)] == [key.id]
    with pytest.raises(NotFound):
        store.revoke_api_key(tenant + "-other", key.id)
