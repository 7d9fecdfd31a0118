"""The service's edges under attack (issue 13): streamed bodies over the limit, internals in
5xx answers, query strings in access logs, /metrics, key guessing, slow request heads."""

from __future__ import annotations

import json
import logging
import os
import select
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.logging_setup import JsonLogFormatter
from app.metrics_listener import metrics_wsgi_app
from app.security import generate_key, hash_key
from app.server import BoundedH11Protocol, BoundedHttpToolsProtocol
from app.settings import Settings
from graph.errors import StakemapError, StoreUnavailable
from graph.store import GraphStore
from schemas.common import KeyRole
from tests.conftest import TEST_PEPPER, LiveServer, _free_port, open_store

ROOT = Path(__file__).resolve().parents[2]
MIB = 1024 * 1024


def _serve(tmp: Path, **settings: object) -> LiveServer:
    server = LiveServer(open_store("sqlite", tmp), Settings(store="sqlite", **settings))
    server.start()
    return server


@pytest.fixture
def edge_server(tmp_path: Path) -> Iterator[LiveServer]:
    server = _serve(tmp_path, auth_failure_limit=20, header_timeout_seconds=0.5)
    yield server
    server.stop()


def _key(server: LiveServer, role: KeyRole = KeyRole.EDITOR) -> str:
    key = generate_key()
    server.store.create_api_key(
        f"t-{uuid.uuid4().hex[:8]}", role, "edges", hash_key(key, TEST_PEPPER)
    )
    return key


# --- 413 for a chunked body ------------------------------------------------------------------


