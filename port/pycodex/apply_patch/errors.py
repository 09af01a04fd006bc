"""The apply_patch exception tree.

* :class:`ParseError` — the patch text is malformed. ``str()`` is upstream's
  ``ParseError`` display (``invalid patch: ...`` / ``invalid hunk at line N, ...``),
  which is what upstream embeds in ``apply_patch verification failed: ...``.
* :class:`ApplyPatchError` — applying (or verifying) failed. ``str()`` is exactly
  the text upstream reports for that failure (see the functions that raise it).
* :class:`PathEscapeError` — a path in the patch would leave the workspace root
  (a port-only safety check; raised before anything is written).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pycodex.apply_patch.types import FileChange


# ferry: codex_apply_patch::ApplyPatchError @ 1d092cb66
class ApplyPatchError(Exception):
    """A patch could not be applied. ``str(err)`` is upstream's text for the failure.

    ``committed`` lists the changes that were already written when the failure
    was detected (upstream applies hunk by hunk, so a later hunk can fail after
    earlier ones landed); it is empty when nothing was touched.
    """

    def __init__(self, message: str, *, committed: tuple[FileChange, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.committed = committed

    def __str__(self) -> str:
        return self.message


# ferry: codex_apply_patch::parser::ParseError @ 1d092cb66
class ParseError(ApplyPatchError):
    """Malformed patch text (upstream ``ParseError``).

    ``line_number`` is ``None`` for ``InvalidPatchError`` (bad begin/end markers)
    and the 1-based line of the offending hunk line otherwise.
    """

    def __init__(self, message: str, line_number: int | None = None) -> None:
        self.reason = message
        self.line_number = line_number
        super().__init__(self.display())

    # ferry: codex_apply_patch::parser::ParseError @ 1d092cb66 -- its thiserror Display
    def display(self) -> str:
        """``impl Display for ParseError`` (used by the model-facing verification text)."""
        if self.line_number is None:
            return f"invalid patch: {self.reason}"
        return f"invalid hunk at line {self.line_number}, {self.reason}"

    # ferry: codex_apply_patch::standalone_executable::run_main @ 1d092cb66 -- the stderr text run_main prints for a parse error
    def standalone_message(self) -> str:
        """What the ``apply_patch`` executable prints on stderr for this error."""
        if self.line_number is None:
            return f"Invalid patch: {self.reason}"
        return f"Invalid patch hunk on line {self.line_number}: {self.reason}"

    def __reduce__(self) -> tuple[type[ParseError], tuple[str, int | None]]:
        return (ParseError, (self.reason, self.line_number))


# ferry: port-only -- port enhancement: a patch path resolving outside the workspace root is refused before anything is written
class PathEscapeError(ApplyPatchError):
    """A patch path resolves outside the workspace root (nothing was written)."""
