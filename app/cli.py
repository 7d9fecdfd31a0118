"""The ``stakemap`` command: serve the API, load the demo account, import CRM exports, export
analytics, show who to reach next and the ways in, and manage API keys.

Commands work on the configured store (``STAKEMAP_*`` settings) unless ``--url`` and
``--key`` point them at a running server. Exit codes: 0 success, 1 failure, 2 bad usage;
errors are one line each, on standard error.
"""

from __future__ import annotations

import gc
import os
import re
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console, JustifyMethod
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from app.bootstrap import build_store
from app.cli_backend import Backend, CliFailure, RemoteBackend, open_local
from app.crm import OrgDraft, ParsedImport, RowError, decode, parse_files, parse_json
from app.demo import DEMO_ORGANISATION, demo_import
from app.main import BOOTSTRAP_TENANT
from app.migrate_command import migrate
from app.security import generate_key, hash_key
from app.settings import Settings
from graph.errors import NotFound, StakemapError
from graph.port import MAX_PAGE_SIZE, GraphStore, ImportOutcome, OrgImport
from schemas.analytics import EntryPath
from schemas.common import KeyRole
from schemas.imports import ImportCounts, ImportRequest
from schemas.resources import OrganisationCreate

cli = typer.Typer(
    help="Stakemap: stakeholder power maps for key-account teams.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
keys_cli = typer.Typer(help="Manage API keys (on the configured store).", no_args_is_help=True)
export_cli = typer.Typer(
    help="Export an organisation's analytics to a file or standard output.", no_args_is_help=True
)
cli.add_typer(keys_cli, name="keys")
cli.add_typer(export_cli, name="export")
cli.command("migrate")(migrate)
out = Console()
err = Console(stderr=True)

QUICKSTART_KEY_NAME = "quickstart"


def _store() -> GraphStore:
    try:
        return build_store(Settings())
    except StakemapError as exc:
        err.print(f"[red]error:[/] {exc.detail}")
        raise typer.Exit(1) from exc


def _fail(message: str) -> typer.Exit:
    err.print(Text("error: ", style="red").append(message), soft_wrap=True)
    return typer.Exit(1)


# --- where the data is --------------------------------------------------------------------

UrlOption = Annotated[
    str | None,
    typer.Option(
        "--url",
        envvar="STAKEMAP_URL",
        help="Work through the API of the server at this URL instead of the configured store",
    ),
]
KeyOption = Annotated[
    str | None,
    typer.Option("--key", envvar="STAKEMAP_API_KEY", help="API key for --url (its tenant)"),
]
TenantOption = Annotated[
    str | None,
    typer.Option("--tenant", help=f"Tenant on the configured store [default: {BOOTSTRAP_TENANT}]"),
]


@contextmanager
def _backend(url: str | None, key: str | None, tenant: str | None) -> Iterator[Backend]:
    """The backend the options ask for; failures inside become one line and exit 1."""
    if url is not None:
        if key is None:
            raise typer.BadParameter("--url needs --key (or STAKEMAP_API_KEY)", param_hint="--key")
        if tenant is not None:
            raise typer.BadParameter(
                "with --url the API key decides the tenant; leave out --tenant",
                param_hint="--tenant",
            )
        backend: Backend = RemoteBackend(url, key)
    else:
        try:
            backend = open_local(tenant or BOOTSTRAP_TENANT)
        except CliFailure as exc:
            raise _fail(str(exc)) from exc
    try:
        yield backend
    except CliFailure as exc:
        raise _fail(str(exc)) from exc
    except StakemapError as exc:
        raise _fail(exc.detail) from exc
    finally:
        backend.close()


_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)


def _resolve_org(backend: Backend, org: str) -> str:
    """The id of the organisation named ``org`` (an id, or a name ignoring case)."""
    if _UUID.match(org):
        try:
            return backend.organisation(org).id
        except NotFound:
            pass
    matches = [o for o in backend.organisations() if o.name.casefold() == org.casefold()]
    if len(matches) == 1:
        return matches[0].id
    if matches:
        ids = ", ".join(o.id for o in matches)
        raise CliFailure(f"{len(matches)} organisations are named {org!r} ({ids}); use an id")
    raise CliFailure(f"no organisation {org!r} in {backend.where}")


