"""The two coding agents under comparison: ``codex`` (the Rust binary) and ``pycodex`` (the port).

Both are run the way Harbor's codex adapter runs codex, so a trajectory parser
written for Harbor reads our logs unchanged:

* ``CODEX_HOME=/tmp/codex-home`` with ``config.toml`` (the model provider) and
  ``auth.json`` a symlink to ``/tmp/codex-secrets/auth.json`` holding the key;
* ``<agent> exec --dangerously-bypass-approvals-and-sandbox --skip-git-repo-check
  --model M --json --enable unified_exec [-c key=value ...] -- PROMPT``, its output
  tee'd to ``/logs/agent/codex.txt``;
* afterwards ``$CODEX_HOME/sessions`` is copied to ``/logs/agent/sessions`` (token
  counts come from the session rollout) and the secrets and ``CODEX_HOME`` removed.

The API key is read from the harness's environment and handed to the environment
only as a process variable of the commands that need it; the ``auth.json`` is
written inside the environment from that variable. It never touches the host's
disk, the results or the logs.

Neither install needs a Python in the task image or root: the Rust binary is a
static musl build, and pycodex is shipped as a self-contained PyInstaller bundle
(its own interpreter and libraries) under ``/installed-agent``, so the task's own
Python is never touched.
"""

from __future__ import annotations

import abc
import hashlib
import shlex
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from harness.agents.base import AgentInstallError, AgentResult
from harness.agents.rollouts import sessions_usage
from harness.environments.base import Environment
from harness.errors import HarnessError
from harness.outcomes import FailureMode
from harness.tasks.model import CONTAINER_AGENT_LOGS_DIR, Task

AGENT_ROOT = "/installed-agent"
REMOTE_CODEX_HOME = "/tmp/codex-home"
REMOTE_SECRETS_DIR = "/tmp/codex-secrets"
OUTPUT_FILE = "codex.txt"
PORT_DIR = Path(__file__).resolve().parents[2] / "port"


@dataclass(frozen=True)
class ModelSettings:
    """Which model and endpoint the agent talks to, and how to price its tokens.

    ``api_key`` is never stored in a record: :meth:`public` is what results carry.
    """

    model: str = "gpt-5-codex"
    base_url: str | None = None
    wire_api: str = "responses"
    api_key_env: str = "OPENAI_API_KEY"
    api_key: str | None = field(default=None, repr=False)
    prices_per_million: dict[str, float] = field(default_factory=dict)
    #: Extra ``-c key=value`` overrides passed to ``exec`` (as Harbor's CLI flags are).
    config_overrides: tuple[str, ...] = ()

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

    def public(self) -> dict[str, object]:
        """The settings as recorded in results and fingerprints (no key)."""
        return {
            "model": self.model,
            "base_url": self.base_url,
            "wire_api": self.wire_api,
            "api_key_env": self.api_key_env,
            "config_overrides": list(self.config_overrides),
        }

    def exec_argv(self, executable: str, instruction: str) -> list[str]:
        """``exec`` exactly as Harbor's codex adapter invokes it."""
        argv = [
            executable, "exec", "--dangerously-bypass-approvals-and-sandbox",
            "--skip-git-repo-check", "--model", self.model.split("/")[-1], "--json",
            "--enable", "unified_exec",
        ]  # fmt: skip
        for override in self.config_overrides:
            argv += ["-c", override]
        return [*argv, "--", instruction]


def _toml_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


