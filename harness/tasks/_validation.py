"""Turn pydantic validation errors into one :class:`TaskFormatError` naming file and field."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from harness.errors import TaskFormatError

M = TypeVar("M", bound=BaseModel)


def validate_model(model: type[M], data: Any, path: Path) -> M:
    if not isinstance(data, dict):
        raise TaskFormatError(
            path, f"expected a mapping at the top level, got {type(data).__name__}"
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(part) for part in first["loc"]) or None
        raise TaskFormatError(
            path, f"{first['msg']} (fix the value and retry)", field=loc
        ) from None
