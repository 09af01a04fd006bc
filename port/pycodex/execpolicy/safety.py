"""Which commands may run without asking (read-only heuristics).

Mirrors upstream's shell-command safety lists for Linux/macOS: a command is
"known safe" when it only reads (``ls``, ``cat``, ``git status``, ``find`` without
``-exec``/``-delete``, ``rg`` without ``--pre``...), either directly or as every
part of a plain ``bash -lc`` script. Windows PowerShell parsing is not ported.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Sequence

from pycodex.execpolicy.dangerous import command_might_be_dangerous
from pycodex.execpolicy.shell import parse_shell_lc_plain_commands

_ALWAYS_SAFE = frozenset(
    (
        "cat",
        "cd",
        "cut",
        "echo",
        "expr",
        "false",
        "grep",
        "head",
        "id",
        "ls",
        "nl",
        "paste",
        "pwd",
        "rev",
        "seq",
        "stat",
        "tail",
        "tr",
        "true",
        "uname",
        "uniq",
        "wc",
        "which",
        "whoami",
    )
)
_LINUX_ONLY_SAFE = frozenset(("numfmt", "tac"))
_UNSAFE_FIND = frozenset(
    ("-exec", "-execdir", "-ok", "-okdir", "-delete", "-fls", "-fprint", "-fprint0", "-fprintf")
)
_UNSAFE_RG_WITH_ARGS = ("--pre", "--hostname-bin")
_UNSAFE_RG_FLAGS = frozenset(("--search-zip", "-z"))
_UNSAFE_GIT_FLAGS = frozenset(("--output", "--ext-diff", "--textconv", "--exec", "--paginate"))
_GIT_READ_SUBCOMMANDS = ("status", "log", "diff", "show", "branch")
_GIT_BRANCH_READ_FLAGS = frozenset(
    ("--list", "-l", "--show-current", "-a", "--all", "-r", "--remotes", "-v", "-vv", "--verbose")
)
_GIT_OPTS_WITH_VALUE = frozenset(
    (
        "-C",
        "-c",
        "--config-env",
        "--exec-path",
        "--git-dir",
        "--namespace",
        "--super-prefix",
        "--work-tree",
    )
)
_GIT_OPTS_INLINE = (
    "--config-env=",
    "--exec-path=",
    "--git-dir=",
    "--namespace=",
    "--super-prefix=",
    "--work-tree=",
)
_SED_N_ARG = re.compile(r"[0-9]+(,[0-9]+)?p")


# ferry: codex_shell_command::command_safety::is_dangerous_command::executable_name_lookup_key @ 1d092cb66
def executable_name(raw: str) -> str | None:
    """The file name of ``raw`` (``/usr/bin/ls`` -> ``ls``); ``None`` for ``/`` or ``..``."""
    name = os.path.basename(raw)
    if not name:
        stripped = raw.rstrip("/")
        name = os.path.basename(stripped) if stripped else ""
    if name in ("", ".", ".."):
        return None
    return name


# ferry: codex_shell_command::command_safety::is_dangerous_command::git_global_option_requires_prompt @ 1d092cb66
def git_global_option_requires_prompt(arg: str) -> bool:
    """Git options that redirect config, repository or helpers: never auto-approved."""
    if arg in _GIT_OPTS_WITH_VALUE and arg != "-C":
        return True
    return (arg.startswith("-c") and len(arg) > 2) or arg.startswith(_GIT_OPTS_INLINE)


def _git_option_with_inline_value(arg: str) -> bool:
    return arg.startswith(_GIT_OPTS_INLINE) or (arg.startswith(("-C", "-c")) and len(arg) > 2)


# ferry: codex_shell_command::command_safety::is_dangerous_command::find_git_subcommand @ 1d092cb66
def find_git_subcommand(
    command: Sequence[str], subcommands: Sequence[str]
) -> tuple[int, str] | None:
    """Index and name of the git subcommand, skipping global options before it."""
    if not command or executable_name(command[0]) != "git":
        return None
    skip_next = False
    for idx in range(1, len(command)):
        arg = command[idx]
        if skip_next:
            skip_next = False
            continue
        if _git_option_with_inline_value(arg):
            continue
        if arg in _GIT_OPTS_WITH_VALUE:
            skip_next = True
            continue
        if arg == "--" or arg.startswith("-"):
            continue
        if arg in subcommands:
            return idx, arg
        return None
    return None


def _git_args_read_only(args: Sequence[str]) -> bool:
    return not any(a in _UNSAFE_GIT_FLAGS or a.startswith(("--output=", "--exec=")) for a in args)


def _git_branch_read_only(args: Sequence[str]) -> bool:
    if not args:
        return True
    saw_flag = False
    for arg in args:
        if arg in _GIT_BRANCH_READ_FLAGS or arg.startswith("--format="):
            saw_flag = True
        else:
            return False
    return saw_flag


def _is_safe_git(command: Sequence[str]) -> bool:
    if any(git_global_option_requires_prompt(a) for a in command[1:]):
        return False
    found = find_git_subcommand(command, _GIT_READ_SUBCOMMANDS)
    if found is None:
        return False
    idx, sub = found
    args = command[idx + 1 :]
    if sub == "branch":
        return _git_args_read_only(args) and _git_branch_read_only(args)
    return _git_args_read_only(args)


# ferry: codex_shell_command::command_safety::is_safe_command::is_safe_to_call_with_exec @ 1d092cb66
def is_safe_to_call_with_exec(command: Sequence[str]) -> bool:
    """True when ``command`` (run directly, not via a shell) only reads."""
    if not command:
        return False
    name = executable_name(command[0])
    if name is None:
        return False
    if name in _ALWAYS_SAFE or (name in _LINUX_ONLY_SAFE and sys.platform.startswith("linux")):
        return True
    if name == "base64":
        return not any(
            a in ("-o", "--output")
            or a.startswith("--output=")
            or (a.startswith("-o") and a != "-o")
            for a in command[1:]
        )
    if name == "find":
        return not any(a in _UNSAFE_FIND for a in command)
    if name == "rg":
        return not any(
            a in _UNSAFE_RG_FLAGS
            or any(a == opt or a.startswith(opt + "=") for opt in _UNSAFE_RG_WITH_ARGS)
            for a in command
        )
    if name == "git":
        return _is_safe_git(command)
    if name == "sed":
        return (
            len(command) <= 4
            and len(command) > 2
            and command[1] == "-n"
            and _SED_N_ARG.fullmatch(command[2]) is not None
        )
    return False


# ferry: codex_shell_command::command_safety::is_safe_command::is_known_safe_command @ 1d092cb66
def is_known_safe_command(command: Sequence[str]) -> bool:
    """Safe to auto-approve: a read-only command, or a plain script of only such commands."""
    argv = ["bash" if word == "zsh" else word for word in command]
    if is_safe_to_call_with_exec(argv):
        return True
    parts = parse_shell_lc_plain_commands(argv)
    return bool(parts) and all(is_safe_to_call_with_exec(p) for p in parts or ())


__all__ = [
    "command_might_be_dangerous",
    "find_git_subcommand",
    "git_global_option_requires_prompt",
    "is_known_safe_command",
    "is_safe_to_call_with_exec",
]
