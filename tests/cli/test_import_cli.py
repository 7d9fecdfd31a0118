"""``stakemap import`` through its real entry point, on both stores."""

from __future__ import annotations

import json
from pathlib import Path

from schemas.common import BuyingRole, RelType
from tests.cli.conftest import EXAMPLES, Stakemap

CONTACTS = str(EXAMPLES / "contacts.csv")
RELATIONSHIPS = str(EXAMPLES / "relationships.csv")


def import_examples(stakemap: Stakemap, *extra: str) -> str:
    result = stakemap("import", CONTACTS, "--relationships", RELATIONSHIPS, *extra)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_example_export_is_imported(stakemap: Stakemap) -> None:
    output = import_examples(stakemap)

    assert "Imported 31 changes." in output
    orgs = stakemap.organisations()
    assert set(orgs) == {"Nordwerk Industrial", "上海精密机械有限公司"}
    nordwerk = stakemap.store.snapshot(stakemap.tenant, orgs["Nordwerk Industrial"])
    people = {p.name: p for p in nordwerk.people}
    assert people["王小明"].roles == [BuyingRole.USER_BUYER, BuyingRole.EVALUATOR]
    assert people["Martin Brandt"].roles == [BuyingRole.ECONOMIC_BUYER]
    assert people["Lukas Meier"].roles == []  # "Other"
    assert people["Lukas Meier"].notes == 'Prefers the incumbent, "no surprises"'
    assert people["Marco Rossi"].title == "Plant Director, Augsburg"
    ids = {p.id: p.name for p in nordwerk.people} | {t.id: t.name for t in nordwerk.team}
    lines = {
        (ids[r.source_id], ids[r.target_id])
        for r in nordwerk.relationships
        if r.type is RelType.REPORTS_TO
    }
    assert ("王小明", "Mei Chen") in lines
    assert ("Elena Marquez", "Katrin Vogel") in lines  # reports_to given by name
    knows = {
        (ids[r.source_id], ids[r.target_id]): r
        for r in nordwerk.relationships
        if r.type is RelType.KNOWS
    }
    assert knows[("Anna Weber", "Stefan Hoffmann")].strength == 0.4  # "40%"
    assert knows[("Raj Patel", "王小明")].channel == "workshops"
    # one Anna Weber for both organisations
    assert sorted(m.name for m in stakemap.store.list_team_members(stakemap.tenant, limit=10)) == [
        "Anna Weber",
        "Raj Patel",
    ]
    shanghai = stakemap.store.snapshot(stakemap.tenant, orgs["上海精密机械有限公司"])
    assert {p.name for p in shanghai.people} == {"李娜", "张伟", "Anjali Rao"}


def test_reimporting_changes_nothing_and_a_changed_row_one_person(
    stakemap: Stakemap, tmp_path: Path
) -> None:
    import_examples(stakemap)
    orgs = stakemap.organisations()
    before = {name: stakemap.store.snapshot(stakemap.tenant, oid) for name, oid in orgs.items()}

    again = import_examples(stakemap)

    assert "Nothing changed" in again
    assert {n: stakemap.store.snapshot(stakemap.tenant, o) for n, o in orgs.items()} == before

    changed = tmp_path / "contacts.csv"
    changed.write_text(
        Path(CONTACTS).read_text("utf-8").replace("VP Manufacturing", "SVP Manufacturing"),
        "utf-8",
    )
    result = stakemap("import", str(changed), "--relationships", RELATIONSHIPS)

    assert result.exit_code == 0, result.output
    assert "Imported 1 changes." in result.stdout
    after = stakemap.store.snapshot(stakemap.tenant, orgs["Nordwerk Industrial"])
    versions = {p.name: p.version for p in after.people}
    assert versions.pop("Stefan Hoffmann") == 2
    assert set(versions.values()) == {1}
    assert after.version == before["Nordwerk Industrial"].version + 1
    assert (
        stakemap.store.snapshot(stakemap.tenant, orgs["上海精密机械有限公司"])
        == (before["上海精密机械有限公司"])
    )


