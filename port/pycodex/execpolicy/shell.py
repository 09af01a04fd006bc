"""Split ``bash -lc "<script>"`` into its commands when the script is "plain".

Upstream parses the script with tree-sitter-bash and accepts it only when every
node is a word, a quoted string or a concatenation of those, joined by ``&&``,
``||``, ``;``, ``|`` or newlines. The port keeps tree-sitter out of its runtime and
uses a small scanner instead, held to one rule: it never splits a script upstream
would refuse, and never splits one differently (the tests check this against
tree-sitter-bash itself). Where tree-sitter's reading is quirky (backslashes,
braces, unusual command names such as ``123`` or ``a%``, ``done`` as a command) the
scanner refuses, and :func:`parse_shell_lc_plain_commands` returns ``None``:
callers then judge the whole ``bash -lc`` command, the cautious outcome.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence

_SHELLS = {"bash", "zsh", "sh"}
#: Characters that end an unquoted word.
_WORD_BREAK = frozenset(" \t\n;&|'\"")
#: Characters whose presence in an unquoted word means a construct we reject.
_REJECT_IN_WORD = frozenset("$`<>()[]{}\\\r")
#: A command name must be one plain word of these characters (tree-sitter-bash parses
#: other spellings, e.g. ``a%``, ``x=1``, ``123``, as something other than a command name).
_NUMBER = re.compile(r"-?[0-9]+")
_COMMAND_NAME = re.compile(r"[A-Za-z0-9_./:+,~][A-Za-z0-9_./:+,~-]*")
_RESERVED = frozenset(
    [
        "if",
        "then",
        "else",
        "elif",
        "fi",
        "case",
        "esac",
        "for",
        "select",
        "while",
        "until",
        "do",
        "done",
        "in",
        "function",
        "time",
        "coproc",
        "{",
        "}",
        "[[",
        "]]",
        "!",
    ]
)


# ferry: codex_shell_command::shell_detect::detect_shell_type @ 1d092cb66
def detect_shell_name(shell: str) -> str | None:
    """``bash``/``zsh``/``sh`` for a shell path or name (``/bin/bash``, ``bash.exe``)."""
    if shell in _SHELLS:
        return shell
    stem = os.path.splitext(os.path.basename(shell))[0]
    if stem and stem != shell:
        return detect_shell_name(stem)
    return None


# ferry: codex_shell_command::bash::extract_bash_command @ 1d092cb66
def extract_bash_command(command: Sequence[str]) -> tuple[str, str] | None:
    """``(shell, script)`` for exactly ``[<bash|zsh|sh>, -lc|-c, script]``."""
    if len(command) != 3:
        return None
    shell, flag, script = command
    if flag not in ("-lc", "-c") or detect_shell_name(shell) is None:
        return None
    return shell, script


class _Reject(Exception):
    pass


def _read_word(script: str, i: int) -> tuple[str, int]:
    """One shell word starting at ``i`` (quotes removed as upstream does); raises _Reject."""
    parts: list[str] = []
    n = len(script)
    while i < n and script[i] not in " \t\n;&|":
        ch = script[i]
        if ch == "'":
            end = script.find("'", i + 1)
            if end < 0:
                raise _Reject
            parts.append(script[i + 1 : end])
            i = end + 1
        elif ch == '"':
            j = i + 1
            while j < n and script[j] != '"':
                if script[j] in "$`":
                    raise _Reject
                if script[j] == "\\":
                    j += 1
                j += 1
            if j >= n:
                raise _Reject
            parts.append(script[i + 1 : j])
            i = j + 1
        else:
            j = i
            while j < n and script[j] not in _WORD_BREAK:
                if script[j] in _REJECT_IN_WORD:
                    raise _Reject
                j += 1
            parts.append(script[i:j])
            i = j
    return "".join(parts), i


# ferry: codex_shell_command::bash::try_parse_word_only_commands_sequence @ 1d092cb66 -- a hand-written scanner for what tree-sitter-bash accepts
def split_plain_script(script: str) -> list[list[str]] | None:
    """Commands of a plain script, in source order; ``None`` when not plain."""
    try:
        return _split(script)
    except _Reject:
        return None


def _split(script: str) -> list[list[str]]:
    commands: list[list[str]] = []
    current: list[str] = []
    # After a binary operator another command must follow; `;`/newline may end the script.
    need_command = False
    i, n = 0, len(script)
    while i < n:
        ch = script[i]
        if ch in " \t":
            i += 1
            continue
        if ch == "\n" or ch == ";":
            if ch == ";" and (not current or script.startswith(";;", i)):
                raise _Reject
            if current:
                commands.append(current)
                current = []
            elif need_command and ch == ";":
                raise _Reject
            i += 1
            continue
        op = next((o for o in ("&&", "||") if script.startswith(o, i)), None)
        if op is None and ch == "|":
            if script.startswith("|&", i):
                raise _Reject
            op = "|"
        if op is not None:
            if not current:
                raise _Reject
            commands.append(current)
            current = []
            need_command = True
            i += len(op)
            continue
        if ch == "&":
            raise _Reject
        if ch == "#":
            raise _Reject
        start = i
        word, i = _read_word(script, i)
        raw = script[start:i]
        if not current and not command_name_ok(raw):
            raise _Reject
        if raw.startswith(("==", "=~")):
            raise _Reject
        if not word and raw not in ("''", '""'):
            raise _Reject
        current.append(word)
        need_command = False
    if current:
        commands.append(current)
    elif need_command:
        raise _Reject
    return commands


# ferry: codex_shell_command::bash::parse_plain_command_from_node @ 1d092cb66 -- its check of the command name node
def command_name_ok(raw: str) -> bool:
    """Whether tree-sitter-bash would read ``raw`` as a plain command name."""
    return (
        raw not in _RESERVED
        and _COMMAND_NAME.fullmatch(raw) is not None
        and _NUMBER.fullmatch(raw) is None
    )


# ferry: codex_shell_command::bash::parse_shell_lc_plain_commands @ 1d092cb66
def parse_shell_lc_plain_commands(command: Sequence[str]) -> list[list[str]] | None:
    """Commands of ``bash -lc "<plain script>"``, or ``None`` if ``command`` is not one."""
    extracted = extract_bash_command(command)
    if extracted is None:
        return None
    return split_plain_script(extracted[1])
