"""The ``pycodex`` command line: the same subcommands and flags as upstream ``codex``.

Without a subcommand (``pycodex``, ``pycodex "fix the tests"``) it opens the interactive
UI, as ``codex`` does. Subcommands are imported on first use (see ``SUBCOMMANDS``) to
keep start-up cheap; the UI's Textual is imported only when the UI starts.
"""

from __future__ import annotations

import importlib
from typing import Any

import click

from pycodex import UPSTREAM_VERSION, __version__
from pycodex.tui.cli import TUI_DEFAULTS, tui_options

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
    "resume": "pycodex.tui.cli:resume_command",
    "fork": "pycodex.tui.cli:fork_command",
    "archive": "pycodex.session_cli:archive_command",
    "unarchive": "pycodex.session_cli:unarchive_command",
    "delete": "pycodex.session_cli:delete_command",
    "app-server": "pycodex.app_server.cli:app_server_command",
}
ALIASES = {"e": "exec", "apply": "apply-patch"}


# ferry: codex_cli::MultitoolCli @ 1d092cb66 -- subcommands imported on first use
class LazyGroup(click.Group):
    # ferry: port-only -- click glue: subcommands listed without importing them
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(SUBCOMMANDS)

    # ferry: port-only -- click glue: a subcommand's module is imported when it runs
    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        alias = ALIASES.get(cmd_name, cmd_name)
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

    # ferry: codex_cli::MultitoolCli @ 1d092cb66 -- `codex [OPTIONS] [PROMPT]` beside the subcommands
    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """A first positional word that is not a subcommand is the UI's prompt."""
        index = self._first_positional(args)
        if index is not None and ALIASES.get(args[index], args[index]) not in SUBCOMMANDS:
            ctx.meta["pycodex.prompt"] = args[index]
            args = args[:index] + args[index + 1 :]
        return super().parse_args(ctx, args)

    def _first_positional(self, args: list[str]) -> int | None:
        takes_value = {
            opt
            for param in self.params
            if isinstance(param, click.Option) and not param.is_flag
            for opt in param.opts
        }
        i = 0
        while i < len(args):
            token = args[i]
            if token == "--":
                return i + 1 if i + 1 < len(args) else None
            if token.startswith("-") and token != "-":
                i += 2 if token in takes_value else 1
                continue
            return i
        return None


# ferry: codex_cli::cli_main @ 1d092cb66 -- no subcommand: the interactive UI
@click.group(
    cls=LazyGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(f"{__version__} (codex-cli {UPSTREAM_VERSION})", prog_name="pycodex")
@tui_options
@click.pass_context
def main(ctx: click.Context, /, **params: Any) -> None:
    """pycodex: a Python port of the Codex CLI.

    Without a subcommand, starts the interactive UI (optionally with PROMPT as the first
    message): `pycodex [OPTIONS] [PROMPT]`.
    """
    if ctx.invoked_subcommand is not None:
        given = [name for name, default in TUI_DEFAULTS.items() if params.get(name) != default]
        if given:
            flags = ", ".join("--" + name.replace("_", "-") for name in given)
            raise click.UsageError(
                f"{flags} given before `{ctx.invoked_subcommand}` applies to the interactive "
                f"UI only; put it after the subcommand"
            )
        return
    import sys

    from pycodex.tui.launch import run_tui

    sys.exit(run_tui(params, ctx.meta.get("pycodex.prompt")))
