"""Benchmark tables from the run-level ``results.json`` files ``ferry bench tb|swe`` store:
II (Terminal-Bench accuracy per iteration), XI (Terminal-Bench head-to-head of the chosen
pair), XII (SWE-bench head-to-head) and the list of stored runs.

Trial-level records written beside a run (``ferry.bench.tb.trial/1``, one per task) are
inputs of their run, not runs: they are counted as skipped, never listed one by one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from ferry.fsutil import read_text
from reports.sections import Chart, Section, Skipped, no_data

TB_PREFIX = "ferry.bench.tb.results"
SWE_PREFIX = "ferry.bench.swe.results"
TRIAL_PREFIXES = ("ferry.bench.tb.trial", "ferry.bench.swe.instance")


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

    @property
    def created(self) -> str:
        stamp = self.data.get("stamp") or {}
        return str(stamp.get("created_at") or "")

    @property
    def config(self) -> dict[str, Any]:
        return dict((self.data.get("stamp") or {}).get("config") or {})


@dataclass(frozen=True)
class Pair:
    """The two agents compared in II, XI and XII: run ids, results.json paths or agent names."""

    a: str = "pycodex"
    b: str = "codex"

    def matches(self, selector: str, run: BenchRun) -> bool:
        if selector in (run.name, str(run.path), str(run.path.parent)):
            return True
        try:
            if Path(selector).resolve() in (run.path.resolve(), run.path.parent.resolve()):
                return True
        except OSError:
            pass
        # an agent name; variants such as scripted-pycodex count as the same agent
        return run.agent == selector or run.agent.endswith(f"-{selector}")

    def newest(self, selector: str, runs: list[BenchRun], benchmark: str) -> BenchRun | None:
        found = [r for r in runs if r.benchmark == benchmark and self.matches(selector, r)]
        return max(found, key=lambda r: (r.created, str(r.path))) if found else None


def find_results(paths: Iterable[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            found.extend(sorted(path.rglob("results.json")))
    return list(dict.fromkeys(found))


def load_runs(paths: Iterable[Path]) -> tuple[list[BenchRun], list[Skipped]]:
    """The readable bench runs among ``paths`` and every file that was not one, with why."""
    runs: list[BenchRun] = []
    skipped: list[Skipped] = []
    for path in find_results(paths):
        try:
            data = json.loads(read_text(path))
        except (OSError, json.JSONDecodeError) as exc:  # UnreadableFileError is an OSError
            skipped.append(Skipped(str(path), "unreadable", str(exc)))
            continue
        stamp = (data.get("stamp") or {}) if isinstance(data, dict) else {}
        fmt = str(stamp.get("format", "")) if isinstance(stamp, dict) else ""
        if fmt.startswith(TRIAL_PREFIXES):
            skipped.append(Skipped(str(path), "per-trial record (counted in its run)", fmt))
            continue
        if not fmt.startswith((TB_PREFIX, SWE_PREFIX)):
            skipped.append(Skipped(str(path), "not a ferry bench results.json", f"format {fmt!r}"))
            continue
        if not isinstance(data.get("results"), list):
            skipped.append(Skipped(str(path), "its 'results' is not a list", f"format {fmt!r}"))
            continue
        benchmark = "tb" if fmt.startswith(TB_PREFIX) else "swe"
        trials = [r for r in data["results"] if isinstance(r, dict)]
        config = stamp.get("config") or {}
        agent = str(config.get("agent") or "") or str(
            (trials[0].get("agent") or trials[0].get("model_name_or_path")) if trials else "?"
        )
        name = str(data.get("id") or config.get("run_id") or path.parent.name)
        runs.append(BenchRun(path, name, benchmark, agent, data))
    return runs, skipped


def _resolved(trial: dict[str, Any]) -> bool:
    return bool(trial.get("is_resolved", trial.get("resolved")))


def _scored(trial: dict[str, Any]) -> bool:
    """Infra/environment errors are kept out of accuracy (``scored: false``)."""
    return trial.get("scored", True) is not False


def _task(trial: dict[str, Any]) -> str:
    return str(trial.get("task_id") or trial.get("instance_id") or "")


def task_outcomes(run: BenchRun) -> dict[str, bool | None]:
    """task -> solved by any trial; None when no trial of the task was scored."""
    out: dict[str, bool | None] = {}
    for trial in run.trials:
        key = _task(trial)
        if not key:
            continue
        if not _scored(trial):
            out.setdefault(key, None)
            continue
        out[key] = bool(out.get(key)) or _resolved(trial)
    return out


def _seconds(start: Any, end: Any) -> float | None:
    if not start or not end:
        return None
    try:
        return (
            datetime.fromisoformat(str(end)) - datetime.fromisoformat(str(start))
        ).total_seconds()
    except ValueError:
        return None


@dataclass(frozen=True)
class RunSummary:
    trials: int
    scored: int
    resolved: int
    input_tokens: int
    output_tokens: int
    cost_usd: float | None
    median_agent_s: float | None

    @property
    def accuracy(self) -> float | None:
        return round(self.resolved / self.scored, 3) if self.scored else None


def summarize(run: BenchRun) -> RunSummary:
    trials = run.trials
    scored = [t for t in trials if _scored(t)]
    costs = [float(t["cost_usd"]) for t in trials if t.get("cost_usd") is not None]
    agent = [
        s
        for t in trials
        if (
            s := _seconds(
                t.get("agent_started_at") or t.get("started_at"),
                t.get("agent_ended_at") or t.get("ended_at"),
            )
        )
        is not None
    ]
    return RunSummary(
        trials=len(trials),
        scored=len(scored),
        resolved=sum(_resolved(t) for t in scored),
        input_tokens=sum(int(t.get("total_input_tokens") or 0) for t in trials),
        output_tokens=sum(int(t.get("total_output_tokens") or 0) for t in trials),
        cost_usd=round(sum(costs), 4) if costs else None,
        median_agent_s=round(float(pd.Series(agent).median()), 2) if agent else None,
    )


def runs_section(runs: list[BenchRun]) -> Section:
    title = "Stored benchmark runs"
    if not runs:
        return no_data("RUNS", title, "no ferry bench results.json found (pass --results)")
    rows = []
    for run in sorted(runs, key=lambda r: (r.created, r.name)):
        s = summarize(run)
        rows.append(
            {
                "run": run.name,
                "benchmark": run.benchmark,
                "agent": run.agent,
                "created": run.created[:19],
                "tasks": len({_task(t) for t in run.trials}),
                "trials": s.trials,
                "scored": s.scored,
                "resolved": s.resolved,
                "accuracy": s.accuracy,
                "median_agent_s": s.median_agent_s,
                "input_tokens": s.input_tokens,
                "output_tokens": s.output_tokens,
                "cost_usd": s.cost_usd,
            }
        )
    table = pd.DataFrame(rows)
    chart = Chart(
        table.set_index("run")[["accuracy"]].fillna(0.0),
        "Stored runs: accuracy (resolved / scored trials)",
        "accuracy",
        kind="barh",
        unit_interval=True,
    )
    return Section(
        "RUNS",
        title,
        table,
        "One row per run-level results.json; accuracy leaves out trials that were not scored "
        "(environment or infrastructure errors).",
        chart=chart,
    )


def _label(pair_selector: str, run: BenchRun) -> str:
    return f"{pair_selector} ({run.name})"


def head_to_head_section(key: str, benchmark: str, runs: list[BenchRun], pair: Pair) -> Section:
    name = "Terminal-Bench" if benchmark == "tb" else "SWE-bench"
    title = f"Head-to-head on {name}: {pair.a} (A) vs {pair.b} (B)"
    a = pair.newest(pair.a, runs, benchmark)
    b = pair.newest(pair.b, runs, benchmark)
    if a is None or b is None:
        known = sorted({r.agent for r in runs if r.benchmark == benchmark})
        missing = " and ".join(s for s, r in ((pair.a, a), (pair.b, b)) if r is None)
        return no_data(
            key,
            title,
            f"no {name} run of {missing} among the stored results "
            f"(agents with {name} runs: {', '.join(known) or 'none'}); run "
            f"`ferry bench {benchmark} ... --agent {pair.a}` and `--agent {pair.b}` on the same "
            "tasks (or `ferry bench h2h DATASET`), or choose the pair with --pair A B",
        )
    oa, ob = task_outcomes(a), task_outcomes(b)
    common = sorted(set(oa) & set(ob))
    counts = {"both solved": 0, "only A": 0, "only B": 0, "neither": 0, "not scored in A or B": 0}
    for task in common:
        x, y = oa[task], ob[task]
        if x is None or y is None:
            counts["not scored in A or B"] += 1
        elif x and y:
            counts["both solved"] += 1
        elif x:
            counts["only A"] += 1
        elif y:
            counts["only B"] += 1
        else:
            counts["neither"] += 1
    if not common:
        return no_data(
            key, title, f"runs {a.name} and {b.name} share no task ({len(oa)} vs {len(ob)} tasks)"
        )
    outcome = pd.DataFrame(
        [{"outcome": k, "tasks": v} for k, v in counts.items()]
        + [{"outcome": "common tasks", "tasks": len(common)}]
    )
    agents: list[dict[str, Any]] = []
    measures: dict[tuple[str, str], float] = {}
    for side, run in (("A", a), ("B", b)):
        s = summarize(run)
        agents.append(
            {
                "side": side,
                "agent": run.agent,
                "run": run.name,
                "tasks": len(task_outcomes(run)),
                "scored trials": s.scored,
                "resolved": s.resolved,
                "accuracy": s.accuracy,
                "input_tokens": s.input_tokens,
                "output_tokens": s.output_tokens,
                "cost_usd": s.cost_usd,
            }
        )
        measures[(side, "tasks")] = float(len(task_outcomes(run)))
        measures[(side, "resolved")] = float(s.resolved)
        if s.accuracy is not None:
            measures[(side, "accuracy")] = s.accuracy
        measures[(side, "input_tokens")] = float(s.input_tokens)
        measures[(side, "output_tokens")] = float(s.output_tokens)
        if s.cost_usd is not None:
            measures[(side, "cost_usd")] = s.cost_usd
    for k, v in counts.items():
        measures[(k, "tasks")] = float(v)
    chart = Chart(
        outcome[outcome["outcome"] != "common tasks"].set_index("outcome")[["tasks"]],
        f"Table {key}: {name} tasks by outcome ({a.name} vs {b.name})",
        "tasks",
        kind="barh",
        log=False,
    )
    only = [t for t in common if oa[t] and not ob[t]]
    only_b = [t for t in common if ob[t] and not oa[t]]
    note = (
        f"A = {a.agent} run {a.name} ({a.created[:19] or 'no date'}), B = {b.agent} run {b.name} "
        f"({b.created[:19] or 'no date'}); newest run of each on {name}; a task counts as solved "
        "if any scored trial solved it. "
        f"Only A: {', '.join(only) or 'none'}. Only B: {', '.join(only_b) or 'none'}."
    )
    return Section(
        key,
        title,
        outcome,
        note,
        measures=measures,
        subtables=(("per agent", pd.DataFrame(agents)),),
        chart=chart,
    )


def iterations_section(runs: list[BenchRun], pair: Pair) -> Section:
    """Table II: the baseline (newest TB run of B) then every TB run of A in time order."""
    title = f"Terminal-Bench accuracy across iterations ({pair.a}; v0 = {pair.b})"
    baseline = pair.newest(pair.b, runs, "tb")
    ours = sorted(
        (r for r in runs if r.benchmark == "tb" and pair.matches(pair.a, r)),
        key=lambda r: (r.created, str(r.path)),
    )
    if not ours and baseline is None:
        return no_data(
            "II",
            title,
            f"no Terminal-Bench run of {pair.a} or {pair.b} among the stored results; each "
            f"`ferry bench tb ... --agent {pair.a}` run after a fix is one iteration",
        )
    rows = []
    measures: dict[tuple[str, str], float] = {}
    reasons: dict[str, str] = {}
    if baseline is not None:
        s = summarize(baseline)
        rows.append(_iteration("v0", baseline, s, "baseline: " + baseline.agent))
        if s.accuracy is not None:
            measures[("v0", "accuracy")] = s.accuracy
    else:
        reasons["v0"] = f"no Terminal-Bench run of {pair.b} (the baseline)"
    for n, run in enumerate(ours, start=1):
        s = summarize(run)
        build = run.config.get("agent_build") or run.config.get("pycodex_version") or ""
        rows.append(_iteration(f"v{n}", run, s, str(build or run.name)))
        if s.accuracy is not None:
            measures[(f"v{n}", "accuracy")] = s.accuracy
            measures[("final", "accuracy")] = s.accuracy
    if not ours:
        reasons["final"] = f"no Terminal-Bench run of {pair.a}"
    table = pd.DataFrame(rows)
    chart = Chart(
        table.set_index("iteration")[["accuracy"]].fillna(0.0),
        "Table II: Terminal-Bench accuracy per iteration",
        "accuracy (resolved / scored)",
        kind="line",
        unit_interval=True,
    )
    return Section(
        "II",
        title,
        table,
        "v0 is the newest run of B; v1.. are A's runs in time order ('fix applied' is the "
        "run's agent build or id). The paper's rows are its own iterations: only v0 and the "
        "final accuracy are comparable.",
        measures=measures,
        reasons=reasons,
        chart=chart,
    )


def _iteration(label: str, run: BenchRun, s: RunSummary, fix: str) -> dict[str, Any]:
    return {
        "iteration": label,
        "run": run.name,
        "fix applied": fix,
        "created": run.created[:19],
        "resolved": s.resolved,
        "scored": s.scored,
        "accuracy": s.accuracy,
    }
