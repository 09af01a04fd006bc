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


# ferry: codex_execpolicy::Cli @ 1d092cb66 -- exposed as `pycodex execpolicy`
@click.group(
    name="execpolicy",
    context_settings={"help_option_names": ["-h", "--help"]},
)
def execpolicy_group() -> None:
    """Execpolicy tooling."""


_VALUE_OPTIONS = frozenset(("-r", "--rules", "-c", "--config"))
_FLAG_OPTIONS = frozenset(("--pretty", "--resolve-host-executables", "-h", "--help"))


# ferry: codex_execpolicy::execpolicycheck::ExecPolicyCheckCommand @ 1d092cb66 -- clap's trailing-var-arg split of its arguments
def split_check_args(args: list[str]) -> tuple[list[str], list[str]]:
    """Split ``check`` arguments into options and COMMAND the way upstream's clap does.

    The command starts at the first token that is not one of ``check``'s own options
    (so ``-la`` or ``--bogus`` begin the command); a leading ``--`` is a separator.
    Short options take their value from the next token only (``-rX`` starts the command).
    """
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            return args[:i], args[i + 1 :]
        if arg in _FLAG_OPTIONS:
            i += 1
        elif arg in _VALUE_OPTIONS:
            i += 2
        elif arg.startswith(("--rules=", "--config=", "--pretty=", "--resolve-host-executables=")):
            i += 1
        else:
            break
    return args[:i], args[i:]


class _CheckCommand(click.Command):
    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        options, command = split_check_args(args)
        return super().parse_args(ctx, [*options, "--", *command] if command else options)


# ferry: codex_execpolicy::execpolicycheck::ExecPolicyCheckCommand::run @ 1d092cb66
@execpolicy_group.command(name="check", cls=_CheckCommand)
@click.option(
    "-r",
    "--rules",
    "rules",
    multiple=True,
    required=True,
    metavar="PATH",
    help="Paths to execpolicy rule files to evaluate (repeatable)",
)
@click.option(
    "-c",
    "--config",
    "config_overrides",
    multiple=True,
    metavar="key=value",
    help=(
        "Configuration override (accepted like every codex subcommand; `check` reads no "
        "configuration, so it does not change the result)"
    ),
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
    rules: tuple[str, ...],
    config_overrides: tuple[str, ...],
    pretty: bool,
    resolve_host_executables: bool,
    command: tuple[str, ...],
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
