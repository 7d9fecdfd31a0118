"""Versioned schema and data migrations, one runner for both stores.

Each store keeps the number of the last migration applied to it (SQLite: the
``schema_version`` table; Neo4j: ``(:SchemaVersion)`` nodes), and the code ships ordered
files ``queries/migrations/<store>/NNNN_<name>.<sql|cypher>`` (numbers from 0001, no gap, no
duplicate; read and checked once, a bad set fails at start). :func:`migrate` applies the
pending ones in order, each in its own transaction where the store allows, and records each
version; :func:`open_schema` is what a store runs when it opens: with ``apply`` it migrates,
without it (production) it refuses pending migrations, and it always refuses a store newer
than the code. See docs/MIGRATIONS.md.

The adapters provide only a :class:`MigrationTarget` (``graph/sqlite_migrations.py``,
``graph/neo4j_migrations.py``): read the version, apply one file and record it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Literal, Protocol

from graph.errors import StakemapError

__all__ = [
    "AppliedMigration",
    "Migration",
    "MigrationError",
    "MigrationFilesInvalid",
    "MigrationStatus",
    "MigrationTarget",
    "MigrationsPending",
    "SchemaTooNew",
    "StoreKind",
    "is_schema_statement",
    "latest_version",
    "load_ledger",
    "load_migrations",
    "migrate",
    "open_schema",
    "parse_migrations",
    "split_statements",
    "status",
]

StoreKind = Literal["sqlite", "neo4j"]

#: Migration file suffix per store.
SUFFIX: dict[StoreKind, str] = {"sqlite": ".sql", "neo4j": ".cypher"}

_FILE_NAME = re.compile(r"^(\d{4})_([a-z0-9][a-z0-9_]*)$")


class MigrationError(StakemapError):
    """A store's schema does not match the code; the detail says what to do."""

    status = 503
    title = "Store unavailable"
    detail_is_public = True


class SchemaTooNew(MigrationError):
    """The store was migrated by newer code than this: this code must not touch it."""

    def __init__(self, store: StoreKind, store_version: int, code_version: int) -> None:
        super().__init__(
            f"the {store} store is at schema version {store_version}, newer than this code's "
            f"latest migration {code_version}: run the newer Stakemap release (or restore a "
            "backup taken before it migrated the store)"
        )
        self.store_version = store_version
        self.code_version = code_version


class MigrationsPending(MigrationError):
    """The store needs migrations and this process may not apply them (production)."""

    def __init__(self, store: StoreKind, store_version: int, pending: list[Migration]) -> None:
        names = ", ".join(m.label for m in pending)
        super().__init__(
            f"the {store} store is at schema version {store_version} and needs "
            f"{len(pending)} migration(s) ({names}): run `stakemap migrate` first (or set "
            "STAKEMAP_MIGRATE_ON_START=true)"
        )
        self.store_version = store_version
        self.pending = pending


class MigrationFilesInvalid(LookupError):
    """The migration files shipped with the code are not a clean sequence (a bug)."""


@dataclass(frozen=True)
class Migration:
    """One migration file: its number, its name and its statements, in order."""

    version: int
    name: str
    statements: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{self.version:04d}_{self.name}"


@dataclass(frozen=True)
class AppliedMigration:
    """One entry of a store's migration history."""

    version: int
    name: str
    applied_at: str


@dataclass(frozen=True)
class MigrationStatus:
    """Where a store stands against the code's migrations."""

    store: StoreKind
    version: int
    latest: int
    pending: list[Migration]
    history: list[AppliedMigration]


class MigrationTarget(Protocol):
    """What one store offers the runner (implemented per adapter)."""

    kind: StoreKind

    def ensure(self) -> None:
        """Create the idempotent constraints and indexes (every start, any environment)."""

    def version(self) -> int:
        """The last migration applied to the store (0: none, e.g. a schema-1 store)."""

    def history(self) -> list[AppliedMigration]:
        """Every migration recorded, in order."""

    def apply(self, migration: Migration) -> bool:
        """Run ``migration`` and record its version, atomically where the store allows;
        False (nothing done) if another process recorded that version first."""


def split_statements(text: str, kind: StoreKind) -> tuple[str, ...]:
    """The statements of one file: SQL split where :func:`sqlite3.complete_statement` ends
    one, Cypher on ``;`` at a line end; comment-only pieces are dropped.

    >>> split_statements("-- one\\nCREATE TABLE a (x);\\nCREATE TABLE b (y);\\n", "sqlite")
    ('CREATE TABLE a (x);', 'CREATE TABLE b (y);')
    >>> split_statements("// c\\nMATCH (n) SET n.a = 1;\\nRETURN 1\\n", "neo4j")
    ('MATCH (n) SET n.a = 1', 'RETURN 1')
    """
    pieces: list[str] = []
    if kind == "sqlite":
        import sqlite3

        current: list[str] = []
        for line in text.splitlines():
            current.append(line)
            if sqlite3.complete_statement("\n".join(current)):
                pieces.append("\n".join(current))
                current = []
        pieces.append("\n".join(current))
    else:
        pieces = re.split(r";[ \t]*(?:\n|$)", text)
    comment = "--" if kind == "sqlite" else "//"
    statements = []
    for piece in pieces:
        code = [
            ln for ln in piece.splitlines() if ln.strip() and not ln.strip().startswith(comment)
        ]
        if code:
            statements.append("\n".join(code).strip())
    return tuple(statements)