# --- serve, demo ----------------------------------------------------------------------------


class StoreKind(StrEnum):
    SQLITE = "sqlite"
    NEO4J = "neo4j"


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes")] = 1,
    store: Annotated[
        StoreKind | None, typer.Option(help="Store to serve (default: STAKEMAP_STORE)")
    ] = None,
    sqlite_path: Annotated[
        Path | None, typer.Option(help="SQLite file (default: STAKEMAP_SQLITE_PATH)")
    ] = None,
    neo4j_uri: Annotated[
        str | None, typer.Option(help="Neo4j URI (default: STAKEMAP_NEO4J_URI)")
    ] = None,
) -> None:
    """Serve the HTTP API (the store comes from STAKEMAP_* settings or these options)."""
    import uvicorn

    from app.server import uvicorn_options

    for name, value in (
        ("STAKEMAP_STORE", store.value if store else None),
        ("STAKEMAP_SQLITE_PATH", str(sqlite_path) if sqlite_path else None),
        ("STAKEMAP_NEO4J_URI", neo4j_uri),
    ):
        if value is not None:
            os.environ[name] = value  # read by every worker's lifespan
    if workers > 1:
        os.environ.setdefault("STAKEMAP_CACHE_REVALIDATE", "true")
    options = uvicorn_options(Settings())
    uvicorn.run("app.main:app", host=host, port=port, workers=workers, log_level="info", **options)


def _find_demo(store: GraphStore, tenant: str) -> str | None:
    after: str | None = None
    while True:
        page = store.list_organisations(tenant, limit=MAX_PAGE_SIZE, after=after)
        for org in page:
            if org.external_id == DEMO_ORGANISATION["external_id"]:
                return org.id
        if len(page) < MAX_PAGE_SIZE:
            return None
        after = page[-1].id


@cli.command()
def demo(
    tenant: Annotated[str, typer.Option(help="Tenant to load it into")] = BOOTSTRAP_TENANT,
    print_key: Annotated[
        bool, typer.Option(help="Make sure an admin key exists and print how to use it")
    ] = True,
) -> None:
    """Load the demo account (once) and print an admin API key for it."""
    store = _store()
    try:
        org_id = _find_demo(store, tenant)
        if org_id is None:
            org = store.create_organisation(tenant, OrganisationCreate(**DEMO_ORGANISATION))
            result = store.import_graph(tenant, org.id, ImportRequest.model_validate(demo_import()))
            org_id = org.id
            out.print(
                f"Loaded the demo account {DEMO_ORGANISATION['name']!r}: "
                f"{result.created.people} people, {result.created.team} team members, "
                f"{result.created.relationships} ties."
            )
        else:
            out.print(f"The demo account is already loaded ({org_id}).")
        if print_key:
            _print_quickstart_key(store, tenant)
        out.print(f"Demo organisation id: {org_id}")
    finally:
        store.close()


def _pepper() -> str:
    return Settings().key_pepper.get_secret_value()


def _print_quickstart_key(store: GraphStore, tenant: str) -> None:
    bootstrap = Settings().bootstrap_admin_key
    if bootstrap is not None:
        store.ensure_api_key(
            BOOTSTRAP_TENANT,
            KeyRole.ADMIN,
            "bootstrap",
            hash_key(bootstrap.get_secret_value(), _pepper()),
        )
        out.print("Admin API key: the value of STAKEMAP_BOOTSTRAP_ADMIN_KEY")
        return
    # A fresh key each run; the previous quickstart key stops working.
    for key in store.list_api_keys(tenant):
        if key.name == QUICKSTART_KEY_NAME and key.revoked_at is None:
            store.revoke_api_key(tenant, key.id)
    secret = generate_key()
    store.create_api_key(tenant, KeyRole.ADMIN, QUICKSTART_KEY_NAME, hash_key(secret, _pepper()))
    out.print(f"Admin API key (shown once): [bold]{secret}[/]")
    out.print(f"  curl -H 'Authorization: Bearer {secret}' http://127.0.0.1:8000/v1/organisations")


