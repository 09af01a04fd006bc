"""Drive ``pycodex exec`` (or the Rust ``codex exec``) with a scripted attacker model.

Each test scripts tool calls (one per model response, then a final message),
runs the real CLI in a fresh git workspace with a fresh CODEX_HOME, and looks at
what the calls were answered and what changed on disk. The same script can be
sent to the Rust binary (oracle tests) to compare.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pycodex.testing import (
    MockResponsesServer,
    ScriptedResponse,
    ev_assistant_message,
    ev_completed,
    ev_custom_tool_call,
    ev_function_call,
    ev_response_created,
)
from pycodex.testing.mock_responses import RecordedRequest

PYCODEX = [sys.executable, "-c", "from pycodex._entry import main; main()"]

#: Only the workspace is writable: /tmp and $TMPDIR (where test dirs live) are not.
WORKSPACE_ONLY = (
    "[sandbox_workspace_write]\nexclude_slash_tmp = true\nexclude_tmpdir_env_var = true\n"
)


@dataclass(frozen=True)
class Call:
    """One tool call the scripted model makes: ``exec_command`` args or a patch."""

    name: str
    payload: Any

    @classmethod
    def exec(cls, cmd: str, **extra: Any) -> Call:
        return cls("exec_command", {"cmd": cmd, **extra})

    @classmethod
    def patch(cls, body: str) -> Call:
        return cls("apply_patch", f"*** Begin Patch\n{body}*** End Patch\n")


def script(calls: Sequence[Call]) -> list[ScriptedResponse]:
    responses = []
    for i, call in enumerate(calls):
        if call.name == "apply_patch":
            event = ev_custom_tool_call(f"call_{i}", "apply_patch", call.payload)
        else:
            event = ev_function_call(f"call_{i}", call.name, json.dumps(call.payload))
        responses.append(
            ScriptedResponse.sse([ev_response_created(f"r{i}"), event, ev_completed(f"r{i}")])
        )
    responses.append(
        ScriptedResponse.sse(
            [ev_response_created("rz"), ev_assistant_message("mz", "done"), ev_completed("rz")]
        )
    )
    return responses


@dataclass
class AgentRun:
    returncode: int
    stdout: str
    stderr: str
    requests: list[RecordedRequest]
    workspace: Path
    root: Path
    home: Path
    outputs: list[str] = field(default_factory=list)

    def events(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.stdout.splitlines() if line.startswith("{")]


def _outputs(requests: list[RecordedRequest]) -> list[str]:
    found: list[str] = []
    for request in requests[1:]:
        items = [
            item
            for item in request.input()
            if item.get("type") in ("function_call_output", "custom_tool_call_output")
        ]
        if items:
            output = items[-1].get("output")
            found.append(output if isinstance(output, str) else json.dumps(output))
    return found


def run_agent(
    binary: Sequence[str],
    calls: Sequence[Call],
    *,
    base: Path,
    home_parent: Path | None = None,
    setup: Callable[[Path, Path], None] | None = None,
    user_config: str = "",
    args: Sequence[str] = ("-s", "workspace-write"),
    env: dict[str, str] | None = None,
    responses: Sequence[ScriptedResponse] | None = None,
    timeout: float = 180,
) -> AgentRun:
    """Run ``binary exec --json ARGS go`` in ``base/ws`` against the scripted model.

    ``user_config`` may use ``{ws}`` for the workspace path and ``{extra_url}``
    is not substituted (tests format their own). ``setup(ws, base)`` prepares files.
    """
    workspace = base / "ws"
    workspace.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(workspace)], check=True)
    user_home = base / "home"
    user_home.mkdir()
    home = Path(tempfile.mkdtemp(prefix="codex-home-", dir=home_parent or base))
    if setup is not None:
        setup(workspace, base)
    with MockResponsesServer(responses if responses is not None else script(calls)) as server:
        (home / "config.toml").write_text(
            'model = "gpt-5.5"\nmodel_provider = "mock"\n'
            + user_config.replace("{ws}", str(workspace))
            + '\n[model_providers.mock]\nname = "mock"\n'
            f'base_url = "{server.base_url}"\nwire_api = "responses"\nenv_key = "MOCK_API_KEY"\n'
            "request_max_retries = 0\nstream_max_retries = 0\n"
        )
        full_env = {
            **os.environ,
            "CODEX_HOME": str(home),
            "MOCK_API_KEY": "sk-test",
            "HOME": str(user_home),
            **(env or {}),
        }
        proc = subprocess.run(
            [*binary, "exec", "--json", *args, "go"],
            cwd=workspace,
            env=full_env,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
        requests = server.model_requests()
    return AgentRun(
        proc.returncode,
        proc.stdout,
        proc.stderr,
        requests,
        workspace,
        base,
        home,
        _outputs(requests),
    )


def codex_or_skip() -> list[str]:
    """The Rust binary's argv, or a pytest skip when it cannot be had."""
    import pytest
    from pycodex.testing.rust_oracle import OracleUnavailable, codex_binary

    try:
        return [str(codex_binary())]
    except OracleUnavailable as exc:
        pytest.skip(f"Rust codex unavailable: {exc}")
