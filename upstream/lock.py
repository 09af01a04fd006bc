"""``ferry.lock``: the upstream commit the port is in step with (JSON, written atomically)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from ferry.fsutil import read_text, write_text_atomic
from upstream.errors import ConfigError

LOCK_FORMAT = "ferry.lock/1"
_SHA = re.compile(r"[0-9a-f]{40}([0-9a-f]{24})?")


class Lock(BaseModel):
    """The pin: which upstream commit the port currently matches."""

    model_config = ConfigDict(frozen=True)

    format: str = LOCK_FORMAT
    url: str
    branch: str
    commit: str
    updated: str

    @field_validator("commit")
    @classmethod
    def _full_sha(cls, value: str) -> str:
        if not _SHA.fullmatch(value):
            raise ValueError("must be a full commit id (40 or 64 lowercase hex digits)")
        return value


def _fix(path: Path) -> str:
    return (
        f"restore {path.name} (e.g. `git checkout -- {path.name}`) or delete it and re-pin with "
        "`ferry track --pin <commit>`"
    )


def read_lock(path: Path) -> Lock | None:
    """The pin in ``path``, or None when the file does not exist yet.

    A lock that exists but is damaged (a directory, empty, not JSON, the wrong shape) is
    an error naming the file: guessing a pin would re-translate or skip upstream commits.
    """
    try:
        text = read_text(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError(f"{exc}; {_fix(path)}") from exc
    if not text.strip():
        raise ConfigError(f"{path}: the lock file is empty; {_fix(path)}")
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"{path}: line {exc.lineno}: not valid JSON ({exc.msg}); {_fix(path)}"
        ) from exc
    if not isinstance(raw, dict):
        raise ConfigError(
            f"{path}: expected a JSON object with the pinned commit "
            f"(format, url, branch, commit, updated), found {type(raw).__name__}; {_fix(path)}"
        )
    try:
        return Lock.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "?"
        raise ConfigError(f"{path}: field {where}: {first['msg']}; {_fix(path)}") from exc


def write_lock(path: Path, url: str, branch: str, commit: str) -> Lock:
    """Pin ``commit`` in ``path``."""
    lock = Lock(url=url, branch=branch, commit=commit, updated=datetime.now(UTC).isoformat())
    write_text_atomic(path, lock.model_dump_json(indent=2) + "\n")
    return lock
