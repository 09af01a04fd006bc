"""bubblewrap argument construction (upstream: codex-rs/linux-sandbox/src/bwrap.rs).

The filesystem is read-only by default (``--ro-bind / /``), a minimal ``/dev``
is mounted, writable roots are layered on with ``--bind`` (shallowest first) and
their protected sub-paths are re-bound read-only afterwards so they win. Every
capability is dropped (``--cap-drop ALL``): as root, a process that kept
``CAP_SYS_ADMIN`` in its namespace could simply remount ``/`` writable.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pycodex.sandbox.mount_targets import is_synthetic_leftover
from pycodex.sandbox.policy import SandboxPolicy, WritableRoot

#: Set inside the sandbox when outbound network is disabled (upstream's name).
NETWORK_DISABLED_ENV_VAR = "CODEX_SANDBOX_NETWORK_DISABLED"


# ferry: codex_linux_sandbox::linux_run_main::ResolveSandboxPoliciesError @ 1d092cb66 -- the policy cannot be expressed with bubblewrap mounts
class SandboxBuildError(RuntimeError):
    """The policy cannot be enforced faithfully with bubblewrap mounts."""


# ferry: codex_linux_sandbox::bwrap::BwrapArgs @ 1d092cb66
@dataclass(frozen=True)
class BwrapArgs:
    """bubblewrap flags plus the mount points it may have to create on the host."""

    args: list[str]
    #: Masks for protected paths that do not exist yet: bubblewrap creates these
    #: inside a writable root (so on the real filesystem); remove them afterwards.
    synthetic_mount_targets: tuple[Path, ...] = ()


# ferry: codex_linux_sandbox::bwrap::BwrapOptions @ 1d092cb66
@dataclass(frozen=True)
class BwrapOptions:
    """How bubblewrap is invoked beyond what the policy decides."""

    #: Mount a fresh ``/proc``; some restrictive containers refuse it.
    mount_proc: bool = True
    #: Registry of mount points earlier sandboxes created (see ``mount_targets``).
    registry: Path | None = None


# ferry: codex_linux_sandbox::bwrap::create_bwrap_command_args @ 1d092cb66
# ferry: codex_linux_sandbox::bwrap::create_bwrap_flags @ 1d092cb66
def create_bwrap_args(
    command: Sequence[str],
    policy: SandboxPolicy,
    cwd: Path,
    options: BwrapOptions = BwrapOptions(),
    *,
    command_cwd: Path | None = None,
) -> BwrapArgs:
    """The bubblewrap flags (everything after ``bwrap``) ending in ``-- command``.

    ``cwd`` is the *session's* directory: writable roots and protected paths are
    derived from it alone. ``command_cwd`` (default ``cwd``) is only where the
    command starts, so a model-chosen ``workdir`` can never widen the sandbox.
    ``danger-full-access`` needs no wrapping; callers return the command as is.
    """
    if policy.has_full_disk_write_access:
        raise SandboxBuildError("danger-full-access is not sandboxed; run the command unchanged")
    filesystem = create_filesystem_args(
        policy.writable_roots_for(cwd), options.registry, strict_root=_effective_root(cwd)
    )
    args = ["--new-session", "--die-with-parent", *filesystem.args]
    # Ask for a user namespace explicitly: bubblewrap skips it when run as uid 0.
    args += ["--unshare-user", "--unshare-pid", "--unshare-ipc"]
    if not policy.has_full_network_access:
        args.append("--unshare-net")
    if options.mount_proc:
        args += ["--proc", "/proc"]
    args += ["--cap-drop", "ALL"]
    if not policy.has_full_network_access:
        args += ["--setenv", NETWORK_DISABLED_ENV_VAR, "1"]
    args += ["--chdir", _canonical(command_cwd if command_cwd is not None else cwd)]
    args.append("--")
    args.extend(command)
    return BwrapArgs(args, filesystem.synthetic_mount_targets)


# ferry: codex_linux_sandbox::bwrap::create_filesystem_args @ 1d092cb66
def create_filesystem_args(
    writable_roots: Sequence[WritableRoot],
    registry: Path | None = None,
    *,
    strict_root: Path | None = None,
) -> BwrapArgs:
    """Mounts for a full-read policy: read-only root, ``/dev``, writable roots, carve-outs.

    Protected sub-paths inside ``strict_root`` (the session's cwd) are bound with
    ``--ro-bind``, so bubblewrap refuses to start if one vanished after it was
    checked (fail closed). Those of other roots (``/tmp/.codex``, say, briefly
    created as another sandbox's mount point) use ``--ro-bind-try``: they are
    only protected while they exist, as upstream protects them.
    """
    # bubblewrap needs bind targets to exist; missing roots are skipped.
    roots = [root for root in writable_roots if root.root.exists()]
    args = ["--ro-bind", "/", "/", "--dev", "/dev"]
    synthetic: list[Path] = []
    allowed_write_paths: list[Path] = []
    for root in roots:
        allowed_write_paths.append(root.root)
        target = canonical_target_if_symlinked(root.root)
        if target is not None:
            allowed_write_paths.append(target)
    for root in sorted(roots, key=lambda r: _depth(r.root)):
        target = canonical_target_if_symlinked(root.root)
        mount_root = target or root.root
        args += ["--bind", str(mount_root), str(mount_root)]
        subpaths = list(root.read_only_subpaths)
        if target is not None:
            subpaths = [
                target / p.relative_to(root.root) if p.is_relative_to(root.root) else p
                for p in subpaths
            ]
        for subpath in sorted(subpaths, key=_depth):
            strict = strict_root is None or subpath.is_relative_to(strict_root)
            args += _read_only_subpath_args(
                subpath, allowed_write_paths, synthetic, registry, strict=strict
            )
    return BwrapArgs(args, tuple(dict.fromkeys(synthetic)))


def _read_only_subpath_args(
    subpath: Path,
    allowed_write_paths: Sequence[Path],
    synthetic: list[Path],
    registry: Path | None,
    *,
    strict: bool = True,
) -> list[str]:
    symlink = first_writable_symlink_component(subpath, allowed_write_paths)
    if symlink is not None:
        # The sandboxed process could retarget the symlink after we bind its
        # current target, so the protection would only be a snapshot: refuse.
        raise SandboxBuildError(
            f"cannot enforce sandbox read-only path {subpath} because it crosses writable symlink {symlink}"
        )
    if not subpath.exists() or is_synthetic_leftover(subpath, registry):
        # Mask the first missing component with an empty read-only directory so
        # the sandbox cannot create the protected path (as codex 0.169 does).
        # An empty directory left by a concurrent sandbox counts as missing.
        missing = subpath if subpath.exists() else find_first_missing_component(subpath)
        if missing is None or not _within(missing, allowed_write_paths):
            return []
        synthetic.append(missing)
        return ["--perms", "555", "--tmpfs", str(missing), "--remount-ro", str(missing)]
    if _within(subpath, allowed_write_paths):
        return ["--ro-bind" if strict else "--ro-bind-try", str(subpath), str(subpath)]
    return []


# ferry: codex_linux_sandbox::bwrap::canonical_target_if_symlinked_path @ 1d092cb66
def canonical_target_if_symlinked(path: Path) -> Path | None:
    """The resolved path when some component of ``path`` is a symlink, else ``None``."""
    current = Path("/")
    for part in path.parts[1:]:
        current = current / part
        try:
            is_link = current.is_symlink()
        except OSError:
            return None
        if not current.exists() and not is_link:
            return None
        if is_link:
            target = Path(os.path.realpath(path))
            return None if target == path else target
    return None


# ferry: codex_linux_sandbox::bwrap::first_writable_symlink_component_in_path @ 1d092cb66
def first_writable_symlink_component(
    path: Path, allowed_write_paths: Sequence[Path]
) -> Path | None:
    """The first symlink on ``path`` that lives under a writable root (mutable from inside)."""
    current = Path("/")
    for part in path.parts[1:]:
        current = current / part
        if not current.is_symlink():
            if not current.exists():
                return None
            continue
        if _within(current, allowed_write_paths):
            return current
    return None


# ferry: codex_linux_sandbox::bwrap::find_first_non_existent_component @ 1d092cb66
def find_first_missing_component(path: Path) -> Path | None:
    current = Path("/")
    for part in path.parts[1:]:
        current = current / part
        if not os.path.lexists(current):
            return current
    return None


def _within(path: Path, roots: Sequence[Path]) -> bool:
    return any(path.is_relative_to(root) for root in roots)


def _depth(path: Path) -> int:
    return len(path.parts)


def _effective_root(cwd: Path) -> Path:
    return Path(os.path.realpath(cwd)) if cwd.exists() else cwd


def _canonical(path: Path) -> str:
    try:
        return str(path.resolve(strict=True))
    except OSError:
        return str(path)
