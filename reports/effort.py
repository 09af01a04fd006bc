"""Table IX: migration effort, from the project's git history, the ledger and sync summaries.

Git gives commits and lines (whole repository, and the port's tree), test commits, the
busiest three days, and lines per translation backend (port commits carry a
``Ferry-Backend:`` trailer; commits without one were written by hand). The ledger gives the
upstream commits tracked and what became of them (and of their items, where recorded);
sync summaries give tokens and cost.
"""

from __future__ import annotations

import sqlite3
import subprocess
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from harness.sync.errors import SyncError
from harness.sync.state import read_summary
from reports.sections import Chart, Section, no_data

HAND = "hand-written (no Ferry-Backend trailer)"


@dataclass(frozen=True)
class EffortInputs:
    project: Path  # the git work tree holding ferry.toml
    port: str  # the port's directory relative to the project (port)
    port_package: str  # the port package relative to the project (port/pycodex)
    tests: tuple[str, ...]  # test directories relative to the project
    ledger: Path
    sync_state: Path
    upstream_git: Path | None
    upstream_rev: str | None
    subtree: str


class _GitError(Exception):
    pass


def _git(cwd: Path, *args: str) -> str:
    proc = subprocess.run(["git", "-C", str(cwd), *args], capture_output=True, text=True)
    if proc.returncode != 0:
        raise _GitError(proc.stderr.strip() or f"git {' '.join(args)} failed")
    return proc.stdout


def _numstat(cwd: Path, *paths: str) -> tuple[int, int]:
    out = _git(cwd, "log", "--format=", "--numstat", "--no-renames", "HEAD", "--", *paths)
    added = removed = 0
    for line in out.splitlines():
        parts = line.split("\t")
        if len(parts) == 3 and parts[0].isdigit() and parts[1].isdigit():
            added += int(parts[0])
            removed += int(parts[1])
    return added, removed


def _per_backend(cwd: Path, package: str) -> dict[str, tuple[int, int]]:
    """Commits and added lines in the port package, by the Ferry-Backend trailer."""
    out = _git(
        cwd,
        "log",
        "--no-renames",
        "--format=@@%H%x09%(trailers:key=Ferry-Backend,valueonly,separator=%x2C)",
        "--numstat",
        "HEAD",
        "--",
        package,
    )
    commits: Counter[str] = Counter()
    lines: Counter[str] = Counter()
    backend = HAND
    for line in out.splitlines():
        if line.startswith("@@"):
            _sha, _tab, value = line[2:].partition("\t")
            backend = value.strip() or HAND
            commits[backend] += 1
            continue
        parts = line.split("\t")
        if len(parts) == 3 and parts[0].isdigit():
            lines[backend] += int(parts[0])
    return {b: (commits[b], lines[b]) for b in commits}


def _busiest_window(cwd: Path, days: int = 3) -> tuple[int, str]:
    dates = [
        date.fromisoformat(d)
        for d in _git(cwd, "log", "--format=%ad", "--date=short", "HEAD").split()
    ]
    if not dates:
        return 0, ""
    per_day = Counter(dates)
    best, start = 0, min(dates)
    for day in per_day:
        n = sum(per_day.get(day + timedelta(d), 0) for d in range(days))
        if n > best:
            best, start = n, day
    return best, f"{start} to {start + timedelta(days - 1)}"


def _ledger(path: Path) -> tuple[dict[str, int], dict[str, int], str]:
    """Commit counts by status, item counts by decision (when recorded), or why none."""
    if not path.is_file():
        return {}, {}, f"no ledger at {path}: run `ferry track` (or `ferry sync`) first"
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        return {}, {}, f"{path}: cannot open ({exc})"
    try:
        commits = {
            str(s): int(n)
            for s, n in db.execute("SELECT status, COUNT(*) FROM commits GROUP BY status")
        }
        items: dict[str, int] = {}
        has_items = db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'items'"
        ).fetchone()
        if has_items:
            items = {
                str(d): int(n)
                for d, n in db.execute("SELECT decision, COUNT(*) FROM items GROUP BY decision")
            }
        return commits, items, ""
    except sqlite3.Error as exc:
        return {}, {}, f"{path}: not a ferry ledger ({exc})"
    finally:
        db.close()


def _sync_usage(state: Path) -> tuple[int, int, float, dict[str, int]]:
    tokens_in = tokens_out = runs = 0
    cost = 0.0
    per_backend: dict[str, int] = defaultdict(int)
    for path in sorted(state.glob("runs/*/summary.json")):
        try:
            s = read_summary(path)
        except SyncError:
            continue
        runs += 1
        tokens_in += s.input_tokens
        tokens_out += s.output_tokens
        cost += s.cost_usd
        per_backend[s.backend] += s.input_tokens + s.output_tokens
    return runs, tokens_in + tokens_out, round(cost, 4), dict(per_backend)


