"""``pycodex sandbox``: flags, config precedence, exit codes and refusal without a sandbox."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pycodex.sandbox import sandbox_available, seccomp
from pycodex.sandbox.cli import parse_override

ENTRY = "import sys; from pycodex.cli import main; sys.argv[0] = 'pycodex'; main()"


def pycodex(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "CODEX_HOME": str(cwd / ".no-codex-home"), **(env or {})}
    return subprocess.run(
        [sys.executable, "-c", ENTRY, "sandbox", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.usefixtures("sandbox_ok")
class TestWithSandbox:
    def test_default_is_read_only(self, workspace: Path) -> None:
        proc = pycodex("--", "sh", "-c", "touch made", cwd=workspace)
        assert proc.returncode == 1
        assert "Read-only file system" in proc.stderr
        assert not (workspace / "made").exists()

    @pytest.mark.parametrize(
        "flags", [["-P", "workspace-write"], ["--full-auto"], ["-P", ":workspace"]]
    )
    def test_workspace_write_flags(self, workspace: Path, flags: list[str]) -> None:
        proc = pycodex(*flags, "--", "sh", "-c", "touch made && touch .git/x", cwd=workspace)
        assert (workspace / "made").exists()
        assert proc.returncode == 1
        assert not (workspace / ".git" / "x").exists()

    def test_linux_alias_and_exit_code(self, workspace: Path) -> None:
        proc = pycodex(
            "linux", "--full-auto", "--", "sh", "-c", "touch made; exit 42", cwd=workspace
        )
        assert proc.returncode == 42
        assert (workspace / "made").exists()

    def test_signal_death_maps_to_128_plus_signal(self, workspace: Path) -> None:
        proc = pycodex("--", "sh", "-c", "kill -TERM $$", cwd=workspace)
        assert proc.returncode == 128 + 15

    def test_cd_and_add_dir(self, workspace: Path, outside_dir: Path, tmp_path: Path) -> None:
        proc = pycodex(
            "-P", "workspace-write", "-C", str(workspace), "--add-dir", str(outside_dir),
            "--", "sh", "-c", f"touch made {outside_dir}/extra",
            cwd=tmp_path,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        assert (workspace / "made").exists()
        assert (outside_dir / "extra").exists()

    def test_config_file_and_overrides(self, workspace: Path, tmp_path: Path) -> None:
        home = tmp_path / "home"
        home.mkdir()
        (home / "config.toml").write_text('sandbox_mode = "workspace-write"\n')
        env = {"CODEX_HOME": str(home)}
        assert pycodex("--", "touch", "from-config", cwd=workspace, env=env).returncode == 0
        assert (workspace / "from-config").exists()
        proc = pycodex(
            "-c", 'sandbox_mode="read-only"', "--", "touch", "overridden", cwd=workspace, env=env
        )
        assert proc.returncode == 1
        assert not (workspace / "overridden").exists()

    def test_network_override(self, workspace: Path) -> None:
        code = "import socket; socket.socket(); print('inet ok')"
        blocked = pycodex("--full-auto", "--", sys.executable, "-c", code, cwd=workspace)
        assert blocked.returncode == 1
        allowed = pycodex(
            "--full-auto", "-c", "sandbox_workspace_write.network_access=true",
            "--", sys.executable, "-c", code, cwd=workspace,
        )  # fmt: skip
        assert allowed.returncode == 0, allowed.stderr
        assert allowed.stdout.strip() == "inet ok"

    def test_danger_full_access_is_not_sandboxed(self, workspace: Path, outside_dir: Path) -> None:
        proc = pycodex(
            "-P", "danger-full-access", "--", "touch", str(outside_dir / "f"), cwd=workspace
        )
        assert proc.returncode == 0
        assert (outside_dir / "f").exists()


def test_bad_config_is_reported_with_the_field(tmp_path: Path) -> None:
    proc = pycodex(
        "-P", "workspace-write", "-c", "sandbox_workspace_write.exclude_slash_tmp=1", "--", "true",
        cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 1
    assert "sandbox_workspace_write.exclude_slash_tmp: expected true or false" in proc.stderr


def test_missing_command_is_a_usage_error(tmp_path: Path) -> None:
    proc = pycodex(cwd=tmp_path)
    assert proc.returncode == 2
    assert "missing command" in proc.stderr


def _broken_bwrap_path(tmp_path: Path) -> dict[str, str]:
    """PATH with a bwrap that fails like one without user namespaces."""
    fake_bin = tmp_path / "fakebin"
    fake_bin.mkdir()
    fake = fake_bin / "bwrap"
    fake.write_text("#!/bin/sh\necho 'bwrap: No permissions to create new namespace' >&2\nexit 1\n")
    fake.chmod(0o755)
    return {"PATH": f"{fake_bin}:{os.environ.get('PATH', '/usr/bin:/bin')}"}


def _without_landlock(argv: list[str]) -> list[str]:
    """Run ``argv`` where the Landlock syscalls fail with ENOSYS, like an old kernel."""
    prog = seccomp._Program()
    prog.load(0)  # syscall number
    for nr in (444, 445, 446):
        prog.jump_eq(nr, true="enosys", false=None)
    prog.ret(seccomp.RET_ALLOW)
    prog.label("enosys")
    prog.ret(seccomp.RET_ERRNO | 38)
    setup = (
        "import ctypes, os, sys\n"
        "from pycodex.sandbox import landlock\n"
        "libc = ctypes.CDLL(None, use_errno=True)\n"
        "libc.prctl(38, 1, 0, 0, 0)\n"
        f"landlock.install_seccomp(bytes.fromhex('{prog.assemble().hex()}'), libc)\n"
        "os.execv(sys.argv[1], sys.argv[1:])\n"
    )
    return [sys.executable, "-c", setup, *argv]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux only")
def test_refuses_to_run_when_no_mechanism_works(tmp_path: Path) -> None:
    """bwrap cannot create namespaces and Landlock is missing: nothing may run."""
    ws = tmp_path / "ws"
    ws.mkdir()
    argv = _without_landlock(
        [sys.executable, "-c", ENTRY, "sandbox", "--full-auto", "--", "touch", "ran"]
    )
    env = {**os.environ, **_broken_bwrap_path(tmp_path), "CODEX_HOME": str(ws / ".h")}
    proc = subprocess.run(argv, cwd=ws, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1, proc.stderr
    assert "no sandbox mechanism works here" in proc.stderr
    assert "No permissions to create new namespace" in proc.stderr
    assert "Landlock is not supported" in proc.stderr
    assert not (ws / "ran").exists()


def test_refuses_the_weaker_landlock_fallback_for_writable_roots(
    tmp_path: Path, outside_dir: Path
) -> None:
    """bwrap is broken: Landlock cannot protect .git/.codex, so a writable policy is refused."""
    if sandbox_available(use_legacy_landlock=True) is not None:
        pytest.skip("Landlock is unavailable on this machine")
    ws = tmp_path / "ws"
    ws.mkdir()
    script = f"touch ran; touch {outside_dir}/escaped"
    proc = pycodex(
        "--full-auto", "--", "sh", "-c", script, cwd=ws, env=_broken_bwrap_path(tmp_path)
    )
    assert proc.returncode == 1
    assert "bubblewrap cannot run here" in proc.stderr
    assert "cannot keep .git, .codex and .agents read-only" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (ws / "ran").exists()
    assert not (outside_dir / "escaped").exists()


def test_read_only_falls_back_to_landlock_and_says_so(tmp_path: Path, outside_dir: Path) -> None:
    """Nothing writable: Landlock keeps every protection, and stderr names the mechanism."""
    if sandbox_available(use_legacy_landlock=True) is not None:
        pytest.skip("Landlock is unavailable on this machine")
    ws = tmp_path / "ws"  # not the fake bwrap's directory, which find_bwrap would skip
    ws.mkdir()
    script = f"touch {outside_dir}/escaped"
    proc = pycodex("--", "sh", "-c", script, cwd=ws, env=_broken_bwrap_path(tmp_path))
    assert proc.returncode == 1
    assert "warning: sandbox: using the Landlock sandbox because bubblewrap" in proc.stderr
    assert not (outside_dir / "escaped").exists()


def test_use_legacy_landlock_switch(tmp_path: Path, outside_dir: Path) -> None:
    if sandbox_available(use_legacy_landlock=True) is not None:
        pytest.skip("Landlock is unavailable on this machine")
    script = f"touch {outside_dir}/escaped"
    for flag in ("use_legacy_landlock=true", "features.use_legacy_landlock=true"):
        proc = pycodex("-c", flag, "--", "sh", "-c", script, cwd=tmp_path)
        assert proc.returncode == 1
        assert "Permission denied" in proc.stderr  # Landlock's error, not a read-only mount
        assert "warning: sandbox: using the legacy Landlock sandbox" in proc.stderr
    assert not (outside_dir / "escaped").exists()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("sandbox_mode=read-only", ("sandbox_mode", "read-only")),
        ('sandbox_mode="workspace-write"', ("sandbox_mode", "workspace-write")),
        ("a.b=true", ("a.b", True)),
        ('x=["/a", "/b"]', ("x", ["/a", "/b"])),
    ],
)
def test_parse_override(raw: str, expected: tuple[str, object]) -> None:
    assert parse_override(raw) == expected
