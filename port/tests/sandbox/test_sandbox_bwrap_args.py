"""The exact bubblewrap argv built for each mode (mirrors upstream's bwrap.rs order)."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pytest
from pycodex.sandbox import SandboxMode, SandboxPolicy, SandboxUnavailable, find_bwrap
from pycodex.sandbox.bwrap import (
    BwrapOptions,
    SandboxBuildError,
    create_bwrap_args,
    create_filesystem_args,
)
from pycodex.sandbox.linux import _build, _Mechanism
from pycodex.sandbox.mount_targets import mount_target, registry_dir
from pycodex.sandbox.policy import WritableRoot


@pytest.fixture
def rtmp(tmp_path: Path) -> Path:
    return tmp_path.resolve()


def test_read_only_argv(rtmp: Path) -> None:
    built = create_bwrap_args(["ls", "-l"], SandboxPolicy.read_only(), rtmp)
    assert built.synthetic_mount_targets == ()
    assert built.args == [
        "--new-session",
        "--die-with-parent",
        "--ro-bind", "/", "/",
        "--dev", "/dev",
        "--unshare-user",
        "--unshare-pid",
        "--unshare-ipc",
        "--unshare-net",
        "--proc", "/proc",
        "--cap-drop", "ALL",
        "--setenv", "CODEX_SANDBOX_NETWORK_DISABLED", "1",
        "--chdir", str(rtmp),
        "--",
        "ls", "-l",
    ]  # fmt: skip


def test_read_only_with_network_keeps_host_network(rtmp: Path) -> None:
    args = create_bwrap_args(["true"], SandboxPolicy.read_only(network_access=True), rtmp).args
    assert "--unshare-net" not in args
    assert "CODEX_SANDBOX_NETWORK_DISABLED" not in args
    assert args[args.index("--cap-drop") + 1] == "ALL"


def test_workspace_write_binds_roots_then_protected_subpaths(rtmp: Path) -> None:
    ws = rtmp / "ws"
    (ws / ".git").mkdir(parents=True)
    for name in (".agents", ".codex", ".aws"):
        (ws / name).mkdir()
    # rtmp encloses the workspace, like /tmp does for a workspace under /tmp.
    policy = dataclasses.replace(
        SandboxPolicy.workspace_write(exclude_slash_tmp=True), tmpdir=str(rtmp)
    )
    args = create_bwrap_args(["true"], policy, ws, BwrapOptions(mount_proc=False)).args
    fs = args[2 : args.index("--unshare-user")]
    assert fs == [
        "--ro-bind", "/", "/",
        "--dev", "/dev",
        "--bind", str(rtmp), str(rtmp),
        "--ro-bind", str(ws / ".git"), str(ws / ".git"),
        "--ro-bind", str(ws / ".agents"), str(ws / ".agents"),
        "--ro-bind", str(ws / ".codex"), str(ws / ".codex"),
        "--ro-bind", str(ws / ".aws"), str(ws / ".aws"),
        "--bind", str(ws), str(ws),
        "--ro-bind", str(ws / ".git"), str(ws / ".git"),
        "--ro-bind", str(ws / ".agents"), str(ws / ".agents"),
        "--ro-bind", str(ws / ".codex"), str(ws / ".codex"),
        "--ro-bind", str(ws / ".aws"), str(ws / ".aws"),
    ]  # fmt: skip
    assert "--proc" not in args


def test_missing_roots_are_skipped_and_missing_protected_paths_masked(rtmp: Path) -> None:
    roots = [
        WritableRoot(rtmp / "absent"),
        WritableRoot(rtmp, (rtmp / ".codex" / "rules", Path("/nonexistent-outside/.git"))),
    ]
    built = create_filesystem_args(roots)
    codex = str(rtmp / ".codex")
    assert built.args == [
        "--ro-bind", "/", "/", "--dev", "/dev", "--bind", str(rtmp), str(rtmp),
        "--perms", "555", "--tmpfs", codex, "--remount-ro", codex,
    ]  # fmt: skip
    # Only the first missing component inside a writable root is created (and cleaned up).
    assert built.synthetic_mount_targets == (rtmp / ".codex",)


def test_symlinked_root_binds_real_target_and_remaps_carveouts(rtmp: Path) -> None:
    real = rtmp / "real"
    (real / ".git").mkdir(parents=True)
    link = rtmp / "link"
    link.symlink_to(real)
    args = create_filesystem_args([WritableRoot(link, (link / ".git",))]).args
    assert args[-6:] == [
        "--bind", str(real), str(real),
        "--ro-bind", str(real / ".git"), str(real / ".git"),
    ]  # fmt: skip


def test_protected_path_through_writable_symlink_fails_closed(rtmp: Path) -> None:
    (rtmp / "decoy").mkdir()
    (rtmp / ".git").symlink_to(rtmp / "decoy")
    with pytest.raises(SandboxBuildError, match="crosses writable symlink"):
        create_filesystem_args([WritableRoot(rtmp, (rtmp / ".git",))])


def test_danger_full_access_is_not_built_as_bwrap(rtmp: Path) -> None:
    with pytest.raises(SandboxBuildError):
        create_bwrap_args(["true"], SandboxPolicy.danger_full_access(), rtmp)


def test_restricted_network_goes_through_the_seccomp_launcher(rtmp: Path) -> None:
    mechanism = _Mechanism("bwrap", "/usr/bin/bwrap", BwrapOptions())
    argv = _build(["true"], SandboxPolicy.read_only(), rtmp, mechanism)
    assert argv[:3] == [sys.executable, "-I", "-S"]
    assert argv[3].endswith("_launch.py")
    assert bytes.fromhex(argv[4])  # the BPF program
    assert argv[5:7] == ["0", "/usr/bin/bwrap"]
    open_net = _build(["true"], SandboxPolicy.read_only(network_access=True), rtmp, mechanism)
    # Open network: no filter, but still supervised (nothing may outlive pycodex).
    assert open_net[3].endswith("_launch.py")
    assert open_net[4:7] == ["-", "0", "/usr/bin/bwrap"]


def test_mount_points_to_clean_up_go_through_the_launcher(rtmp: Path) -> None:
    ws = rtmp / "ws"
    ws.mkdir()
    registry = registry_dir(rtmp)
    assert registry is not None
    policy = SandboxPolicy(
        SandboxMode.WORKSPACE_WRITE, network_access=True, exclude_slash_tmp=True, tmpdir=""
    )
    with_registry = _Mechanism("bwrap", "/usr/bin/bwrap", BwrapOptions(registry=registry))
    argv = _build(["true"], policy, ws, with_registry)
    masked = [ws / ".git", ws / ".agents", ws / ".codex", ws / ".aws"]
    pairs = [str(x) for path in masked for x in (path, mount_target(path, registry).lock)]
    assert argv[4 : 6 + len(pairs) + 1] == ["-", "4", *pairs, "/usr/bin/bwrap"]
    # Without a trustworthy registry there is no cleanup (the mask stays in place).
    without = _build(["true"], policy, ws, _Mechanism("bwrap", "/usr/bin/bwrap", BwrapOptions()))
    assert without[4:7] == ["-", "0", "/usr/bin/bwrap"]
    assert "--tmpfs" in without


def test_unenforceable_policy_raises_sandbox_unavailable(rtmp: Path) -> None:
    (rtmp / "decoy").mkdir()
    (rtmp / ".git").symlink_to(rtmp / "decoy")
    policy = SandboxPolicy(SandboxMode.WORKSPACE_WRITE, exclude_slash_tmp=True, tmpdir="")
    with pytest.raises(SandboxUnavailable, match="crosses writable symlink"):
        _build(["true"], policy, rtmp, _Mechanism("bwrap", "/usr/bin/bwrap", BwrapOptions()))


def test_find_bwrap_ignores_binaries_inside_the_workspace(
    rtmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    planted = rtmp / "bin"
    planted.mkdir()
    fake = planted / "bwrap"
    fake.write_text("#!/bin/sh\nexit 0\n")
    fake.chmod(0o755)
    elsewhere = rtmp / "other"
    elsewhere.mkdir()
    monkeypatch.setenv("PATH", f"{planted}")
    found = find_bwrap(rtmp)
    assert found != str(fake)
    assert find_bwrap(elsewhere) == str(fake)


def test_protected_paths_of_other_roots_tolerate_vanishing(rtmp: Path) -> None:
    """A root's .codex outside the session cwd may be another sandbox's passing mount point."""
    ws = rtmp / "ws"
    (ws / ".git").mkdir(parents=True)
    (rtmp / ".codex").mkdir()
    policy = dataclasses.replace(
        SandboxPolicy.workspace_write(exclude_slash_tmp=True), tmpdir=str(rtmp)
    )
    args = create_bwrap_args(["true"], policy, ws, BwrapOptions(mount_proc=False)).args
    joined = " ".join(args)
    assert f"--ro-bind-try {rtmp / '.codex'} {rtmp / '.codex'}" in joined
    assert f"--ro-bind {ws / '.git'} {ws / '.git'}" in joined