# --- import ---------------------------------------------------------------------------------


class RateColumn(ProgressColumn):
    """Rows per second, from Rich's own speed estimate."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:,.0f} rows/s", style="progress.data.speed")


def _progress() -> Progress:
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(),
        TimeElapsedColumn(),
        console=err,
    )


class InputFormat(StrEnum):
    CSV = "csv"
    JSON = "json"


@dataclass
class Counter3:
    """Organisations created, updated, unchanged."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class _Tally:
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


def batches(
    items: Sequence[tuple[OrgDraft, OrgImport]], rows: int
) -> Iterator[list[tuple[OrgDraft, OrgImport]]]:
    """Groups of organisations of about ``rows`` rows each (an organisation is never split)."""
    batch: list[tuple[OrgDraft, OrgImport]] = []
    size = 0
    for item in items:
        if batch and size + item[0].rows > rows:
            yield batch
            batch, size = [], 0
        batch.append(item)
        size += item[0].rows
    if batch:
        yield batch


def _read(
    file: Path,
    relationships: Path | None,
    fmt: InputFormat,
    organisation: str | None,
    progress: Progress,
) -> ParsedImport:
    def text(path: Path) -> tuple[str, str]:
        try:
            return path.name, decode(path.read_bytes(), path.name)
        except (OSError, ValueError) as exc:
            raise CliFailure(str(exc)) from exc

    if fmt is InputFormat.JSON:
        if organisation is None:
            raise typer.BadParameter(
                "a JSON import body is for one organisation: add --org or --org-id"
            )
        name, body = text(file)
        return parse_json(name, body, organisation=organisation)
    task = progress.add_task(f"Reading {file.name}", total=None)
    parsed = parse_files(
        text(file),
        text(relationships) if relationships is not None else None,
        organisation=organisation,
        progress=lambda n: progress.advance(task, n),
    )
    progress.update(task, total=parsed.rows, completed=parsed.rows)
    return parsed


def _targets(
    backend: Backend,
    drafts: list[OrgDraft],
    org_id: str | None,
) -> list[tuple[OrgDraft, OrgImport]]:
    """Each draft with the organisation it lands in: an existing one (by id or by name,
    ignoring case), or a new one."""
    if org_id is not None:
        backend.organisation(org_id)  # NotFound: one clear line
        return [(draft, OrgImport(draft.request, org_id=org_id)) for draft in drafts]
    by_name: dict[str, list[str]] = {}
    for org in backend.organisations():
        by_name.setdefault(org.name.casefold(), []).append(org.id)
    targets: list[tuple[OrgDraft, OrgImport]] = []
    for draft in drafts:
        found = by_name.get(draft.name.casefold(), [])
        if len(found) > 1:
            raise CliFailure(
                f"{len(found)} organisations are named {draft.name!r}; import them one at a "
                "time with --org-id"
            )
        if found:
            targets.append((draft, OrgImport(draft.request, org_id=found[0])))
        else:
            create = OrganisationCreate(name=draft.name)
            targets.append((draft, OrgImport(draft.request, create=create)))
    return targets


def _run_batches(
    backend: Backend,
    targets: list[tuple[OrgDraft, OrgImport]],
    *,
    dry_run: bool,
    batch_rows: int,
    progress: Progress,
    description: str,
    on_outcome: Callable[[OrgDraft, OrgImport, ImportOutcome], None],
) -> None:
    task = progress.add_task(description, total=sum(d.rows for d, _ in targets))
    for batch in batches(targets, batch_rows):
        outcomes = backend.import_batch([item for _, item in batch], dry_run=dry_run)
        for (draft, item), outcome in zip(batch, outcomes, strict=True):
            on_outcome(draft, item, outcome)
        progress.advance(task, sum(d.rows for d, _ in batch))


