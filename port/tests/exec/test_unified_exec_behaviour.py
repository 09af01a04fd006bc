"""Unified exec details codex users see: tty semantics, closed stdin, shell snapshots, budgets."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from pycodex.config.models import TruncationPolicy
from pycodex.shell import Shell, default_user_shell, shell_for
from pycodex.tools.shell_snapshot import ShellSnapshot
from pycodex.tools.unified_exec import ExecOutput, StdinClosed, UnifiedExecManager


def _run(manager: UnifiedExecManager, cmd: str, *, tty: bool, cwd: Path) -> int | None:
    shell = default_user_shell()
    argv = [shell.path, "-c", cmd]
    process = manager.spawn(argv, argv, cwd, dict(os.environ), tty)
    result = manager.run(process, time.monotonic(), 250, None)
    return result.output.session_id


def test_pipe_sessions_have_no_stdin_and_refuse_writes(tmp_path: Path) -> None:
    manager = UnifiedExecManager()
    try:
        session = _run(manager, "sleep 5", tty=False, cwd=tmp_path)
        assert session is not None
        with pytest.raises(StdinClosed) as info:
            manager.write_stdin(session, "x\n", 250, None)
        assert "rerun exec_command with tty=true" in str(info.value)
    finally:
        manager.shutdown()


def test_control_c_reaches_a_tty_session_as_sigint(tmp_path: Path) -> None:
    manager = UnifiedExecManager()
    try:
        session = _run(manager, "echo ready; exec sleep 30", tty=True, cwd=tmp_path)
        assert session is not None
        result = manager.write_stdin(session, "\x03", 10_000, None)
        assert result.output.exit_code == 130  # killed by SIGINT via the line discipline
    finally:
        manager.shutdown()


def test_empty_polls_are_capped_by_the_configured_maximum(tmp_path: Path) -> None:
    manager = UnifiedExecManager(max_poll_ms=5_000)
    try:
        session = _run(manager, "sleep 60", tty=False, cwd=tmp_path)
        assert session is not None
        started = time.monotonic()
        result = manager.write_stdin(session, "", 600_000, None)
        assert result.output.exit_code is None
        assert time.monotonic() - started < 60  # returned at the cap, not after the command
    finally:
        manager.shutdown()


def _output(text: str, policy: TruncationPolicy | None, max_tokens: int = 10_000) -> ExecOutput:
    return ExecOutput("abc123", 0.1, text, 0, None, max_tokens, len(text.encode()), policy)


def test_answer_is_fitted_into_the_history_budget() -> None:
    rows = "".join(f"row {i}\n" for i in range(1, 301))
    fitted = _output(rows, TruncationPolicy("tokens", 50)).response_text()
    assert "…566 tokens truncated…" in fitted and len(fitted.encode()) <= 240
    nothing = _output(rows, TruncationPolicy("tokens", 20)).response_text()
    assert nothing.endswith("\n\n…573 tokens truncated…")
    by_bytes = _output(rows, TruncationPolicy("bytes", 80)).response_text()
    assert by_bytes.endswith("chars truncated…")
    untouched = _output("short\n", TruncationPolicy("tokens", 10_000)).response_text()
    assert untouched.endswith("Output:\nshort\n")


def test_original_token_count_counts_raw_bytes() -> None:
    out = ExecOutput("c", 0.0, "ok \ufffd\ufffd end\n", 0, None, 100, original_bytes=10)
    assert out.original_token_count == 3


def test_shell_resolution_like_upstream() -> None:
    assert shell_for("/bin/bash") == Shell("bash", "/bin/bash")
    assert shell_for("fish-or-whatever") == Shell("sh", "/bin/sh")
    assert shell_for(None) == default_user_shell()


def test_shell_snapshot_runs_commands_as_non_login_shells(tmp_path: Path) -> None:
    home = tmp_path / "home"
    snapshot = ShellSnapshot.create(home, "thread-1", tmp_path, Shell("bash", "/bin/bash"))
    if snapshot is None:
        pytest.skip("bash cannot be snapshotted here")
    try:
        assert snapshot.path.parent == home / "shell_snapshots"
        assert snapshot.path.read_text().startswith("# Snapshot file")
        argv = ["/bin/bash", "-lc", "shopt -q login_shell && echo login || echo plain"]
        wrapped = snapshot.wrap(argv, tmp_path, {"CODEX_THREAD_ID": "t"})
        assert wrapped[:2] == ["/bin/bash", "-c"] and "CODEX_THREAD_ID" in wrapped[2]
        import subprocess

        out = subprocess.run(wrapped, cwd=tmp_path, capture_output=True, text=True, check=True)
        assert out.stdout.strip() == "plain"
        # another directory, or a non-login command, runs unchanged
        assert snapshot.wrap(argv, tmp_path / "elsewhere", {}) == argv
        assert snapshot.wrap(["/bin/bash", "-c", "x"], tmp_path, {}) == ["/bin/bash", "-c", "x"]
    finally:
        snapshot.remove()
    assert not snapshot.path.exists()
