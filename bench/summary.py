"""The targets of docs/PERFORMANCE.md in one table, from the latest results of each bench.

    python -m bench.summary               # print the table
    python -m bench.summary --write-doc   # also update the "Targets" section

``python -m bench`` runs it after the benches. Each row reads the newest results file of its
bench in ``bench/results/`` from a run with the defaults (not ``--quick``, all sizes and
parts); a bench not run that way shows "not measured".
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench._common import RESULTS, ratio, write_section

HEADING = "## Targets"


@dataclass(frozen=True)
class Target:
    name: str
    goal: str
    measured: str
    met: bool


def latest(bench: str, full: Callable[[dict[str, Any]], bool]) -> dict[str, Any] | None:
    """The newest results of ``bench`` from a run with the defaults (``full``)."""
    for path in sorted(RESULTS.glob(f"{bench}-*.json"), reverse=True):
        saved: dict[str, Any] = json.loads(path.read_text("utf-8"))
        if full(saved):
            return saved
    return None


def _stamp(saved: dict[str, Any]) -> str:
    at = str(saved.get("at", ""))
    return f"{at[:4]}-{at[4:6]}-{at[6:8]}" if len(at) >= 8 else "?"


def _machine(saved: dict[str, Any]) -> str:
    """Cores and memory of the run's machine (the import bench records MiB, the others GiB)."""
    info = saved.get("machine", {})
    gib = info.get("memory_gib") or round(info.get("memory_mib", 0) / 1024, 1)
    return f"{info.get('cores', '?')} cores, {gib:g} GiB"


def analytics_targets(saved: dict[str, Any]) -> list[Target]:
    found = []
    large = [r for r in saved.get("influence", []) if r["people"] >= 2_000]
    if large:
        worst = min(min(r["p50_ratio"], r["p95_ratio"]) for r in large)
        sizes = ", ".join(f"{r['people']:,}" for r in large)
        found.append(
            Target(
                "Cold influence ranking vs NetworkX (p50 and p95)",
                ">= 10x at 2,000 people and above",
                f"worst {ratio(worst)} ({sizes} people)",
                worst >= 10,
            )
        )
    paths = saved.get("paths", [])
    if paths:
        cells = [
            (r[q]["p50_ratio"], r["people"], q.replace("_", " "))
            for r in paths
            for q in ("entry_paths", "next_contacts")
        ]
        value, people, question = max(cells)
        found.append(
            Target(
                "Entry paths and next contacts: endpoint / raw algorithm (p50)",
                "<= 1.5x",
                f"worst {ratio(value)} ({question}, {people:,} people)",
                value <= 1.5,
            )
        )
    return found


def cold_targets(saved: dict[str, Any]) -> list[Target]:
    rows = saved.get("rows", [])
    if not rows:
        return []
    worst = max(r["max_ratio"] for r in rows)
    spread = max(r["spread"] for r in rows)
    sizes = ", ".join(f"{r['people']:,}" for r in rows)
    return [
        Target(
            f"First ranking after an edit: HTTP / in-process ({sizes} people)",
            "<= 1.5x, and max / min over 5 runs <= 1.25x",
            f"worst {ratio(worst)}, max / min {ratio(spread)}",
            worst <= 1.5 and spread <= 1.25,
        )
    ]


def serving_targets(saved: dict[str, Any]) -> list[Target]:
    return [
        Target(
            "Warm power map of 1,000 people vs bare bytes (wrk requests/s)",
            ">= 0.5x",
            f"{ratio(saved['ratio'])} ({saved['ours_rps']:,.0f} vs {saved['bare_rps']:,.0f}/s)",
            saved["ratio"] >= 0.5,
        )
    ]


