"""Apply and verify patches (upstream ``lib.rs`` / ``invocation.rs``).

:func:`apply_patch` follows the ``apply_patch`` executable: hunks take effect in
order, so when a later hunk fails the earlier ones stay applied (conformance
scenario 015), and the error text is what the executable prints on stderr. The
port computes every hunk against an overlay first and only then writes, so a
patch that is rejected outright (bad syntax, a path leaving the workspace root)
touches nothing, and a failing hunk never leaves a half-written file.

:func:`verify_patch` follows what codex does before applying a model's patch
(``maybe_parse_apply_patch_verified``): it reads the files and computes every
change without writing, and its errors read ``apply_patch verification failed: ...``.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pycodex.apply_patch._rust import Utf8Failure, io_error_display
from pycodex.apply_patch.diff import unified_diff
from pycodex.apply_patch.errors import ApplyPatchError, ParseError, PathEscapeError
from pycodex.apply_patch.parser import parse_patch
from pycodex.apply_patch.types import (
    AddFile,
    ApplyPatchResult,
    DeleteFile,
    FileChange,
    Hunk,
    Patch,
    VerifiedPatch,
    hunk_display_path,
)
from pycodex.apply_patch.update import ComputeReplacementsError, derive_new_contents
from pycodex.apply_patch.workspace import (
    Resolved,
    ResolveError,
    Workspace,
    absolute_cwd,
    is_within,
    normalize_path,
)

#: Decides whether a write or unlink may land on a fully resolved path.
WriteGuard = Callable[[str], bool]

SUCCESS_HEADER = "Success. Updated the following files:"
NO_FILES_MODIFIED = "No files were modified."
VERIFICATION_FAILED_PREFIX = "apply_patch verification failed: "


@dataclass(frozen=True)
class _Op:
    """One filesystem mutation: write ``data`` to ``real`` or unlink ``real``."""

    action: str  # "write" | "remove"
    real: str
    data: bytes
    create_dirs: bool
    context: str  # upstream's error context if the mutation fails


@dataclass(frozen=True)
class _PlannedHunk:
    ops: tuple[_Op, ...]
    change: FileChange
    summary: tuple[str, str]  # ("A" | "M" | "D", path as spelled)


class _HunkFailure(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --------------------------------------------------------------------------- public API


# ferry: codex_apply_patch::apply_patch @ 1d092cb66
def apply_patch(
    text: str, cwd: str | os.PathLike[str], *, root: str | os.PathLike[str] | None = None
) -> ApplyPatchResult:
    """Apply ``text`` in ``cwd``; never write outside ``root`` (default: ``cwd``).

    Returns the changes and upstream's success text. Raises
    :class:`ApplyPatchError` whose ``str()`` is exactly what upstream's
    ``apply_patch`` prints on stderr (``Invalid patch: ...``, ``Failed to find
    expected lines in ...``, ``No files were modified.``, ...), with
    ``committed`` set to the hunks applied before the failing one; or
    :class:`PathEscapeError` (nothing written) when a path leaves ``root``.
    """
    try:
        patch = parse_patch(text)
    except ParseError as exc:
        raise ApplyPatchError(exc.standalone_message()) from exc
    return apply_hunks(patch.hunks, cwd, root=root)


# ferry: codex_apply_patch::apply_hunks @ 1d092cb66
# ferry: codex_apply_patch::apply_hunks_to_files @ 1d092cb66 -- plans every hunk before writing and confines writes to the workspace root (port enhancement)
def apply_hunks(
    hunks: tuple[Hunk, ...] | list[Hunk],
    cwd: str | os.PathLike[str],
    *,
    root: str | os.PathLike[str] | None = None,
    guard: WriteGuard | None = None,
) -> ApplyPatchResult:
    """Apply already-parsed hunks (see :func:`apply_patch`).

    ``guard`` sees the fully resolved path of every write and unlink before
    anything is written; when it refuses one, the patch fails with that file's
    upstream error text (``Failed to write file ...``) and no file changes.
    """
    cwd_abs = absolute_cwd(cwd)
    ws = Workspace(root if root is not None else cwd_abs)
    if not hunks:
        raise ApplyPatchError(NO_FILES_MODIFIED)
    _check_confinement(hunks, cwd_abs, ws)

    planned: list[_PlannedHunk] = []
    failure: str | None = None
    for hunk in hunks:
        try:
            planned.append(_plan_hunk(hunk, cwd_abs, ws))
        except _HunkFailure as exc:
            failure = exc.message
            break

    if guard is not None:
        for item in planned:
            for op in item.ops:
                if not guard(op.real):
                    raise ApplyPatchError(op.context, committed=())

    committed: list[FileChange] = []
    summary: list[tuple[str, str]] = []
    for item in planned:
        for op in item.ops:
            try:
                if op.action == "write":
                    ws.write_file(op.real, op.data, create_dirs=op.create_dirs)
                else:
                    ws.remove_file(op.real)
            except OSError as exc:
                raise ApplyPatchError(op.context, committed=tuple(committed)) from exc
        committed.append(item.change)
        summary.append(item.summary)
    if failure is not None:
        raise ApplyPatchError(failure, committed=tuple(committed))
    return ApplyPatchResult(changes=tuple(committed), output=_summary_text(summary))


# ferry: codex_apply_patch::invocation::maybe_parse_apply_patch_verified @ 1d092cb66 -- the verification half for patch text already extracted from argv
def verify_patch(
    text: str, cwd: str | os.PathLike[str], *, root: str | os.PathLike[str] | None = None
) -> VerifiedPatch:
    """Parse ``text`` and compute every change against the current files, writing nothing.

    This is what codex does before applying a model's patch (and what it builds
    the ``file_change`` event from). Raises :class:`ApplyPatchError` whose
    ``str()`` is the text codex returns to the model, e.g.
    ``apply_patch verification failed: invalid hunk at line 2, ...`` or
    ``apply_patch verification failed: Failed to read /abs/x: No such file or
    directory (os error 2)``; :class:`PathEscapeError` when a path leaves ``root``.
    """
    try:
        patch = parse_patch(text)
    except ParseError as exc:
        raise ApplyPatchError(VERIFICATION_FAILED_PREFIX + exc.display()) from exc
    return verify_parsed(patch, cwd, root=root)


# ferry: codex_apply_patch::invocation::maybe_parse_apply_patch_verified @ 1d092cb66 -- per-hunk change computation for an ApplyPatchArgs
def verify_parsed(
    patch: Patch, cwd: str | os.PathLike[str], *, root: str | os.PathLike[str] | None = None
) -> VerifiedPatch:
    """:func:`verify_patch` for an already parsed patch (``workdir`` is honoured)."""
    cwd_abs = absolute_cwd(cwd)
    if patch.workdir is not None:
        cwd_abs = normalize_path(cwd_abs, patch.workdir)
    ws = Workspace(root if root is not None else absolute_cwd(cwd))
    _check_confinement(patch.hunks, cwd_abs, ws)
    seen: set[str] = set()
    changes: list[FileChange] = []
    for hunk in patch.hunks:
        path = normalize_path(cwd_abs, hunk.path)
        if path in seen:
            raise ApplyPatchError(
                f"{VERIFICATION_FAILED_PREFIX}invalid patch: multiple operations target {path}"
            )
        seen.add(path)
        try:
            changes.append(_verify_hunk(hunk, path, cwd_abs, ws))
        except _HunkFailure as exc:
            raise ApplyPatchError(VERIFICATION_FAILED_PREFIX + exc.message) from None
    return VerifiedPatch(
        changes=tuple(changes),
        patch=patch.patch,
        cwd=Path(cwd_abs),
        hunks=patch.hunks,
        root=Path(ws.root),
    )


# ferry: codex_apply_patch::apply_hunks @ 1d092cb66 -- applies an ApplyPatchAction's hunks the way codex_core does after verification
def apply_verified(
    verified: VerifiedPatch,
    *,
    root: str | os.PathLike[str] | None = None,
    guard: WriteGuard | None = None,
) -> ApplyPatchResult:
    """Apply a :class:`VerifiedPatch` (its hunks, in its ``cwd``), like codex does after verifying.

    Writes stay inside ``root``, by default the root the patch was verified against,
    and every resolved write target must pass ``guard`` (see :func:`apply_hunks`).
    """
    if root is None:
        root = verified.root if verified.root is not None else verified.cwd
    return apply_hunks(verified.hunks, verified.cwd, root=root, guard=guard)


# --------------------------------------------------------------------------- planning


def _summary_text(summary: list[tuple[str, str]]) -> str:
    lines = [SUCCESS_HEADER]
    for tag in ("A", "M", "D"):
        lines.extend(f"{tag} {path}" for t, path in summary if t == tag)
    return "\n".join(lines) + "\n"


def _check_confinement(hunks: tuple[Hunk, ...] | list[Hunk], cwd_abs: str, ws: Workspace) -> None:
    """Reject (before anything is computed or written) paths that leave the root."""
    for hunk in hunks:
        if isinstance(hunk, AddFile):
            targets = [(hunk.path, True)]
        elif isinstance(hunk, DeleteFile):
            targets = [(hunk.path, False)]
        elif hunk.move_path is None:
            targets = [(hunk.path, True)]
        else:
            targets = [(hunk.path, False), (hunk.move_path, True)]
        for spelled, follow in targets:
            _ensure_inside(ws, spelled, normalize_path(cwd_abs, spelled), follow=follow)


def _escape_error(ws: Workspace, spelled: str, real: str) -> PathEscapeError:
    return PathEscapeError(
        f"Refusing to apply patch: '{spelled}' resolves to {real}, "
        f"which is outside the workspace root {ws.root}"
    )


def _ensure_inside(ws: Workspace, spelled: str, path: str, *, follow: bool) -> None:
    try:
        real = ws.resolve(path).real if follow else ws.resolve_entry(path)
    except ResolveError:
        # Not traversable now: the hunk fails later with upstream's message (and
        # every write is checked again when it is planned).
        return
    if not is_within(real, ws.root):
        raise _escape_error(ws, spelled, real)


def _resolve_for_write(ws: Workspace, spelled: str, abs_path: str) -> Resolved:
    """Where a write to ``abs_path`` lands; raise upstream's write errors."""
    try:
        target = ws.resolve(abs_path)
    except ResolveError as exc:
        if exc.dangling_parent:
            raise _HunkFailure(f"Failed to create parent directories for {abs_path}") from None
        raise _HunkFailure(f"Failed to write file {abs_path}") from None
    if target.kind in ("dir", "other", "dangling"):
        raise _HunkFailure(f"Failed to write file {abs_path}")
    if not is_within(target.real, ws.root):
        raise _escape_error(ws, spelled, target.real)
    return target


