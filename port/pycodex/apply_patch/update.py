"""Compute a file's new contents from update chunks (upstream ``file_update.rs``).

Lines are matched ignoring their endings (``\\n``, ``\\r\\n`` or a lone ``\\r``).
Context lines of a chunk are kept exactly as they are in the file; only the runs
of removed/added lines between them are replaced. New lines take the file's
preferred ending (its first line break, ``\\n`` when there is none), untouched
lines keep theirs, and the result always ends with a line break: the behaviour
of the 0.169.0 binary.
"""

from __future__ import annotations

from collections.abc import Sequence

from pycodex.apply_patch.diff import tokenize_lines
from pycodex.apply_patch.errors import ApplyPatchError
from pycodex.apply_patch.seek_sequence import seek_sequence
from pycodex.apply_patch.types import UpdateFileChunk

Replacement = tuple[int, int, tuple[str, ...]]


# ferry: codex_apply_patch::compute_replacements @ 1d092cb66 -- its error case (ApplyPatchError::ComputeReplacements) -- 0.169.0: code moved to file_update.rs
class ComputeReplacementsError(ApplyPatchError):
    """The chunks do not match the file (``Failed to find ...``)."""


# ferry: codex_apply_patch::derive_new_contents_from_chunks @ 1d092cb66 -- its line splitting -- 0.169.0: keeps each line's ending
def split_source(contents: str) -> tuple[list[str], list[str | None], str]:
    """Split into line texts and their endings (``\\r\\n``, ``\\n`` or a lone ``\\r``;
    ``None`` for an unterminated last line), plus the preferred ending (the first
    one, else ``\\n``)."""
    texts: list[str] = []
    endings: list[str | None] = []
    for token in tokenize_lines(contents):
        if token.endswith("\r\n"):
            texts.append(token[:-2])
            endings.append("\r\n")
        elif token.endswith(("\n", "\r")):
            texts.append(token[:-1])
            endings.append(token[-1])
        else:
            texts.append(token)
            endings.append(None)
    preferred = endings[0] if endings and endings[0] is not None else "\n"
    return texts, endings, preferred


# ferry: codex_apply_patch::compute_replacements @ 1d092cb66 -- 0.169.0: moved to file_update.rs
def compute_replacements(
    original_lines: Sequence[str], path_display: str, chunks: Sequence[UpdateFileChunk]
) -> list[Replacement]:
    """Where each chunk applies: ``(start, old_len, new_lines)`` sorted by start."""
    replacements: list[Replacement] = []
    line_index = 0
    for chunk in chunks:
        if chunk.change_context is not None:
            idx = seek_sequence(original_lines, (chunk.change_context,), line_index, False)
            if idx is None:
                raise ComputeReplacementsError(
                    f"Failed to find context '{chunk.change_context}' in {path_display}"
                )
            line_index = idx + 1

        if not chunk.old_lines:
            # Pure addition: append at the end of the file.
            replacements.append((len(original_lines), 0, chunk.new_lines))
            continue

        pattern: tuple[str, ...] = chunk.old_lines
        new_slice: tuple[str, ...] = chunk.new_lines
        found = seek_sequence(original_lines, pattern, line_index, chunk.is_end_of_file)
        if found is None and pattern[-1] == "":
            # The trailing empty line stands for the file's final newline.
            pattern = pattern[:-1]
            if new_slice and new_slice[-1] == "":
                new_slice = new_slice[:-1]
            found = seek_sequence(original_lines, pattern, line_index, chunk.is_end_of_file)
        if found is None:
            raise ComputeReplacementsError(
                f"Failed to find expected lines in {path_display}:\n" + "\n".join(chunk.old_lines)
            )
        # Context lines stay as they are in the file: replace only the runs
        # between them.
        old_start = new_start = 0
        for old_ctx, new_ctx in chunk.context_indices:
            if old_ctx >= len(pattern) or new_ctx >= len(new_slice):
                break
            if old_start != old_ctx or new_start != new_ctx:
                replacements.append(
                    (found + old_start, old_ctx - old_start, new_slice[new_start:new_ctx])
                )
            old_start, new_start = old_ctx + 1, new_ctx + 1
        if old_start != len(pattern) or new_start != len(new_slice):
            replacements.append(
                (found + old_start, len(pattern) - old_start, new_slice[new_start:])
            )
        line_index = found + len(pattern)

    replacements.sort(key=lambda r: r[0])
    return replacements


# ferry: codex_apply_patch::derive_new_contents_from_chunks @ 1d092cb66 -- 0.169.0: moved to file_update.rs
# ferry: codex_apply_patch::apply_replacements @ 1d092cb66
def derive_new_contents(original: str, path_display: str, chunks: Sequence[UpdateFileChunk]) -> str:
    """The file's contents after applying ``chunks`` (raises ``ComputeReplacementsError``)."""
    texts, endings, preferred = split_source(original)
    replacements = compute_replacements(texts, path_display, chunks)
    out: list[str] = []
    n = len(texts)
    pos = 0  # position of the source-line iterator
    source_index = 0
    for start, old_len, new_segment in replacements:
        # `take(start - source_index)`; a negative count wraps to a huge usize
        # upstream, which keeps every remaining line.
        count = start - source_index
        stop = n if count < 0 else min(pos + count, n)
        for i in range(pos, stop):
            out.append(texts[i])
            out.append(endings[i] or preferred)
        pos = min(stop + old_len, n)
        for line in new_segment:
            out.append(line)
            out.append(preferred)
        source_index = start + old_len
    for i in range(pos, n):
        out.append(texts[i])
        out.append(endings[i] or preferred)
    return "".join(out)
