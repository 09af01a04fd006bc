"""Head-to-head table of two runs: both solved / only A / only B / neither (as in the paper).

Reads either kind of run summary: Terminal-Bench ``results.json`` (``task_id``,
``is_resolved``) or SWE ``results.json`` (``instance_id``, ``resolved``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from ferry.fsutil import read_text
from harness.errors import TaskFormatError
from harness.records import H2H_FORMAT, Stamp, stamp


class HeadToHead(BaseModel):
    model_config = ConfigDict(frozen=True)

    a: str
    b: str
    both: list[str]
    only_a: list[str]
    only_b: list[str]
    neither: list[str]
    missing_in_a: list[str]
    missing_in_b: list[str]
    stamp: Stamp

    def rows(self) -> list[tuple[str, int]]:
        return [
            ("both solved", len(self.both)),
            (f"only {self.a}", len(self.only_a)),
            (f"only {self.b}", len(self.only_b)),
            ("neither", len(self.neither)),
        ]


def resolved_map(path: Path) -> dict[str, bool]:
    """Task/instance id -> resolved, from a run's ``results.json``."""
    try:
        data: Any = json.loads(read_text(path))
    except (OSError, json.JSONDecodeError) as exc:
        raise TaskFormatError(path, f"cannot be read as a results file: {exc}") from None
    results = data.get("results") if isinstance(data, dict) else None
    if not isinstance(results, list):
        raise TaskFormatError(
            path, "has no 'results' list (expected a ferry bench results.json)", field="results"
        )
    out: dict[str, bool] = {}
    for n, row in enumerate(results):
        key = row.get("task_id") or row.get("instance_id") if isinstance(row, dict) else None
        if not isinstance(key, str):
            raise TaskFormatError(path, "needs 'task_id' or 'instance_id'", field=f"results.{n}")
        resolved = row.get("is_resolved", row.get("resolved"))
        # Several trials of one task: a task counts as solved if any trial solved it.
        out[key] = out.get(key, False) or bool(resolved)
    return out


def head_to_head(path_a: Path, path_b: Path, *, name_a: str = "A", name_b: str = "B") -> HeadToHead:
    a, b = resolved_map(path_a), resolved_map(path_b)
    common = sorted(set(a) & set(b))
    return HeadToHead(
        a=name_a,
        b=name_b,
        both=[k for k in common if a[k] and b[k]],
        only_a=[k for k in common if a[k] and not b[k]],
        only_b=[k for k in common if b[k] and not a[k]],
        neither=[k for k in common if not a[k] and not b[k]],
        missing_in_a=sorted(set(b) - set(a)),
        missing_in_b=sorted(set(a) - set(b)),
        stamp=stamp(
            H2H_FORMAT, {"a": str(path_a), "b": str(path_b), "name_a": name_a, "name_b": name_b}
        ),
    )
