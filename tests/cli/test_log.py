"""``stakemap log``: an AM records an interaction from the shell, on both stores and over
HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from typer.testing import CliRunner

from app.cli import cli
from app.demo import DEMO_ORGANISATION, demo_import
from graph.repositories import TimelineQuery
from schemas.imports import ImportRequest
from schemas.resources import OrganisationCreate
from tests.cli.conftest import Stakemap
from tests.cli.test_commands import DEMO, load_demo, remote
from tests.conftest import LiveServer

TODAY = datetime.now(UTC).date()


def _knows(stakemap: Stakemap, org_id: str) -> dict[tuple[str, str], float | None]:
    names = {p.id: p.name for p in stakemap.store.snapshot(stakemap.tenant, org_id).people}
    names |= {m.id: m.name for m in stakemap.store.snapshot(stakemap.tenant, org_id).team}
    ties = stakemap.store.snapshot(stakemap.tenant, org_id).relationships
    return {(names[r.source_id], names[r.target_id]): r.strength for r in ties if r.type == "KNOWS"}


def test_logging_a_meeting_by_name_creates_and_refreshes_ties(stakemap: Stakemap) -> None:
    """Anna types the names she knows, not ids: the meeting with the CFO (whom she never
    met) and the buyer (last emailed 200 days ago) is logged, the table says which tie was
    new and which brought up to date."""
    org_id = load_demo(stakemap)
    day = (TODAY - timedelta(days=1)).isoformat()

    result = stakemap(
        "log",
        DEMO,
        "--kind",
        "meeting",
        "--on",
        day,
        "--member",
        "Anna Weber",
        "--person",
        "Martin Brandt",
        "--person",
        "Jan Kowalski",
        "--summary",
        "QBR prep",
    )

    assert result.exit_code == 0, result.output
    assert f"Logged meeting on {day} with Martin Brandt" in result.stdout
    assert "new" in result.stdout
    assert "updated" in result.stdout
    ties = _knows(stakemap, org_id)
    assert ties[("Anna Weber", "Martin Brandt")] == 0.5
    unknown = stakemap("log", DEMO, "--kind", "call", "--member", "Nobody", "--person", "x")
    assert unknown.exit_code == 1
    assert unknown.stderr.strip().startswith("error: no team member 'Nobody'")
    future = (TODAY + timedelta(days=3)).isoformat()
    ahead = stakemap(
        "log",
        DEMO,
        "--kind",
        "call",
        "--on",
        future,
        "--member",
        "Anna Weber",
        "--person",
        "Martin Brandt",
    )
    assert ahead.exit_code == 2
    assert "future" in ahead.output


def test_log_through_the_http_api(live_server: LiveServer) -> None:
    """With --url the same command logs through the API and prints the same table."""
    tenant, key = remote(live_server)
    org = live_server.store.create_organisation(tenant, OrganisationCreate(**DEMO_ORGANISATION))
    live_server.store.import_graph(tenant, org.id, ImportRequest.model_validate(demo_import()))
    where = ["--url", live_server.url, "--key", key]

    result = CliRunner().invoke(
        cli,
        [
            "log",
            DEMO,
            "--kind",
            "call",
            "--member",
            "Raj Patel",
            "--person",
            "Katrin Vogel",
            *where,
        ],
        env={"COLUMNS": "120", "NO_COLOR": "1"},
    )

    assert result.exit_code == 0, result.output
    assert "Logged call on" in result.stdout
    assert "Katrin Vogel" in result.stdout
    assert "new" in result.stdout
    [logged] = live_server.store.list_interactions(tenant, org.id, TimelineQuery(), limit=5)
    assert logged.kind == "call"
