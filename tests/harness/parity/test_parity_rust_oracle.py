"""Against the real Rust codex: Rust vs Rust proves the normalisation, pycodex vs Rust measures parity.

Both need ``@openai/codex`` from npm and skip with the reason when it cannot be installed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pycodex.testing.rust_oracle import DEFAULT_CODEX_VERSION, OracleUnavailable

from harness.parity.allowlist import Allowlist
from harness.parity.oracle import DEFAULT_SCENARIOS, default_pycodex_argv, run_parity, rust_binary
from harness.parity.report import ParityReport, Verdict
from harness.parity.runner import Binary
from harness.parity.scenario import read_subset

pytestmark = pytest.mark.oracle

#: scenarios exercising every volatile field: uuids, wall times, chunk and session ids, paths,
#: git metadata and commit times, rollout names, dates, resumed threads.
SELF_CHECK = [
    "exec_yield_timeout",
    "apply_patch_move",
    "git_repo_ok",
    "git_agent_commit_is_recorded",
    "exec_resume_by_id_appends_to_existing_file",
]


@pytest.fixture(scope="module")
def rust() -> Binary:
    try:
        return rust_binary(DEFAULT_CODEX_VERSION)
    except OracleUnavailable as exc:
        pytest.skip(f"Rust codex {DEFAULT_CODEX_VERSION} unavailable (npm unreachable?): {exc}")


def test_rust_against_itself_is_identical_after_normalisation(rust: Binary) -> None:
    report = run_parity(
        DEFAULT_SCENARIOS, expected=rust, actual=rust, only=SELF_CHECK, allowlist=Allowlist()
    )
    details = {
        r.scenario: [(d.path, d.expected, d.actual) for d in r.differences] or r.error
        for r in report.results
    }
    assert all(r.verdict is Verdict.MATCH for r in report.results), json.dumps(
        details, indent=1, default=str
    )[:4000]
    assert {r.scenario for r in report.results} == set(SELF_CHECK)


def test_pycodex_matches_rust_on_the_ci_subset(rust: Binary, tmp_path: Path) -> None:
    """The CI gate: every scenario of ``ci_subset.txt`` matches (or differs as declared).

    The whole suite runs nightly (``ferry parity run --workers 2``); see README.
    """
    report = run_parity(
        DEFAULT_SCENARIOS,
        expected=rust,
        actual=Binary("pycodex", default_pycodex_argv()),
        only=read_subset(),
        timeout_cap_s=60,
    )
    out = tmp_path / "parity.json"
    report.write_json(out)
    data = json.loads(out.read_text(encoding="utf-8"))
    fields = {k: v for k, v in data.items() if k not in ("summary", "top_divergences")}
    assert ParityReport.model_validate(fields) == report
    assert data["summary"]["total"] == len(read_subset())
    for result in report.results:
        assert (result.error is None) == (result.expected is not None), result.scenario
        assert (result.verdict is Verdict.MATCH) == (
            not result.differences and result.error is None
        )
        assert all(d.path.startswith("/") for d in result.differences)
    failures = {
        r.scenario: [(d.path, d.expected, d.actual) for d in r.unexpected] or r.error
        for r in report.results
        if r.verdict not in (Verdict.MATCH, Verdict.ALLOWED)
    }
    assert report.ok, json.dumps(failures, indent=1, default=str)[:6000]
