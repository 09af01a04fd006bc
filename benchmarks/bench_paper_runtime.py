"""Table VI of the paper, measured here: start-up time, peak memory, import time and
importable modules, pycodex beside the Rust codex (``ferry report`` reads the result).

Usage: python benchmarks/bench_paper_runtime.py [RUNS]   (default 20, as the paper's n)
"""

from __future__ import annotations

import sys

from _paper_common import OUT, show

from reports.measure.common import find_binaries
from reports.measure.runtime import run_and_store


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    path = run_and_store(
        find_binaries(), OUT / "table-vi.json", runs=runs, exec_runs=max(3, runs // 5)
    )
    show(path, ["row", "pycodex", "pycodex sd", "codex (Rust)", "codex sd", "n", "pycodex/codex"])


if __name__ == "__main__":
    main()
