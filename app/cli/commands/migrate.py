"""``stakemap migrate``: bring the configured store to the code's schema version.

Production runs it before the service starts (the compose file's one-shot ``migrate``
service; ``STAKEMAP_MIGRATE_ON_START`` is false there); development services migrate at
start. ``--status`` shows where the store stands, ``--dry-run`` what would be applied.
See docs/MIGRATIONS.md.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from neo4j.exceptions import DriverError, Neo4jError
from pydantic import ValidationError

from app.settings import Settings
from graph.errors import StakemapError
from graph.migrations import MigrationTarget, load_migrations
from graph.migrations import migrate as apply_pending
from graph.migrations import status as store_status

__all__ = ["migrate", "open_target"]


@contextmanager
def open_target(settings: Settings) -> Iterator[MigrationTarget]:
    """The configured store's migration target, on a connection of its own."""
    if settings.store == "neo4j":
        from graph import neo4j_migrations
        from queries import load_catalog

        with neo4j_migrations.connect(
            settings.neo4j_uri,
            user=settings.neo4j_user,
            password=settings.neo4j_password.get_secret_value(),
            database=settings.neo4j_database,
            timeout=settings.neo4j_connect_timeout_seconds,
            schema=load_catalog().schema(),
        ) as target:
            yield target
        return
    from graph import sqlite_migrations

    with sqlite_migrations.connect(
        settings.sqlite_path, timeout=settings.sqlite_lock_timeout_seconds
    ) as target:
        yield target


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _where(settings: Settings) -> str:
    if settings.store == "neo4j":
        return f"neo4j {settings.neo4j_uri} (database {settings.neo4j_database})"
    return f"sqlite {settings.sqlite_path}"


def migrate(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List the pending migrations; apply nothing")
    ] = False,
    show_status: Annotated[
        bool,
        typer.Option("--status", help="Show the store's version, its history and what is pending"),
    ] = False,
) -> None:
    """Apply the pending schema and data migrations to the configured store."""
    try:
        settings = Settings()
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        name = "STAKEMAP_" + "_".join(str(part) for part in error["loc"]).upper()
        typer.echo(f"error: {name}: {error['msg']}", err=True)
        raise typer.Exit(1) from exc
    migrations = load_migrations(settings.store)
    try:
        with open_target(settings) as target:
            if dry_run or show_status:
                state = store_status(target, migrations)
                typer.echo(
                    f"{_where(settings)}: schema version {state.version}, "
                    f"code's latest {state.latest}"
                )
                if show_status:
                    for done in state.history:
                        typer.echo(f"  applied {done.version:04d}_{done.name} at {done.applied_at}")
                if state.version > state.latest:
                    typer.echo("the store is newer than this code: do not run it", err=True)
                    raise typer.Exit(1)
                for migration in state.pending:
                    typer.echo(f"  pending {migration.label}")
                if not state.pending:
                    typer.echo("  up to date")
                return
            applied = apply_pending(target, migrations)
    except StakemapError as exc:
        typer.echo(_one_line(f"error: {exc.detail}"), err=True)
        raise typer.Exit(1) from exc
    except (sqlite3.Error, Neo4jError, DriverError) as exc:
        # a migration failed: its transaction rolled back, the versions before it stay
        typer.echo(_one_line(f"error: a migration failed ({type(exc).__name__}): {exc}"), err=True)
        raise typer.Exit(1) from exc
    for migration in applied:
        typer.echo(f"applied {migration.label}")
    typer.echo(
        f"{_where(settings)}: schema version {migrations[-1].version}"
        + ("" if applied else " (up to date)")
    )
