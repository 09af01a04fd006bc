"""Atomic writes and typed reads of the JSON artifacts the Translate stage produces."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from translator.errors import InputError

M = TypeVar("M", bound=BaseModel)


def atomic_write(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path`` and rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_model(path: Path, model: BaseModel) -> None:
    atomic_write(path, model.model_dump_json(indent=2) + "\n")


def read_model(path: Path, cls: type[M], *, expected_format: str | None = None) -> M:
    """Load a JSON artifact, naming the file and the offending field on failure."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: line {exc.lineno}: invalid JSON: {exc.msg}") from exc
    if expected_format is not None and isinstance(raw, dict):
        found = raw.get("format")
        if found is not None and found != expected_format:
            raise InputError(
                f"{path}: format is {found!r}, expected {expected_format!r}; produce it with ferry"
            )
    try:
        return cls.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InputError(
            f"{path}: field {where}: {first['msg']} ({exc.error_count()} problem(s) in total)"
        ) from exc
