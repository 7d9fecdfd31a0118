"""Probe the service's edges as an outsider would (issue 13), against ``stakemap serve``
with its default settings on a fresh SQLite store: ``python -m bench.edges_probe``.

Prints the measured results of docs/SECURITY.md's "Attacks and faults" rows (and writes them
to ``bench/results/edges-<time>.json``). Not a ``*_bench`` module: it measures behaviour,
not speed, and takes about 30 s.
"""

from __future__ import annotations

import json
import os
import secrets
import select
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from bench._common import ROOT, free_port, save

MIB = 1024 * 1024


def _closed_after(sock: socket.socket, limit: float) -> float | None:
    """Seconds until the server closes ``sock`` (None: still open after ``limit``)."""
    started = time.monotonic()
    while (left := started + limit - time.monotonic()) > 0:
        readable, _, _ = select.select([sock], [], [], left)
        if readable:
            try:
                if sock.recv(65536) == b"":
                    return time.monotonic() - started
            except ConnectionResetError:
                return time.monotonic() - started
    return None


def _metric(text: str, prefix: str) -> float:
    return sum(
        float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(prefix)
    )


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="stakemap-edges-"))
    port, metrics_port = free_port(), free_port()
    admin = secrets.token_hex(24)
    env = {
        **os.environ,
        "STAKEMAP_SQLITE_PATH": str(work / "edges.db"),
        "STAKEMAP_BOOTSTRAP_ADMIN_KEY": admin,
        "STAKEMAP_METRICS_PORT": str(metrics_port),
        "STAKEMAP_ANALYTICS_PROCESSES": "0",
    }
    log_path = work / "server.log"
    stakemap = str(Path(sys.executable).parent / "stakemap")
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [stakemap, "serve", "--port", str(port)], cwd=ROOT, env=env, stdout=log, stderr=log
        )
    url = f"http://127.0.0.1:{port}"
    auth = {"Authorization": f"Bearer {admin}"}
    figures: dict[str, Any] = {}
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError(log_path.read_text())
            time.sleep(0.1)
        figures.update(_probe(url, f"http://127.0.0.1:{metrics_port}/metrics", auth, port))
    finally:
        server.terminate()
        server.wait(timeout=30)
    lines = log_path.read_text().splitlines()
    figures["log_lines"] = len(lines)
    figures["log_lines_with_a_query_string"] = sum("limit=7" in line for line in lines)
    figures["uvicorn_access_lines"] = sum('HTTP/1.1" ' in line for line in lines)
    print(json.dumps(figures, indent=2))
    print(f"saved {save('edges', figures)}")
    return 0


def _probe(url: str, metrics: str, auth: dict[str, str], port: int) -> dict[str, Any]:
    found: dict[str, Any] = {}
    org = httpx.post(f"{url}/v1/organisations", json={"name": "Probe"}, headers=auth).json()

    # item 3: a chunked body over 16 MiB
    def chunks() -> Iterator[bytes]:
        yield b'{"people": ['
        for _ in range(17):
            yield b'{"ref": "p", "name": "' + b"x" * (MIB - 40) + b'"},'
        yield b"]}"

    big = httpx.post(
        f"{url}/v1/organisations/{org['id']}/import",
        content=chunks(),
        headers={**auth, "Content-Type": "application/json"},
        timeout=60,
    )
    found["chunked_17_mib"] = {"status": big.status_code, "answer_bytes": len(big.content)}

    # item 12: a 15 MB parent_id
    started = time.perf_counter()
    huge = httpx.post(
        f"{url}/v1/organisations",
        json={"name": "Huge", "parent_id": "x" * 15_000_000},
        headers=auth,
        timeout=60,
    )
    found["parent_id_15_mb"] = {
        "status": huge.status_code,
        "answer_bytes": len(huge.content),
        "seconds": round(time.perf_counter() - started, 2),
    }

    # item 9: /metrics
    found["metrics_on_api_port"] = httpx.get(f"{url}/metrics").status_code
    found["metrics_on_own_listener"] = httpx.get(metrics).status_code

    # item 8: query strings (the log is read after the server stops)
    httpx.get(f"{url}/v1/organisations", params={"limit": 7}, headers=auth)

    # item 10: 2,000 random keys from one address
    reads = 'stakemap_store_call_seconds_count{operation="find_api_key"}'
    before = _metric(httpx.get(metrics).text, reads)
    codes: dict[int, int] = {}
    retry_after = None
    started = time.perf_counter()
    with httpx.Client(base_url=url) as client:
        for _ in range(2_000):
            answer = client.get(
                "/v1/organisations", headers={"Authorization": f"Bearer sm_{secrets.token_hex(16)}"}
            )
            codes[answer.status_code] = codes.get(answer.status_code, 0) + 1
            retry_after = answer.headers.get("retry-after", retry_after)
    found["random_keys_2000"] = {
        "answers": {str(code): count for code, count in sorted(codes.items())},
        "store_reads": _metric(httpx.get(metrics).text, reads) - before,
        "retry_after": retry_after,
        "seconds": round(time.perf_counter() - started, 2),
    }

    # item 11: an idle connection, a half-sent head, an idle keep-alive connection
    results: dict[str, float | None] = {}

    def watch(name: str, sent: bytes, answer_first: bool = False) -> None:
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.sendall(sent)
            if answer_first:
                sock.recv(65536)
            closed = _closed_after(sock, 60)
            results[name] = None if closed is None else round(closed, 2)

    probes = [
        threading.Thread(target=watch, args=("idle_connection_closed_after_s", b"")),
        threading.Thread(
            target=watch,
            args=("half_head_closed_after_s", b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: "),
        ),
        threading.Thread(
            target=watch,
            args=("keep_alive_closed_after_s", b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", True),
        ),
    ]
    for probe in probes:
        probe.start()
    for probe in probes:
        probe.join()
    found.update(results)
    return found


if __name__ == "__main__":
    raise SystemExit(main())
