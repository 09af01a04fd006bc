"""A benchmark run: many trials on a worker pool, resumable, summarised in ``results.json``.

Layout (as Terminal-Bench's): ``<run_dir>/<task_id>/<trial_name>/results.json`` per
trial and ``<run_dir>/results.json`` for the run. A task whose trial record already
exists is not run again, so an interrupted run continues where it stopped.
"""

from __future__ import annotations

import concurrent.futures as cf
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ferry.fsutil import write_text_atomic
from harness.agents.base import Agent
from harness.environments.base import EnvironmentFactory
from harness.records import TB_TRIAL_FORMAT, Stamp
from harness.tasks.model import Task
from harness.tb.results import BenchmarkResults, TrialResult, dump
from harness.tb.trial import TrialSpec, run_trial

RESULTS_FILE = "results.json"


@dataclass(frozen=True)
class RunOptions:
    run_id: str
    run_dir: Path
    n_concurrent: int = 1
    timeout_multiplier: float = 1.0
    progress: bool = True


def trial_name(task: Task, run_id: str) -> str:
    return f"{task.task_id}.1-of-1.{run_id}"


def stored_result(run_dir: Path, task: Task) -> TrialResult | None:
    """A finished trial of ``task`` from an earlier (interrupted) run, if one was recorded."""
    for path in sorted((run_dir / task.task_id).glob(f"*/{RESULTS_FILE}")):
        try:
            return TrialResult.model_validate_json(path.read_text(encoding="utf-8"))
        except (ValidationError, OSError):
            continue
    return None


def run_benchmark(
    tasks: Sequence[Task],
    agent_factory: Callable[[], Agent],
    environment: EnvironmentFactory,
    options: RunOptions,
    stamp: Stamp,
) -> BenchmarkResults:
    """Run every task not already recorded under ``options.run_dir`` and write ``results.json``."""
    options.run_dir.mkdir(parents=True, exist_ok=True)
    done: list[TrialResult] = []
    todo: list[Task] = []
    for task in tasks:
        previous = stored_result(options.run_dir, task)
        if previous is None:
            todo.append(task)
        else:
            done.append(previous)

    # Trial records carry their own format tag: a run summary is the only "results" record.
    trial_stamp = stamp.model_copy(update={"format": TB_TRIAL_FORMAT})

    def one(task: Task) -> TrialResult:
        name = trial_name(task, options.run_id)
        trial_dir = options.run_dir / task.task_id / name
        spec = TrialSpec(
            task,
            name,
            trial_dir,
            agent_factory(),
            environment,
            trial_stamp,
            options.timeout_multiplier,
        )
        result = run_trial(spec)
        write_text_atomic(trial_dir / RESULTS_FILE, dump(result))
        return result

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, disable=not options.progress, transient=False) as progress:
        bar = progress.add_task(
            f"{options.run_id}: 0 resolved", total=len(tasks), completed=len(done)
        )
        resolved = sum(1 for r in done if r.is_resolved)
        with cf.ThreadPoolExecutor(max_workers=max(1, options.n_concurrent)) as pool:
            for future in cf.as_completed([pool.submit(one, t) for t in todo]):
                result = future.result()
                done.append(result)
                resolved += bool(result.is_resolved)
                progress.update(
                    bar, advance=1, description=f"{options.run_id}: {resolved} resolved"
                )
    results = BenchmarkResults.from_trials(options.run_id, done, stamp)
    write_text_atomic(options.run_dir / RESULTS_FILE, dump(results))
    return results
