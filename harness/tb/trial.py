"""One trial: start the environment, let the agent work, run the task's tests, record it all."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from harness.agents.base import Agent, AgentInstallError, AgentResult
from harness.environments.base import Environment, EnvironmentFactory
from harness.errors import HarnessError
from harness.outcomes import AGENT_SIDE, FailureMode, error_category
from harness.records import Stamp, utcnow
from harness.tasks.model import Task
from harness.tb.results import TrialResult
from harness.tb.verify import TestOutcome, run_verifier


@dataclass(frozen=True)
class TrialSpec:
    task: Task
    trial_name: str
    trial_dir: Path
    agent: Agent
    environment: EnvironmentFactory
    stamp: Stamp
    timeout_multiplier: float = 1.0
    attempt: int = 1
    #: Called with the environment once it exists and with ``None`` when it is gone,
    #: so a stopping run can tear down what is still running.
    track: Callable[[Environment | None], None] | None = None

    def for_remote(self) -> TrialSpec:
        """This spec without the in-process tracking hook (for another process)."""
        return dataclasses.replace(self, track=None)


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
        "attempt": spec.attempt,
        "trial_started_at": utcnow(),
        "is_resolved": False,
    }
    env = spec.environment.create(task, spec.trial_dir)
    if hasattr(env, "agent_network"):
        env.agent_network = bool(getattr(spec.agent, "needs_network", False))
    if spec.track is not None:
        spec.track(env)
    try:
        fields.update(_run_phases(spec, env))
    except (HarnessError, OSError) as exc:
        fields.update(failure_mode=FailureMode.INFRA_ERROR, message=f"the harness failed: {exc}")
    finally:
        fields["environment_notes"] = list(getattr(env, "notes", []))
        try:
            env.stop()
        except (HarnessError, OSError) as exc:
            fields["message"] = f"{fields.get('message', '')} (cleanup failed: {exc})".strip()
        if spec.track is not None:
            spec.track(None)
    mode = FailureMode(str(fields.get("failure_mode", FailureMode.UNSET)))
    category = error_category(mode)
    fields["error_category"] = category
    fields["scored"] = bool(fields.get("scored")) and mode in AGENT_SIDE
    if not fields["scored"]:
        fields["is_resolved"] = False
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
    try:
        tests = run_verifier(
            task, env, spec.trial_dir, task.test_timeout_sec * spec.timeout_multiplier
        )
    except (HarnessError, OSError) as exc:
        tests = TestOutcome(FailureMode.INFRA_ERROR, message=f"running the tests failed: {exc}")
    out["test_ended_at"] = utcnow()
    out.update(
        parser_results=tests.parser_results,
        reward=tests.reward,
        is_resolved=tests.is_resolved,
        scored=tests.scored,
        verifier_exit_code=tests.exit_code,
    )
    # A verifier that gave no verdict is the headline (the trial is not scored);
    # otherwise an agent failure is, even when the tests still ran afterwards.
    if tests.failure_mode is not FailureMode.NONE or agent.failure_mode is FailureMode.NONE:
        mode = tests.failure_mode
    else:
        mode = agent.failure_mode
    out["failure_mode"] = mode
    agent_message = agent.message if agent.failure_mode is not FailureMode.NONE else ""
    out["message"] = "; ".join(m for m in (agent_message, tests.message) if m)
    return out
