"""The ``Environment`` seam: where a task's commands run, whatever isolates them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from harness.tasks.model import Task


@dataclass(frozen=True)
class ExecResult:
    exit_code: int
    output: str
    timed_out: bool = False
    duration_sec: float = 0.0


class Environment(Protocol):
    """A running task environment. Paths are paths *inside* the environment."""

    @property
    def workdir(self) -> str: ...

    def start(self) -> None:
        """Build/prepare the task's image and start it; raises ``EnvironmentError`` subclasses."""

    def exec(
        self,
        command: str,
        *,
        timeout_sec: float | None = None,
        env: Mapping[str, str] | None = None,
        workdir: str | None = None,
        user: str | None = None,
        network: bool = False,
    ) -> ExecResult:
        """Run ``command`` with ``bash -c``; a timeout kills everything it started.

        ``user="root"`` runs it as root where the environment has users (the
        harness's own steps); ``network=True`` keeps network access in a task
        without internet (a coding agent must still reach its model endpoint).
        """
        ...

    def end_processes(self) -> None:
        """Kill every process still running in the environment (an agent's leftovers)."""

    def copy_in(self, source: Path, dest: str) -> None:
        """Copy a host file or directory to ``dest`` (the full target path)."""

    def read_file(self, path: str) -> bytes | None:
        """The content of a file in the environment, ``None`` when it does not exist."""
        ...

    def copy_out(self, source: str, dest: Path) -> bool:
        """Copy a directory or file out; ``False`` when ``source`` does not exist."""
        ...

    def stop(self) -> None:
        """Stop and remove everything the environment created."""


class EnvironmentFactory(Protocol):
    name: str

    def reap(self) -> list[str]:
        """Remove what killed runs left behind (containers, sandboxes); returns what went."""
        ...

    def create(self, task: Task, trial_dir: Path) -> Environment: ...
