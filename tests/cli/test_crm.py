"""CRM files into import requests (:mod:`app.crm`): pure parsing, no store."""

from __future__ import annotations

import codecs

import pytest

from app.crm import decode, map_roles, parse_files, parse_json
from schemas.common import BuyingRole, RelType, Seniority, Stance
from tests.cli.conftest import EXAMPLES

SALESFORCE = {
    "Business User": [BuyingRole.USER_BUYER],
    "Decision Maker": [BuyingRole.DECISION_MAKER],
    "Economic Buyer": [BuyingRole.ECONOMIC_BUYER],
    "Economic Decision Maker": [BuyingRole.ECONOMIC_BUYER],
    "Evaluator": [BuyingRole.EVALUATOR],
    "Executive Sponsor": [BuyingRole.EXECUTIVE_SPONSOR],
    "Influencer": [BuyingRole.INFLUENCER],
    "Technical Buyer": [BuyingRole.TECHNICAL_BUYER],
    "Other": [],
}


@pytest.mark.parametrize(("picklist", "roles"), SALESFORCE.items(), ids=SALESFORCE.keys())
def test_salesforce_contact_roles_map_to_ours(picklist: str, roles: list[BuyingRole]) -> None:
    assert map_roles(picklist) == (roles, [])
    assert map_roles(picklist.upper()) == (roles, [])
    assert map_roles(f"  {picklist.lower()}  ") == (roles, [])


def test_several_roles_split_on_semicolons_and_bars() -> None:
    roles, unknown = map_roles("Decision Maker;economic buyer | Other|gatekeeper;;Decision Maker")
    assert roles == [BuyingRole.DECISION_MAKER, BuyingRole.ECONOMIC_BUYER, BuyingRole.GATEKEEPER]
    assert unknown == []


def one_org(text: str, relationships: str | None = None) -> tuple[object, list[str]]:
    parsed = parse_files(
        ("contacts.csv", text),
        ("relationships.csv", relationships) if relationships is not None else None,
        organisation="Acme",
    )
    return parsed, [str(e) for e in parsed.errors]


CONTACTS = (
    "name,title,email,department,reports_to,roles,stance,influence,external_id\n"
    "王小明,总经理,wang@acme.example,Executive,,Decision Maker,Champion,5,C-1\n"
    "Ольга Петрова,CFO,olga@acme.example,Finance,wang@acme.example,"
    "Economic Decision Maker|Evaluator,sceptic,4,C-2\n"
    "محمد علي,Engineer,,R&D,Ольга Петрова,Business User,,,C-3\n"
    "Zoë Ångström,Buyer,zoe@acme.example,Procurement,C-2,Other,neutral,2,\n"
)


@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-8-sig", "utf-16"], ids=["utf8", "utf8-bom", "utf16-bom"]
)
def test_bom_and_non_latin_names_survive(encoding: str) -> None:
    data = CONTACTS.encode(encoding)
    if encoding == "utf-8-sig":
        assert data.startswith(codecs.BOM_UTF8)
    text = decode(data, "contacts.csv")

    parsed = parse_files(("contacts.csv", text), organisation="Acme")

    assert parsed.errors == []
    [draft] = parsed.organisations
    people = draft.request.people
    assert [p.name for p in people] == ["王小明", "Ольга Петрова", "محمد علي", "Zoë Ångström"]
    assert people[0].title == "总经理"
    assert people[0].stance is Stance.CHAMPION
    assert people[1].stance is Stance.SKEPTIC  # British spelling
    assert people[1].roles == [BuyingRole.ECONOMIC_BUYER, BuyingRole.EVALUATOR]
    # reports_to by email, by (non-Latin) name and by external_id all find the row
    assert [p.reports_to for p in people] == [None, people[0].ref, people[1].ref, people[1].ref]
    # columns in the file but empty clear the value; absent columns are left unset
    assert people[2].email is None
    assert people[2].influence is None
    assert "stance" not in people[2].model_fields_set
    assert "notes" not in people[0].model_fields_set