def test_a_chunked_body_of_17_mib_is_413_problem(edge_server: LiveServer) -> None:
    auth = {"Authorization": f"Bearer {_key(edge_server)}"}
    org = httpx.post(f"{edge_server.url}/v1/organisations", json={"name": "A"}, headers=auth)

    def chunks() -> Iterator[bytes]:  # no Content-Length: Transfer-Encoding: chunked
        yield b'{"people": ['
        for _ in range(17):
            yield b'{"ref": "p", "name": "' + b"x" * (MIB - 40) + b'"},'
        yield b"]}"

    response = httpx.post(
        f"{edge_server.url}/v1/organisations/{org.json()['id']}/import",
        content=chunks(),
        headers={**auth, "Content-Type": "application/json"},
        timeout=60,
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["title"] == "Payload too large"


# --- 503 and 500 without internals ----------------------------------------------------------


class _BrokenSql(StakemapError):
    """What an adapter bug could raise: SQL in the message."""


@pytest.fixture
def neo4j_down() -> Iterator[LiveServer]:
    """A server on the test Neo4j through a proxy that then refuses every connection."""
    from graph.neo4j_store import Neo4jStore
    from tests.conftest import NEO4J_URI
    from tests.reliability.proxy import FaultProxy

    if not NEO4J_URI:
        pytest.skip("STAKEMAP_TEST_NEO4J_URI is not set")
    proxy = FaultProxy(int(NEO4J_URI.rsplit(":", 1)[1]))
    store = GraphStore(
        Neo4jStore(
            proxy.uri,
            user=os.environ.get("STAKEMAP_TEST_NEO4J_USER", "neo4j"),
            password=os.environ.get("STAKEMAP_TEST_NEO4J_PASSWORD", "test-password"),
            database="neo4j",
            timeout=5,
            connect_timeout=0.5,
            retry_time=0.5,
        )
    )
    server = LiveServer(store, Settings(store="sqlite", analytics_processes=0))
    server.start()
    proxy.mode = "refuse"
    proxy.cut_all()
    server.internals = str(proxy.port)  # type: ignore[attr-defined]
    yield server
    server.stop()
    proxy.close()
    store.close()


@pytest.fixture
def sqlite_down(tmp_path: Path) -> Iterator[LiveServer]:
    """A server whose store fails the way a driver does, with its host and port."""
    store = open_store("sqlite", tmp_path)

    def down(*_: object, **__: object) -> object:
        raise StoreUnavailable("Neo4j is unavailable: Couldn't connect to 127.0.0.1:7791")

    store.ping = down  # type: ignore[method-assign]
    store.find_api_key = down  # type: ignore[method-assign]
    server = LiveServer(store, Settings(store="sqlite", analytics_processes=0))
    server.start()
    server.internals = "7791"  # type: ignore[attr-defined]
    yield server
    server.stop()


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[dict[str, object]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(JsonLogFormatter().format(record)))


@pytest.fixture(params=["sqlite", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def store_down(request: pytest.FixtureRequest) -> LiveServer:
    server: LiveServer = request.getfixturevalue(f"{request.param}_down")
    return server


def test_503_bodies_name_no_host_port_or_driver_text(store_down: LiveServer) -> None:
    port = str(store_down.internals)  # type: ignore[attr-defined]
    collector = _Collect()
    logging.getLogger("stakemap").addHandler(collector)
    try:
        answers = [
            httpx.get(f"{store_down.url}/readyz", timeout=30),
            httpx.get(  # an unknown key: the key lookup itself fails
                f"{store_down.url}/v1/organisations",
                headers={"Authorization": f"Bearer {generate_key()}"},
                timeout=30,
            ),
        ]
    finally:
        logging.getLogger("stakemap").removeHandler(collector)
    for answer in answers:
        assert answer.status_code == 503
        assert answer.headers["retry-after"]
        text = answer.text
        assert port not in text
        assert "127.0.0.1" not in text
        assert "Neo4j" not in text
        assert "connect" not in text.lower()
        assert answer.json()["detail"].startswith("the store is unavailable")
    # ... the detail is in the server's log, with the request id of the answer
    for answer in answers:
        request_id = answer.headers["x-request-id"]
        logged = [
            str(line["message"]) for line in collector.lines if line["request_id"] == request_id
        ]
        assert any(port in message for message in logged), logged


def test_500_bodies_carry_no_sql(tmp_path: Path) -> None:
    store = open_store("sqlite", tmp_path)

    def broken(*_: object, **__: object) -> object:
        raise _BrokenSql("near 'SELEC': syntax error in SELEC id FROM organisations")

    store.list_organisations = broken  # type: ignore[method-assign]
    server = LiveServer(store, Settings(store="sqlite"))
    server.start()
    try:
        key = _key(server)
        answer = httpx.get(
            f"{server.url}/v1/organisations", headers={"Authorization": f"Bearer {key}"}
        )
    finally:
        server.stop()
    assert answer.status_code == 500
    assert "SELEC" not in answer.text
    assert "organisations" not in answer.text
    assert answer.json()["detail"] == "an unexpected error occurred"


# --- access log ---------------------------------------------------------------------------


def test_plain_uvicorn_access_log_has_no_query_string(tmp_path: Path) -> None:
    """``uvicorn app.main:app`` with its access log on: the line names the path only.
    (``stakemap serve`` turns that log off: tests/test_production_recipe.py.)"""
    port = _free_port()
    env = {
        **os.environ,
        "STAKEMAP_STORE": "sqlite",
        "STAKEMAP_SQLITE_PATH": str(tmp_path / "plain.db"),
        "STAKEMAP_ANALYTICS_PROCESSES": "0",
        "STAKEMAP_METRICS_PORT": "0",
    }
    command = [sys.executable, "-m", "uvicorn", "app.main:app", "--port", str(port)]
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        _wait_healthy(f"http://127.0.0.1:{port}", server)
        secret = "person-name-Martin-Brandt"
        response = httpx.get(f"http://127.0.0.1:{port}/healthz", params={"q": secret})
        assert response.status_code == 200
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0].decode()
    access = [line for line in output.splitlines() if "GET /healthz" in line]
    assert access, output  # the access log is on ...
    assert all(secret not in line and "?" not in line for line in access)  # ... without it


def _wait_healthy(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        assert process.poll() is None, "the server exited"
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)  # poll interval of the condition above


# --- /metrics -------------------------------------------------------------------------------


def test_metrics_are_not_on_the_api_port(edge_server: LiveServer) -> None:
    assert httpx.get(f"{edge_server.url}/metrics").status_code == 404
    listener = edge_server.app.state.metrics_listener
    assert listener.address[0] == "127.0.0.1"
    assert listener.port != edge_server.port
    scraped = httpx.get(edge_server.metrics_url)
    assert scraped.status_code == 200
    assert "stakemap_http_requests_total" in scraped.text
    assert httpx.get(edge_server.metrics_url.replace("/metrics", "/")).status_code == 404


def test_metrics_listener_binds_loopback_by_default() -> None:
    assert Settings().metrics_host == "127.0.0.1"


def test_the_metrics_app_in_process() -> None:
    from prometheus_client import CollectorRegistry, Counter

    registry = CollectorRegistry()
    Counter("probe", "a probe", registry=registry).inc()
    transport = httpx.WSGITransport(app=metrics_wsgi_app(registry))  # type: ignore[arg-type]
    with httpx.Client(transport=transport, base_url="http://metrics") as client:
        assert "probe_total 1.0" in client.get("/metrics").text
        assert client.get("/other").status_code == 404


# --- failed-authentication throttling -------------------------------------------------------


def test_300_bad_keys_get_429_without_store_reads(edge_server: LiveServer) -> None:
    good = _key(edge_server)
    with httpx.Client(base_url=edge_server.url) as client:
        # a key verified before the guessing starts keeps working (it is cached)
        assert client.get("/v1/organisations", headers=_bearer(good)).status_code == 200
        reads_before = edge_server.store_calls("find_api_key")
        answers = [
            client.get("/v1/organisations", headers=_bearer(generate_key())) for _ in range(300)
        ]
        reads = edge_server.store_calls("find_api_key") - reads_before
        codes = [answer.status_code for answer in answers]
        assert codes[:20] == [401] * 20
        assert codes[20:] == [429] * 280
        assert reads == 20  # once throttled, an unknown key costs no store read
        assert int(answers[-1].headers["retry-after"]) >= 1
        assert answers[-1].headers["content-type"] == "application/problem+json"
        assert client.get("/v1/organisations", headers=_bearer(good)).status_code == 200
        # a key not verified lately waits too: the address is throttled, not the key
        fresh = _key(edge_server)
        assert client.get("/v1/organisations", headers=_bearer(fresh)).status_code == 429


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.mark.parametrize(
    ("trusted", "spoofed_clients_throttled"),
    [([], True), (["127.0.0.1"], False)],
    ids=["x-forwarded-for-ignored", "trusted-proxy"],
)
def test_x_forwarded_for_is_believed_only_from_trusted_proxies(
    tmp_path: Path, trusted: list[str], spoofed_clients_throttled: bool
) -> None:
    server = _serve(tmp_path, auth_failure_limit=3, trusted_proxies=trusted)
    try:
        with httpx.Client(base_url=server.url) as client:
            codes = [
                client.get(
                    "/v1/organisations",
                    headers={**_bearer(generate_key()), "X-Forwarded-For": f"10.9.0.{n}"},
                ).status_code
                for n in range(10)
            ]
    finally:
        server.stop()
    # untrusted peer: every request is 127.0.0.1's, whatever it claims; a trusted proxy's
    # forwarded addresses are ten clients with one failure each
    assert (429 in codes) is spoofed_clients_throttled
    assert codes[:3] == [401] * 3


# --- slow request heads ---------------------------------------------------------------------


@pytest.fixture(params=[BoundedHttpToolsProtocol, BoundedH11Protocol], ids=["httptools", "h11"])
def slow_head_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LiveServer]:
    settings = Settings(store="sqlite", header_timeout_seconds=0.5, keep_alive_seconds=60)
    server = LiveServer(open_store("sqlite", tmp_path), settings)
    protocol = type("Probe", (request.param,), {"header_timeout": 0.5, "max_header_bytes": 16384})
    server.server.config.http = protocol
    server.start()
    yield server
    server.stop()


def _watch(sock: socket.socket, within: float) -> tuple[bool, bytes]:
    """Whether the server closed the connection before ``within`` seconds passed, and
    what it sent meanwhile."""
    received = b""
    deadline = time.monotonic() + within
    while (left := deadline - time.monotonic()) > 0:
        readable, _, _ = select.select([sock], [], [], left)
        if readable:
            try:
                data = sock.recv(65536)
            except ConnectionResetError:
                return True, received
            if not data:
                return True, received
            received += data
    return False, received


@pytest.mark.parametrize(
    "sent", [b"", b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: "], ids=["idle", "half-head"]
)
def test_a_slow_request_head_is_closed(slow_head_server: LiveServer, sent: bytes) -> None:
    with socket.create_connection(("127.0.0.1", slow_head_server.port)) as sock:
        sock.sendall(sent)
        # 0.5 s allowed; 20 s of slack for a loaded machine, never needed on a quiet one
        closed, _ = _watch(sock, within=20)
        assert closed


def test_the_head_deadline_does_not_cut_a_slow_body_or_keep_alive(
    slow_head_server: LiveServer,
) -> None:
    key = _key(slow_head_server)
    head = (
        "POST /v1/organisations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Authorization: Bearer {key}\r\nContent-Length: 13\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", slow_head_server.port)) as sock:
        sock.sendall(head + b'{"name":')
        closed, early = _watch(sock, within=1.5)  # three head deadlines: still open
        assert not closed
        assert early == b""
        sock.sendall(b' "A"}')
        sock.settimeout(20)
        assert sock.recv(65536).startswith(b"HTTP/1.1 201")
        # idle after a response: keep-alive's 60 s govern, not the 0.5 s head deadline
        closed, _ = _watch(sock, within=1.5)
        assert not closed
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        assert sock.recv(65536).startswith(b"HTTP/1.1 200")


BIG_HEAD = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 40_000


def test_an_endless_request_head_is_refused(slow_head_server: LiveServer) -> None:
    with socket.create_connection(("127.0.0.1", slow_head_server.port)) as sock:
        sock.sendall(BIG_HEAD)  # and never the end of the header
        closed, answer = _watch(sock, within=20)
    assert closed
    assert answer.startswith(b"HTTP/1.1 400")


def test_an_oversized_whole_request_head_is_refused(edge_server: LiveServer) -> None:
    """httptools (the default protocol) also refuses a head that arrives whole; h11 caps
    only heads still incomplete (docs/SECURITY.md)."""
    assert edge_server.server.config.http.__mro__[1] is BoundedHttpToolsProtocol
    with socket.create_connection(("127.0.0.1", edge_server.port)) as sock:
        sock.sendall(BIG_HEAD + b"\r\n\r\n")
        closed, answer = _watch(sock, within=20)
    assert closed
    assert answer.startswith(b"HTTP/1.1 400")
