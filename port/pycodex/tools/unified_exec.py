"""Unified exec: ``exec_command`` starts a process, ``write_stdin`` talks to one still running.

A command runs until it exits or its yield time passes; in the second case it
keeps running as a session the model can poll or feed through ``write_stdin``.
Output is merged stdout/stderr (or a PTY when ``tty`` is set), reported in the
upstream text format with a random chunk id and middle truncation.
"""

from __future__ import annotations

import collections
import fcntl
import os
import pty
import random
import signal
import subprocess
import termios
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pycodex.config.models import TruncationPolicy, history_token_budget
from pycodex.shell import shell_for
from pycodex.shell_quote import join as shell_join
from pycodex.truncation import (
    approx_token_count,
    formatted_truncate_bytes,
    formatted_truncate_tokens,
)

MIN_YIELD_TIME_MS = 250
MIN_EMPTY_YIELD_TIME_MS = 5_000
MAX_YIELD_TIME_MS = 30_000
DEFAULT_YIELD_TIME_MS = 10_000
DEFAULT_WRITE_YIELD_TIME_MS = 250
MAX_BACKGROUND_TERMINAL_TIMEOUT_MS = 300_000
DEFAULT_MAX_OUTPUT_TOKENS = 10_000
MAX_SESSIONS = 64
#: How long a launcher gets to clean up after SIGTERM before its group is killed.
_LAUNCHER_EXIT_S = 10.0
#: Output retained per command (and per poll): the first and last half MiB.
UNIFIED_EXEC_OUTPUT_MAX_BYTES = 1024 * 1024

UNIFIED_EXEC_ENV: Mapping[str, str] = {
    "NO_COLOR": "1",
    "TERM": "dumb",
    "LANG": "C.UTF-8",
    "LC_CTYPE": "C.UTF-8",
    "LC_ALL": "C.UTF-8",
    "COLORTERM": "",
    "PAGER": "cat",
    "GIT_PAGER": "cat",
    "GH_PAGER": "cat",
    "CODEX_CI": "1",
}


# ferry: codex_core::unified_exec::clamp_yield_time @ 1d092cb66
def clamp_yield(ms: float | None, default: int) -> float:
    value = default if ms is None else ms
    return min(max(value, MIN_YIELD_TIME_MS), MAX_YIELD_TIME_MS) / 1000.0


# ferry: codex_core::unified_exec::generate_chunk_id @ 1d092cb66
def generate_chunk_id() -> str:
    return "".join(random.choice("0123456789abcdef") for _ in range(6))


# ferry: codex_core::unified_exec::head_tail_buffer::HeadTailBuffer @ 1d092cb66
class HeadTailBuffer:
    """Keeps the first and last ``max_bytes / 2`` bytes of a stream, counting the rest.

    Memory stays bounded however much a command prints: the middle is dropped
    as it arrives and only its size is remembered.
    """

    def __init__(self, max_bytes: int = UNIFIED_EXEC_OUTPUT_MAX_BYTES) -> None:
        self.head_budget = max_bytes // 2
        self.tail_budget = max_bytes - self.head_budget
        self.head = bytearray()
        self.tail: collections.deque[bytes] = collections.deque()
        self.tail_bytes = 0
        self.omitted = 0
        self.total = 0

    # ferry: codex_core::unified_exec::head_tail_buffer::HeadTailBuffer::push_chunk @ 1d092cb66
    def push(self, chunk: bytes) -> None:
        self.total += len(chunk)
        room = self.head_budget - len(self.head)
        if room > 0:
            self.head += chunk[:room]
            chunk = chunk[room:]
        if not chunk:
            return
        if self.tail_budget == 0:
            self.omitted += len(chunk)
            return
        if len(chunk) >= self.tail_budget:
            self.omitted += self.tail_bytes + len(chunk) - self.tail_budget
            self.tail.clear()
            self.tail.append(chunk[-self.tail_budget :])
            self.tail_bytes = self.tail_budget
            return
        self.tail.append(chunk)
        self.tail_bytes += len(chunk)
        excess = self.tail_bytes - self.tail_budget
        while excess > 0:
            front = self.tail[0]
            if len(front) <= excess:
                self.tail.popleft()
                self.tail_bytes -= len(front)
                self.omitted += len(front)
                excess -= len(front)
            else:
                self.tail[0] = front[excess:]
                self.tail_bytes -= excess
                self.omitted += excess
                excess = 0

    # ferry: port-only -- renders the retained bytes with 0.169.0's omitted-bytes marker
    def render(self, *, marker_first: bool = False) -> bytes:
        """Head and tail; when bytes were dropped, upstream's ``... N bytes omitted ...``
        marker goes between them (``aggregated_output``) or first (the model's text)."""
        tail = b"".join(self.tail)
        if not self.omitted:
            return bytes(self.head) + tail
        if marker_first:
            return f"... {self.omitted} bytes omitted ...\n\n".encode() + bytes(self.head) + tail
        return bytes(self.head) + f"\n... {self.omitted} bytes omitted ...\n".encode() + tail


