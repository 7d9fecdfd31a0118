"""What ``stakemap import`` does, without showing any of it: read the input, decide which
organisation each draft lands in, send batches to the backend, and sum up what was (or, dry,
would be) done and what was refused.

An import runs in two passes over the same batches: :func:`check` (a dry run, which finds
every refusal before anything is stored) and :func:`write`. Each returns a :class:`Pass`;
the command decides what to print. Progress is reported through ``on_rows(n)`` callbacks
(rows done), so this module knows nothing of the terminal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from app.cli.backend import Backend, CliFailure
from app.crm import OrgDraft, ParsedImport, RowError, decode, parse_files, parse_json
from graph.lookup import Directory, Key
from graph.port import ImportOutcome, OrgImport
from schemas.imports import ImportCounts
from schemas.resources import OrganisationCreate

__all__ = [
    "Counter3",
    "InputFormat",
    "Pass",
    "Tally",
    "Target",
    "batches",
    "check",
    "format_of",
    "read_csv",
    "read_json",
    "refusal",
    "rows_of",
    "rows_with_errors",
    "stored_team",
    "targets",
    "write",
]

#: A draft with the organisation it lands in.
Target = tuple[OrgDraft, OrgImport]


def _ignore(rows: int) -> None:
    """An ``on_rows`` that reports nowhere."""


# --- reading ------------------------------------------------------------------------------


class InputFormat(StrEnum):
    CSV = "csv"
    JSON = "json"


def format_of(file: Path) -> InputFormat:
    """The format a file's name suggests: JSON for ``.json`` (any case), else CSV.

    >>> format_of(Path("body.JSON")), format_of(Path("contacts.txt"))
    (<InputFormat.JSON: 'json'>, <InputFormat.CSV: 'csv'>)
    """
    return InputFormat.JSON if file.suffix.lower() == ".json" else InputFormat.CSV


def _text(path: Path) -> tuple[str, str]:
    """(file name, its text); an unreadable or undecodable file is a :class:`CliFailure`."""
    try:
        return path.name, decode(path.read_bytes(), path.name)
    except (OSError, ValueError) as exc:
        raise CliFailure(str(exc)) from exc


def read_json(file: Path, organisation: str) -> ParsedImport:
    """A JSON import body, for the one organisation named ``organisation``."""
    name, body = _text(file)
    return parse_json(name, body, organisation=organisation)


def read_csv(
    file: Path,
    relationships: Path | None,
    organisation: str | None,
    on_rows: Callable[[int], None] = _ignore,
    *,
    opportunities: Path | None = None,
    contact_roles: Path | None = None,
) -> ParsedImport:
    """A contacts CSV (and a relationships CSV, a Salesforce Opportunity export and its
    OpportunityContactRole export); ``on_rows(n)`` as rows are read."""
    return parse_files(
        _text(file),
        _text(relationships) if relationships is not None else None,
        organisation=organisation,
        progress=on_rows,
        opportunities=_text(opportunities) if opportunities is not None else None,
        contact_roles=_text(contact_roles) if contact_roles is not None else None,
    )


def rows_with_errors(errors: Sequence[RowError]) -> int:
    """How many input rows ``errors`` are about (a row with two errors counts once).

    >>> rows_with_errors([RowError("a.csv", 2, None, "x"), RowError("a.csv", 2, "email", "y"),
    ...                   RowError("b.csv", 2, None, "z")])
    2
    """
    return len({(e.file, e.row) for e in errors})


# --- where each organisation goes -----------------------------------------------------------


def targets(backend: Backend, drafts: list[OrgDraft], org_id: str | None) -> list[Target]:
    """Each draft with the organisation it lands in: an existing one (by id or by name,
    ignoring case), or a new one.

    Raises :class:`~graph.errors.NotFound` when ``org_id`` is not stored, and
    :class:`CliFailure` when a draft's name is that of several stored organisations.
    """
    if org_id is not None:
        backend.organisation(org_id)  # NotFound: one clear line
        return [(draft, OrgImport(draft.request, org_id=org_id)) for draft in drafts]
    stored = Directory(backend.organisations())
    found: list[Target] = []
    for draft in drafts:
        named = stored.get(Key.NAME, draft.name)
        if len(named) > 1:
            raise CliFailure(
                f"{len(named)} organisations are named {draft.name!r}; import them one at a "
                "time with --org-id"
            )
        if named:
            found.append((draft, OrgImport(draft.request, org_id=named[0].id)))
        else:
            create = OrganisationCreate(name=draft.name)
            found.append((draft, OrgImport(draft.request, create=create)))
    return found


def stored_team(backend: Backend) -> set[str]:
    """The ids of the team members stored before the import (to tell new ones apart)."""
    return {member.id for member in backend.team()}


# --- batches --------------------------------------------------------------------------------


def rows_of(items: Sequence[Target]) -> int:
    """Input rows (people and ties) of ``items``."""
    return sum(draft.rows for draft, _ in items)


def batches(items: Sequence[Target], rows: int) -> Iterator[list[Target]]:
    """Groups of organisations of about ``rows`` rows each (an organisation is never split):
    a batch is closed before the organisation that would take it over ``rows``, and an
    organisation larger than ``rows`` is a batch of its own."""
    batch: list[Target] = []
    size = 0
    for item in items:
        if batch and size + item[0].rows > rows:
            yield batch
            batch, size = [], 0
        batch.append(item)
        size += item[0].rows
    if batch:
        yield batch


def refusal(draft: OrgDraft, item: OrgImport, outcome: ImportOutcome) -> list[RowError]:
    """Why ``item`` was refused, located in the input (file, row, column)."""
    if outcome.missing:
        return [RowError("-", "-", None, f"organisation {item.org_id} no longer exists")]
    return [draft.locate(e.field, e.reason) for e in outcome.errors]


# --- what an import did ---------------------------------------------------------------------


@dataclass
class Counter3:
    """Organisations created, updated, unchanged."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class Tally:
    """What an import did (or, dry, would do), summed over organisations.

    Team members are tenant-wide, so they are counted once however many organisations
    name them: new ones by ref (a dry run gives each batch its own ids), known ones by id.
    """

    stored_team: set[str]
    organisations: Counter3 = field(default_factory=Counter3)
    created: ImportCounts = field(default_factory=ImportCounts)
    updated: ImportCounts = field(default_factory=ImportCounts)
    unchanged: ImportCounts = field(default_factory=ImportCounts)
    removed: ImportCounts = field(default_factory=ImportCounts)
    new_team: set[str] = field(default_factory=set)
    known_team: set[str] = field(default_factory=set)

    def add(self, draft: OrgDraft, new: bool, outcome: ImportOutcome) -> None:
        """Count one organisation's accepted outcome (``new``: it was created)."""
        result = outcome.result
        assert result is not None
        if new:
            self.organisations.created += 1
        elif result.changed:
            self.organisations.updated += 1
        else:
            self.organisations.unchanged += 1
        for mine, theirs in (
            (self.created, result.created),
            (self.updated, result.updated),
            (self.unchanged, result.unchanged),
            (self.removed, result.removed),
        ):
            mine.people += theirs.people
            mine.relationships += theirs.relationships
            mine.opportunities += theirs.opportunities
            mine.committee += theirs.committee
        for member in draft.request.team:
            member_id = result.ids[member.ref]
            if member_id in self.stored_team:
                self.known_team.add(member_id)
            else:
                self.new_team.add(member.ref)
        self.created.team = len(self.new_team)
        self.unchanged.team = len(self.known_team)

    @property
    def changes(self) -> int:
        return self.created.total + self.updated.total + self.removed.total


