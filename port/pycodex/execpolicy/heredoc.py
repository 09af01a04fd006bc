"""The argv of a single command fed by a here-document inside ``bash -lc``.

``bash -lc "python3 - <<'EOF' ... EOF"`` is not a plain script, but upstream still
checks the command in front of the heredoc (``python3 -``) against the rules. The
command words must be bare literals; variable assignments, comments and
redirections around them are ignored; more than one command means ``None``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pycodex.execpolicy.shell import extract_bash_command

_HEREDOC = re.compile(r"<<(-?)\s*(?:'([^'\n]*)'|\"([^\"\n]*)\"|([A-Za-z0-9_.\-]+))")
_REDIRECT = re.compile(r"^(?:[0-9]*|&)(?:>>|>&|<&|>\||<>|>|<)(?:-|[0-9]+)?$")
_LITERAL = re.compile(r"^[A-Za-z0-9_./:@%+,=~^-]+$")
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=\S*$")


def _split_heredocs(script: str) -> tuple[str, list[tuple[str, bool]], str] | None:
    """The command line, its heredoc delimiters, and what follows the bodies."""
    first, sep, rest = script.partition("\n")
    delimiters = [
        (m.group(2) or m.group(3) or m.group(4) or "", m.group(1) == "-")
        for m in _HEREDOC.finditer(first)
    ]
    if not delimiters:
        return None
    remaining = rest if sep else ""
    lines = remaining.split("\n")
    pos = 0
    for delimiter, strip_tabs in delimiters:
        while True:
            if pos >= len(lines):
                return None
            line = lines[pos].lstrip("\t") if strip_tabs else lines[pos]
            pos += 1
            if line == delimiter:
                break
    return first, delimiters, "\n".join(lines[pos:])


def _command_words(line: str) -> list[str] | None:
    stripped = _HEREDOC.sub(" ", line)
    if re.search(r"(\|\||&&|[;|&`$()])", stripped.replace("&>", "").replace(">&", "")):
        return None
    tokens = stripped.split()
    words: list[str] = []
    skip_target = False
    for token in tokens:
        if skip_target:
            skip_target = False
            continue
        if token.startswith("#"):
            break
        if _REDIRECT.match(token):
            skip_target = True
            continue
        redirect_with_target = re.match(r"^(?:[0-9]*|&)(?:>>|>|<)(\S+)$", token)
        if redirect_with_target:
            continue
        if not words and _ASSIGNMENT.match(token):
            continue
        if not _LITERAL.match(token) or token.startswith("~"):
            return None
        words.append(token)
    if skip_target:
        return None
    return words or None


def parse_shell_lc_single_command_prefix(command: Sequence[str]) -> list[str] | None:
    """``["python3", "-"]`` for ``bash -lc "python3 - <<'EOF'\\n...\\nEOF"``; else ``None``."""
    extracted = extract_bash_command(command)
    if extracted is None:
        return None
    parts = _split_heredocs(extracted[1])
    if parts is None:
        return None
    first, _, after = parts
    if after.strip():
        return None
    return _command_words(first)
