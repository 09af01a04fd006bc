"""The parity report: per-scenario verdicts with exact differences, as JSON and as a table."""

from __future__ import annotations

import json
import re
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ferry.fsutil import write_text_atomic
from harness.parity.diff import Difference

REPORT_FORMAT = "ferry.parity-report/1"


class Verdict(StrEnum):
    MATCH = "match"  # no difference at all
    ALLOWED = "allowed"  # only differences declared in the allow-list
    DIVERGED = "diverged"  # at least one undeclared difference
    ERROR = "error"  # the scenario could not be run


class SideSummary(BaseModel):
    model_config = ConfigDict(frozen=True)

    label: str
    argv: list[str]
    exit_code: int | None
    timed_out: bool
    duration_s: float
    requests: int
    stderr_tail: str


class ScenarioResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    scenario: str
    verdict: Verdict
    differences: list[Difference] = Field(default_factory=list)
    expected: SideSummary | None = None
    actual: SideSummary | None = None
    error: str | None = None

    @property
    def unexpected(self) -> list[Difference]:
        return [d for d in self.differences if d.allowed_by is None]

    def aspect_ok(self, aspect: str) -> bool:
        """Whether ``aspect`` (a top-level key of the compared view) has no unexpected difference."""
        return self.error is None and not any(
            d.path.split("/")[1] == aspect for d in self.unexpected
        )


