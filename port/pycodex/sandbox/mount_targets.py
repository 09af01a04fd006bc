"""Bookkeeping for mount points bubblewrap creates on the real filesystem.

To keep a protected path that does not exist yet (the workspace's ``.codex``)
from being created, bubblewrap mounts an empty read-only directory there, which
means creating that directory in the user's workspace. The launcher removes it
afterwards, but only when no other sandbox still uses it: every launcher holds a
shared ``flock`` on a per-path lock file for its lifetime, and the one that can
take it exclusively at exit removes the directory if a marker says a sandbox
(not the user) created it.

The registry lives in ``/dev/shm/pycodex-sandbox-<uid>``: bubblewrap gives each
sandbox a private ``/dev``, so sandboxed commands cannot reach it.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

REGISTRY_PARENT = Path("/dev/shm")


# ferry: codex_linux_sandbox::bwrap::append_mount_target_parent_dir_args @ 1d092cb66 -- the synthetic mount points; their cleanup registry is a port enhancement
@dataclass(frozen=True)
class MountTarget:
    """A synthetic mount point and the lock file that guards its removal."""

    path: Path
    lock: Path

    # ferry: port-only -- port enhancement: marks a mount point a sandbox created, so only those are removed
    @property
    def marker(self) -> Path:
        return self.lock.with_suffix(".synthetic")


# ferry: port-only -- port enhancement: private registry of synthetic mount points under /dev/shm
def registry_dir(parent: Path = REGISTRY_PARENT) -> Path | None:
    """This user's private registry directory, or ``None`` when it cannot be trusted."""
    path = parent / f"pycodex-sandbox-{os.getuid()}"
    try:
        path.mkdir(mode=0o700, exist_ok=True)
        info = path.lstat()
    except OSError:
        return None
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        return None
    return path


# ferry: port-only -- lock files of mount points nobody tracks any more are removed
def sweep_registry(registry: Path) -> int:
    """Remove lock files no sandbox holds and no marker needs; returns how many.

    A lock is taken exclusively (without waiting) before its file is unlinked,
    and launchers re-check that the file they locked is still the one at the
    path, so a sandbox starting concurrently simply creates a fresh lock.
    """
    removed = 0
    try:
        locks = [p for p in registry.iterdir() if p.suffix == ".lock"]
    except OSError:
        return 0
    for lock in locks:
        if lock.with_suffix(".synthetic").exists():
            continue  # a mount point is still tracked: its last user cleans up
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CLOEXEC | os.O_NOFOLLOW)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            lock.unlink()
            removed += 1
        except OSError:
            pass
        finally:
            os.close(fd)
    return removed


# ferry: port-only -- port enhancement: registry entry for a synthetic mount point
def mount_target(path: Path, registry: Path) -> MountTarget:
    digest = hashlib.sha256(os.fsencode(path)).hexdigest()[:32]
    return MountTarget(path, registry / f"{digest}.lock")


# ferry: port-only -- port enhancement: removes empty mount points sandboxes left in the workspace
def is_synthetic_leftover(path: Path, registry: Path | None) -> bool:
    """True when ``path`` is an empty directory a sandbox created (and may remove)."""
    if registry is None or path.is_symlink() or not path.is_dir():
        return False
    if not mount_target(path, registry).marker.exists():
        return False
    try:
        return not any(path.iterdir())
    except OSError:
        return False
