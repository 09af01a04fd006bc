"""A model-free coding agent: a scripted model that replays the task's own solution.

A model server on 127.0.0.1 turns ``solution.sh`` into tool calls -- ``apply_patch``
for plain file writes (a quoted heredoc to an absolute path), ``exec_command`` for
the rest, ``write_stdin`` polls while a command is still running -- and then a final
message. Run through ``pycodex`` and the Rust ``codex`` in the same task
environments, both should resolve what the oracle resolves; a difference is a bug
in the port's exec path (tools, protocol, environment), found without any model.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from pycodex.testing import MockResponsesServer, ScriptedResponse
from pycodex.testing.mock_responses import (
    RecordedRequest,
    ev_apply_patch_custom_tool_call,
    ev_assistant_message,
    ev_completed_with_tokens,
    ev_function_call,
    ev_response_created,
)

from harness.agents.base import AgentResult
from harness.agents.codex_cli import CodexAgent, ModelSettings, PycodexAgent
from harness.environments.base import Environment
from harness.tasks.model import CONTAINER_SOLUTION_DIR, Task, TaskFormat
from harness.tasks.tb1 import solution_script

_HEREDOC = re.compile(r"^cat\s*>\s*(/[\w./-]+)\s*<<-?\s*(['\"])(\w+)\2\s*$")
_STATEFUL = re.compile(r"^\s*(cd\s|pushd\s|export\s|source\s|\.\s|set\s|[A-Za-z_]\w*=|alias\s)")
POLL_MS = 30_000
FINAL_MESSAGE = "Done: the solution has been applied."


@dataclass(frozen=True)
class Step:
    """One tool call: ``exec_command`` of ``command`` or an ``apply_patch`` adding ``path``."""

    command: str | None = None
    path: str | None = None
    content: str = ""

    def patch(self) -> str:
        lines = self.content.splitlines()
        body = "".join(f"+{line}\n" for line in lines)
        return f"*** Begin Patch\n*** Add File: {self.path}\n{body}*** End Patch"


def solution_steps(script: str) -> list[Step]:
    """Split a solution script into tool calls, keeping its shell state intact.

    Heredoc writes become patches only while no earlier line changed the shell's
    state (``cd``, ``export``, assignments...): after such a line the rest of the
    script runs as one command so the state carries over.
    """
    steps: list[Step] = []
    chunk: list[str] = []
    lines = script.splitlines()
    stateful = False
    i = 0
    while i < len(lines):
        line = lines[i]
        match = _HEREDOC.match(line.strip())
        if match and not stateful:
            end = next((j for j in range(i + 1, len(lines)) if lines[j] == match.group(3)), None)
            if end is not None:
                if any(c.strip() and not c.startswith("#") for c in chunk):
                    steps.append(Step(command="\n".join(chunk)))
                chunk = []
                steps.append(Step(path=match.group(1), content="\n".join(lines[i + 1 : end])))
                i = end + 1
                continue
        if _STATEFUL.match(line):
            stateful = True
        chunk.append(line)
        i += 1
    if any(c.strip() and not c.startswith("#") for c in chunk):
        steps.append(Step(command="\n".join(chunk)))
    return steps


class SolutionModel:
    """The scripted model: answers each request with the next tool call of the solution."""

    def __init__(self, steps: list[Step]) -> None:
        self.steps = steps
        self.index = 0
        self.calls = 0
        self.pending: str | None = None
        self._lock = threading.Lock()

    def _response(self, events: list[dict[str, object]]) -> ScriptedResponse:
        rid = f"resp-{self.calls}"
        return ScriptedResponse.sse(
            [
                ev_response_created(rid),
                *events,
                ev_completed_with_tokens(rid, 20, input_tokens=15, output_tokens=5),
            ]
        )

    def __call__(self, request: RecordedRequest) -> ScriptedResponse:
        with self._lock:
            self.calls += 1
            call_id = f"call-{self.calls}"
            if self.pending is not None:
                output = request.function_call_output_text(self.pending) or ""
                running = re.search(r"Process running with session ID (\d+)", output)
                if running:
                    self.pending = call_id
                    args = {"session_id": int(running.group(1)), "chars": "",
                            "yield_time_ms": POLL_MS}  # fmt: skip
                    return self._response(
                        [ev_function_call(call_id, "write_stdin", json.dumps(args))]
                    )
            if self.index >= len(self.steps):
                self.pending = None
                return self._response([ev_assistant_message(f"msg-{self.calls}", FINAL_MESSAGE)])
            step = self.steps[self.index]
            self.index += 1
            if step.path is not None:
                self.pending = None
                return self._response([ev_apply_patch_custom_tool_call(call_id, step.patch())])
            self.pending = call_id
            args = {"cmd": step.command, "yield_time_ms": POLL_MS, "max_output_tokens": 20000}
            return self._response([ev_function_call(call_id, "exec_command", json.dumps(args))])


def task_solution(task: Task, logs_dir: Path) -> str:
    if task.solution is None:
        return ""
    if task.solution.suffix == ".yaml":
        return solution_script(task.solution)
    return task.solution.read_text(encoding="utf-8")


class ScriptedSolutionAgent:
    """``pycodex`` or ``codex`` driven by :class:`SolutionModel` (no model, no key)."""

    needs_network = True

    def __init__(self, inner: str, *, dist_cache: Path | None = None) -> None:
        self.inner_name = inner
        self.name = f"scripted-{inner}"
        self.dist_cache = dist_cache
        self.server: MockResponsesServer | None = None
        self.agent: PycodexAgent | CodexAgent | None = None

    def setup(self, task: Task, env: Environment, logs_dir: Path) -> None:
        model = SolutionModel(solution_steps(task_solution(task, logs_dir)))
        budget = 4 * len(model.steps) + 2000  # polls included; extra requests get a 500
        self.server = MockResponsesServer([model] * budget)
        self.server.start()
        settings = ModelSettings(
            model="gpt-5.5", base_url=self.server.base_url, api_key="scripted-no-key"
        )
        self.agent = (
            PycodexAgent(settings, dist_cache=self.dist_cache)
            if self.inner_name == "pycodex"
            else CodexAgent(settings)
        )
        if task.format is TaskFormat.HARBOR and task.solution is not None:
            env.copy_in(task.solution.parent, CONTAINER_SOLUTION_DIR)
        self.agent.setup(task, env, logs_dir)

    def perform(
        self, task: Task, env: Environment, *, timeout_sec: float, logs_dir: Path
    ) -> AgentResult:
        assert self.agent is not None and self.server is not None, "setup() first"
        try:
            return self.agent.perform(task, env, timeout_sec=timeout_sec, logs_dir=logs_dir)
        finally:
            self.server.close()
