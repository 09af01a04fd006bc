"""Table X: eight kinds of operational task, run end to end through both ``exec`` CLIs.

Each task (``agent_tasks/*.yaml``) is a parity scenario (workspace files, arguments, the
scripted model's turns, follow-up invocations) plus what success means: the exit status,
files the workspace must hold and the final message. The same script is served from
127.0.0.1 to ``pycodex exec`` and to the Rust ``codex exec``; a run succeeded when every
expectation holds. Wall time covers every invocation of the task.
"""

from __future__ import annotations

import statistics
import tempfile
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ferry.fsutil import read_text
from harness.parity.errors import ParityError
from harness.parity.runner import Binary, SideResult, run_side
from harness.parity.scenario import Scenario
from reports.measure.common import Binaries, MeasureError, ratio, write_artifact

FORMAT = "ferry.measure.agent-tasks/1"
TASKS_DIR = Path(__file__).with_name("agent_tasks")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Expect(_Strict):
    exit_code: int = 0
    #: path -> exact content the workspace must hold afterwards
    files: dict[str, str] = Field(default_factory=dict)
    #: path -> text the file must contain
    contains: dict[str, str] = Field(default_factory=dict)
    #: the last agent message of the run
    final_message: str | None = None


class AgentTask(_Strict):
    name: str
    kind: str
    title: str
    expect: Expect
    scenario: Scenario


def load_task(path: Path) -> AgentTask:
    try:
        raw = yaml.safe_load(read_text(path))
    except (OSError, yaml.YAMLError) as exc:
        raise MeasureError(f"{path}: cannot read the task ({exc})") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("scenario"), dict):
        raise MeasureError(f"{path}: a task is a mapping with kind, title, expect and scenario")
    name = path.stem.split("_", 1)[-1].replace("_", "-")
    raw["scenario"].setdefault("name", name)
    raw.setdefault("name", name)
    try:
        return AgentTask.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise MeasureError(f"{path}: {problems}") from exc


def load_tasks(directory: Path = TASKS_DIR) -> list[AgentTask]:
    tasks = [load_task(p) for p in sorted(directory.glob("*.yaml"))]
    if not tasks:
        raise MeasureError(f"{directory}: no task files (*.yaml)")
    return tasks


def last_message(side: SideResult) -> str | None:
    text = None
    for event in side.events():
        if isinstance(event, dict) and event.get("type") == "item.completed":
            item = event.get("item") or {}
            if item.get("type") == "agent_message":
                text = str(item.get("text"))
    return text


def check(task: AgentTask, side: SideResult) -> list[str]:
    """What did not hold (empty: the run succeeded)."""
    problems = []
    if side.timed_out:
        problems.append("timed out")
    elif side.exit_code != task.expect.exit_code:
        problems.append(f"exit {side.exit_code} (expected {task.expect.exit_code})")
    for path, content in task.expect.files.items():
        got = side.workspace.get(path)
        if got != content:
            problems.append(f"{path}: {'missing' if got is None else 'content differs'}")
    for path, part in task.expect.contains.items():
        if part not in (side.workspace.get(path) or ""):
            problems.append(f"{path}: lacks {part!r}")
    if task.expect.final_message is not None:
        message = last_message(side)
        if message != task.expect.final_message:
            problems.append(f"final message {message!r}")
    return problems


def run_task(task: AgentTask, binary: Binary, runs: int) -> dict[str, Any]:
    seconds: list[float] = []
    failures: list[str] = []
    for n in range(runs):
        with tempfile.TemporaryDirectory(prefix=f"ferry-x-{task.name}-") as tmp:
            try:
                side = run_side(binary, task.scenario, Path(tmp))
            except ParityError as exc:
                failures.append(f"run {n + 1}: {exc}")
                continue
        problems = check(task, side)
        if problems:
            failures.append(f"run {n + 1}: " + ", ".join(problems))
        else:
            seconds.append(side.duration_s)
    return {
        "succeeded": len(seconds),
        "runs": runs,
        "median_s": round(statistics.median(seconds), 3) if seconds else None,
        "failures": failures,
    }


def measure_agent_tasks(
    binaries: Binaries, *, runs: int = 3, tasks: list[AgentTask] | None = None
) -> tuple[list[dict[str, Any]], list[str]]:
    tasks = tasks if tasks is not None else load_tasks()
    py = Binary("pycodex", binaries.pycodex)
    rust = Binary("codex", binaries.codex) if binaries.codex is not None else None
    notes = [f"Rust side: {binaries.codex_note}"]
    rows = []
    for task in tasks:
        a = run_task(task, py, runs)
        b = run_task(task, rust, runs) if rust is not None else None
        note = "; ".join(
            [f"pycodex {f}" for f in a["failures"]]
            + [f"codex {f}" for f in (b or {}).get("failures", [])]
        )
        if b is None:
            note = "; ".join(filter(None, [note, binaries.codex_note]))
        rows.append(
            {
                "row": task.kind,
                "task": task.title,
                "pycodex succeeded": f"{a['succeeded']}/{a['runs']}",
                "pycodex median (s)": a["median_s"],
                "codex succeeded": None if b is None else f"{b['succeeded']}/{b['runs']}",
                "codex median (s)": None if b is None else b["median_s"],
                "pycodex/codex": None if b is None else ratio(a["median_s"], b["median_s"]),
                "pycodex ok": a["succeeded"],
                "codex ok": None if b is None else b["succeeded"],
                "runs": runs,
                "note": note,
            }
        )
    return rows, notes


def run_and_store(binaries: Binaries, out: Path, *, runs: int = 3) -> Path:
    tasks = load_tasks()
    rows, notes = measure_agent_tasks(binaries, runs=runs, tasks=tasks)
    config = {"binaries": binaries.snapshot(), "runs": runs, "tasks": [t.name for t in tasks]}
    return write_artifact(out, FORMAT, config, rows, notes)
