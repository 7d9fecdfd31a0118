"""Graceful shutdown: SIGTERM to ``stakemap serve`` lets the request in flight finish.

The request is a bulk import whose body arrives slowly (2 s, in chunks); SIGTERM lands
while it uploads. The import must answer 200 and be stored whole, new connections must be
refused from then on, and the server must exit cleanly.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from graph.sqlite_store import SqliteStore
from graph.store import GraphStore

ROOT = Path(__file__).resolve().parents[2]
ADMIN_KEY = "graceful-shutdown-admin-key-0123456789"
PEOPLE = 2_000
CHUNKS = 10


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], str, Path]]:
    port = free_port()
    database = tmp_path / "served.db"
    env = {
        **os.environ,
        "STAKEMAP_STORE": "sqlite",
        "STAKEMAP_SQLITE_PATH": str(database),
        "STAKEMAP_BOOTSTRAP_ADMIN_KEY": ADMIN_KEY,
        "STAKEMAP_ANALYTICS_PROCESSES": "0",
    }
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "stakemap"), "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        assert server.poll() is None, "stakemap serve exited"
        assert time.monotonic() < deadline, "stakemap serve did not start"
        time.sleep(0.1)  # poll interval of the condition
    yield server, url, database
    if server.poll() is None:
        server.kill()
        server.wait()


def refused_within(url: str, seconds: float) -> bool:
    """Whether a new connection to ``url`` is refused before ``seconds`` pass."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=2)
        except httpx.ConnectError:
            return True
        except httpx.HTTPError:
            pass  # accepted, then dropped while closing: try again
        time.sleep(0.02)  # poll interval of the condition
    return False


def test_sigterm_lets_the_request_in_flight_finish(
    served: tuple[subprocess.Popen[bytes], str, Path],
) -> None:
    server, url, database = served
    auth = {"Authorization": f"Bearer {ADMIN_KEY}"}
    org = httpx.post(f"{url}/v1/organisations", json={"name": "Slow"}, headers=auth).json()
    people = ",".join(f'{{"ref":"p{n}","name":"Person {n}"}}' for n in range(PEOPLE))
    body = f'{{"people":[{people}]}}'.encode()
    size = len(body) // CHUNKS + 1
    uploading = threading.Event()

    def slowly() -> Iterator[bytes]:
        for start in range(0, len(body), size):
            yield body[start : start + size]
            uploading.set()
            time.sleep(2 / CHUNKS)  # pacing: the body arrives over 2 s, not a wait

    answer: list[httpx.Response] = []
    request = threading.Thread(
        target=lambda: answer.append(
            httpx.post(
                f"{url}/v1/organisations/{org['id']}/import",
                content=slowly(),
                headers={**auth, "Content-Type": "application/json"},
                timeout=60,
            )
        )
    )
    request.start()
    assert uploading.wait(10)
    server.send_signal(signal.SIGTERM)
    # no new connections once shutting down: wait (with a deadline) until one is refused,
    # while the upload is still going
    assert refused_within(f"{url}/healthz", seconds=30), "new connections still accepted"
    request.join(timeout=60)
    assert answer, "the request in flight got no answer"
    assert answer[0].status_code == 200, answer[0].text
    assert len(answer[0].json()["ids"]) == PEOPLE
    # uvicorn shuts down, then re-raises the signal: the status says "ended by SIGTERM"
    assert server.wait(timeout=30) in (0, -signal.SIGTERM)
    store = GraphStore(SqliteStore(database))
    try:
        assert len(store.snapshot("default", org["id"]).people) == PEOPLE
    finally:
        store.close()
