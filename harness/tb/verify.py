"""The verifier phase: run a task's tests in a state the agent cannot have prepared.

Before the tests run the harness ends every process the agent left behind, removes
``/tests`` and ``/logs/verifier`` and recreates the verifier directory itself, so a
reward file or test helper that exists afterwards was written by *this* phase. A
verdict is trusted only when the verifier finished the way its format defines:

* TB1: ``run-tests.sh`` was not killed (no timeout, exit status below 128) and
  its ``pytest -rA`` summary parses; resolved when every listed test passed.
* Harbor: ``tests/test.sh`` exited and wrote ``reward.txt``/``reward.json``;
  resolved when it exited 0 with a reward of at least 1. A reward of 1 with a
  failing exit status is contradictory and counts as a verifier error.

A verifier that could not fetch what it needs (no network) is an infrastructure
error, not a failed task.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from harness.environments.base import Environment, ExecResult
from harness.outcomes import FailureMode
from harness.parsers import ParseError, UnitTestStatus, get_parser
from harness.tasks.model import CONTAINER_TEST_DIR, CONTAINER_VERIFIER_LOGS_DIR, Task, TaskFormat

REWARD_TXT = f"{CONTAINER_VERIFIER_LOGS_DIR}/reward.txt"
REWARD_JSON = f"{CONTAINER_VERIFIER_LOGS_DIR}/reward.json"
SIGNAL_EXIT = 128

#: Output that shows the verifier failed to reach the network, not that the agent failed.
NETWORK_FAILURE = re.compile(
    r"Could not resolve host|Temporary failure in name resolution|Name or service not known"
    r"|Network is unreachable|Failed to establish a new connection|curl: \((6|7)\)"
    r"|failed to lookup address information|dns error|No route to host",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class TestOutcome:
    failure_mode: FailureMode = FailureMode.NONE
    parser_results: dict[str, UnitTestStatus] | None = None
    reward: float | None = None
    is_resolved: bool = False
    scored: bool = False
    exit_code: int | None = None
    message: str = ""


def prepare(env: Environment, timeout: float = 120) -> str | None:
    """Clear what the verifier reads and writes; the reason when that failed."""
    env.end_processes()
    reset = env.exec(
        f"rm -rf {CONTAINER_TEST_DIR} {CONTAINER_VERIFIER_LOGS_DIR} && "
        f"mkdir -p {CONTAINER_VERIFIER_LOGS_DIR} && chmod 0777 {CONTAINER_VERIFIER_LOGS_DIR}",
        timeout_sec=timeout,
        user="root",
    )
    if reset.exit_code != 0:
        return f"cannot reset the verifier's directories: {reset.output.strip()[-500:]}"
    return None


def _network_failure(output: str) -> str | None:
    match = NETWORK_FAILURE.search(output)
    return match.group(0) if match else None


def _infra(result: ExecResult, what: str) -> TestOutcome | None:
    signature = _network_failure(result.output)
    if signature is None:
        return None
    return TestOutcome(
        FailureMode.INFRA_ERROR,
        exit_code=result.exit_code,
        message=f"{what}: the verifier could not reach the network ({signature!r}); "
        "provide the download offline or run with network",
    )


def _killed(result: ExecResult, timeout: float) -> TestOutcome | None:
    if result.timed_out:
        return TestOutcome(
            FailureMode.TEST_TIMEOUT, exit_code=None, message=f"tests exceeded {timeout:g}s"
        )
    if result.exit_code >= SIGNAL_EXIT:
        return TestOutcome(
            FailureMode.VERIFIER_ERROR,
            exit_code=result.exit_code,
            message=f"the verifier was killed (exit {result.exit_code}) before it finished",
        )
    return None


def run_tb1(task: Task, env: Environment, trial_dir: Path, timeout: float) -> TestOutcome:
    env.copy_in(task.tests_dir, CONTAINER_TEST_DIR)
    env.copy_in(task.test_script, f"{CONTAINER_TEST_DIR}/{task.test_script.name}")
    result = env.exec(
        f"bash {CONTAINER_TEST_DIR}/{task.test_script.name}",
        timeout_sec=timeout,
        env={"TEST_DIR": CONTAINER_TEST_DIR},
    )
    (trial_dir / "tests.txt").write_text(result.output, encoding="utf-8")
    killed = _killed(result, timeout)
    if killed is not None:
        return killed
    try:
        parsed = get_parser(task.parser_name)(result.output)
    except ParseError as exc:
        infra = _infra(result, "no test results")
        return infra or TestOutcome(
            FailureMode.PARSE_ERROR, exit_code=result.exit_code, message=str(exc)
        )
    resolved = all(status is UnitTestStatus.PASSED for status in parsed.values())
    if not resolved and (infra := _infra(result, "tests failed")) is not None:
        return infra
    return TestOutcome(
        parser_results=parsed, is_resolved=resolved, scored=True, exit_code=result.exit_code
    )


def _read_reward(env: Environment) -> float | None:
    """The reward this phase wrote; ``None`` when it wrote none, ``ValueError`` when unreadable."""
    text = env.read_file(REWARD_TXT)
    if text is not None:
        return float(text.decode().strip())
    raw = env.read_file(REWARD_JSON)
    if raw is None:
        return None
    data = json.loads(raw)
    if isinstance(data, (int, float)):
        return float(data)
    if isinstance(data, dict) and "reward" in data:
        return float(data["reward"])
    if isinstance(data, dict) and len(data) == 1:
        return float(next(iter(data.values())))
    raise ValueError(f"{REWARD_JSON} has no 'reward' value")


def run_harbor(task: Task, env: Environment, trial_dir: Path, timeout: float) -> TestOutcome:
    env.copy_in(task.tests_dir, CONTAINER_TEST_DIR)
    result = env.exec(
        f"bash {CONTAINER_TEST_DIR}/test.sh", timeout_sec=timeout, env=dict(task.verifier_env)
    )
    (trial_dir / "tests.txt").write_text(result.output, encoding="utf-8")
    env.copy_out(CONTAINER_VERIFIER_LOGS_DIR, trial_dir / "verifier")
    killed = _killed(result, timeout)
    if killed is not None:
        return killed
    try:
        reward = _read_reward(env)
    except (ValueError, json.JSONDecodeError) as exc:
        return TestOutcome(
            FailureMode.VERIFIER_ERROR, exit_code=result.exit_code, message=f"bad reward: {exc}"
        )
    if reward is None:
        infra = _infra(result, "no reward")
        return infra or TestOutcome(
            FailureMode.VERIFIER_ERROR,
            exit_code=result.exit_code,
            message=f"the verifier exited {result.exit_code} without writing {REWARD_TXT} "
            f"or {REWARD_JSON}",
        )
    if reward < 1.0 and (infra := _infra(result, f"reward {reward:g}")) is not None:
        return infra
    if result.exit_code != 0 and reward >= 1.0:
        return TestOutcome(
            FailureMode.VERIFIER_ERROR,
            reward=reward,
            exit_code=result.exit_code,
            message=f"the verifier wrote reward {reward:g} but exited {result.exit_code}",
        )
    return TestOutcome(
        reward=reward,
        is_resolved=reward >= 1.0 and result.exit_code == 0,
        scored=True,
        exit_code=result.exit_code,
    )


def run_verifier(task: Task, env: Environment, trial_dir: Path, timeout: float) -> TestOutcome:
    """Prepare the verifier's directories, run the task's tests, judge what they left."""
    problem = prepare(env)
    if problem is not None:
        return TestOutcome(FailureMode.VERIFIER_ERROR, message=problem)
    run = run_harbor if task.format is TaskFormat.HARBOR else run_tb1
    return run(task, env, trial_dir, timeout)
