"""``pycodex execpolicy check``: evaluate a command against rules files, print JSON.

Same flags, output and exit codes as ``codex execpolicy check``: JSON on stdout and
exit 0 whether or not a rule matched; a report on stderr and exit 1 when a file
cannot be read or parsed.
"""

from __future__ import annotations

import sys

import click

from pycodex.execpolicy.errors import PolicyLoadError
from pycodex.execpolicy.parser import load_policies
from pycodex.execpolicy.policy import MatchOptions, matches_to_json


@click.group(
    name="execpolicy",
    context_settings={"help_option_names": ["-h", "--help"]},
)
def execpolicy_group() -> None:
    """Execpolicy commands (preview)."""


@execpolicy_group.command(
    name="check",
    context_settings={"allow_interspersed_args": False, "ignore_unknown_options": True},
)
@click.option(
    "-r",
    "--rules",
    "rules",
    multiple=True,
    required=True,
    metavar="PATH",
    help="Paths to execpolicy rule files to evaluate (repeatable)",
)
@click.option("--pretty", is_flag=True, help="Pretty-print the JSON output")
@click.option(
    "--resolve-host-executables",
    is_flag=True,
    help=(
        "Resolve absolute program paths against basename rules, gated by any "
        "`host_executable()` definitions in the loaded policy files"
    ),
)
@click.argument("command", nargs=-1, required=True, metavar="COMMAND...")
def check_command(
    rules: tuple[str, ...], pretty: bool, resolve_host_executables: bool, command: tuple[str, ...]
) -> None:
    """Check execpolicy files against a command."""
    try:
        policy = load_policies(rules)
    except PolicyLoadError as exc:
        click.echo(f"Error: {exc.render()}", err=True)
        sys.exit(1)
    matches = policy.matches_for_command(
        list(command), None, MatchOptions(resolve_host_executables=resolve_host_executables)
    )
    click.echo(matches_to_json(matches, pretty=pretty))
