"""Fixtures of the webhook tests: a real receiver on 127.0.0.1, the outbox of the store under
test, a worker driven by hand with a fake clock, and servers that run a worker.

Nothing here waits by sleeping: the receiver's :meth:`Receiver.wait_for` and
:func:`wait_until` poll a condition until a deadline, and the tests that retry move a fake
clock and run sweeps themselves.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.security import new_key
from app.settings import Settings
from app.webhooks import DeliveryPolicy, DeliveryWorker, DestinationPolicy
from graph.store import GraphStore
from graph.webhook_store import WebhookStore
from schemas.common import KeyRole
from schemas.webhooks import DeliveryPublic, EventName, WebhookCreate, WebhookPublic
from tests.conftest import NEO4J_URI, TEST_PEPPER, LiveServer

SECRET = "whsec-test-0123456789abcdef"
#: Deadline of every wait on something another thread records.
DEADLINE_SECONDS = 30.0


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """An HTTP server on 127.0.0.1 (port 0) that records every POST and answers ``status``
    (the first ``fail_first`` requests answer 500)."""

    status: int = 204
    fail_first: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    requests: list[Received] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._changed = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                with receiver._changed:
                    receiver.requests.append(
                        Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                    )
                    failing = len(receiver.requests) <= receiver.fail_first
                    receiver._changed.notify_all()
                self.send_response(500 if failing else receiver.status)
                for name, value in receiver.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet."""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/hook"

    def wait_for(self, count: int) -> list[Received]:
        """The first ``count`` requests, once they have arrived (fails at the deadline)."""
        with self._changed:
            arrived = self._changed.wait_for(
                lambda: len(self.requests) >= count, timeout=DEADLINE_SECONDS
            )
            assert arrived, f"{len(self.requests)} of {count} requests arrived"
            return list(self.requests[:count])

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    made = Receiver()
    yield made
    made.close()


@pytest.fixture
def make_receiver() -> Iterator[Callable[..., Receiver]]:
    made: list[Receiver] = []

    def make(**options: Any) -> Receiver:
        made.append(Receiver(**options))
        return made[-1]

    yield make
    for one in made:
        one.close()


def wait_until(check: Callable[[], Any], what: str) -> Any:
    """Poll ``check`` until it answers something true (fails at the deadline)."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while True:
        answer = check()
        if answer:
            return answer
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.01)  # the poll interval of the condition, not a synchronisation


class FakeClock:
    """The real time plus what the test moved it by: deliveries enqueued by real writes are
    due at once, and a retry only when the test moves the clock past its backoff (the
    backoffs are far longer than any test takes)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset

    @property
    def now(self) -> float:
        return self()

    def advance(self, seconds: float) -> None:
        self.offset += seconds


@pytest.fixture
def webhooks(store: GraphStore, tenant: str) -> Iterator[WebhookStore]:
    """The outbox of the store under test. The test's webhooks (its tenant's, and those of
    ``<tenant>-other``) are deleted with their deliveries at the end, so the sweeps of later
    tests on the shared store find no leftovers."""
    outbox = WebhookStore(store.adapter)
    yield outbox
    delete_webhooks(outbox, [tenant, f"{tenant}-other"])


def delete_webhooks(outbox: WebhookStore, tenants: list[str]) -> None:
    """Delete the tenants' webhooks and their deliveries."""
    for owner in tenants:
        for hook in outbox.list_webhooks(owner, limit=500):
            outbox.delete_webhook(owner, hook.id)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


Policy = DeliveryPolicy(
    retry_base_seconds=60.0,
    retry_max_seconds=600.0,
    max_attempts=4,
    timeout_seconds=5.0,
    poll_seconds=0.05,
    sweep_size=50,
    concurrency=2,
)


@pytest.fixture
def make_worker(
    webhooks: WebhookStore, clock: FakeClock
) -> Iterator[Callable[..., DeliveryWorker]]:
    """Workers driven by hand (:meth:`DeliveryWorker.run_once`) on the fake clock."""
    made: list[DeliveryWorker] = []

    def make(
        policy: DeliveryPolicy = Policy, destinations: DestinationPolicy | None = None
    ) -> DeliveryWorker:
        worker = DeliveryWorker(
            webhooks, policy, destinations or DestinationPolicy(allow_loopback=True), clock=clock
        )
        made.append(worker)
        return worker

    yield make
    for worker in made:
        worker.stop()


