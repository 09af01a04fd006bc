"""``ferry.lock``: the upstream commit the port is in step with (JSON, written atomically)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from ferry.fsutil import write_text_atomic
from upstream.errors import ConfigError

LOCK_FORMAT = "ferry.lock/1"


class Lock(BaseModel):
    """The pin: which upstream commit the port currently matches."""

    model_config = ConfigDict(frozen=True)

    format: str = LOCK_FORMAT
    url: str
    branch: str
    commit: str
    updated: str


def read_lock(path: Path) -> Lock | None:
    """The pin in ``path``, or None when the file does not exist yet."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        return Lock.model_validate(json.loads(text))
    except (json.JSONDecodeError, ValidationError) as exc:
        raise ConfigError(
            f"{path}: not a valid ferry lock ({exc}); fix it or delete it and re-pin with "
            "`ferry track --pin <commit>`"
        ) from exc


def write_lock(path: Path, url: str, branch: str, commit: str) -> Lock:
    """Pin ``commit`` in ``path``."""
    lock = Lock(url=url, branch=branch, commit=commit, updated=datetime.now(UTC).isoformat())
    write_text_atomic(path, lock.model_dump_json(indent=2) + "\n")
    return lock
