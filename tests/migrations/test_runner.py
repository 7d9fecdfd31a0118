"""The migration runner's rules: files load as one gapless sequence, migrating twice does
nothing, a store newer than the code is refused, production never migrates at start, and
``stakemap migrate`` is how it does."""

from __future__ import annotations

import sqlite3
import uuid
import warnings
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.main import create_app
from app.settings import Settings
from graph.migrations import (
    Migration,
    MigrationFilesInvalid,
    MigrationsPending,
    SchemaTooNew,
    StoreKind,
    latest_version,
    load_migrations,
    migrate,
    open_schema,
    parse_migrations,
)
from graph.sqlite_migrations import SqliteMigrations
from tests.conftest import NEO4J_DATABASE
from tests.migrations.test_schema1_fixtures import _driver

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

SQLITE = load_migrations("sqlite")
LATEST = latest_version(SQLITE)
PEPPER = "a-real-production-pepper-for-tests"


def _schema(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    return conn.execute("SELECT name, sql FROM sqlite_master ORDER BY name").fetchall()


# --- loading the files ----------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["sqlite", "neo4j"])
def test_the_shipped_migrations_are_one_sequence_from_0001(kind: StoreKind) -> None:
    migrations = load_migrations(kind)
    assert [m.version for m in migrations] == list(range(1, len(migrations) + 1))
    assert all(m.statements for m in migrations)


def test_a_gap_in_the_numbers_fails_at_load() -> None:
    files = {"0001_a.sql": "SELECT 1;", "0002_b.sql": "SELECT 2;", "0004_d.sql": "SELECT 4;"}
    with pytest.raises(MigrationFilesInvalid, match="0003 is missing"):
        parse_migrations(files, "sqlite")


def test_a_sequence_not_starting_at_0001_fails_at_load() -> None:
    with pytest.raises(MigrationFilesInvalid, match="0001 is missing"):
        parse_migrations({"0002_b.sql": "SELECT 2;"}, "sqlite")


def test_a_duplicate_number_fails_at_load() -> None:
    files = {"0001_a.sql": "SELECT 1;", "0001_again.sql": "SELECT 2;"}
    with pytest.raises(MigrationFilesInvalid, match="0001 is used twice"):
        parse_migrations(files, "sqlite")


@pytest.mark.parametrize(
    ("name", "text", "reason"),
    [
        ("1_short.sql", "SELECT 1;", "is not named"),
        ("0001_Upper.sql", "SELECT 1;", "is not named"),
        ("0001_empty.sql", "-- only a comment\n", "has no statement"),
    ],
)
def test_a_badly_made_file_fails_at_load(name: str, text: str, reason: str) -> None:
    with pytest.raises(MigrationFilesInvalid, match=reason):
        parse_migrations({name: text}, "sqlite")


def test_cypher_schema_statements_come_first_and_are_idempotent() -> None:
    index = "CREATE INDEX x IF NOT EXISTS FOR (n:A) ON (n.b)"
    ok = parse_migrations({"0001_a.cypher": f"{index};\nMATCH (n:A) SET n.c = 1\n"}, "neo4j")
    assert ok[0].statements == (index, "MATCH (n:A) SET n.c = 1")
    with pytest.raises(MigrationFilesInvalid, match="schema statement after a data statement"):
        parse_migrations({"0001_a.cypher": f"MATCH (n:A) SET n.c = 1;\n{index}\n"}, "neo4j")
    with pytest.raises(MigrationFilesInvalid, match="need IF"):
        parse_migrations({"0001_a.cypher": "CREATE INDEX x FOR (n:A) ON (n.b)\n"}, "neo4j")


# --- applying them (SQLite) -----------------------------------------------------------------


def test_migrating_twice_is_a_no_op(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "s.db", isolation_level=None)
    target = SqliteMigrations(conn)
    assert [m.version for m in migrate(target, SQLITE)] == list(range(1, LATEST + 1))
    schema, history = _schema(conn), target.history()
    assert migrate(target, SQLITE) == []
    assert _schema(conn) == schema
    assert target.history() == history
    assert [h.version for h in history] == list(range(1, LATEST + 1))
    conn.close()


def test_a_failing_migration_changes_nothing(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "s.db", isolation_level=None)
    target = SqliteMigrations(conn)
    migrate(target, SQLITE)
    broken = Migration(
        LATEST + 1, "broken", ("CREATE TABLE extra (x)", "INSERT INTO nowhere VALUES (1)")
    )
    with pytest.raises(sqlite3.OperationalError, match="nowhere"):
        migrate(target, (*SQLITE, broken))
    assert target.version() == LATEST
    assert "extra" not in [name for name, _ in _schema(conn)]
    conn.close()


def test_a_migration_another_process_applied_is_not_applied_again(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    one, two = (sqlite3.connect(path, isolation_level=None) for _ in range(2))
    first, second = SqliteMigrations(one), SqliteMigrations(two)
    assert second.version() == 0  # it looked before the first one migrated
    migrate(first, SQLITE)
    assert [second.apply(m) for m in SQLITE] == [False] * LATEST
    assert [h.version for h in second.history()] == list(range(1, LATEST + 1))
    one.close()
    two.close()


def _too_new(path: Path) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(SqliteMigrations(conn), SQLITE)
    conn.execute(
        "INSERT INTO schema_version VALUES (?, 'from_the_future', '2099-01-01')", (LATEST + 7,)
    )
    conn.close()


def test_a_store_newer_than_the_code_is_refused(tmp_path: Path) -> None:
    from graph.sqlite_store import SqliteStore

    path = tmp_path / "s.db"
    _too_new(path)
    message = f"schema version {LATEST + 7}, newer than this code's latest migration {LATEST}"
    for migrate_on_open in (True, False):
        with pytest.raises(SchemaTooNew, match=message):
            SqliteStore(path, migrate=migrate_on_open)
    result = CliRunner().invoke(cli, ["migrate"], env={"STAKEMAP_SQLITE_PATH": str(path)})
    assert result.exit_code == 1
    assert message in result.stderr


# --- the policy: development migrates at start, production never does -------------------------


def test_migrate_on_start_defaults_by_environment() -> None:
    assert Settings(environment="development").migrates_on_start is True
    production = Settings(environment="production", key_pepper=PEPPER)
    assert production.migrates_on_start is False
    assert Settings(
        environment="production", key_pepper=PEPPER, migrate_on_start=True
    ).migrates_on_start
    assert not Settings(migrate_on_start=False).migrates_on_start


def _app_settings(path: Path, **overrides: object) -> Settings:
    return Settings(
        sqlite_path=path,
        metrics_enabled=False,
        analytics_precompute=False,
        analytics_processes=0,
        **overrides,  # type: ignore[arg-type]
    )


def test_production_refuses_to_start_with_migrations_pending_until_migrate_ran(
    tmp_path: Path,
) -> None:
    path = tmp_path / "prod.db"
    env = {
        "STAKEMAP_ENVIRONMENT": "production",
        "STAKEMAP_KEY_PEPPER": PEPPER,
        "STAKEMAP_SQLITE_PATH": str(path),
    }
    settings = _app_settings(path, environment="production", key_pepper=PEPPER)
    pending = pytest.raises(MigrationsPending, match=r"run `stakemap migrate` first")
    with pending as refused, TestClient(create_app(settings)):
        pass
    assert f"at schema version 0 and needs {LATEST} migration(s)" in refused.value.detail

    runner = CliRunner()
    dry = runner.invoke(cli, ["migrate", "--dry-run"], env=env)
    assert dry.exit_code == 0, dry.output
    assert [line.split()[-1] for line in dry.stdout.splitlines() if "pending" in line] == [
        m.label for m in SQLITE
    ]
    with pytest.raises(MigrationsPending), TestClient(create_app(settings)):
        pass  # the dry run applied nothing

    done = runner.invoke(cli, ["migrate"], env=env)
    assert done.exit_code == 0, done.output
    assert [line for line in done.stdout.splitlines() if line.startswith("applied")] == [
        f"applied {m.label}" for m in SQLITE
    ]
    with TestClient(create_app(settings)) as client:
        assert client.get("/readyz").status_code == 200
    again = runner.invoke(cli, ["migrate", "--status"], env=env)
    assert again.exit_code == 0, again.output
    assert "up to date" in again.stdout
    assert f"schema version {LATEST}, code's latest {LATEST}" in again.stdout


def test_development_migrates_a_schema_1_store_at_start(tmp_path: Path) -> None:
    path = tmp_path / "dev.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.executescript(
        (Path(__file__).resolve().parents[1] / "data" / "schema-1" / "sqlite.sql").read_text()
    )
    with TestClient(create_app(_app_settings(path))) as client:
        assert client.get("/readyz").status_code == 200
    assert SqliteMigrations(conn).version() == LATEST
    conn.close()


# --- Neo4j ---------------------------------------------------------------------------------


@pytest.mark.neo4j
def test_a_neo4j_store_newer_than_the_code_is_refused() -> None:
    from graph.neo4j_migrations import Neo4jMigrations

    migrations = load_migrations("neo4j")
    latest = latest_version(migrations)
    ledger = f"test-{uuid.uuid4().hex[:12]}"
    driver = _driver()
    try:
        target = Neo4jMigrations(driver, NEO4J_DATABASE, schema=[], ledger=ledger)
        assert open_schema(target, migrations, apply=True).version == latest
        with pytest.raises(MigrationsPending):  # production: one more file is pending
            open_schema(
                target, (*migrations, Migration(latest + 1, "next", ("RETURN 1",))), apply=False
            )
        driver.execute_query(
            "CREATE (:SchemaVersion {ledger: $ledger, version: $v, name: 'x', applied_at: 'x'})",
            ledger=ledger,
            v=latest + 3,
            database_=NEO4J_DATABASE,
        )
        with pytest.raises(SchemaTooNew, match=f"schema version {latest + 3}, newer .* {latest}"):
            open_schema(target, migrations, apply=True)
    finally:
        driver.execute_query(
            "MATCH (v:SchemaVersion {ledger: $ledger}) DELETE v",
            ledger=ledger,
            database_=NEO4J_DATABASE,
        )
        driver.close()


@pytest.mark.neo4j
def test_a_neo4j_data_migration_and_its_record_commit_together() -> None:
    from graph.neo4j_migrations import Neo4jMigrations

    ledger = f"test-{uuid.uuid4().hex[:12]}"
    tenant = f"t-{uuid.uuid4().hex[:12]}"
    driver = _driver()
    fine = Migration(1, "mark", (f"CREATE (:MigrationProbe {{tenant: '{tenant}'}})",))
    broken = Migration(
        2,
        "broken",
        (f"MATCH (p:MigrationProbe {{tenant: '{tenant}'}}) SET p.done = true", "RETURN 1/0"),
    )
    try:
        target = Neo4jMigrations(driver, NEO4J_DATABASE, schema=[], ledger=ledger)
        assert migrate(target, (fine,)) == [fine]
        assert migrate(target, (fine,)) == []  # twice: nothing
        with pytest.raises(Exception, match="by zero"):
            migrate(target, (fine, broken))
        assert target.version() == 1
        records, _, _ = driver.execute_query(
            "MATCH (p:MigrationProbe {tenant: $tenant}) RETURN count(p) AS n, "
            "count(p.done) AS done",
            tenant=tenant,
            database_=NEO4J_DATABASE,
        )
        assert (records[0]["n"], records[0]["done"]) == (1, 0)
    finally:
        driver.execute_query(
            "MATCH (n:MigrationProbe {tenant: $tenant}) DELETE n",
            tenant=tenant,
            database_=NEO4J_DATABASE,
        )
        driver.execute_query(
            "MATCH (v:SchemaVersion {ledger: $ledger}) DELETE v",
            ledger=ledger,
            database_=NEO4J_DATABASE,
        )
        driver.close()


def test_migrate_says_in_one_line_when_neo4j_is_unreachable() -> None:
    env = {
        "STAKEMAP_STORE": "neo4j",
        "STAKEMAP_NEO4J_URI": "bolt://127.0.0.1:9",  # discard port: nothing listens
        "STAKEMAP_NEO4J_CONNECT_TIMEOUT_SECONDS": "1",
    }
    result = CliRunner().invoke(cli, ["migrate", "--status"], env=env)
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    assert line.startswith("error: Neo4j is unavailable")
