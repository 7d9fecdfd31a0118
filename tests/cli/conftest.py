"""The ``stakemap`` command through Typer's runner, on both stores.

Each test gets a fresh tenant; the SQLite half shares one database file per session (the
command opens it from ``STAKEMAP_SQLITE_PATH`` like a user's shell would), the Neo4j half
the test server (``STAKEMAP_TEST_NEO4J_URI``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from app.cli import cli
from graph.store import GraphStore
from tests.conftest import NEO4J_DATABASE, NEO4J_URI, STORES

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

#: Commands that take --tenant (the rest either do not, or require it).
TENANT_COMMANDS = {"import", "export", "next", "paths", "log"}


@dataclass
class Stakemap:
    """Run ``stakemap`` against one store for one tenant, and look at that store."""

    kind: str
    env: dict[str, str]
    tenant: str
    store: GraphStore

    def __call__(self, *args: str, tenant: bool = True) -> Result:
        argv = list(args)
        if tenant and argv and argv[0] in TENANT_COMMANDS:
            argv += ["--tenant", self.tenant]
        return CliRunner().invoke(cli, argv, env=self.env, catch_exceptions=False)

    def organisations(self) -> dict[str, str]:
        """Name -> id of the tenant's organisations."""
        return {o.name: o.id for o in self.store.list_organisations(self.tenant, limit=500)}


@pytest.fixture(scope="session", params=STORES)
def cli_store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, dict[str, str], GraphStore]]:
    kind: str = request.param
    if kind == "sqlite":
        from graph.sqlite_store import SqliteStore

        path = tmp_path_factory.mktemp("cli") / "stakemap.db"
        store: GraphStore = GraphStore(SqliteStore(path))
        env = {"STAKEMAP_STORE": "sqlite", "STAKEMAP_SQLITE_PATH": str(path)}
    else:
        if not NEO4J_URI:
            pytest.skip("STAKEMAP_TEST_NEO4J_URI is not set")
        from graph.neo4j_store import Neo4jStore

        store = GraphStore(
            Neo4jStore(NEO4J_URI, user="neo4j", password="unused", database=NEO4J_DATABASE)
        )
        env = {
            "STAKEMAP_STORE": "neo4j",
            "STAKEMAP_NEO4J_URI": NEO4J_URI,
            "STAKEMAP_NEO4J_DATABASE": NEO4J_DATABASE,
        }
    yield kind, env | {"COLUMNS": "120", "NO_COLOR": "1"}, store
    store.close()


@pytest.fixture
def stakemap(cli_store: tuple[str, dict[str, str], GraphStore]) -> Stakemap:
    kind, env, store = cli_store
    return Stakemap(kind, env, f"t-{uuid.uuid4().hex[:12]}", store)
