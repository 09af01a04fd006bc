"""Table VII of the paper, measured here: tool orchestration, shell execution, the full
shell pipeline, patch parsing, policy evaluation and SQLite session I/O, in-process in
pycodex and per process in both CLIs (``ferry report`` reads the result).

Usage: python benchmarks/bench_paper_subsystems.py [CLI_RUNS]   (default 10)
"""

from __future__ import annotations

import sys

from _paper_common import OUT, show

from reports.measure.common import find_binaries
from reports.measure.subsystems import IN_PROCESS, PY_CLI, RUST_CLI, run_and_store


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    path = run_and_store(find_binaries(), OUT / "table-vii.json", runs=runs)
    show(path, ["row", IN_PROCESS, PY_CLI, RUST_CLI, "pycodex/codex (per process)"])


if __name__ == "__main__":
    main()
