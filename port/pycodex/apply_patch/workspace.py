"""Path resolution, confinement and filesystem mutation for apply_patch.

Upstream resolves patch paths lexically against the working directory (``a/../b``
is ``b``) and then lets the OS follow symlinks. The port does the same, but
resolves symlinks itself — against the real filesystem plus an overlay of the
changes planned so far — so that it can

* compute every hunk before writing anything (the overlay stands in for the
  files earlier hunks will have written), and
* refuse any path whose physical location is outside the workspace root.

Writes go through directory file descriptors opened from the root with
``O_NOFOLLOW`` on every component, into a temporary file that is renamed over
the target, so a symlink swapped in after the check cannot redirect a write
outside the root.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from dataclasses import dataclass, field
from pathlib import Path

from pycodex.apply_patch._rust import decode_utf8, io_error_display

_MAX_SYMLINKS = 40


# ferry: codex_apply_patch::parser::Hunk::resolve_path @ 1d092cb66 -- lexical join of cwd and the patch path
def normalize_path(cwd: str, path: str) -> str:
    """``cwd.join(path)`` normalised lexically (``.``/``..``/``//``/trailing ``/``)."""
    base = path if path.startswith("/") else f"{cwd}/{path}"
    parts: list[str] = []
    for part in base.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts:
                parts.pop()
            continue
        parts.append(part)
    return "/" + "/".join(parts)


# ferry: port-only -- port enhancement: workspace-root confinement of patch writes
def is_within(path: str, root: str) -> bool:
    return root == "/" or path == root or path.startswith(root + "/")


# ferry: port-only -- port enhancement: symlink resolution against the planned overlay
class ResolveError(Exception):
    """A path component could not be traversed; ``errno`` says why."""

    def __init__(self, errno_: int, *, dangling_parent: bool = False) -> None:
        super().__init__(errno_)
        self.errno = errno_
        #: A directory component is a symlink to nothing: creating parents fails.
        self.dangling_parent = dangling_parent


# ferry: port-only -- port enhancement: symlink resolution against the planned overlay
@dataclass
class Resolved:
    """The physical location of a path.

    ``real`` is the fully resolved path (for a missing file or missing parent
    directories: the path they would be created at); ``kind`` is what is there:
    ``file``, ``dir``, ``other``, ``missing`` or ``link`` (only when the final
    symlink was not followed); ``missing_dirs`` lists directories that would
    have to be created first (outermost first).
    """

    real: str
    kind: str
    missing_dirs: list[str] = field(default_factory=list)


# ferry: port-only -- port enhancement: plans every hunk before writing (upstream writes hunk by hunk)
@dataclass
class Overlay:
    """Planned changes that later hunks must see (keyed by physical path)."""

    files: dict[str, bytes] = field(default_factory=dict)
    removed: set[str] = field(default_factory=set)
    dirs: set[str] = field(default_factory=set)


# ferry: port-only -- port enhancement: confined, plan-then-write file access (upstream uses ExecutorFileSystem)
class Workspace:
    """A workspace root plus the overlay of a patch being planned."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = os.path.realpath(os.fspath(root))
        self.overlay = Overlay()

    # -- inspection (overlay-aware)

    # ferry: port-only -- port enhancement: confined file access
    def lkind(self, path: str) -> str:
        ov = self.overlay
        if path in ov.files:
            return "file"
        if path in ov.dirs:
            return "dir"
        if path in ov.removed:
            return "missing"
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            return "missing"
        except NotADirectoryError:
            return "notdir"
        except OSError:
            return "missing"
        mode = st.st_mode
        if stat.S_ISLNK(mode):
            return "link"
        if stat.S_ISDIR(mode):
            return "dir"
        if stat.S_ISREG(mode):
            return "file"
        return "other"

    # ferry: port-only -- port enhancement: resolves symlinks itself to refuse paths outside the root
    def resolve(self, path: str, _budget: list[int] | None = None) -> Resolved:
        """Resolve an absolute ``path`` like the kernel would, following every symlink.

        ``..`` pops a component of the physical path resolved so far. Raises
        :class:`ResolveError` for ``ENOTDIR``/``ELOOP`` and when a directory
        component is a symlink to nothing. A final symlink whose target cannot
        be created (its directory is missing) has kind ``dangling``.
        """
        budget = _budget if _budget is not None else [_MAX_SYMLINKS]
        parts = [p for p in path.split("/") if p not in ("", ".")]
        resolved = ""
        count = len(parts)
        for pos, name in enumerate(parts):
            last = pos == count - 1
            if name == "..":
                resolved = resolved.rsplit("/", 1)[0]
                if last:
                    return Resolved(resolved or "/", "dir")
                continue
            cand = f"{resolved}/{name}"
            kind = self.lkind(cand)
            if kind == "notdir":
                raise ResolveError(errno.ENOTDIR)
            if kind == "link":
                budget[0] -= 1
                if budget[0] < 0:
                    raise ResolveError(errno.ELOOP)
                target = os.readlink(cand)
                target_abs = target if target.startswith("/") else f"{resolved}/{target}"
                inner = self.resolve(target_abs, budget)
                if last:
                    if inner.kind == "missing" and inner.missing_dirs:
                        return Resolved(inner.real, "dangling", inner.missing_dirs)
                    return inner
                if inner.kind == "dir":
                    resolved = inner.real
                    continue
                if inner.kind in ("missing", "dangling"):
                    raise ResolveError(errno.ENOENT, dangling_parent=True)
                raise ResolveError(errno.ENOTDIR)
            if last:
                return Resolved(cand, kind)
            if kind == "dir":
                resolved = cand
                continue
            if kind == "missing":
                remaining = parts[pos + 1 :]
                if ".." in remaining:
                    raise ResolveError(errno.ENOENT, dangling_parent=True)
                missing = [cand]
                cur = cand
                for rest in remaining[:-1]:
                    cur = f"{cur}/{rest}"
                    missing.append(cur)
                return Resolved(f"{cur}/{remaining[-1]}", "missing", missing)
            raise ResolveError(errno.ENOTDIR)  # a file used as a directory
        return Resolved(resolved or "/", "dir")

    # ferry: port-only -- port enhancement: confined file access
    def resolve_entry(self, path: str) -> str:
        """The physical path of the directory entry ``path`` names (a final symlink is not followed)."""
        parent, _, name = path.rpartition("/")
        if not name:
            return "/"
        return f"{self.resolve(parent or '/').real.rstrip('/')}/{name}"

    # ferry: port-only -- port enhancement: confined file access
    def read_bytes(self, real: str) -> bytes:
        if real in self.overlay.files:
            return self.overlay.files[real]
        with open(real, "rb") as fh:
            return fh.read()

    # ferry: port-only -- port enhancement: confined file access
    def read_text(self, real: str) -> str:
        return decode_utf8(self.read_bytes(real))

    # -- planning

    # ferry: port-only -- port enhancement: plan-then-write overlay
    def plan_write(self, target: Resolved, data: bytes) -> None:
        ov = self.overlay
        for d in target.missing_dirs:
            ov.dirs.add(d)
            ov.removed.discard(d)
        ov.files[target.real] = data
        ov.removed.discard(target.real)

    # ferry: port-only -- port enhancement: plan-then-write overlay
    def plan_remove(self, entry: str) -> None:
        self.overlay.files.pop(entry, None)
        self.overlay.removed.add(entry)

    # -- mutation (relative to the root, never following symlinks)

    def _rel_parts(self, real: str) -> list[str]:
        if not is_within(real, self.root):
            raise PermissionError(1, "outside the workspace root", real)
        rel = real[len(self.root) :] if self.root != "/" else real
        return [p for p in rel.split("/") if p]

    def _open_dir(self, parts: list[str], *, create: bool) -> int:
        flags = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC
        fd = os.open(self.root, flags)
        try:
            for part in parts:
                try:
                    nfd = os.open(part, flags | os.O_NOFOLLOW, dir_fd=fd)
                except FileNotFoundError:
                    if not create:
                        raise
                    with contextlib.suppress(FileExistsError):
                        os.mkdir(part, 0o777, dir_fd=fd)
                    nfd = os.open(part, flags | os.O_NOFOLLOW, dir_fd=fd)
                os.close(fd)
                fd = nfd
        except BaseException:
            os.close(fd)
            raise
        return fd

    # ferry: codex_apply_patch::write_file_with_missing_parent_retry @ 1d092cb66 -- O_NOFOLLOW directory descriptors and an atomic rename inside the root (port enhancement)
    def write_file(self, real: str, data: bytes, *, create_dirs: bool) -> None:
        """Atomically replace ``real`` (a path inside the root) with ``data``."""
        parts = self._rel_parts(real)
        if not parts:
            raise IsADirectoryError(21, "Is a directory", real)
        dir_fd = self._open_dir(parts[:-1], create=create_dirs)
        name = parts[-1]
        try:
            mode = 0o666
            preserve: int | None = None
            try:
                st = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
            except FileNotFoundError:
                st = None
            if st is not None:
                if stat.S_ISDIR(st.st_mode):
                    raise IsADirectoryError(21, "Is a directory", real)
                if stat.S_ISREG(st.st_mode):
                    preserve = stat.S_IMODE(st.st_mode)
            tmp = f".{name[:200]}.{secrets.token_hex(6)}.apply_patch.tmp"
            fd = os.open(
                tmp,
                os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                mode,
                dir_fd=dir_fd,
            )
            try:
                try:
                    view = memoryview(data)
                    while view:
                        written = os.write(fd, view)
                        view = view[written:]
                    if preserve is not None:
                        os.fchmod(fd, preserve)
                finally:
                    os.close(fd)
                os.replace(tmp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp, dir_fd=dir_fd)
                raise
        finally:
            os.close(dir_fd)

    # ferry: codex_apply_patch::apply_hunks_to_files @ 1d092cb66 -- its DeleteFile branch, confined to the root
    def remove_file(self, entry: str) -> None:
        """Unlink ``entry`` (a path inside the root; a final symlink is removed itself)."""
        parts = self._rel_parts(entry)
        if not parts:
            raise IsADirectoryError(21, "Is a directory", entry)
        dir_fd = self._open_dir(parts[:-1], create=False)
        try:
            st = os.stat(parts[-1], dir_fd=dir_fd, follow_symlinks=False)
            if stat.S_ISDIR(st.st_mode):
                raise IsADirectoryError(21, "Is a directory", entry)
            os.unlink(parts[-1], dir_fd=dir_fd)
        finally:
            os.close(dir_fd)


# ferry: port-only -- Python glue: the Display text of std::io::Error
def io_error_text(err: OSError) -> str:
    return io_error_display(err)


# ferry: port-only -- Python glue: AbsolutePathBuf's lexical normalisation of the cwd
def absolute_cwd(cwd: str | os.PathLike[str]) -> str:
    """An absolute, lexically normalised form of ``cwd`` (symlinks kept, as upstream)."""
    return normalize_path(os.getcwd(), os.fspath(Path(cwd)))
