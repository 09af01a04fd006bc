"""``pycodex app-server``: serve the JSON-RPC v2 protocol over stdio (``--listen stdio://``)."""

from __future__ import annotations

import sys

import click

TRANSPORTS = ("stdio://",)


# ferry: codex_cli::main::AppServerCommand @ 1d092cb66 -- 0.169.0 flags
@click.command("app-server", context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "-c",
    "--config",
    "config_overrides",
    multiple=True,
    metavar="key=value",
    help="Override a config value (dotted key; value parsed as TOML).",
)
@click.option("--enable", multiple=True, metavar="FEATURE", help="Enable a feature.")
@click.option("--disable", multiple=True, metavar="FEATURE", help="Disable a feature.")
@click.option(
    "--listen",
    default="stdio://",
    show_default=True,
    help="Transport endpoint URL (pycodex serves stdio://).",
)
@click.option("--stdio", "use_stdio", is_flag=True, help="Use stdio (same as --listen stdio://).")
@click.option(
    "--analytics-default-enabled",
    is_flag=True,
    help="Accepted for compatibility; pycodex sends no analytics.",
)
def app_server_command(
    config_overrides: tuple[str, ...],
    enable: tuple[str, ...],
    disable: tuple[str, ...],
    listen: str,
    use_stdio: bool,
    analytics_default_enabled: bool,
) -> None:
    """[experimental] Run the app server (JSON-RPC over stdio)."""
    if use_stdio:
        listen = "stdio://"
    if listen not in TRANSPORTS:
        raise click.BadParameter(
            f"{listen!r}: pycodex serves {', '.join(TRANSPORTS)} only "
            "(codex also offers unix:// and ws://)",
            param_hint="--listen",
        )
    from pycodex.app_server.processor import AppServer
    from pycodex.app_server.transport import StdioTransport

    server = AppServer(
        StdioTransport(), cli_overrides=config_overrides, enable=enable, disable=disable
    )
    sys.exit(server.serve())
