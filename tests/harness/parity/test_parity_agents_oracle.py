"""The sub-agent scenarios (``agents_*`` with a ``spawn_agent`` call) against the real Rust codex.

pycodex must match codex 0.169.0 on each one, differing only where the allow-list declares
it; skipped with the reason when ``@openai/codex`` cannot be installed.
"""

from __future__ import annotations

import json

import pytest
from pycodex.testing.rust_oracle import DEFAULT_CODEX_VERSION, OracleUnavailable

from harness.parity.oracle import DEFAULT_SCENARIOS, default_pycodex_argv, run_parity, rust_binary
from harness.parity.report import Verdict
from harness.parity.runner import Binary

pytestmark = pytest.mark.oracle

#: every scenario that drives the multi_agent_v1 tools (the agents_md* ones are AGENTS.md).
AGENT_SCENARIOS = sorted(
    path.stem
    for path in DEFAULT_SCENARIOS.glob("agents_*.yaml")
    if "spawn_agent" in path.read_text(encoding="utf-8")
)


@pytest.fixture(scope="module")
def rust() -> Binary:
    try:
        return rust_binary(DEFAULT_CODEX_VERSION)
    except OracleUnavailable as exc:
        pytest.skip(f"Rust codex {DEFAULT_CODEX_VERSION} unavailable (npm unreachable?): {exc}")


def test_the_agent_scenarios_are_there() -> None:
    assert len(AGENT_SCENARIOS) >= 8, AGENT_SCENARIOS
    assert "agents_limits" in AGENT_SCENARIOS and "agents_fork_depth" in AGENT_SCENARIOS


def test_pycodex_matches_rust_on_every_agent_scenario(rust: Binary) -> None:
    report = run_parity(
        DEFAULT_SCENARIOS,
        only=AGENT_SCENARIOS,
        expected=rust,
        actual=Binary("pycodex", default_pycodex_argv()),
    )
    assert {r.scenario for r in report.results} == set(AGENT_SCENARIOS)
    undeclared = {
        r.scenario: [(d.path, d.expected, d.actual) for d in r.differences if not d.allowed_by]
        or r.error
        for r in report.results
        if r.verdict not in (Verdict.MATCH, Verdict.ALLOWED)
    }
    assert not undeclared, json.dumps(undeclared, indent=1, default=str)[:4000]
