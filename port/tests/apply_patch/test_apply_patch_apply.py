"""Applying patches: contents, line endings, output text, errors, atomicity, verification.

Expected texts come from the Rust ``apply_patch`` / ``codex exec`` 0.169.0.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from ap_test_helpers import tree, write_files
from pycodex.apply_patch import (
    ApplyPatchError,
    FileChange,
    apply_patch,
    apply_verified,
    verify_patch,
)


def wrap(body: str) -> str:
    return f"*** Begin Patch\n{body}\n*** End Patch"


def update(ws: Path, body: str, content: str | bytes, name: str = "f") -> bytes:
    write_files(ws, {name: content})
    apply_patch(wrap(f"*** Update File: {name}\n{body}"), ws)
    return (ws / name).read_bytes()


# --------------------------------------------------------------------------- upstream's lib.rs tests


def test_add_file_creates_file_with_contents(workspace: Path) -> None:
    path = workspace / "add.txt"
    result = apply_patch(wrap(f"*** Add File: {path}\n+ab\n+cd"), workspace)
    assert result.output == f"Success. Updated the following files:\nA {path}\n"
    assert path.read_text() == "ab\ncd\n"
    assert result.changes == (
        FileChange(path, "add", None, "@@ -0,0 +1,2 @@\n+ab\n+cd\n", None, "ab\ncd\n"),
    )


def test_relative_and_absolute_paths(workspace: Path) -> None:
    write_files(
        workspace,
        {
            "relative-delete.txt": "delete relative\n",
            "absolute-delete.txt": "delete absolute\n",
            "relative-update.txt": "relative old\n",
            "absolute-update.txt": "absolute old\n",
        },
    )
    abs_add = workspace / "absolute-add.txt"
    abs_delete = workspace / "absolute-delete.txt"
    abs_update = workspace / "absolute-update.txt"
    result = apply_patch(
        wrap(
            "*** Add File: relative-add.txt\n+relative add\n"
            f"*** Add File: {abs_add}\n+absolute add\n"
            "*** Delete File: relative-delete.txt\n"
            f"*** Delete File: {abs_delete}\n"
            "*** Update File: relative-update.txt\n@@\n-relative old\n+relative new\n"
            f"*** Update File: {abs_update}\n@@\n-absolute old\n+absolute new"
        ),
        workspace,
    )
    assert result.output == (
        "Success. Updated the following files:\n"
        f"A relative-add.txt\nA {abs_add}\nM relative-update.txt\nM {abs_update}\n"
        f"D relative-delete.txt\nD {abs_delete}\n"
    )
    assert tree(workspace) == {
        "absolute-add.txt": b"absolute add\n",
        "absolute-update.txt": b"absolute new\n",
        "relative-add.txt": b"relative add\n",
        "relative-update.txt": b"relative new\n",
    }
    assert [c.kind for c in result.changes] == [
        "add",
        "add",
        "delete",
        "delete",
        "update",
        "update",
    ]
    assert all(c.path.is_absolute() for c in result.changes)


def test_delete_file(workspace: Path) -> None:
    write_files(workspace, {"del.txt": "x"})
    result = apply_patch(wrap("*** Delete File: del.txt"), workspace)
    assert result.output == "Success. Updated the following files:\nD del.txt\n"
    assert not (workspace / "del.txt").exists()
    assert result.changes[0].old_content == "x"


def test_update_file(workspace: Path) -> None:
    assert update(workspace, "@@\n foo\n-bar\n+baz", "foo\nbar\n") == b"foo\nbaz\n"


def test_move_file(workspace: Path) -> None:
    write_files(workspace, {"src.txt": "line\n"})
    result = apply_patch(
        wrap("*** Update File: src.txt\n*** Move to: dst/x.txt\n@@\n-line\n+line2"), workspace
    )
    assert result.output == "Success. Updated the following files:\nM dst/x.txt\n"
    assert tree(workspace) == {"dst": "<dir>", "dst/x.txt": b"line2\n"}
    (change,) = result.changes
    assert (change.path, change.move_path) == (workspace / "src.txt", workspace / "dst/x.txt")
    assert change.unified_diff == "@@ -1 +1 @@\n-line\n+line2\n"


def test_multiple_chunks_and_interleaved_changes(workspace: Path) -> None:
    assert update(
        workspace, "@@\n foo\n-bar\n+BAR\n@@\n baz\n-qux\n+QUX", "foo\nbar\nbaz\nqux\n"
    ) == (b"foo\nBAR\nbaz\nQUX\n")
    body = "@@\n a\n-b\n+B\n@@\n c\n d\n-e\n+E\n@@\n f\n+g\n*** End of File"
    assert update(workspace, body, "a\nb\nc\nd\ne\nf\n") == b"a\nB\nc\nd\nE\nf\ng\n"


def test_pure_addition_chunk_followed_by_removal(workspace: Path) -> None:
    body = "@@\n+after-context\n+second-line\n@@\n line1\n-line2\n-line3\n+line2-replacement"
    assert update(workspace, body, "line1\nline2\nline3\n") == (
        b"line1\nline2-replacement\nafter-context\nsecond-line\n"
    )


def test_unicode_dash_in_file_matches_ascii_patch(workspace: Path) -> None:
    original = "import asyncio  # local import \u2013 avoids top\u2011level dep\n"
    body = "@@\n-import asyncio  # local import - avoids top-level dep\n+import asyncio  # HELLO"
    assert update(workspace, body, original) == b"import asyncio  # HELLO\n"


# --------------------------------------------------------------------------- 0.169.0 specifics


def test_crlf_files_keep_their_line_endings(workspace: Path) -> None:
    assert update(workspace, "@@\n-a\n+y", "a\r\nb\r\n") == b"y\r\nb\r\n"
    assert update(workspace, "@@\n+y", "a\r\nb\r\n") == b"a\r\nb\r\ny\r\n"
    # The first line break decides the ending of new lines; others are kept.
    assert update(workspace, "@@\n-b\n+y", "a\nb\r\nq\r\n") == b"a\ny\nq\r\n"


def test_lone_carriage_returns_are_line_breaks(workspace: Path) -> None:
    assert update(workspace, "@@\n-c\n+d", "a\rb\nc\n") == b"a\rb\nd\r"
    assert update(workspace, "@@\n-b\n+d", "a\rb\nc\n") == b"a\rd\rc\n"


def test_context_lines_are_kept_from_the_file(workspace: Path) -> None:
    assert update(workspace, "@@\n foo\n-bar\n+baz", "  foo\nbar\n") == b"  foo\nbaz\n"
    assert (
        update(workspace, "@@\n a - b\n-bar\n+baz", "a \u2013 b\nbar\n")
        == "a \u2013 b\nbaz\n".encode()
    )
    # Only the runs between context lines are replaced, so an insertion that
    # lands at the end of the file follows a pure addition made earlier.
    assert update(workspace, "@@\n+P\n@@\n-x\n y\n+a", "x\ny\n") == b"y\nP\na\n"


def test_trailing_newline_is_added(workspace: Path) -> None:
    assert update(workspace, "@@\n-b\n+y", "a\nb") == b"a\ny\n"
    assert update(workspace, "@@\n a", "a") == b"a\n"
    assert update(workspace, "@@\n+y", "") == b"y\n"
    assert update(workspace, "@@\n+y", "a\n\n") == b"a\n\ny\n"


def test_trailing_empty_old_line_stands_for_the_final_newline(workspace: Path) -> None:
    assert update(workspace, "@@\n-y\n-\n+a", "x\ny\n") == b"x\na\n"


def test_context_marker_narrows_the_search(workspace: Path) -> None:
    assert update(workspace, "@@ b\n-a\n+A", "a\nb\na\n") == b"a\nb\nA\n"
    assert update(workspace, "@@ a\n+y", "a\nb\nc\n") == b"a\nb\nc\ny\n"


def test_chunks_must_be_in_file_order(workspace: Path) -> None:
    write_files(workspace, {"f": "a\nb\nc\n"})
    with pytest.raises(ApplyPatchError) as info:
        apply_patch(wrap("*** Update File: f\n@@\n-c\n+C\n@@\n-a\n+A"), workspace)
    assert str(info.value) == f"Failed to find expected lines in {workspace}/f:\na"


def test_end_of_file_chunk_must_match_at_the_end(workspace: Path) -> None:
    assert update(workspace, "@@\n-b\n+y\n*** End of File", "b\na\nb\n") == b"b\na\ny\n"
    write_files(workspace, {"f": "a\nb\n"})
    with pytest.raises(ApplyPatchError, match="Failed to find expected lines"):
        apply_patch(wrap("*** Update File: f\n@@\n-a\n+y\n*** End of File"), workspace)


def test_hunks_apply_in_order(workspace: Path) -> None:
    write_files(workspace, {"a": "x\n"})
    result = apply_patch(
        wrap("*** Update File: a\n*** Move to: b\n@@\n-x\n+y\n*** Add File: b\n+q"), workspace
    )
    assert result.output == "Success. Updated the following files:\nA b\nM b\n"
    assert tree(workspace) == {"b": b"q\n"}
    write_files(workspace, {"c": "1\n"})
    apply_patch(wrap("*** Add File: c\n+2\n*** Update File: c\n@@\n-2\n+3"), workspace)
    assert (workspace / "c").read_text() == "3\n"


def test_move_onto_itself_deletes_the_file_like_upstream(workspace: Path) -> None:
    write_files(workspace, {"a": "a\n"})
    result = apply_patch(wrap("*** Update File: a\n*** Move to: ./a\n@@\n-a\n+b"), workspace)
    assert result.output == "Success. Updated the following files:\nM ./a\n"
    assert tree(workspace) == {}


def test_paths_are_normalised_lexically(workspace: Path) -> None:
    write_files(workspace, {"sub/x": "1"})
    result = apply_patch(wrap("*** Add File: sub/../new/\n+x"), workspace)
    assert result.output == "Success. Updated the following files:\nA sub/../new/\n"
    assert (workspace / "new").read_text() == "x\n"
    assert result.changes[0].path == workspace / "new"


def test_symlinks_inside_the_workspace_are_followed(workspace: Path) -> None:
    write_files(workspace, {"t": "a\n"})
    (workspace / "l").symlink_to("t")
    apply_patch(wrap("*** Update File: l\n@@\n-a\n+b"), workspace)
    assert tree(workspace) == {"l": "-> t", "t": b"b\n"}
    apply_patch(wrap("*** Delete File: l"), workspace)
    assert tree(workspace) == {"t": b"b\n"}
    (workspace / "d").symlink_to("missing.txt")
    apply_patch(wrap("*** Add File: d\n+x"), workspace)
    assert tree(workspace) == {"d": "-> missing.txt", "missing.txt": b"x\n", "t": b"b\n"}


def test_file_mode_is_preserved_and_no_temporary_files_remain(workspace: Path) -> None:
    write_files(workspace, {"run.sh": "echo a\n"})
    os.chmod(workspace / "run.sh", 0o751)
    apply_patch(wrap("*** Update File: run.sh\n@@\n-echo a\n+echo b"), workspace)
    assert stat.S_IMODE(os.stat(workspace / "run.sh").st_mode) == 0o751
    assert sorted(p.name for p in workspace.iterdir()) == ["run.sh"]


# --------------------------------------------------------------------------- errors


def test_empty_patch(workspace: Path) -> None:
    with pytest.raises(ApplyPatchError) as info:
        apply_patch(wrap("").replace("\n\n", "\n"), workspace)
    assert str(info.value) == "No files were modified."


def test_parse_errors_use_the_executables_wording(workspace: Path) -> None:
    with pytest.raises(ApplyPatchError) as info:
        apply_patch(wrap("*** Frob: x"), workspace)
    assert str(info.value).startswith(
        "Invalid patch hunk on line 2: '*** Frob: x' is not a valid hunk header."
    )


@pytest.mark.parametrize(
    ("files", "body", "message"),
    [
        ({}, "*** Delete File: nope", "Failed to delete file {ws}/nope"),
        ({"d/x": "1"}, "*** Delete File: d", "Failed to delete file {ws}/d"),
        ({"d/x": "1"}, "*** Add File: d\n+x", "Failed to write file {ws}/d"),
        ({"f": "1"}, "*** Add File: f/x\n+x", "Failed to write file {ws}/f/x"),
        ({}, "*** Add File: .\n+x", "Failed to write file {ws}"),
        (
            {},
            "*** Update File: nope\n@@\n-a\n+b",
            "Failed to read file to update {ws}/nope: No such file or directory (os error 2)",
        ),
        (
            {},
            "*** Update File: zz/../nope\n@@\n-a\n+b",
            "Failed to read file to update {ws}/nope: No such file or directory (os error 2)",
        ),
        (
            {"d/x": "1"},
            "*** Update File: d\n@@\n-a\n+b",
            "Failed to read file to update {ws}/d: path `{ws}/d` is not a file",
        ),
        (
            {"f": "1"},
            "*** Update File: f/x\n@@\n-a\n+b",
            "Failed to read file to update {ws}/f/x: Not a directory (os error 20)",
        ),
        (
            {"b": b"\xff\n"},
            "*** Update File: b\n@@\n-x\n+y",
            "Failed to read file to update {ws}/b: invalid utf-8 sequence of 1 bytes from index 0",
        ),
        (
            {"a": b"a\nb\xe2\x82\n"},
            "*** Update File: a\n@@\n-a\n+b",
            "Failed to read file to update {ws}/a: invalid utf-8 sequence of 2 bytes from index 3",
        ),
        (
            {"a": b"a\nb\xe2\x82"},
            "*** Update File: a\n@@\n-a\n+b",
            "Failed to read file to update {ws}/a: incomplete utf-8 byte sequence from index 3",
        ),
        (
            {"m": "a\n"},
            "*** Update File: m\n@@\n-zz\n+y",
            "Failed to find expected lines in {ws}/m:\nzz",
        ),
        (
            {"m": "a\n"},
            "*** Update File: m\n@@ class X\n-zz\n+y",
            "Failed to find context 'class X' in {ws}/m",
        ),
        (
            {"m": "a\n"},
            "*** Update File: m\n@@\n-b\n-\n-\n+y",
            "Failed to find expected lines in {ws}/m:\nb\n\n",
        ),
        (
            {"a": "a\n", "d/x": "1"},
            "*** Update File: a\n*** Move to: d\n@@\n-a\n+b",
            "Failed to write file {ws}/d",
        ),
    ],
)
def test_failure_messages(
    workspace: Path, files: dict[str, str | bytes], body: str, message: str
) -> None:
    write_files(workspace, files)
    before = tree(workspace)
    with pytest.raises(ApplyPatchError) as info:
        apply_patch(wrap(body), workspace)
    assert str(info.value) == message.format(ws=workspace)
    assert info.value.committed == ()
    assert tree(workspace) == before


def test_dangling_directory_symlink_cannot_get_parents(workspace: Path) -> None:
    (workspace / "l").symlink_to("missing-dir")
    with pytest.raises(ApplyPatchError) as info:
        apply_patch(wrap("*** Add File: l/x\n+x"), workspace)
    assert str(info.value) == f"Failed to create parent directories for {workspace}/l/x"


def test_earlier_hunks_stay_applied_when_a_later_one_fails(workspace: Path) -> None:
    with pytest.raises(ApplyPatchError) as info:
        apply_patch(
            wrap("*** Add File: created.txt\n+hello\n*** Update File: missing.txt\n@@\n-old\n+new"),
            workspace,
        )
    assert str(info.value).startswith("Failed to read file to update")
    assert [c.kind for c in info.value.committed] == ["add"]
    assert tree(workspace) == {"created.txt": b"hello\n"}


def test_failed_hunk_never_leaves_partial_content(workspace: Path) -> None:
    write_files(workspace, {"f": "a\nb\n"})
    with pytest.raises(ApplyPatchError):
        apply_patch(wrap("*** Update File: f\n@@\n-a\n+A\n@@\n-missing\n+x"), workspace)
    assert (workspace / "f").read_text() == "a\nb\n"


# --------------------------------------------------------------------------- verification (codex exec path)

VERIFY = "apply_patch verification failed: "


def test_verify_computes_changes_without_writing(workspace: Path) -> None:
    write_files(workspace, {"b.txt": "x\n", "gone.txt": "bye\n"})
    verified = verify_patch(
        wrap(
            "*** Add File: a.txt\n+hi\n*** Update File: b.txt\n*** Move to: c.txt\n@@\n-x\n+y\n"
            "*** Delete File: gone.txt"
        ),
        workspace,
    )
    assert tree(workspace) == {"b.txt": b"x\n", "gone.txt": b"bye\n"}
    assert [(c.path.name, c.kind, c.move_path) for c in verified.changes] == [
        ("a.txt", "add", None),
        ("b.txt", "update", workspace / "c.txt"),
        ("gone.txt", "delete", None),
    ]
    assert verified.changes[1].unified_diff == "@@ -1 +1 @@\n-x\n+y\n"
    assert verified.changes[1].new_content == "y\n"
    result = apply_verified(verified)
    assert result.output == "Success. Updated the following files:\nA a.txt\nM c.txt\nD gone.txt\n"
    assert tree(workspace) == {"a.txt": b"hi\n", "c.txt": b"y\n"}


@pytest.mark.parametrize(
    ("files", "body", "message"),
    [
        (
            {},
            "*** Frobnicate File: foo",
            "invalid hunk at line 2, '*** Frobnicate File: foo' is not a valid hunk header. Valid hunk headers: '*** Add File: {{path}}', '*** Delete File: {{path}}', '*** Update File: {{path}}'",
        ),
        (
            {"foo.txt": "x\n"},
            "*** Update File: foo.txt",
            "invalid hunk at line 2, Update file hunk for path 'foo.txt' is empty",
        ),
        (
            {},
            "*** Add File: created.txt\n+hello\n*** Update File: missing.txt\n@@\n-old\n+new",
            "Failed to read file to update {ws}/missing.txt: No such file or directory (os error 2)",
        ),
        (
            {},
            "*** Delete File: missing.txt",
            "Failed to read {ws}/missing.txt: No such file or directory (os error 2)",
        ),
        (
            {"dir/foo.txt": "x\n"},
            "*** Delete File: dir",
            "Failed to read {ws}/dir: path `{ws}/dir` is not a file",
        ),
        (
            {"a": b"\xff\n"},
            "*** Delete File: a",
            "Failed to read {ws}/a: invalid utf-8 sequence of 1 bytes from index 0",
        ),
        (
            {"m.txt": "a\n"},
            "*** Update File: m.txt\n@@\n-missing\n+x",
            "Failed to find expected lines in {ws}/m.txt:\nmissing",
        ),
        (
            {"m.txt": "a\n"},
            "*** Update File: m.txt\n@@ def foo\n-missing\n+x",
            "Failed to find context 'def foo' in {ws}/m.txt",
        ),
        (
            {},
            "*** Add File: a.txt\n+x\n*** Update File: a.txt\n@@\n-x\n+y",
            "invalid patch: multiple operations target {ws}/a.txt",
        ),
        (
            {"a": "x\n"},
            "*** Delete File: a\n*** Add File: a\n+q",
            "invalid patch: multiple operations target {ws}/a",
        ),
        (
            {},
            "*** Add File: a\n+q\n*** Add File: ./a\n+r",
            "invalid patch: multiple operations target {ws}/a",
        ),
        (
            {},
            "*** Update File: missing\n@@\n-x\n+y\n*** Add File: a\n+q\n*** Add File: a\n+r",
            "Failed to read file to update {ws}/missing: No such file or directory (os error 2)",
        ),
    ],
)
def test_verification_messages(
    workspace: Path, files: dict[str, str | bytes], body: str, message: str
) -> None:
    write_files(workspace, files)
    before = tree(workspace)
    with pytest.raises(ApplyPatchError) as info:
        verify_patch(wrap(body), workspace)
    assert str(info.value) == VERIFY + message.format(ws=workspace)
    assert tree(workspace) == before


def test_verify_allows_moves_onto_later_paths(workspace: Path) -> None:
    write_files(workspace, {"a": "x\n", "b": "y\n"})
    verified = verify_patch(
        wrap("*** Update File: a\n*** Move to: b\n@@\n-x\n+y\n*** Update File: b\n@@\n-y\n+z"),
        workspace,
    )
    assert apply_verified(verified).output == "Success. Updated the following files:\nM b\nM b\n"
    assert tree(workspace) == {"b": b"z\n"}


def test_verify_empty_patch_is_empty(workspace: Path) -> None:
    assert verify_patch("*** Begin Patch\n*** End Patch", workspace).is_empty
