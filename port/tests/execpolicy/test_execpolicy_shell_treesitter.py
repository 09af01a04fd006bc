"""Cross-check the ``bash -lc`` scanner against upstream's algorithm on real tree-sitter-bash.

Upstream decides "plain script" with tree-sitter-bash 0.25; the port uses a small
scanner instead. The scanner may refuse more (the caller then checks the whole
command, which is the cautious outcome) but must never split a script upstream
would refuse, nor split it differently.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from pycodex.execpolicy.shell import split_plain_script

bash_reference = pytest.importorskip("bash_reference", reason="test helper missing")
pytest.importorskip("tree_sitter_bash", reason="tree-sitter-bash (dev dependency) is not installed")

TOKENS = [
    "ls", "-l", "git", "status", "&&", "||", ";", "|", "\n", " ", "'a b'", '"x y"', '"$HOME"',
    "$X", "`id`", ">", "2>&1", "<", "&", "(", ")", "{", "}", "a=b", "#c", "a#b", "*.py", "[ab]",
    "\\ ", "!", "~", "''", '""', '-g"*.py"', "if", "then", "fi", "done", "echo", "123", "x=1",
    "$(ls)", "a\\b", ";;", "|&", "\t", "é", "--x=1", "@", "%", "^", "?", ",", "{a,b}", "'", '"',
    "\\\n", "\r", ":", ".", "/usr/bin/x", "+", "~/x", "-", "--", "a,b", "x:y", "in", "case",
    "{}", "=", "==", "]", "[", "[[", "]]", '"a\\"b"', "'it'\"s\"", "0", "-1", "0x1f", "-n",
    "sed", "1,5p",
]  # fmt: skip

REALISTIC = [
    "ls -la",
    "cd src && pytest -q",
    'rg -n "fn main" src | head -n 20',
    "git status; git log --oneline -n 5",
    "sed -n '1,20p' README.md",
    "find . -name '*.py' | wc -l",
    'echo "a \\"b\\"" || true',
    "cat a.txt b.txt | sort | uniq -c",
    "npm test && npm run build",
    "python3 -m pytest tests/test_x.py -k 'foo and not bar'",
    "ls\npwd\n",
    "grep -R TODO . ; echo done",
]


@pytest.fixture(scope="module")
def parser() -> Any:
    return bash_reference.make_parser()


@pytest.mark.parametrize("script", REALISTIC)
def test_realistic_scripts_split_exactly_like_upstream(parser: Any, script: str) -> None:
    expected = bash_reference.reference_split(parser, script)
    assert expected is not None
    assert split_plain_script(script) == expected


def test_random_scripts_never_split_where_upstream_would_not(parser: Any) -> None:
    rng = random.Random(7)
    agreed = 0
    total = 4000
    for _ in range(total):
        script = "".join(
            rng.choice(TOKENS) + (" " if rng.random() < 0.6 else "")
            for _ in range(rng.randint(1, 6))
        )
        ours = split_plain_script(script)
        theirs = bash_reference.reference_split(parser, script)
        if ours is not None:
            assert ours == theirs, script
        agreed += ours == theirs
    # The scanner is allowed to be more cautious, but not wildly so.
    assert agreed / total > 0.75


HEREDOC_HEADS = [
    "python3", "python3 -", "cat", "cat > out.txt", "FOO=1 python3", "cat >> f", "tee x",
    "python3 -u", "cat 2>/dev/null", "$CMD", "'py'", "python3 | sh", "ls && cat", "cat -",
    "x=1 y=2 cat", "cat # c", "123", "a%b", "-x", "cat >out",
]  # fmt: skip
HEREDOC_OPS = ["<<EOF", "<<'EOF'", '<<"EOF"', "<<-EOF", "<< EOF", "<<EOF <<END", "<<<'x'"]
HEREDOC_TAILS = ["", " > out", " | sh", " && ls", " 2>&1"]
HEREDOC_BODIES = [
    "print(1)\nEOF", "x\nEOF\n", "\tx\n\tEOF", "x\nEOF\nrm -rf /", "x\n", "EOF",
    "a\nEND\nEOF", "x\nEOF\nx\nEND", "$(id)\nEOF", "x\nEOF   ",
]  # fmt: skip


def test_heredoc_prefix_never_differs_from_upstream_when_found(parser: Any) -> None:
    from pycodex.execpolicy.heredoc import parse_shell_lc_single_command_prefix

    rng = random.Random(11)
    agreed = 0
    total = 3000
    for _ in range(total):
        script = (
            f"{rng.choice(HEREDOC_HEADS)} {rng.choice(HEREDOC_OPS)}{rng.choice(HEREDOC_TAILS)}\n"
            f"{rng.choice(HEREDOC_BODIES)}"
        )
        ours = parse_shell_lc_single_command_prefix(["bash", "-lc", script])
        theirs = bash_reference.reference_heredoc_prefix(parser, script)
        if ours is not None:
            assert ours == theirs, script
        agreed += ours == theirs
    assert agreed / total > 0.9
