"""Commands that delete with force (``rm -f`` style), found anywhere in a shell script.

The Rust 0.169 binary refuses these outright, whatever the rules, approval policy or
sandbox say: ``rm`` (any path) with ``-f`` in a short-option cluster or ``--force``
before ``--``, also behind ``sudo`` or ``env``, and inside any part of a
``bash -lc`` script — subshells, ``$(...)``, backticks, ``if``/``for`` bodies, nested
``sh -c`` — but not inside plain quoted text (``echo "rm -rf x"``). This module walks
scripts with a tolerant scanner that finds every simple command for that check.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence

from pycodex.execpolicy.shell import extract_bash_command

RM_FORCE_REASON = "rm -f style commands are not permitted. Use a safer approach"

_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\+?=")
_KEYWORDS = frozenset(
    ("if", "then", "else", "elif", "fi", "do", "done", "while", "until", "!", "{", "}", "time")
)
_HEADERS = frozenset(("for", "select", "case", "function"))
_SEPARATORS = ("&&", "||", ";;", "|&", ";", "|", "&", "\n", "(", ")")
_REDIRECT = re.compile(r"[0-9]*(?:&>>|&>|>>|>&|<&|<<<|<<-|<<|<>|>\||>|<)")


def _balanced(script: str, start: int, open_char: str, close_char: str) -> int:
    """Index just past the ``close_char`` matching the opener before ``start``."""
    depth, i, n = 1, start, len(script)
    while i < n:
        ch = script[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "'":
            end = script.find("'", i + 1)
            i = n if end < 0 else end + 1
            continue
        if ch == open_char:
            depth += 1
        elif ch == close_char:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return n


class _Scanner:
    """Collects simple commands (argv lists) from a script, recursing into substitutions."""

    def __init__(self) -> None:
        self.commands: list[list[str]] = []

    def scan(self, script: str) -> None:
        words: list[str] = []
        buf: list[str] = []
        in_word = False
        pending_heredocs: list[str] = []
        i, n = 0, len(script)

        def end_word() -> None:
            nonlocal in_word
            if in_word:
                words.append("".join(buf))
                buf.clear()
                in_word = False

        def end_command() -> None:
            end_word()
            if words:
                self.commands.append(list(words))
                words.clear()

        while i < n:
            ch = script[i]
            if ch == "\n" and pending_heredocs:
                end_command()
                i = self._skip_heredoc_bodies(script, i + 1, pending_heredocs)
                pending_heredocs = []
                continue
            if ch in " \t\r":
                end_word()
                i += 1
                continue
            if ch == "#" and not in_word:
                end = script.find("\n", i)
                i = n if end < 0 else end
                continue
            if not in_word:
                redirect = _REDIRECT.match(script, i)
                if redirect:
                    op = redirect.group(0)
                    i = redirect.end()
                    while i < n and script[i] in " \t":
                        i += 1
                    target, i = self._read_plain_word(script, i)
                    if op.endswith(("<<", "<<-")):
                        pending_heredocs.append(target.strip("'\""))
                    continue
            separator = next((s for s in _SEPARATORS if script.startswith(s, i)), None)
            if separator is not None:
                end_command()
                i += len(separator)
                continue
            if ch == "'":
                end = script.find("'", i + 1)
                end = n if end < 0 else end
                buf.append(script[i + 1 : end])
                in_word = True
                i = end + 1
            elif ch == '"':
                i = self._double_quoted(script, i + 1, buf)
                in_word = True
            elif ch == "\\":
                if i + 1 < n and script[i + 1] != "\n":
                    buf.append(script[i + 1])
                    in_word = True
                i += 2
            elif script.startswith("$((", i):
                end = _balanced(script, i + 3, "(", ")")
                buf.append(script[i:end])
                in_word = True
                i = end
            elif script.startswith("$(", i):
                end = _balanced(script, i + 2, "(", ")")
                self.scan(script[i + 2 : end - 1])
                buf.append(script[i:end])
                in_word = True
                i = end
            elif ch == "`":
                end = script.find("`", i + 1)
                end = n if end < 0 else end
                self.scan(script[i + 1 : end])
                buf.append(script[i : end + 1])
                in_word = True
                i = end + 1
            else:
                buf.append(ch)
                in_word = True
                i += 1
        end_command()

    def _read_plain_word(self, script: str, i: int) -> tuple[str, int]:
        start = i
        while i < len(script) and script[i] not in " \t\r\n;&|()":
            i += 1
        return script[start:i], i

    def _double_quoted(self, script: str, i: int, buf: list[str]) -> int:
        n = len(script)
        while i < n and script[i] != '"':
            if script[i] == "\\" and i + 1 < n:
                buf.append(script[i + 1])
                i += 2
            elif script.startswith("$(", i) and not script.startswith("$((", i):
                end = _balanced(script, i + 2, "(", ")")
                self.scan(script[i + 2 : end - 1])
                buf.append(script[i:end])
                i = end
            elif script[i] == "`":
                end = script.find("`", i + 1)
                end = n if end < 0 else end
                self.scan(script[i + 1 : end])
                buf.append(script[i : end + 1])
                i = end + 1
            else:
                buf.append(script[i])
                i += 1
        return i + 1

    @staticmethod
    def _skip_heredoc_bodies(script: str, i: int, delimiters: list[str]) -> int:
        for delimiter in delimiters:
            while i < len(script):
                end = script.find("\n", i)
                line = script[i:] if end < 0 else script[i:end]
                i = len(script) if end < 0 else end + 1
                if line.strip() == delimiter:
                    break
        return i


# ferry: codex_shell_command::bash::try_parse_word_only_commands_sequence @ 1d092cb66 -- every simple command, not only plain scripts
def script_commands(script: str) -> list[list[str]]:
    """Every simple command in ``script`` (keywords, assignments, redirections dropped)."""
    scanner = _Scanner()
    scanner.scan(script)
    out: list[list[str]] = []
    for words in scanner.commands:
        while words and (words[0] in _KEYWORDS or _ASSIGNMENT.match(words[0])):
            words = words[1:]
        if words and words[0] not in _HEADERS:
            out.append(words)
    return out


def _program(word: str) -> str:
    return os.path.basename(word)


def _unwrap(command: Sequence[str]) -> Sequence[str]:
    """Drop ``sudo`` (without options) and ``env [-opts] [NAME=value...]`` prefixes."""
    while command:
        name = _program(command[0])
        if name == "sudo":
            command = command[1:]
        elif name == "env":
            rest = command[1:]
            while rest and (rest[0].startswith("-") or _ASSIGNMENT.match(rest[0])):
                rest = rest[1:]
            command = rest
        else:
            break
    return command


# ferry: codex_shell_command::command_safety::is_dangerous_command::is_dangerous_to_call_with_exec @ 1d092cb66 -- its rm -f case
def is_rm_force(command: Sequence[str]) -> bool:
    """``rm`` with ``-f`` (in any short-option cluster) or ``--force`` before ``--``."""
    command = _unwrap(command)
    if not command or _program(command[0]) != "rm":
        return False
    for arg in command[1:]:
        if arg == "--":
            return False
        if arg == "--force" or (arg.startswith("-") and not arg.startswith("--") and "f" in arg):
            return True
    return False


# ferry: codex_shell_command::command_safety::is_dangerous_command::command_might_be_dangerous @ 1d092cb66
def command_might_be_dangerous(command: Sequence[str], _depth: int = 0) -> bool:
    """True when ``command``, or any command inside its shell script, is ``rm -f`` style."""
    if is_rm_force(command):
        return True
    if _depth > 8:
        return False
    extracted = extract_bash_command(_unwrap(command))
    if extracted is None:
        return False
    return any(
        command_might_be_dangerous(part, _depth + 1) for part in script_commands(extracted[1])
    )
