"""Tables XI (benchmark runs), XII (head-to-head), VI (runtime) and VII (tokens and cost)
from the ``results.json`` files ``ferry bench tb`` and ``ferry bench swe`` store."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from ferry.fsutil import read_text
from harness.errors import HarnessError
from harness.h2h import head_to_head
from reports.sections import Section, no_data

TB_PREFIX = "ferry.bench.tb.results"
SWE_PREFIX = "ferry.bench.swe.results"


@dataclass(frozen=True)
class BenchRun:
    path: Path
    name: str
    benchmark: str  # "tb" | "swe"
    agent: str
    data: dict[str, Any]

    @property
    def trials(self) -> list[dict[str, Any]]:
        return [r for r in self.data.get("results", []) if isinstance(r, dict)]


def find_results(paths: Iterable[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            found.extend(sorted(path.rglob("results.json")))
    return list(dict.fromkeys(found))


def load_runs(paths: Iterable[Path]) -> tuple[list[BenchRun], list[str]]:
    """The readable bench runs among ``paths`` and one note per file that was not one."""
    runs: list[BenchRun] = []
    notes: list[str] = []
    for path in find_results(paths):
        try:
            data = json.loads(read_text(path))
        except (OSError, json.JSONDecodeError) as exc:
            notes.append(f"{path}: skipped, unreadable ({exc})")
            continue
        fmt = str(((data.get("stamp") or {}) if isinstance(data, dict) else {}).get("format", ""))
        if not fmt.startswith((TB_PREFIX, SWE_PREFIX)):
            notes.append(f"{path}: skipped, not a ferry bench results.json (format {fmt!r})")
            continue
        if not isinstance(data.get("results", []), list):
            notes.append(f"{path}: skipped, its 'results' is not a list")
            continue
        benchmark = "tb" if fmt.startswith(TB_PREFIX) else "swe"
        trials = [r for r in data.get("results", []) if isinstance(r, dict)]
        config = (data.get("stamp") or {}).get("config") or {}
        agent = str(
            (trials[0].get("agent") or trials[0].get("model_name_or_path")) if trials else ""
        ) or str(config.get("agent", "?"))
        name = str(data.get("id") or path.parent.name)
        runs.append(BenchRun(path, name, benchmark, agent, data))
    return runs, notes


def _resolved(trial: dict[str, Any]) -> bool:
    return bool(trial.get("is_resolved", trial.get("resolved")))


def _seconds(start: Any, end: Any) -> float | None:
    if not start or not end:
        return None
    try:
        return (
            datetime.fromisoformat(str(end)) - datetime.fromisoformat(str(start))
        ).total_seconds()
    except ValueError:
        return None


def _agent_seconds(trial: dict[str, Any]) -> float | None:
    return _seconds(
        trial.get("agent_started_at") or trial.get("started_at"),
        trial.get("agent_ended_at") or trial.get("ended_at"),
    )


def runs_section(runs: list[BenchRun]) -> Section:
    title = "Benchmark runs (resolution rate, tokens, cost)"
    if not runs:
        return no_data("XI", title, "no ferry bench results.json found (pass --results)")
    rows = []
    for run in runs:
        trials = run.trials
        costs = [t["cost_usd"] for t in trials if t.get("cost_usd") is not None]
        solved = sum(_resolved(t) for t in trials)
        rows.append(
            {
                "run": run.name,
                "benchmark": run.benchmark,
                "agent": run.agent,
                "tasks": len({t.get("task_id") or t.get("instance_id") for t in trials}),
                "trials": len(trials),
                "resolved": solved,
                "accuracy": round(solved / len(trials), 3) if trials else 0.0,
                "input_tokens": sum(t.get("total_input_tokens") or 0 for t in trials),
                "output_tokens": sum(t.get("total_output_tokens") or 0 for t in trials),
                "cost_usd": round(sum(costs), 4) if costs else None,
            }
        )
    return Section("XI", title, pd.DataFrame(rows), "One row per stored results.json.")


def h2h_section(runs: list[BenchRun]) -> Section:
    title = "Head-to-head (tasks both solved / only A / only B / neither)"
    rows = []
    for a, b in itertools.combinations(runs, 2):
        if a.benchmark != b.benchmark:
            continue
        try:
            h = head_to_head(a.path, b.path, name_a=a.name, name_b=b.name)
        except HarnessError:
            continue
        common = len(h.both) + len(h.only_a) + len(h.only_b) + len(h.neither)
        if common == 0:
            continue
        rows.append(
            {
                "A": f"{a.name} ({a.agent})",
                "B": f"{b.name} ({b.agent})",
                "common tasks": common,
                "both": len(h.both),
                "only A": len(h.only_a),
                "only B": len(h.only_b),
                "neither": len(h.neither),
            }
        )
    if not rows:
        return no_data("XII", title, "needs two runs of the same benchmark sharing tasks")
    return Section("XII", title, pd.DataFrame(rows), "Every pair of runs of the same benchmark.")


def _median(values: list[float]) -> float | None:
    return round(float(pd.Series(values).median()), 2) if values else None


def runtime_section(runs: list[BenchRun]) -> tuple[Section, dict[str, list[float]]]:
    title = "Runtime per task (agent phase, seconds)"
    rows = []
    samples: dict[str, list[float]] = {}
    for run in runs:
        agent = [s for t in run.trials if (s := _agent_seconds(t)) is not None]
        trial = [
            s
            for t in run.trials
            if (s := _seconds(t.get("trial_started_at"), t.get("trial_ended_at"))) is not None
        ]
        if not agent:
            continue
        samples[run.name] = agent
        series = pd.Series(agent)
        rows.append(
            {
                "run": run.name,
                "agent": run.agent,
                "trials": len(agent),
                "median_s": _median(agent),
                "mean_s": round(float(series.mean()), 2),
                "p90_s": round(float(series.quantile(0.9)), 2),
                "max_s": round(float(series.max()), 2),
                "median_trial_s": _median(trial),
            }
        )
    if not rows:
        return no_data("VI", title, "no timed trials in the stored results"), samples
    return Section("VI", title, pd.DataFrame(rows), "From the trials' start/end stamps."), samples


def usage_section(runs: list[BenchRun]) -> Section:
    title = "Tokens and cost per task"
    rows = []
    for run in runs:
        trials = run.trials
        inputs = [
            float(t["total_input_tokens"])
            for t in trials
            if t.get("total_input_tokens") is not None
        ]
        outputs = [
            float(t["total_output_tokens"])
            for t in trials
            if t.get("total_output_tokens") is not None
        ]
        costs = [float(t["cost_usd"]) for t in trials if t.get("cost_usd") is not None]
        if not (inputs or outputs or costs):
            continue
        solved = sum(_resolved(t) for t in trials)
        rows.append(
            {
                "run": run.name,
                "agent": run.agent,
                "median_input_tokens": _median(inputs),
                "median_output_tokens": _median(outputs),
                "mean_cost_usd": round(sum(costs) / len(costs), 4) if costs else None,
                "cost_per_resolved_usd": round(sum(costs) / solved, 4)
                if costs and solved
                else None,
            }
        )
    if not rows:
        return no_data("VII", title, "no token or cost figures in the stored results")
    return Section("VII", title, pd.DataFrame(rows), "Tokens and cost as recorded from rollouts.")
