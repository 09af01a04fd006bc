"""The two coding agents under comparison: ``codex`` (the Rust binary) and ``pycodex`` (the port).

Both run ``exec`` non-interactively with approvals and the inner sandbox off (the
task environment is the sandbox), against a model provider configured through a
``config.toml`` in a private ``CODEX_HOME`` inside the environment. Their rollouts
are copied out afterwards and give the token counts.
"""

from __future__ import annotations

import abc
import hashlib
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from harness.agents.base import AgentInstallError, AgentResult
from harness.agents.rollouts import sessions_usage
from harness.environments.base import Environment
from harness.errors import HarnessError
from harness.outcomes import FailureMode
from harness.tasks.model import Task

AGENT_ROOT = "/installed-agent"
CODEX_HOME = f"{AGENT_ROOT}/home"
PORT_DIR = Path(__file__).resolve().parents[2] / "port"


@dataclass(frozen=True)
class ModelSettings:
    """Which model and endpoint the agent talks to, and how to price its tokens."""

    model: str = "gpt-5-codex"
    base_url: str | None = None
    wire_api: str = "responses"
    api_key_env: str = "OPENAI_API_KEY"
    api_key: str | None = None
    prices_per_million: dict[str, float] = field(default_factory=dict)

    def config_toml(self) -> str:
        lines = [f"model = {_toml_str(self.model)}"]
        if self.base_url:
            lines.append('model_provider = "ferry"')
            lines += [
                "",
                "[model_providers.ferry]",
                'name = "ferry"',
                f"base_url = {_toml_str(self.base_url)}",
                f"env_key = {_toml_str(self.api_key_env)}",
                f"wire_api = {_toml_str(self.wire_api)}",
            ]
        return "\n".join(lines) + "\n"


def _toml_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


class _CodexLikeAgent(abc.ABC):
    name = "codex-like"
    executable = ""

    def __init__(self, settings: ModelSettings | None = None) -> None:
        self.settings = settings or ModelSettings()

    @abc.abstractmethod
    def _install(self, task: Task, env: Environment, logs_dir: Path) -> None:
        """Put the agent's executable at ``self.executable`` inside ``env``."""

    def setup(self, task: Task, env: Environment, logs_dir: Path) -> None:
        home = logs_dir / "codex-home"
        home.mkdir(parents=True, exist_ok=True)
        (home / "config.toml").write_text(self.settings.config_toml(), encoding="utf-8")
        env.copy_in(home, CODEX_HOME)
        self._install(task, env, logs_dir)

    def perform(
        self, task: Task, env: Environment, *, timeout_sec: float, logs_dir: Path
    ) -> AgentResult:
        command = (
            f"{self.executable} exec --skip-git-repo-check --dangerously-bypass-approvals-and-sandbox "
            f"--color never -m {shlex.quote(self.settings.model)} -- {shlex.quote(task.instruction)}"
        )
        run_env = {"CODEX_HOME": CODEX_HOME}
        if self.settings.api_key is not None:
            run_env[self.settings.api_key_env] = self.settings.api_key
        result = env.exec(command, timeout_sec=timeout_sec, env=run_env)
        logs_dir.mkdir(parents=True, exist_ok=True)
        (logs_dir / f"{self.name}.txt").write_text(result.output, encoding="utf-8")
        home = logs_dir / "codex-home"
        env.copy_out(f"{CODEX_HOME}/sessions", home / "sessions")
        tokens = sessions_usage(home)
        cost = tokens.cost_usd(self.settings.prices_per_million) if tokens else None
        if result.timed_out:
            return AgentResult(FailureMode.AGENT_TIMEOUT, tokens=tokens, cost_usd=cost)
        mode = FailureMode.NONE if result.exit_code == 0 else FailureMode.UNKNOWN_AGENT_ERROR
        return AgentResult(
            mode,
            exit_code=result.exit_code,
            tokens=tokens,
            cost_usd=cost,
            message=result.output[-500:],
        )


def native_codex_binary() -> Path:
    """The static Rust binary inside the npm package (the ``codex`` launcher needs node)."""
    from pycodex.testing.rust_oracle import OracleUnavailable, codex_binary

    try:
        launcher = codex_binary()
    except OracleUnavailable as exc:
        raise AgentInstallError(str(exc)) from exc
    scope = launcher.parent.parent / "@openai"
    native = sorted(scope.glob("codex-*/vendor/*/bin/codex"))
    if not native:
        raise AgentInstallError(f"no native codex binary under {scope}")
    return native[0]


class CodexAgent(_CodexLikeAgent):
    """The Rust ``codex`` (musl static binary from the npm package) copied into the environment."""

    name = "codex"
    executable = f"{AGENT_ROOT}/codex/bin/codex"

    def _install(self, task: Task, env: Environment, logs_dir: Path) -> None:
        env.copy_in(native_codex_binary(), self.executable)
        check = env.exec(f"{self.executable} --version", timeout_sec=60)
        if check.exit_code != 0:
            raise AgentInstallError(
                f"codex --version failed in the environment: {check.output[-500:]}"
            )


def port_fingerprint(port: Path = PORT_DIR) -> str:
    """Changes whenever a file of the port's distribution changes (names the wheelhouse)."""
    digest = hashlib.sha256()
    files = [port / "pyproject.toml", *sorted((port / "pycodex").rglob("*"))]
    for path in files:
        if path.is_file() and "__pycache__" not in path.parts:
            stat = path.stat()
            digest.update(f"{path.relative_to(port)}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def build_wheelhouse(cache: Path) -> Path:
    """Wheels of pycodex (built from ``port/``) and its dependencies, once per port state.

    Built with pip's normal build isolation and package index (the machine's configured
    mirrors or wheel cache), so the port's pinned build backend is honoured.
    """
    dest = cache / port_fingerprint()
    marker = dest / ".complete"
    if marker.exists():
        return dest
    dest.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--wheel-dir", str(dest), str(PORT_DIR)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    if proc.returncode != 0:
        raise AgentInstallError(f"building pycodex wheels failed: {proc.stderr.strip()[-800:]}")
    marker.touch()
    return dest


class PycodexAgent(_CodexLikeAgent):
    """pycodex installed from wheels into its own venv, never into the task's Python."""

    name = "pycodex"
    executable = f"{AGENT_ROOT}/venv/bin/pycodex"

    def __init__(
        self, settings: ModelSettings | None = None, *, wheelhouse: Path | None = None
    ) -> None:
        super().__init__(settings)
        from pycodex.testing.rust_oracle import cache_root

        self.wheelhouse = wheelhouse or cache_root() / "wheelhouse"

    def _install(self, task: Task, env: Environment, logs_dir: Path) -> None:
        try:
            wheels = build_wheelhouse(self.wheelhouse)
        except (HarnessError, OSError, subprocess.SubprocessError) as exc:
            raise AgentInstallError(f"cannot build pycodex wheels: {exc}") from exc
        env.copy_in(wheels, f"{AGENT_ROOT}/wheels")
        install = env.exec(
            f"python3 -m venv {AGENT_ROOT}/venv && {AGENT_ROOT}/venv/bin/python -m pip install --quiet "
            f"--no-index --find-links {AGENT_ROOT}/wheels pycodex && {self.executable} --version",
            timeout_sec=600,
        )
        (logs_dir / "install.txt").write_text(install.output, encoding="utf-8")
        if install.exit_code != 0:
            raise AgentInstallError(
                f"pycodex install failed (exit {install.exit_code}): {install.output[-800:]}"
            )
