"""Everything the review page shows about one sync run, read back from stored artifacts.

A sync stores, per upstream commit, ``changeset.json``, ``plan.json``, ``translate.json``,
``verdict.json`` and ``python.diff`` beside the run's ``summary.json``. Missing or
unreadable files become a note on the page rather than an error: a review of a failed run
is exactly when some of them are absent.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ferry.fsutil import read_text
from harness.sync.state import CommitProgress, SyncSummary, read_summary


@dataclass(frozen=True)
class ItemDiff:
    """One changed Rust item and the Python symbol it was translated into."""

    qualified_path: str
    item_kind: str
    status: str
    change_kind: str
    file: str
    diff: str
    python: str = ""  # module.symbol, empty when not translated
    note: str = ""  # why it was skipped or unmapped


@dataclass(frozen=True)
class GateView:
    name: str
    passed: bool
    duration_sec: float
    output: str


@dataclass(frozen=True)
class UnitView:
    unit: str
    outcome: str
    attempts: int
    cache_hits: int
    input_tokens: int
    output_tokens: int
    cost_usd: float
    error: str


@dataclass(frozen=True)
class CommitView:
    progress: CommitProgress
    items: list[ItemDiff] = field(default_factory=list)
    python_diff: str = ""
    gates: list[GateView] = field(default_factory=list)
    units: list[UnitView] = field(default_factory=list)
    backend: str = ""
    model: str = ""
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ReviewData:
    summary: SyncSummary
    source: Path
    commits: list[CommitView]


def _load(path: Path, notes: list[str]) -> dict[str, Any] | None:
    if not path.is_file():
        notes.append(f"{path.name} not recorded")
        return None
    try:
        data = json.loads(read_text(path))
    except (OSError, json.JSONDecodeError) as exc:
        notes.append(f"{path.name} unreadable: {exc}")
        return None
    if not isinstance(data, dict):
        notes.append(f"{path.name}: not a JSON object")
        return None
    return data


def _records(
    data: dict[str, Any] | None, key: str, name: str, notes: list[str]
) -> list[dict[str, Any]]:
    """``data[key]`` when it is a list of objects; otherwise a note and nothing."""
    value = (data or {}).get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        notes.append(f"{name}: '{key}' is not a list of objects")
        return []
    return value


def unified(old: str | None, new: str | None, label: str) -> str:
    """A unified diff of an item's old and new text (an added item is all ``+``)."""
    lines = difflib.unified_diff(
        (old or "").splitlines(),
        (new or "").splitlines(),
        fromfile=f"a/{label}",
        tofile=f"b/{label}",
        lineterm="",
        n=3,
    )
    return "\n".join(lines)


def _items(changeset: dict[str, Any], plan: dict[str, Any] | None) -> list[ItemDiff]:
    translated: dict[str, str] = {}
    notes: dict[str, str] = {}
    if plan is not None:
        for unit in plan.get("units", []):
            for item in unit.get("items", []):
                translated[item["qualified_path"]] = (
                    f"{unit['python_module']}.{item['python_symbol']}"
                )
        for item in plan.get("pending", []):
            notes[item["qualified_path"]] = (
                f"pending ({item.get('code', '')}): {item.get('reason', '')}"
            )
        for item in plan.get("declined", []):
            notes[item["qualified_path"]] = (
                f"declined ({item.get('rule', '')}): {item.get('reason', '')}"
            )
        for key in ("skipped", "unmapped"):  # plans written before ferry.plan/2
            for item in plan.get(key, []):
                notes[item["qualified_path"]] = f"{key}: {item.get('reason', '')}"
    out: list[ItemDiff] = []
    for item in changeset.get("items", []):
        path = str(item.get("qualified_path", "?"))
        out.append(
            ItemDiff(
                qualified_path=path,
                item_kind=str(item.get("item_kind", "")),
                status=str(item.get("status", "")),
                change_kind=str(item.get("change_kind", "")),
                file=str(item.get("file", "")),
                diff=unified(item.get("old_text"), item.get("new_text"), str(item.get("file", ""))),
                python=translated.get(path, ""),
                note=notes.get(path, ""),
            )
        )
    return out


def load_commit(progress: CommitProgress) -> CommitView:
    notes: list[str] = []
    if progress.batch_head is not None:
        return CommitView(
            progress,
            notes=[
                f"translated in the batch ending at {progress.batch_head[:12]}; "
                "its Rust and Python diffs are shown there"
            ],
        )
    if progress.artifacts is None:
        return CommitView(progress, notes=["no artifacts: the commit was not processed"])
    art = Path(progress.artifacts)
    changeset = _load(art / "changeset.json", notes)
    plan = _load(art / "plan.json", notes)
    run = _load(art / "translate.json", notes) if progress.units else None
    verdict = _load(art / "verdict.json", notes) if progress.gates else None
    diff_path = art / "python.diff"
    python_diff = (
        diff_path.read_text(encoding="utf-8", errors="replace") if diff_path.is_file() else ""
    )
    try:
        gates = [
            GateView(
                name=str(g.get("name", "?")),
                passed=bool(g.get("passed")),
                duration_sec=float(g.get("duration_sec", 0.0)),
                output=str(g.get("output", ""))[-4000:],
            )
            for g in _records(verdict, "gates", "verdict.json", notes)
        ]
    except (TypeError, ValueError) as exc:
        notes.append(f"verdict.json: unreadable gate ({exc})")
        gates = []
    try:
        units = [
            UnitView(
                unit=str(u.get("unit", "")),
                outcome=str(u.get("outcome", "")),
                attempts=int(u.get("attempts", 0)),
                cache_hits=int(u.get("cache_hits", 0)),
                input_tokens=int(u.get("input_tokens", 0)),
                output_tokens=int(u.get("output_tokens", 0)),
                cost_usd=float(u.get("cost_usd", 0.0)),
                error=str(u.get("error", "")),
            )
            for u in _records(run, "units", "translate.json", notes)
        ]
    except (TypeError, ValueError) as exc:
        notes.append(f"translate.json: unreadable unit ({exc})")
        units = []
    items: list[ItemDiff] = []
    if changeset is not None:
        try:
            items = _items(changeset, plan)
        except (TypeError, ValueError, AttributeError) as exc:
            notes.append(f"changeset.json/plan.json: unreadable items ({exc})")
    return CommitView(
        progress=progress,
        items=items,
        python_diff=python_diff,
        gates=gates,
        units=units,
        backend=str((run or {}).get("backend", "")),
        model=str((run or {}).get("model", "")),
        notes=notes,
    )


def latest_summary(state_dir: Path) -> Path:
    """The newest run's ``summary.json`` under ``<state_dir>/runs``."""
    runs = sorted(state_dir.glob("runs/*/summary.json"))
    if not runs:
        raise FileNotFoundError(
            f"no sync run recorded under {state_dir}/runs; run `ferry sync` first or pass "
            "the summary.json to review"
        )
    return runs[-1]


def load_review(summary_path: Path) -> ReviewData:
    summary = read_summary(summary_path)
    return ReviewData(summary, summary_path, [load_commit(c) for c in summary.commits])