def _refusal(draft: OrgDraft, item: OrgImport, outcome: ImportOutcome) -> list[RowError]:
    if outcome.missing:
        return [RowError("-", "-", None, f"organisation {item.org_id} no longer exists")]
    return [draft.locate(e.field, e.reason) for e in outcome.errors]


def _print_errors(errors: list[RowError], limit: int | None = None) -> None:
    shown = errors if limit is None else errors[:limit]
    for error in shown:
        err.print(Text(str(error)), soft_wrap=True)


def _summary(tally: _Tally, *, dry_run: bool) -> Table:
    table = Table(
        title="Dry run: what the import would do (nothing was stored)" if dry_run else None,
        title_justify="left",
        show_edge=False,
        pad_edge=False,
    )
    table.add_column("")
    for column in ("created", "updated", "unchanged", "removed"):
        table.add_column(column, justify="right")
    orgs = tally.organisations
    table.add_row("organisations", str(orgs.created), str(orgs.updated), str(orgs.unchanged), "")
    for label, name in (("people", "people"), ("team members", "team"), ("ties", "relationships")):
        table.add_row(
            label,
            str(getattr(tally.created, name)),
            str(getattr(tally.updated, name)) if name != "team" else "",
            str(getattr(tally.unchanged, name)),
            str(getattr(tally.removed, name)) if name == "relationships" else "",
        )
    return table


@cli.command("import")
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
    """Import a CRM export (or a JSON import body): people, reporting lines, roles and ties.

    Re-importing the same file changes nothing: people are matched by external_id, else
    email (else name) within their organisation. Everything is validated before anything is
    stored; each organisation is then stored whole or not at all. The README's "Importing
    from a CRM" section describes the columns.
    """
    if org is not None and org_id is not None:
        raise typer.BadParameter("give --org or --org-id, not both", param_hint="--org-id")
    if fmt is None:
        fmt = InputFormat.JSON if file.suffix.lower() == ".json" else InputFormat.CSV
    if fmt is InputFormat.JSON and relationships is not None:
        raise typer.BadParameter(
            "a JSON import body carries its own relationships", param_hint="--relationships"
        )
    started = time.perf_counter()
    with _backend(url, key, tenant) as backend:
        label = org_id if org_id is not None else org
        with _progress() as progress:
            parsed = _read(file, relationships, fmt, label, progress)
        # The parsed file lives until the end: keep the cyclic collector from rescanning it.
        gc.freeze()
        if parsed.usage is not None:
            raise typer.BadParameter(parsed.usage, param_hint="FILE")
        for ignored in parsed.ignored:
            err.print(f"note: ignored column {ignored}", soft_wrap=True)
        if parsed.errors:
            _print_errors(parsed.errors)
            raise _fail(
                f"{_rows(parsed.errors)} of {file.name} {_have(parsed.errors)} errors; nothing "
                "was stored (fix them and run again)"
            )
        if not parsed.organisations:
            raise _fail(f"{file.name} holds no contacts")
        targets = _targets(backend, parsed.organisations, org_id)
        rows = batch_rows or backend.batch_rows
        _import(backend, targets, parsed, dry_run=dry_run, batch_rows=rows)
    elapsed = time.perf_counter() - started
    rate = parsed.rows / elapsed if elapsed > 0 else 0.0
    err.print(f"{parsed.rows:,} rows in {elapsed:.1f} s ({rate:,.0f} rows/s), {backend.where}")


def _rows(errors: list[RowError]) -> str:
    count = len({(e.file, e.row) for e in errors})
    return f"{count} row{'s' if count != 1 else ''}"


def _have(errors: list[RowError]) -> str:
    return "has" if len({(e.file, e.row) for e in errors}) == 1 else "have"