def test_crm_export_headers_are_recognised() -> None:
    text = (
        "First Name,Last Name,Email Address,Job Title,Account Name,Contact ID,Contact Role,"
        "Seniority,Lead Source\n"
        "Ada,Lovelace,ada@x.example,CTO,Analytical Engines,003A,Technical Buyer,C-Level,Web\n"
    )

    parsed = parse_files(("export.csv", text))

    assert parsed.errors == []
    assert parsed.ignored == ["export.csv: Lead Source"]
    [draft] = parsed.organisations
    [ada] = draft.request.people
    assert draft.name == "Analytical Engines"
    assert (ada.name, ada.email, ada.title, ada.external_id) == (
        "Ada Lovelace",
        "ada@x.example",
        "CTO",
        "003A",
    )
    assert (ada.roles, ada.seniority) == ([BuyingRole.TECHNICAL_BUYER], Seniority.EXECUTIVE)


def test_semicolon_separated_files_are_read() -> None:
    parsed = parse_files(("c.csv", "name;roles\nAda;Decision Maker;Influencer\n"), organisation="X")
    # the roles cell is unquoted, so its ; splits it: the spare cell is reported
    assert parsed.organisations[0].request.people[0].roles == [BuyingRole.DECISION_MAKER]
    parsed = parse_files(
        ("c.csv", 'name;roles\nAda;"Decision Maker;Influencer"\n'), organisation="X"
    )
    assert parsed.organisations[0].request.people[0].roles == [
        BuyingRole.DECISION_MAKER,
        BuyingRole.INFLUENCER,
    ]


def test_every_bad_row_is_reported_with_file_row_and_column() -> None:
    text = (
        "name,email,roles,stance,influence,seniority\n"
        "Good,good@x.example,Decision Maker,neutral,3,vp\n"
        ",nobody@x.example,,,,\n"
        "Bad Email,not-an-email,,,,\n"
        "Bad Role,r@x.example,Chief Decider;Evaluator,,,\n"
        "Bad Stance,s@x.example,,grumpy,,\n"
        "Bad Influence,i@x.example,,,9,\n"
        "Half Influence,h@x.example,,,2.5,\n"
        "Bad Level,l@x.example,,,,emperor\n"
    )

    parsed = parse_files(("c.csv", text), organisation="X")

    assert [(e.row, e.column) for e in parsed.errors] == [
        (3, "name"),
        (4, "email"),
        (5, "roles"),
        (6, "stance"),
        (7, "influence"),
        (8, "influence"),
        (9, "seniority"),
    ]
    assert str(parsed.errors[2]).startswith("c.csv, row 5, column 'roles': unknown role 'Chief")


def test_relationships_resolve_people_team_and_organisation() -> None:
    contacts = (
        "name,email,external_id,organisation\n"
        "Ada,ada@a.example,A1,Alpha\n"
        "Bo,bo@a.example,A2,Alpha\n"
        "Cy,cy@b.example,B1,Beta\n"
    )
    relationships = (
        "source,target,type,strength,last_contact,channel\n"
        "A2,Ada,influences,80%,,\n"
        "team:Anna.Weber@ours.example,cy@b.example,KNOWS,0.5,2026-01-02T10:00:00Z,phone\n"
        "team:anna.weber@ours.example,Bo,knows,,,\n"
        "Ada,cy@b.example,INFLUENCES,0.5,,\n"
        "someone@elsewhere.example,nobody,KNOWS,,,\n"
    )

    parsed = parse_files(("c.csv", contacts), ("r.csv", relationships))

    assert [str(e) for e in parsed.errors] == [
        "r.csv, row 5: source and target are contacts of different organisations",
        "r.csv, row 6: neither end is a contact of the file; add an organisation column",
    ]
    alpha, beta = parsed.organisations
    assert [(r.type, r.source, r.target, r.strength) for r in alpha.request.relationships] == [
        (RelType.INFLUENCES, "#3", "#2", 0.8),
        (RelType.KNOWS, "team:anna.weber@ours.example", "#3", None),
    ]
    [member] = alpha.request.team
    assert (member.ref, member.name, member.email) == (
        "team:anna.weber@ours.example",
        "Anna Weber",
        "anna.weber@ours.example",
    )
    assert beta.request.team[0].email == "Anna.Weber@ours.example"  # as first written there
    [knows] = beta.request.relationships
    assert (knows.source, str(knows.last_contact), knows.channel) == (
        "team:anna.weber@ours.example",
        "2026-01-02",
        "phone",
    )