# ferry: codex_core::tools::context::ExecCommandToolOutput @ 1d092cb66
@dataclass(frozen=True)
class ExecOutput:
    """One answer of exec_command / write_stdin, rendered by :meth:`response_text`."""

    chunk_id: str
    wall_time: float
    output: str
    exit_code: int | None
    session_id: int | None
    max_output_tokens: int
    #: Bytes the command printed in this window (more than ``output`` holds when capped).
    original_bytes: int | None = None
    #: the model's truncation policy; the answer is fitted into its history budget.
    policy: TruncationPolicy | None = None

    # ferry: codex_core::tools::context::ExecCommandToolOutput::response_text @ 1d092cb66 -- its original token count
    @property
    def original_token_count(self) -> int:
        """Tokens of the raw bytes, as upstream counts them (4 bytes a token)."""
        if self.original_bytes is not None:
            return (self.original_bytes + 3) // 4
        return approx_token_count(self.output)

    # ferry: codex_core::tools::context::ExecCommandToolOutput::truncated_output @ 1d092cb66
    def truncated_output(self, max_tokens: int | None = None) -> str:
        """The output cut to ``max_tokens`` (default: the call's), by bytes under a byte policy."""
        budget = self.max_output_tokens if max_tokens is None else max_tokens
        if self.policy is not None and self.policy.mode == "bytes":
            text = formatted_truncate_bytes(self.output, min(budget * 4, self.policy.limit))
        else:
            text = formatted_truncate_tokens(self.output, budget)
        if text != self.output:
            return f"Warning: truncated output (original token count: {self.original_token_count})\n{text}"
        return text

    # ferry: port-only -- the header lines shared by response_text and its budget computation
    def _sections(self) -> list[str]:
        sections = [f"Chunk ID: {self.chunk_id}", f"Wall time: {self.wall_time:.4f} seconds"]
        if self.exit_code is not None:
            sections.append(f"Process exited with code {self.exit_code}")
        if self.session_id is not None:
            sections.append(f"Process running with session ID {self.session_id}")
        sections.append(f"Original token count: {self.original_token_count}")
        sections.append("Output:")
        return sections

    # ferry: codex_core::tools::context::ExecCommandToolOutput::response_text @ 1d092cb66 -- 0.169.0 fits the history budget
    def response_text(self) -> str:
        """The answer to the model. Under a truncation policy the output keeps at most the
        policy's limit, and only what fits, beside the header, in its history budget (1.2x)."""
        sections = self._sections()
        budget = self.max_output_tokens
        if self.policy is not None:
            skeleton = "\n".join([*sections, self.truncated_output(0)])
            room = history_token_budget(self.policy) - approx_token_count(skeleton)
            budget = max(0, min(budget, room, self.policy.token_budget()))
        return "\n".join([*sections, self.truncated_output(budget)])


# ferry: codex_core::unified_exec::errors::UnifiedExecError::StdinClosed @ 1d092cb66 -- 0.169.0 wording
class StdinClosed(OSError):
    """write_stdin to a session started without a tty (its stdin is closed)."""

    def __str__(self) -> str:
        return (
            "stdin is closed for this session; rerun exec_command with tty=true to keep stdin open"
        )


def _controlling_tty() -> None:
    """In the child, after ``setsid``: make the pty on stdin the controlling terminal, so the
    line discipline turns ^C/^Z/^\\ into signals for the foreground process group.

    The terminal's signals get their default actions back, as codex's pty spawn does: a
    pycodex started in the background of a non-interactive shell ignores SIGINT and SIGQUIT,
    and the command would inherit that and survive ^C."""
    for signum in (signal.SIGINT, signal.SIGQUIT, signal.SIGTSTP, signal.SIGHUP):
        signal.signal(signum, signal.SIG_DFL)
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