def _entry_for_remove(ws: Workspace, spelled: str, abs_path: str, context: str) -> str:
    """The directory entry to unlink for ``abs_path`` (upstream: metadata, then remove)."""
    try:
        followed = ws.resolve(abs_path)
        entry = ws.resolve_entry(abs_path)
    except ResolveError:
        raise _HunkFailure(context) from None
    if followed.kind in ("missing", "dangling", "dir") or followed.missing_dirs:
        raise _HunkFailure(context)
    if not is_within(entry, ws.root):
        raise _escape_error(ws, spelled, entry)
    return entry


def _read_for_update(ws: Workspace, abs_path: str, context: str) -> tuple[Resolved, str]:
    """Read the file to update; raise ``{context}: {io error}`` like upstream."""
    try:
        target = ws.resolve(abs_path)
    except ResolveError as exc:
        raise _HunkFailure(f"{context}: {io_error_display(OSError(exc.errno, ''))}") from None
    if target.kind in ("missing", "dangling") or target.missing_dirs:
        raise _HunkFailure(f"{context}: {io_error_display(OSError(errno.ENOENT, ''))}")
    if target.kind != "file":
        raise _HunkFailure(f"{context}: path `{abs_path}` is not a file")
    try:
        return target, ws.read_text(target.real)
    except Utf8Failure as exc:
        raise _HunkFailure(f"{context}: {exc}") from None
    except OSError as exc:
        raise _HunkFailure(f"{context}: {io_error_display(exc)}") from None