class ParityReport(BaseModel):
    """Everything ``ferry validate`` needs to gate on parity, and what a human needs to fix it."""

    model_config = ConfigDict(frozen=True)

    format: str = REPORT_FORMAT
    ferry_version: str
    codex_version: str
    expected_label: str
    actual_label: str
    scenarios_dir: str
    results: list[ScenarioResult]

    @property
    def total(self) -> int:
        return len(self.results)

    @property
    def passed(self) -> int:
        return sum(r.verdict in (Verdict.MATCH, Verdict.ALLOWED) for r in self.results)

    @property
    def match_ratio(self) -> float:
        return self.passed / self.total if self.total else 0.0

    @property
    def ok(self) -> bool:
        return self.total > 0 and self.passed == self.total

    def aspect_counts(self) -> dict[str, int]:
        """Per compared part, in how many scenarios it matched (partial progress of a port)."""
        return {a: sum(r.aspect_ok(a) for r in self.results) for a in ASPECTS}

    def summary(self) -> dict[str, Any]:
        counts: dict[str, Any] = {
            v.value: sum(r.verdict is v for r in self.results) for v in Verdict
        }
        counts["aspects_matching"] = self.aspect_counts()
        return {
            "total": self.total,
            "passed": self.passed,
            "match_ratio": round(self.match_ratio, 4),
            **counts,
        }

    def to_json(self) -> dict[str, Any]:
        data = self.model_dump(mode="json")
        data["summary"] = self.summary()
        data["top_divergences"] = [g.model_dump(mode="json") for g in top_divergences(self)]
        return data

    def write_json(self, path: Path) -> None:
        """Write atomically: a temp file in the same directory, then rename."""
        write_text_atomic(path, json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n")


_INDEX_RE = re.compile(r"/\d+(?=/|$)")


#: the compared parts of a run, in the order reports list them.
ASPECTS = (
    "requests",
    "events",
    "exit",
    "stderr",
    "processes",
    "then",
    "workspace",
    "outside",
    "modes",
    "git",
    "home",
    "home_snapshot",
    "tmp",
)


class DivergenceGroup(BaseModel):
    """Unexpected differences sharing a path shape (list indices replaced by ``*``)."""

    model_config = ConfigDict(frozen=True)

    pattern: str
    scenarios: list[str]
    count: int
    example: Difference


def top_divergences(report: ParityReport, limit: int = 15) -> list[DivergenceGroup]:
    """The most widespread unexpected differences: what to fix first in the port."""
    groups: dict[str, tuple[list[str], int, Difference]] = {}
    for result in report.results:
        for diff in result.unexpected:
            pattern = _INDEX_RE.sub("/*", diff.path)
            scenarios, count, example = groups.get(pattern, ([], 0, diff))
            if result.scenario not in scenarios:
                scenarios.append(result.scenario)
            groups[pattern] = (scenarios, count + 1, example)
    ranked = sorted(groups.items(), key=lambda kv: (-len(kv[1][0]), -kv[1][1], kv[0]))
    return [
        DivergenceGroup(pattern=pattern, scenarios=scenarios, count=count, example=example)
        for pattern, (scenarios, count, example) in ranked[:limit]
    ]


def render_top_divergences(report: ParityReport, console: Console, limit: int = 15) -> None:
    groups = top_divergences(report, limit)
    if not groups:
        return
    table = Table(title="top divergences (by number of scenarios)")
    table.add_column("path pattern", overflow="fold")
    table.add_column("scenarios", justify="right")
    table.add_column("diffs", justify="right")
    table.add_column(f"example: {report.expected_label} ≠ {report.actual_label}")
    for group in groups:
        diff = group.example
        example = diff.note or f"{_short(diff.expected, 45)} ≠ {_short(diff.actual, 45)}"
        table.add_row(group.pattern, str(len(group.scenarios)), str(group.count), escape(example))
    console.print(table)


def _short(value: Any, limit: int = 60) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = text.replace("\n", "\\n")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _crash_line(side: SideSummary | None) -> str | None:
    """The last line of a Python traceback on ``side``'s stderr, if it crashed."""
    if side is None or "Traceback (most recent call last)" not in side.stderr_tail:
        return None
    lines = [line for line in side.stderr_tail.splitlines() if line.strip()]
    return lines[-1] if lines else None


_STYLE = {
    Verdict.MATCH: "green",
    Verdict.ALLOWED: "cyan",
    Verdict.DIVERGED: "red",
    Verdict.ERROR: "magenta",
}


def render_table(report: ParityReport, console: Console, *, max_rows_per_scenario: int = 3) -> None:
    """A per-scenario verdict table followed by the match ratio."""
    table = Table(
        title=f"parity: {report.actual_label} vs {report.expected_label} (codex {report.codex_version})"
    )
    table.add_column("scenario", overflow="fold")
    table.add_column("verdict")
    table.add_column("diffs", justify="right")
    table.add_column("exit", justify="center")
    table.add_column("first differences", overflow="fold")
    for result in report.results:
        exits = "-"
        if result.expected is not None and result.actual is not None:
            exits = f"{result.expected.exit_code}/{result.actual.exit_code}"
        if result.error is not None:
            detail = _short(result.error, 100)
        else:
            shown = result.unexpected[:max_rows_per_scenario]
            detail = "\n".join(
                f"{d.path}: {d.note}"
                if d.note
                else f"{d.path}: {_short(d.expected, 30)} ≠ {_short(d.actual, 30)}"
                for d in shown
            )
            crash = _crash_line(result.actual)
            if crash:
                detail = f"[{report.actual_label} crashed] {_short(crash, 90)}\n" + detail
            if len(result.unexpected) > len(shown):
                detail += f"\n… {len(result.unexpected) - len(shown)} more"
        style = _STYLE[result.verdict]
        table.add_row(
            result.scenario,
            f"[{style}]{result.verdict.value}[/{style}]",
            f"{len(result.unexpected)}/{len(result.differences)}",
            exits,
            escape(detail),
        )
    console.print(table)
    console.print(
        f"match ratio: {report.passed}/{report.total} = {report.match_ratio:.0%} "
        f"(match + allowed; diffs column = unexpected/all)"
    )
    parts = ", ".join(f"{a} {n}/{report.total}" for a, n in report.aspect_counts().items())
    console.print(f"matching per part: {parts}")


def markdown_summary(report: ParityReport) -> str:
    """The verdicts as a Markdown table plus the ratio lines (for READMEs and review pages)."""
    lines = [
        "| scenario | verdict | unexpected diffs | diverging parts |",
        "|---|---|---:|---|",
    ]
    for result in report.results:
        parts = ", ".join(a for a in ASPECTS if not result.aspect_ok(a)) or "-"
        lines.append(
            f"| {result.scenario} | {result.verdict.value} | {len(result.unexpected)} | {parts} |"
        )
    counts = ", ".join(f"{a} {n}/{report.total}" for a, n in report.aspect_counts().items())
    lines.append("")
    lines.append(
        f"Match ratio: **{report.passed}/{report.total} = {report.match_ratio:.0%}**; matching per part: {counts}."
    )
    return "\n".join(lines) + "\n"
