"""Allow-list parsing and matching, verdict classification and the report formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.console import Console

from harness.parity.allowlist import DEFAULT_ALLOWLIST, AllowEntry, Allowlist, load_allowlist
from harness.parity.diff import Difference
from harness.parity.errors import AllowlistError
from harness.parity.report import (
    ParityReport,
    ScenarioResult,
    SideSummary,
    Verdict,
    markdown_summary,
    render_table,
    top_divergences,
)


def test_shipped_allowlist_is_valid() -> None:
    allowlist = load_allowlist(DEFAULT_ALLOWLIST)
    assert all(entry.reason.strip() for entry in allowlist.entries)


def test_matching_uses_scenario_and_path_globs() -> None:
    allowlist = Allowlist(
        entries=(
            AllowEntry(
                scenario="fault_*",
                path="/requests/*/headers/user-agent",
                reason="differs by design",
            ),
            AllowEntry(path="/events/*/item/text", reason="wording"),
        )
    )
    hit = allowlist.match("fault_429", "/requests/3/headers/user-agent")
    assert hit is not None and hit.reason == "differs by design"
    assert allowlist.match("exec_success", "/requests/3/headers/user-agent") is None
    assert allowlist.match("exec_success", "/events/4/item/text") is not None
    assert allowlist.match("exec_success", "/events/4/item/type") is None


def test_missing_reason_names_the_entry(tmp_path: Path) -> None:
    path = tmp_path / "allow.yaml"
    path.write_text("allow:\n  - path: /x\n  - path: /y\n    reason: ''\n", encoding="utf-8")
    with pytest.raises(AllowlistError) as info:
        load_allowlist(path)
    assert str(path) in str(info.value)
    assert "allow[0]" in str(info.value) and "reason" in str(info.value)


def test_malformed_allowlist_shape(tmp_path: Path) -> None:
    path = tmp_path / "allow.yaml"
    path.write_text("- just a list\n", encoding="utf-8")
    with pytest.raises(AllowlistError, match="'allow' list"):
        load_allowlist(path)
    assert load_allowlist(tmp_path / "absent.yaml").entries == ()


def _side(stderr: str) -> SideSummary:
    return SideSummary(
        label="x",
        argv=["x"],
        exit_code=1,
        timed_out=False,
        duration_s=0.1,
        requests=0,
        stderr_tail=stderr,
    )


def _report() -> ParityReport:
    diverged = ScenarioResult(
        scenario="b",
        verdict=Verdict.DIVERGED,
        expected=_side(""),
        actual=_side(
            "Traceback (most recent call last):\n  File x\nImportError: no module named y\n"
        ),
        differences=[
            Difference(path="/exit/code", expected=0, actual=1),
            Difference(
                path="/events/1/item/text", expected="hi", actual="HI", allowed_by="*:/events/*"
            ),
        ],
    )
    return ParityReport(
        ferry_version="0",
        codex_version="0.169.0",
        expected_label="codex",
        actual_label="pycodex",
        scenarios_dir="/s",
        results=[ScenarioResult(scenario="a", verdict=Verdict.MATCH), diverged],
    )


def test_report_ratio_and_json_round_trip(tmp_path: Path) -> None:
    report = _report()
    assert (report.passed, report.total, report.ok) == (1, 2, False)
    assert report.match_ratio == 0.5
    out = tmp_path / "nested" / "report.json"
    report.write_json(out)
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["format"] == "ferry.parity-report/1"
    assert data["summary"]["match_ratio"] == 0.5
    assert data["results"][1]["differences"][0] == {
        "path": "/exit/code",
        "expected": 0,
        "actual": 1,
        "allowed_by": None,
        "note": None,
    }
    assert data["summary"]["aspects_matching"] == {
        "requests": 2,
        "events": 2,
        "exit": 1,
        "stderr": 2,
        "processes": 2,
        "then": 2,
        "workspace": 2,
        "outside": 2,
        "modes": 2,
        "git": 2,
        "home": 2,
        "home_snapshot": 2,
        "tmp": 2,
    }
    assert data["top_divergences"][0]["pattern"] == "/exit/code"
    assert data["top_divergences"][0]["scenarios"] == ["b"]
    fields = {k: v for k, v in data.items() if k not in ("summary", "top_divergences")}
    assert ParityReport.model_validate(fields) == report
    assert [p.name for p in out.parent.iterdir()] == ["report.json"], "no temp file left behind"


def test_table_lists_every_scenario_and_unexpected_differences() -> None:
    console = Console(record=True, width=200)
    render_table(_report(), console)
    text = console.export_text()
    assert "diverged" in text and "match" in text
    assert "/exit/code" in text
    assert "/events/1/item/text" not in text, "allowed differences are not listed as failures"
    assert "1/2 = 50%" in text
    assert "[pycodex crashed] ImportError: no module named y" in text
    assert "exit 1/2" in text


def test_top_divergences_group_by_path_shape_and_rank_by_scenarios() -> None:
    def result(name: str, paths: list[str]) -> ScenarioResult:
        diffs = [Difference(path=p, expected=1, actual=2) for p in paths]
        return ScenarioResult(scenario=name, verdict=Verdict.DIVERGED, differences=diffs)

    report = ParityReport(
        ferry_version="0",
        codex_version="0.169.0",
        expected_label="codex",
        actual_label="pycodex",
        scenarios_dir="/s",
        results=[
            result(
                "a",
                ["/requests/0/body/tools/3/name", "/requests/1/body/tools/3/name", "/exit/code"],
            ),
            result("b", ["/requests/0/body/tools/5/name", "/events/2/item/text"]),
        ],
    )
    groups = top_divergences(report)
    assert [(g.pattern, g.scenarios, g.count) for g in groups] == [
        ("/requests/*/body/tools/*/name", ["a", "b"], 3),
        ("/events/*/item/text", ["b"], 1),
        ("/exit/code", ["a"], 1),
    ]


def test_markdown_summary_lists_verdicts_parts_and_ratio() -> None:
    text = markdown_summary(_report())
    assert "| a | match | 0 | - |" in text
    assert "| b | diverged | 1 | exit |" in text
    assert "**1/2 = 50%**" in text
    assert "exit 1/2" in text
