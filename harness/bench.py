"""``make bench``: run every ``benchmarks/bench_*.py`` script and print its figures.

Each script is independent (its own process) and prints a small table; a failing
script is reported and makes the whole run exit non-zero.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    root = Path(__file__).resolve().parent.parent / "benchmarks"
    selected = argv if argv is not None else sys.argv[1:]
    scripts = sorted(root.glob("bench_*.py"))
    if selected:
        scripts = [s for s in scripts if any(name in s.stem for name in selected)]
    failures = 0
    for script in scripts:
        print(f"== {script.stem} ==", flush=True)
        rc = subprocess.call([sys.executable, str(script)])
        if rc != 0:
            print(f"!! {script.name} exited {rc}", flush=True)
            failures += 1
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
