"""The ``ferry`` command line.

Subcommands live with the package that implements them and are imported only
when invoked, so ``ferry --help`` stays fast and one broken subsystem does not
take the whole tool down. A subcommand is registered by one line in ``COMMANDS``.
"""

from __future__ import annotations

import importlib
import importlib.util

import click

from ferry import __version__

#: command name -> "module:attribute" of a ``click.Command``.
COMMANDS: dict[str, str] = {
    "track": "upstream.cli:track",
    "ledger": "upstream.cli:ledger",
    "diff": "translator.diff.cli:diff",
    "plan": "translator.cli:plan",
    "provenance": "translator.provenance_cli:provenance",
    "translate": "translator.cli:translate",
    "parity": "harness.parity.cli:parity",
    "validate": "harness.cli:validate",
    "bench": "harness.bench_cli:bench",
    "sync": "harness.sync:sync",
    "report": "reports.cli:report",
    "review": "reports.cli:review",
}


def _available(target: str) -> bool:
    module = target.split(":", 1)[0]
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name, target in COMMANDS.items() if _available(target))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None or not _available(target):
            return None
        module_name, attr = target.split(":", 1)
        command = getattr(importlib.import_module(module_name), attr)
        if not isinstance(command, click.Command):
            raise TypeError(f"{target} is not a click command")
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ferry")
def main() -> None:
    """Track, diff, translate and validate a Python port of a Rust upstream."""