def _import(
    backend: Backend,
    targets: list[tuple[OrgDraft, OrgImport]],
    parsed: ParsedImport,
    *,
    dry_run: bool,
    batch_rows: int,
) -> None:
    refused: list[RowError] = []
    stored_team = {m.id for m in backend.team()}
    check = _Tally(stored_team)

    def checked(draft: OrgDraft, item: OrgImport, outcome: ImportOutcome) -> None:
        if outcome.result is None:
            refused.extend(_refusal(draft, item, outcome))
        else:
            check.add(draft, item.create is not None, outcome)

    with _progress() as progress:
        _run_batches(
            backend,
            targets,
            dry_run=True,
            batch_rows=batch_rows,
            progress=progress,
            description="Validating",
            on_outcome=checked,
        )
    if refused:
        refused.sort(key=lambda e: (e.file, str(e.row).zfill(12), e.column or ""))
        _print_errors(refused)
        raise _fail(
            f"refused, {_rows(refused)} with errors (against the rules of the graph or what is "
            "stored); nothing was stored (fix them and run again)"
        )
    if dry_run:
        out.print(_summary(check, dry_run=True))
        out.print(
            f"All {parsed.rows:,} rows are valid; the import would make {check.changes:,} changes."
        )
        return

    done = _Tally(stored_team)

    def imported(draft: OrgDraft, item: OrgImport, outcome: ImportOutcome) -> None:
        if outcome.ok:
            done.add(draft, item.create is not None, outcome)
        else:
            refused.extend(_refusal(draft, item, outcome))

    with _progress() as progress:
        _run_batches(
            backend,
            targets,
            dry_run=False,
            batch_rows=batch_rows,
            progress=progress,
            description="Importing",
            on_outcome=imported,
        )
    out.print(_summary(done, dry_run=False))
    if refused:
        # changed by someone else between validation and writing
        _print_errors(refused)
        raise _fail(
            f"{_rows(refused)} refused while importing (the stored graph changed meanwhile): "
            "their organisations were not stored, the others were; run the import again"
        )
    if done.changes == 0:
        out.print("Nothing changed: the store already holds this data.")
    else:
        out.print(f"Imported {done.changes:,} changes.")


# --- export -------------------------------------------------------------------------------

OrgArgument = Annotated[str, typer.Argument(help="Organisation id or name")]
OutputOption = Annotated[
    Path | None,
    typer.Option("--output", "-o", dir_okay=False, help="File to write [default: stdout]"),
]


class TableFormatOption(StrEnum):
    CSV = "csv"
    JSON = "json"


def _write(data: bytes, output: Path | None) -> None:
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    try:
        output.write_bytes(data)
    except OSError as exc:
        raise CliFailure(f"cannot write {output}: {exc.strerror}") from exc
    err.print(f"wrote {output} ({len(data):,} bytes)")


@export_cli.command("influence")
def export_influence(
    org: OrgArgument,
    output: OutputOption = None,
    fmt: Annotated[
        TableFormatOption, typer.Option("--format", help="csv or json")
    ] = TableFormatOption.CSV,
    tenant: TenantOption = None,
    url: UrlOption = None,
    key: KeyOption = None,
) -> None:
    """Everyone's power, rank and its four components (formal, informal, brokerage,
    declared)."""
    with _backend(url, key, tenant) as backend:
        org_id = _resolve_org(backend, org)
        if fmt is TableFormatOption.CSV:
            data = backend.influence_csv(org_id).encode()
        else:
            data = backend.influence(org_id).model_dump_json(indent=2).encode() + b"\n"
        _write(data, output)


@export_cli.command("graphml")
def export_graphml(
    org: OrgArgument,
    output: OutputOption = None,
    tenant: TenantOption = None,
    url: UrlOption = None,
    key: KeyOption = None,
) -> None:
    """The organisation's graph as GraphML, for Gephi or yEd."""
    with _backend(url, key, tenant) as backend:
        _write(backend.export(_resolve_org(backend, org), "graphml"), output)


class MapFormat(StrEnum):
    JSON = "json"
    SVG = "svg"


