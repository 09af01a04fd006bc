"""A benchmark run: trials on an executor, resumable, summarised in ``results.json``.

Layout (as Terminal-Bench's): ``<run_dir>/<task_id>/<trial_name>/results.json`` per
trial, ``<run_dir>/run.json`` with the run's fingerprint and ``<run_dir>/results.json``
for the run. A trial with a stored record is not run again; a trial directory
without one belongs to a killed run and is removed, and the trial reruns in a fresh
environment. SIGINT/SIGTERM stop the run: running environments are torn down and
``results.json`` is written with ``interrupted: true``.
"""

from __future__ import annotations

import shutil
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any, TextIO

from pydantic import ValidationError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from harness.agents.base import Agent
from harness.environments.base import Environment, EnvironmentFactory
from harness.errors import HarnessError
from harness.records import TB_TRIAL_FORMAT, Stamp
from harness.tasks.model import Task
from harness.tb.executors import Executor, LocalExecutor
from harness.tb.files import write_result
from harness.tb.fingerprint import check_or_record, make_fingerprint
from harness.tb.results import BenchmarkResults, SkippedTask, TrialResult, dump
from harness.tb.trial import TrialSpec

RESULTS_FILE = "results.json"


class RunInterrupted(HarnessError):
    """The run was stopped by a signal; ``results.json`` holds what finished."""

    def __init__(self, results: BenchmarkResults, signum: int) -> None:
        self.results = results
        self.signum = signum
        super().__init__(f"run {results.id} stopped by signal {signum}; partial results written")


@dataclass(frozen=True)
class RunOptions:
    run_id: str
    run_dir: Path
    n_concurrent: int = 1
    timeout_multiplier: float = 1.0
    #: ``True``: a live progress bar when stdout is a terminal, progress lines otherwise.
    progress: bool = True
    attempts: int = 1
    executor: Executor | None = None
    #: What identifies the run (agent, model, config); checked when it is resumed.
    fingerprint: dict[str, Any] = field(default_factory=dict)
    skipped: tuple[SkippedTask, ...] = ()
    reap: bool = True


def trial_name(task: Task, run_id: str, attempt: int = 1, attempts: int = 1) -> str:
    return f"{task.task_id}.{attempt}-of-{attempts}.{run_id}"


def _stored(trial_dir: Path, fingerprint: str | None) -> TrialResult | None:
    path = trial_dir / RESULTS_FILE
    if not path.is_file():
        return None
    try:
        result = TrialResult.model_validate_json(path.read_text(encoding="utf-8"))
    except (ValidationError, OSError):
        return None
    if fingerprint is not None and result.stamp.config.get("fingerprint") not in (
        None,
        fingerprint,
    ):
        return None
    return result


