"""The coding agents inside a task environment, talking to a scripted model server.

The Rust ``codex`` is copied into the local sandbox, runs ``exec`` against
:class:`MockResponsesServer` (a real HTTP server on 127.0.0.1), performs the scripted
shell command, and the task's own tests decide. Tokens come from its rollouts.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import TB1_TASKS
from pycodex.testing import MockResponsesServer, ScriptedResponse
from pycodex.testing.mock_responses import (
    ev_assistant_message,
    ev_completed_with_tokens,
    ev_function_call,
    ev_response_created,
)
from pycodex.testing.rust_oracle import OracleUnavailable, codex_binary

from harness.agents.codex_cli import CodexAgent, ModelSettings
from harness.environments import environment_factory
from harness.outcomes import FailureMode
from harness.records import TB_RESULTS_FORMAT, stamp
from harness.tasks import load_tasks
from harness.tb.runner import RunOptions, run_benchmark

pytestmark = [pytest.mark.usefixtures("need_bwrap"), pytest.mark.oracle]


@pytest.fixture(scope="module")
def rust_codex() -> Path:
    try:
        return codex_binary()
    except OracleUnavailable as exc:
        pytest.skip(f"Rust codex unavailable: {exc}")


def _script() -> list[ScriptedResponse]:
    command = json.dumps({"cmd": "echo 'Hello, world!' > /app/hello.txt"})
    return [
        ScriptedResponse.sse([
            ev_response_created("r1"),
            ev_function_call("c1", "exec_command", command),
            ev_completed_with_tokens("r1", 120, input_tokens=100, output_tokens=20, cached_input_tokens=40),
        ]),
        ScriptedResponse.sse([
            ev_response_created("r2"),
            ev_assistant_message("m1", "Created /app/hello.txt."),
            ev_completed_with_tokens("r2", 260, input_tokens=250, output_tokens=10, cached_input_tokens=100),
        ]),
    ]  # fmt: skip


def test_rust_codex_solves_a_task_in_the_sandbox(rust_codex: Path, tmp_path: Path) -> None:
    with MockResponsesServer(_script()) as server:
        settings = ModelSettings(model="gpt-5-codex", base_url=server.base_url, api_key="sk-test",
                                 prices_per_million={"input": 1.0, "cached_input": 0.5, "output": 10.0})  # fmt: skip
        results = run_benchmark(
            load_tasks(TB1_TASKS, ["hello-world"]),
            lambda: CodexAgent(settings),
            environment_factory("local"),
            RunOptions(run_id="codex", run_dir=tmp_path, progress=False),
            stamp(TB_RESULTS_FORMAT, {"agent": "codex"}),
        )
        requests = server.model_requests()
    trial = results.results[0]
    assert trial.failure_mode is FailureMode.NONE, trial.message
    assert trial.is_resolved
    assert len(requests) == 2
    assert "/app/hello.txt" in requests[0].message_input_texts("user")[-1]
    assert requests[1].function_call_output("c1") is not None
    # Totals are the last token_count of the rollout: the sum over both turns.
    assert trial.total_input_tokens == 350 and trial.total_output_tokens == 30
    assert trial.cached_input_tokens == 140
    assert trial.cost_usd == pytest.approx((210 * 1.0 + 140 * 0.5 + 30 * 10.0) / 1e6)


def test_rust_codex_timeout_is_agent_timeout(rust_codex: Path, tmp_path: Path) -> None:
    from helpers import copy_task

    slow = ScriptedResponse.sse([ev_response_created("r1"), ev_completed_with_tokens("r1", 1)])
    slow = ScriptedResponse(body=slow.body, delay_s=20)
    task = copy_task(TB1_TASKS / "hello-world", tmp_path / "tasks")
    spec = task / "task.yaml"
    spec.write_text(
        spec.read_text().replace("max_agent_timeout_sec: 60.0", "max_agent_timeout_sec: 3.0")
    )
    tasks = load_tasks(task)
    with MockResponsesServer([slow]) as server:
        settings = ModelSettings(base_url=server.base_url, api_key="sk-test")
        results = run_benchmark(
            tasks,
            lambda: CodexAgent(settings),
            environment_factory("local"),
            RunOptions(run_id="slow", run_dir=tmp_path / "run", progress=False),
            stamp(TB_RESULTS_FORMAT, {}),
        )
    trial = results.results[0]
    assert trial.failure_mode is FailureMode.AGENT_TIMEOUT and not trial.is_resolved
    assert trial.scored  # the verifier judged the untouched environment: a scored failure


def test_rust_codex_fixes_a_swe_instance_at_testbed(rust_codex: Path, tmp_path: Path) -> None:
    from swe_fixtures import SPECS, build_instances

    from harness.records import SWE_RESULTS_FORMAT
    from harness.swe.agents import make_swe_agent
    from harness.swe.instances import load_instances
    from harness.swe.runner import SweOptions, run_swe

    repos, dataset = build_instances(tmp_path / "data")
    command = json.dumps({"cmd": "pwd > /tmp/where && sed -i 's/a - b/a + b/' mathlib/add.py"})
    script = [
        ScriptedResponse.sse([
            ev_response_created("r1"),
            ev_function_call("c1", "exec_command", command),
            ev_completed_with_tokens("r1", 50, input_tokens=40, output_tokens=10),
        ]),
        ScriptedResponse.sse([
            ev_response_created("r2"),
            ev_assistant_message("m1", "Fixed add."),
            ev_completed_with_tokens("r2", 90, input_tokens=80, output_tokens=10),
        ]),
    ]  # fmt: skip
    with MockResponsesServer(script) as server:
        settings = ModelSettings(base_url=server.base_url, api_key="sk-test")
        summary = run_swe(
            load_instances(dataset, (SPECS[0].instance_id,)),
            make_swe_agent("codex", settings),
            SweOptions(
                run_dir=tmp_path / "run", model_name="codex", repos_dir=repos, progress=False
            ),
            stamp(SWE_RESULTS_FORMAT, {"agent": "codex"}),
        )
    result = summary.results[0]
    assert result.failure_mode is FailureMode.NONE, result.message
    assert result.resolved
    assert result.model_patch == load_instances(dataset)[0].patch
    assert result.total_input_tokens == 120 and result.total_output_tokens == 20
    assert (
        tmp_path / "run" / SPECS[0].instance_id / "agent-logs" / "sandbox" / "tmp" / "where"
    ).read_text() == "/testbed\n"
