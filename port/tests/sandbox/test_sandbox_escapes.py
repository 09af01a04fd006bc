"""Escape attempts under read-only and workspace-write: every one must fail closed.

These run the real sandbox (bubblewrap + seccomp). Each attempt also checks the
host afterwards, so a sandbox that merely *reports* failure is not enough.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pycodex.sandbox import SandboxPolicy, is_likely_sandbox_denied, landlock
from sandbox_helpers import Sandbox, py, sh, workspace_write

RESTRICTED = {
    "read-only": lambda: SandboxPolicy.read_only(),
    "workspace-write": lambda: workspace_write(),
}


@pytest.fixture(params=sorted(RESTRICTED))
def restricted(request: pytest.FixtureRequest) -> SandboxPolicy:
    policy: SandboxPolicy = RESTRICTED[request.param]()
    return policy


@pytest.fixture
def tcp_server() -> Iterator[tuple[int, list[bytes]]]:
    """A TCP server on 127.0.0.1 outside the sandbox, recording what it receives."""
    received: list[bytes] = []
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    server.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(2)
                try:
                    received.append(conn.recv(100))
                    conn.sendall(b"pong")
                except OSError:
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1], received
    finally:
        stop.set()
        thread.join(timeout=5)
        server.close()


def _connect_code(port: int) -> str:
    return (
        "import socket\n"
        f"s = socket.create_connection(('127.0.0.1', {port}), timeout=3)\n"
        "s.sendall(b'ping'); print(s.recv(10).decode())\n"
    )


# --- filesystem ---------------------------------------------------------------------------


def test_write_outside_writable_roots_fails(
    sandbox: Sandbox, restricted: SandboxPolicy, workspace: Path, outside_dir: Path
) -> None:
    target = outside_dir / "escaped"
    proc = sandbox.run(sh(f"echo x > {target}"), restricted, workspace)
    assert proc.returncode != 0
    assert "Read-only file system" in proc.stderr or "Permission denied" in proc.stderr
    assert not target.exists()
    assert is_likely_sandbox_denied(proc.returncode, proc.stderr)


def test_read_only_cannot_write_the_workspace(sandbox: Sandbox, workspace: Path) -> None:
    proc = sandbox.run(
        sh("echo x > new-file; echo y >> README"), SandboxPolicy.read_only(), workspace
    )
    assert proc.returncode != 0
    assert not (workspace / "new-file").exists()
    assert (workspace / "README").read_text() == "hello\n"


def test_workspace_write_excluded_tmp_is_read_only(
    sandbox: Sandbox, workspace: Path, tmp_path: Path
) -> None:
    sibling = tmp_path / "sibling"
    sibling.mkdir()
    policy = workspace_write(exclude_slash_tmp=True)
    proc = sandbox.run(sh(f"touch {sibling}/f"), policy, workspace)
    assert proc.returncode != 0
    assert not (sibling / "f").exists()


def test_git_dir_stays_read_only(
    sandbox: Sandbox, restricted: SandboxPolicy, workspace: Path
) -> None:
    sandbox.require_bwrap(".git carve-outs")
    hook = workspace / ".git" / "hooks" / "pre-commit"
    script = (
        "echo 'curl evil' >> .git/hooks/pre-commit; "
        "touch .git/new; "
        "rm -rf .git; "
        "mv .git .git-moved; "
        "umount .git; "
        "exit 1"
    )
    proc = sandbox.run(sh(script), restricted, workspace)
    assert proc.returncode != 0
    assert hook.read_text() == "#!/bin/sh\nexit 0\n"
    assert not (workspace / ".git" / "new").exists()
    assert not (workspace / ".git-moved").exists()


def test_gitdir_pointer_target_stays_read_only(sandbox: Sandbox, tmp_path: Path) -> None:
    """A worktree's ``.git`` file points elsewhere; that git dir is protected too."""
    sandbox.require_bwrap(".git carve-outs")
    ws = tmp_path / "worktree"
    ws.mkdir()
    real_git = tmp_path / "repo-git" / "worktrees" / "wt"
    real_git.mkdir(parents=True)
    (ws / ".git").write_text(f"gitdir: {real_git}\n")
    policy = workspace_write()  # /tmp is writable, so real_git sits under a writable root
    proc = sandbox.run(sh(f"touch {real_git}/HEAD; echo x > .git"), policy, ws)
    assert proc.returncode != 0
    assert not (real_git / "HEAD").exists()
    assert (ws / ".git").read_text() == f"gitdir: {real_git}\n"


