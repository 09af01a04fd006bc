"""Find tasks in a dataset directory and load each with the reader for its format."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from harness.errors import TaskFormatError
from harness.tasks import harbor, tb1
from harness.tasks.model import Task


def is_task_dir(path: Path) -> bool:
    return (path / tb1.TASK_FILE).is_file() or (path / harbor.TASK_FILE).is_file()


def load_task(task_dir: Path) -> Task:
    """Load one task directory, TB1 when it has ``task.yaml``, Harbor when it has ``task.toml``."""
    task_dir = task_dir.resolve()
    if (task_dir / tb1.TASK_FILE).is_file():
        return tb1.load_tb1_task(task_dir)
    if (task_dir / harbor.TASK_FILE).is_file():
        return harbor.load_harbor_task(task_dir)
    raise TaskFormatError(
        task_dir, "is not a task: it has neither task.yaml (TB1) nor task.toml (Harbor)"
    )


def load_tasks(root: Path, task_ids: Sequence[str] = ()) -> list[Task]:
    """Every task under ``root`` (a task directory or a dataset of them), sorted by id."""
    tasks, _errors = load_tasks_lenient(root, task_ids, strict=True)
    return tasks


def load_tasks_lenient(
    root: Path, task_ids: Sequence[str] = (), *, strict: bool = False
) -> tuple[list[Task], list[TaskFormatError]]:
    """As :func:`load_tasks`, but a malformed task is returned as an error, not raised.

    A run goes on without a broken task and reports it; ``root`` itself being
    wrong (missing, empty, unknown ``task_ids``) is still an error.
    """
    if not root.exists():
        raise TaskFormatError(root, "does not exist")
    if is_task_dir(root):
        dirs = [root]
    else:
        dirs = sorted(p for p in root.iterdir() if p.is_dir() and is_task_dir(p))
    if task_ids:
        wanted = set(task_ids)
        missing = wanted - {d.name for d in dirs}
        if missing:
            raise TaskFormatError(root, f"has no task(s) named {', '.join(sorted(missing))}")
        dirs = [d for d in dirs if d.name in wanted]
    if not dirs:
        raise TaskFormatError(root, "contains no task directories (task.yaml or task.toml)")
    tasks: list[Task] = []
    errors: list[TaskFormatError] = []
    for directory in dirs:
        try:
            tasks.append(load_task(directory))
        except TaskFormatError as exc:
            if strict:
                raise
            errors.append(exc)
    return tasks, errors
