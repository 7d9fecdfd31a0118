"""Fixtures: both stores, a live HTTP server per store, and per-test tenants.

The Neo4j half runs when ``STAKEMAP_TEST_NEO4J_URI`` is set (``make test`` starts the
embedded launcher and sets it); without it those tests are skipped, and ``.ci/run`` fails
the build if any were.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from hypothesis import settings as hypothesis_settings
from pydantic import SecretStr

from app.main import create_app
from app.security import new_key
from app.server import bounded_protocol, uvicorn_options
from app.settings import Settings
from graph.store import GraphStore
from schemas.common import KeyRole

# CI draws the same examples on every run (a red run then always means a change broke
# something); on a developer's machine every run explores new ones.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
hypothesis_settings.register_profile("dev", print_blob=True)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

NEO4J_URI = os.environ.get("STAKEMAP_TEST_NEO4J_URI")

# The webhook delivery worker runs only where a test asks for it (tests/webhooks): a worker
# sends every tenant's outbox, and the servers of every test process share one Neo4j.
os.environ.setdefault("STAKEMAP_WEBHOOK_WORKER", "false")

TEST_PEPPER = "stakemap-test-pepper"
"""The key pepper of every test server (:class:`LiveServer`): tests hash keys with it."""
NEO4J_DATABASE = os.environ.get("STAKEMAP_TEST_NEO4J_DATABASE", "neo4j")

STORES = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("neo4j", id="neo4j", marks=pytest.mark.neo4j),
]


def open_store(kind: str, tmp_dir: Path) -> GraphStore:
    """A fresh store of the given kind (a new SQLite file; the test Neo4j server)."""
    if kind == "sqlite":
        from graph.sqlite_store import SqliteStore

        return GraphStore(SqliteStore(tmp_dir / f"stakemap-{uuid.uuid4().hex}.db"))
    if not NEO4J_URI:
        pytest.skip("STAKEMAP_TEST_NEO4J_URI is not set")
    from graph.neo4j_store import Neo4jStore

    return GraphStore(
        Neo4jStore(
            NEO4J_URI,
            user=os.environ.get("STAKEMAP_TEST_NEO4J_USER", "neo4j"),
            password=os.environ.get("STAKEMAP_TEST_NEO4J_PASSWORD", "test-password"),
            database=NEO4J_DATABASE,
        )
    )


@pytest.fixture(scope="session", params=STORES)
def store_kind(request: pytest.FixtureRequest) -> str:
    kind: str = request.param
    return kind


@pytest.fixture(scope="session")
def session_store(
    store_kind: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[GraphStore]:
    store = open_store(store_kind, tmp_path_factory.mktemp(store_kind))
    yield store
    store.close()


@pytest.fixture
def store(session_store: GraphStore) -> GraphStore:
    """The store under test; isolate tests by giving each its own tenant."""
    return session_store


@pytest.fixture
def tenant() -> str:
    return f"t-{uuid.uuid4().hex[:12]}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class LiveServer:
    """The real app served by uvicorn on a loopback port, in a background thread."""

    def __init__(self, store: GraphStore, settings: Settings) -> None:
        self.store = store
        # /metrics on a port of its own, chosen by the system (several servers run at once);
        # every test connects from 127.0.0.1, so failed-authentication throttling is off
        # unless the test's settings name a limit (tests/security/test_edges.py does)
        update: dict[str, Any] = {"metrics_port": 0}
        if "key_pepper" not in settings.model_fields_set:
            update["key_pepper"] = SecretStr(TEST_PEPPER)
        if "auth_failure_limit" not in settings.model_fields_set:
            update["auth_failure_limit"] = 1_000_000_000
        settings = settings.model_copy(update=update)
        self.app = create_app(settings, store_factory=lambda _: store)
        self.port = _free_port()
        options = {**uvicorn_options(settings), "http": bounded_protocol(settings)}
        config = uvicorn.Config(
            self.app, host="127.0.0.1", port=self.port, log_level="warning", **options
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)  # poll interval of the condition

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)

    @property
    def metrics_url(self) -> str:
        """``/metrics`` on the server's metrics listener (not its API port)."""
        port = self.app.state.metrics_listener.port
        assert port is not None, "the metrics listener is not running"
        return f"http://127.0.0.1:{port}/metrics"

    def store_calls(self, operation: str) -> float:
        """How many calls of this store operation the server has made (from /metrics)."""
        prefix = f'stakemap_store_call_seconds_count{{operation="{operation}"}} '
        lines = httpx.get(self.metrics_url).text.splitlines()
        return sum(float(line.removeprefix(prefix)) for line in lines if line.startswith(prefix))


@pytest.fixture(scope="session")
def live_server(store_kind: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    store = open_store(store_kind, tmp_path_factory.mktemp(f"server-{store_kind}"))
    server = LiveServer(store, Settings(store="sqlite"))
    server.start()
    yield server
    server.stop()


ClientFactory = Callable[..., httpx.Client]


@pytest.fixture
def make_client(live_server: LiveServer, tenant: str) -> Iterator[ClientFactory]:
    """Make HTTP clients authenticated with a new key (default: an editor of ``tenant``)."""
    clients: list[httpx.Client] = []

    def make(role: KeyRole = KeyRole.EDITOR, for_tenant: str | None = None) -> httpx.Client:
        key = new_key(TEST_PEPPER)
        live_server.store.create_api_key(for_tenant or tenant, role, "test", key.secret_hash)
        client = httpx.Client(
            base_url=live_server.url,
            headers={"Authorization": f"Bearer {key.secret}"},
            timeout=60,
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def api(make_client: ClientFactory) -> httpx.Client:
    """An editor's client for a fresh tenant."""
    return make_client()


# --- slow runs only when asked for -----------------------------------------------------------


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave out (deselect, not skip) tests marked ``slow`` unless ``-m`` names them or
    ``STAKEMAP_RUN_SLOW=1``: the long reliability runs stay out of CI."""
    if os.environ.get("STAKEMAP_RUN_SLOW") == "1" or "slow" in (config.option.markexpr or ""):
        return
    slow = [item for item in items if "slow" in item.keywords]
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = [item for item in items if "slow" not in item.keywords]


# --- the Neo4j half must not be silently skipped ------------------------------------------

_neo4j_outcomes: dict[str, int] = {"passed": 0, "failed": 0, "skipped": 0}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if "neo4j" not in report.keywords:
        return
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        _neo4j_outcomes[report.outcome] += 1


def pytest_terminal_summary(terminalreporter: Any) -> None:
    terminalreporter.write_line(
        "neo4j half: {passed} passed, {failed} failed, {skipped} skipped".format(**_neo4j_outcomes)
    )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if os.environ.get("STAKEMAP_REQUIRE_NEO4J") != "1":
        return
    if _neo4j_outcomes["skipped"] or not _neo4j_outcomes["passed"]:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        print(f"\nSTAKEMAP_REQUIRE_NEO4J=1 but the Neo4j half did not fully run: {_neo4j_outcomes}")