class _Tracker:
    """Environments of running trials, so a signal can tear them down."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._envs: dict[int, Environment] = {}

    def hook(self) -> Callable[[Environment | None], None]:
        def track(env: Environment | None) -> None:
            with self._lock:
                if env is None:
                    self._envs.pop(threading.get_ident(), None)
                else:
                    self._envs[threading.get_ident()] = env

        return track

    def stop_all(self) -> None:
        with self._lock:
            envs = list(self._envs.values())
        for env in envs:
            try:
                env.stop()
            except (HarnessError, OSError):
                continue


@contextmanager
def _signals(stop: threading.Event, on_stop: Callable[[], None]) -> Iterator[list[int]]:
    """SIGINT/SIGTERM set ``stop`` (only the main thread can install handlers)."""
    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield received
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        received.append(signum)
        stop.set()
        on_stop()

    previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield received
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


class _Reporter:
    """A rich progress bar on a terminal, one line per finished trial otherwise."""

    def __init__(self, options: RunOptions, total: int, done: int, out: TextIO) -> None:
        self.options = options
        self.total = total
        self.done = done
        self.resolved = 0
        self.out = out
        self.lines = options.progress and not out.isatty()
        self.started = time.monotonic()
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn())  # fmt: skip
        self.progress = Progress(*columns, disable=not options.progress or self.lines)
        self.bar = self.progress.add_task(options.run_id, total=total, completed=done)

    def __enter__(self) -> _Reporter:
        self.progress.__enter__()
        if self.lines and self.done:
            self._line(f"resuming: {self.done}/{self.total} trials already recorded")
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.__exit__(None, None, None)

    def _line(self, text: str) -> None:
        elapsed = time.monotonic() - self.started
        self.out.write(f"[{self.options.run_id} {elapsed:7.1f}s] {text}\n")
        self.out.flush()

    def finished(self, result: TrialResult) -> None:
        self.done += 1
        self.resolved += bool(result.is_resolved)
        self.progress.update(
            self.bar, advance=1, description=f"{self.options.run_id}: {self.resolved} resolved"
        )
        if self.lines:
            if result.scored:
                outcome = "resolved" if result.is_resolved else "unresolved"
            else:
                outcome = f"error ({result.error_category}: {result.failure_mode})"
            self._line(f"{self.done}/{self.total} {result.trial_name}: {outcome}")


def run_benchmark(
    tasks: Sequence[Task],
    agent_factory: Callable[[], Agent],
    environment: EnvironmentFactory,
    options: RunOptions,
    stamp: Stamp,
) -> BenchmarkResults:
    """Run every trial not already recorded under ``options.run_dir`` and write ``results.json``."""
    options.run_dir.mkdir(parents=True, exist_ok=True)
    if options.reap:
        environment.reap()
    fingerprint = check_or_record(
        options.run_dir, make_fingerprint(options.fingerprint, tasks, stamp)
    )
    digest = fingerprint.digest()
    # Trial records carry their own format tag: a run summary is the only "results" record.
    trial_stamp = stamp.model_copy(
        update={"format": TB_TRIAL_FORMAT, "config": {**stamp.config, "fingerprint": digest}}
    )
    tracker = _Tracker()
    done: list[TrialResult] = []
    specs: list[TrialSpec] = []
    for task in tasks:
        for attempt in range(1, options.attempts + 1):
            name = trial_name(task, options.run_id, attempt, options.attempts)
            trial_dir = options.run_dir / task.task_id / name
            previous = _stored(trial_dir, digest)
            if previous is not None:
                done.append(previous)
                continue
            # A directory without a record is what a killed trial left: start afresh.
            shutil.rmtree(trial_dir, ignore_errors=True)
            specs.append(
                TrialSpec(
                    task,
                    name,
                    trial_dir,
                    agent_factory(),
                    environment,
                    trial_stamp,
                    options.timeout_multiplier,
                    attempt,
                    tracker.hook(),
                )
            )
    executor = options.executor or LocalExecutor(options.n_concurrent)
    stop = threading.Event()

    def summary(interrupted: bool) -> BenchmarkResults:
        results = BenchmarkResults.from_trials(
            options.run_id, done, stamp, attempts=options.attempts,
            skipped=list(options.skipped), interrupted=interrupted, fingerprint=digest,
        )  # fmt: skip
        write_result(options.run_dir / RESULTS_FILE, dump(results))
        return results

    def on_stop() -> None:
        executor.cancel()
        tracker.stop_all()

    total = len(done) + len(specs)
    with (
        _signals(stop, on_stop) as received,
        _Reporter(options, total, len(done), sys.stdout) as rep,
    ):
        try:
            for result in executor.run(specs, stop):
                if stop.is_set():
                    break  # torn down mid-trial: not a result to keep
                write_result(
                    options.run_dir / result.task_id / result.trial_name / RESULTS_FILE,
                    dump(result),
                )
                done.append(result)
                rep.finished(result)
        except KeyboardInterrupt:
            stop.set()
            on_stop()
            received.append(signal.SIGINT)
    if stop.is_set():
        raise RunInterrupted(summary(True), received[0] if received else signal.SIGINT)
    return summary(False)
