"""The pieces of the production recipe, read from the repository's own files, and its Neo4j
(started early by tests/reliability/conftest.py; see test_production_recipe.py)."""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import _free_port

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICE_NAMES = set(COMPOSE["services"])
REFERENCE = re.compile(r"\$\{(\w+)(?::?[?-][^}]*)?\}")


def readme_exports() -> dict[str, str]:
    """The variables the README's Deployment section exports, each with a fresh secret
    (the README draws them from ``openssl rand``)."""
    text = (ROOT / "README.md").read_text()
    section = text.split("## Deployment", 1)[1].split("\n## ", 1)[0]
    names = re.findall(r"^export (\w+)=", section, re.MULTILINE)
    return {name: secrets.token_hex(24) for name in names}


def resolve(value: Any, exports: dict[str, str]) -> str:
    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        assert name in exports, f"docker-compose.yml needs {name}; the README does not export it"
        return exports[name]

    return REFERENCE.sub(fill, str(value))


def environment(service: str, exports: dict[str, str]) -> dict[str, str]:
    raw = COMPOSE["services"][service].get("environment", {})
    if isinstance(raw, list):
        raw = dict(item.split("=", 1) for item in raw)
    return {name: resolve(value, exports) for name, value in raw.items()}


def dockerfile() -> tuple[dict[str, str], list[str]]:
    """The final image's ``ENV`` settings and its ``CMD``."""
    text = (ROOT / "Dockerfile").read_text()
    final = text.rsplit("\nFROM ", 1)[1]
    env = dict(re.findall(r"^ENV (\w+)=(\S+)$", final, re.MULTILINE))
    command = json.loads(re.findall(r"^CMD (\[.*\])$", final, re.MULTILINE)[-1])
    return env, command


def to_loopback(value: str, neo4j_port: int) -> str:
    """Compose service names are host names inside the compose network: here 127.0.0.1
    (and Neo4j's Bolt port is the test instance's)."""
    for name in SERVICE_NAMES:
        value = re.sub(rf"(?<=://){re.escape(name)}:7687\b", f"127.0.0.1:{neo4j_port}", value)
        value = re.sub(rf"(?<=://){re.escape(name)}\b", "127.0.0.1", value)
    return value


def launcher_env(port: int, data: Path, auth: str | None = None) -> dict[str, str]:
    env = {**os.environ, "NEO4J_BOLT_PORT": str(port), "NEO4J_DATA_DIR": str(data)}
    env.pop("NEO4J_AUTH", None)
    if auth is not None:
        env["NEO4J_AUTH"] = auth
    env.setdefault("NEO4J_HEAP", "512m")
    return env


class EarlyNeo4j:
    """The recipe's Neo4j, started in the background with the first test of
    tests/reliability (a fresh instance takes ~20 s to start; the tests before the recipe's
    run meanwhile) and stopped when the test is done or the session ends."""

    started: EarlyNeo4j | None = None

    def __init__(self) -> None:
        self.exports = readme_exports()
        self.auth = environment("neo4j", self.exports)["NEO4J_AUTH"]
        self.port = _free_port()
        self.data = Path(tempfile.mkdtemp(prefix="stakemap-recipe-")) / "neo4j"
        self.log = self.data.parent / "launcher.log"
        with self.log.open("wb") as sink:
            self.process = subprocess.Popen(
                ["bash", "tools/neo4j/neo4j.sh", "start"],
                cwd=ROOT,
                env=launcher_env(self.port, self.data, self.auth),
                stdout=sink,
                stderr=sink,
            )
        self.stopped = False

    @classmethod
    def start(cls) -> EarlyNeo4j:
        if cls.started is None:
            cls.started = cls()
        return cls.started

    def wait(self) -> None:
        code = self.process.wait(timeout=300)
        assert code == 0, f"the recipe's Neo4j did not start:\n{self.log.read_text()}"

    def stop(self) -> None:
        if self.stopped:
            return
        self.stopped = True
        self.process.wait(timeout=300)
        subprocess.run(
            ["bash", "tools/neo4j/neo4j.sh", "stop"],
            cwd=ROOT,
            env=launcher_env(self.port, self.data),
            check=False,
            timeout=120,
            capture_output=True,
        )
        shutil.rmtree(self.data.parent, ignore_errors=True)
