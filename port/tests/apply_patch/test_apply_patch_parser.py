"""Parser tests: upstream's ``parser.rs`` tests ported, plus the 0.169.0 binary's leniencies.

The error strings were read off the real ``apply_patch`` (codex 0.169.0); the
oracle-marked test in ``test_apply_patch_oracle.py`` re-checks a superset live.
"""

from __future__ import annotations

import pytest
from pycodex.apply_patch import (
    AddFile,
    DeleteFile,
    ParseError,
    UpdateFile,
    UpdateFileChunk,
    parse_patch,
)


def wrap(body: str) -> str:
    return f"*** Begin Patch\n{body}\n*** End Patch"


def chunk(
    ctx: str | None,
    old: list[str],
    new: list[str],
    eof: bool = False,
    context: list[tuple[int, int]] | None = None,
) -> UpdateFileChunk:
    return UpdateFileChunk(ctx, tuple(old), tuple(new), eof, tuple(context or []))


# --------------------------------------------------------------------------- upstream's test_parse_patch


def test_bad_first_line() -> None:
    with pytest.raises(ParseError) as info:
        parse_patch("bad")
    assert str(info.value) == "invalid patch: The first line of the patch must be '*** Begin Patch'"
    assert info.value.line_number is None
    assert info.value.standalone_message() == (
        "Invalid patch: The first line of the patch must be '*** Begin Patch'"
    )


def test_missing_end_marker() -> None:
    with pytest.raises(ParseError) as info:
        parse_patch("*** Begin Patch\nbad")
    assert info.value.reason == "The last line of the patch must be '*** End Patch'"


def test_markers_with_surrounding_whitespace() -> None:
    patch = parse_patch("*** Begin Patch \n*** Add File: foo\n+hi\n *** End Patch")
    assert patch.hunks == (AddFile("foo", "hi\n"),)


def test_empty_update_hunk() -> None:
    with pytest.raises(ParseError) as info:
        parse_patch("*** Begin Patch\n*** Update File: test.py\n*** End Patch")
    assert str(info.value) == "invalid hunk at line 2, Update file hunk for path 'test.py' is empty"
    assert info.value.standalone_message() == (
        "Invalid patch hunk on line 2: Update file hunk for path 'test.py' is empty"
    )


def test_no_hunks() -> None:
    assert parse_patch("*** Begin Patch\n*** End Patch").hunks == ()


def test_all_hunk_kinds() -> None:
    patch = parse_patch(
        wrap(
            "*** Add File: path/add.py\n+abc\n+def\n"
            "*** Delete File: path/delete.py\n"
            "*** Update File: path/update.py\n*** Move to: path/update2.py\n"
            "@@ def f():\n-    pass\n+    return 123"
        )
    )
    assert patch.hunks == (
        AddFile("path/add.py", "abc\ndef\n"),
        DeleteFile("path/delete.py"),
        UpdateFile(
            "path/update.py",
            "path/update2.py",
            (chunk("def f():", ["    pass"], ["    return 123"]),),
        ),
    )


def test_update_followed_by_add() -> None:
    patch = parse_patch(
        wrap("*** Update File: file.py\n@@\n+line\n*** Add File: other.py\n+content")
    )
    assert patch.hunks == (
        UpdateFile("file.py", None, (chunk(None, [], ["line"]),)),
        AddFile("other.py", "content\n"),
    )


def test_first_chunk_may_omit_the_context_marker() -> None:
    patch = parse_patch(wrap("*** Update File: file2.py\n import foo\n+bar"))
    assert patch.hunks == (
        UpdateFile(
            "file2.py",
            None,
            (chunk(None, ["import foo"], ["import foo", "bar"], context=[(0, 0)]),),
        ),
    )


def test_update_chunks() -> None:
    patch = parse_patch(
        wrap(
            "*** Update File: f\n@@\n a\n-b\n+B\n@@ ctx\n c\n d\n-e\n+E\n@@\n f\n+g\n*** End of File"
        )
    )
    (hunk,) = patch.hunks
    assert isinstance(hunk, UpdateFile)
    assert hunk.chunks == (
        chunk(None, ["a", "b"], ["a", "B"], context=[(0, 0)]),
        chunk("ctx", ["c", "d", "e"], ["c", "d", "E"], context=[(0, 0), (1, 1)]),
        chunk(None, ["f"], ["f", "g"], eof=True, context=[(0, 0)]),
    )


