"""Parse patch text into hunks (upstream ``codex-rs/apply-patch/src/parser.rs``).

The grammar (``apply_patch.lark``, the one sent to the model) is::

    start: begin_patch hunk+ end_patch
    hunk: add_hunk | delete_hunk | update_hunk
    add_hunk: "*** Add File: " filename LF add_line+
    delete_hunk: "*** Delete File: " filename LF
    update_hunk: "*** Update File: " filename LF change_move? change?
    change: (change_context | change_line)+ eof_line?

The parser is lenient in the same places as the Rust ``codex`` 0.169.0 binary:

* the whole text is trimmed and split with ``str::lines``; hunk lines then lose
  one more ``\\r`` at their end;
* ``*** Begin Patch`` / ``*** End Patch`` and hunk headers are compared trimmed;
* a ``<<EOF`` / ``<<'EOF'`` / ``<<"EOF"`` heredoc wrapper is stripped;
* the first ``@@`` of an update may be omitted; ``@@`` and ``*** End of File``
  tolerate trailing whitespace; ``*** End of File`` lines before the first chunk
  and a ``*** Move to:`` line anywhere before it are accepted;
* an ``*** End Patch`` line where a hunk would start ends the hunks early; only
  blank lines may follow it before the last line;
* ``*** Environment ID: <id>`` lines may directly follow ``*** Begin Patch``
  (at most one, non-empty; the id is returned in ``Patch.environment_id``).
"""

from __future__ import annotations

from pycodex.apply_patch import _rust
from pycodex.apply_patch.errors import ParseError
from pycodex.apply_patch.types import AddFile, DeleteFile, Hunk, Patch, UpdateFile, UpdateFileChunk

BEGIN_PATCH_MARKER = "*** Begin Patch"
END_PATCH_MARKER = "*** End Patch"
ADD_FILE_MARKER = "*** Add File: "
DELETE_FILE_MARKER = "*** Delete File: "
UPDATE_FILE_MARKER = "*** Update File: "
MOVE_TO_MARKER = "*** Move to: "
EOF_MARKER = "*** End of File"
ENVIRONMENT_ID_MARKER = "*** Environment ID:"
CHANGE_CONTEXT_MARKER = "@@ "
EMPTY_CHANGE_CONTEXT_MARKER = "@@"

_HEREDOC_OPENERS = ("<<EOF", "<<'EOF'", '<<"EOF"')
_FIRST_LINE_ERROR = "The first line of the patch must be '*** Begin Patch'"
_LAST_LINE_ERROR = "The last line of the patch must be '*** End Patch'"
_NO_LINES = "Update hunk does not contain any lines"


# ferry: codex_apply_patch::parser::parse_patch @ 1d092cb66
# ferry: codex_apply_patch::parser::parse_patch_text @ 1d092cb66
def parse_patch(text: str) -> Patch:
    """Parse ``text`` (lenient mode, as upstream always uses). Raises :class:`ParseError`."""
    all_lines = _rust.lines(_rust.trim(text))
    try:
        _check_boundaries(all_lines)
        lines = all_lines
    except ParseError as original:
        lines = _strip_heredoc(all_lines, original)
    normalized = "\n".join(lines)
    # The hunks are the lines between the markers; an "*** End Patch" line in
    # between ends them early, but then only blank lines may follow it. Hunk
    # lines lose one more trailing "\r" (as in the 0.169.0 binary).
    if "\r" in normalized:
        body = [line[:-1] if line.endswith("\r") else line for line in lines[:-1]]
    else:
        body = lines[:-1]
    hunks: list[Hunk] = []
    line_number = 2
    pos = 1
    environment_id: str | None = None
    while pos < len(body):
        header = _rust.trim(body[pos])
        if not header.startswith(ENVIRONMENT_ID_MARKER):
            break
        if environment_id is not None:
            raise ParseError("apply_patch environment_id cannot be specified more than once")
        environment_id = _rust.trim(header[len(ENVIRONMENT_ID_MARKER) :])
        if not environment_id:
            raise ParseError("apply_patch environment_id cannot be empty")
        pos += 1
        line_number += 1
    while pos < len(body):
        first_line = _rust.trim(body[pos])
        if first_line == END_PATCH_MARKER:
            if any(_rust.trim(line) for line in body[pos + 1 :]):
                raise ParseError(_LAST_LINE_ERROR)
            break
        hunk, consumed = _parse_one_hunk(body, pos, line_number, first_line)
        hunks.append(hunk)
        line_number += consumed
        pos += consumed
    return Patch(hunks=tuple(hunks), patch=normalized, environment_id=environment_id)


def _check_boundaries(lines: list[str]) -> None:
    first = _rust.trim(lines[0]) if lines else None
    last = _rust.trim(lines[-1]) if lines else None
    if first == BEGIN_PATCH_MARKER and last == END_PATCH_MARKER:
        return
    if first is not None and first != BEGIN_PATCH_MARKER:
        raise ParseError(_FIRST_LINE_ERROR)
    raise ParseError(_LAST_LINE_ERROR)