@dataclass
class _Process:
    """A running child; what it printed is kept in capped head/tail buffers."""

    popen: subprocess.Popen[bytes]
    command: list[str]
    master_fd: int | None
    #: Everything printed (for ``aggregated_output``), capped.
    aggregate: HeadTailBuffer = field(default_factory=HeadTailBuffer)
    #: Printed since the model last saw output, capped.
    pending: HeadTailBuffer = field(default_factory=HeadTailBuffer)
    lock: threading.Condition = field(default_factory=threading.Condition)
    reader_done: bool = False
    #: called with every chunk of output as it is read (the app server streams it)
    on_output: Callable[[str], None] | None = None

    def start_reader(self) -> None:
        threading.Thread(target=self._read_loop, daemon=True).start()

    def _read_loop(self) -> None:
        fd = self.master_fd if self.master_fd is not None else self.popen.stdout.fileno()  # type: ignore[union-attr]
        try:
            while True:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                with self.lock:
                    self.aggregate.push(chunk)
                    self.pending.push(chunk)
                    self.lock.notify_all()
                    listener = self.on_output
                if listener is not None:
                    listener(chunk.decode("utf-8", "replace"))
        finally:
            self.popen.wait()
            with self.lock:
                self.reader_done = True
                self.lock.notify_all()

    def wait_until(self, deadline: float) -> None:
        """Block until the process has exited and its output is drained, or the deadline."""
        with self.lock:
            while not self.reader_done:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return
                self.lock.wait(remaining)

    def take_new_output(self) -> tuple[bytes, int]:
        """What arrived since the last call (capped, marker first) and its real size."""
        with self.lock:
            data = self.pending.render(marker_first=True)
            total = self.pending.total
            self.pending = HeadTailBuffer()
            return data, total

    def all_output(self) -> bytes:
        with self.lock:
            return self.aggregate.render()

    @property
    def exit_code(self) -> int | None:
        if not self.reader_done:
            return None
        code = self.popen.returncode
        if code is not None and code < 0:
            return 128 - code
        return code

    # ferry: codex_core::unified_exec::process::UnifiedExecProcess::write @ 1d092cb66 -- nearest item; 0.169.0 stdin-closed check -- 0.169.0: only tty sessions
    @property
    def has_stdin(self) -> bool:
        """Only a tty session can be written to: without one, stdin is /dev/null."""
        return self.master_fd is not None

    def write(self, data: bytes) -> None:
        if self.master_fd is None:
            raise StdinClosed()
        os.write(self.master_fd, data)

    def kill(self) -> None:
        """Stop the command and everything it started.

        The child is pycodex's launcher (``sandbox/_launch.py``): SIGTERM makes it
        kill the command and every descendant, then remove the mount points its
        sandbox created. Then the launcher's process group is killed outright,
        which also ends background jobs of a command that has already exited.
        """
        if self.popen.poll() is None:
            try:
                self.popen.terminate()
                self.popen.wait(timeout=_LAUNCHER_EXIT_S)
            except (OSError, subprocess.TimeoutExpired):
                pass
        try:
            # Whatever is left in the group: background jobs, or a stuck launcher.
            os.killpg(self.popen.pid, signal.SIGKILL)
        except OSError:
            if self.popen.poll() is None:
                self.popen.kill()


# ferry: codex_core::unified_exec::process_state::ProcessState @ 1d092cb66 -- what the turn needs to report the call
@dataclass(frozen=True)
class ExecResult:
    """What the agent loop needs to report one exec_command call."""

    output: ExecOutput
    command: list[str]
    aggregated_output: str