@export_cli.command("power-map")
def export_power_map(
    org: OrgArgument,
    output: OutputOption = None,
    fmt: Annotated[
        MapFormat, typer.Option("--format", help="json (Cytoscape.js elements) or svg")
    ] = MapFormat.JSON,
    tenant: TenantOption = None,
    url: UrlOption = None,
    key: KeyOption = None,
) -> None:
    """The power map with its layout: Cytoscape.js elements JSON, or a standalone SVG."""
    kind = "power-map" if fmt is MapFormat.JSON else "svg"
    with _backend(url, key, tenant) as backend:
        _write(backend.export(_resolve_org(backend, org), kind), output)


# --- next, paths --------------------------------------------------------------------------


def _percent(p: float) -> str:
    return f"{p:.0%}" if p >= 0.1 else f"{p:.1%}"


def _member_id(backend: Backend, member: str | None) -> str | None:
    if member is None:
        return None
    folded = member.casefold()
    team = backend.team()
    for match in (
        [m for m in team if m.id == member],
        [m for m in team if m.email and m.email.casefold() == folded],
        [m for m in team if m.name.casefold() == folded],
    ):
        if len(match) == 1:
            return match[0].id
        if match:
            raise CliFailure(f"{len(match)} team members match {member!r}; use an id or email")
    raise CliFailure(f"no team member {member!r} in {backend.where}")


def _person_id(backend: Backend, org_id: str, person: str | None) -> str | None:
    if person is None:
        return None
    folded = person.casefold()
    people = backend.people(org_id)
    for match in (
        [p for p in people if p.id == person or p.external_id == person],
        [p for p in people if p.email and p.email.casefold() == folded],
        [p for p in people if p.name.casefold() == folded],
    ):
        if len(match) == 1:
            return match[0].id
        if match:
            raise CliFailure(f"{len(match)} people match {person!r}; use an id or email")
    raise CliFailure(f"no person {person!r} in this organisation")


def _path_text(path: EntryPath) -> str:
    hops = [path.member_name] + [
        f"{step.to_name} ({_percent(step.probability)})" for step in path.steps
    ]
    return " → ".join(hops)


MemberOption = Annotated[
    str | None,
    typer.Option("--member", help="Only this team member's reach (id, email or name)"),
]


@cli.command("next")
def next_(
    org: OrgArgument,
    target: Annotated[
        str | None,
        typer.Option(
            help="Person uplift is measured toward (id, email, external_id or name) "
            "[default: the top decision-maker]"
        ),
    ] = None,
    member: MemberOption = None,
    limit: Annotated[int, typer.Option(min=1, max=50, help="How many people")] = 5,
    tenant: TenantOption = None,
    url: UrlOption = None,
    key: KeyOption = None,
) -> None:
    """Who to reach next: people we are not engaged with yet, by the value of engaging them
    (reachability only breaks near-ties), with the path in and the reasons."""
    with _backend(url, key, tenant) as backend:
        org_id = _resolve_org(backend, org)
        result = backend.next_contacts(
            org_id,
            target_id=_person_id(backend, org_id, target),
            member_id=_member_id(backend, member),
            limit=limit,
        )
    if not result.items:
        out.print(result.reason or "Nobody left to reach: we are engaged with everyone.")
        return
    chosen = "top decision-maker" if result.target_source == "top_decision_maker" else "target"
    target = f" ({chosen}: {result.target_name})" if result.target_name else ""
    table = Table(
        title=f"Who to reach next{target}, as of {result.as_of.isoformat()}",
        title_justify="left",
        show_lines=True,
    )
    columns: tuple[tuple[str, JustifyMethod], ...] = (
        ("#", "right"),
        ("who", "left"),
        ("score", "right"),
        ("power", "right"),
        ("reach", "right"),
        ("path in (chance of each introduction)", "left"),
    )
    for column, justify in columns:
        table.add_column(column, justify=justify)
    for number, item in enumerate(result.items, start=1):
        who = Text(item.name, style="bold")
        details = ", ".join(filter(None, [item.title, item.stance.value, *item.roles]))
        if details:
            who.append(f"\n{details}", style="dim")
        table.add_row(
            str(number),
            who,
            f"{item.score:.2f}",
            f"{item.power:.2f}\n#{item.rank}",
            _percent(item.reachability),
            _path_text(item.path) if item.path else "-",
        )
    out.print(table)
    for number, item in enumerate(result.items, start=1):
        out.print(Text(f"{number}. {item.name}: ", style="bold").append("; ".join(item.reasons)))


