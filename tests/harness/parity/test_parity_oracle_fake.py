"""The whole oracle, offline: a fake codex against itself, against a divergent variant, and the CLI."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

from click.testing import CliRunner

from harness.parity.allowlist import AllowEntry, Allowlist
from harness.parity.cli import parity
from harness.parity.oracle import run_parity
from harness.parity.report import Verdict
from harness.parity.runner import Binary

FAKE_CODEX = Path(__file__).with_name("fake_codex.py")


def test_fake_against_itself_matches_after_normalisation(
    scenario_dir: Path, fake_binary: Binary
) -> None:
    report = run_parity(
        scenario_dir, expected=fake_binary, actual=fake_binary, allowlist=Allowlist()
    )
    assert [(r.scenario, r.verdict, r.differences) for r in report.results] == [
        ("echo_file", Verdict.MATCH, []),
        ("just_answer", Verdict.MATCH, []),
    ]
    assert report.ok and report.match_ratio == 1.0
    side = report.results[0].expected
    assert side is not None and side.exit_code == 0 and side.requests == 2


def test_divergence_is_reported_with_exact_path_and_values(
    scenario_dir: Path, fake_binary: Binary
) -> None:
    shouting = Binary("shout", ("env", "FAKE_CODEX_VARIANT=shout", *fake_binary.argv))
    report = run_parity(
        scenario_dir,
        expected=fake_binary,
        actual=shouting,
        allowlist=Allowlist(),
        only=["just_answer"],
    )
    (result,) = report.results
    assert result.verdict is Verdict.DIVERGED
    assert [(d.path, d.expected, d.actual) for d in result.differences] == [
        ("/events/1/item/text", "hi there", "HI THERE")
    ]
    assert not report.ok


def test_allowlisted_divergence_passes(scenario_dir: Path, fake_binary: Binary) -> None:
    shouting = Binary("shout", ("env", "FAKE_CODEX_VARIANT=shout", *fake_binary.argv))
    allow = Allowlist(
        entries=(
            AllowEntry(scenario="just_*", path="/events/*/item/text", reason="case is cosmetic"),
        )
    )
    report = run_parity(
        scenario_dir, expected=fake_binary, actual=shouting, allowlist=allow, only=["just_answer"]
    )
    (result,) = report.results
    assert result.verdict is Verdict.ALLOWED
    assert result.differences[0].allowed_by == "just_*:/events/*/item/text"
    assert report.ok


def test_timeout_is_recorded_not_raised(tmp_path: Path, fake_binary: Binary) -> None:
    (tmp_path / "slow.yaml").write_text(
        "prompt: p\nturns:\n  - [{function_call: {call_id: c, name: exec_command, arguments: {cmd: 'sleep 30'}}}]\n",
        encoding="utf-8",
    )
    report = run_parity(
        tmp_path, expected=fake_binary, actual=fake_binary, allowlist=Allowlist(), timeout_cap_s=1.5
    )
    side = report.results[0].actual
    assert side is not None and side.timed_out and side.exit_code is None


def test_cli_exit_codes_and_json_report(scenario_dir: Path, tmp_path: Path) -> None:
    fake = shlex.join([sys.executable, str(FAKE_CODEX)])
    runner = CliRunner()
    out = tmp_path / "report.json"
    same = runner.invoke(
        parity,
        [
            "run",
            "--scenarios",
            str(scenario_dir),
            "--codex",
            fake,
            "--pycodex",
            fake,
            "--json-report",
            str(out),
        ],
    )
    assert same.exit_code == 0, same.output
    assert "2/2 = 100%" in same.output
    assert json.loads(out.read_text())["summary"]["passed"] == 2
    markdown = tmp_path / "parity.md"
    again = runner.invoke(
        parity,
        [
            "run",
            "--scenarios",
            str(scenario_dir),
            "--codex",
            fake,
            "--pycodex",
            fake,
            "--only",
            "just_answer",
            "--markdown",
            str(markdown),
        ],
    )
    assert again.exit_code == 0, again.output
    assert "| just_answer | match | 0 | - |" in markdown.read_text()

    shout = shlex.join(["env", "FAKE_CODEX_VARIANT=shout", sys.executable, str(FAKE_CODEX)])
    differ = runner.invoke(
        parity, ["run", "--scenarios", str(scenario_dir), "--codex", fake, "--pycodex", shout]
    )
    assert differ.exit_code == 1
    assert "diverged" in differ.output

    bad = runner.invoke(parity, ["run", "--scenarios", str(tmp_path / "nope"), "--codex", fake])
    assert bad.exit_code == 2 and "does not exist" in bad.output


def test_a_binary_that_cannot_start_is_an_error_verdict(
    scenario_dir: Path, fake_binary: Binary
) -> None:
    missing = Binary("missing", ("/nonexistent/pycodex",))
    report = run_parity(
        scenario_dir,
        expected=fake_binary,
        actual=missing,
        allowlist=Allowlist(),
        only=["just_answer"],
    )
    (result,) = report.results
    assert result.verdict is Verdict.ERROR
    assert result.error is not None and "/nonexistent/pycodex" in result.error
    assert not report.ok