def parse_migrations(files: dict[str, str], kind: StoreKind) -> tuple[Migration, ...]:
    """Migrations from ``{file name: text}``; a bad name, a gap, a duplicate number or an
    empty file raises :class:`MigrationFilesInvalid`.

    >>> [m.label for m in parse_migrations({"0001_a.sql": "SELECT 1;"}, "sqlite")]
    ['0001_a']
    >>> parse_migrations({"0001_a.sql": "SELECT 1;", "0003_c.sql": "SELECT 1;"}, "sqlite")
    Traceback (most recent call last):
    ...
    graph.migrations.MigrationFilesInvalid: sqlite migrations: 0002 is missing (found 0001, 0003)
    """
    suffix = SUFFIX[kind]
    found: dict[int, Migration] = {}
    for file_name in sorted(files):
        if not file_name.endswith(suffix):
            continue
        match = _FILE_NAME.match(file_name.removesuffix(suffix))
        if match is None:
            raise MigrationFilesInvalid(
                f"{kind} migrations: {file_name!r} is not named NNNN_lower_snake{suffix}"
            )
        version = int(match.group(1))
        if version in found:
            raise MigrationFilesInvalid(
                f"{kind} migrations: {version:04d} is used twice "
                f"({found[version].label}{suffix}, {file_name})"
            )
        statements = split_statements(files[file_name], kind)
        if not statements:
            raise MigrationFilesInvalid(f"{kind} migrations: {file_name} has no statement")
        if kind == "neo4j":
            _check_cypher_order(file_name, statements)
        found[version] = Migration(version, match.group(2), statements)
    numbers = sorted(found)
    for expected, version in enumerate(numbers, start=1):
        if version != expected:
            listed = ", ".join(f"{n:04d}" for n in numbers)
            raise MigrationFilesInvalid(
                f"{kind} migrations: {expected:04d} is missing (found {listed})"
            )
    return tuple(found[n] for n in numbers)


def is_schema_statement(statement: str) -> bool:
    """A Cypher constraint or index statement (it cannot share a transaction with writes)."""
    return (
        re.match(r"(?is)^\s*(CREATE|DROP)\s+(CONSTRAINT|(\w+\s+)?INDEX)\b", statement) is not None
    )


def _check_cypher_order(file_name: str, statements: tuple[str, ...]) -> None:
    """Neo4j runs a file's schema statements first, one auto-commit transaction each, then
    its data statements and the version record in one transaction: so schema statements
    must come first and be idempotent (``IF NOT EXISTS`` / ``IF EXISTS``)."""
    seen_data = False
    for statement in statements:
        if not is_schema_statement(statement):
            seen_data = True
            continue
        if seen_data:
            raise MigrationFilesInvalid(
                f"neo4j migrations: {file_name} has a schema statement after a data statement "
                "(put it in a file of its own before)"
            )
        if re.search(r"(?i)\bIF\s+(NOT\s+)?EXISTS\b", statement) is None:
            raise MigrationFilesInvalid(
                f"neo4j migrations: {file_name}: schema statements need IF [NOT] EXISTS"
            )


def _read_directory(directory: Traversable) -> dict[str, str]:
    return {
        entry.name: entry.read_text("utf-8") for entry in directory.iterdir() if entry.is_file()
    }


@cache
def load_migrations(kind: StoreKind) -> tuple[Migration, ...]:
    """The code's migrations for ``kind``, read from ``queries/migrations/<kind>/`` once.

    >>> load_migrations("sqlite")[0].label
    '0001_initial'
    """
    directory = resources.files("queries").joinpath("migrations", kind)
    return parse_migrations(_read_directory(directory), kind)


@cache
def load_ledger(kind: StoreKind) -> dict[str, str]:
    """The statements that read and record a store's version (``queries/migrations/ledger/``),
    by name; a missing one fails at start.

    >>> sorted(load_ledger("neo4j"))
    ['version_history', 'version_read', 'version_record']
    """
    suffix = SUFFIX[kind]
    files = _read_directory(resources.files("queries").joinpath("migrations", "ledger"))
    ledger = {
        name.removesuffix(suffix): text for name, text in files.items() if name.endswith(suffix)
    }
    needed = {"version_history", "version_read", "version_record"}
    if kind == "sqlite":
        needed.add("version_table")
    missing = sorted(needed - set(ledger))
    if missing:
        raise MigrationFilesInvalid(f"missing {kind} ledger statements: {', '.join(missing)}")
    return ledger


def latest_version(migrations: tuple[Migration, ...]) -> int:
    return migrations[-1].version if migrations else 0


def status(target: MigrationTarget, migrations: tuple[Migration, ...]) -> MigrationStatus:
    """The store's version, the code's latest and what is pending (nothing is changed)."""
    version = target.version()
    return MigrationStatus(
        store=target.kind,
        version=version,
        latest=latest_version(migrations),
        pending=[m for m in migrations if m.version > version],
        history=target.history(),
    )


def _refuse_too_new(state: MigrationStatus) -> None:
    if state.version > state.latest:
        raise SchemaTooNew(state.store, state.version, state.latest)


def migrate(target: MigrationTarget, migrations: tuple[Migration, ...]) -> list[Migration]:
    """Apply every pending migration in order; the ones this call applied (another
    process may have applied some meanwhile). Migrating a store at the latest version
    does nothing."""
    target.ensure()
    state = status(target, migrations)
    _refuse_too_new(state)
    return [migration for migration in state.pending if target.apply(migration)]


def open_schema(
    target: MigrationTarget, migrations: tuple[Migration, ...], *, apply: bool
) -> MigrationStatus:
    """What a store does when it opens: ensure constraints and indexes, refuse a store
    newer than the code, then apply pending migrations (``apply``) or refuse them."""
    target.ensure()
    state = status(target, migrations)
    _refuse_too_new(state)
    if state.pending:
        if not apply:
            raise MigrationsPending(state.store, state.version, state.pending)
        for migration in state.pending:
            target.apply(migration)
        state = status(target, migrations)
        _refuse_too_new(state)
    return state
