"""The other ``stakemap`` commands: export, next, paths, keys; ``--url`` against a live
server; and the installed executable itself."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.demo import DEMO_ORGANISATION, demo_import
from app.security import generate_key, hash_key
from app.settings import Settings
from graph.sqlite_store import SqliteStore
from graph.store import GraphStore
from schemas.common import KeyRole
from schemas.imports import MAX_IMPORT_ROWS, ImportRequest
from schemas.resources import OrganisationCreate
from tests.cli.conftest import EXAMPLES, Stakemap
from tests.conftest import TEST_PEPPER, LiveServer

DEMO = DEMO_ORGANISATION["name"]


def load_demo(stakemap: Stakemap) -> str:
    result = stakemap("demo", "--tenant", stakemap.tenant, "--no-print-key", tenant=False)
    assert result.exit_code == 0, result.output
    return stakemap.organisations()[DEMO]


def test_export_influence_as_csv_and_json(stakemap: Stakemap, tmp_path: Path) -> None:
    org_id = load_demo(stakemap)

    to_stdout = stakemap("export", "influence", DEMO.lower())
    target = tmp_path / "influence.json"
    to_file = stakemap("export", "influence", org_id, "--format", "json", "-o", str(target))

    assert to_stdout.exit_code == 0, to_stdout.output
    rows = list(csv.DictReader(io.StringIO(to_stdout.stdout)))
    assert len(rows) == 40
    assert rows[0]["rank"] == "1"
    assert {"power", "formal", "informal", "brokerage", "declared"} <= set(rows[0])
    assert to_file.exit_code == 0, to_file.output
    assert '"items"' in target.read_text("utf-8")


def test_next_and_paths_print_readable_tables(stakemap: Stakemap) -> None:
    load_demo(stakemap)

    nxt = stakemap("next", DEMO, "--limit", "3")
    ways = stakemap("paths", DEMO, "-k", "2", "--member", "Anna Weber")

    assert nxt.exit_code == 0, nxt.output
    assert "Who to reach next (top decision-maker: Katrin Vogel)" in nxt.stdout
    assert "1. " in nxt.stdout
    assert "→" in nxt.stdout
    assert ways.exit_code == 0, ways.output
    assert "Ways in to Katrin Vogel" in ways.stdout
    assert "Anna Weber →" in ways.stdout
    unknown = stakemap("paths", DEMO, "--member", "Nobody")
    assert unknown.exit_code == 1
    assert unknown.stderr.strip().startswith("error: no team member 'Nobody'")


def test_power_map_exports(stakemap: Stakemap, tmp_path: Path) -> None:
    load_demo(stakemap)

    graphml = stakemap("export", "graphml", DEMO)
    cytoscape = stakemap("export", "power-map", DEMO, "-o", str(tmp_path / "map.json"))
    svg = stakemap("export", "power-map", DEMO, "--format", "svg")

    assert graphml.exit_code == 0, graphml.output
    assert "<graphml" in graphml.stdout
    assert cytoscape.exit_code == 0, cytoscape.output
    elements = json.loads((tmp_path / "map.json").read_text("utf-8"))["elements"]
    assert len(elements["nodes"]) == 43  # 40 people and our team of 3
    assert svg.exit_code == 0, svg.output
    assert svg.stdout.lstrip().startswith(("<?xml", "<svg"))


def test_keys_lifecycle(stakemap: Stakemap) -> None:
    created = stakemap("keys", "create", "--tenant", stakemap.tenant, "--role", "editor")
    assert created.exit_code == 0, created.output
    key_id, role, secret = created.stdout.split()
    assert (role, secret[:3]) == ("editor", "sm_")
    listed = stakemap("keys", "list", "--tenant", stakemap.tenant)
    assert key_id in listed.stdout
    assert "active" in listed.stdout
    assert stakemap("keys", "revoke", key_id, "--tenant", stakemap.tenant).exit_code == 0
    assert "revoked" in stakemap("keys", "list", "--tenant", stakemap.tenant).stdout
    missing = stakemap("keys", "revoke", "nope", "--tenant", stakemap.tenant)
    assert missing.exit_code == 1


# --- against a running server --------------------------------------------------------------


def remote(live_server: LiveServer, *args: str, role: KeyRole = KeyRole.EDITOR) -> tuple[str, str]:
    """(tenant, key) of a fresh tenant on the live server."""
    tenant = f"t-{uuid.uuid4().hex[:12]}"
    key = generate_key()
    live_server.store.create_api_key(tenant, role, "cli-test", hash_key(key, TEST_PEPPER))
    return tenant, key


def test_analytics_through_the_http_api(live_server: LiveServer) -> None:
    tenant, key = remote(live_server)
    org = live_server.store.create_organisation(tenant, OrganisationCreate(**DEMO_ORGANISATION))
    live_server.store.import_graph(tenant, org.id, ImportRequest.model_validate(demo_import()))
    where = ["--url", live_server.url, "--key", key]
    runner = CliRunner()
    env = {"COLUMNS": "120", "NO_COLOR": "1"}

    nxt = runner.invoke(cli, ["next", DEMO, *where], env=env)
    influence = runner.invoke(cli, ["export", "influence", org.id, *where], env=env)
    wrong_key = runner.invoke(cli, ["next", DEMO, "--url", live_server.url, "--key", "sm_bad"])
    with_tenant = runner.invoke(cli, ["next", DEMO, *where, "--tenant", tenant])

    assert nxt.exit_code == 0, nxt.output
    assert "Who to reach next" in nxt.stdout
    assert influence.exit_code == 0, influence.output
    assert influence.stdout.startswith("rank,person_id,name")
    assert wrong_key.exit_code == 1
    assert "answered 401" in wrong_key.stderr
    assert "check --key" in wrong_key.stderr
    assert with_tenant.exit_code == 2


def test_import_through_the_http_api(live_server: LiveServer) -> None:
    tenant, key = remote(live_server)
    where = ["--url", live_server.url, "--key", key]
    argv = ["import", str(EXAMPLES / "contacts.csv"), "--relationships"]
    argv += [str(EXAMPLES / "relationships.csv"), *where]
    spec = httpx.get(f"{live_server.url}/openapi.json").json()
    operation = spec["paths"]["/v1/organisations/{org_id}/import"]["post"]
    supported = {"upsert", "dry_run"} <= {p["name"] for p in operation.get("parameters", [])}

    first = CliRunner().invoke(cli, argv)

    if not supported:
        # the server does not take upsert imports: refuse cleanly, store nothing
        assert first.exit_code == 1
        assert "does not offer upsert imports" in first.stderr
        assert live_server.store.list_organisations(tenant, limit=10) == []
        return
    assert first.exit_code == 0, first.output
    assert "Imported 31 changes." in first.stdout
    second = CliRunner().invoke(cli, argv)
    assert "Nothing changed" in second.stdout


@pytest.fixture
def sqlite_server(tmp_path: Path) -> Iterator[LiveServer]:
    """A server of its own on a new SQLite file (for what no store takes part in)."""
    store = GraphStore(SqliteStore(tmp_path / "server.db"))
    server = LiveServer(store, Settings(store="sqlite", analytics_processes=0))
    server.start()
    yield server
    server.stop()
    store.close()


def test_an_import_over_the_limit_is_refused_alike_dry_and_real(
    sqlite_server: LiveServer, tmp_path: Path
) -> None:
    """A new organisation with more contacts than one import takes (refused by the server's
    validation, before any store is involved): the dry run reports the very refusal the real
    run meets, and no organisation is left behind."""
    tenant, key = remote(sqlite_server)
    contacts = tmp_path / "big.csv"
    rows = ["name,organisation", *(f"Person {i},Big" for i in range(MAX_IMPORT_ROWS + 1))]
    contacts.write_text("\n".join(rows) + "\n", "utf-8")
    argv = ["import", str(contacts), "--url", sqlite_server.url, "--key", key]
    env = {"COLUMNS": "200", "NO_COLOR": "1"}

    dry = CliRunner().invoke(cli, [*argv, "--dry-run"], env=env)
    real = CliRunner().invoke(cli, argv, env=env)

    limit = f"List should have at most {MAX_IMPORT_ROWS} items after validation"
    assert dry.exit_code == real.exit_code == 1
    for run in (dry, real):
        assert limit in run.stderr
        assert f"organisation 'Big': {MAX_IMPORT_ROWS + 1:,} people" in run.stderr
        assert "nothing was stored" in run.stderr
        assert "changed meanwhile" not in run.stderr
    assert sqlite_server.store.list_organisations(tenant, limit=10) == []


# --- the installed executable ------------------------------------------------------------


def test_the_installed_command(tmp_path: Path) -> None:
    stakemap = Path(sys.executable).with_name("stakemap")
    env = os.environ | {
        "STAKEMAP_STORE": "sqlite",
        "STAKEMAP_SQLITE_PATH": str(tmp_path / "s.db"),
        "COLUMNS": "120",
    }
    argv = [str(stakemap), "import", str(EXAMPLES / "contacts.csv"), "--relationships"]
    argv += [str(EXAMPLES / "relationships.csv")]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            list(args), env=env, capture_output=True, text=True, check=False, timeout=120
        )

    first, second = run(*argv), run(*argv)
    usage = run(str(stakemap), "import", "--org", "X", "--org-id", "Y", str(EXAMPLES / "x.csv"))
    failure = run(str(stakemap), "export", "influence", "Nowhere Inc")

    assert first.returncode == 0, first.stderr
    assert "rows/s" in first.stderr  # the progress report
    assert second.returncode == 0
    assert "Nothing changed" in second.stdout
    assert usage.returncode == 2
    assert failure.returncode == 1
    assert failure.stderr.strip() == (
        f"error: no organisation 'Nowhere Inc' in tenant 'default' on {tmp_path / 's.db'}"
    )


@pytest.mark.parametrize("command", [["--help"], ["import", "--help"], ["export", "--help"]])
def test_help(command: list[str]) -> None:
    result = CliRunner().invoke(cli, command)
    assert result.exit_code == 0
    assert "Usage" in result.stdout
