"""The ``[sync]`` section of ``ferry.toml``: where the sync works and how it finishes.

Every key has a default, so a project without the section still syncs; a wrong key or
type is reported with the file and the key.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ferry.fsutil import read_text
from harness.sync.errors import SyncConfigError


class SyncConfig(BaseModel):
    """``[sync]``; paths are relative to the directory holding ``ferry.toml``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: the branch of the port repository the translated commits are made on
    branch: str = Field(default="ferry/sync", min_length=1)
    #: the git worktree of that branch (inside the project, so keep it git-ignored)
    worktree: str = ".ferry/sync/worktree"
    #: checkpoints, run artifacts and the run lock
    state_dir: str = ".ferry/sync"
    #: translation backend; None = ``[translate].backend``
    backend: Literal["mechanical", "llm", "replay", "agent"] | None = None
    #: validation gates; None = ``[validate].gates``
    gates: list[str] | None = None
    #: fast-forward the checked-out branch and move the pin when the run passes
    merge: bool = True
    #: upstream commits translated, validated and committed together (1 = one port commit each)
    batch: int = Field(default=1, ge=1)
    #: at most this many upstream commits per run (0 = all)
    max_commits: int = Field(default=0, ge=0)
    #: merge translations no test or parity scenario exercises (flagged ``untested``)
    allow_untested: bool = False


def load_sync_config(path: Path) -> SyncConfig:
    """``[sync]`` from ``path``; a missing section gives the defaults."""
    try:
        data = tomllib.loads(read_text(path))
    except OSError as exc:
        raise SyncConfigError(f"{path}: cannot read: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SyncConfigError(f"{path}: not valid TOML ({exc})") from exc
    section = data.get("sync", {})
    if not isinstance(section, dict):
        raise SyncConfigError(f"{path}: [sync] must be a table")
    try:
        return SyncConfig.model_validate(section)
    except ValidationError as exc:
        problems = "; ".join(
            f"[sync].{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise SyncConfigError(f"{path}: {problems}") from exc
