"""SWE-bench instances as the dataset publishes them (test lists are JSON-encoded strings)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

from harness.errors import TaskFormatError
from harness.tasks._validation import validate_model


class SweInstance(BaseModel):
    model_config = ConfigDict(frozen=True, extra="allow", populate_by_name=True)

    instance_id: str
    repo: str
    base_commit: str
    problem_statement: str
    patch: str = ""
    test_patch: str = ""
    FAIL_TO_PASS: list[str]
    PASS_TO_PASS: list[str] = []

    @field_validator("FAIL_TO_PASS", "PASS_TO_PASS", mode="before")
    @classmethod
    def _json_list(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return json.loads(value) if value.strip() else []
            except json.JSONDecodeError as exc:
                raise ValueError(f"must be a JSON list of test ids ({exc.msg})") from None
        return value


def load_instances(path: Path, ids: tuple[str, ...] = ()) -> list[SweInstance]:
    """Instances from a ``.json`` list or a ``.jsonl`` file; errors name file, line and field."""
    if not path.is_file():
        raise TaskFormatError(path, "does not exist (expected a SWE-bench .json or .jsonl file)")
    text = path.read_text(encoding="utf-8")
    rows: list[tuple[str, Any]] = []
    try:
        if path.suffix == ".jsonl":
            rows = [
                (f"{path}:{n}", json.loads(line))
                for n, line in enumerate(text.splitlines(), 1)
                if line.strip()
            ]
        else:
            data = json.loads(text)
            if not isinstance(data, list):
                raise TaskFormatError(path, "must hold a JSON list of instances")
            rows = [(f"{path}[{n}]", item) for n, item in enumerate(data)]
    except json.JSONDecodeError as exc:
        raise TaskFormatError(path, f"invalid JSON at line {exc.lineno}: {exc.msg}") from None
    instances = [validate_model(SweInstance, item, Path(where)) for where, item in rows]
    if ids:
        missing = set(ids) - {i.instance_id for i in instances}
        if missing:
            raise TaskFormatError(path, f"has no instance(s) {', '.join(sorted(missing))}")
        instances = [i for i in instances if i.instance_id in ids]
    return instances
