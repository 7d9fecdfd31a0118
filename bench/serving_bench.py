"""Warm serving: the cached power map against the same bytes served bare, same server, wrk.

    python -m bench.serving_bench               # a 1,000-person account, 5 rounds of 10 s
    python -m bench.serving_bench --quick       # 3 rounds of 5 s
    python -m bench.serving_bench --write-doc   # also update docs/PERFORMANCE.md

A generated account (:mod:`bench.orgs`) is loaded into a fresh SQLite store and the app is
served by uvicorn (one worker) with one extra, test-only route added by this script's app
factory: ``GET /bench/bare`` answers the very bytes of the power map from memory, with no
authentication, no store and no cache lookup, behind the same middleware. Debian's ``wrk``
drives both over loopback, alternating, and the ratio of requests per second is ours / bare
(target >= 0.5). Our warm request still checks its API key (against the keys verified in the
last ``STAKEMAP_KEY_CACHE_SECONDS``, else the store) and looks the answer up in the cache by
the organisation's known version.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI, Response

from app.main import create_app
from bench._common import (
    Server,
    load_account,
    machine,
    machine_line,
    median,
    new_key,
    publish,
    ratio,
    rerender,
    save,
    timed_get,
)
from graph.sqlite_store import SqliteStore
from graph.store import GraphStore

HEADING = "## Warm serving"
PEOPLE = 1_000
TENANT = f"bench-serving-{uuid.uuid4().hex[:8]}"
BARE_BODY_ENV = "STAKEMAP_BENCH_BARE_BODY"
CONNECTIONS = 8


def create_bench_app() -> FastAPI:
    """The product app plus ``GET /bench/bare``: the bytes of the file named by
    ``STAKEMAP_BENCH_BARE_BODY``, read once, then served from memory."""
    app = create_app()
    held: list[bytes] = []

    @app.get("/bench/bare", include_in_schema=False)
    async def bare() -> Response:
        if not held:
            held.append(Path(os.environ[BARE_BODY_ENV]).read_bytes())
        return Response(held[0], media_type="application/json")

    return app


def wrk(url: str, key: str | None, seconds: int) -> dict[str, float]:
    """One wrk run: requests/s and latency percentiles (ms)."""
    command = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", url]
    if key:
        command[1:1] = ["-H", f"Authorization: Bearer {key}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in output:
        raise RuntimeError(f"wrk saw errors:\n{output}")
    found = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))}  # type: ignore[union-attr]
    for label in ("50", "99"):
        match = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
        if match:
            scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[match.group(2)]
            found[f"p{label}_ms"] = float(match.group(1)) * scale
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.serving_bench", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="3 rounds of 5 s")
    parser.add_argument("--write-doc", action="store_true", help="update docs/PERFORMANCE.md")
    parser.add_argument("--people", type=int, default=PEOPLE)
    parser.add_argument("--report", type=Path, help="re-render the report of a results JSON")
    args = parser.parse_args(argv)
    if args.report:
        return rerender(
            args.report,
            lambda saved: report(saved["machine"], saved),
            HEADING,
            write_doc=args.write_doc,
        )
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install -y wrk)")
    rounds, seconds = (3, 5) if args.quick else (5, 10)
    info = machine()
    print(machine_line(info), flush=True)

    with tempfile.TemporaryDirectory(prefix="stakemap-bench-") as workdir:
        db = Path(workdir) / "serving.db"
        bare_file = Path(workdir) / "power-map.json"
        store = GraphStore(SqliteStore(db))
        try:
            key = new_key(store, TENANT)
            org_id, _ = load_account(store, TENANT, args.people, seed=args.people)
        finally:
            store.close()
        env = {"STAKEMAP_SQLITE_PATH": str(db), BARE_BODY_ENV: str(bare_file)}
        with Server(env, target="bench.serving_bench:create_bench_app", factory=True) as server:
            headers = {"Authorization": f"Bearer {key}"}
            with httpx.Client(base_url=server.url, headers=headers, timeout=600) as client:
                question = "power-map"
                try:
                    cold, body = timed_get(client, f"/v1/organisations/{org_id}/power-map")
                except RuntimeError:
                    question = "influence"  # the power map is not served by this build
                    cold, body = timed_get(client, f"/v1/organisations/{org_id}/influence")
                bare_file.write_bytes(body)
                same = timed_get(client, "/bench/bare")[1] == body
                url = f"{server.url}/v1/organisations/{org_id}/{question}"
                again = timed_get(client, url.removeprefix(server.url))[1]
            if not same or again != body:
                raise RuntimeError("the bare route and the endpoint answered different bytes")
            wrk(url, key, 2)  # warm-up both
            wrk(server.url + "/bench/bare", None, 2)
            runs: dict[str, list[dict[str, float]]] = {"ours": [], "bare": []}
            for i in range(rounds):
                print(f"  round {i + 1}/{rounds}", flush=True)
                runs["ours"].append(wrk(url, key, seconds))
                runs["bare"].append(wrk(server.url + "/bench/bare", None, seconds))

    result: dict[str, Any] = {
        "quick": args.quick,
        "people": args.people,
        "question": question,
        "bytes": len(body),
        "cold_s": cold,
        "rounds": rounds,
        "seconds": seconds,
        "connections": CONNECTIONS,
        "runs": runs,
        "ours_rps": median([r["rps"] for r in runs["ours"]]),
        "bare_rps": median([r["rps"] for r in runs["bare"]]),
    }
    result["ratio"] = result["ours_rps"] / result["bare_rps"]
    path = save("serving", {"machine": info, **result})
    print(f"results: {path}")
    publish(HEADING, report(info, result), write_doc=args.write_doc)
    return 0


def report(info: dict[str, Any], r: dict[str, Any]) -> str:
    def p(name: str, label: str) -> str:
        values = [run[label] for run in r["runs"][name] if label in run]
        return f"{median(values):.2f}" if values else "-"

    what = "power map" if r["question"] == "power-map" else "influence ranking"
    note = (
        ""
        if r["question"] == "power-map"
        else "\n\nThe power-map endpoint was not available, so the warm influence ranking "
        "was measured the same way."
    )
    stamp = str(r.get("at") or datetime.now(UTC).strftime("%Y%m%d"))
    return f"""`python -m bench.serving_bench` ({stamp[:4]}-{stamp[4:6]}-{stamp[6:8]}). \
{machine_line(info)}

