"""Detecting ``apply_patch`` in shell commands (upstream ``invocation.rs`` tests, ported).

``test_apply_patch_heredoc_treesitter.py`` cross-checks the heredoc recogniser
against upstream's tree-sitter query on the real grammar.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from ap_test_helpers import write_files
from pycodex.apply_patch import (
    AddFile,
    ApplyPatchError,
    MaybeApplyPatchKind,
    extract_apply_patch_from_shell,
    extract_apply_patch_invocation,
    extract_heredoc,
    maybe_parse_apply_patch,
    maybe_parse_apply_patch_verified,
)

PATCH = "*** Begin Patch\n*** Add File: foo\n+hi\n*** End Patch"


def heredoc_script(prefix: str = "", suffix: str = "") -> str:
    return f"{prefix}apply_patch <<'PATCH'\n{PATCH}\nPATCH{suffix}"


def assert_match(argv: list[str], workdir: str | None) -> None:
    result = maybe_parse_apply_patch(argv)
    assert result.kind is MaybeApplyPatchKind.BODY, result
    assert result.patch is not None
    assert result.patch.hunks == (AddFile("foo", "hi\n"),)
    assert result.patch.workdir == workdir


def assert_not_match(script: str) -> None:
    assert (
        maybe_parse_apply_patch(["bash", "-lc", script]).kind is MaybeApplyPatchKind.NOT_APPLY_PATCH
    )


def test_literal() -> None:
    assert extract_apply_patch_from_shell(["apply_patch", PATCH + "\n"]) == PATCH + "\n"
    assert_match(["apply_patch", PATCH + "\n"], None)
    assert_match(["applypatch", PATCH], None)


def test_literal_with_invalid_patch_is_a_parse_error() -> None:
    result = maybe_parse_apply_patch(["apply_patch", "not a patch"])
    assert result.kind is MaybeApplyPatchKind.PATCH_PARSE_ERROR
    assert (
        str(result.error) == "invalid patch: The first line of the patch must be '*** Begin Patch'"
    )


def test_heredoc_forms() -> None:
    assert extract_apply_patch_from_shell(["bash", "-lc", heredoc_script()]) == PATCH
    assert_match(["bash", "-lc", heredoc_script()], None)
    assert_match(["bash", "-c", heredoc_script()], None)
    assert_match(["/bin/zsh", "-lc", heredoc_script()], None)
    assert_match(["sh", "-c", heredoc_script()], None)
    assert_match(["bash", "-lc", heredoc_script().replace("apply_patch", "applypatch")], None)
    assert_match(["powershell.exe", "-Command", heredoc_script()], None)
    assert_match(["powershell.exe", "-NoProfile", "-Command", heredoc_script()], None)
    assert_match(["pwsh", "-NoProfile", "-command", heredoc_script()], None)
    assert_match(["cmd.exe", "/c", heredoc_script("cd foo && ")], "foo")
    assert_match(["bash", "-lc", f"apply_patch <<EOF\n{PATCH}\nEOF\n"], None)
    assert_match(["bash", "-lc", f'apply_patch <<"EOF"\n{PATCH}\nEOF'], None)


def test_heredoc_with_cd() -> None:
    assert_match(["bash", "-lc", heredoc_script("cd foo && ")], "foo")
    assert_match(["bash", "-lc", heredoc_script("cd 'foo bar' && ")], "foo bar")
    assert_match(["bash", "-lc", heredoc_script('cd "foo bar" && ')], "foo bar")
    found = extract_apply_patch_invocation(["bash", "-lc", heredoc_script("cd sub/dir && ")])
    assert found is not None
    assert (found.patch, found.workdir) == (PATCH, "sub/dir")


@pytest.mark.parametrize(
    "script",
    [
        heredoc_script("cd foo; "),
        heredoc_script("cd bar || "),
        heredoc_script("cd bar | "),
        heredoc_script("echo foo && "),
        heredoc_script("cd foo && cd bar && "),
        heredoc_script("cd foo bar && "),
        heredoc_script("cd bar && ", " && echo done"),
        heredoc_script("echo foo; cd bar && "),
        f"apply_patch foo <<'PATCH'\n{PATCH}\nPATCH",
        f"apply_patch <<'PATCH'\n{PATCH}\nPATCH\necho done",
        f"/usr/bin/apply_patch <<'PATCH'\n{PATCH}\nPATCH",
        "apply_patch <<< 'x'",
        "echo hello",
    ],
)
def test_other_scripts_are_not_apply_patch(script: str) -> None:
    assert_not_match(script)


def test_other_command_lines_are_not_apply_patch() -> None:
    for argv in (["bash", "-x", heredoc_script()], ["fish", "-c", heredoc_script()], ["ls"], []):
        assert extract_apply_patch_from_shell(argv) is None
        assert maybe_parse_apply_patch(argv).kind is MaybeApplyPatchKind.NOT_APPLY_PATCH


def test_heredoc_details_follow_tree_sitter() -> None:
    # The body starts at its first non-blank character; the terminator may be
    # indented or followed by blanks; an unterminated heredoc runs to the end.
    assert extract_heredoc("apply_patch <<EOF\n\n  x\n y\n\tEOF \n") == ("x\n y\n\t", None)
    assert extract_heredoc(f"apply_patch <<'EOF'\n{PATCH}\n") == (PATCH, None)
    assert extract_heredoc(f"apply_patch <<'EOF'\n{PATCH}") is None
    assert extract_heredoc("apply_patch <<'EOF'\r\nx\r\nEOF\r\n") == ("x\r", None)
    assert extract_heredoc("cd x && apply_patch --flag <<EOF\nx\nEOF") == ("x", "x")
    assert extract_heredoc("cd 123 && apply_patch <<EOF\nx\nEOF") is None
    assert extract_heredoc('cd "$X/a" && apply_patch <<EOF\nx\nEOF') == ("x", "/a")
    assert extract_heredoc("apply_patch <<EOF\nEOF") == ("", None)


def test_implicit_invocation_is_an_error(tmp_path: Path) -> None:
    for argv in ([PATCH], ["bash", "-lc", PATCH]):
        with pytest.raises(ApplyPatchError) as info:
            maybe_parse_apply_patch_verified(argv, tmp_path)
        assert str(info.value) == (
            "apply_patch verification failed: patch detected without explicit call to "
            'apply_patch. Rerun as ["apply_patch", "<patch>"]'
        )


def test_verified_resolves_relative_paths_and_workdir(tmp_path: Path) -> None:
    write_files(tmp_path, {"source.txt": "session directory content\n", "alt/old.txt": "before\n"})
    verified = maybe_parse_apply_patch_verified(
        [
            "apply_patch",
            "*** Begin Patch\n*** Update File: source.txt\n@@\n-session directory content\n"
            "+updated session directory content\n*** End Patch",
        ],
        tmp_path,
    )
    assert verified is not None
    (change,) = verified.changes
    assert change.path == tmp_path / "source.txt"
    assert change.unified_diff == (
        "@@ -1 +1 @@\n-session directory content\n+updated session directory content\n"
    )
    patch = "*** Begin Patch\n*** Update File: old.txt\n*** Move to: renamed.txt\n@@\n-before\n+after\n*** End Patch"
    verified = maybe_parse_apply_patch_verified(
        ["bash", "-lc", f"cd alt && apply_patch <<'PATCH'\n{patch}\nPATCH"], tmp_path
    )
    assert verified is not None
    assert verified.cwd == tmp_path / "alt"
    (change,) = verified.changes
    assert (change.path, change.move_path) == (
        tmp_path / "alt/old.txt",
        tmp_path / "alt/renamed.txt",
    )
    assert maybe_parse_apply_patch_verified(["ls", "-la"], tmp_path) is None
