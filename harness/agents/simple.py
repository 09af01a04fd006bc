"""The reference agents: ``oracle`` runs the task's own solution, ``nop`` does nothing."""

from __future__ import annotations

from pathlib import Path

from harness.agents.base import AgentResult
from harness.environments.base import Environment
from harness.outcomes import FailureMode
from harness.tasks.model import CONTAINER_ORACLE_DIR, CONTAINER_SOLUTION_DIR, Task, TaskFormat
from harness.tasks.tb1 import solution_script


class OracleAgent:
    """TB1: ``bash /oracle/solution.sh``; Harbor: ``bash /solution/solve.sh`` (whole dir uploaded)."""

    name = "oracle"
    needs_network = False

    def setup(self, task: Task, env: Environment, logs_dir: Path) -> None:
        return None

    def perform(
        self, task: Task, env: Environment, *, timeout_sec: float, logs_dir: Path
    ) -> AgentResult:
        if task.solution is None:
            return AgentResult(
                FailureMode.UNKNOWN_AGENT_ERROR, message=f"{task.path} has no solution script"
            )
        if task.format is TaskFormat.HARBOR:
            env.copy_in(task.solution.parent, CONTAINER_SOLUTION_DIR)
            script = f"{CONTAINER_SOLUTION_DIR}/{task.solution.name}"
        else:
            source = task.solution
            if source.suffix == ".yaml":
                logs_dir.mkdir(parents=True, exist_ok=True)
                source = logs_dir / "solution.sh"
                source.write_text(solution_script(task.solution), encoding="utf-8")
            env.copy_in(source, f"{CONTAINER_ORACLE_DIR}/solution.sh")
            script = f"{CONTAINER_ORACLE_DIR}/solution.sh"
        result = env.exec(f"bash {script}", timeout_sec=timeout_sec)
        logs_dir.mkdir(parents=True, exist_ok=True)
        (logs_dir / "oracle.txt").write_text(result.output, encoding="utf-8")
        if result.timed_out:
            return AgentResult(
                FailureMode.AGENT_TIMEOUT, exit_code=None, message="solution timed out"
            )
        return AgentResult(FailureMode.NONE, exit_code=result.exit_code)


class NopAgent:
    """Does nothing: the baseline that shows which tasks pass without any work."""

    name = "nop"

    def setup(self, task: Task, env: Environment, logs_dir: Path) -> None:
        return None

    def perform(
        self, task: Task, env: Environment, *, timeout_sec: float, logs_dir: Path
    ) -> AgentResult:
        return AgentResult(FailureMode.NONE, exit_code=0)
