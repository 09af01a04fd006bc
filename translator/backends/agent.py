"""The ``agent`` backend: a coding agent CLI translates in the sync worktree itself.

For a unit (or, with ``scope = "commit"``, for every unit of an upstream commit in one
session), ferry writes a task text (the prompt's context, the file to edit, the rules and
the gate commands) and runs the agent CLI in the worktree: ``pycodex exec`` by default,
``codex exec`` or any compatible command from ``[translate.agent] command``, with
``--json`` so the trajectory is recorded. The agent may read the port, edit files and run
the tests. ferry then reads the edited module back as the candidate, so the same libcst
checks, stub guard, merge (provenance markers) and gates apply; every other Python file
the agent changed is checked too. A rejected candidate resumes the same agent session
(``exec resume <thread id>``) with the failure text, up to ``max_attempts``. Tokens come
from the agent's ``turn.completed`` events.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst

from ferry.fsutil import write_text_atomic
from translator.backends.base import BackendAnswer, TranslationRequest, Usage
from translator.backends.prompt import _env
from translator.config import TranslateConfig
from translator.cst.check import check_candidate
from translator.cst.symbols import defined_names, is_import, symbol_source
from translator.errors import BackendError, ConfigError

AGENT_FORMAT = "ferry.agent-run/1"


def default_command() -> list[str]:
    """``pycodex exec`` of the running installation (the port translating its own upstream)."""
    sibling = Path(sys.executable).with_name("pycodex")
    if sibling.is_file():
        return [str(sibling), "exec"]
    return [sys.executable, "-c", "from pycodex._entry import main; main()", "exec"]


@dataclass(frozen=True)
class AgentRun:
    """One invocation of the agent CLI: what it said and what it cost."""

    thread_id: str | None
    exit_code: int
    usage: Usage
    last_message: str
    events: int
    trajectory: Path
    error: str = ""


def parse_events(stdout: str) -> tuple[str | None, Usage, str, int, str]:
    """(thread id, summed ``turn.completed`` usage, last agent message, events, error)."""
    thread_id: str | None = None
    usage = Usage()
    message = ""
    error = ""
    count = 0
    for line in stdout.splitlines():
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            continue
        if not isinstance(event, dict):
            continue
        count += 1
        kind = event.get("type")
        if kind == "thread.started":
            thread_id = str(event.get("thread_id") or "") or thread_id
        elif kind == "turn.completed":
            u = event.get("usage") or {}
            usage = usage + Usage(int(u.get("input_tokens", 0)), int(u.get("output_tokens", 0)))
        elif kind == "item.completed" and (event.get("item") or {}).get("type") == "agent_message":
            message = str(event["item"].get("text", ""))
        elif kind == "turn.failed":
            error = str((event.get("error") or {}).get("message", "turn failed"))
        elif kind == "error":
            error = str(event.get("message", "error"))
    return thread_id, usage, message, count, error


@dataclass
class _Session:
    thread_id: str | None
    units: set[str] = field(default_factory=set)
    runs: int = 0


class AgentBackend:
    """Runs a coding agent CLI in ``workdir``; see the module docstring."""

    name = "agent"
    accepts_feedback = True
    works_in_tree = True

    def __init__(
        self,
        config: TranslateConfig,
        *,
        workdir: Path,
        target_root: Path,
        state_dir: Path,
        gate_commands: Sequence[str] = (),
        env: Mapping[str, str] | None = None,
        run_id: str = "agent",
    ) -> None:
        self.config = config
        agent = config.agent
        self.agent = agent
        self.workdir = workdir
        self.target_root = target_root
        self.gate_commands = list(gate_commands)
        self.command = list(agent.command) or default_command()
        self._model = agent.model or config.llm.model
        self.base_url = agent.base_url or config.llm.base_url
        self.api_key_env = agent.api_key_env or config.llm.api_key_env
        self.env = dict(os.environ if env is None else env)
        if not self.env.get(self.api_key_env):
            raise ConfigError(
                f"the agent backend needs an API key in ${self.api_key_env} "
                "(set [translate.agent].api_key_env to use another variable)"
            )
        self.home = state_dir / "agent" / run_id / "codex-home"
        self.trajectories = state_dir / "agent" / run_id
        self._sessions: dict[str, _Session] = {}

    @property
    def model(self) -> str:
        return self._model

    # ------------------------------------------------------------------ the agent CLI
    def _write_home(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        config = (
            f"model = {json.dumps(self._model)}\n"
            'model_provider = "ferry"\n\n'
            "[model_providers.ferry]\n"
            'name = "ferry"\n'
            f"base_url = {json.dumps(self.base_url)}\n"
            f"wire_api = {json.dumps(self.agent.wire_api)}\n"
            f"env_key = {json.dumps(self.api_key_env)}\n"
        )
        write_text_atomic(self.home / "config.toml", config)

    def _argv(self, text: str, thread_id: str | None) -> list[str]:
        flags = ["--json", "--skip-git-repo-check", "-s", self.agent.sandbox,
                 "-C", str(self.workdir), "-m", self._model, *self.agent.extra_args]  # fmt: skip
        if thread_id:
            return [*self.command, *flags, "resume", thread_id, text]
        return [*self.command, *flags, text]

    def run_agent(self, text: str, thread_id: str | None, label: str) -> AgentRun:
        self._write_home()
        env = {**self.env, "CODEX_HOME": str(self.home)}
        gate_python = next((shlex.split(c)[0] for c in self.gate_commands if c.strip()), "")
        if gate_python:
            env["FERRY_GATE_PYTHON"] = gate_python
        argv = self._argv(text, thread_id)
        started = time.monotonic()
        try:
            proc = subprocess.run(
                argv, cwd=self.workdir, env=env, capture_output=True, text=True,
                timeout=self.agent.timeout_s, stdin=subprocess.DEVNULL,
            )  # fmt: skip
        except FileNotFoundError as exc:
            raise BackendError(
                f"agent command {self.command[0]!r} not found; set [translate.agent] command"
            ) from exc
        except subprocess.TimeoutExpired as exc:
            raise BackendError(
                f"agent run {label} timed out after {self.agent.timeout_s:g}s"
            ) from exc
        trajectory = self.trajectories / f"{label}.jsonl"
        write_text_atomic(trajectory, proc.stdout)
        write_text_atomic(trajectory.with_suffix(".stderr.txt"), proc.stderr)
        thread, usage, message, count, error = parse_events(proc.stdout)
        write_text_atomic(
            trajectory.with_suffix(".json"),
            json.dumps({"format": AGENT_FORMAT, "argv": [*argv[:-1], "<task>"], "task": text,
                        "thread_id": thread or thread_id, "exit_code": proc.returncode,
                        "input_tokens": usage.input_tokens, "output_tokens": usage.output_tokens,
                        "events": count, "duration_s": round(time.monotonic() - started, 3),
                        "error": error}, indent=2) + "\n",
        )  # fmt: skip
        if proc.returncode != 0 and count == 0:
            raise BackendError(
                f"agent run {label} exited {proc.returncode} without events: {proc.stderr.strip()[-1500:]}"
            )
        return AgentRun(
            thread or thread_id, proc.returncode, usage, message, count, trajectory, error
        )

    # ------------------------------------------------------------------ ModelBackend
    def task_text(self, request: TranslationRequest) -> str:
        user = next((m.content for m in request.messages if m.role == "user"), "")
        target = Path(request.target_path)
        rel = target.relative_to(self.workdir) if target.is_relative_to(self.workdir) else target
        return (
            _env()
            .get_template("agent_task.md.j2")
            .render(
                context=user,
                target=str(rel),
                python_module=request.python_module,
                expected_names=list(request.expected_names),
                expected_methods={k: list(v) for k, v in request.expected_methods.items()},
                gate_commands=self.gate_commands,
            )
        )

    def translate(self, request: TranslationRequest) -> BackendAnswer:
        key = request.commit if self.agent.scope == "commit" and request.commit else request.unit_id
        session = self._sessions.get(key)
        fresh_unit = session is None or request.unit_id not in session.units
        # a new unit gets the task; a repair resumes with the failure text (the last turn)
        text = self.task_text(request) if fresh_unit else request.messages[-1].content
        label = f"{request.unit_id.replace('/', '_')}-attempt-{request.attempt}"
        run = self.run_agent(text, session.thread_id if session else None, label)
        if session is None:
            session = self._sessions[key] = _Session(run.thread_id)
        session.thread_id = run.thread_id or session.thread_id
        session.units.add(request.unit_id)
        session.runs += 1
        code, extra = self._read_back(request)
        problems = list(self._tree_problems(request))
        if run.error and run.exit_code != 0:
            problems.append(f"the agent run failed: {run.error}")
        return BackendAnswer(
            code=code,
            model=self._model,
            usage=run.usage,
            notes=run.last_message[:2000],
            extra_names=tuple(extra),
            raw={"trajectory": str(run.trajectory), "thread_id": run.thread_id,
                 "events": run.events, "exit_code": run.exit_code},
            problems=tuple(problems),
        )  # fmt: skip

    def _read_back(self, request: TranslationRequest) -> tuple[str, list[str]]:
        """The candidate: the edited module's imports and the unit's (and new helper) definitions."""
        target = Path(request.target_path)
        if not target.is_file():
            return "", []
        text = target.read_text(encoding="utf-8")
        try:
            module = cst.parse_module(text)
        except cst.ParserSyntaxError:
            return text, []  # the static check reports the syntax error
        names = defined_names(module)
        extra = [
            n for n in names
            if n not in request.expected_names and n not in request.target_names
        ]  # fmt: skip
        wanted = [n for n in names if n in request.expected_names or n in extra]
        imports = [module.code_for_node(s) for s in module.body if is_import(s)]
        bodies = [src for n in dict.fromkeys(wanted) if (src := symbol_source(module, n))]
        return "".join(imports) + "\n\n" + "\n\n".join(bodies), extra

    def _tree_problems(self, request: TranslationRequest) -> list[str]:
        """Static problems in every other Python file the agent changed in the port."""
        proc = subprocess.run(
            ["git", "-C", str(self.workdir), "status", "--porcelain", "--untracked-files=all"],
            capture_output=True, text=True,
        )  # fmt: skip
        problems: list[str] = []
        target = Path(request.target_path).resolve()
        root = self.target_root.resolve()
        top = Path(self._toplevel() or self.workdir)
        for line in proc.stdout.splitlines():
            path = (top / line[3:].strip().strip('"')).resolve()
            if path == target or path.suffix != ".py" or not path.is_file():
                continue
            if not path.is_relative_to(root) or "tests" in path.relative_to(root).parts:
                continue
            if path.name == "__init__.py" and path.parent.with_suffix(".py").is_file():
                problems.append(
                    f"{path.relative_to(root)}: a new package that shadows {path.parent.with_suffix('.py').name}"
                )
            text = path.read_text(encoding="utf-8", errors="replace")
            try:
                names = defined_names(cst.parse_module(text))
            except cst.ParserSyntaxError as exc:
                problems.append(f"{path.relative_to(root)}: syntax error: {exc.message}")
                continue
            report = check_candidate(text, names)
            problems += [f"{path.relative_to(root)}: {p.render()}" for p in report.problems]
        return problems

    def _toplevel(self) -> str:
        return subprocess.run(
            ["git", "-C", str(self.workdir), "rev-parse", "--show-toplevel"],
            capture_output=True, text=True,
        ).stdout.strip()  # fmt: skip