@dataclass
class Pass:
    """One pass of an import over every batch: what was accepted, and what was refused."""

    tally: Tally
    refused: list[RowError] = field(default_factory=list)


def _run(
    backend: Backend,
    items: Sequence[Target],
    *,
    dry_run: bool,
    batch_rows: int,
    stored_team: set[str],
    on_rows: Callable[[int], None],
) -> Pass:
    done = Pass(Tally(stored_team))
    for batch in batches(items, batch_rows):
        outcomes = backend.import_batch([item for _, item in batch], dry_run=dry_run)
        for (draft, item), outcome in zip(batch, outcomes, strict=True):
            if outcome.ok:
                done.tally.add(draft, item.create is not None, outcome)
            else:
                done.refused.extend(refusal(draft, item, outcome))
        on_rows(rows_of(batch))
    return done


def check(
    backend: Backend,
    items: Sequence[Target],
    *,
    batch_rows: int,
    stored_team: set[str],
    on_rows: Callable[[int], None] = _ignore,
) -> Pass:
    """Validate every batch against the store (a dry run): what the import would do, and
    every refusal, sorted by file, row and column."""
    found = _run(
        backend,
        items,
        dry_run=True,
        batch_rows=batch_rows,
        stored_team=stored_team,
        on_rows=on_rows,
    )
    found.refused.sort(key=lambda e: (e.file, str(e.row).zfill(12), e.column or ""))
    return found


def write(
    backend: Backend,
    items: Sequence[Target],
    *,
    batch_rows: int,
    stored_team: set[str],
    on_rows: Callable[[int], None] = _ignore,
) -> Pass:
    """Store every batch: what was done, and (in the order met) the rows of organisations
    refused because the stored graph changed since :func:`check`; the others are stored."""
    return _run(
        backend,
        items,
        dry_run=False,
        batch_rows=batch_rows,
        stored_team=stored_team,
        on_rows=on_rows,
    )
