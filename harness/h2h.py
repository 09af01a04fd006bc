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
    #: Tasks the oracle resolved in the same environments (``ferry bench h2h DATASET``).
    oracle_resolved: list[str] | None = None
    runs: dict[str, str] = {}
    stamp: Stamp

    def rows(self) -> list[tuple[str, int]]:
        return [(label, len(ids)) for label, ids in self.labelled_rows()]

    def labelled_rows(self) -> list[tuple[str, list[str]]]:
        return [
            ("both solved", self.both),
            (f"only {self.a}", self.only_a),
            (f"only {self.b}", self.only_b),
            ("neither", self.neither),
        ]

    def missed_by_either(self) -> list[str]:
        """Tasks the oracle resolved that one of the two agents did not."""
        solved_by_both = set(self.both)
        return sorted(t for t in self.oracle_resolved or [] if t not in solved_by_both)


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


def run_head_to_head(
    dataset: Path,
    out_dir: Path,
    *,
    env_name: str = "local",
    task_ids: tuple[str, ...] = (),
    n_concurrent: int = 1,
) -> HeadToHead:
    """Oracle, scripted pycodex and scripted codex on ``dataset``; the Table XI record."""
    from harness.agents import make_agent
    from harness.environments import environment_factory
    from harness.records import TB_RESULTS_FORMAT
    from harness.tasks import load_tasks
    from harness.tb.files import write_result
    from harness.tb.runner import RunOptions, run_benchmark

    tasks = load_tasks(dataset, task_ids)
    factory = environment_factory(env_name)
    paths: dict[str, Path] = {}
    for agent in ("oracle", "scripted-pycodex", "scripted-codex"):
        config = {"dataset": str(dataset), "agent": agent, "environment": env_name}
        run_benchmark(
            tasks,
            lambda agent=agent: make_agent(agent),  # type: ignore[misc]
            factory,
            RunOptions(agent, out_dir / agent, n_concurrent, progress=True, fingerprint=config),
            stamp(TB_RESULTS_FORMAT, config),
        )
        paths[agent] = out_dir / agent / "results.json"
    table = head_to_head(
        paths["scripted-pycodex"], paths["scripted-codex"], name_a="Python", name_b="Rust"
    )
    oracle = resolved_map(paths["oracle"])
    table = table.model_copy(
        update={
            "oracle_resolved": sorted(k for k, v in oracle.items() if v),
            "runs": {k: str(v) for k, v in paths.items()},
        }
    )
    write_result(out_dir / "h2h.json", table.model_dump_json(indent=2) + "\n")
    return table
