"""``pycodex apply-patch``: the standalone ``apply_patch`` executable.

Same stdout, stderr and exit codes as upstream's ``apply_patch`` (the ``codex``
binary started as ``apply_patch``): the patch is the single argument or, with
no argument, stdin; ``Success. Updated the following files:`` and exit 0 on
success; the error on stderr and exit 1 on failure; usage errors exit 2. As a
port extension, ``-`` also reads the patch from stdin, and writes are confined
to the current directory.
"""

from __future__ import annotations

import os
import sys

import click

from pycodex.apply_patch.apply import apply_patch
from pycodex.apply_patch.errors import ApplyPatchError

USAGE = "Usage: apply_patch 'PATCH'\n       echo 'PATCH' | apply_patch"


# ferry: codex_apply_patch::standalone_executable::run_main @ 1d092cb66
def run(args: list[str], stdin: bytes | None = None) -> tuple[int, str, str]:
    """Run the executable's logic; return ``(exit code, stdout, stderr)``."""
    if not args or args[0] == "-":
        data = sys.stdin.buffer.read() if stdin is None else stdin
        try:
            patch = data.decode("utf-8")
        except UnicodeDecodeError:
            return (
                1,
                "",
                "Error: Failed to read PATCH from stdin.\nstream did not contain valid UTF-8\n",
            )
        if not patch:
            return 2, "", USAGE + "\n"
    else:
        patch = args[0]
        if _has_surrogates(patch):
            return 1, "", "Error: apply_patch requires a UTF-8 PATCH argument.\n"
    if len(args) > 1:
        return 2, "", "Error: apply_patch accepts exactly one argument.\n"
    try:
        result = apply_patch(patch, os.getcwd())
    except ApplyPatchError as exc:
        return 1, "", f"{exc}\n"
    return 0, result.output, ""


def _has_surrogates(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


class _RawArgsCommand(click.Command):
    """Passes every argument through untouched (``--``, ``--help`` are patch text upstream)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.params = {"args": tuple(args)}
        ctx.args = []
        return []


# ferry: codex_apply_patch::standalone_executable::main @ 1d092cb66 -- exposed as `pycodex apply-patch`
@click.command("apply-patch", cls=_RawArgsCommand, add_help_option=False)
def apply_patch_command(args: tuple[str, ...]) -> None:
    """Apply a patch (the argument, or stdin when omitted or '-') in the current directory."""
    code, out, err = run(list(args))
    if out:
        sys.stdout.write(out)
        sys.stdout.flush()
    if err:
        sys.stderr.write(err)
        sys.stderr.flush()
    sys.exit(code)