def _plan_hunk(hunk: Hunk, cwd_abs: str, ws: Workspace) -> _PlannedHunk:
    spelled = hunk_display_path(hunk)
    abs_path = normalize_path(cwd_abs, hunk.path)
    if isinstance(hunk, AddFile):
        target = _resolve_for_write(ws, hunk.path, abs_path)
        old = _peek_text(ws, target)
        data = hunk.contents.encode()
        op = _Op(
            "write",
            target.real,
            data,
            bool(target.missing_dirs),
            f"Failed to write file {abs_path}",
        )
        ws.plan_write(target, data)
        change = FileChange(
            path=Path(abs_path),
            kind="add",
            move_path=None,
            unified_diff=unified_diff(old or "", hunk.contents),
            old_content=old,
            new_content=hunk.contents,
        )
        return _PlannedHunk((op,), change, ("A", spelled))

    if isinstance(hunk, DeleteFile):
        context = f"Failed to delete file {abs_path}"
        entry = _entry_for_remove(ws, hunk.path, abs_path, context)
        old = _peek_text(ws, ws.resolve(abs_path))
        ws.plan_remove(entry)
        change = FileChange(
            path=Path(abs_path),
            kind="delete",
            move_path=None,
            unified_diff=unified_diff(old, "") if old is not None else "",
            old_content=old,
        )
        return _PlannedHunk((_Op("remove", entry, b"", False, context),), change, ("D", spelled))

    source, original = _read_for_update(ws, abs_path, f"Failed to read file to update {abs_path}")
    try:
        new_contents = derive_new_contents(original, abs_path, hunk.chunks)
    except ComputeReplacementsError as exc:
        raise _HunkFailure(exc.message) from None
    data = new_contents.encode()
    ops: list[_Op] = []
    move_abs: str | None = None
    if hunk.move_path is not None:
        move_abs = normalize_path(cwd_abs, hunk.move_path)
        dest = _resolve_for_write(ws, hunk.move_path, move_abs)
        ops.append(
            _Op(
                "write",
                dest.real,
                data,
                bool(dest.missing_dirs),
                f"Failed to write file {move_abs}",
            )
        )
        ws.plan_write(dest, data)
        context = f"Failed to remove original {abs_path}"
        entry = _entry_for_remove(ws, hunk.path, abs_path, context)
        ops.append(_Op("remove", entry, b"", False, context))
        ws.plan_remove(entry)
    else:
        if not is_within(source.real, ws.root):
            raise _escape_error(ws, hunk.path, source.real)
        ops.append(_Op("write", source.real, data, False, f"Failed to write file {abs_path}"))
        ws.plan_write(source, data)
    change = FileChange(
        path=Path(abs_path),
        kind="update",
        move_path=Path(move_abs) if move_abs is not None else None,
        unified_diff=unified_diff(original, new_contents),
        old_content=original,
        new_content=new_contents,
    )
    return _PlannedHunk(tuple(ops), change, ("M", spelled))