The {what} of a {r["people"]:,}-person account ({r["bytes"] / 1024:,.0f} KiB of JSON; \
computed cold once, {r["cold_s"] * 1000:,.0f} ms), then served warm from the analytics cache: \
`GET /v1/organisations/{{id}}/{r["question"]}` with an API key, against `GET /bench/bare`, a \
test-only route the bench adds to the same app that returns the same bytes from memory (no \
key, no store, no cache lookup) behind the same middleware. uvicorn, one worker; `wrk -t1 \
-c{r["connections"]}` over loopback, {r["rounds"]} alternating rounds of {r["seconds"]} s each, \
medians. Target: ours / bare at least 0.5.{note}

| endpoint | requests/s | p50 ms | p99 ms |
|---|---:|---:|---:|
| warm `{r["question"]}` (ours) | {r["ours_rps"]:,.0f} | {p("ours", "p50_ms")} \
| {p("ours", "p99_ms")} |
| bare bytes from memory | {r["bare_rps"]:,.0f} | {p("bare", "p50_ms")} | {p("bare", "p99_ms")} |
| **ratio ours / bare** | **{ratio(r["ratio"])}** | | |

{verdict(r)}
"""


def verdict(r: dict[str, Any]) -> str:
    if r["ratio"] >= 0.5:
        return (
            f"**Target met**: the warm endpoint serves {ratio(r['ratio'])} the bare route's rate "
            "(target 0.5x). What it adds per request: the API-key check (an HMAC and a lookup "
            "among recently verified keys; a store read at most every "
            "`STAKEMAP_KEY_CACHE_SECONDS`), the rate-limit bucket, FastAPI's query and "
            "dependency validation and the cache lookup by the organisation's known version, "
            "all on the event loop (a cached answer needs no thread); the bytes are never "
            "re-serialised."
        )
    return (
        f"**Target missed**: {ratio(r['ratio'])} of the bare rate (target 0.5x), short by a "
        f"factor {0.5 / r['ratio']:.2f}."
    )


if __name__ == "__main__":
    raise SystemExit(main())
