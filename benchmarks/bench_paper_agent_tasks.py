"""Table X, measured here: eight kinds of operational task as scripted scenarios through
``pycodex exec`` and the Rust ``codex exec``, runs succeeded and median wall time
(``ferry report`` reads the result).

Usage: python benchmarks/bench_paper_agent_tasks.py [RUNS]   (default 3 per task and binary)
"""

from __future__ import annotations

import sys

from _paper_common import OUT, show

from reports.measure.agent_tasks import run_and_store
from reports.measure.common import find_binaries


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    path = run_and_store(find_binaries(), OUT / "table-x.json", runs=runs)
    show(
        path,
        [
            "row",
            "pycodex succeeded",
            "pycodex median (s)",
            "codex succeeded",
            "codex median (s)",
            "pycodex/codex",
        ],
    )


if __name__ == "__main__":
    main()