def _strip_heredoc(lines: list[str], original: ParseError) -> list[str]:
    if len(lines) >= 4 and lines[0] in _HEREDOC_OPENERS and lines[-1].endswith("EOF"):
        inner = lines[1:-1]
        _check_boundaries(inner)
        return inner
    raise original


def _parse_one_hunk(
    body: list[str], pos: int, line_number: int, first_line: str
) -> tuple[Hunk, int]:
    if first_line.startswith(ADD_FILE_MARKER):
        end = pos + 1
        while end < len(body) and body[end].startswith("+"):
            end += 1
        contents = "".join([line[1:] + "\n" for line in body[pos + 1 : end]])
        return AddFile(first_line[len(ADD_FILE_MARKER) :], contents), end - pos
    if first_line.startswith(DELETE_FILE_MARKER):
        return DeleteFile(first_line[len(DELETE_FILE_MARKER) :]), 1
    if first_line.startswith(UPDATE_FILE_MARKER):
        return _parse_update_hunk(body, pos, line_number, first_line[len(UPDATE_FILE_MARKER) :])
    raise ParseError(
        f"'{first_line}' is not a valid hunk header. Valid hunk headers: "
        "'*** Add File: {path}', '*** Delete File: {path}', '*** Update File: {path}'",
        line_number,
    )


def _is_hunk_header(line: str) -> bool:
    return line.startswith((ADD_FILE_MARKER, DELETE_FILE_MARKER, UPDATE_FILE_MARKER))


def _parse_update_hunk(
    body: list[str], pos: int, line_number: int, path: str
) -> tuple[UpdateFile, int]:
    end = len(body)
    i = pos + 1
    move_path: str | None = None
    # Preamble: an optional "*** Move to:" line; "*** End of File" lines before
    # the first chunk are ignored.
    while i < end:
        line = _rust.trim_end(body[i])
        if line == EOF_MARKER:
            i += 1
            continue
        if move_path is None and line.startswith(MOVE_TO_MARKER):
            move_path = line[len(MOVE_TO_MARKER) :]
            i += 1
            continue
        break

    chunks: list[UpdateFileChunk] = []
    while i < end:
        line = body[i]
        if chunks and chunks[-1].is_end_of_file and not _rust.trim(line):
            i += 1  # blank lines after an "*** End of File" chunk are skipped
            continue
        if _rust.trim_end(line) == END_PATCH_MARKER or _is_hunk_header(line):
            break
        chunk, used = _parse_update_file_chunk(
            body, i, end, line_number + (i - pos), allow_missing_context=not chunks
        )
        chunks.append(chunk)
        i += used

    if not chunks:
        raise ParseError(f"Update file hunk for path '{path}' is empty", line_number)
    return UpdateFile(path, move_path, tuple(chunks)), i - pos


def _parse_update_file_chunk(
    body: list[str], start: int, end: int, line_number: int, *, allow_missing_context: bool
) -> tuple[UpdateFileChunk, int]:
    first = _rust.trim_end(body[start])
    change_context: str | None = None
    if first == EMPTY_CHANGE_CONTEXT_MARKER:
        start_index = 1
    elif first.startswith(CHANGE_CONTEXT_MARKER):
        change_context = first[len(CHANGE_CONTEXT_MARKER) :]
        start_index = 1
    else:
        if not allow_missing_context:
            raise ParseError(
                f"Expected update hunk to start with a @@ context marker, got: '{body[start]}'",
                line_number,
            )
        start_index = 0
    if start + start_index >= end:
        raise ParseError(_NO_LINES, line_number + start_index)

    old_lines: list[str] = []
    new_lines: list[str] = []
    context: list[tuple[int, int]] = []
    is_end_of_file = False
    parsed = 0
    for line in body[start + start_index : end]:
        stripped = _rust.trim_end(line)
        if stripped == END_PATCH_MARKER:
            if parsed == 0:
                raise ParseError(_NO_LINES, line_number + start_index)
            break
        if stripped == EOF_MARKER:
            if parsed == 0:
                raise ParseError(_NO_LINES, line_number + start_index)
            is_end_of_file = True
            parsed += 1
            break
        if not line:
            context.append((len(old_lines), len(new_lines)))
            old_lines.append("")
            new_lines.append("")
        else:
            marker = line[0]
            if marker == " ":
                context.append((len(old_lines), len(new_lines)))
                old_lines.append(line[1:])
                new_lines.append(line[1:])
            elif marker == "+":
                new_lines.append(line[1:])
            elif marker == "-":
                old_lines.append(line[1:])
            else:
                if parsed == 0:
                    raise ParseError(
                        f"Unexpected line found in update hunk: '{line}'. Every line should "
                        "start with ' ' (context line), '+' (added line), or '-' (removed line)",
                        line_number + start_index,
                    )
                break
        parsed += 1
    chunk = UpdateFileChunk(
        change_context, tuple(old_lines), tuple(new_lines), is_end_of_file, tuple(context)
    )
    return chunk, parsed + start_index
