"""The argv of a single command fed by a here-document inside ``bash -lc``.

``bash -lc "python3 <<'EOF' ... EOF"`` is not a plain script, but upstream still
checks the command in front of the heredoc against the rules. Upstream reads it
from the tree-sitter-bash parse: exactly one command, one heredoc, bare literal
words (variable assignments, comments and file redirections are ignored), and —
a quirk of that grammar — a lone ``-`` right before ``<<`` is not part of the
command. This scanner reaches the same answers or, when unsure, returns ``None``
(the caller then checks the whole ``bash -lc`` command instead).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pycodex.execpolicy.shell import command_name_ok, extract_bash_command

_HEREDOC = re.compile(
    r"(?<!<)<<(?!<)(-?)[ \t]*(?:'([^'\n]*)'|\"([^\"\n$`\\\\]*)\"|([A-Za-z0-9_.\-]+))"
)
_DUP_REDIRECT = re.compile(r"(?<![^ \t])[0-9]*>&[0-9]+(?![^ \t])")
_REDIRECT_OP = re.compile(r"^[0-9]*(?:>>|>|<)$")
_REDIRECT_ATTACHED = re.compile(r"^[0-9]*(?:>>|>|<)(?:&[0-9]+|[A-Za-z0-9_./~+-]+)$")
_LITERAL = re.compile(r"^[A-Za-z0-9_./:@%+,=~^-]+$")
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=[A-Za-z0-9_./:@%+,~^-]*$")
_REDIRECT_TARGET = re.compile(r"^[A-Za-z0-9_./~+-]+$")


def _strip_comment(line: str) -> str:
    for m in re.finditer(r"(?:^|[ \t])#", line):
        return line[: m.start()]
    return line


def _body_ok(lines: list[str], delimiter: str, quoted: bool) -> bool:
    """The body ends with the delimiter line and only blank lines follow it."""
    for index, line in enumerate(lines):
        # tree-sitter-bash also ends the body on a delimiter line with surrounding blanks.
        if line.strip(" \t") == delimiter:
            return all(not rest.strip() for rest in lines[index + 1 :])
        if not quoted and any(c in line for c in "$`\\"):
            return False
    return False


def _words(tokens: list[str]) -> list[str] | None:
    words: list[str] = []
    expect_target = False
    for token in tokens:
        if expect_target:
            if not _REDIRECT_TARGET.match(token):
                return None
            expect_target = False
        elif _REDIRECT_OP.match(token):
            expect_target = True
        elif _REDIRECT_ATTACHED.match(token) or (not words and _ASSIGNMENT.match(token)):
            continue
        elif not words:
            if not command_name_ok(token):
                return None
            words.append(token)
        elif _LITERAL.match(token) and not token.startswith(("==", "=~")):
            words.append(token)
        else:
            return None
    return None if expect_target else words


# ferry: codex_shell_command::bash::parse_shell_lc_single_command_prefix @ 1d092cb66
def parse_shell_lc_single_command_prefix(command: Sequence[str]) -> list[str] | None:
    """``["python3"]`` for ``bash -lc "python3 <<'EOF'\\n...\\nEOF"``; else ``None``."""
    extracted = extract_bash_command(command)
    if extracted is None:
        return None
    first, _, rest = extracted[1].partition("\n")
    line = _strip_comment(first)
    bare = _DUP_REDIRECT.sub(" ", _HEREDOC.sub(" ", line))
    if "<<<" in line or re.search(r"\|\||&&|[;|&`$(){}\\\\'\"]", bare):
        return None
    ops = list(_HEREDOC.finditer(line))
    if len(ops) != 1:
        return None
    op = ops[0]
    quoted = op.group(4) is None
    delimiter = op.group(2) if op.group(2) is not None else (op.group(3) or op.group(4) or "")
    if not delimiter or not _body_ok(rest.split("\n"), delimiter, quoted):
        return None
    before = line[: op.start()].split()
    after = line[op.end() :].split()
    if after and _words(["x", *after]) != ["x"]:
        return None
    if before and before[-1] == "-":
        before = before[:-1]
    words = _words(before)
    return words or None
