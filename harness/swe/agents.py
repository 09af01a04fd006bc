"""Agents for SWE runs: they edit a checkout in place; the harness takes ``git diff`` afterwards."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Protocol

from harness.agents.base import AgentInstallError, AgentResult
from harness.agents.codex_cli import ModelSettings, native_codex_binary
from harness.agents.rollouts import sessions_usage
from harness.errors import ConfigError
from harness.outcomes import FailureMode
from harness.swe.git import GitError, apply_patch
from harness.swe.instances import SweInstance

SWE_AGENTS = ("oracle", "nop", "codex", "pycodex")
#: Where the checkout is mounted for an agent, as in SWE-bench's images.
TESTBED = "/testbed"
CODEX_HOME_DIR = "/codex-home"


class SweAgent(Protocol):
    name: str

    def solve(
        self, instance: SweInstance, checkout: Path, logs_dir: Path, timeout_sec: float
    ) -> AgentResult: ...


class SweOracle:
    """Applies the instance's gold ``patch``."""

    name = "oracle"

    def solve(
        self, instance: SweInstance, checkout: Path, logs_dir: Path, timeout_sec: float
    ) -> AgentResult:
        try:
            apply_patch(checkout, instance.patch)
        except GitError as exc:
            return AgentResult(FailureMode.UNKNOWN_AGENT_ERROR, message=str(exc))
        return AgentResult(FailureMode.NONE, exit_code=0)


class SweNop:
    name = "nop"

    def solve(
        self, instance: SweInstance, checkout: Path, logs_dir: Path, timeout_sec: float
    ) -> AgentResult:
        return AgentResult(FailureMode.NONE, exit_code=0)


class SweCodexCli:
    """``codex exec`` / ``pycodex exec`` in a bubblewrap sandbox with the checkout at ``/testbed``.

    The agent's own sandbox is bypassed, so the harness provides one: read-only host
    system, writable checkout, private ``CODEX_HOME``, capabilities dropped.
    """

    def __init__(self, name: str, executable: Path, settings: ModelSettings) -> None:
        self.name = name
        self.executable = executable
        self.settings = settings

    def solve(
        self, instance: SweInstance, checkout: Path, logs_dir: Path, timeout_sec: float
    ) -> AgentResult:
        from harness.environments.local import sandbox_argv, sandbox_env

        home = logs_dir / "codex-home"
        home.mkdir(parents=True, exist_ok=True)
        (home / "config.toml").write_text(self.settings.config_toml(), encoding="utf-8")
        scratch = {name: logs_dir / "sandbox" / name for name in ("tmp", "root")}
        for path in scratch.values():
            path.mkdir(parents=True, exist_ok=True)
        binds = [
            (checkout, TESTBED),
            (home, CODEX_HOME_DIR),
            *((p, f"/{n}") for n, p in scratch.items()),
        ]
        agent_bin = f"/installed-agent/{self.name}"
        argv = [
            *sandbox_argv(binds, TESTBED, ro_binds=[(self.executable, agent_bin)]),
            agent_bin, "exec", "--skip-git-repo-check", "--dangerously-bypass-approvals-and-sandbox",
            "--color", "never", "-m", self.settings.model, "--", instance.problem_statement,
        ]  # fmt: skip
        extra = {"CODEX_HOME": CODEX_HOME_DIR}
        if self.settings.api_key is not None:
            extra[self.settings.api_key_env] = self.settings.api_key
        try:
            proc = subprocess.run(
                argv, env=sandbox_env(extra), capture_output=True, text=True, timeout=timeout_sec
            )
        except subprocess.TimeoutExpired:
            return AgentResult(FailureMode.AGENT_TIMEOUT, tokens=sessions_usage(home))
        (logs_dir / f"{self.name}.txt").write_text(proc.stdout + proc.stderr, encoding="utf-8")
        tokens = sessions_usage(home)
        cost = tokens.cost_usd(self.settings.prices_per_million) if tokens else None
        mode = FailureMode.NONE if proc.returncode == 0 else FailureMode.UNKNOWN_AGENT_ERROR
        message = "" if proc.returncode == 0 else (proc.stdout + proc.stderr)[-500:]
        return AgentResult(
            mode, exit_code=proc.returncode, tokens=tokens, cost_usd=cost, message=message
        )


def make_swe_agent(name: str, settings: ModelSettings | None = None) -> SweAgent:
    settings = settings or ModelSettings()
    if name == "oracle":
        return SweOracle()
    if name == "nop":
        return SweNop()
    if name == "codex":
        try:
            return SweCodexCli("codex", native_codex_binary(), settings)
        except AgentInstallError as exc:
            raise ConfigError(f"the codex agent is unavailable: {exc}") from exc
    if name == "pycodex":
        return SweCodexCli("pycodex", Path(sys.prefix) / "bin" / "pycodex", settings)
    raise ConfigError(f"unknown SWE agent '{name}' (choose one of: {', '.join(SWE_AGENTS)})")
