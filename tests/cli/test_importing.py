"""``app.cli.importing`` on its own: targets, batches, tallies and refusals against a scripted
backend, with nothing rendered (no store, no terminal)."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.cli import importing
from app.cli.backend import CliFailure
from app.cli.importing import InputFormat, Tally, Target
from app.crm import OrgDraft, RowError, parse_files
from graph.errors import FieldError, NotFound
from graph.port import ImportOutcome, OrgImport
from schemas.imports import ImportRequest
from schemas.resources import OrganisationPublic, TeamMemberPublic
from tests.cli.fakes import ScriptedBackend, result

NOW = datetime(2026, 1, 1, tzinfo=UTC)

CONTACTS = """name,email,organisation,reports_to
Ada,ada@acme.example,Acme,
Bob,bob@acme.example,Acme,ada@acme.example
Cy,cy@globex.example,Globex,
Di,di@initech.example,Initech,
Ed,ed@initech.example,Initech,di@initech.example
Flo,flo@initech.example,Initech,di@initech.example
"""
TIES = """source,target,type,strength
team:anna@ours.example,ada@acme.example,KNOWS,0.8
team:anna@ours.example,cy@globex.example,KNOWS,0.6
team:raj@ours.example,cy@globex.example,KNOWS,0.5
"""


def drafts() -> dict[str, OrgDraft]:
    parsed = parse_files(("contacts.csv", CONTACTS), ("ties.csv", TIES))
    assert not parsed.errors, parsed.errors
    return {draft.name: draft for draft in parsed.organisations}


def org(org_id: str, name: str) -> OrganisationPublic:
    return OrganisationPublic(
        id=org_id, tenant="t", name=name, created_at=NOW, updated_at=NOW, version=1
    )


def member(member_id: str, name: str, email: str | None = None) -> TeamMemberPublic:
    return TeamMemberPublic(
        id=member_id, tenant="t", name=name, email=email, created_at=NOW, updated_at=NOW, version=1
    )


def new_targets(*names: str) -> list[Target]:
    found = drafts()
    return importing.targets(ScriptedBackend(), [found[name] for name in names], None)


# --- reading ------------------------------------------------------------------------------


def test_the_format_comes_from_the_file_name() -> None:
    assert importing.format_of(Path("x/body.Json")) is InputFormat.JSON
    assert importing.format_of(Path("contacts.csv")) is InputFormat.CSV
    assert importing.format_of(Path("export")) is InputFormat.CSV


def test_reading_reports_rows_and_an_unreadable_file_is_one_failure(tmp_path: Path) -> None:
    contacts = tmp_path / "contacts.csv"
    contacts.write_text(CONTACTS, "utf-8")
    seen: list[int] = []

    parsed = importing.read_csv(contacts, None, None, on_rows=seen.append)

    assert parsed.contacts == 6
    assert sum(seen) == 6
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"\xff\xfe\x00\xd8broken")
    with pytest.raises(CliFailure, match="can't decode"):
        importing.read_csv(binary, None, None)
    with pytest.raises(CliFailure):
        importing.read_json(tmp_path / "missing.json", "Acme")


def test_rows_with_errors_counts_each_row_once() -> None:
    errors = [
        RowError("a.csv", 2, "email", "bad"),
        RowError("a.csv", 2, "name", "missing"),
        RowError("b.csv", 2, None, "other file"),
        RowError("a.csv", "-", None, "whole file"),
    ]
    assert importing.rows_with_errors(errors) == 3
    assert importing.rows_with_errors([]) == 0


# --- targets --------------------------------------------------------------------------------


def test_targets_are_stored_organisations_by_name_ignoring_case_else_new_ones() -> None:
    found = drafts()
    backend = ScriptedBackend(stored=[org("o-acme", "ACME"), org("o-other", "Other")])

    targets = importing.targets(backend, [found["Acme"], found["Globex"]], None)

    assert [(d.name, t.org_id, t.create.name if t.create else None) for d, t in targets] == [
        ("Acme", "o-acme", None),
        ("Globex", None, "Globex"),
    ]


def test_a_name_that_two_stored_organisations_carry_is_refused() -> None:
    backend = ScriptedBackend(stored=[org("o1", "Acme"), org("o2", "acme")])

    with pytest.raises(CliFailure, match=r"2 organisations are named 'Acme'.*--org-id"):
        importing.targets(backend, [drafts()["Acme"]], None)


def test_with_an_org_id_every_draft_lands_in_it_and_it_must_exist() -> None:
    found = list(drafts().values())
    backend = ScriptedBackend(stored=[org("o1", "Somewhere")])

    targets = importing.targets(backend, found, "o1")

    assert {item.org_id for _, item in targets} == {"o1"}
    assert all(item.create is None for _, item in targets)
    with pytest.raises(NotFound):
        importing.targets(backend, found, "o-missing")


# --- batches --------------------------------------------------------------------------------


def test_batches_close_before_the_organisation_that_would_overflow() -> None:
    targets = new_targets("Acme", "Globex", "Initech")  # rows: 3, 3, 3 (people + ties)
    assert [d.rows for d, _ in targets] == [3, 3, 3]

    def names(rows: int) -> list[list[str]]:
        return [[d.name for d, _ in batch] for batch in importing.batches(targets, rows)]

    assert names(6) == [["Acme", "Globex"], ["Initech"]]
    assert names(5) == [["Acme"], ["Globex"], ["Initech"]]
    assert names(1) == [["Acme"], ["Globex"], ["Initech"]]  # an organisation is never split
    assert names(100) == [["Acme", "Globex", "Initech"]]
    assert list(importing.batches([], 10)) == []


@dataclass
class Sized:
    rows: int


@given(st.lists(st.integers(min_value=1, max_value=50), max_size=30), st.integers(1, 120))
def test_batches_keep_order_and_are_as_full_as_the_limit_allows(
    sizes: list[int], rows: int
) -> None:
    items = [(Sized(n), OrgImport(ImportRequest(), org_id=f"o{i}")) for i, n in enumerate(sizes)]

    groups = list(importing.batches(items, rows))  # type: ignore[arg-type]

    assert [item for group in groups for item in group] == items
    for number, group in enumerate(groups):
        size = sum(d.rows for d, _ in group)
        assert group
        assert size <= rows or len(group) == 1
        if number + 1 < len(groups):  # closed only when the next organisation did not fit
            assert size + groups[number + 1][0][0].rows > rows


# --- the two passes -------------------------------------------------------------------------


def test_check_is_a_dry_run_over_every_batch_and_reports_its_rows() -> None:
    backend = ScriptedBackend()
    targets = new_targets("Acme", "Globex", "Initech")
    done: list[int] = []

    found = importing.check(backend, targets, batch_rows=6, stored_team=set(), on_rows=done.append)

    assert backend.calls == [(["Acme", "Globex"], True), (["Initech"], True)]
    assert done == [6, 3]
    assert found.refused == []
    assert found.tally.organisations.created == 3
    assert found.tally.created.people == 3
    assert found.tally.changes == 3 + 3 + 2  # people, ties, and the two new team members


def test_check_locates_every_refusal_sorted_by_file_row_and_column() -> None:
    def decide(item: OrgImport, dry_run: bool) -> ImportOutcome:
        name = item.create.name if item.create else ""
        if name == "Initech":
            return ImportOutcome(
                errors=[
                    FieldError("people[2].email", "taken"),
                    FieldError("people[1].reports_to", "a cycle"),
                ]
            )
        if name == "Acme":
            return ImportOutcome(errors=[FieldError("relationships[0].strength", "too weak")])
        return ImportOutcome(result=result(item, created=1))

    found = importing.check(
        ScriptedBackend(decide),
        new_targets("Initech", "Acme", "Globex"),
        batch_rows=100,
        stored_team=set(),
    )

    assert [str(e) for e in found.refused] == [
        "contacts.csv, row 6, column 'reports_to': a cycle",
        "contacts.csv, row 7, column 'email': taken",
        "ties.csv, row 2, column 'strength': too weak",
    ]
    assert found.tally.organisations.created == 1  # Globex would still be fine


def test_an_organisation_gone_since_the_lookup_is_refused_by_its_id() -> None:
    backend = ScriptedBackend(
        lambda item, dry_run: ImportOutcome(missing=True), stored=[org("o-acme", "Acme")]
    )
    targets = importing.targets(backend, [drafts()["Acme"]], None)

    found = importing.write(backend, targets, batch_rows=100, stored_team=set())

    assert found.refused == [RowError("-", "-", None, "organisation o-acme no longer exists")]
    assert backend.calls == [(["o-acme"], False)]


def test_write_stores_for_real_and_keeps_the_refusals_in_the_order_met() -> None:
    def decide(item: OrgImport, dry_run: bool) -> ImportOutcome:
        if item.create is not None and item.create.name == "Initech":
            return ImportOutcome(errors=[FieldError("people[2].name", "changed meanwhile")])
        if item.create is not None and item.create.name == "Acme":
            return ImportOutcome(errors=[FieldError("people[0].name", "changed meanwhile")])
        return ImportOutcome(result=result(item, created=1))

    backend = ScriptedBackend(decide)
    done = importing.write(
        backend, new_targets("Initech", "Globex", "Acme"), batch_rows=3, stored_team=set()
    )

    assert [dry for _, dry in backend.calls] == [False, False, False]
    assert [e.row for e in done.refused] == [7, 2]  # Initech's Flo, then Acme's Ada
    assert done.tally.organisations.created == 1


def test_the_tally_counts_a_team_member_once_however_many_organisations_name_them() -> None:
    anna = "team:anna@ours.example"
    backend = ScriptedBackend(
        lambda item, dry_run: ImportOutcome(
            result=result(item, team_ids={anna: "m-anna"}, unchanged=1)
        ),
        stored_team=[member("m-anna", "Anna", "anna@ours.example")],
    )
    targets = new_targets("Acme", "Globex")  # Anna in both, Raj (new) in Globex
    team = importing.stored_team(backend)

    found = importing.check(backend, targets, batch_rows=1, stored_team=team)

    assert team == {"m-anna"}
    assert found.tally.unchanged.team == 1  # Anna, stored, named twice
    assert found.tally.created.team == 1  # Raj, new
    assert found.tally.new_team == {"team:raj@ours.example"}


def test_the_tally_tells_created_updated_and_unchanged_organisations_apart() -> None:
    found = drafts()
    acme = OrgImport(found["Acme"].request, org_id="o-acme")
    tally = Tally(set())

    tally.add(found["Acme"], True, ImportOutcome(result=result(acme, created=2)))
    tally.add(found["Acme"], False, ImportOutcome(result=result(acme, updated=1, removed=1)))
    tally.add(found["Acme"], False, ImportOutcome(result=result(acme, unchanged=2)))

    orgs = tally.organisations
    assert (orgs.created, orgs.updated, orgs.unchanged) == (1, 1, 1)
    assert (tally.created.people, tally.updated.people, tally.unchanged.people) == (2, 1, 2)
    assert tally.removed.relationships == 1
    assert tally.changes == (2 + 2 + 1) + (1 + 1) + 1  # created (Anna new), updated, removed


def test_the_import_logic_imports_nothing_that_renders() -> None:
    source = Path(importing.__file__).read_text("utf-8")
    modules = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
    assert "app.crm" in modules  # the walk sees the imports
    assert not {m for m in modules if m.split(".")[0] in {"rich", "typer", "click"}}
    assert "app.cli.render" not in modules
