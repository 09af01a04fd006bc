"""Synthetic mount points: the registry, leftovers, and cleanup under concurrency."""

from __future__ import annotations

import fcntl
import os
import subprocess
from pathlib import Path

import pytest
from pycodex.sandbox import wrap_command
from pycodex.sandbox.mount_targets import (
    is_synthetic_leftover,
    mount_target,
    registry_dir,
    sweep_registry,
)
from sandbox_helpers import run_sandboxed, sh, workspace_write


def test_registry_is_private(tmp_path: Path) -> None:
    registry = registry_dir(tmp_path)
    assert registry is not None
    assert registry.stat().st_mode & 0o777 == 0o700
    registry.chmod(0o777)
    assert registry_dir(tmp_path) is None, "a registry others can write must not be trusted"


def test_leftover_detection(tmp_path: Path) -> None:
    registry = registry_dir(tmp_path)
    assert registry is not None
    target = tmp_path / "ws" / ".codex"
    target.mkdir(parents=True)
    assert not is_synthetic_leftover(target, registry), "a user's own directory"
    mount_target(target, registry).marker.touch()
    assert is_synthetic_leftover(target, registry)
    (target / "config.toml").write_text("")
    assert not is_synthetic_leftover(target, registry), "not empty any more"


@pytest.mark.usefixtures("sandbox_ok", "registry_ok")
def test_concurrent_sandboxes_share_the_mask(workspace: Path) -> None:
    """A finishing sandbox must not remove the mask another one still relies on."""
    long_running = subprocess.Popen(
        wrap_command(
            sh("echo ready; read line; mkdir .codex/late 2>&1; echo done"),
            workspace_write(),
            workspace,
        ),
        cwd=workspace,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert long_running.stdout is not None and long_running.stdin is not None
        assert long_running.stdout.readline() == "ready\n"
        short = run_sandboxed(sh("touch .codex/x"), workspace_write(), workspace)
        assert short.returncode != 0
        assert (workspace / ".codex").is_dir(), "still in use by the first sandbox"
        long_running.stdin.write("go\n")
        long_running.stdin.flush()
        rest = long_running.stdout.read()
        assert long_running.wait(timeout=10) == 0
    finally:
        long_running.kill()
        long_running.wait()
    assert "Read-only file system" in rest
    assert not os.path.lexists(workspace / ".codex")


@pytest.mark.usefixtures("sandbox_ok")
def test_users_own_dot_codex_is_never_removed(workspace: Path) -> None:
    (workspace / ".codex").mkdir()
    proc = run_sandboxed(sh("true"), workspace_write(), workspace)
    assert proc.returncode == 0
    assert (workspace / ".codex").is_dir()


def test_sweep_removes_untracked_unheld_locks_only(tmp_path: Path) -> None:
    registry = registry_dir(tmp_path)
    assert registry is not None
    stale = mount_target(tmp_path / "a", registry).lock
    held = mount_target(tmp_path / "b", registry).lock
    tracked = mount_target(tmp_path / "c", registry)
    for lock in (stale, held, tracked.lock):
        lock.write_text("")
    tracked.marker.write_text("")
    fd = os.open(held, os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_SH)
    try:
        assert sweep_registry(registry) == 1
    finally:
        os.close(fd)
    assert not stale.exists() and held.exists() and tracked.lock.exists()