def test_dot_codex_stays_read_only(sandbox: Sandbox, workspace: Path) -> None:
    sandbox.require_bwrap(".codex carve-outs")
    (workspace / ".codex").mkdir()
    proc = sandbox.run(
        sh("echo 'sandbox_mode=1' > .codex/config.toml"), workspace_write(), workspace
    )
    assert proc.returncode != 0
    assert not (workspace / ".codex" / "config.toml").exists()


@pytest.mark.usefixtures("registry_ok")
def test_missing_dot_codex_cannot_be_created_and_leaves_no_trace(
    sandbox: Sandbox, workspace: Path
) -> None:
    sandbox.require_bwrap(".codex carve-outs")
    assert not (workspace / ".codex").exists()
    script = "ls -ld .codex; mkdir -p .codex/rules; echo x > .codex/config.toml; rmdir .codex"
    proc = sandbox.run(sh(script), workspace_write(), workspace)
    assert proc.returncode != 0
    assert "Read-only file system" in proc.stderr or "Device or resource busy" in proc.stderr
    # The mask's mount point is removed once the command has finished.
    assert not os.path.lexists(workspace / ".codex")


@pytest.mark.usefixtures("registry_ok")
def test_killed_sandbox_still_cleans_up_mount_points(sandbox: Sandbox, workspace: Path) -> None:
    sandbox.require_bwrap(".codex carve-outs")
    argv = sandbox.wrap(sh("echo started; exec sleep 30"), workspace_write(), workspace)
    child = subprocess.Popen(argv, cwd=workspace, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        assert child.stdout.readline() == "started\n"
        assert (workspace / ".codex").is_dir()  # bubblewrap's mount point, for now
        child.send_signal(signal.SIGTERM)
        assert child.wait(timeout=10) == -signal.SIGTERM
    finally:
        child.kill()
        child.wait()
    assert not os.path.lexists(workspace / ".codex")


def test_remount_root_writable_fails(
    sandbox: Sandbox, restricted: SandboxPolicy, workspace: Path, outside_dir: Path
) -> None:
    target = outside_dir / "after-remount"
    script = (
        "mount -o remount,rw / ; "
        "mount -o remount,rw,bind / ; "
        f"unshare -Um sh -c 'mount -o remount,rw / ; touch {target}' ; "
        f"touch {target}"
    )
    proc = sandbox.run(sh(script), restricted, workspace)
    assert proc.returncode != 0
    assert not target.exists()


def test_capabilities_are_all_dropped(
    sandbox: Sandbox, restricted: SandboxPolicy, workspace: Path
) -> None:
    code = (
        "import os\n"
        "caps = {l.split(':')[0]: int(l.split()[1], 16) for l in open('/proc/self/status') if l.startswith('Cap')}\n"
        "print(caps)\n"
        "assert all(v == 0 for v in caps.values()), caps\n"
        "for attempt in (lambda: os.setuid(4242), lambda: os.setgroups([4242]), lambda: os.chroot('/tmp')):\n"
        "    try:\n"
        "        attempt()\n"
        "    except OSError as e:\n"
        "        print('denied', e.errno)\n"
        "    else:\n"
        "        raise SystemExit('privileged call succeeded')\n"
    )
    proc = sandbox.run(py(code), restricted, workspace)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("denied") == 3


# --- processes ------------------------------------------------------------------------------


def test_cannot_ptrace_or_read_memory_of_outside_process(
    sandbox: Sandbox, restricted: SandboxPolicy, workspace: Path
) -> None:
    outside = subprocess.Popen(["sleep", "30"])
    try:
        code = (
            "import ctypes, os\n"
            "libc = ctypes.CDLL(None, use_errno=True)\n"
            f"pid = {outside.pid}\n"
            "r = libc.ptrace(16, pid, None, None)\n"  # PTRACE_ATTACH
            "print('attach', r, ctypes.get_errno())\n"
            "assert r == -1\n"
            "try:\n"
            "    open(f'/proc/{pid}/mem', 'rb').read(1)\n"
            "except OSError as e:\n"
            "    print('mem denied', e.errno)\n"
            "else:\n"
            "    raise SystemExit('read outside memory')\n"
            "try:\n"
            "    os.kill(pid, 9)\n"
            "except OSError as e:\n"
            "    print('kill denied', e.errno)\n"
            "else:\n"
            "    raise SystemExit('killed outside process')\n"
        )
        if sandbox.landlock and landlock.abi_version() < 6:
            # Without Landlock signal scoping (ABI 6), uid 0 may signal uid 0.
            code = code[: code.index("try:\n    os.kill")]
        proc = sandbox.run(py(code), restricted, workspace)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "mem denied" in proc.stdout
        assert outside.poll() is None, "the outside process must survive"
        if "os.kill" in code:
            assert "kill denied" in proc.stdout
    finally:
        outside.kill()
        outside.wait()


def test_ptrace_is_denied_by_seccomp(
    sandbox: Sandbox, restricted: SandboxPolicy, workspace: Path
) -> None:
    code = (
        "import ctypes\n"
        "libc = ctypes.CDLL(None, use_errno=True)\n"
        "r = libc.ptrace(0, 0, None, None)\n"  # PTRACE_TRACEME
        "print(r, ctypes.get_errno())\n"
    )
    proc = sandbox.run(py(code), restricted, workspace)
    assert proc.stdout.split() == ["-1", str(1)]  # EPERM


# --- network ---------------------------------------------------------------------------------


def test_network_connect_to_host_server_fails(
    sandbox: Sandbox,
    restricted: SandboxPolicy,
    workspace: Path,
    tcp_server: tuple[int, list[bytes]],
) -> None:
    port, received = tcp_server
    proc = sandbox.run(py(_connect_code(port)), restricted, workspace)
    assert proc.returncode != 0
    assert "pong" not in proc.stdout
    assert received == []


def test_inet_sockets_cannot_be_created(
    sandbox: Sandbox, restricted: SandboxPolicy, workspace: Path
) -> None:
    code = (
        "import socket\n"
        "for fam in (socket.AF_INET, socket.AF_INET6, socket.AF_NETLINK, socket.AF_PACKET):\n"
        "    try:\n"
        "        socket.socket(fam, socket.SOCK_DGRAM if fam != socket.AF_PACKET else socket.SOCK_RAW)\n"
        "    except PermissionError:\n"
        "        print('denied', fam)\n"
        "a, b = socket.socketpair(socket.AF_UNIX)\n"
        # send()/recv() map to sendto/recvfrom; upstream denies sendto, so use write/read.
        "import os; os.write(a.fileno(), b'unix ok'); print(os.read(b.fileno(), 10).decode())\n"
    )
    proc = sandbox.run(py(code), restricted, workspace)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("denied") == 4
    assert "unix ok" in proc.stdout


def test_network_disabled_env_var_is_set(
    sandbox: Sandbox, restricted: SandboxPolicy, workspace: Path
) -> None:
    proc = sandbox.run(sh("echo $CODEX_SANDBOX_NETWORK_DISABLED"), restricted, workspace)
    assert proc.stdout.strip() == "1"
