"""Differential runs: every scenario through the Rust oracle and the port, then compared.

:func:`run_parity` is the entry point for ``ferry parity run`` and for ``ferry validate``
(which gates on :attr:`ParityReport.ok`).
"""

from __future__ import annotations

import shutil
import sys
import traceback
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pycodex.testing.rust_oracle import DEFAULT_CODEX_VERSION, codex_binary, oracle_home_root

from ferry import __version__ as ferry_version
from harness.parity.allowlist import Allowlist, load_allowlist
from harness.parity.diff import Difference, diff_values
from harness.parity.normalize import normalized_view
from harness.parity.report import ParityReport, ScenarioResult, SideSummary, Verdict
from harness.parity.runner import Binary, SideResult, run_side
from harness.parity.scenario import Scenario, load_scenarios
from harness.parity.transcripts import write_transcript

DEFAULT_SCENARIOS = Path(__file__).with_name("scenarios")


def default_pycodex_argv() -> tuple[str, ...]:
    """``pycodex`` next to the running interpreter (the venv's), else on PATH."""
    sibling = Path(sys.executable).with_name("pycodex")
    if sibling.exists():
        return (str(sibling),)
    found = shutil.which("pycodex")
    if found is not None:
        return (found,)
    return (sys.executable, "-c", "from pycodex._entry import main; main()")


def rust_binary(codex_version: str = DEFAULT_CODEX_VERSION) -> Binary:
    """The pinned Rust ``codex`` (installed from npm on first use; may raise OracleUnavailable)."""
    return Binary(f"codex {codex_version}", (str(codex_binary(codex_version)),))


def _summary(side: SideResult) -> SideSummary:
    return SideSummary(
        label=side.binary.label,
        argv=list(side.argv),
        exit_code=side.exit_code,
        timed_out=side.timed_out,
        duration_s=round(side.duration_s, 3),
        requests=len(side.requests),
        stderr_tail=side.stderr[-2000:],
    )


def compare_sides(
    scenario: str,
    expected: SideResult,
    actual: SideResult,
    allowlist: Allowlist,
    *,
    unordered_events: bool = False,
    compare_rollout: str = "history",
    kind: str = "exec",
) -> ScenarioResult:
    """Diff two finished runs of ``scenario`` and classify the result."""
    differences: list[Difference] = []
    views = [
        normalized_view(
            side,
            unordered_events=unordered_events,
            compare_rollout=compare_rollout,
            kind=kind,
        )
        for side in (expected, actual)
    ]
    for diff in diff_values(views[0], views[1]):
        entry = allowlist.match(scenario, diff.path)
        differences.append(
            diff if entry is None else diff.model_copy(update={"allowed_by": entry.label})
        )
    if not differences:
        verdict = Verdict.MATCH
    elif all(d.allowed_by is not None for d in differences):
        verdict = Verdict.ALLOWED
    else:
        verdict = Verdict.DIVERGED
    return ScenarioResult(
        scenario=scenario,
        verdict=verdict,
        differences=differences,
        expected=_summary(expected),
        actual=_summary(actual),
    )


def run_scenario(
    scenario: Scenario,
    expected: Binary,
    actual: Binary,
    allowlist: Allowlist,
    run_root: Path,
    transcripts: Path | None = None,
) -> ScenarioResult:
    """Run both binaries on ``scenario`` in sibling directories and compare them."""
    try:
        if scenario.kind == "appserver":
            from harness.parity.appserver import run_appserver_side

            left = run_appserver_side(expected, scenario, run_root / scenario.name / "s1")
            right = run_appserver_side(actual, scenario, run_root / scenario.name / "s2")
        else:
            left = run_side(expected, scenario, run_root / scenario.name / "s1")
            right = run_side(actual, scenario, run_root / scenario.name / "s2")
        if transcripts is not None:
            write_transcript(left, transcripts / scenario.name / "expected")
            write_transcript(right, transcripts / scenario.name / "actual")
        return compare_sides(
            scenario.name,
            left,
            right,
            allowlist,
            unordered_events=scenario.unordered_events,
            compare_rollout=scenario.compare_rollout,
            kind=scenario.kind,
        )
    except Exception as exc:  # one broken scenario must not hide the others' verdicts
        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        return ScenarioResult(scenario=scenario.name, verdict=Verdict.ERROR, error=detail)


def run_parity(
    scenarios_dir: Path = DEFAULT_SCENARIOS,
    codex_version: str = DEFAULT_CODEX_VERSION,
    *,
    only: Sequence[str] = (),
    pycodex: Sequence[str] | None = None,
    expected: Binary | None = None,
    actual: Binary | None = None,
    allowlist: Allowlist | None = None,
    workers: int = 2,
    keep_dirs: bool = False,
    transcripts: Path | None = None,
    timeout_cap_s: float | None = None,
    on_result: Callable[[ScenarioResult], None] | None = None,
) -> ParityReport:
    """Compare ``actual`` (default: pycodex) with ``expected`` (default: the Rust codex).

    ``timeout_cap_s`` bounds every scenario's timeout (a hanging port must not stall CI).
    Raises :class:`~pycodex.testing.rust_oracle.OracleUnavailable` when the Rust binary
    is needed and cannot be installed, and :class:`ScenarioError` for bad scenario files.
    """
    scenarios = load_scenarios(scenarios_dir, list(only))
    expected_binary = expected or rust_binary(codex_version)
    actual_binary = actual or Binary(
        "pycodex", tuple(pycodex) if pycodex else default_pycodex_argv()
    )
    allowed = allowlist if allowlist is not None else load_allowlist()
    run_root = oracle_home_root() / f"parity-{uuid.uuid4().hex[:8]}"
    results: dict[str, ScenarioResult] = {}
    try:

        def job(scenario: Scenario) -> ScenarioResult:
            if timeout_cap_s is not None and scenario.timeout_s > timeout_cap_s:
                scenario = scenario.model_copy(update={"timeout_s": timeout_cap_s})
            result = run_scenario(
                scenario, expected_binary, actual_binary, allowed, run_root, transcripts
            )
            if on_result is not None:
                on_result(result)
            return result

        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            for result in pool.map(job, scenarios):
                results[result.scenario] = result
    finally:
        if not keep_dirs:
            shutil.rmtree(run_root, ignore_errors=True)
    return ParityReport(
        ferry_version=ferry_version,
        codex_version=codex_version,
        expected_label=expected_binary.label,
        actual_label=actual_binary.label,
        scenarios_dir=str(scenarios_dir),
        results=[results[s.name] for s in scenarios],
    )
