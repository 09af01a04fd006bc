"""Run one binary (``codex exec`` or ``pycodex exec``) on one scenario and record everything.

The record is raw (not normalised): requests the model server saw, stdout/stderr, exit
code, the workspace and the ``outside`` directory as left behind.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from harness.parity.errors import ParityError
from harness.parity.scenario import Scenario
from harness.parity.script import render_conversations, render_script
from harness.parity.server import ParityServer
from harness.parity.workspace import (
    SideLayout,
    expand,
    placeholder_values,
    prepare_side,
    snapshot_home,
    snapshot_tree,
)

#: environment variables of the caller that would leak into a run and change its behaviour.
_SCRUBBED_PREFIXES = ("CODEX_", "OPENAI_", "RUST_")


@dataclass(frozen=True)
class Binary:
    """A command under test: ``label`` names it in reports, ``argv`` precedes ``exec``."""

    label: str
    argv: tuple[str, ...]


@dataclass(frozen=True)
class RecordedCall:
    method: str
    path: str
    headers: dict[str, str]
    body: Any
    #: the scripted conversation that answered it (scenarios with ``agents`` only).
    conversation: str | None = None


@dataclass(frozen=True)
class SideResult:
    binary: Binary
    root: Path
    argv: tuple[str, ...]
    exit_code: int | None
    timed_out: bool
    stdout: str
    stderr: str
    duration_s: float
    requests: tuple[RecordedCall, ...]
    workspace: dict[str, str] = field(default_factory=dict)
    outside: dict[str, str] = field(default_factory=dict)
    #: ``home_snapshot`` files and ``home_sqlite`` query results of the scenario.
    home: dict[str, Any] = field(default_factory=dict)

    def events(self) -> list[Any]:
        """stdout lines parsed as JSON (lines that are not JSON are kept as strings)."""
        parsed: list[Any] = []
        for line in self.stdout.splitlines():
            if not line.strip():
                continue
            try:
                parsed.append(json.loads(line))
            except json.JSONDecodeError:
                parsed.append(line)
        return parsed


def build_argv(
    binary: Binary, scenario: Scenario, values: Mapping[str, str] | None = None
) -> list[str]:
    if scenario.command is not None:
        command = expand(scenario.command, values, "command") if values else scenario.command
        return [*binary.argv, *command]
    argv = [*binary.argv, "exec", "--json"]
    if scenario.skip_git_repo_check and not scenario.git:
        argv.append("--skip-git-repo-check")
    argv.extend(expand(scenario.args, values, "args") if values else scenario.args)
    if scenario.prompt is not None:
        argv.append(scenario.prompt)
    return argv


def build_env(
    layout: SideLayout, scenario: Scenario, values: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The caller's environment minus codex/OpenAI settings, pointed at this side's dirs.

    ``RUST_LOG=off`` silences the Rust binary's tracing records on stderr: they are
    diagnostics (multi-line, timestamped), while the remaining stderr lines are CLI output
    and are compared.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(_SCRUBBED_PREFIXES)}
    env.update(
        CODEX_HOME=str(layout.home),
        MOCK_API_KEY="parity-mock-key",
        TMPDIR=str(layout.tmp),
        HOME=str(layout.user_home),
        NO_COLOR="1",
        RUST_LOG="off",
    )
    env.update(expand(scenario.env, values, "env") if values else scenario.env)
    return env


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


#: how long a background server may take to accept connections (slow on a loaded machine).
SERVER_START_TIMEOUT_S = 60.0


@contextmanager
def background_servers(
    scenario: Scenario,
    layout: SideLayout,
    ports: Mapping[str, int],
    values: Mapping[str, str],
    env: Mapping[str, str],
) -> Iterator[None]:
    """Start the scenario's ``servers`` for one side, wait until each port accepts, stop them after."""
    procs: list[subprocess.Popen[bytes]] = []
    try:
        for name, argv in scenario.servers.items():
            procs.append(
                subprocess.Popen(
                    expand(argv, values, f"servers.{name}"),
                    cwd=layout.root,
                    env=dict(env),
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    start_new_session=True,
                )
            )
            _wait_for_port(name, ports[name], procs[-1])
        yield
    finally:
        for proc in procs:
            _kill_group(proc)
            proc.wait()


