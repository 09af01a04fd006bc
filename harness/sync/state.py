"""The checkpoint of a sync run (``state.json``) and the summary it ends with.

The checkpoint is rewritten atomically after every step, so a run killed at any point is
continued by the next ``ferry sync`` from the last recorded step: the port worktree is
reset to the last recorded port commit and the first unfinished upstream commit is
translated again (translation is deterministic for the mechanical and replay backends).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ferry import __version__
from ferry.fsutil import read_text, write_text_atomic
from harness.sync.errors import SyncError

STATE_FORMAT = "ferry.sync-state/1"
SUMMARY_FORMAT = "ferry.sync/1"

#: ``held``: the commit has pending items in crates the port covers; the pin stops before it
#: until they are decided (``ferry sync --accept-pending REASON`` records a decision to go on)
CommitStatus = Literal["pending", "committed", "skipped", "failed", "held"]
Phase = Literal["translating", "merging", "done"]
Outcome = Literal["nothing-to-do", "merged", "ready", "failed", "held"]


class CommitProgress(BaseModel):
    """One upstream commit of the run and what became of it."""

    model_config = ConfigDict(frozen=True)

    sha: str
    subject: str = ""
    author: str = ""
    status: CommitStatus = "pending"
    reason: str = ""
    port_commit: str | None = None
    artifacts: str | None = None  # directory of changeset/plan/translate/verdict JSON
    units: int = 0
    merged_units: int = 0
    skipped_items: int = 0  # declined items (tests, format-only, decline rules)
    pending_items: int = 0
    blocking_items: int = 0  # pending items of covered crates
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    gates: dict[str, bool] = Field(default_factory=dict)
    batch_head: str | None = None  # set on the earlier commits of a batch: its last commit
    #: what refused the commit: a gate name (``pytest``), ``isolation``, ``untested`` or a
    #: translate stage (``translate:check``, ``translate:shadow``, ...)
    rejected_by: str = ""
    #: translated symbols no test or parity scenario ran (merged only with --allow-untested)
    untested: tuple[str, ...] = ()
    #: translate -> validate rounds (a failed verdict is fed back to the translator)
    rounds: int = 0


class SyncState(BaseModel):
    """Everything needed to continue a run after it was killed."""

    model_config = ConfigDict(frozen=True)

    format: str = STATE_FORMAT
    ferry_version: str = __version__
    run_id: str
    phase: Phase = "translating"
    backend: str
    branch: str
    worktree: str
    main_branch: str
    start_port_commit: str  # the checked-out branch head the worktree was created from
    port_head: str  # last port commit that passed (the worktree is reset here on resume)
    base_pin: str  # the pin when the run started
    upstream_head: str  # last upstream commit done (committed or skipped)
    target: str
    commits: tuple[CommitProgress, ...] = ()
    merge: bool = True
    batch: int = 1
    #: the recorded decision to move the pin past pending items of covered crates
    accept_pending: str | None = None
    config: dict[str, Any] = Field(default_factory=dict)
    started_at: str = ""

    def with_commit(self, index: int, progress: CommitProgress) -> SyncState:
        commits = list(self.commits)
        commits[index] = progress
        return self.model_copy(update={"commits": tuple(commits)})


class SyncSummary(BaseModel):
    """What ``ferry sync`` prints and stores: one JSON document per run."""

    model_config = ConfigDict(frozen=True)

    format: str = SUMMARY_FORMAT
    ferry_version: str = __version__
    run_id: str | None
    outcome: Outcome
    exit_code: int
    reasons: tuple[str, ...] = ()
    backend: str = ""
    branch: str = ""
    pin_before: str | None = None
    pin_after: str | None = None
    port_before: str | None = None
    port_after: str | None = None
    target: str | None = None
    commits: tuple[CommitProgress, ...] = ()
    resumed: bool = False
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    config: dict[str, Any] = Field(default_factory=dict)
    started_at: str = ""
    finished_at: str = ""
    review: str | None = None  # the run's review page


def read_state(path: Path) -> SyncState | None:
    """The checkpoint in ``path``, or None when there is none.

    A damaged checkpoint (a directory, empty, not UTF-8 or JSON, the wrong shape) is an
    error that says how to recover: ``ferry sync --restart`` discards it without reading it.
    """
    fix = "run `ferry sync --restart` to discard it and start the run again"
    try:
        text = read_text(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise SyncError(f"unreadable sync checkpoint: {exc}; {fix}") from exc
    if not text.strip():
        raise SyncError(f"{path}: the sync checkpoint is empty; {fix}")
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SyncError(
            f"{path}: line {exc.lineno}: the sync checkpoint is not valid JSON ({exc.msg}); {fix}"
        ) from exc
    if not isinstance(raw, dict):
        raise SyncError(
            f"{path}: the sync checkpoint is a JSON {type(raw).__name__}, not an object; {fix}"
        )
    try:
        return SyncState.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "?"
        raise SyncError(
            f"{path}: the sync checkpoint's field {where}: {first['msg']}; {fix}"
        ) from exc


def discard_state(path: Path) -> None:
    """Remove the checkpoint whatever it holds (``--restart`` must work on a damaged one)."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def write_state(path: Path, state: SyncState) -> None:
    write_text_atomic(path, state.model_dump_json(indent=2) + "\n")


def read_summary(path: Path) -> SyncSummary:
    try:
        raw = json.loads(read_text(path))
    except OSError as exc:
        raise SyncError(f"not a readable ferry sync summary: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise SyncError(f"{path}: line {exc.lineno}: not a ferry sync summary ({exc.msg})") from exc
    if not isinstance(raw, dict):
        raise SyncError(f"{path}: not a ferry sync summary (a JSON {type(raw).__name__})")
    try:
        return SyncSummary.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "?"
        raise SyncError(
            f"{path}: not a ferry sync summary (field {where}: {first['msg']})"
        ) from exc
