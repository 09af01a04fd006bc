"""The ``pycodex`` command line: the same subcommands and flags as upstream ``codex``.

Subcommands are imported on first use (see ``SUBCOMMANDS``) to keep start-up cheap.
"""

from __future__ import annotations

import importlib

import click

from pycodex import UPSTREAM_VERSION, __version__

#: subcommand -> "module:attribute" of a ``click.Command``.
SUBCOMMANDS: dict[str, str] = {
    "exec": "pycodex.exec.cli:exec_command",
    "apply-patch": "pycodex.apply_patch.cli:apply_patch_command",
    "sandbox": "pycodex.sandbox.cli:sandbox_command",
    "execpolicy": "pycodex.execpolicy.cli:execpolicy_group",
    "mcp": "pycodex.mcp.cli:mcp_group",
    "login": "pycodex.auth.cli:login_group",
    "logout": "pycodex.auth.cli:logout_command",
    "features": "pycodex.features.cli:features_group",
    "resume": "pycodex.session_cli:resume_command",
    "fork": "pycodex.session_cli:fork_command",
    "archive": "pycodex.session_cli:archive_command",
    "unarchive": "pycodex.session_cli:unarchive_command",
    "delete": "pycodex.session_cli:delete_command",
}


# ferry: port-only -- Python glue: imports each subcommand's module on first use so start-up stays fast
class LazyGroup(click.Group):
    # ferry: port-only -- Python glue: lazy click group
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(SUBCOMMANDS)

    # ferry: port-only -- Python glue: lazy click group
    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        alias = {"e": "exec", "apply": "apply-patch"}.get(cmd_name, cmd_name)
        target = SUBCOMMANDS.get(alias)
        if target is None:
            return None
        module_name, attr = target.split(":", 1)
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and module_name.startswith(exc.name):
                raise click.ClickException(
                    f"subcommand '{alias}' is not available in this build"
                ) from exc
            raise
        command = getattr(module, attr)
        assert isinstance(command, click.Command)
        return command


# ferry: codex_cli::MultitoolCli @ 1d092cb66
# ferry: codex_cli::cli_main @ 1d092cb66
@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(f"{__version__} (codex-cli {UPSTREAM_VERSION})", prog_name="pycodex")
def main() -> None:
    """pycodex: a Python port of the Codex CLI."""
