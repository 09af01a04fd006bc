"""Run one binary (``codex exec`` or ``pycodex exec``) on one scenario and record everything.

The record is raw (not normalised): requests the model server saw, stdout/stderr, exit
code, the workspace and the ``outside`` directory as left behind.
"""

from __future__ import annotations

import base64
import json
import os
import pty
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from harness.parity.errors import ParityError
from harness.parity.gitstate import git_state
from harness.parity.homestate import home_state
from harness.parity.scenario import Invocation, Scenario
from harness.parity.script import render_conversations, render_script
from harness.parity.server import ParityServer
from harness.parity.workspace import (
    SideLayout,
    expand,
    placeholder_values,
    prepare_side,
    snapshot_home,
    snapshot_modes,
    snapshot_tree,
    substitute,
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
class RunRecord:
    """One ``exec`` invocation of a side: what it printed and what it left running."""

    argv: tuple[str, ...]
    exit_code: int | None
    timed_out: bool
    stdout: str
    stderr: str
    duration_s: float
    #: command lines of processes still alive after the binary exited.
    leftovers: tuple[tuple[str, ...], ...] = ()
    json_output: bool = True

    def events(self) -> list[Any]:
        """stdout lines parsed as JSON (lines that are not JSON are kept as strings)."""
        parsed: list[Any] = []
        for line in self.stdout.splitlines():
            if not line.strip():
                continue
            if not self.json_output:
                parsed.append(line)
                continue
            try:
                parsed.append(json.loads(line))
            except json.JSONDecodeError:
                parsed.append(line)
        return parsed


@dataclass(frozen=True)
class SideResult:
    binary: Binary
    root: Path
    runs: tuple[RunRecord, ...]
    requests: tuple[RecordedCall, ...]
    workspace: dict[str, str] = field(default_factory=dict)
    outside: dict[str, str] = field(default_factory=dict)
    modes: dict[str, str] = field(default_factory=dict)
    git: dict[str, Any] | None = None
    home: dict[str, Any] = field(default_factory=dict)
    #: ``home_snapshot`` files and ``home_sqlite`` query results of the scenario.
    home_snapshot: dict[str, Any] = field(default_factory=dict)
    tmp: dict[str, str] = field(default_factory=dict)
    #: dates (YYYY-MM-DD) the run spanned, local and UTC: "today" may appear in outputs.
    dates: tuple[str, ...] = ()

    @property
    def first(self) -> RunRecord:
        return self.runs[0]

    @property
    def argv(self) -> tuple[str, ...]:
        return self.first.argv

    @property
    def exit_code(self) -> int | None:
        return self.first.exit_code

    @property
    def timed_out(self) -> bool:
        return any(run.timed_out for run in self.runs)

    @property
    def stdout(self) -> str:
        return self.first.stdout

    @property
    def stderr(self) -> str:
        return self.first.stderr

    @property
    def duration_s(self) -> float:
        return sum(run.duration_s for run in self.runs)

    def events(self) -> list[Any]:
        return self.first.events()


#: ``$thread_id`` in a later invocation's args or prompt: the id the previous run reported.
THREAD_PLACEHOLDER = "$thread_id"
#: ``$thread`` in a step's argv: the thread id reported last; ``$threadN``: the N-th distinct.
THREAD_STEP_PLACEHOLDER = "$thread"
_THREAD_RE = re.compile(r'"thread_id":\s*"([0-9a-fA-F-]{36})"|session id: ([0-9a-fA-F-]{36})')

REAPER = Path(__file__).with_name("reaper.py")


def build_argv(
    binary: Binary,
    scenario: Scenario,
    invocation: Invocation | None = None,
    values: Mapping[str, str] | None = None,
) -> list[str]:
    """``<binary> exec [--json] [--skip-git-repo-check] ARGS [PROMPT]`` for one invocation,
    or ``<binary> ARGV`` when the invocation gives its argv verbatim (``command``, ``steps``)."""
    inv = invocation or scenario.invocations()[0]
    if inv.argv is not None:
        return [*binary.argv, *(expand(inv.argv, values, "argv") if values else inv.argv)]
    argv = [*binary.argv, "exec"]
    if inv.json_output:
        argv.append("--json")
    if inv.skip_git_repo_check and not scenario.git:
        argv.append("--skip-git-repo-check")
    argv.extend(expand(inv.args, values, "args") if values else inv.args)
    if inv.prompt is not None:
        argv.append(inv.prompt)
    return argv


def build_env(
    layout: SideLayout,
    scenario: Scenario,
    extra: Mapping[str, str] | None = None,
    values: Mapping[str, str] | None = None,
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
    env.update(expand(dict(extra or {}), values, "env") if values else (extra or {}))
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


def _thread_id(stdout: str) -> str | None:
    for line in stdout.splitlines():
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(event, dict) and event.get("type") == "thread.started":
            return str(event.get("thread_id"))
    return None


def _substitute_threads(arg: str, text: str) -> str:
    """``$thread`` -> the last thread id in ``text``; ``$threadN`` -> the N-th distinct one."""
    if THREAD_STEP_PLACEHOLDER not in arg:
        return arg
    found = [a or b for a, b in _THREAD_RE.findall(text)]
    distinct = list(dict.fromkeys(found))
    for number in range(len(distinct), 0, -1):
        arg = arg.replace(f"{THREAD_STEP_PLACEHOLDER}{number}", distinct[number - 1])
    return arg.replace(THREAD_STEP_PLACEHOLDER, found[-1] if found else "none")


def _today() -> set[str]:
    now = time.time()
    return {
        time.strftime("%Y-%m-%d", time.localtime(now)),
        time.strftime("%Y-%m-%d", time.gmtime(now)),
    }


def _stdin_bytes(invocation: Invocation) -> bytes:
    if invocation.stdin_base64 is not None:
        return base64.b64decode(invocation.stdin_base64)
    return (invocation.stdin or "").encode()


def run_invocation(
    binary: Binary,
    scenario: Scenario,
    invocation: Invocation,
    layout: SideLayout,
    *,
    thread_id: str | None = None,
    seen: str = "",
    base_url: str = "",
    values: Mapping[str, str] | None = None,
) -> RunRecord:
    """Run one ``exec`` under the reaper wrapper and record what it printed and left behind."""
    invocation = invocation.model_copy(
        update={
            "args": substitute(invocation.args, base_url),
            "env": substitute(invocation.env, base_url),
        }
    )
    scenario = scenario.model_copy(update={"env": substitute(scenario.env, base_url)})
    if thread_id is not None:
        invocation = invocation.model_copy(
            update={
                "args": [a.replace(THREAD_PLACEHOLDER, thread_id) for a in invocation.args],
                "prompt": None
                if invocation.prompt is None
                else invocation.prompt.replace(THREAD_PLACEHOLDER, thread_id),
            }
        )
    if invocation.argv is not None:
        invocation = invocation.model_copy(
            update={"argv": [_substitute_threads(a, seen) for a in invocation.argv]}
        )
    argv = build_argv(binary, scenario, invocation, values)
    report = layout.root / f"leftovers-{time.monotonic_ns()}.json"
    wrapped = [sys.executable, "-I", str(REAPER), str(report), "--", *argv]
    started = time.monotonic()
    tty_master: int | None = None
    stdin: int = subprocess.PIPE
    if invocation.stdin_tty:
        tty_master, tty_slave = pty.openpty()
        stdin = tty_slave
    proc = subprocess.Popen(
        wrapped,
        cwd=layout.workspace,
        env=build_env(layout, scenario, invocation.env, values),
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    if tty_master is not None:
        os.close(stdin)
        if invocation.stdin:
            # typed at the terminal, then ^D (end of input) on a line of its own
            os.write(tty_master, invocation.stdin.encode() + b"\x04")
    timed_out = False
    stdin_bytes = None if invocation.stdin_tty else _stdin_bytes(invocation)
    try:
        out, err = proc.communicate(stdin_bytes, timeout=invocation.timeout_s)
    except subprocess.TimeoutExpired:
        timed_out = True
        _kill_group(proc)
        out, err = proc.communicate()
    finally:
        if tty_master is not None:
            os.close(tty_master)
    duration = time.monotonic() - started
    _kill_group(proc)  # reap anything the agent left running in the background
    leftovers: tuple[tuple[str, ...], ...] = ()
    try:
        reaped = json.loads(report.read_text(encoding="utf-8"))
        report.unlink()
    except (OSError, ValueError):
        reaped = {}  # the wrapper itself was killed (timeout): nothing was reported
    if "spawn_error" in reaped:
        raise ParityError(f"cannot start {binary.label}: {reaped['spawn_error']}")
    leftovers = tuple(tuple(c) for c in reaped.get("leftovers", []))
    return RunRecord(
        argv=tuple(argv),
        exit_code=None if timed_out else proc.returncode,
        timed_out=timed_out,
        stdout=out.decode("utf-8", "replace"),
        stderr=err.decode("utf-8", "replace"),
        duration_s=duration,
        leftovers=leftovers,
        json_output=invocation.json_output,
    )


def run_side(binary: Binary, scenario: Scenario, root: Path) -> SideResult:
    """Prepare ``root``, serve the scenario's script and run every invocation of ``binary``."""
    layout = SideLayout(root)
    dates = _today()
    runs: list[RunRecord] = []
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
        prepare_side(layout, scenario, server.base_url, values)
        env = build_env(layout, scenario, None, values)
        stack.enter_context(background_servers(scenario, layout, ports, values, env))
        thread_id: str | None = None
        for invocation in scenario.invocations():
            record = run_invocation(
                binary,
                scenario,
                invocation,
                layout,
                thread_id=thread_id,
                seen="".join(r.stdout + r.stderr for r in runs),
                base_url=server.base_url,
                values=values,
            )
            runs.append(record)
            thread_id = _thread_id(record.stdout) or thread_id
        requests = tuple(
            RecordedCall(
                r.method, r.path, dict(r.headers), _decode_body(r.body), server.conversation_of(r)
            )
            for r in server.requests
            if not any(fnmatchcase(f"{r.method} {r.path}", p) for p in scenario.ignore_requests)
        )
    dates |= _today()
    return SideResult(
        binary=binary,
        root=root,
        runs=tuple(runs),
        requests=requests,
        workspace=snapshot_tree(layout.workspace),
        outside=snapshot_tree(layout.outside),
        modes={
            **{f"ws/{k}": v for k, v in snapshot_modes(layout.workspace).items()},
            **{f"outside/{k}": v for k, v in snapshot_modes(layout.outside).items()},
        },
        git=git_state(layout.workspace),
        home=home_state(layout.home),
        home_snapshot=snapshot_home(layout.home, scenario.home_snapshot, scenario.home_sqlite),
        tmp=snapshot_tree(layout.tmp),
        dates=tuple(sorted(dates)),
    )


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        return
