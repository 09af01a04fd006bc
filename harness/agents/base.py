"""The ``Agent`` seam: something that works on a task inside an ``Environment``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from harness.agents.rollouts import TokenUsage
from harness.environments.base import Environment
from harness.errors import HarnessError
from harness.outcomes import FailureMode
from harness.tasks.model import Task


class AgentInstallError(HarnessError):
    """The agent could not be installed in the environment (``agent_installation_failed``)."""


@dataclass(frozen=True)
class AgentResult:
    failure_mode: FailureMode = FailureMode.NONE
    exit_code: int | None = None
    tokens: TokenUsage | None = None
    cost_usd: float | None = None
    message: str = ""


class Agent(Protocol):
    name: str

    def setup(self, task: Task, env: Environment, logs_dir: Path) -> None:
        """Install whatever the agent needs; raise :class:`AgentInstallError` on failure."""

    def perform(
        self, task: Task, env: Environment, *, timeout_sec: float, logs_dir: Path
    ) -> AgentResult:
        """Work on ``task.instruction``; a timeout is a result, not an exception."""
        ...
