"""Helpers shared by the benchmarks: the machine, statistics, a real server, the report."""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from app.security import new_key as make_key
from app.settings import Settings
from bench.orgs import account_request
from graph.store import GraphStore
from schemas.common import KeyRole
from schemas.resources import OrganisationCreate

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DOC = ROOT / "docs" / "PERFORMANCE.md"


# --- the machine and the numbers ---------------------------------------------------------------


def machine() -> dict[str, Any]:
    """Cores, memory, CPU model, Python and the load when the run started."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    pages, page_size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
    return {
        "cores": os.cpu_count(),
        "memory_gib": round(pages * page_size / 2**30, 1),
        "cpu": cpu,
        "python": platform.python_version(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def machine_line(info: dict[str, Any]) -> str:
    return (
        f"Machine: {info['cores']} cores, {info['memory_gib']:g} GiB RAM ({info['cpu']}), "
        f"Python {info['python']}; load average {info['load_average'][0]:g} when the run "
        "started (other work shares this machine: figures are medians over repeats, and only "
        "ratios measured in the same run are compared)."
    )


def median(values: Sequence[float]) -> float:
    return float(np.median(values))


def p95(values: Sequence[float]) -> float:
    """95th percentile, interpolated (with few samples it is close to the maximum)."""
    return float(np.percentile(values, 95))


def ms(seconds: float) -> str:
    """A duration in milliseconds, with sensible precision."""
    value = seconds * 1000
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def ratio(value: float) -> str:
    return f"{value:,.1f}x" if value >= 10 else f"{value:.2f}x"


# --- results and the report ---------------------------------------------------------------------


def measured_in_child(module: str, *args: str) -> dict[str, Any]:
    """Run ``python -m <module> --measure <args>`` in a fresh process (so one measurement's
    memory and imports never colour another's) and answer the JSON of its last line."""
    command = [sys.executable, "-m", module, "--measure", *args]
    done = subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def save(name: str, payload: dict[str, Any]) -> Path:
    """Write ``bench/results/<name>-<timestamp>.json``."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"{name}-{stamp}.json"
    path.write_text(json.dumps({"bench": name, "at": stamp, **payload}, indent=2), "utf-8")
    return path


def write_section(heading: str, body: str) -> None:
    """Put ``heading`` + ``body`` in docs/PERFORMANCE.md in place of that heading's section
    (up to the next ``## `` heading), or append it; other sections are left alone."""
    text = DOC.read_text("utf-8") if DOC.exists() else "# Performance\n"
    section = f"{heading}\n\n{body.strip()}\n"
    start = text.find(heading + "\n")
    if start < 0:
        text = text.rstrip("\n") + "\n\n" + section
    else:
        end = text.find("\n## ", start + len(heading))
        tail = "" if end < 0 else text[end:]
        text = text[:start] + section + tail
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(text, "utf-8")


def publish(heading: str, text: str, *, write_doc: bool, full: bool = True) -> None:
    """Print a bench's report and, with ``--write-doc``, put it in docs/PERFORMANCE.md; a
    partial run (``--only``, ``--quick``, other sizes) never replaces the full one there."""
    print(text)
    if write_doc:
        if full:
            write_section(heading, text)
        else:
            print("(a partial run: docs/PERFORMANCE.md left alone)")


def rerender(
    path: Path, render: Callable[[dict[str, Any]], str], heading: str, *, write_doc: bool
) -> int:
    """``--report``: render a saved results JSON again (and, with ``--write-doc``, publish it)."""
    publish(heading, render(json.loads(path.read_text("utf-8"))), write_doc=write_doc)
    return 0


def comparison_options(parser: argparse.ArgumentParser) -> None:
    """``--write-doc``, ``--label``, ``--report`` and ``--before``: what every bench that
    compares with an earlier build takes."""
    parser.add_argument("--write-doc", action="store_true", help="update docs/PERFORMANCE.md")
    parser.add_argument("--label", default="", help="a note saved with the results")
    parser.add_argument("--report", type=Path, help="re-render the report of a results JSON")
    parser.add_argument("--before", type=Path, help="results JSON of an earlier build to compare")


def earlier(args: argparse.Namespace) -> dict[str, Any] | None:
    """The ``--before`` results, if given."""
    before: dict[str, Any] | None = (
        json.loads(args.before.read_text("utf-8")) if args.before else None
    )
    return before


def rerender_compared(
    args: argparse.Namespace,
    report: Callable[[dict[str, Any], dict[str, Any], dict[str, Any] | None], str],
    heading: str,
) -> int:
    """``--report``: render the saved results again, beside ``--before`` if given."""
    before = earlier(args)
    return rerender(
        args.report,
        lambda saved: report(saved["machine"], saved, before),
        heading,
        write_doc=args.write_doc,
    )


# --- data -----------------------------------------------------------------------------------------


def new_key(store: GraphStore, tenant: str, role: KeyRole = KeyRole.ADMIN) -> str:
    """A fresh API key of ``tenant``, stored; returns the secret."""
    made = make_key(Settings().key_pepper.get_secret_value())  # what the server reads
    store.create_api_key(tenant, role, "bench", made.secret_hash)
    return made.secret


def load_account(store: GraphStore, tenant: str, n: int, seed: int) -> tuple[str, dict[str, str]]:
    """Create an organisation and import a generated account of ``n`` people into it."""
    org = store.create_organisation(tenant, OrganisationCreate(name=f"Account of {n:,} people"))
    result = store.import_graph(tenant, org.id, account_request(n, seed=seed))
    return org.id, result.ids


# --- a real server ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Server:
    """``uvicorn`` serving the app in its own process on a loopback port (one worker, the
    default event loop and HTTP parser), with ``STAKEMAP_*`` settings from ``env``."""

    def __init__(
        self, env: dict[str, str], *, target: str = "app.main:app", factory: bool = False
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = RESULTS / f"server-{self.port}.log"
        RESULTS.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "uvicorn", target, "--host", "127.0.0.1"]
        command += ["--port", str(self.port), "--log-level", "warning", "--no-access-log"]
        if factory:
            command.append("--factory")
        settings = {"STAKEMAP_RATE_LIMIT_PER_MINUTE": "0", "STAKEMAP_METRICS_ENABLED": "true"}
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env={**os.environ, **settings, **env},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(self.url + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start; see {self.log}")
            time.sleep(0.1)

    @property
    def pid(self) -> int:
        return self.process.pid

    def peak_rss_mib(self) -> float:
        """The server process's peak resident memory so far (``VmHWM``)."""
        return _status_kib(self.pid, "VmHWM") / 1024

    def rss_mib(self) -> float:
        return _status_kib(self.pid, "VmRSS") / 1024

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.unlink(missing_ok=True)

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


def _status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} for pid {pid}")


def timed_get(client: httpx.Client, path: str, **params: Any) -> tuple[float, bytes]:
    """One GET, timed from the client (seconds); fails loudly on anything but 200."""
    started = time.perf_counter()
    response = client.get(path, params=params)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"GET {path} answered {response.status_code}: {response.text[:500]}")
    return elapsed, response.content
