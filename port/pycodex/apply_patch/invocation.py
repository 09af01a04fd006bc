"""Recognise ``apply_patch`` invocations in shell commands (upstream ``invocation.rs``).

Codex intercepts commands that are really patches:

* ``["apply_patch", PATCH]`` / ``["applypatch", PATCH]``;
* a shell script (``bash``/``zsh``/``sh`` with ``-c``/``-lc``, ``pwsh``/``powershell``
  ``[-NoProfile] -Command``, ``cmd /c``) whose *only* statement is
  ``apply_patch <<'EOF' ... EOF`` or ``cd DIR && apply_patch <<'EOF' ... EOF``.

Upstream recognises the script with a tree-sitter-bash query; this module is a
hand-written recogniser for the same shapes (cross-checked against the real
grammar in the tests), so the port does not need tree-sitter at run time.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from pycodex.apply_patch.apply import VERIFICATION_FAILED_PREFIX, verify_parsed
from pycodex.apply_patch.errors import ApplyPatchError, ParseError
from pycodex.apply_patch.parser import parse_patch
from pycodex.apply_patch.types import Patch, VerifiedPatch

APPLY_PATCH_COMMANDS = ("apply_patch", "applypatch")

#: ``ApplyPatchError::ImplicitInvocation``.
IMPLICIT_INVOCATION_MESSAGE = (
    'patch detected without explicit call to apply_patch. Rerun as ["apply_patch", "<patch>"]'
)


# ferry: codex_apply_patch::ApplyPatchArgs @ 1d092cb66 -- the raw patch text and workdir before parsing
@dataclass(frozen=True)
class ApplyPatchInvocation:
    """A detected invocation: the raw patch text and the ``cd`` directory, if any."""

    patch: str
    workdir: str | None = None


def _shell_name(shell: str) -> str:
    """``Path::file_stem`` (``/`` separators, as on Linux), ASCII-lowercased."""
    name = shell.rstrip("/").rsplit("/", 1)[-1]
    if name in ("", ".", ".."):
        return name
    stem = name.rsplit(".", 1)[0] if "." in name[1:] else name
    return _ascii_lower(stem)


def _ascii_lower(text: str) -> str:
    return text.translate(_ASCII_LOWER)


_ASCII_LOWER = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}


def _classify_shell(shell: str, flag: str) -> bool:
    name = _shell_name(shell)
    if name in ("bash", "zsh", "sh"):
        return flag in ("-lc", "-c")
    if name in ("pwsh", "powershell"):
        return _ascii_lower(flag) == "-command"
    if name == "cmd":
        return _ascii_lower(flag) == "/c"
    return False


def _can_skip_flag(shell: str, flag: str) -> bool:
    return _shell_name(shell) in ("pwsh", "powershell") and _ascii_lower(flag) == "-noprofile"


# ferry: codex_apply_patch::invocation::parse_shell_script @ 1d092cb66
def shell_script(argv: Sequence[str]) -> str | None:
    """The script of a ``SHELL FLAG SCRIPT`` command line (``parse_shell_script``)."""
    if len(argv) == 3 and _classify_shell(argv[0], argv[1]):
        return argv[2]
    if len(argv) == 4 and _can_skip_flag(argv[0], argv[1]) and _classify_shell(argv[0], argv[2]):
        return argv[3]
    return None


# --------------------------------------------------------------------------- heredoc


_WORD = r"""(?:[^\s|&;<>()$`"'\\#{}]|\\.)(?:[^\s|&;<>()$`"'\\{}]|\\.)*"""
_SQ = r"'[^']*'"
_DQ = r'"(?:[^"\\]|\\.)*"'
_ARG = f"(?:{_WORD}|{_SQ}|{_DQ})"
_DELIM_CHAR = r"""(?:[^\s|&;<>()`"'\\]|\\.)"""
_HEAD_RE = re.compile(
    r"[ \t\r\n]*"
    r"(?:cd[ \t]+(?P<cd>" + _ARG + r")[ \t]*&&[ \t\r\n]*)?"
    r"(?P<cmd>apply_patch|applypatch)(?P<args>(?:[ \t]+" + _ARG + r")*?)[ \t]*"
    r"(?P<op><<-?)[ \t]*"
    r"(?P<delim>(?:" + _DELIM_CHAR + "|" + _SQ + "|" + _DQ + r")+)[ \t\r]*\n"
)
_NUMBER_RE = re.compile(r"-?(?:0x)?[0-9]+(?:#[0-9A-Za-z@_]+)?")
_BLANK = " \t\r"


def _delimiter_text(token: str) -> str:
    """The terminator line tree-sitter-bash looks for: the token without its outer quotes."""
    if len(token) >= 2 and token[0] in "'\"" and token[-1] == token[0]:
        return token[1:-1]
    return token


def _cd_path(arg: str) -> str | None:
    """What upstream's query captures for the ``cd`` argument (``None``: no match)."""
    if arg.startswith("'"):
        return arg[1:-1]
    if arg.startswith('"'):
        return _first_string_content(arg[1:-1])
    if _NUMBER_RE.fullmatch(arg):
        return None  # tree-sitter parses it as a number, not a word
    return arg


def _first_string_content(body: str) -> str | None:
    """The first literal run of a double-quoted string (expansions split runs)."""
    i = 0
    n = len(body)
    run_start = 0
    while i < n:
        c = body[i]
        if c == "\\":
            i += 2
            continue
        if c not in "$`":
            i += 1
            continue
        if i > run_start:
            return body[run_start:i]
        i = _skip_expansion(body, i)
        run_start = i
    return body[run_start:] if run_start < n else None


def _skip_expansion(body: str, i: int) -> int:
    n = len(body)
    if body[i] == "`":
        j = body.find("`", i + 1)
        return n if j < 0 else j + 1
    j = i + 1  # after "$"
    if j >= n:
        return n
    c = body[j]
    if c in "({":
        close = ")" if c == "(" else "}"
        depth = 0
        while j < n:
            if body[j] == c:
                depth += 1
            elif body[j] == close:
                depth -= 1
                if depth == 0:
                    return j + 1
            j += 1
        return n
    if c.isalpha() or c == "_":
        while j < n and (body[j].isalnum() or body[j] == "_"):
            j += 1
        return j
    if c.isdigit() or c in "@*#?$!-":
        return j + 1
    return j


# ferry: codex_apply_patch::invocation::extract_apply_patch_from_bash @ 1d092cb66 -- hand-written matcher for what upstream's tree-sitter-bash query accepts
def extract_heredoc(script: str) -> tuple[str, str | None] | None:
    """``(heredoc body, cd dir)`` when ``script`` is exactly one supported statement.

    Mirrors what upstream's tree-sitter query accepts: the heredoc body starts at
    its first non-blank character and ends where a line starts (after blanks)
    with the delimiter; an unterminated heredoc runs to the end of a script that
    ends with a newline. Returns ``None`` when the script does not have that shape.
    """
    m = _HEAD_RE.match(script)
    if m is None:
        return None
    if m["args"] and m["cd"] is None:
        return None  # `apply_patch ARG <<EOF` only matches after `cd DIR &&`
    delim = _delimiter_text(m["delim"])
    if not delim:
        return None
    cd: str | None = None
    if m["cd"] is not None:
        cd = _cd_path(m["cd"])
        if cd is None:
            return None

    head_end = m.end()
    pos = head_end
    length = len(script)
    body_end: int | None = None
    while pos < length:
        nl = script.find("\n", pos)
        line_end = length if nl < 0 else nl
        line = script[pos:line_end]
        stripped = line.lstrip(_BLANK)
        if stripped.startswith(delim):
            if stripped[len(delim) :].strip(_BLANK) or script[line_end:].strip(_BLANK + "\n"):
                return None  # something follows the terminator
            body_end = pos + (len(line) - len(stripped))
            break
        if nl < 0:
            return None  # unterminated, and no final newline
        pos = nl + 1
    if body_end is None:
        if not script.endswith("\n"):
            return None
        body_end = length
    start = head_end
    while start < body_end and script[start] in _BLANK + "\n":
        start += 1
    if body_end == length and not script[head_end:].strip("\n"):
        return None  # an unterminated heredoc with nothing but newlines
    return script[start:body_end].rstrip("\n"), cd


# ferry: codex_apply_patch::invocation::maybe_parse_apply_patch @ 1d092cb66 -- the detection half, before parsing
def extract_apply_patch_invocation(argv: Sequence[str]) -> ApplyPatchInvocation | None:
    """Detect an ``apply_patch`` call in ``argv``; the patch text and ``cd`` directory."""
    if len(argv) == 2 and argv[0] in APPLY_PATCH_COMMANDS:
        return ApplyPatchInvocation(argv[1])
    script = shell_script(argv)
    if script is None:
        return None
    found = extract_heredoc(script)
    if found is None:
        return None
    return ApplyPatchInvocation(found[0], found[1])


# ferry: codex_apply_patch::invocation::extract_apply_patch_from_shell @ 1d092cb66
def extract_apply_patch_from_shell(argv: Sequence[str]) -> str | None:
    """The patch text of an ``apply_patch`` invocation in ``argv``, else ``None``.

    Recognises ``["apply_patch", PATCH]``, ``["applypatch", PATCH]`` and shell
    scripts ``apply_patch <<'EOF'\\n...\\nEOF`` (optionally preceded by
    ``cd DIR &&``; use :func:`extract_apply_patch_invocation` to get ``DIR``).
    """
    found = extract_apply_patch_invocation(argv)
    return None if found is None else found.patch


# --------------------------------------------------------------------------- maybe_parse


# ferry: codex_apply_patch::invocation::MaybeApplyPatch @ 1d092cb66 -- its variant tags
class MaybeApplyPatchKind(Enum):
    BODY = "body"
    SHELL_PARSE_ERROR = "shell_parse_error"
    PATCH_PARSE_ERROR = "patch_parse_error"
    NOT_APPLY_PATCH = "not_apply_patch"


# ferry: codex_apply_patch::invocation::MaybeApplyPatch @ 1d092cb66
@dataclass(frozen=True)
class MaybeApplyPatch:
    """Upstream ``MaybeApplyPatch``: a parsed patch, a parse error, or not a patch."""

    kind: MaybeApplyPatchKind
    patch: Patch | None = None
    error: ParseError | None = None


# ferry: codex_apply_patch::invocation::maybe_parse_apply_patch @ 1d092cb66
def maybe_parse_apply_patch(argv: Sequence[str]) -> MaybeApplyPatch:
    """Detect and parse an ``apply_patch`` invocation (``maybe_parse_apply_patch``)."""
    found = extract_apply_patch_invocation(argv)
    if found is None:
        return MaybeApplyPatch(MaybeApplyPatchKind.NOT_APPLY_PATCH)
    try:
        patch = parse_patch(found.patch)
    except ParseError as exc:
        return MaybeApplyPatch(MaybeApplyPatchKind.PATCH_PARSE_ERROR, error=exc)
    if found.workdir is not None:
        patch = dataclasses.replace(patch, workdir=found.workdir)
    return MaybeApplyPatch(MaybeApplyPatchKind.BODY, patch=patch)


def _parses(text: str) -> bool:
    try:
        parse_patch(text)
    except ParseError:
        return False
    return True


# ferry: codex_apply_patch::invocation::maybe_parse_apply_patch_verified @ 1d092cb66
def maybe_parse_apply_patch_verified(
    argv: Sequence[str],
    cwd: str | os.PathLike[str],
    *,
    root: str | os.PathLike[str] | None = None,
) -> VerifiedPatch | None:
    """``maybe_parse_apply_patch_verified``: ``None`` when ``argv`` is not a patch call.

    Raises :class:`ApplyPatchError` (``str()`` = what codex tells the model) when
    it is one that cannot be applied, including a bare patch passed without
    ``apply_patch`` (``patch detected without explicit call to apply_patch...``).
    """
    if len(argv) == 1 and _parses(argv[0]):
        raise ApplyPatchError(VERIFICATION_FAILED_PREFIX + IMPLICIT_INVOCATION_MESSAGE)
    script = shell_script(argv)
    if script is not None and _parses(script):
        raise ApplyPatchError(VERIFICATION_FAILED_PREFIX + IMPLICIT_INVOCATION_MESSAGE)
    result = maybe_parse_apply_patch(argv)
    if result.kind is MaybeApplyPatchKind.NOT_APPLY_PATCH:
        return None
    if result.error is not None:
        raise ApplyPatchError(VERIFICATION_FAILED_PREFIX + result.error.display()) from result.error
    assert result.patch is not None
    return verify_parsed(result.patch, Path(cwd), root=root)
