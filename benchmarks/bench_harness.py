"""Harness figures: task loading, pytest-output parsing, and per-trial overhead of the local sandbox.

Run by ``make bench``; prints a small table. The oracle trials measure what the harness
itself costs per task (sandbox build, copy-in, test run), not an agent.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "harness"))

from harness.agents import make_agent  # noqa: E402
from harness.environments import environment_factory  # noqa: E402
from harness.environments.local import bwrap_probe  # noqa: E402
from harness.parsers import parse_pytest  # noqa: E402
from harness.records import TB_RESULTS_FORMAT, stamp  # noqa: E402
from harness.tasks import load_tasks  # noqa: E402
from harness.tb.runner import RunOptions, run_benchmark  # noqa: E402

TASKS = ROOT / "tests" / "harness" / "tasks"


def timed(fn: Callable[[], object], repeats: int) -> float:
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    rows: list[tuple[str, str]] = []
    load = timed(lambda: (load_tasks(TASKS / "tb1"), load_tasks(TASKS / "harbor")), 20)
    rows.append(("load 10 tasks (TB1 + Harbor)", f"{load * 1000:.1f} ms"))

    lines = "".join(f"PASSED tests/test_outputs.py::test_case_{i}\n" for i in range(20000))
    output = "=== short test summary info ===\n" + lines + "=== 20000 passed in 1.00s ===\n"
    parse = timed(lambda: parse_pytest(output), 5)
    rows.append(("parse pytest -rA summary", f"{len(output) / parse / 1e6:.1f} MB/s"))

    if bwrap_probe() is None:
        for fmt in ("tb1", "harbor"):
            tasks = load_tasks(TASKS / fmt)
            with tempfile.TemporaryDirectory() as tmp:
                started = time.perf_counter()
                results = run_benchmark(
                    tasks,
                    lambda: make_agent("oracle"),
                    environment_factory("local"),
                    RunOptions(run_id="bench", run_dir=Path(tmp), n_concurrent=1, progress=False),
                    stamp(TB_RESULTS_FORMAT, {"bench": True}),
                )
                elapsed = time.perf_counter() - started
            rows.append(
                (
                    f"oracle trial, local sandbox ({fmt})",
                    f"{elapsed / len(tasks):.2f} s/task, {results.accuracy:.0%} resolved",
                )
            )
    else:
        rows.append(("oracle trial, local sandbox", f"skipped: {bwrap_probe()}"))

    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
