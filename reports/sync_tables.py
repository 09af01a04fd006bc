"""The sync runs table: one row per stored ``ferry sync`` run, with its per-commit outcomes."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from ferry.fsutil import read_text
from harness.sync.errors import SyncError
from harness.sync.state import read_summary
from reports.sections import Chart, Section, Skipped, no_data


def _attempts(artifacts: str | None) -> int:
    if artifacts is None:
        return 0
    path = Path(artifacts) / "translate.json"
    try:
        data = json.loads(read_text(path))
    except (OSError, json.JSONDecodeError):
        return 0
    units = data.get("units") if isinstance(data, dict) else None
    if not isinstance(units, list):
        return 0
    return sum(
        u["attempts"] for u in units if isinstance(u, dict) and isinstance(u.get("attempts"), int)
    )


def sync_runs_section(state_dir: Path) -> tuple[Section, list[Skipped]]:
    title = "Sync runs (Track -> Translate -> Validate)"
    rows = []
    skipped: list[Skipped] = []
    for path in sorted(state_dir.glob("runs/*/summary.json")):
        try:
            s = read_summary(path)
        except SyncError as exc:
            skipped.append(Skipped(str(path), "unreadable sync summary", str(exc)))
            continue
        status = [c.status for c in s.commits]
        gates = [ok for c in s.commits for ok in c.gates.values()]
        rows.append(
            {
                "run": s.run_id,
                "started": s.started_at,
                "backend": s.backend,
                "outcome": s.outcome,
                "commits": len(s.commits),
                "committed": status.count("committed"),
                "skipped": status.count("skipped"),
                "failed": status.count("failed"),
                "held": status.count("held"),
                "units": sum(c.units for c in s.commits),
                "attempts": sum(_attempts(c.artifacts) for c in s.commits),
                "gates_passed": sum(gates),
                "gates_failed": len(gates) - sum(gates),
                "untested": sum(len(c.untested) for c in s.commits),
                "tokens": s.input_tokens + s.output_tokens,
                "cost_usd": s.cost_usd,
                "resumed": s.resumed,
            }
        )
    if not rows:
        return no_data("SYNC", title, f"no ferry sync summaries under {state_dir}/runs"), skipped
    note = "One row per ferry sync run (summary.json and its per-commit artifacts)."
    table = pd.DataFrame(rows)
    chart = Chart(
        table.set_index("run")[["committed", "skipped", "failed", "held"]],
        "Sync runs: upstream commits by outcome",
        "upstream commits",
        kind="barh",
        log=False,
    )
    return Section("SYNC", title, table, note, chart=chart), skipped