def _peek_text(ws: Workspace, target: Resolved) -> str | None:
    if target.kind != "file":
        return None
    try:
        return ws.read_text(target.real)
    except (OSError, Utf8Failure):
        return None


# --------------------------------------------------------------------------- verification


def _verify_hunk(hunk: Hunk, abs_path: str, cwd_abs: str, ws: Workspace) -> FileChange:
    if isinstance(hunk, AddFile):
        try:
            old = _peek_text(ws, ws.resolve(abs_path))
        except ResolveError:
            old = None
        return FileChange(
            path=Path(abs_path),
            kind="add",
            move_path=None,
            unified_diff=unified_diff(old or "", hunk.contents),
            old_content=old,
            new_content=hunk.contents,
        )
    if isinstance(hunk, DeleteFile):
        _, content = _read_for_update(ws, abs_path, f"Failed to read {abs_path}")
        return FileChange(
            path=Path(abs_path),
            kind="delete",
            move_path=None,
            unified_diff=unified_diff(content, ""),
            old_content=content,
        )
    _, original = _read_for_update(ws, abs_path, f"Failed to read file to update {abs_path}")
    try:
        new_contents = derive_new_contents(original, abs_path, hunk.chunks)
    except ComputeReplacementsError as exc:
        raise _HunkFailure(exc.message) from None
    move_abs = normalize_path(cwd_abs, hunk.move_path) if hunk.move_path is not None else None
    return FileChange(
        path=Path(abs_path),
        kind="update",
        move_path=Path(move_abs) if move_abs is not None else None,
        unified_diff=unified_diff(original, new_contents),
        old_content=original,
        new_content=new_contents,
    )
