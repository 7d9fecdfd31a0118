"""Names typed by a person, to ids: ``graph.lookup``'s one rule, the import planner's
``_Stored.lookup`` agreeing with it, and the command line's messages (``app.cli.lookup``)."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.cli import lookup
from app.cli.backend import CliFailure
from graph.lookup import MEMBER, PERSON, PERSON_REF, TEAM_REF, Directory, Key
from graph.planning import OrgContext, _Stored
from schemas.resources import OrganisationPublic, PersonPublic, TeamMemberPublic
from tests.cli.fakes import ScriptedBackend

NOW = datetime(2026, 1, 1, tzinfo=UTC)
STAMPS: dict[str, Any] = {"tenant": "t", "created_at": NOW, "updated_at": NOW, "version": 1}


def person(pid: str, name: str, email: str | None = None, external_id: str | None = None) -> Any:
    return PersonPublic(
        id=pid, org_id="o1", name=name, email=email, external_id=external_id, **STAMPS
    )


# --- the rule -------------------------------------------------------------------------------


def test_the_first_tier_that_finds_anyone_decides() -> None:
    rows = [
        {"id": "p1", "name": "Sam", "email": "sam@x.example", "external_id": "E1"},
        {"id": "p2", "name": "sam@x.example", "email": None, "external_id": None},
        {"id": "p3", "name": "E1", "email": "e1@x.example", "external_id": "E3"},
    ]
    people = Directory(rows)

    by_email = people.find("SAM@x.example", PERSON_REF)
    by_external_id = people.find("E1", PERSON_REF)

    assert by_email is not None
    assert by_email.key is Key.EMAIL
    assert by_email.unique == rows[0]  # the name tier, which finds p2, is never reached
    assert by_external_id is not None
    assert by_external_id.key is Key.EXTERNAL_ID
    assert by_external_id.unique == rows[0]
    assert people.find("e3", PERSON_REF) is None  # external ids compare exactly (E3)
    found = people.find("sam", PERSON_REF)
    assert found is not None
    assert found.key is Key.NAME
    assert found.unique == rows[0]


def test_a_tier_of_two_keys_counts_an_item_found_by_both_once() -> None:
    rows = [
        {"id": "X", "name": "Ann", "external_id": "X"},
        {"id": "p2", "name": "Bo", "external_id": "p3"},
        {"id": "p3", "name": "Cy"},
    ]
    people = Directory(rows)

    same = people.find("X", PERSON)
    two = people.find("p3", PERSON)

    assert same is not None
    assert same.unique == rows[0]
    assert two is not None
    assert two.key is Key.ID
    assert two.unique is None
    assert [row["id"] for row in two.items] == ["p2", "p3"]  # in the order given


def test_empty_values_are_not_indexed_and_schema_objects_work_like_rows() -> None:
    people = Directory([person("p1", "Ann", email=None), person("p2", "Bo", email="")])

    assert people.find("", PERSON) is None
    found = people.find("ann", PERSON)
    assert found is not None
    assert people.get(Key.NAME, "ANN") == list(found.items)
    assert len(people) == 2


refs = st.sampled_from(["a", "A", "b", "x@e.example", "X@E.example", "y@e.example", "E1", "e1"])
maybe = st.none() | refs


@given(
    st.lists(st.tuples(refs, maybe, maybe), max_size=6),
    st.lists(st.tuples(refs, maybe), max_size=3),
    refs,
)
def test_the_planners_stored_lookup_is_this_rule(
    people: list[tuple[str, str | None, str | None]],
    team: list[tuple[str, str | None]],
    ref: str,
) -> None:
    """``graph.planning._Stored.lookup`` (a ref naming a stored person or team member)
    answers what ``Directory.find`` with ``PERSON_REF`` then ``TEAM_REF`` answers."""
    person_rows = [
        {"id": f"p{i}", "name": name, "email": email, "external_id": external_id}
        for i, (name, email, external_id) in enumerate(people)
    ]
    team_rows = [
        {"id": f"m{i}", "name": name, "email": email} for i, (name, email) in enumerate(team)
    ]
    context = OrgContext.from_rows(
        "t", "o", people=person_rows, team=team_rows, relationships=[], org_ids=["o"]
    )

    expected: tuple[str, str] | str | None = None
    found = Directory(person_rows).find(ref, PERSON_REF)
    if found is not None:
        if found.unique is not None:
            expected = (found.unique["id"], "person")
        else:
            expected = (
                f"{ref!r} is the {found.key} of {len(found.items)} stored people; "
                "name one by its external_id, email or id"
            )
    else:
        members = Directory(team_rows).find(ref, TEAM_REF)
        if members is not None and members.unique is not None:
            expected = (members.unique["id"], "team")

    assert _Stored(context).lookup(ref) == expected


# --- on the command line ----------------------------------------------------------------------


def test_a_person_by_id_external_id_email_or_name_else_a_clear_failure() -> None:
    backend = ScriptedBackend(
        stored_people=[
            person("p1", "Ann Lee", "ann@x.example", "CRM-1"),
            person("p2", "Bo", "bo@x.example"),
            person("p3", "Bo", None),
        ]
    )

    assert lookup.person_id(backend, "o1", None) is None
    assert lookup.person_id(backend, "o1", "p2") == "p2"
    assert lookup.person_id(backend, "o1", "CRM-1") == "p1"
    assert lookup.person_id(backend, "o1", "ANN@x.example") == "p1"
    assert lookup.person_id(backend, "o1", "ann lee") == "p1"
    with pytest.raises(CliFailure, match=r"^2 people match 'bo'; use an id or email$"):
        lookup.person_id(backend, "o1", "bo")
    with pytest.raises(CliFailure, match=r"^no person 'Cy' in this organisation$"):
        lookup.person_id(backend, "o1", "Cy")


def test_a_team_member_by_id_email_or_name() -> None:
    def member(mid: str, name: str, email: str | None) -> TeamMemberPublic:
        return TeamMemberPublic(id=mid, name=name, email=email, **STAMPS)

    backend = ScriptedBackend(
        stored_team=[
            member("m1", "Anna Weber", "anna@ours.example"),
            member("m2", "Raj", None),
            member("m3", "raj", "raj@ours.example"),
        ],
        where="tenant 't'",
    )

    assert lookup.member_id(backend, "m2") == "m2"
    assert lookup.member_id(backend, "RAJ@ours.example") == "m3"
    assert lookup.member_id(backend, "anna weber") == "m1"
    with pytest.raises(CliFailure, match=r"^2 team members match 'Raj'; use an id or email$"):
        lookup.member_id(backend, "Raj")
    with pytest.raises(CliFailure, match=r"^no team member 'Bo' in tenant 't'$"):
        lookup.member_id(backend, "Bo")
    assert MEMBER[0] is Key.ID


def test_an_organisation_by_id_or_name_ignoring_case() -> None:
    uuid_a = "0b9f4f4e-6a4c-4c56-9d0c-1f1f1f1f1f1f"
    uuid_b = "1b9f4f4e-6a4c-4c56-9d0c-1f1f1f1f1f1f"
    uuid_c = "2b9f4f4e-6a4c-4c56-9d0c-1f1f1f1f1f1f"
    backend = ScriptedBackend(
        stored=[
            OrganisationPublic(id=uuid_a, name="Acme", **STAMPS),
            OrganisationPublic(id=uuid_b, name="ACME", **STAMPS),
            OrganisationPublic(id="o3", name=uuid_b, **STAMPS),
            OrganisationPublic(id="o4", name="Globex", **STAMPS),
            OrganisationPublic(id="o5", name=uuid_c.upper(), **STAMPS),
        ],
        where="tenant 't'",
    )

    assert lookup.organisation_id(backend, uuid_a) == uuid_a
    assert lookup.organisation_id(backend, "globex") == "o4"
    assert lookup.organisation_id(backend, uuid_b) == uuid_b  # a stored id wins over a name
    assert lookup.organisation_id(backend, uuid_c) == "o5"  # an id-like name that is no id
    with pytest.raises(
        CliFailure, match=f"^2 organisations are named 'acme' \\({uuid_a}, {uuid_b}\\); use an id$"
    ):
        lookup.organisation_id(backend, "acme")
    with pytest.raises(CliFailure, match=r"^no organisation 'Initech' in tenant 't'$"):
        lookup.organisation_id(backend, "Initech")


def test_the_command_line_builds_no_application() -> None:
    """``import app.cli`` leaves ``app.main`` (the whole FastAPI app) unimported."""
    probe = "import sys, app.cli; print('app.main' in sys.modules, 'app.cli.render' in sys.modules)"
    answer = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert answer.stdout.split() == ["False", "True"]