def _wait_for_port(name: str, port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ParityError(f"server {name!r} exited with {proc.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise ParityError(
        f"server {name!r} did not listen on port {port} within {SERVER_START_TIMEOUT_S} s"
    )


def _decode_body(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return raw.decode("utf-8", "replace")


#: what ``$thread`` in a step's argv becomes: the thread id reported last.
THREAD_PLACEHOLDER = "$thread"
_THREAD_RE = re.compile(r'"thread_id":\s*"([0-9a-fA-F-]{36})"|session id: ([0-9a-fA-F-]{36})')

#: the line put between the outputs of successive invocations (compared like any other).
STEP_MARKER = "--- step {index} exited {code} ---"


@dataclass(frozen=True)
class _Invocation:
    argv: list[str]
    stdin: bytes
    exit_code: int | None
    timed_out: bool
    stdout: str
    stderr: str


def _invoke(
    argv: list[str], cwd: Path, env: dict[str, str], stdin: bytes, timeout_s: float
) -> _Invocation:
    proc = subprocess.Popen(
        argv,
        cwd=cwd,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    timed_out = False
    try:
        out, err = proc.communicate(stdin, timeout=timeout_s)
    except subprocess.TimeoutExpired:
        timed_out = True
        _kill_group(proc)
        out, err = proc.communicate()
    _kill_group(proc)  # reap anything the agent left running in the background
    return _Invocation(
        argv=argv,
        stdin=stdin,
        exit_code=None if timed_out else proc.returncode,
        timed_out=timed_out,
        stdout=out.decode("utf-8", "replace"),
        stderr=err.decode("utf-8", "replace"),
    )


def _substitute_threads(arg: str, text: str) -> str:
    """``$thread`` -> the last thread id in ``text``; ``$threadN`` -> the N-th distinct one."""
    found = [a or b for a, b in _THREAD_RE.findall(text)]
    distinct = list(dict.fromkeys(found))
    for number in range(len(distinct), 0, -1):
        arg = arg.replace(f"{THREAD_PLACEHOLDER}{number}", distinct[number - 1])
    return arg.replace(THREAD_PLACEHOLDER, found[-1] if found else "none")


def run_side(binary: Binary, scenario: Scenario, root: Path) -> SideResult:
    """Prepare ``root``, serve the scenario's script and run ``binary`` (and any steps)."""
    layout = SideLayout(root)
    ports = {name: _free_port() for name in scenario.servers}
    with ExitStack() as stack:
        server = (
            ParityServer(
                conversations=render_conversations(scenario),
                markers={name: script.match for name, script in scenario.agents.items()},
            )
            if scenario.agents
            else ParityServer(render_script(scenario))
        )
        stack.enter_context(server)
        values = placeholder_values(layout, ports, server.base_url)
        env = build_env(layout, scenario, values)
        prepare_side(layout, scenario, server.base_url, values)
        argv = build_argv(binary, scenario, values)
        stack.enter_context(background_servers(scenario, layout, ports, values, env))
        started = time.monotonic()
        runs = [
            _invoke(
                argv, layout.workspace, env, (scenario.stdin or "").encode(), scenario.timeout_s
            )
        ]
        for step in scenario.steps:
            seen = "".join(r.stdout + r.stderr for r in runs)
            step_argv = [
                *binary.argv,
                *(_substitute_threads(a, seen) for a in expand(step.argv, values, "steps")),
            ]
            runs.append(
                _invoke(
                    step_argv,
                    layout.workspace,
                    env,
                    (step.stdin or "").encode(),
                    scenario.timeout_s,
                )
            )
        duration = time.monotonic() - started
        requests = tuple(
            RecordedCall(
                r.method, r.path, dict(r.headers), _decode_body(r.body), server.conversation_of(r)
            )
            for r in server.requests
            if not any(fnmatchcase(f"{r.method} {r.path}", p) for p in scenario.ignore_requests)
        )
    stdout = runs[0].stdout
    stderr = runs[0].stderr
    for index, run in enumerate(runs[1:], start=1):
        marker = STEP_MARKER.format(index=index, code=runs[index - 1].exit_code)
        stdout += ("" if stdout.endswith("\n") or not stdout else "\n") + marker + "\n" + run.stdout
        stderr += ("" if stderr.endswith("\n") or not stderr else "\n") + marker + "\n" + run.stderr
    last = runs[-1]
    return SideResult(
        binary=binary,
        root=root,
        argv=tuple(argv) if len(runs) == 1 else tuple(" ".join(r.argv) for r in runs),
        exit_code=last.exit_code,
        timed_out=any(r.timed_out for r in runs),
        stdout=stdout,
        stderr=stderr,
        duration_s=duration,
        requests=requests,
        workspace=snapshot_tree(layout.workspace),
        outside=snapshot_tree(layout.outside),
        home=snapshot_home(layout.home, scenario.home_snapshot, scenario.home_sqlite),
    )


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        return