def subscribe(
    webhooks: WebhookStore,
    tenant: str,
    url: str,
    events: list[EventName] | None = None,
    secret: str = SECRET,
) -> WebhookPublic:
    """A webhook of ``tenant`` (stored directly: the URL rules are the API's)."""
    return webhooks.create_webhook(
        tenant,
        WebhookCreate.model_validate(
            {"url": url, "events": events or list(EventName), "secret": secret}
        ),
    )


def deliveries(webhooks: WebhookStore, tenant: str, hook: WebhookPublic) -> list[DeliveryPublic]:
    return webhooks.list_deliveries(tenant, hook.id, limit=500)


def sweep_until_settled(
    worker: DeliveryWorker,
    clock: FakeClock,
    webhooks: WebhookStore,
    tenant: str,
    hook: WebhookPublic,
    *,
    step: float = 1000.0,
    sweeps: int = 50,
) -> list[DeliveryPublic]:
    """Run sweeps, moving the clock past every backoff, until no delivery of the webhook is
    pending (at most ``sweeps``)."""
    for _ in range(sweeps):
        worker.run_once()
        found = deliveries(webhooks, tenant, hook)
        if all(d.status != "pending" for d in found):
            return found
        clock.advance(step)
    raise AssertionError(f"still pending after {sweeps} sweeps: {found}")


# --- servers that run a worker --------------------------------------------------------------

WORKER_SETTINGS = {
    "webhook_worker": True,
    "webhook_allow_loopback": True,
    "webhook_retry_base_seconds": 0.001,
    "webhook_retry_max_seconds": 0.01,
    "webhook_max_attempts": 3,
    "webhook_timeout_seconds": 5.0,
    "webhook_poll_seconds": 0.05,
}


def store_at(kind: str, path: Path) -> GraphStore:
    """A store of ``kind``: the SQLite file at ``path`` (the same one each time), or the
    test Neo4j server."""
    if kind == "sqlite":
        from graph.sqlite_store import SqliteStore

        return GraphStore(SqliteStore(path))
    if not NEO4J_URI:
        pytest.skip("STAKEMAP_TEST_NEO4J_URI is not set")
    from tests.conftest import open_store

    return open_store(kind, path.parent)


@dataclass
class Served:
    """A live server of one test, with clients of its tenant."""

    server: LiveServer
    tenant: str
    clients: list[httpx.Client] = field(default_factory=list)

    def client(self, role: KeyRole = KeyRole.ADMIN, tenant: str | None = None) -> httpx.Client:
        key = new_key(TEST_PEPPER)
        self.server.store.create_api_key(tenant or self.tenant, role, "webhooks", key.secret_hash)
        self.clients.append(
            httpx.Client(
                base_url=self.server.url,
                headers={"Authorization": f"Bearer {key.secret}"},
                timeout=60,
            )
        )
        return self.clients[-1]


@pytest.fixture
def serve(store_kind: str, tmp_path: Path, tenant: str) -> Iterator[Callable[..., Served]]:
    """Start live servers (stopped at the end of the test) on one store of the test's kind
    (for SQLite the same file each time, so a second server is a restart)."""
    path = tmp_path / f"webhooks-{uuid.uuid4().hex}.db"
    running: list[Served] = []

    def start(**settings: Any) -> Served:
        server = LiveServer(
            store_at(store_kind, path),
            Settings(store="sqlite", rate_limit_per_minute=0, **settings),
        )
        server.start()
        running.append(Served(server, tenant))
        return running[-1]

    yield start
    for served in running:
        for client in served.clients:
            client.close()
        if served.server.thread.is_alive():
            served.server.stop()
    if running and store_kind == "neo4j":  # the shared server keeps no webhook of the test
        shared = store_at(store_kind, path)
        try:
            delete_webhooks(WebhookStore(shared.adapter), [tenant, f"{tenant}-x"])
        finally:
            shared.close()
