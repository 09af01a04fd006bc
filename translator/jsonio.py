"""Atomic writes and typed reads of the JSON artifacts the Translate stage produces."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from ferry.fsutil import read_text, write_text_atomic
from translator.errors import InputError

M = TypeVar("M", bound=BaseModel)


def write_model(path: Path, model: BaseModel) -> None:
    write_text_atomic(path, model.model_dump_json(indent=2) + "\n")


def read_model(path: Path, cls: type[M], *, expected_format: str | None = None) -> M:
    """Load a JSON artifact, naming the file and the offending field on failure."""
    try:
        raw = json.loads(read_text(path))
    except FileNotFoundError as exc:
        raise InputError(f"{path}: file not found") from exc
    except OSError as exc:
        raise InputError(str(exc)) from exc
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: line {exc.lineno}: invalid JSON: {exc.msg}") from exc
    if not isinstance(raw, dict):
        what = expected_format or cls.__name__
        raise InputError(f"{path}: expected a JSON object ({what}), found a {type(raw).__name__}")
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
