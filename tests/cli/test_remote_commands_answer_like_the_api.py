"""``stakemap … --url`` against a live server, on both stores: the exports and the entry paths
are the API's own answers, and every way the server can refuse becomes one line a person can
act on (exit code 1), never a traceback.

The store-side commands are in test_commands.py; these are the answers and failures of the
remote path that no other test reaches.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner, Result

from app.cli import cli
from app.demo import DEMO_ORGANISATION, demo_import
from app.security import generate_key, hash_key
from schemas.common import KeyRole
from schemas.imports import ImportRequest
from schemas.resources import OrganisationCreate
from tests.conftest import TEST_PEPPER, LiveServer, _free_port

ENV = {"COLUMNS": "120", "NO_COLOR": "1"}


def _tenant_with_key(server: LiveServer, role: KeyRole = KeyRole.EDITOR) -> tuple[str, str]:
    tenant = f"t-{uuid.uuid4().hex[:12]}"
    key = generate_key()
    server.store.create_api_key(tenant, role, "cli-remote-test", hash_key(key, TEST_PEPPER))
    return tenant, key


def _demo(server: LiveServer) -> tuple[str, str]:
    """(key, organisation id) of a fresh tenant holding the demo account."""
    tenant, key = _tenant_with_key(server)
    org = server.store.create_organisation(tenant, OrganisationCreate(**DEMO_ORGANISATION))
    server.store.import_graph(tenant, org.id, ImportRequest.model_validate(demo_import()))
    return key, org.id


def _run(*argv: str) -> Result:
    return CliRunner().invoke(cli, list(argv), env=ENV)


@pytest.mark.parametrize(
    ("command", "path"),
    [
        (["export", "power-map"], "power-map"),
        (["export", "power-map", "--format", "svg"], "power-map.svg"),
        (["export", "graphml"], "graph.graphml"),
    ],
    ids=["power-map-json", "power-map-svg", "graphml"],
)
def test_a_remote_export_writes_the_bytes_the_api_answers(
    live_server: LiveServer, tmp_path: Path, command: list[str], path: str
) -> None:
    key, org_id = _demo(live_server)
    out = tmp_path / "export.out"

    done = _run(*command, org_id, "-o", str(out), "--url", live_server.url, "--key", key)

    assert done.exit_code == 0, done.output
    answer = httpx.get(
        f"{live_server.url}/v1/organisations/{org_id}/{path}",
        headers={"Authorization": f"Bearer {key}"},
        timeout=60,
    )
    assert answer.status_code == 200
    assert out.read_bytes() == answer.content


def test_remote_entry_paths_name_the_apis_paths(live_server: LiveServer) -> None:
    key, org_id = _demo(live_server)

    done = _run("paths", org_id, "-k", "2", "--no-cold", "--url", live_server.url, "--key", key)

    assert done.exit_code == 0, done.output
    answer = httpx.get(
        f"{live_server.url}/v1/organisations/{org_id}/entry-paths",
        params={"k": 2, "include_cold": "false"},
        headers={"Authorization": f"Bearer {key}"},
        timeout=60,
    ).json()
    assert answer["paths"], answer  # the demo account has warm ways in
    assert answer["target_name"] in done.stdout
    for path in answer["paths"]:
        assert path["member_name"] in done.stdout  # every path, from its team member


def test_an_unknown_organisation_is_one_line(live_server: LiveServer) -> None:
    _, key = _tenant_with_key(live_server)

    done = _run("export", "graphml", "no-such-org", "--url", live_server.url, "--key", key)

    assert done.exit_code == 1
    assert "no-such-org" in done.stderr
    assert "Traceback" not in done.output


def test_a_viewer_key_cannot_import_and_is_told_to_check_it(
    live_server: LiveServer, tmp_path: Path
) -> None:
    tenant, key = _tenant_with_key(live_server, KeyRole.VIEWER)
    contacts = Path(__file__).resolve().parents[2] / "examples" / "contacts.csv"

    done = _run("import", str(contacts), "--url", live_server.url, "--key", key)

    assert done.exit_code == 1
    assert "answered 403" in done.stderr
    assert "check --key" in done.stderr
    assert live_server.store.list_organisations(tenant, limit=10) == []


def test_a_server_that_is_not_there_is_named() -> None:
    url = f"http://127.0.0.1:{_free_port()}"  # bound, then let go: nobody listens there

    done = _run("export", "graphml", "X", "--url", url, "--key", "sm_x")

    assert done.exit_code == 1
    assert f"cannot reach {url}" in done.stderr
    assert "is the server running?" in done.stderr


def test_a_store_setting_out_of_range_names_the_variable(tmp_path: Path) -> None:
    env = ENV | {"STAKEMAP_STORE": "cassandra", "STAKEMAP_SQLITE_PATH": str(tmp_path / "s.db")}

    done = CliRunner().invoke(cli, ["export", "graphml", "X"], env=env)

    assert done.exit_code == 1
    assert done.stderr.startswith("error: STAKEMAP_STORE:"), done.stderr
    assert not (tmp_path / "s.db").exists()  # nothing was opened


def test_json_export_is_json(live_server: LiveServer, tmp_path: Path) -> None:
    key, org_id = _demo(live_server)

    done = _run("export", "power-map", org_id, "--url", live_server.url, "--key", key)

    assert done.exit_code == 0, done.output
    elements = json.loads(done.stdout)
    assert elements  # the demo account's people and ties


def test_a_neo4j_that_is_not_there_is_named_with_a_hint() -> None:
    uri = f"bolt://127.0.0.1:{_free_port()}"  # bound, then let go: nobody listens there
    env = ENV | {
        "STAKEMAP_STORE": "neo4j",
        "STAKEMAP_NEO4J_URI": uri,
        "STAKEMAP_NEO4J_CONNECT_TIMEOUT_SECONDS": "1",
        "STAKEMAP_NEO4J_RETRY_SECONDS": "0",
    }

    done = CliRunner().invoke(cli, ["export", "graphml", "X"], env=env)

    assert done.exit_code == 1
    assert "Neo4j is unavailable" in done.stderr
    assert "(is Neo4j running? see STAKEMAP_NEO4J_URI)" in done.stderr
    assert "Traceback" not in done.output
