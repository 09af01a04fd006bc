"""SandboxPolicy: config parsing and the effective writable roots (upstream's rules)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pycodex.sandbox import SandboxConfigError, SandboxMode, SandboxPolicy, WritableRoot


@pytest.fixture
def rtmp(tmp_path: Path) -> Path:
    """tmp_path with symlinks resolved, as effective roots are canonical."""
    return tmp_path.resolve()


def _roots(policy: SandboxPolicy, cwd: Path) -> dict[Path, tuple[Path, ...]]:
    return {r.root: r.read_only_subpaths for r in policy.writable_roots_for(cwd)}


def test_from_config_reads_the_workspace_write_table(rtmp: Path) -> None:
    table = {
        "writable_roots": [str(rtmp / "a"), "rel"],
        "network_access": True,
        "exclude_tmpdir_env_var": True,
        "exclude_slash_tmp": False,
    }
    policy = SandboxPolicy.from_config(
        "workspace-write", table, add_dirs=[Path("extra")], base_dir=rtmp
    )
    assert policy.mode is SandboxMode.WORKSPACE_WRITE
    assert policy.writable_roots == (rtmp / "a", rtmp / "rel", rtmp / "extra")
    assert policy.network_access is True
    assert policy.exclude_tmpdir_env_var is True
    assert policy.exclude_slash_tmp is False


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (
            {"network_access": "yes"},
            "sandbox_workspace_write.network_access: expected true or false",
        ),
        (
            {"exclude_slash_tmp": 1},
            "sandbox_workspace_write.exclude_slash_tmp: expected true or false",
        ),
        ({"writable_roots": "/a"}, "sandbox_workspace_write.writable_roots: expected an array"),
        (
            {"writable_roots": ["/a", 3]},
            "sandbox_workspace_write.writable_roots[1]: expected a path",
        ),
        ({"writable_root": []}, "sandbox_workspace_write.writable_root: unknown field"),
    ],
)
def test_from_config_names_the_bad_field(table: dict[str, object], message: str) -> None:
    with pytest.raises(SandboxConfigError) as info:
        SandboxPolicy.from_config("workspace-write", table, base_dir=Path("/"))
    assert str(info.value).startswith(message)


def test_relative_root_without_base_dir_is_an_error() -> None:
    with pytest.raises(SandboxConfigError, match=r"writable_roots\[0\]: 'rel' is relative"):
        SandboxPolicy.from_config("workspace-write", {"writable_roots": ["rel"]})


def test_unknown_mode_lists_the_valid_ones() -> None:
    with pytest.raises(SandboxConfigError, match="read-only, workspace-write, danger-full-access"):
        SandboxPolicy.from_config("workspace")


def test_table_is_ignored_outside_workspace_write() -> None:
    policy = SandboxPolicy.from_config("read-only", {"network_access": True})
    assert policy == SandboxPolicy.read_only()
    assert policy.writable_roots_for(Path("/")) == ()
    assert SandboxPolicy.danger_full_access().writable_roots_for(Path("/")) == ()


def test_default_roots_are_cwd_tmp_and_tmpdir(rtmp: Path) -> None:
    cwd = rtmp / "ws"
    tmpdir = rtmp / "tmpdir"
    cwd.mkdir()
    tmpdir.mkdir()
    policy = SandboxPolicy(SandboxMode.WORKSPACE_WRITE, tmpdir=str(tmpdir))
    roots = _roots(policy, cwd)
    assert list(roots) == [cwd.resolve(), Path("/tmp"), tmpdir.resolve()]
    # The cwd protects .git/.agents/.codex/.aws even before they exist; other roots
    # only what is present.
    ws = cwd.resolve()
    assert roots[ws] == (ws / ".git", ws / ".agents", ws / ".codex", ws / ".aws")
    assert roots[tmpdir.resolve()] == ()


def test_exclusions_drop_tmp_and_tmpdir(rtmp: Path) -> None:
    policy = SandboxPolicy(
        SandboxMode.WORKSPACE_WRITE,
        exclude_slash_tmp=True,
        exclude_tmpdir_env_var=True,
        tmpdir=str(rtmp),
    )
    assert list(_roots(policy, rtmp)) == [rtmp.resolve()]


def test_tmpdir_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch, rtmp: Path) -> None:
    other = rtmp / "envtmp"
    other.mkdir()
    monkeypatch.setenv("TMPDIR", str(other))
    policy = SandboxPolicy.workspace_write(exclude_slash_tmp=True)
    assert list(_roots(policy, rtmp)) == [rtmp.resolve(), other.resolve()]


def test_git_agents_and_codex_are_protected(rtmp: Path) -> None:
    cwd = rtmp / "ws"
    (cwd / ".git").mkdir(parents=True)
    (cwd / ".agents").mkdir()
    (cwd / ".codex").mkdir()
    extra = rtmp / "extra"
    (extra / ".git").mkdir(parents=True)
    policy = SandboxPolicy.workspace_write([extra], exclude_slash_tmp=True)
    roots = _roots(policy, cwd)
    assert roots[cwd] == (cwd / ".git", cwd / ".agents", cwd / ".codex", cwd / ".aws")
    # Missing ones are only protected for the cwd itself.
    assert roots[extra] == (extra / ".git",)


def test_gitdir_pointer_file_protects_its_target(rtmp: Path) -> None:
    cwd = rtmp / "wt"
    cwd.mkdir()
    gitdir = rtmp / "main" / ".git" / "worktrees" / "wt"
    gitdir.mkdir(parents=True)
    (cwd / ".git").write_text("gitdir: ../main/.git/worktrees/wt\n")
    roots = _roots(SandboxPolicy.workspace_write(exclude_slash_tmp=True), cwd)
    assert roots[cwd] == (gitdir, cwd / ".git", cwd / ".agents", cwd / ".codex", cwd / ".aws")


def test_gitdir_pointer_to_missing_dir_is_ignored(rtmp: Path) -> None:
    (rtmp / ".git").write_text("gitdir: nowhere\n")
    roots = _roots(SandboxPolicy.workspace_write(exclude_slash_tmp=True), rtmp)
    assert roots[rtmp] == (rtmp / ".git", rtmp / ".agents", rtmp / ".codex", rtmp / ".aws")


def test_workspace_protections_carve_out_enclosing_roots(rtmp: Path) -> None:
    """A workspace inside /tmp: /tmp's root must also keep the workspace's .git read-only."""
    cwd = rtmp / "ws"
    (cwd / ".git").mkdir(parents=True)
    policy = SandboxPolicy(SandboxMode.WORKSPACE_WRITE, tmpdir=str(rtmp))
    roots = _roots(policy, cwd)
    enclosing = rtmp.resolve()
    assert cwd.resolve() / ".git" in roots[enclosing]
    assert cwd.resolve() / ".codex" in roots[enclosing]


def test_duplicate_and_symlinked_roots_are_merged(rtmp: Path) -> None:
    real = rtmp / "real"
    real.mkdir()
    link = rtmp / "link"
    link.symlink_to(real)
    policy = SandboxPolicy.workspace_write([link, real], exclude_slash_tmp=True)
    assert list(_roots(policy, real)) == [real.resolve()]


def test_writable_root_path_checks() -> None:
    root = WritableRoot(Path("/ws"), (Path("/ws/.git"),))
    assert root.is_path_writable(Path("/ws/src/a.py"))
    assert not root.is_path_writable(Path("/ws/.git/config"))
    assert not root.is_path_writable(Path("/elsewhere"))


def test_home_is_expanded(monkeypatch: pytest.MonkeyPatch, rtmp: Path) -> None:
    monkeypatch.setenv("HOME", str(rtmp))
    policy = SandboxPolicy.from_config("workspace-write", {"writable_roots": ["~/proj"]})
    assert policy.writable_roots == (Path(os.path.join(rtmp, "proj")),)


def test_can_write_path_and_physical_guard(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    (ws / ".git").mkdir(parents=True)
    (ws / "gl").symlink_to(ws / ".git")
    outside = tmp_path / "outside"
    outside.mkdir()
    policy = SandboxPolicy.workspace_write(exclude_slash_tmp=True, exclude_tmpdir_env_var=True)
    assert policy.can_write_path(ws / "a.txt", ws)
    assert policy.can_write_path(ws / "sub" / ".." / "b.txt", ws)
    for bad in (ws / ".git" / "hooks" / "x", ws / ".codex" / "c", ws / ".agents", outside / "x"):
        assert not policy.can_write_path(bad, ws)
    # Lexically fine, physically in .git: only the guard (on resolved paths) catches it.
    assert policy.can_write_path(ws / "gl" / "hooks" / "x", ws)
    guard = policy.physical_write_guard(ws)
    assert guard is not None
    assert guard(str(ws / "a.txt"))
    assert not guard(os.path.realpath(ws / "gl" / "hooks" / "x"))
    assert not guard(str(outside / "x"))
    assert SandboxPolicy.danger_full_access().physical_write_guard(ws) is None
    assert not SandboxPolicy.read_only().can_write_path(ws / "a.txt", ws)
