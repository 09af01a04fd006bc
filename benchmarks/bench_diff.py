"""Diff throughput: a generated history always; the real upstream when a checkout is given.

Environment:
  FERRY_UPSTREAM_CHECKOUT  path of an upstream git checkout (or bare/mirror git dir)
  FERRY_UPSTREAM_SUBTREE   subtree to diff (default ``codex-rs``)
  FERRY_UPSTREAM_REV       revision whose history is diffed (default ``HEAD``)
  FERRY_BENCH_LIMIT        diff only the newest N commits of that history
  FERRY_BENCH_WORKERS      worker processes (default: all cores)

The whole history is diffed twice with the content-addressed on-disk cache
(``translator.diff.store``): cold into an empty temporary cache, then warm from it, and
both figures are printed beside the one measured before the cache existed.
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from translator.diff.engine import (
    HistoryStats,
    diff_range,
    history_stats,
    iter_commit_changesets,
    stats_of,
)
from translator.diff.gitdiff import run_git
from translator.diff.synth import generate_history

#: wall-clock targets on 2 idle cores (issue 13) and the figure measured before the cache
TARGETS = {"cold": 120, "warm": 20}
PREVIOUS = "213 s idle / 452 s loaded (cpu 183 s)"


def _row(label: str, stats: HistoryStats, seconds: float, cpu: float | None = None) -> None:
    cpu_text = f" cpu {cpu:.2f} s" if cpu is not None else ""
    print(
        f"{label:<28} {stats.commits:>6} commits {seconds:>8.2f} s "
        f"{stats.commits / seconds:>8.1f} commits/s {stats.items / seconds:>9.0f} items/s "
        f"{stats.items:>8} items {stats.changed_lines:>9} lines "
        f"coverage {stats.coverage:.4%} parse-errors {stats.parse_errors} shifted {stats.shifted_items}"
        f"{cpu_text}",
        flush=True,
    )


def _cpu() -> float:
    """User+system seconds of this process and its finished children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _serial(repo: Path, commits: list[str], subtree: str) -> tuple[HistoryStats, float]:
    start = time.perf_counter()
    total = HistoryStats(0, 0, 0, 0, 0, 0, 0)
    for changeset in iter_commit_changesets(repo, commits, subtree):
        total = total + stats_of(changeset)
    return total, time.perf_counter() - start


def synthetic() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "repo"
        history = generate_history(root, seed=7, commits=300)
        stats, seconds = _serial(root, [c.sha for c in history], "")
        _row("generated history (serial)", stats, seconds)


def upstream(checkout: Path) -> None:
    subtree = os.environ.get("FERRY_UPSTREAM_SUBTREE", "codex-rs")
    rev = os.environ.get("FERRY_UPSTREAM_REV", "HEAD")
    workers = int(os.environ.get("FERRY_BENCH_WORKERS", "0")) or os.cpu_count() or 1
    head_time = int(run_git(checkout, "log", "-1", "--format=%ct", rev).strip())
    day = run_git(
        checkout, "rev-list", "--reverse", f"--since={head_time - 86400}", rev, "--", subtree
    ).split()
    if day:
        cpu = _cpu()
        stats, seconds = _serial(checkout, day, subtree)
        _row("one day, per commit", stats, seconds, _cpu() - cpu)
        start, cpu = time.perf_counter(), _cpu()
        parents = run_git(checkout, "rev-list", "--parents", "-n", "1", day[0]).split()[1:]
        changeset = diff_range(checkout, parents[0] if parents else None, day[-1], subtree)
        seconds = time.perf_counter() - start
        _row("one day, as one range", stats_of(changeset), seconds, _cpu() - cpu)
    commits = run_git(checkout, "rev-list", "--reverse", rev, "--", subtree).split()
    limit = int(os.environ.get("FERRY_BENCH_LIMIT", "0"))
    if limit:
        commits = commits[-limit:]
    with tempfile.TemporaryDirectory(prefix="ferry-diff-cache-") as cache:
        for label in ("cold", "warm"):
            start, cpu_before = time.perf_counter(), _cpu()
            stats = history_stats(checkout, commits, subtree, workers, cache_dir=Path(cache))
            wall = time.perf_counter() - start
            cpu = _cpu() - cpu_before
            _row(f"history {label} ({workers} workers)", stats, wall)
            # the machine may be shared: CPU time / cores is what it costs on idle cores
            print(
                f"{'':<28} cpu {cpu:.0f} s = {cpu / workers:.0f} s on {workers} idle cores "
                f"(wall {wall:.0f} s, load average {os.getloadavg()[0]:.1f}; target "
                f"{TARGETS[label]} s)",
                flush=True,
            )
    print(
        f"{'':<28} before the cache (5,028 commits): {PREVIOUS}",
        flush=True,
    )


def main() -> int:
    synthetic()
    checkout = os.environ.get("FERRY_UPSTREAM_CHECKOUT")
    if checkout:
        upstream(Path(checkout))
    else:
        print("(set FERRY_UPSTREAM_CHECKOUT to an upstream checkout for the real-history figures)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