class _CodexLikeAgent(abc.ABC):
    name = "codex-like"
    executable = ""
    #: The agent talks to a model endpoint, even in a task without internet.
    needs_network = True

    def __init__(self, settings: ModelSettings | None = None) -> None:
        self.settings = settings or ModelSettings()

    @abc.abstractmethod
    def _install(self, task: Task, env: Environment, logs_dir: Path) -> None:
        """Put the agent's executable at ``self.executable`` inside ``env``."""

    def setup(self, task: Task, env: Environment, logs_dir: Path) -> None:
        with tempfile.TemporaryDirectory(prefix="ferry-codex-home-") as tmp:
            config = Path(tmp) / "config.toml"
            config.write_text(self.settings.config_toml(), encoding="utf-8")
            env.copy_in(config, f"{REMOTE_CODEX_HOME}/config.toml")
        self._install(task, env, logs_dir)

    def _run_env(self) -> dict[str, str]:
        run_env = {"CODEX_HOME": REMOTE_CODEX_HOME}
        if self.settings.api_key is not None:
            run_env[self.settings.api_key_env] = self.settings.api_key
            run_env["OPENAI_API_KEY"] = self.settings.api_key
        return run_env

    def perform(
        self, task: Task, env: Environment, *, timeout_sec: float, logs_dir: Path
    ) -> AgentResult:
        run_env = self._run_env()
        # auth.json is written inside the environment from the variable, as Harbor does.
        auth = (
            f"mkdir -p {REMOTE_SECRETS_DIR} {CONTAINER_AGENT_LOGS_DIR} && "
            f'printf \'{{\\n  "OPENAI_API_KEY": "%s"\\n}}\\n\' "${{OPENAI_API_KEY:-}}" '
            f"> {REMOTE_SECRETS_DIR}/auth.json && chmod 600 {REMOTE_SECRETS_DIR}/auth.json && "
            f'ln -sf {REMOTE_SECRETS_DIR}/auth.json "$CODEX_HOME/auth.json"'
        )
        prepared = env.exec(auth, timeout_sec=60, env=run_env)
        if prepared.exit_code != 0:
            return AgentResult(
                FailureMode.UNKNOWN_AGENT_ERROR,
                message=f"cannot prepare CODEX_HOME: {prepared.output[-300:]}",
            )
        command = (
            "set -o pipefail; "
            + shlex.join(self.settings.exec_argv(self.executable, task.instruction))
            + f" 2>&1 </dev/null | tee {CONTAINER_AGENT_LOGS_DIR}/{OUTPUT_FILE}"
        )
        try:
            result = env.exec(command, timeout_sec=timeout_sec, env=run_env, network=True)
        finally:
            env.exec(
                f"mkdir -p {CONTAINER_AGENT_LOGS_DIR}; "
                f'if [ -d "$CODEX_HOME/sessions" ]; then rm -rf {CONTAINER_AGENT_LOGS_DIR}/sessions; '
                f'cp -R "$CODEX_HOME/sessions" {CONTAINER_AGENT_LOGS_DIR}/sessions; fi; '
                f'rm -rf {REMOTE_SECRETS_DIR} "$CODEX_HOME"',
                timeout_sec=120,
                env={"CODEX_HOME": REMOTE_CODEX_HOME},
            )
            env.copy_out(CONTAINER_AGENT_LOGS_DIR, logs_dir)
        tokens = sessions_usage(logs_dir)
        cost = tokens.cost_usd(self.settings.prices_per_million) if tokens else None
        if result.timed_out:
            return AgentResult(FailureMode.AGENT_TIMEOUT, tokens=tokens, cost_usd=cost)
        mode = FailureMode.NONE if result.exit_code == 0 else FailureMode.UNKNOWN_AGENT_ERROR
        return AgentResult(
            mode,
            exit_code=result.exit_code,
            tokens=tokens,
            cost_usd=cost,
            message="" if result.exit_code == 0 else result.output[-500:],
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
    executable = f"{AGENT_ROOT}/codex/codex"

    def _install(self, task: Task, env: Environment, logs_dir: Path) -> None:
        env.copy_in(native_codex_binary(), self.executable)
        check = env.exec(f"{self.executable} --version", timeout_sec=60)
        if check.exit_code != 0:
            raise AgentInstallError(
                f"codex --version failed in the environment: {check.output[-500:]}"
            )


def port_fingerprint(port: Path = PORT_DIR) -> str:
    """Changes whenever a file of the port's distribution changes (names the build)."""
    digest = hashlib.sha256()
    files = [port / "pyproject.toml", *sorted((port / "pycodex").rglob("*"))]
    for path in files:
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(f"{path.relative_to(port)}:".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


_ENTRY = "from pycodex._entry import main\nmain()\n"


def build_standalone(cache: Path) -> Path:
    """A self-contained pycodex (PyInstaller one-folder bundle), built once per port state.

    The bundle carries its own interpreter and libraries, so it runs in task images
    without Python and never sees the task's packages. It needs a glibc at least as
    new as the build host's.
    """
    dest = cache / port_fingerprint()
    bundle = dest / "dist" / "pycodex"
    marker = dest / ".complete"
    if marker.exists():
        return bundle
    dest.mkdir(parents=True, exist_ok=True)
    entry = dest / "pycodex_main.py"
    entry.write_text(_ENTRY, encoding="utf-8")
    argv = [sys.executable, "-m", "PyInstaller", "--onedir", "--name", "pycodex", "--noconfirm",
            "--log-level", "WARN", "--paths", str(PORT_DIR), "--collect-submodules", "pycodex",
            "--collect-data", "pycodex", "--distpath", str(dest / "dist"),
            "--workpath", str(dest / "work"), "--specpath", str(dest / "work"), str(entry)]  # fmt: skip
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=1800)
    if proc.returncode != 0 or not (bundle / "pycodex").is_file():
        raise AgentInstallError(f"building the pycodex bundle failed: {proc.stderr[-800:]}")
    marker.touch()
    return bundle


def default_dist_cache() -> Path:
    from pycodex.testing.rust_oracle import cache_root

    return cache_root() / "pycodex-standalone"


class PycodexAgent(_CodexLikeAgent):
    """pycodex as a self-contained bundle under ``/installed-agent/pycodex``."""

    name = "pycodex"
    executable = f"{AGENT_ROOT}/pycodex/pycodex"

    def __init__(
        self, settings: ModelSettings | None = None, *, dist_cache: Path | None = None
    ) -> None:
        super().__init__(settings)
        self.dist_cache = dist_cache or default_dist_cache()

    def _install(self, task: Task, env: Environment, logs_dir: Path) -> None:
        try:
            bundle = build_standalone(self.dist_cache)
        except (HarnessError, OSError, subprocess.SubprocessError) as exc:
            raise AgentInstallError(f"cannot build the pycodex bundle: {exc}") from exc
        env.copy_in(bundle, f"{AGENT_ROOT}/pycodex")
        check = env.exec(f"{self.executable} --version", timeout_sec=120)
        logs_dir.mkdir(parents=True, exist_ok=True)
        (logs_dir / "install.txt").write_text(check.output, encoding="utf-8")
        if check.exit_code != 0:
            raise AgentInstallError(
                f"pycodex install failed (exit {check.exit_code}): {check.output[-800:]}"
            )
