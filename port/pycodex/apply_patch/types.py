"""Value types of the apply_patch package (parsed hunks, file changes, results)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

FileChangeKind = Literal["add", "delete", "update"]


# ferry: codex_apply_patch::parser::UpdateFileChunk @ 1d092cb66
@dataclass(frozen=True)
class UpdateFileChunk:
    """One ``@@`` section of an ``*** Update File:`` hunk."""

    #: The text after ``@@ `` (a line to seek before ``old_lines``), if any.
    change_context: str | None
    #: Lines to find (context and ``-`` lines, in order).
    old_lines: tuple[str, ...]
    #: Lines to put in their place (context and ``+`` lines, in order).
    new_lines: tuple[str, ...]
    #: ``*** End of File`` followed: ``old_lines`` must end the file.
    is_end_of_file: bool = False
    #: ``(index in old_lines, index in new_lines)`` of each context line. Context
    #: lines are kept as they are in the file (original spacing and line ending)
    #: rather than rewritten from the patch.
    context_indices: tuple[tuple[int, int], ...] = ()


# ferry: codex_apply_patch::parser::Hunk::AddFile @ 1d092cb66
@dataclass(frozen=True)
class AddFile:
    path: str
    contents: str


# ferry: codex_apply_patch::parser::Hunk::DeleteFile @ 1d092cb66
@dataclass(frozen=True)
class DeleteFile:
    path: str


# ferry: codex_apply_patch::parser::Hunk::UpdateFile @ 1d092cb66
@dataclass(frozen=True)
class UpdateFile:
    path: str
    move_path: str | None
    chunks: tuple[UpdateFileChunk, ...]


Hunk = AddFile | DeleteFile | UpdateFile


# ferry: codex_apply_patch::parser::Hunk::path @ 1d092cb66
def hunk_display_path(hunk: Hunk) -> str:
    """``Hunk::path``: the path as spelled in the patch (the move target for renames)."""
    if isinstance(hunk, UpdateFile) and hunk.move_path is not None:
        return hunk.move_path
    return hunk.path


# ferry: codex_apply_patch::ApplyPatchArgs @ 1d092cb66
@dataclass(frozen=True)
class Patch:
    """A parsed patch (upstream ``ApplyPatchArgs``).

    ``patch`` is the patch text as upstream normalises it (the lines between and
    including the markers joined with ``\\n``, without any heredoc wrapper);
    ``workdir`` is the ``cd`` directory of a ``cd DIR && apply_patch <<EOF`` call;
    ``environment_id`` is the id of an ``*** Environment ID:`` line (codex 0.169.0
    answers ``apply_patch environment selection is unavailable for this turn``
    when a single-environment session gets one).
    """

    hunks: tuple[Hunk, ...]
    patch: str
    workdir: str | None = None
    #: The ``*** Environment ID:`` the patch names, if any.
    environment_id: str | None = None


# ferry: codex_apply_patch::ApplyPatchFileChange @ 1d092cb66
@dataclass(frozen=True)
class FileChange:
    """One file touched by a patch.

    ``path`` is absolute (the source file for updates and moves); ``move_path``
    is the absolute destination of a rename. ``unified_diff`` is the unified
    diff (context radius 1, no ``---``/``+++`` header, as upstream's
    ``similar``-based diff) from the old to the new contents; for additions and
    deletions it is the diff against an empty file. ``old_content`` /
    ``new_content`` are the texts before and after (``None`` where not
    applicable: no old text for an addition, no new text for a deletion).
    """

    path: Path
    kind: FileChangeKind
    move_path: Path | None
    unified_diff: str
    old_content: str | None = None
    new_content: str | None = None


# ferry: codex_apply_patch::AffectedPaths @ 1d092cb66 -- with print_summary's text
@dataclass(frozen=True)
class ApplyPatchResult:
    """A successfully applied patch: what changed, and upstream's success text."""

    changes: tuple[FileChange, ...]
    #: ``Success. Updated the following files:\\nA path\\nM path\\nD path\\n``.
    output: str


# ferry: codex_apply_patch::ApplyPatchAction @ 1d092cb66
@dataclass(frozen=True)
class VerifiedPatch:
    """A patch checked against the filesystem without writing (upstream ``ApplyPatchAction``).

    ``changes`` is in patch order; ``cwd`` is the directory relative paths were
    resolved against (the ``cd`` directory when there was one).
    """

    changes: tuple[FileChange, ...]
    patch: str
    cwd: Path
    hunks: tuple[Hunk, ...] = ()
    #: The workspace root the patch was checked against (writes stay inside it).
    root: Path | None = None

    # ferry: codex_apply_patch::ApplyPatchAction::is_empty @ 1d092cb66
    @property
    def is_empty(self) -> bool:
        return not self.changes
