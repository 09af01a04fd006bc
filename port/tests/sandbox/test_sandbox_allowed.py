"""What the sandbox must still allow: writes to writable roots, network when enabled."""

from __future__ import annotations

import os
import socket
import subprocess
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from pycodex.sandbox import SandboxMode, SandboxPolicy
from sandbox_helpers import Sandbox, py, sh, workspace_write


@pytest.fixture
def echo_server() -> Iterator[int]:
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(1)

    def serve() -> None:
        conn, _ = server.accept()
        with conn:
            conn.sendall(b"pong:" + conn.recv(10))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        server.close()


def test_workspace_write_can_write_cwd_and_tmp(sandbox: Sandbox, workspace: Path) -> None:
    tmp_file = Path("/tmp") / f"pycodex-sandbox-{uuid.uuid4().hex}"
    try:
        proc = sandbox.run(
            sh(f"echo in-ws > made && mkdir -p sub/dir && echo t > {tmp_file} && cat made"),
            workspace_write(),
            workspace,
        )
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout == "in-ws\n"
        assert (workspace / "made").read_text() == "in-ws\n"
        assert (workspace / "sub" / "dir").is_dir()
        assert tmp_file.read_text() == "t\n"
    finally:
        tmp_file.unlink(missing_ok=True)


def test_extra_writable_root_is_writable(
    sandbox: Sandbox, workspace: Path, outside_dir: Path
) -> None:
    policy = workspace_write([outside_dir])
    proc = sandbox.run(sh(f"echo extra > {outside_dir}/f"), policy, workspace)
    assert proc.returncode == 0, proc.stderr
    assert (outside_dir / "f").read_text() == "extra\n"


def test_tmpdir_env_var_root_is_writable(
    sandbox: Sandbox, workspace: Path, outside_dir: Path
) -> None:
    policy = SandboxPolicy(SandboxMode.WORKSPACE_WRITE, tmpdir=str(outside_dir))
    proc = sandbox.run(sh(f"touch {outside_dir}/via-tmpdir"), policy, workspace)
    assert proc.returncode == 0, proc.stderr
    assert (outside_dir / "via-tmpdir").exists()


def test_read_only_can_read_everything(sandbox: Sandbox, workspace: Path) -> None:
    proc = sandbox.run(
        sh("cat README && head -c 5 /etc/hostname >/dev/null && ls / >/dev/null"),
        SandboxPolicy.read_only(),
        workspace,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "hello\n"


def test_exit_code_and_cwd_pass_through(sandbox: Sandbox, workspace: Path) -> None:
    proc = sandbox.run(sh("pwd; exit 7"), SandboxPolicy.read_only(), workspace)
    assert proc.returncode == 7
    assert proc.stdout.strip() == os.path.realpath(workspace)


@pytest.mark.parametrize("mode", ["read-only", "workspace-write"])
def test_network_allowed_when_enabled(
    sandbox: Sandbox, workspace: Path, echo_server: int, mode: str
) -> None:
    if mode == "read-only":
        policy = SandboxPolicy.read_only(network_access=True)
    else:
        policy = workspace_write(network_access=True)
    code = (
        "import socket\n"
        f"s = socket.create_connection(('127.0.0.1', {echo_server}), timeout=5)\n"
        "s.sendall(b'hi'); print(s.recv(20).decode())\n"
    )
    proc = sandbox.run(py(code), policy, workspace)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "pong:hi"


def test_network_allowed_still_keeps_filesystem_sandbox(
    sandbox: Sandbox, workspace: Path, outside_dir: Path
) -> None:
    proc = sandbox.run(
        sh(f"touch {outside_dir}/x"), workspace_write(network_access=True), workspace
    )
    assert proc.returncode != 0
    assert not (outside_dir / "x").exists()


def test_danger_full_access_runs_unchanged(
    sandbox: Sandbox, workspace: Path, outside_dir: Path
) -> None:
    argv = ["/bin/sh", "-c", f"touch {outside_dir}/anywhere"]
    assert sandbox.wrap(argv, SandboxPolicy.danger_full_access(), workspace) == argv
    subprocess.run(argv, check=True)
    assert (outside_dir / "anywhere").exists()