# ferry: codex_core::unified_exec::UnifiedExecProcessManager @ 1d092cb66
class UnifiedExecManager:
    """Owns the running sessions of one conversation."""

    def __init__(
        self,
        max_poll_ms: int = MAX_BACKGROUND_TERMINAL_TIMEOUT_MS,
        policy: TruncationPolicy | None = None,
    ) -> None:
        self.policy = policy
        #: ``background_terminal_max_timeout``: the longest an empty write_stdin waits.
        self.max_poll_ms = max_poll_ms
        self._sessions: dict[int, _Process] = {}
        self._spawned: list[_Process] = []  # everything started, for shutdown
        self._lock = threading.Lock()

    # ferry: codex_core::shell::Shell::derive_exec_args @ 1d092cb66
    def shell_argv(self, cmd: str, shell: str | None, login: bool) -> list[str]:
        return [shell_for(shell).path, "-lc" if login else "-c", cmd]

    # ferry: codex_core::unified_exec::process_manager::UnifiedExecProcessManager::open_session_with_sandbox @ 1d092cb66
    # ferry: codex_core::unified_exec::process_manager::apply_unified_exec_env @ 1d092cb66
    def spawn(
        self,
        argv: Sequence[str],
        display_command: Sequence[str],
        cwd: Path,
        env: Mapping[str, str],
        tty: bool,
        on_output: Callable[[str], None] | None = None,
    ) -> _Process:
        full_env = {**env, **UNIFIED_EXEC_ENV}
        master_fd: int | None = None
        if tty:
            master_fd, slave_fd = pty.openpty()
            try:
                popen = subprocess.Popen(
                    list(argv),
                    cwd=cwd,
                    env=full_env,
                    stdin=slave_fd,
                    stdout=slave_fd,
                    stderr=slave_fd,
                    start_new_session=True,
                    close_fds=True,
                    preexec_fn=_controlling_tty,
                )
            except BaseException:
                os.close(master_fd)
                raise
            finally:
                os.close(slave_fd)
        else:
            popen = subprocess.Popen(
                list(argv),
                cwd=cwd,
                env=full_env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                close_fds=True,
            )
        process = _Process(
            popen=popen, command=list(display_command), master_fd=master_fd, on_output=on_output
        )
        process.start_reader()
        with self._lock:
            self._spawned = [p for p in self._spawned if not p.reader_done]
            self._spawned.append(process)
        return process

    # ferry: codex_core::unified_exec::process_manager::UnifiedExecProcessManager::exec_command @ 1d092cb66
    # ferry: codex_core::unified_exec::process_manager::UnifiedExecProcessManager::collect_output_until_deadline @ 1d092cb66
    def run(
        self,
        process: _Process,
        started: float,
        yield_time_ms: float | None,
        max_output_tokens: int | None,
    ) -> ExecResult:
        """Collect output until exit or yield; keep the process as a session if still running."""
        process.wait_until(started + clamp_yield(yield_time_ms, DEFAULT_YIELD_TIME_MS))
        return self._report(process, started, max_output_tokens, register=True)

    # ferry: codex_core::unified_exec::process_manager::UnifiedExecProcessManager::write_stdin @ 1d092cb66
    def write_stdin(
        self,
        session_id: int,
        chars: str,
        yield_time_ms: float | None,
        max_output_tokens: int | None,
    ) -> ExecResult:
        with self._lock:
            process = self._sessions.get(session_id)
        if process is None:
            raise KeyError(session_id)
        started = time.monotonic()
        if chars:
            process.write(chars.encode())
            wait = clamp_yield(yield_time_ms, DEFAULT_WRITE_YIELD_TIME_MS)
        else:
            requested = MIN_EMPTY_YIELD_TIME_MS if yield_time_ms is None else yield_time_ms
            wait = min(max(requested, MIN_EMPTY_YIELD_TIME_MS), self.max_poll_ms) / 1000.0
        process.wait_until(started + wait)
        return self._report(
            process, started, max_output_tokens, register=False, session_id=session_id
        )

    def _report(
        self,
        process: _Process,
        started: float,
        max_output_tokens: int | None,
        *,
        register: bool,
        session_id: int | None = None,
    ) -> ExecResult:
        data, total = process.take_new_output()
        text = data.decode("utf-8", "replace")
        exit_code = process.exit_code
        if exit_code is None and register:
            session_id = self._register(process)
        elif exit_code is not None and session_id is not None:
            with self._lock:
                self._sessions.pop(session_id, None)
            session_id = None
        output = ExecOutput(
            chunk_id=generate_chunk_id(),
            wall_time=time.monotonic() - started,
            output=text,
            exit_code=exit_code,
            session_id=session_id if exit_code is None else None,
            max_output_tokens=DEFAULT_MAX_OUTPUT_TOKENS
            if max_output_tokens is None
            else max(max_output_tokens, 0),
            original_bytes=total,
            policy=self.policy,
        )
        return ExecResult(output, process.command, process.all_output().decode("utf-8", "replace"))

    def _register(self, process: _Process) -> int:
        with self._lock:
            if len(self._sessions) >= MAX_SESSIONS:
                oldest = next(iter(self._sessions))
                self._sessions.pop(oldest).kill()
            while True:
                session_id = random.randint(1000, 99999)
                if session_id not in self._sessions:
                    self._sessions[session_id] = process
                    return session_id

    # ferry: codex_core::unified_exec::process_manager::UnifiedExecProcessManager::refresh_process_state @ 1d092cb66 -- the command of a live session
    def command_of(self, session_id: int) -> list[str] | None:
        with self._lock:
            process = self._sessions.get(session_id)
        return process.command if process else None

    # ferry: codex_core::unified_exec::process_manager::UnifiedExecProcessManager::terminate_all_processes @ 1d092cb66
    def shutdown(self) -> None:
        """Kill every process still running: sessions and a command interrupted mid-yield."""
        with self._lock:
            processes = [*self._sessions.values(), *self._spawned]
            self._sessions.clear()
            self._spawned.clear()
        for process in processes:
            process.kill()


# ferry: codex_shell_command::parse_command::shlex_join @ 1d092cb66
def display_command(argv: Sequence[str]) -> str:
    return shell_join(argv)
