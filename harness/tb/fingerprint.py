"""What a run was made with, so a resumed run cannot mix agents, models or task versions.

``<run_dir>/run.json`` records the fingerprint when a run starts. Resuming checks
it field by field: a different agent, model, endpoint, agent configuration,
environment or agent build is refused, and so is a task whose files changed. Tasks
new to the run may be added.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from harness.errors import HarnessError
from harness.records import Stamp
from harness.tasks.model import Task

RUN_FILE = "run.json"
RUN_FORMAT = "ferry.bench.tb.run/1"


class FingerprintMismatch(HarnessError):
    """A run is being resumed with settings other than those it was started with."""


def task_version(task: Task) -> str:
    """A hash of every file of the task (names and contents): its version as run."""
    digest = hashlib.sha256()
    for path in sorted(p for p in task.path.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(task.path)).encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


class RunFingerprint(BaseModel):
    model_config = ConfigDict(frozen=True)

    format: str = RUN_FORMAT
    settings: dict[str, Any]
    task_versions: dict[str, str]
    stamp: Stamp | None = None

    def digest(self) -> str:
        text = json.dumps(self.settings, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def make_fingerprint(
    settings: Mapping[str, Any], tasks: Sequence[Task], stamp: Stamp | None = None
) -> RunFingerprint:
    return RunFingerprint(
        settings=dict(settings),
        task_versions={t.task_id: task_version(t) for t in tasks},
        stamp=stamp,
    )


def check_or_record(run_dir: Path, current: RunFingerprint) -> RunFingerprint:
    """Record ``current`` for a new run or check it against the stored one; merged result."""
    from harness.tb.files import write_result

    path = run_dir / RUN_FILE
    if not path.is_file():
        write_result(path, current.model_dump_json(indent=2) + "\n")
        return current
    try:
        stored = RunFingerprint.model_validate_json(path.read_text(encoding="utf-8"))
    except (ValidationError, OSError) as exc:
        raise FingerprintMismatch(
            f"{path}: cannot read the run's fingerprint ({exc}); start a new --run-id"
        ) from None
    differences = [
        f"{key}: run has {stored.settings.get(key)!r}, now {current.settings.get(key)!r}"
        for key in sorted(set(stored.settings) | set(current.settings))
        if stored.settings.get(key) != current.settings.get(key)
    ]
    differences += [
        f"task {task_id} changed (version {stored.task_versions[task_id]} -> {version})"
        for task_id, version in sorted(current.task_versions.items())
        if task_id in stored.task_versions and stored.task_versions[task_id] != version
    ]
    if differences:
        raise FingerprintMismatch(
            f"run {run_dir.name} was started with other settings, so resuming it would mix "
            "results; use a new --run-id. Differences: " + "; ".join(differences)
        )
    merged = stored.model_copy(
        update={"task_versions": {**stored.task_versions, **current.task_versions}}
    )
    write_result(path, merged.model_dump_json(indent=2) + "\n")
    return merged
