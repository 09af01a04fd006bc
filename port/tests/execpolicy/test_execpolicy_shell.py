"""Splitting ``bash -lc`` scripts into commands, and the heredoc prefix fallback."""

from __future__ import annotations

import pytest
from pycodex.execpolicy import parse_shell_lc_plain_commands
from pycodex.execpolicy.heredoc import parse_shell_lc_single_command_prefix
from pycodex.execpolicy.shell import detect_shell_name, split_plain_script

PLAIN = [
    ("ls", [["ls"]]),
    ("ls && pwd", [["ls"], ["pwd"]]),
    ("ls || true; echo done", [["ls"], ["true"], ["echo", "done"]]),
    ("cat a | grep b | wc -l", [["cat", "a"], ["grep", "b"], ["wc", "-l"]]),
    ('echo "hello world"', [["echo", "hello world"]]),
    ("echo 'single $quoted'", [["echo", "single $quoted"]]),
    ('rg -g"*.py" foo', [["rg", "-g*.py", "foo"]]),
    ("echo 'a b'c\"d\"", [["echo", "a bcd"]]),
    ("echo ''", [["echo", ""]]),
    ("ls\npwd", [["ls"], ["pwd"]]),
    ("ls &&\n  pwd", [["ls"], ["pwd"]]),
    ("ls;", [["ls"]]),
    ("echo *.py a#b --x=1 ~/f", [["echo", "*.py", "a#b", "--x=1", "~/f"]]),
    ("echo done", [["echo", "done"]]),
    ("", []),
    ("   ", []),
]

NOT_PLAIN = [
    "ls > out.txt",
    "ls 2>&1",
    "cat < in",
    "echo $HOME",
    'echo "$HOME"',
    "echo `whoami`",
    "echo $(whoami)",
    "(ls)",
    "{ ls; }",
    "ls &",
    "ls &&",
    "&& ls",
    "ls |& cat",
    ";ls",
    "ls ;; pwd",
    "FOO=1 ls",
    "if true; then ls; fi",
    "for f in a; do echo $f; done",
    "echo #comment",
    "# only a comment",
    "echo {a,b}",
    "ls [ab]",
    "echo 'unterminated",
    'echo "unterminated',
    '"ls" -l',
    "echo a\\ b",
    "! ls",
    "ls && ; pwd",
]


@pytest.mark.parametrize(("script", "expected"), PLAIN, ids=[s for s, _ in PLAIN])
def test_plain_scripts_split(script: str, expected: list[list[str]]) -> None:
    assert split_plain_script(script) == expected
    assert parse_shell_lc_plain_commands(["bash", "-lc", script]) == expected


@pytest.mark.parametrize("script", NOT_PLAIN)
def test_other_scripts_are_not_split(script: str) -> None:
    assert split_plain_script(script) is None


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["bash", "-lc", "ls"], [["ls"]]),
        (["/bin/bash", "-c", "ls"], [["ls"]]),
        (["/usr/bin/zsh", "-lc", "ls"], [["ls"]]),
        (["sh", "-c", "ls"], [["ls"]]),
        (["bash", "-c", "-l", "ls"], None),
        (["bash", "-x", "ls"], None),
        (["fish", "-c", "ls"], None),
        (["ls", "-lc", "x"], None),
    ],
)
def test_only_shell_dash_c_invocations_are_parsed(
    argv: list[str], expected: list[list[str]] | None
) -> None:
    assert parse_shell_lc_plain_commands(argv) == expected


def test_detect_shell_name() -> None:
    assert detect_shell_name("/bin/bash") == "bash"
    assert detect_shell_name("zsh") == "zsh"
    assert detect_shell_name("bash.exe") == "bash"
    assert detect_shell_name("/usr/bin/python3") is None


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        # tree-sitter-bash does not count a lone `-` right before `<<` as an argument.
        ("python3 - <<'EOF'\nprint(1)\nEOF", ["python3"]),
        ("cat - foo <<EOF\nx\nEOF", ["cat", "-", "foo"]),
        ("python3 <<EOF 2>&1\nx\nEOF", ["python3"]),
        ("cat <<EOF\n$(id)\nEOF", None),
        ("cat <<'EOF'\n$(id)\nEOF", ["cat"]),
        ("cat <<EOF <<END\nx\nEOF\ny\nEND", None),
        ("cat # note <<EOF\nx\nEOF", None),
        ("cat <<<'x'", None),
        ('python3 <<"PY"\nimport os\nPY\n', ["python3"]),
        ("cat > out.txt <<EOF\nhello\nEOF", ["cat"]),
        ("FOO=1 python3 <<EOF\nx\nEOF", ["python3"]),
        ("cat <<-EOF\n\tx\n\tEOF", ["cat"]),
        ("cat <<EOF | sh\nx\nEOF", None),
        ("python3 <<EOF\nnever closed\n", None),
        ("cat <<EOF\nx\nEOF\nrm -rf /", None),
        ("$CMD <<EOF\nx\nEOF", None),
        ("ls", None),
    ],
)
def test_heredoc_single_command_prefix(script: str, expected: list[str] | None) -> None:
    assert parse_shell_lc_single_command_prefix(["bash", "-lc", script]) == expected
