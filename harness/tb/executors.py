"""Where trials run: a local thread pool, or Ray tasks with per-trial resources.

Both take the same :class:`TrialSpec` and return the same :class:`TrialResult`, so
a run's records do not depend on the executor. Ray workers must see the run
directory and the task directories at the same paths (one machine, or a shared
file system).
"""

from __future__ import annotations

import concurrent.futures as cf
import os
import threading
from collections.abc import Iterator, Sequence
from typing import Any, Protocol

from harness.errors import ConfigError
from harness.tb.results import TrialResult
from harness.tb.trial import TrialSpec, run_trial

EXECUTORS = ("local", "ray")


class Executor(Protocol):
    name: str

    def run(self, specs: Sequence[TrialSpec], stop: threading.Event) -> Iterator[TrialResult]:
        """Yield each trial's result as it finishes; stop submitting once ``stop`` is set."""
        ...

    def cancel(self) -> None:
        """Abandon trials still running (after ``stop`` was set)."""


class LocalExecutor:
    """Trials on a thread pool of ``n_concurrent`` workers in this process."""

    name = "local"

    def __init__(self, n_concurrent: int = 1) -> None:
        self.n_concurrent = max(1, n_concurrent)
        self._pool: cf.ThreadPoolExecutor | None = None

    def run(self, specs: Sequence[TrialSpec], stop: threading.Event) -> Iterator[TrialResult]:
        pending = list(specs)
        with cf.ThreadPoolExecutor(max_workers=self.n_concurrent) as pool:
            self._pool = pool
            running: set[cf.Future[TrialResult]] = set()
            while pending or running:
                while pending and len(running) < self.n_concurrent and not stop.is_set():
                    running.add(pool.submit(run_trial, pending.pop(0)))
                if not running:
                    break
                done, running = cf.wait(running, return_when=cf.FIRST_COMPLETED)
                for future in done:
                    yield future.result()

    def cancel(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)


def _ray_trial(spec: TrialSpec) -> TrialResult:
    return run_trial(spec)


class RayExecutor:
    """Each trial is a Ray task asking for the task's CPUs and memory.

    Connects to ``address`` (or ``RAY_ADDRESS``); without either it starts a local
    cluster, as ``ray.init()`` does.
    """

    name = "ray"

    def __init__(self, address: str | None = None, *, init_options: dict[str, Any] | None = None):
        try:
            import ray
        except ImportError:
            raise ConfigError(
                "--executor ray needs Ray: pip install 'ferry[ray]' (make setup installs it)"
            ) from None
        self._ray: Any = ray
        self.address = address or os.environ.get("RAY_ADDRESS")
        if not ray.is_initialized():
            ray.init(
                address=self.address,
                include_dashboard=False,
                log_to_driver=False,
                **(init_options or {}),
            )
        self._refs: list[Any] = []

    def resources(self, spec: TrialSpec) -> dict[str, float]:
        """Ray resources for one trial: the task's CPUs (capped to the cluster) and memory."""
        total = float(self._ray.cluster_resources().get("CPU", 1.0))
        cpus = min(float(spec.task.cpus or 1.0), total)
        options: dict[str, float] = {"num_cpus": cpus}
        if spec.task.memory_mb:
            options["memory"] = float(spec.task.memory_mb) * 1024 * 1024
        return options

    def run(self, specs: Sequence[TrialSpec], stop: threading.Event) -> Iterator[TrialResult]:
        ray = self._ray
        remote = ray.remote(max_retries=0)(_ray_trial)
        refs = {
            remote.options(**self.resources(spec)).remote(spec.for_remote()): spec for spec in specs
        }
        self._refs = list(refs)
        waiting = list(refs)
        while waiting and not stop.is_set():
            ready, waiting = ray.wait(waiting, num_returns=1, timeout=1.0)
            for ref in ready:
                yield ray.get(ref)
        self.cancel()

    def cancel(self) -> None:
        for ref in self._refs:
            try:
                self._ray.cancel(ref, force=True)
            except Exception:  # already finished: nothing to cancel
                continue


def make_executor(name: str, *, n_concurrent: int = 1, address: str | None = None) -> Executor:
    if name == "local":
        return LocalExecutor(n_concurrent)
    if name == "ray":
        return RayExecutor(address)
    raise ConfigError(f"unknown executor '{name}' (choose one of: {', '.join(EXECUTORS)})")