def test_a_file_with_three_bad_rows_is_refused_whole(stakemap: Stakemap, tmp_path: Path) -> None:
    lines = Path(CONTACTS).read_text("utf-8").splitlines()
    lines[3] = lines[3].replace("Executive Sponsor", "Chief Decider")  # row 4
    lines[6] = lines[6].replace("lukas.meier@nordwerk.example", "lukas.meier@")  # row 7
    lines[11] = lines[11].replace(",3,0036000003", ",9,0036000003")  # row 12
    bad = tmp_path / "contacts.csv"
    bad.write_text("\n".join(lines) + "\n", "utf-8")

    result = stakemap("import", str(bad), "--relationships", RELATIONSHIPS)

    assert result.exit_code == 1
    reported = [line for line in result.stderr.splitlines() if line.startswith("contacts.csv")]
    assert [line.split(":")[0] for line in reported] == [
        "contacts.csv, row 4, column 'roles'",
        "contacts.csv, row 7, column 'email'",
        "contacts.csv, row 12, column 'influence'",
    ]
    assert "3 rows of contacts.csv have errors; nothing was stored" in result.stderr
    assert stakemap.organisations() == {}
    assert stakemap.store.list_team_members(stakemap.tenant, limit=10) == []


def test_conflicts_with_the_graph_are_found_before_anything_is_stored(
    stakemap: Stakemap, tmp_path: Path
) -> None:
    contacts = tmp_path / "contacts.csv"
    contacts.write_text(
        "name,email,reports_to,organisation\n"
        "Ada,ada@a.example,,Alpha\n"
        "Bo,bo@b.example,,Beta\n"
        "Cy,cy@b.example,nobody@b.example,Beta\n"
        "Di,di@b.example,di@b.example,Beta\n",
        "utf-8",
    )

    result = stakemap("import", str(contacts))

    assert result.exit_code == 1
    assert "contacts.csv, row 4, column 'reports_to': unknown ref" in result.stderr
    assert "contacts.csv, row 5, column 'reports_to': a tie cannot start and end" in result.stderr
    assert stakemap.organisations() == {}  # not even Alpha, which was fine


def test_dry_run_validates_and_stores_nothing(stakemap: Stakemap) -> None:
    output = import_examples(stakemap, "--dry-run")

    assert "Dry run" in output
    assert "would make 31 changes" in output
    assert stakemap.organisations() == {}
    assert stakemap.store.list_team_members(stakemap.tenant, limit=10) == []

    import_examples(stakemap)
    assert "would make 0 changes" in import_examples(stakemap, "--dry-run")


def test_one_organisation_by_option_and_json_bodies(stakemap: Stakemap, tmp_path: Path) -> None:
    contacts = tmp_path / "people.csv"
    contacts.write_text(
        "\ufeffName,Email,Contact Role\nAda,ada@x.example,Decision Maker\n", "utf-8"
    )
    assert stakemap("import", str(contacts), "--org", "Solo").exit_code == 0
    org_id = stakemap.organisations()["Solo"]
    body = tmp_path / "more.json"
    body.write_text(
        json.dumps(
            {
                "people": [{"ref": "bo", "name": "Bo", "reports_to": "ada@x.example"}],
                "relationships": [{"type": "INFLUENCES", "source": "bo", "target": "Ada"}],
            }
        ),
        "utf-8",
    )

    result = stakemap("import", str(body), "--org-id", org_id)

    assert result.exit_code == 0, result.output
    snapshot = stakemap.store.snapshot(stakemap.tenant, org_id)
    assert {p.name for p in snapshot.people} == {"Ada", "Bo"}
    assert len(snapshot.relationships) == 2
    # a second run of the JSON body matches Bo by name and changes nothing
    assert "Nothing changed" in stakemap("import", str(body), "--org-id", org_id).stdout


