"""apply_patch: the patch format codex edits files with (upstream ``codex-rs/apply-patch``).

Public API:

* :func:`parse_patch` — text to :class:`Patch` (lenient, like upstream).
* :func:`apply_patch` — apply in a directory, confined to a workspace root;
  :class:`ApplyPatchResult` with the changes and upstream's success text.
* :func:`verify_patch` — compute every change without writing (what codex
  builds its ``file_change`` event from before applying).
* :func:`extract_apply_patch_from_shell` — detect ``apply_patch`` calls in argv.
* :data:`APPLY_PATCH_TOOL` — the freeform tool definition sent to the model.
"""

from pycodex.apply_patch.apply import (
    NO_FILES_MODIFIED,
    SUCCESS_HEADER,
    VERIFICATION_FAILED_PREFIX,
    apply_hunks,
    apply_patch,
    apply_verified,
    verify_parsed,
    verify_patch,
)
from pycodex.apply_patch.diff import unified_diff
from pycodex.apply_patch.errors import ApplyPatchError, ParseError, PathEscapeError
from pycodex.apply_patch.invocation import (
    IMPLICIT_INVOCATION_MESSAGE,
    ApplyPatchInvocation,
    MaybeApplyPatch,
    MaybeApplyPatchKind,
    extract_apply_patch_from_shell,
    extract_apply_patch_invocation,
    extract_heredoc,
    maybe_parse_apply_patch,
    maybe_parse_apply_patch_verified,
)
from pycodex.apply_patch.parser import parse_patch
from pycodex.apply_patch.seek_sequence import seek_sequence
from pycodex.apply_patch.tool import (
    APPLY_PATCH_LARK_GRAMMAR,
    APPLY_PATCH_TOOL,
    APPLY_PATCH_TOOL_NAME,
    apply_patch_tool,
)
from pycodex.apply_patch.types import (
    AddFile,
    ApplyPatchResult,
    DeleteFile,
    FileChange,
    FileChangeKind,
    Hunk,
    Patch,
    UpdateFile,
    UpdateFileChunk,
    VerifiedPatch,
)

__all__ = [
    "APPLY_PATCH_LARK_GRAMMAR",
    "APPLY_PATCH_TOOL",
    "APPLY_PATCH_TOOL_NAME",
    "IMPLICIT_INVOCATION_MESSAGE",
    "NO_FILES_MODIFIED",
    "SUCCESS_HEADER",
    "VERIFICATION_FAILED_PREFIX",
    "AddFile",
    "ApplyPatchError",
    "ApplyPatchInvocation",
    "ApplyPatchResult",
    "DeleteFile",
    "FileChange",
    "FileChangeKind",
    "Hunk",
    "MaybeApplyPatch",
    "MaybeApplyPatchKind",
    "ParseError",
    "Patch",
    "PathEscapeError",
    "UpdateFile",
    "UpdateFileChunk",
    "VerifiedPatch",
    "apply_hunks",
    "apply_patch",
    "apply_patch_tool",
    "apply_verified",
    "extract_apply_patch_from_shell",
    "extract_apply_patch_invocation",
    "extract_heredoc",
    "maybe_parse_apply_patch",
    "maybe_parse_apply_patch_verified",
    "parse_patch",
    "seek_sequence",
    "unified_diff",
    "verify_parsed",
    "verify_patch",
]
