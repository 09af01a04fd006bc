"""Run one binary (``codex exec`` or ``pycodex exec``) on one scenario and record everything.

The record is raw (not normalised): requests the model server saw, stdout/stderr, exit
code, the workspace and the ``outside`` directory as left behind.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.parity.errors import ParityError
from harness.parity.scenario import Scenario
from harness.parity.script import render_script
from harness.parity.server import ParityServer
from harness.parity.workspace import (
    SideLayout,
    expand,
    placeholder_values,
    prepare_side,
    snapshot_tree,
)

#: environment variables of the caller that would leak into a run and change its behaviour.
_SCRUBBED_PREFIXES = ("CODEX_", "OPENAI_", "RUST_LOG")


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


def run_side(binary: Binary, scenario: Scenario, root: Path) -> SideResult:
    """Prepare ``root``, serve the scenario's script and run ``binary`` to completion."""
    layout = SideLayout(root)
    ports = {name: _free_port() for name in scenario.servers}
    values = placeholder_values(layout, ports)
    env = build_env(layout, scenario, values)
    with ExitStack() as stack:
        server = stack.enter_context(ParityServer(render_script(scenario)))
        prepare_side(layout, scenario, server.base_url, values)
        argv = build_argv(binary, scenario, values)
        stack.enter_context(background_servers(scenario, layout, ports, values, env))
        started = time.monotonic()
        proc = subprocess.Popen(
            argv,
            cwd=layout.workspace,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        timed_out = False
        stdin_bytes = (scenario.stdin or "").encode()
        try:
            out, err = proc.communicate(stdin_bytes, timeout=scenario.timeout_s)
        except subprocess.TimeoutExpired:
            timed_out = True
            _kill_group(proc)
            out, err = proc.communicate()
        duration = time.monotonic() - started
        _kill_group(proc)  # reap anything the agent left running in the background
        requests = tuple(
            RecordedCall(r.method, r.path, dict(r.headers), _decode_body(r.body))
            for r in server.requests
        )
    return SideResult(
        binary=binary,
        root=root,
        argv=tuple(argv),
        exit_code=None if timed_out else proc.returncode,
        timed_out=timed_out,
        stdout=out.decode("utf-8", "replace"),
        stderr=err.decode("utf-8", "replace"),
        duration_s=duration,
        requests=requests,
        workspace=snapshot_tree(layout.workspace),
        outside=snapshot_tree(layout.outside),
    )


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        return