def test_bad_usage_exits_2_and_failures_1(stakemap: Stakemap, tmp_path: Path) -> None:
    body = tmp_path / "body.json"
    body.write_text("{}", "utf-8")
    usage = [
        ("import", CONTACTS, "--org", "A", "--org-id", "B"),
        ("import", str(tmp_path / "missing.csv"), "--org", "A"),
        ("import", str(body)),
        ("import", CONTACTS, "--org", "A"),  # the file has an organisation column
        ("import", CONTACTS, "--url", "http://127.0.0.1:9"),  # no --key
        ("import",),
        ("frobnicate",),
    ]
    for argv in usage:
        result = stakemap(*argv)
        assert result.exit_code == 2, (argv, result.output)
    failures = [
        ("import", str(body), "--org-id", "no-such-org"),
        ("export", "influence", "no-such-org"),
        ("import", CONTACTS, "--url", "http://127.0.0.1:9", "--key", "sm_x"),
    ]
    for argv in failures:
        result = stakemap(*argv, tenant=argv[-2] != "--key")
        assert result.exit_code == 1, (argv, result.output)
        errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
        assert len(errors) == 1, result.stderr


OPPORTUNITIES = str(EXAMPLES / "opportunities.csv")
CONTACT_ROLES = str(EXAMPLES / "contact_roles.csv")


def test_salesforce_deals_and_contact_roles_are_imported_once(stakemap: Stakemap) -> None:
    """The Opportunity and OpportunityContactRole exports become deals with their buying
    committees; importing them again changes nothing."""
    deals = ("--opportunities", OPPORTUNITIES, "--contact-roles", CONTACT_ROLES)
    output = import_examples(stakemap, *deals)
    assert "deals" in output
    orgs = stakemap.organisations()
    nordwerk = stakemap.store.snapshot(stakemap.tenant, orgs["Nordwerk Industrial"])
    names = {p.id: p.name for p in nordwerk.people}
    by_name = {d.name: d for d in nordwerk.opportunities}
    assert sorted(by_name) == [
        "Analytics pilot",
        "Line 4 predictive maintenance",
        "Spare parts framework 2025",
    ]
    line4 = by_name["Line 4 predictive maintenance"]
    assert (line4.amount, line4.currency, line4.stage.value) == (
        "480000.00",
        "EUR",
        "negotiation_review",
    )
    owners = {m.id: m.name for m in stakemap.store.list_team_members(stakemap.tenant, limit=10)}
    assert owners[line4.owner_id or ""] == "Anna Weber"
    seats = {
        names[s.person_id]: ([r.value for r in s.roles], s.is_primary)
        for s in nordwerk.committee
        if s.opportunity_id == line4.id
    }
    assert seats == {
        "Elena Marquez": (["decision_maker"], True),
        "Martin Brandt": (["economic_buyer"], False),
        "Stefan Hoffmann": (["technical_buyer", "influencer"], False),
        "Lukas Meier": ([], False),
    }
    before = stakemap.store.snapshot(stakemap.tenant, orgs["Nordwerk Industrial"])

    again = import_examples(stakemap, *deals)

    assert "Nothing changed" in again
    assert stakemap.store.snapshot(stakemap.tenant, orgs["Nordwerk Industrial"]) == before


def test_a_seat_the_store_refuses_is_reported_on_its_contact_role_row(
    stakemap: Stakemap, tmp_path: Path
) -> None:
    roles = tmp_path / "contact_roles.csv"
    roles.write_text(
        Path(CONTACT_ROLES)
        .read_text("utf-8")
        .replace("0035000008,Evaluator", "0039999999,Evaluator"),
        "utf-8",
    )

    result = stakemap(
        "import", CONTACTS, "--opportunities", OPPORTUNITIES, "--contact-roles", str(roles)
    )

    assert result.exit_code == 1
    assert "contact_roles.csv, row 8, column 'ContactId'" in result.stderr
    assert stakemap.organisations() == {}
