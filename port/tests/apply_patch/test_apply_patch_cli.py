"""``pycodex apply-patch``: stdout, stderr and exit codes of upstream's ``apply_patch``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from ap_test_helpers import tree, write_files
from click.testing import CliRunner
from pycodex.apply_patch.cli import apply_patch_command

PATCH = "*** Begin Patch\n*** Add File: a.txt\n+hi\n*** End Patch\n"
USAGE = "Usage: apply_patch 'PATCH'\n       echo 'PATCH' | apply_patch\n"


def invoke(args: list[str], cwd: Path, stdin: bytes = b"") -> tuple[int, str, str]:
    runner = CliRunner()
    old = os.getcwd()
    os.chdir(cwd)
    try:
        result = runner.invoke(apply_patch_command, args, input=stdin, catch_exceptions=False)
    finally:
        os.chdir(old)
    return result.exit_code, result.stdout, result.stderr


def test_patch_argument(workspace: Path) -> None:
    assert invoke([PATCH], workspace) == (0, "Success. Updated the following files:\nA a.txt\n", "")
    assert tree(workspace) == {"a.txt": b"hi\n"}


@pytest.mark.parametrize("args", [[], ["-"]])
def test_patch_on_stdin(workspace: Path, args: list[str]) -> None:
    assert invoke(args, workspace, PATCH.encode()) == (
        0,
        "Success. Updated the following files:\nA a.txt\n",
        "",
    )


@pytest.mark.parametrize(
    ("args", "stdin", "expected"),
    [
        ([], b"", (2, "", USAGE)),
        (["a", "b"], b"", (2, "", "Error: apply_patch accepts exactly one argument.\n")),
        (["a", "b", "c"], b"", (2, "", "Error: apply_patch accepts exactly one argument.\n")),
        (
            [],
            b"\xff",
            (
                1,
                "",
                "Error: Failed to read PATCH from stdin.\nstream did not contain valid UTF-8\n",
            ),
        ),
        ([""], b"", (1, "", "Invalid patch: The last line of the patch must be '*** End Patch'\n")),
        (
            ["--help"],
            b"",
            (1, "", "Invalid patch: The first line of the patch must be '*** Begin Patch'\n"),
        ),
        (
            ["--"],
            b"",
            (1, "", "Invalid patch: The first line of the patch must be '*** Begin Patch'\n"),
        ),
        (["*** Begin Patch\n*** End Patch"], b"", (1, "", "No files were modified.\n")),
    ],
)
def test_usage_and_errors(
    workspace: Path, args: list[str], stdin: bytes, expected: tuple[int, str, str]
) -> None:
    assert invoke(args, workspace, stdin) == expected


def test_apply_failure_exit_code_and_message(workspace: Path) -> None:
    write_files(workspace, {"m.txt": "a\n"})
    code, out, err = invoke(
        ["*** Begin Patch\n*** Update File: m.txt\n@@\n-zz\n+y\n*** End Patch"], workspace
    )
    assert (code, out) == (1, "")
    assert err == f"Failed to find expected lines in {os.path.realpath(workspace)}/m.txt:\nzz\n"


def test_writes_outside_the_current_directory_are_refused(workspace: Path) -> None:
    code, out, err = invoke(
        ["*** Begin Patch\n*** Add File: ../escape.txt\n+x\n*** End Patch"], workspace
    )
    assert (code, out) == (1, "")
    assert err.startswith("Refusing to apply patch: '../escape.txt' resolves to ")
    assert not (workspace.parent / "escape.txt").exists()


def test_console_entry_point(workspace: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from pycodex._entry import main; sys.argv[0] = 'pycodex'; main()",
            "apply-patch",
            PATCH,
        ],
        cwd=workspace,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (proc.returncode, proc.stdout, proc.stderr) == (
        0,
        "Success. Updated the following files:\nA a.txt\n",
        "",
    )
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from pycodex._entry import main; main()",
            "apply-patch",
        ],
        cwd=workspace,
        input="",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (proc.returncode, proc.stdout, proc.stderr) == (2, "", USAGE)


def test_non_utf8_argument(workspace: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from pycodex._entry import main; main()",
            "apply-patch",
            b"\xff",
        ],
        cwd=workspace,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (proc.returncode, proc.stdout, proc.stderr) == (
        1,
        "",
        "Error: apply_patch requires a UTF-8 PATCH argument.\n",
    )


@pytest.mark.oracle
@pytest.mark.parametrize(
    ("args", "stdin"),
    [
        ([], b""),
        (["a", "b"], b""),
        ([], b"\xff"),
        ([""], b""),
        (["--help"], b""),
        (["--"], b""),
        ([], PATCH.encode()),
        ([PATCH], b""),
        (["*** Begin Patch\n*** End Patch"], b""),
    ],
)
def test_cli_matches_rust(
    workspace: Path, tmp_path: Path, args: list[str], stdin: bytes, apply_patch_oracle
) -> None:  # type: ignore[no-untyped-def]
    rust_ws = tmp_path / "rust"
    rust_ws.mkdir()
    rust = apply_patch_oracle.run(args, rust_ws, stdin)
    assert invoke(args, workspace, stdin) == (rust.code, rust.stdout, rust.stderr)
    assert tree(workspace) == tree(rust_ws)