@cli.command("paths")
def paths(
    org: OrgArgument,
    target: Annotated[
        str | None,
        typer.Option(
            help="Person to reach (id, email, external_id or name) [default: the top "
            "decision-maker]"
        ),
    ] = None,
    member: MemberOption = None,
    k: Annotated[int, typer.Option("-k", min=1, max=20, help="How many paths")] = 5,
    cold: Annotated[bool, typer.Option(help="Allow a cold approach as a last resort")] = True,
    tenant: TenantOption = None,
    url: UrlOption = None,
    key: KeyOption = None,
) -> None:
    """The best top-down ways in: chains of introductions from our team to the target, most
    likely first, with each hop's probability and the risks."""
    with _backend(url, key, tenant) as backend:
        org_id = _resolve_org(backend, org)
        result = backend.entry_paths(
            org_id,
            target_id=_person_id(backend, org_id, target),
            member_id=_member_id(backend, member),
            k=k,
            include_cold=cold,
        )
    if not result.paths:
        out.print(result.reason or "No path found.")
        return
    table = Table(
        title=f"Ways in to {result.target_name}, as of {result.as_of.isoformat()}",
        show_lines=True,
    )
    columns: tuple[tuple[str, JustifyMethod], ...] = (
        ("#", "right"),
        ("chance", "right"),
        ("hops", "right"),
        ("path", "left"),
        ("risks", "left"),
    )
    for column, justify in columns:
        table.add_column(column, justify=justify)
    for number, path in enumerate(result.paths, start=1):
        steps = Text(_path_text(path), style="bold")
        steps.append(f"\n{path.explanation}", style="dim")
        table.add_row(
            str(number),
            _percent(path.probability),
            str(path.hops),
            steps,
            ", ".join(flag.value.replace("_", " ") for flag in path.flags) or "-",
        )
    out.print(table)
    if not result.exact:
        out.print("[dim]Some longer paths were not examined; the list may miss one.[/]")


# --- keys ---------------------------------------------------------------------------------


@keys_cli.command("create")
def keys_create(
    tenant: Annotated[str, typer.Option(help="Tenant the key belongs to")],
    role: Annotated[KeyRole, typer.Option(help="viewer, editor or admin")] = KeyRole.VIEWER,
    name: Annotated[str | None, typer.Option(help="What the key is for")] = None,
) -> None:
    """Create an API key and print it (it is shown only once)."""
    store = _store()
    try:
        secret = generate_key()
        key = store.create_api_key(tenant, role, name, hash_key(secret, _pepper()))
        out.print(f"{key.id}\t{key.role.value}\t{secret}")
    finally:
        store.close()


@keys_cli.command("list")
def keys_list(tenant: Annotated[str, typer.Option(help="Tenant")]) -> None:
    """List a tenant's keys (never their secrets)."""
    store = _store()
    try:
        for key in store.list_api_keys(tenant):
            state = "revoked" if key.revoked_at else "active"
            used = key.last_used_at.isoformat() if key.last_used_at else "never"
            out.print(f"{key.id}\t{key.role.value}\t{state}\t{key.name or ''}\tlast used {used}")
    finally:
        store.close()


@keys_cli.command("revoke")
def keys_revoke(
    key_id: str, tenant: Annotated[str, typer.Option(help="Tenant the key belongs to")]
) -> None:
    """Revoke a key; it stops working at once."""
    store = _store()
    try:
        store.revoke_api_key(tenant, key_id)
        out.print(f"revoked {key_id}")
    except StakemapError as exc:
        err.print(f"[red]error:[/] {exc.detail}")
        raise typer.Exit(1) from exc
    finally:
        store.close()


def main() -> None:
    try:
        cli()
    except KeyboardInterrupt:
        sys.exit(130)