def effort_section(inputs: EffortInputs) -> Section:
    title = "Migration effort (git history, ledger, sync runs)"
    rows: list[dict[str, Any]] = []
    reasons: dict[str, str] = {}

    def add(name: str, value: float | None, source: str, why: str = "") -> None:
        rows.append({"row": name, "value": value, "source": source})
        if value is None:
            reasons[name] = why

    try:
        _git(inputs.project, "rev-parse", "--verify", "HEAD")
    except _GitError as exc:
        return no_data("IX", title, f"{inputs.project} is not a git work tree with commits ({exc})")
    project = inputs.project
    add("repository commits", int(_git(project, "rev-list", "--count", "HEAD")), "git")
    busiest, window = _busiest_window(project)
    add("commits in the migration window", busiest, f"git: the busiest 3 days, {window}")
    added, removed = _numstat(project)
    add("lines added (repository)", added, "git log --numstat")
    add("lines removed (repository)", removed, "git log --numstat")
    add("net lines (repository)", added - removed, "git log --numstat")
    add(
        "port commits",
        int(_git(project, "rev-list", "--count", "HEAD", "--", inputs.port)),
        f"git: commits touching {inputs.port}/",
    )
    p_added, p_removed = _numstat(project, inputs.port_package)
    add("lines added (port package)", p_added, f"git: {inputs.port_package}")
    add("lines removed (port package)", p_removed, f"git: {inputs.port_package}")
    tests = [t for t in inputs.tests if (project / t).exists()]
    add(
        "test commits",
        int(_git(project, "rev-list", "--count", "HEAD", "--", *tests)) if tests else None,
        f"git: commits touching {', '.join(tests) or 'the test directories'}",
        "no test directory found",
    )
    for backend, (n_commits, lines) in sorted(_per_backend(project, inputs.port_package).items()):
        add(
            f"lines translated: {backend}",
            lines,
            f"git: {n_commits} commit(s) touching {inputs.port_package}",
        )

    commits, items, why = _ledger(inputs.ledger)
    if why:
        add("upstream commits tracked", None, "ledger", why)
    else:
        add("upstream commits tracked", sum(commits.values()), f"ledger {inputs.ledger}")
        for status in ("ported", "pending", "declined", "skipped", "failed", "new"):
            if status in commits or status in ("ported", "failed"):
                add(f"upstream commits {status}", commits.get(status, 0), "ledger")
        if items:
            for decision in ("ported", "pending", "declined"):
                add(f"upstream items {decision}", items.get(decision, 0), "ledger items")
        else:
            add(
                "upstream items ported / pending / declined",
                None,
                "ledger",
                "this ledger records no per-item decisions",
            )
    if inputs.upstream_git is not None:
        try:
            count = _git(
                inputs.upstream_git,
                "rev-list",
                "--count",
                inputs.upstream_rev or "HEAD",
                "--",
                inputs.subtree,
            )
            add(
                f"upstream commits touching {inputs.subtree} up to {(inputs.upstream_rev or 'HEAD')[:12]}",
                int(count),
                f"git {inputs.upstream_git}",
            )
        except _GitError as exc:
            add("upstream commits in history", None, "git", str(exc))
    runs, tokens, cost, per_backend = _sync_usage(inputs.sync_state)
    why_usage = f"no ferry sync summaries under {inputs.sync_state}/runs"
    add("sync runs", runs, "sync summaries")
    add("tokens", tokens if runs else None, "sync summaries", why_usage)
    add("cost (USD)", cost if runs else None, "sync summaries", why_usage)
    for backend, used in sorted(per_backend.items()):
        add(f"tokens: {backend}", used, "sync summaries")
    table = pd.DataFrame(rows)
    measures = {(str(r["row"]), "value"): float(r["value"]) for r in rows if r["value"] is not None}
    plotted = table.dropna(subset=["value"])
    plotted = plotted[plotted["value"] > 0]
    chart = Chart(
        plotted.set_index("row")[["value"]].astype(float),
        "Table IX: migration effort",
        "count",
        kind="barh",
    )
    note = (
        "Lines per backend are lines added to the port package by commits carrying that "
        "Ferry-Backend trailer. The paper's figures cover a three-day migration window of its "
        "repository; ours the whole history of this one, and its busiest three days."
    )
    return Section("IX", title, table, note, measures=measures, reasons=reasons, chart=chart)