def scale_targets(saved: dict[str, Any]) -> list[Target]:
    from bench.scale_bench import MEASURES, growth

    found = []
    for r in saved.get("results", []):
        sizes = r["sizes"]
        if len(sizes) < 2:
            continue
        worst = max(growth(sizes[0], sizes[-1], name) for name in MEASURES)
        found.append(
            Target(
                f"Per-organisation latency, database 10k -> 1M people ({r['store']})",
                "<= 1.3x",
                f"worst {ratio(worst)}",
                worst <= 1.3,
            )
        )
        exports = [s["export"] for s in sizes if "export" in s]
        if len(exports) >= 2:
            peak = exports[-1]["peak_rss_mib"] / exports[0]["peak_rss_mib"]
            found.append(
                Target(
                    f"All-accounts export peak memory, 1M vs 10k people ({r['store']})",
                    "<= 1.2x",
                    f"{ratio(peak)} ({exports[-1]['rows_per_s']:,.0f} rows/s at 1M)"
                    if "rows_per_s" in exports[-1]
                    else ratio(peak),
                    peak <= 1.2,
                )
            )
    return found


def import_targets(saved: dict[str, Any]) -> list[Target]:
    return [
        Target(
            f"Bulk import vs hand-written best practice ({r['store']})",
            ">= 0.8x",
            f"{ratio(r['ratio'])} ({r['rows_per_s']['ours']:,.0f} rows/s)",
            r["ratio"] >= 0.8,
        )
        for r in saved.get("results", [])
    ]


Saved = dict[str, Any]


def layout_targets(saved: dict[str, Any]) -> list[Target]:
    found = []
    trees = [
        r for r in saved.get("in_process", []) if r["people"] >= 2_000 and r["shape"] != "dense"
    ]
    if trees:
        worst = max(max(r["cold_ratio"], r["highlight_ratio"]) for r in trees)
        found.append(
            Target(
                "Cold power map of 2,000 people, any tree shape vs the flat tree",
                "<= 3x",
                f"worst {ratio(worst)}",
                worst <= 3,
            )
        )
    tenant = [r for r in saved.get("tenant", []) if r["layout"] == "worker process"]
    if tenant:
        value = tenant[0]["ratio"]
        found.append(
            Target(
                "Another tenant's GET p50 while a 2,000-person map computes vs idle",
                "<= 2x",
                ratio(value),
                value <= 2,
            )
        )
    return found


#: bench -> (was this run made with the defaults?, its targets)
SOURCES: dict[str, tuple[Callable[[Saved], bool], Callable[[Saved], list[Target]]]] = {
    "analytics": (lambda s: bool(s.get("full")), analytics_targets),
    "cold": (lambda s: bool(s.get("full")), cold_targets),
    "serving": (lambda s: s.get("quick") is False and s["people"] == 1_000, serving_targets),
    "scale": (lambda s: max(s["sizes"]) >= 1_000_000 and len(s["results"]) == 2, scale_targets),
    "import": (lambda s: all(r["contacts"] >= 100_000 for r in s["results"]), import_targets),
    "layout": (lambda s: bool(s.get("full")), layout_targets),
}


def table() -> str:
    lines = [
        "Every target of the performance issue, from the newest full run of each bench "
        "(`python -m bench.summary`; the sections below give the method and every figure).",
        "",
        "| target | goal | measured | run (machine) | verdict |",
        "|---|---|---|---|---|",
    ]
    for bench, (full, targets) in SOURCES.items():
        saved = latest(bench, full)
        if saved is None:
            lines.append(f"| `{bench}` bench | - | not measured | - | - |")
            continue
        for t in targets(saved):
            verdict = "**met**" if t.met else "**missed**"
            run = f"{_stamp(saved)} ({_machine(saved)})"
            lines.append(f"| {t.name} | {t.goal} | {t.measured} | {run} | {verdict} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.summary", description=__doc__)
    parser.add_argument("--write-doc", action="store_true", help="update docs/PERFORMANCE.md")
    args = parser.parse_args(argv)
    text = table()
    print(text)
    if args.write_doc:
        write_section(HEADING, text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