def test_normalised_patch_text() -> None:
    text = "<<'EOF'\n*** Begin Patch\n*** Add File: a\n+x\n*** End Patch\nEOF\n"
    assert parse_patch(text).patch == "*** Begin Patch\n*** Add File: a\n+x\n*** End Patch"


# --------------------------------------------------------------------------- lenient forms


@pytest.mark.parametrize("opener", ["<<EOF", "<<'EOF'", '<<"EOF"'])
def test_heredoc_wrapper_is_stripped(opener: str) -> None:
    patch = parse_patch(f"{opener}\n*** Begin Patch\n*** Add File: a\n+x\n*** End Patch\nEOF\n")
    assert patch.hunks == (AddFile("a", "x\n"),)


def test_heredoc_closer_only_needs_to_end_with_eof() -> None:
    assert parse_patch("<<EOF\n*** Begin Patch\n*** Add File: g\n+q\n*** End Patch\nXEOF").hunks


def test_heredoc_with_other_delimiter_is_not_stripped() -> None:
    with pytest.raises(ParseError, match="first line"):
        parse_patch("<<'PATCH'\n*** Begin Patch\n*** Add File: g\n+q\n*** End Patch\nPATCH")


def test_heredoc_inner_errors_are_reported() -> None:
    with pytest.raises(ParseError, match="last line"):
        parse_patch("<<EOF\n*** Begin Patch\n*** Add File: g\n+q\nEOF")


def test_crlf_patch_text() -> None:
    text = "*** Begin Patch\r\n*** Update File: f\r\n@@\r\n-a\r\n+y\r\n*** End Patch\r\n"
    assert parse_patch(text).hunks == (UpdateFile("f", None, (chunk(None, ["a"], ["y"]),)),)


def test_add_lines_keep_trailing_whitespace_and_may_be_empty() -> None:
    assert parse_patch(wrap("*** Add File: n\n+x  \n+\t\n+")).hunks == (
        AddFile("n", "x  \n\t\n\n"),
    )
    assert parse_patch(wrap("*** Add File: n")).hunks == (AddFile("n", ""),)


def test_paths_are_taken_from_trimmed_headers() -> None:
    patch = parse_patch(wrap("  *** Update File:  f  \n*** Move to:  g \t\n@@\n-a\n+b"))
    (hunk,) = patch.hunks
    assert isinstance(hunk, UpdateFile)
    assert (hunk.path, hunk.move_path) == (" f", " g")


def test_context_markers_tolerate_trailing_whitespace() -> None:
    patch = parse_patch(
        wrap("*** Update File: f\n@@  \n-a\n+b\n@@   zz \t\n-c\n+d\n*** End of File \t")
    )
    (hunk,) = patch.hunks
    assert isinstance(hunk, UpdateFile)
    assert hunk.chunks == (chunk(None, ["a"], ["b"]), chunk("  zz", ["c"], ["d"], eof=True))


def test_indented_markers_inside_a_chunk_are_context_lines() -> None:
    patch = parse_patch(wrap("*** Update File: f\n @@\n *** End of File\n  *** Add File: g"))
    (hunk,) = patch.hunks
    assert isinstance(hunk, UpdateFile)
    assert hunk.chunks[0].old_lines == ("@@", "*** End of File", " *** Add File: g")


def test_end_of_file_and_move_lines_before_the_first_chunk() -> None:
    patch = parse_patch(
        wrap("*** Update File: f\n*** End of File\n*** Move to: g\n*** End of File\n-a\n+z")
    )
    assert patch.hunks == (UpdateFile("f", "g", (chunk(None, ["a"], ["z"]),)),)


def test_blank_lines_after_an_end_of_file_chunk_are_skipped() -> None:
    patch = parse_patch(wrap("*** Update File: f\n@@\n-a\n+z\n*** End of File\n\n \t\n@@\n-b\n+y"))
    (hunk,) = patch.hunks
    assert isinstance(hunk, UpdateFile)
    assert len(hunk.chunks) == 2


def test_blank_lines_elsewhere_are_empty_context_lines() -> None:
    patch = parse_patch(wrap("*** Update File: f\n\n@@\n-a\n+z"))
    (hunk,) = patch.hunks
    assert isinstance(hunk, UpdateFile)
    assert hunk.chunks[0] == chunk(None, [""], [""], context=[(0, 0)])


