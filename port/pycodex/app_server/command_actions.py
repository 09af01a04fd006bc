"""What a shell command does, in the words of the app server's ``commandActions``.

A focused port of upstream's ``parse_command``: a ``bash -lc`` script made of one plain
command (words only: no pipes, connectors, redirections or substitutions) is recognised
as reading a file (``cat``, ``head``, ``tail``, ``nl``, ``sed -n``), listing files
(``ls``, ``tree``, ``du``, ``rg --files``, ``git ls-files``) or searching (``rg``,
``grep``, ``git grep``). Everything else is ``unknown`` with the script as written.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pycodex.shell_quote import join as shlex_join

JsonObject = dict[str, Any]

#: characters that make a script more than a list of words.
_SHELL_SYNTAX = re.compile(r"[|&;<>()`$\n*?\[\]{}~#]")


# ferry: codex_shell_command::parse_command::short_display_path @ 1d092cb66
def short_display_path(path: str) -> str:
    trimmed = path.replace("\\", "/").rstrip("/")
    parts = [
        p
        for p in reversed(trimmed.split("/"))
        if p and p not in ("build", "dist", "node_modules", "src")
    ]
    return parts[0] if parts else trimmed


def _operands(args: Sequence[str], flags_with_values: Sequence[str] = ()) -> list[str]:
    out: list[str] = []
    skip = False
    for arg in args:
        if skip:
            skip = False
            continue
        if arg in flags_with_values:
            skip = True
            continue
        if arg.startswith("-"):
            continue
        out.append(arg)
    return out


def _read(cmd: str, path: str) -> JsonObject:
    return {"type": "read", "command": cmd, "name": short_display_path(path), "path": path}


# ferry: codex_shell_command::parse_command::summarize_main_tokens @ 1d092cb66 -- the common commands
def summarize(tokens: Sequence[str]) -> JsonObject:
    """One plain command as a CommandAction (``path`` of a read is made absolute later)."""
    cmd = shlex_join(tokens)
    head, tail = (tokens[0], list(tokens[1:])) if tokens else ("", [])
    if head in ("ls", "eza", "exa", "tree", "du"):
        found = _operands(tail, ("-I", "-w", "-L", "-P", "-d", "--max-depth", "-B"))
        return {
            "type": "listFiles",
            "command": cmd,
            "path": short_display_path(found[0]) if found else None,
        }
    if head in ("rg", "rga"):
        found = _operands(
            tail, ("-g", "--glob", "-t", "--type", "-m", "-A", "-B", "-C", "--max-depth")
        )
        if "--files" in tail:
            return {
                "type": "listFiles",
                "command": cmd,
                "path": short_display_path(found[0]) if found else None,
            }
        return {
            "type": "search",
            "command": cmd,
            "query": found[0] if found else None,
            "path": short_display_path(found[1]) if len(found) > 1 else None,
        }
    if head == "grep" or (head == "git" and tail[:1] == ["grep"]):
        args = tail[1:] if head == "git" else tail
        found = _operands(args, ("-e", "-f", "-m", "-A", "-B", "-C"))
        return {
            "type": "search",
            "command": cmd,
            "query": found[0] if found else None,
            "path": short_display_path(found[1]) if len(found) > 1 else None,
        }
    if head == "git" and tail[:1] == ["ls-files"]:
        found = _operands(tail[1:])
        return {
            "type": "listFiles",
            "command": cmd,
            "path": short_display_path(found[0]) if found else None,
        }
    if head in ("cat", "nl") and len(_operands(tail)) == 1:
        return _read(cmd, _operands(tail)[0])
    if head in ("head", "tail"):
        found = _operands(tail, ("-n", "-c"))
        if len(found) == 1:
            return _read(cmd, found[0])
    if head == "sed" and tail[:1] == ["-n"] and len(tail) == 3:
        return _read(cmd, tail[2])
    return {"type": "unknown", "command": cmd}


def _script(argv: Sequence[str]) -> str | None:
    if len(argv) == 3 and Path(argv[0]).name in ("bash", "zsh", "sh") and argv[1] in ("-lc", "-c"):
        return argv[2]
    return None


# ferry: codex_shell_command::parse_command::parse_command @ 1d092cb66 -- plain scripts only
def command_actions(argv: Sequence[str], cwd: Path | None = None) -> list[JsonObject]:
    """The ``commandActions`` of a command the model asked to run."""
    script = _script(argv)
    if script is None:
        return [{"type": "unknown", "command": shlex_join(argv)}]
    if _SHELL_SYNTAX.search(script):
        return [{"type": "unknown", "command": script}]
    try:
        tokens = shlex.split(script)
    except ValueError:
        return [{"type": "unknown", "command": script}]
    if not tokens:
        return [{"type": "unknown", "command": script}]
    action = summarize(tokens)
    if action["type"] == "read" and cwd is not None:
        action["path"] = str(cwd / action["path"])
    return [action]
