"""One trial: start the environment, let the agent work, run the task's tests, record it all."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path

from harness.agents.base import Agent, AgentInstallError, AgentResult
from harness.environments.base import Environment, EnvironmentFactory
from harness.errors import HarnessError
from harness.outcomes import FailureMode
from harness.parsers import ParseError, UnitTestStatus, get_parser
from harness.records import Stamp, utcnow
from harness.tasks.model import (
    CONTAINER_TEST_DIR,
    CONTAINER_VERIFIER_LOGS_DIR,
    Task,
    TaskFormat,
)
from harness.tb.results import TrialResult

REWARD_TXT = f"{CONTAINER_VERIFIER_LOGS_DIR}/reward.txt"
REWARD_JSON = f"{CONTAINER_VERIFIER_LOGS_DIR}/reward.json"


@dataclass(frozen=True)
class TestOutcome:
    failure_mode: FailureMode = FailureMode.NONE
    parser_results: dict[str, UnitTestStatus] | None = None
    reward: float | None = None
    is_resolved: bool = False
    message: str = ""


def _run_tb1_tests(task: Task, env: Environment, trial_dir: Path, timeout: float) -> TestOutcome:
    env.copy_in(task.tests_dir, CONTAINER_TEST_DIR)
    env.copy_in(task.test_script, f"{CONTAINER_TEST_DIR}/{task.test_script.name}")
    result = env.exec(
        f"bash {CONTAINER_TEST_DIR}/{task.test_script.name}",
        timeout_sec=timeout,
        env={"TEST_DIR": CONTAINER_TEST_DIR},
    )
    (trial_dir / "tests.txt").write_text(result.output, encoding="utf-8")
    if result.timed_out:
        return TestOutcome(FailureMode.TEST_TIMEOUT, message=f"tests exceeded {timeout:g}s")
    try:
        parsed = get_parser(task.parser_name)(result.output)
    except ParseError as exc:
        return TestOutcome(FailureMode.PARSE_ERROR, message=str(exc))
    resolved = all(status is UnitTestStatus.PASSED for status in parsed.values())
    return TestOutcome(parser_results=parsed, is_resolved=resolved)


def _read_reward(env: Environment) -> float:
    text = env.read_file(REWARD_TXT)
    if text is not None:
        return float(text.decode().strip())
    raw = env.read_file(REWARD_JSON)
    if raw is None:
        raise ParseError(f"the verifier wrote neither {REWARD_TXT} nor {REWARD_JSON}")
    data = json.loads(raw)
    if isinstance(data, (int, float)):
        return float(data)
    if isinstance(data, dict) and "reward" in data:
        return float(data["reward"])
    if isinstance(data, dict) and len(data) == 1:
        return float(next(iter(data.values())))
    raise ParseError(f"{REWARD_JSON} has no 'reward' value")


def _run_harbor_tests(task: Task, env: Environment, trial_dir: Path, timeout: float) -> TestOutcome:
    env.copy_in(task.tests_dir, CONTAINER_TEST_DIR)
    env.exec(f"mkdir -p {CONTAINER_VERIFIER_LOGS_DIR}", timeout_sec=60)
    result = env.exec(
        f"bash {CONTAINER_TEST_DIR}/test.sh", timeout_sec=timeout, env=dict(task.verifier_env)
    )
    (trial_dir / "tests.txt").write_text(result.output, encoding="utf-8")
    env.copy_out(CONTAINER_VERIFIER_LOGS_DIR, trial_dir / "verifier")
    if result.timed_out:
        return TestOutcome(FailureMode.TEST_TIMEOUT, message=f"verifier exceeded {timeout:g}s")
    try:
        reward = _read_reward(env)
    except (ParseError, ValueError) as exc:
        return TestOutcome(FailureMode.PARSE_ERROR, message=str(exc))
    return TestOutcome(reward=reward, is_resolved=reward >= 1.0)


@dataclass(frozen=True)
class TrialSpec:
    task: Task
    trial_name: str
    trial_dir: Path
    agent: Agent
    environment: EnvironmentFactory
    stamp: Stamp
    timeout_multiplier: float = 1.0


def run_trial(spec: TrialSpec) -> TrialResult:
    """Run one trial to completion; every expected failure ends up in ``failure_mode``."""
    task = spec.task
    spec.trial_dir.mkdir(parents=True, exist_ok=True)
    fields: dict[str, object] = {
        "id": str(uuid.uuid4()),
        "trial_name": spec.trial_name,
        "task_id": task.task_id,
        "instruction": task.instruction,
        "task_format": str(task.format),
        "agent": spec.agent.name,
        "environment": spec.environment.name,
        "stamp": spec.stamp,
        "trial_started_at": utcnow(),
        "is_resolved": False,
    }
    env = spec.environment.create(task, spec.trial_dir)
    try:
        fields.update(_run_phases(spec, env))
    finally:
        fields["environment_notes"] = list(getattr(env, "notes", []))
        try:
            env.stop()
        except HarnessError as exc:
            fields["message"] = f"{fields.get('message', '')} (cleanup failed: {exc})".strip()
    fields["trial_ended_at"] = utcnow()
    return TrialResult.model_validate(fields)


def _run_phases(spec: TrialSpec, env: Environment) -> dict[str, object]:
    task = spec.task
    logs = spec.trial_dir / "agent-logs"
    try:
        env.start()
    except (HarnessError, OSError) as exc:
        return {"failure_mode": FailureMode.ENVIRONMENT_ERROR, "message": str(exc)}
    try:
        spec.agent.setup(task, env, logs)
    except (AgentInstallError, OSError) as exc:
        return {"failure_mode": FailureMode.AGENT_INSTALLATION_FAILED, "message": str(exc)}
    out: dict[str, object] = {"agent_started_at": utcnow()}
    try:
        agent = spec.agent.perform(
            task, env, timeout_sec=task.agent_timeout_sec * spec.timeout_multiplier, logs_dir=logs
        )
    except (HarnessError, OSError) as exc:
        agent = AgentResult(FailureMode.UNKNOWN_AGENT_ERROR, message=str(exc))
    out["agent_ended_at"] = utcnow()
    if agent.tokens is not None:
        out.update(
            total_input_tokens=agent.tokens.input_tokens,
            total_output_tokens=agent.tokens.output_tokens,
            cached_input_tokens=agent.tokens.cached_input_tokens,
            reasoning_output_tokens=agent.tokens.reasoning_output_tokens,
        )
    out["cost_usd"] = agent.cost_usd
    out["test_started_at"] = utcnow()
    run_tests = _run_harbor_tests if task.format is TaskFormat.HARBOR else _run_tb1_tests
    try:
        tests = run_tests(
            task, env, spec.trial_dir, task.test_timeout_sec * spec.timeout_multiplier
        )
    except (HarnessError, OSError) as exc:
        tests = TestOutcome(FailureMode.UNKNOWN, message=f"running the tests failed: {exc}")
    out["test_ended_at"] = utcnow()
    out.update(
        parser_results=tests.parser_results, reward=tests.reward, is_resolved=tests.is_resolved
    )
    # An agent failure is the headline even when the tests still ran afterwards.
    mode = agent.failure_mode if agent.failure_mode is not FailureMode.NONE else tests.failure_mode
    out["failure_mode"] = mode
    agent_message = agent.message if agent.failure_mode is not FailureMode.NONE else ""
    out["message"] = "; ".join(m for m in (agent_message, tests.message) if m)
    return out
