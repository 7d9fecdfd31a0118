"""Run every benchmark with its defaults: ``python -m bench`` (``make bench``).

Each ``bench/*_bench.py`` module has a ``main(argv)`` and a ``--write-doc`` flag; they run one
after the other, each in its own process (so one's memory and imports never colour
another's figures), writing their JSON to ``bench/results/`` and their section of
docs/PERFORMANCE.md. ``python -m bench analytics serving`` runs only those. The exit status
is the worst of theirs. Last, ``bench.summary`` gathers every target into the "Targets"
table at the top of docs/PERFORMANCE.md.
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    chosen = set(sys.argv[1:] if argv is None else argv)
    status = 0
    root = Path(__file__).parent
    for module in sorted(m.name for m in pkgutil.iter_modules([str(root)])):
        if module.endswith("_bench") and (not chosen or module.removesuffix("_bench") in chosen):
            print(f"\n=== bench.{module} ===", flush=True)
            command = [sys.executable, "-m", f"bench.{module}", "--write-doc"]
            status = max(status, subprocess.run(command, cwd=root.parent, check=False).returncode)
    print("\n=== bench.summary ===", flush=True)
    summary = [sys.executable, "-m", "bench.summary", "--write-doc"]
    return max(status, subprocess.run(summary, cwd=root.parent, check=False).returncode)


if __name__ == "__main__":
    raise SystemExit(main())
