"""``stakemap import``: a CRM export (or a JSON import body) into the store, validated whole
before anything is stored. The work is :mod:`app.cli.importing`'s; this shows it."""

from __future__ import annotations

import gc
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from app.cli import importing
from app.cli.backend import Backend
from app.cli.importing import InputFormat, Target
from app.cli.render import err, fail, have, out, print_errors, progress, rows, summary, task
from app.cli.shared import KeyOption, TenantOption, UrlOption, open_backend
from app.crm import ParsedImport

__all__ = ["import_"]


def import_(
    file: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            readable=True,
            metavar="FILE",
            help="Contacts CSV, or a JSON import body",
        ),
    ],
    org: Annotated[
        str | None, typer.Option(help="Organisation every row belongs to (found or created)")
    ] = None,
    org_id: Annotated[
        str | None, typer.Option(help="Id of the organisation every row belongs to")
    ] = None,
    relationships: Annotated[
        Path | None,
        typer.Option(
            exists=True, dir_okay=False, readable=True, help="Relationships CSV to load with it"
        ),
    ] = None,
    opportunities: Annotated[
        Path | None,
        typer.Option(
            exists=True,
            dir_okay=False,
            readable=True,
            help="Salesforce Opportunity export (CSV) to load with it",
        ),
    ] = None,
    contact_roles: Annotated[
        Path | None,
        typer.Option(
            exists=True,
            dir_okay=False,
            readable=True,
            help="Salesforce OpportunityContactRole export (CSV): the deals' buying committees",
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Validate everything and store nothing")
    ] = False,
    fmt: Annotated[
        InputFormat | None,
        typer.Option("--format", help="Input format [default: from the file name]"),
    ] = None,
    batch_rows: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Rows per transaction (an organisation is never split) [default: measured "
            "per store, see docs/PERFORMANCE.md]",
        ),
    ] = None,
    tenant: TenantOption = None,
    url: UrlOption = None,
    key: KeyOption = None,
) -> None:
    """Import a CRM export (or a JSON import body): people, reporting lines, roles, ties and
    deals with their buying committees.

    Re-importing the same file changes nothing: people are matched by external_id, else
    email (else name) within their organisation. Everything is validated before anything is
    stored; each organisation is then stored whole or not at all. The README's "Importing
    from a CRM" section describes the columns.
    """
    if org is not None and org_id is not None:
        raise typer.BadParameter("give --org or --org-id, not both", param_hint="--org-id")
    if fmt is None:
        fmt = importing.format_of(file)
    for option, given in (
        ("--relationships", relationships),
        ("--opportunities", opportunities),
        ("--contact-roles", contact_roles),
    ):
        if fmt is InputFormat.JSON and given is not None:
            raise typer.BadParameter(
                f"a JSON import body carries its own {option.removeprefix('--')}",
                param_hint=option,
            )
    if contact_roles is not None and opportunities is None:
        raise typer.BadParameter(
            "contact roles are seats on the deals of an opportunities file: add --opportunities",
            param_hint="--contact-roles",
        )
    started = time.perf_counter()
    with open_backend(url, key, tenant) as backend:
        label = org_id if org_id is not None else org
        with progress() as display:
            parsed = _read(file, (relationships, opportunities, contact_roles), fmt, label, display)
        # The parsed file lives until the end: keep the cyclic collector from rescanning it.
        gc.freeze()
        if parsed.usage is not None:
            raise typer.BadParameter(parsed.usage, param_hint="FILE")
        for ignored in parsed.ignored:
            err.print(f"note: ignored column {ignored}", soft_wrap=True)
        if parsed.errors:
            print_errors(parsed.errors)
            raise fail(
                f"{rows(parsed.errors)} of {file.name} {have(parsed.errors)} errors; nothing "
                "was stored (fix them and run again)"
            )
        if not parsed.organisations:
            raise fail(f"{file.name} holds no contacts")
        targets = importing.targets(backend, parsed.organisations, org_id)
        _import(
            backend, targets, parsed, dry_run=dry_run, batch_rows=batch_rows or backend.batch_rows
        )
    elapsed = time.perf_counter() - started
    rate = parsed.rows / elapsed if elapsed > 0 else 0.0
    err.print(f"{parsed.rows:,} rows in {elapsed:.1f} s ({rate:,.0f} rows/s), {backend.where}")


def _read(
    file: Path,
    others: tuple[Path | None, Path | None, Path | None],
    fmt: InputFormat,
    organisation: str | None,
    display: Progress,
) -> ParsedImport:
    """The input: ``file`` and ``others`` (the relationships, opportunities and contact
    roles files, each optional)."""
    relationships, opportunities, contact_roles = others
    if fmt is InputFormat.JSON:
        if organisation is None:
            raise typer.BadParameter(
                "a JSON import body is for one organisation: add --org or --org-id"
            )
        return importing.read_json(file, organisation)
    reading = display.add_task(f"Reading {file.name}", total=None)
    parsed = importing.read_csv(
        file,
        relationships,
        organisation,
        on_rows=lambda n: display.advance(reading, n),
        opportunities=opportunities,
        contact_roles=contact_roles,
    )
    display.update(reading, total=parsed.rows, completed=parsed.rows)
    return parsed


def _import(
    backend: Backend,
    targets: list[Target],
    parsed: ParsedImport,
    *,
    dry_run: bool,
    batch_rows: int,
) -> None:
    team = importing.stored_team(backend)
    total = importing.rows_of(targets)
    with task("Validating", total) as advance:
        checked = importing.check(
            backend, targets, batch_rows=batch_rows, stored_team=team, on_rows=advance
        )
    if checked.refused:
        print_errors(checked.refused)
        raise fail(
            f"refused, {rows(checked.refused)} with errors (against the rules of the graph or "
            "what is stored); nothing was stored (fix them and run again)"
        )
    if dry_run:
        out.print(summary(checked.tally, dry_run=True))
        out.print(
            f"All {parsed.rows:,} rows are valid; the import would make "
            f"{checked.tally.changes:,} changes."
        )
        return
    with task("Importing", total) as advance:
        done = importing.write(
            backend, targets, batch_rows=batch_rows, stored_team=team, on_rows=advance
        )
    out.print(summary(done.tally, dry_run=False))
    if done.refused:
        # changed by someone else between validation and writing
        print_errors(done.refused)
        raise fail(
            f"{rows(done.refused)} refused while importing (the stored graph changed meanwhile): "
            "their organisations were not stored, the others were; run the import again"
        )
    if done.tally.changes == 0:
        out.print("Nothing changed: the store already holds this data.")
    else:
        out.print(f"Imported {done.tally.changes:,} changes.")
