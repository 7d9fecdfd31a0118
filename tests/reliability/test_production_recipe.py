"""The production recipe, run: ``docker-compose.yml``'s environment, the README's exports and
the image's command, against a Neo4j with authentication on (issue 13, item 15: the recipe
set ``STAKEMAP_ENVIRONMENT=production`` without a pepper and could not start).

There is no Docker engine here, so the pieces are taken from the files themselves: the API
service's environment from the compose file (its ``${VAR}`` references filled from the
README's Deployment exports, the compose service names mapped to 127.0.0.1), the command from
the Dockerfile's ``CMD``, and the Neo4j service's ``NEO4J_AUTH`` given to the embedded
launcher, which this test starts on a port of its own and stops. Like ``docker compose
up``, it runs the one-shot ``migrate`` service (same environment, its own command) before
the API, which refuses to start while migrations are pending.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import NEO4J_URI, _free_port
from tests.reliability.recipe import (
    COMPOSE,
    EarlyNeo4j,
    dockerfile,
    environment,
    to_loopback,
)


@pytest.fixture
def early() -> Iterator[EarlyNeo4j]:
    if not NEO4J_URI:
        pytest.skip("STAKEMAP_TEST_NEO4J_URI is not set (the Neo4j half is off)")
    instance = EarlyNeo4j.start()  # started already by tests/reliability/conftest.py
    try:
        instance.wait()
        yield instance
    finally:
        instance.stop()


@pytest.fixture
def exports(early: EarlyNeo4j) -> dict[str, str]:
    return early.exports


@pytest.fixture
def neo4j_with_auth(early: EarlyNeo4j) -> int:
    """The compose file's Neo4j service: its ``NEO4J_AUTH``, on the embedded launcher."""
    return early.port


@pytest.mark.neo4j
def test_the_compose_recipe_starts_and_serves(
    neo4j_with_auth: int, exports: dict[str, str], tmp_path: Path
) -> None:
    image_env, command = dockerfile()
    api_env = environment("api", exports)
    assert api_env["STAKEMAP_ENVIRONMENT"] == "production"
    # exactly the image's and the compose file's environment, plus a PATH to run it
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        **{
            name: value.replace("/home/stakemap", str(tmp_path))
            for name, value in image_env.items()
        },
        **{name: to_loopback(value, neo4j_with_auth) for name, value in api_env.items()},
        # under the coverage gate, the served process is measured too (nothing else leaks in)
        **{name: os.environ[name] for name in ("COVERAGE_PROCESS_CONFIG",) if name in os.environ},
    }
    services = COMPOSE["services"]
    assert environment("migrate", exports) == api_env
    assert services["api"]["depends_on"]["migrate"] == {
        "condition": "service_completed_successfully"
    }
    # started before the migrate step, the API refuses: the fresh store has migrations pending
    early_log = tmp_path / "api-early.log"
    early_start, _ = start_api(command, env, tmp_path, early_log)
    assert early_start.wait(timeout=60) != 0
    assert "run `stakemap migrate` first" in early_log.read_text()
    migrate = subprocess.run(
        services["migrate"]["command"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert migrate.returncode == 0, migrate.stderr
    assert "applied 0001_" in migrate.stdout
    log_file = tmp_path / "api.log"
    api, port = start_api(command, env, tmp_path, log_file)

    url = f"http://127.0.0.1:{port}"
    auth = {"Authorization": f"Bearer {exports['STAKEMAP_BOOTSTRAP_ADMIN_KEY']}"}
    try:
        ready = wait_ready(url, api, log_file)
        assert ready.status_code == 200, ready.text
        created = httpx.post(f"{url}/v1/organisations", json={"name": "Recipe"}, headers=auth)
        assert created.status_code == 201, created.text
        listed = httpx.get(f"{url}/v1/organisations", params={"limit": 5}, headers=auth)
        assert [org["name"] for org in listed.json()["items"]] == ["Recipe"]
        refused = httpx.get(f"{url}/v1/organisations", headers={"Authorization": "Bearer wrong"})
        assert refused.status_code == 401
    finally:
        api.send_signal(signal.SIGTERM)
        api.wait(timeout=60)
    log = log_file.read_text() + early_log.read_text() + migrate.stdout + migrate.stderr
    assert "limit=5" not in log  # no access log with query strings
    assert exports["STAKEMAP_KEY_PEPPER"] not in log
    assert exports["NEO4J_PASSWORD"] not in log


def start_api(
    command: list[str], env: dict[str, str], cwd: Path, log_file: Path
) -> tuple[subprocess.Popen[bytes], int]:
    """The image's command, on loopback and a free port, logging to ``log_file``."""
    assert command[:2] == ["stakemap", "serve"]
    port = _free_port()
    argv = list(command)
    argv[argv.index("--host") + 1] = "127.0.0.1"  # the container's every interface: loopback
    argv[argv.index("--port") + 1] = str(port)
    with log_file.open("wb") as sink:
        return subprocess.Popen(argv, cwd=cwd, env=env, stdout=sink, stderr=sink), port


def wait_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> httpx.Response:
    deadline = time.monotonic() + 60
    while True:
        try:
            answer = httpx.get(f"{url}/readyz", timeout=5)
            if answer.status_code == 200:
                return answer
        except httpx.HTTPError:
            answer = None
        if process.poll() is not None:
            raise AssertionError(f"the API exited:\n{log.read_text()}")
        if time.monotonic() > deadline:
            assert answer is not None, "the API never answered"
            return answer
        time.sleep(0.1)  # poll interval of the condition
