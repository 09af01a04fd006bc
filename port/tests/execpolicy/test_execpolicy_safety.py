"""is_known_safe_command / command_might_be_dangerous: upstream's lists and rules."""

from __future__ import annotations

import sys

import pytest
from pycodex.execpolicy import command_might_be_dangerous, is_known_safe_command
from pycodex.execpolicy.safety import find_git_subcommand, is_safe_to_call_with_exec

SAFE = [
    ["ls"],
    ["ls", "-la", "src"],
    ["/bin/ls", "-l"],
    ["cat", "README.md"],
    ["grep", "-R", "TODO", "."],
    ["head", "-n", "5", "f"],
    ["wc", "-l", "f"],
    ["pwd"],
    ["echo", "hi"],
    ["nl", "-nrz", "Cargo.toml"],
    ["git", "status"],
    ["git", "log", "--oneline", "-n", "3"],
    ["git", "diff", "HEAD~1"],
    ["git", "show", "HEAD"],
    ["git", "branch"],
    ["git", "branch", "--show-current"],
    ["git", "branch", "-a", "-v"],
    ["git", "branch", "--format=%(refname)"],
    ["git", "-C", ".", "status"],
    ["git", "-C.", "status"],
    ["git", "--no-pager", "diff"],
    ["base64"],
    ["base64", "-d", "x"],
    ["sed", "-n", "1,5p", "file.txt"],
    ["sed", "-n", "10p"],
    ["find", ".", "-name", "file.txt"],
    ["rg", "Cargo.toml", "-n"],
    ["rg", "-g", "*.py", "foo"],
    ["bash", "-lc", "ls"],
    ["bash", "-lc", "ls -1 && pwd"],
    ["bash", "-lc", "git status"],
    ["bash", "-lc", 'grep -R "Cargo.toml" -n'],
    ["bash", "-lc", "sed -n '1,5p' file.txt"],
    ["bash", "-lc", "find . -name file.txt | head -n 3"],
    ["bash", "-lc", "ls; pwd || echo failed"],
    ["zsh", "-lc", "ls"],
    ["/bin/bash", "-c", "cat a | wc -l"],
    ["sh", "-c", "ls"],
]

UNSAFE = [
    [],
    ["foo"],
    ["cargo", "check"],
    ["git", "fetch"],
    ["git", "checkout", "status"],
    ["git", "push"],
    ["git", "branch", "-d", "feature"],
    ["git", "branch", "new-branch"],
    ["git", "-C", ".", "branch", "-d", "feature"],
    ["git", "log", "--output=/tmp/x", "-n", "1"],
    ["git", "diff", "--output", "/tmp/x"],
    ["git", "diff", "--ext-diff"],
    ["git", "show", "--textconv", "HEAD"],
    ["git", "log", "--paginate"],
    ["git", "-c", "core.pager=cat", "log"],
    ["git", "-ccore.pager=cat", "status"],
    ["git", "--config-env", "core.pager=PAGER", "show", "HEAD"],
    ["git", "--config-env=core.pager=PAGER", "show", "HEAD"],
    ["git", "--git-dir", ".evil-git", "diff"],
    ["git", "--git-dir=.evil-git", "diff"],
    ["git", "--work-tree", ".", "status"],
    ["git", "--exec-path=.git/helpers", "show", "HEAD"],
    ["git", "--namespace", "attacker", "show"],
    ["git", "--super-prefix=attacker/", "show"],
    ["find", ".", "-name", "f", "-exec", "rm", "{}", ";"],
    ["find", ".", "-execdir", "python3", "{}", ";"],
    ["find", ".", "-ok", "rm", "{}", ";"],
    ["find", ".", "-okdir", "rm", "{}", ";"],
    ["find", ".", "-delete"],
    ["find", ".", "-fls", "/etc/passwd"],
    ["find", ".", "-fprint", "/x"],
    ["find", ".", "-fprint0", "/x"],
    ["find", ".", "-fprintf", "/x", "%p"],
    ["base64", "-o", "out.bin"],
    ["base64", "--output", "out.bin"],
    ["base64", "--output=out.bin"],
    ["base64", "-ob64.txt"],
    ["rg", "--search-zip", "x"],
    ["rg", "-z", "x"],
    ["rg", "--pre", "pwned", "x"],
    ["rg", "--pre=pwned", "x"],
    ["rg", "--hostname-bin", "pwned"],
    ["rg", "--hostname-bin=pwned"],
    ["sed", "-n", "xp", "file.txt"],
    ["sed", "-n", "1,2,3p"],
    ["sed", "-i", "s/a/b/", "f"],
    ["sed", "-n", "1p", "a", "b"],
    ["bash", "-lc", "git --git-dir=.evil-git diff HEAD~1..HEAD"],
    ["bash", "-lc", "git -C . branch -d feature"],
    ["bash", "-lc", "ls > out.txt"],
    ["bash", "-lc", "ls && rm -rf /"],
    ["bash", "-lc", "echo $(whoami)"],
    ["bash", "-lc", "ls &"],
    ["bash", "-lc", ""],
    ["bash", "-lc", "(ls)"],
    ["bash", "-x", "ls"],
    ["bash", "-lc", "ls", "extra"],
    ["fish", "-c", "ls"],
    ["python3", "-c", "print(1)"],
]


@pytest.mark.parametrize("argv", SAFE, ids=[" ".join(a) for a in SAFE])
def test_known_safe(argv: list[str]) -> None:
    assert is_known_safe_command(argv)


@pytest.mark.parametrize("argv", UNSAFE, ids=[" ".join(a) or "<empty>" for a in UNSAFE])
def test_not_known_safe(argv: list[str]) -> None:
    assert not is_known_safe_command(argv)


def test_linux_only_tools() -> None:
    expected = sys.platform.startswith("linux")
    assert is_safe_to_call_with_exec(["numfmt", "1000"]) is expected
    assert is_safe_to_call_with_exec(["tac", "Cargo.toml"]) is expected


def test_find_git_subcommand_skips_global_options() -> None:
    assert find_git_subcommand(["git", "-C", "dir", "--no-pager", "status"], ["status"]) == (
        4,
        "status",
    )
    assert find_git_subcommand(["git", "checkout", "status"], ["status"]) is None
    assert find_git_subcommand(["hg", "status"], ["status"]) is None


@pytest.mark.parametrize(
    ("argv", "dangerous"),
    [
        (["rm", "-rf", "/"], True),
        (["rm", "-f", "x"], True),
        (["rm", "x"], False),
        (["rm", "-r", "x"], False),
        (["sudo", "rm", "-rf", "/"], True),
        (["sudo", "sudo", "rm", "-f", "a"], True),
        (["sudo", "ls"], False),
        (["bash", "-lc", "ls && rm -rf build"], True),
        (["bash", "-lc", "rm -rf build > log"], True),
        (["rm", "-Rfv", "x"], True),
        (["rm", "--", "-f"], False),
        (["ls"], False),
        ([], False),
    ],
)
def test_command_might_be_dangerous(argv: list[str], dangerous: bool) -> None:
    assert command_might_be_dangerous(argv) is dangerous