def test_early_end_patch_marker() -> None:
    assert parse_patch(wrap("*** Add File: g\n+q\n*** End Patch\n\n  ")).hunks == (
        AddFile("g", "q\n"),
    )
    with pytest.raises(ParseError, match="last line"):
        parse_patch(wrap("*** Add File: g\n+q\n*** End Patch\njunk"))
    with pytest.raises(ParseError, match="last line"):
        parse_patch(wrap("*** Add File: g\n*** End Patch\n*** End Patch"))


def test_environment_id() -> None:
    patch = parse_patch(wrap("*** Environment ID:  remote-1 \n*** Add File: e\n+x"))
    assert patch.environment_id == "remote-1"
    assert parse_patch(wrap("*** Add File: e\n+x")).environment_id is None


# --------------------------------------------------------------------------- error table (from the binary)

HEADER_HINT = "Valid hunk headers: '*** Add File: {path}', '*** Delete File: {path}', '*** Update File: {path}'"
LINE_HINT = (
    "Every line should start with ' ' (context line), '+' (added line), or '-' (removed line)"
)

ERRORS: list[tuple[str, str]] = [
    ("", "Invalid patch: The last line of the patch must be '*** End Patch'"),
    ("   \n", "Invalid patch: The last line of the patch must be '*** End Patch'"),
    ("--help", "Invalid patch: The first line of the patch must be '*** Begin Patch'"),
    ("*** Begin Patch", "Invalid patch: The last line of the patch must be '*** End Patch'"),
    (
        "x\n*** Begin Patch\n*** End Patch",
        "Invalid patch: The first line of the patch must be '*** Begin Patch'",
    ),
    (
        "*** begin patch\n*** End Patch",
        "Invalid patch: The first line of the patch must be '*** Begin Patch'",
    ),
    (
        wrap("*** Frobnicate File: foo"),
        f"Invalid patch hunk on line 2: '*** Frobnicate File: foo' is not a valid hunk header. {HEADER_HINT}",
    ),
    (
        wrap("*** Add File:"),
        f"Invalid patch hunk on line 2: '*** Add File:' is not a valid hunk header. {HEADER_HINT}",
    ),
    (wrap(""), f"Invalid patch hunk on line 2: '' is not a valid hunk header. {HEADER_HINT}"),
    (
        wrap("*** Add File: g\n+q\n\n*** Add File: h\n+r"),
        f"Invalid patch hunk on line 4: '' is not a valid hunk header. {HEADER_HINT}",
    ),
    (
        wrap("*** Add File: g\n+q\ngarbage"),
        f"Invalid patch hunk on line 4: 'garbage' is not a valid hunk header. {HEADER_HINT}",
    ),
    (
        wrap("*** Delete File: g\n+q"),
        f"Invalid patch hunk on line 3: '+q' is not a valid hunk header. {HEADER_HINT}",
    ),
    (
        wrap("*** Add File: g\n+q\n*** End of File"),
        f"Invalid patch hunk on line 4: '*** End of File' is not a valid hunk header. {HEADER_HINT}",
    ),
    (
        "*** Begin Patch\n*** Begin Patch\n*** Add File: g\n+q\n*** End Patch",
        f"Invalid patch hunk on line 2: '*** Begin Patch' is not a valid hunk header. {HEADER_HINT}",
    ),
    (
        wrap("*** Environment ID: a\n*** Frob"),
        f"Invalid patch hunk on line 3: '*** Frob' is not a valid hunk header. {HEADER_HINT}",
    ),
    (
        wrap("*** Add File: e\n+x\n*** Environment ID: abc"),
        f"Invalid patch hunk on line 4: '*** Environment ID: abc' is not a valid hunk header. {HEADER_HINT}",
    ),
    (
        wrap("*** Environment ID: \n*** Add File: e\n+x"),
        "Invalid patch: apply_patch environment_id cannot be empty",
    ),
    (
        wrap("*** Environment ID: a\n*** Environment ID: b\n*** Add File: e\n+x"),
        "Invalid patch: apply_patch environment_id cannot be specified more than once",
    ),
    (
        wrap("*** Update File: f\n*** End of File"),
        "Invalid patch hunk on line 2: Update file hunk for path 'f' is empty",
    ),
    (
        wrap("*** Update File: f\n*** Add File: g\n+q"),
        "Invalid patch hunk on line 2: Update file hunk for path 'f' is empty",
    ),
    (
        wrap("*** Update File: f\n@@"),
        "Invalid patch hunk on line 4: Update hunk does not contain any lines",
    ),
    (
        wrap("*** Update File: f\n@@\n*** End of File"),
        "Invalid patch hunk on line 4: Update hunk does not contain any lines",
    ),
    (
        wrap("*** Update File: f\n@@\n*** End Patch\n-a"),
        "Invalid patch hunk on line 4: Update hunk does not contain any lines",
    ),
    (
        wrap("*** Update File: f\n@@\n-a\n+z\n@@\n*** End of File"),
        "Invalid patch hunk on line 7: Update hunk does not contain any lines",
    ),
    (
        wrap("*** Update File: f\n@@\nbad"),
        f"Invalid patch hunk on line 4: Unexpected line found in update hunk: 'bad'. {LINE_HINT}",
    ),
    (
        wrap("*** Update File: f\n@@ class B\n@@ def f\n-x\n+y"),
        f"Invalid patch hunk on line 4: Unexpected line found in update hunk: '@@ def f'. {LINE_HINT}",
    ),
    (
        wrap("*** Update File: f\n@@class B\n-x"),
        f"Invalid patch hunk on line 3: Unexpected line found in update hunk: '@@class B'. {LINE_HINT}",
    ),
    (
        wrap("*** Update File: f\n*** Move to: \n@@\n-a"),
        f"Invalid patch hunk on line 3: Unexpected line found in update hunk: '*** Move to: '. {LINE_HINT}",
    ),
    (
        wrap("*** Update File: f\n*** Move to: g\n*** Move to: h\n@@\n-a"),
        f"Invalid patch hunk on line 4: Unexpected line found in update hunk: '*** Move to: h'. {LINE_HINT}",
    ),
    (
        wrap("*** Update File: f\n@@\n-a\n+z\n*** Something"),
        "Invalid patch hunk on line 6: Expected update hunk to start with a @@ context marker, got: '*** Something'",
    ),
    (
        wrap("*** Update File: f\n@@\n-a\n+z\n*** Move to: g"),
        "Invalid patch hunk on line 6: Expected update hunk to start with a @@ context marker, got: '*** Move to: g'",
    ),
    (
        wrap("*** Update File: f\n\n*** Move to: g\n@@\n-a"),
        "Invalid patch hunk on line 4: Expected update hunk to start with a @@ context marker, got: '*** Move to: g'",
    ),
    (
        wrap("*** Update File: f\n@@\n-a\n*** End of File\n*** End of File"),
        "Invalid patch hunk on line 6: Expected update hunk to start with a @@ context marker, got: '*** End of File'",
    ),
    (
        wrap("*** Update File: f\n@@\n-b\n+y\n\t\n*** End of File"),
        "Invalid patch hunk on line 6: Expected update hunk to start with a @@ context marker, got: '\t'",
    ),
    (
        wrap("*** Update File: f\n@@\n-a\n+z\n*** End Patch\n@@\n-b"),
        "Invalid patch: The last line of the patch must be '*** End Patch'",
    ),
    (
        wrap("*** Update File: f\n*** End Patch\n@@\n-a"),
        "Invalid patch hunk on line 2: Update file hunk for path 'f' is empty",
    ),
]


@pytest.mark.parametrize(("text", "message"), ERRORS)
def test_error_messages(text: str, message: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_patch(text)
    assert info.value.standalone_message() == message


def test_tab_after_context_marker_is_an_unexpected_line() -> None:
    with pytest.raises(ParseError) as info:
        parse_patch(wrap("*** Update File: f\n@@\tzz\n-a"))
    assert info.value.standalone_message() == (
        f"Invalid patch hunk on line 3: Unexpected line found in update hunk: '@@\tzz'. {LINE_HINT}"
    )


def test_parse_error_display_forms() -> None:
    err = ParseError("boom", 7)
    assert str(err) == "invalid hunk at line 7, boom"
    assert err.standalone_message() == "Invalid patch hunk on line 7: boom"
    assert str(ParseError("boom")) == "invalid patch: boom"
