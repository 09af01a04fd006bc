"""The loop's iterations in time order, from the stored JSON records (beside Table II, which
follows the paper: Terminal-Bench accuracy per iteration).

An iteration is a ``ferry sync`` run (commits passed / commits), a ``ferry validate``
verdict (gates passed / gates) or a ``ferry bench`` run (tasks resolved / trials); each
record carries its own timestamp, so the table can be rebuilt from the files alone.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from ferry.fsutil import read_text
from harness.records import VERDICT_FORMAT
from harness.sync.errors import SyncError
from harness.sync.state import read_summary
from reports.bench_tables import BenchRun, summarize
from reports.sections import Chart, Section, Skipped, no_data

TITLE = "Iterations of the loop (sync runs, validate verdicts, benchmark runs)"


def verdict_files(paths: Iterable[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            found.extend(sorted(path.rglob("verdict*.json")))
    return list(dict.fromkeys(found))


def _row(
    when: Any,
    kind: str,
    record: str,
    outcome: str,
    passed: int,
    total: int,
    tokens: int | None = None,
    cost: float | None = None,
) -> dict[str, Any]:
    return {
        "when": str(when or ""),
        "kind": kind,
        "record": record,
        "outcome": outcome,
        "passed": passed,
        "total": total,
        "share": round(passed / total, 3) if total else None,
        "tokens": tokens,
        "cost_usd": cost,
    }


def loop_section(
    sync_state: Path, verdicts: Iterable[Path], runs: list[BenchRun]
) -> tuple[Section, list[Skipped]]:
    rows: list[dict[str, Any]] = []
    skipped: list[Skipped] = []
    for path in sorted(sync_state.glob("runs/*/summary.json")):
        try:
            s = read_summary(path)
        except SyncError as exc:
            skipped.append(Skipped(str(path), "unreadable sync summary", str(exc)))
            continue
        good = sum(c.status in ("committed", "skipped") for c in s.commits)
        rows.append(
            _row(
                s.started_at,
                "sync",
                s.run_id or path.parent.name,
                s.outcome,
                good,
                len(s.commits),
                s.input_tokens + s.output_tokens,
                s.cost_usd,
            )
        )
    for path in verdict_files(verdicts):
        try:
            data = json.loads(read_text(path))
        except (OSError, json.JSONDecodeError) as exc:  # UnreadableFileError is an OSError
            skipped.append(Skipped(str(path), "unreadable", str(exc)))
            continue
        stamp = data.get("stamp") if isinstance(data, dict) else None
        if not isinstance(stamp, dict) or stamp.get("format") != VERDICT_FORMAT:
            skipped.append(Skipped(str(path), "not a ferry verdict"))
            continue
        gates = [g for g in data.get("gates", []) if isinstance(g, dict)]
        passed = sum(bool(g.get("passed")) for g in gates)
        names = ",".join(str(g.get("name")) for g in gates)
        rows.append(
            _row(
                data["stamp"].get("created_at"),
                "validate",
                f"{path.name} ({names})",
                "PASS" if data.get("passed") else "FAIL",
                passed,
                len(gates),
            )
        )
    for run in runs:
        summary = summarize(run)
        rows.append(
            _row(
                run.created,
                f"bench {run.benchmark}",
                f"{run.name} ({run.agent})",
                f"{summary.resolved}/{summary.scored} resolved",
                summary.resolved,
                summary.scored,
                summary.input_tokens + summary.output_tokens,
                summary.cost_usd,
            )
        )
    if not rows:
        return no_data("LOOP", TITLE, "no sync summaries, verdicts or bench results found"), skipped
    table = pd.DataFrame(rows).sort_values("when", kind="stable").reset_index(drop=True)
    table.insert(0, "iteration", range(1, len(table) + 1))
    note = "share = passed / total: commits for sync, gates for validate, scored trials for bench."
    shares = table.dropna(subset=["share"])
    chart = None
    if not shares.empty:
        chart = Chart(
            shares.pivot(index="iteration", columns="kind", values="share"),
            "Iterations of the loop: passed / total",
            "passed / total",
            kind="line",
            unit_interval=True,
        )
    return Section("LOOP", TITLE, table, note, chart=chart), skipped