def test_unknown_references_are_left_for_the_store() -> None:
    parsed = parse_files(
        ("c.csv", "name,reports_to\nAda,boss@stored.example\n"),
        ("r.csv", "source,target,type\nteam:Raj,Ada,KNOWS\nAda,stored-person-id,INFLUENCES\n"),
        organisation="X",
    )
    [draft] = parsed.organisations
    assert draft.request.people[0].reports_to == "boss@stored.example"
    assert draft.request.relationships[1].target == "stored-person-id"
    # errors the store finds later point back at the file
    assert str(draft.locate("people[0].reports_to", "unknown")) == (
        "c.csv, row 2, column 'reports_to': unknown"
    )
    assert str(draft.locate("relationships[1].target", "unknown")) == (
        "r.csv, row 3, column 'target': unknown"
    )
    assert str(draft.locate("team[0].name", "bad")) == "r.csv, row 2, column 'name': bad"


def test_the_file_and_the_options_must_agree() -> None:
    with_column = parse_files(("c.csv", "name,organisation\nAda,Alpha\n"), organisation="Beta")
    assert with_column.usage is not None
    assert "leave out --org" in with_column.usage
    without = parse_files(("c.csv", "name\nAda\n"))
    assert without.usage is not None
    assert "--org NAME" in without.usage


def test_the_example_files_parse() -> None:
    parsed = parse_files(
        ("contacts.csv", decode((EXAMPLES / "contacts.csv").read_bytes(), "contacts.csv")),
        (
            "relationships.csv",
            decode((EXAMPLES / "relationships.csv").read_bytes(), "relationships.csv"),
        ),
    )
    assert parsed.errors == []
    assert [(d.name, len(d.request.people)) for d in parsed.organisations] == [
        ("Nordwerk Industrial", 8),
        ("上海精密机械有限公司", 3),
    ]


def test_json_bodies_report_paths() -> None:
    parsed = parse_json(
        "body.json",
        '{"people": [{"ref": "a", "name": "A"}, {"ref": "b", "name": "B", "stance": "meh"}]}',
        organisation="X",
    )
    assert [(e.row, e.column) for e in parsed.errors] == [("people[1]", "stance")]
    assert (
        parse_json("body.json", "{oops", organisation="X").errors[0].reason.startswith("not JSON")
    )


def test_text_that_is_not_utf8_is_refused() -> None:
    with pytest.raises(ValueError, match=r"not UTF-8 .*CSV UTF-8"):
        decode("name\nZoë\n".encode("latin-1"), "c.csv")


def test_a_status_column_says_who_left_and_when() -> None:
    """A CRM marks former contacts: "Former" and a left date mean they left that day; "On
    leave" keeps them; an unknown status or date is refused on its cell."""
    parsed, errors = one_org(
        "name,status,left date\n"
        "Ada,Former,3/31/2026\n"
        "Bo,On leave,\n"
        "Cy,active,\n"
        "Di,retired,\n"
        "Ed,left,31.03.2026\n"
    )
    assert errors == [
        "contacts.csv, row 5, column 'status': unknown status 'retired' (one of active, left, "
        "on_leave)",
        "contacts.csv, row 6, column 'left date': date '31.03.2026': use YYYY-MM-DD or M/D/YYYY",
    ]
    people = {p.name: p for p in parsed.organisations[0].request.people}  # type: ignore[attr-defined]
    assert (people["Ada"].status.value, str(people["Ada"].left_on)) == ("left", "2026-03-31")
    assert people["Bo"].status.value == "on_leave"
    assert people["Cy"].status.value == "active"
