"""Schemathesis against the app's own OpenAPI schema, on both stores: every check, no
server error, no schema violation.

The run is the ``schemathesis run`` command of the README's "Reliability" section, pointed
at the live test server (no rate limit) with an admin key of a fresh tenant. Its budget is
``-n`` examples per operation: ``STAKEMAP_FUZZ_EXAMPLES`` (default 25: with the 50 operations of
the deals issue, about 4,900 cases per store in CI, more than 40 gave with the 30 before); the
``slow`` run uses 250 (about 11,500). Revoking keys is fuzzed in a second,
small run: the first would otherwise revoke its own key. ``schemathesis.toml`` lists the
statuses a schema-valid request may still get (404 for unknown ids, 412/428 for versions,
422 for graph rules); each is documented for its operation. The JSON report of each run is
kept in ``test-output/schemathesis-<store>[-revoke].json``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import LiveServer
from tests.reliability.conftest import key_for

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "test-output"
CI_EXAMPLES = int(os.environ.get("STAKEMAP_FUZZ_EXAMPLES", "25"))
SLOW_EXAMPLES = 250
SEED = os.environ.get("STAKEMAP_FUZZ_SEED", "20261127")
MIN_CASES = 2_000


def schemathesis_run(
    server: LiveServer, key: str, examples: int, report: Path, *extra: str
) -> dict[str, Any]:
    binary = shutil.which("schemathesis", path=str(Path(sys.executable).parent))
    assert binary is not None, "install the dev extras: pip install -e '.[dev]'"
    command = [
        binary,
        "run",
        f"{server.url}/openapi.json",
        "--header",
        f"Authorization: Bearer {key}",
        "--checks",
        "all",
        "--max-examples",
        str(examples),
        "--seed",
        SEED,
        "--request-timeout",
        "60",
        "--report",
        "json",
        "--report-json-path",
        str(report),
        "--no-color",
        "--output-sanitize",
        "true",
        *extra,
    ]
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=1800, check=False
    )
    summary = done.stdout[done.stdout.rfind("SUMMARY") :] if "SUMMARY" in done.stdout else ""
    print(summary or done.stdout[-3000:], done.stderr[-2000:])
    assert report.exists(), done.stdout[-3000:]
    result: dict[str, Any] = json.loads(report.read_text())
    assert done.returncode == 0, done.stdout[-6000:]
    return result


def fuzz(server: LiveServer, tenant: str, store_kind: str, examples: int) -> None:
    OUTPUT.mkdir(exist_ok=True)
    main = schemathesis_run(
        server,
        key_for(server, tenant),
        examples,
        OUTPUT / f"schemathesis-{store_kind}.json",
        "--exclude-path-regex",
        "/revoke$",
    )
    revoke = schemathesis_run(
        server,
        key_for(server, tenant),
        min(examples, 50),
        OUTPUT / f"schemathesis-{store_kind}-revoke.json",
        "--include-path-regex",
        "/revoke$",
    )
    cases = sum(run["test_cases"]["generated"] for run in (main, revoke))
    failures = sum(len(run["failures"]) for run in (main, revoke))
    print(f"\nschemathesis ({store_kind}): {cases} cases, {failures} failures, seed {SEED}")
    assert failures == 0
    assert cases >= MIN_CASES


def test_openapi_fuzzing(unlimited_server: LiveServer, tenant: str, store_kind: str) -> None:
    fuzz(unlimited_server, tenant, store_kind, CI_EXAMPLES)


@pytest.mark.slow
def test_openapi_fuzzing_full_budget(
    unlimited_server: LiveServer, tenant: str, store_kind: str
) -> None:
    fuzz(unlimited_server, tenant, store_kind, SLOW_EXAMPLES)
