"""``pycodex app-server``: serve the JSON-RPC v2 protocol over stdio or a WebSocket.

``--listen stdio://`` (the default) or ``ws://IP:PORT``; codex's ``unix://`` control socket
and ``off`` are refused with a message.
"""

from __future__ import annotations

import re
import signal
import sys
from typing import Any

import click

_WS = re.compile(r"^ws://(?P<host>[0-9.]+|\[[0-9a-fA-F:]+\]|localhost):(?P<port>[0-9]{1,5})/?$")


# ferry: codex_cli::AppServerCommand @ 1d092cb66 -- 0.169.0 flags
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
    help="Transport endpoint URL: stdio:// (default) or ws://IP:PORT.",
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
    """[experimental] Run the app server (JSON-RPC over stdio or a WebSocket)."""
    if use_stdio:
        listen = "stdio://"
    options: dict[str, Any] = {
        "cli_overrides": config_overrides,
        "enable": enable,
        "disable": disable,
    }
    if listen == "stdio://":
        from pycodex.app_server.processor import AppServer
        from pycodex.app_server.transport import StdioTransport

        sys.exit(AppServer(StdioTransport(), **options).serve())
    found = _WS.match(listen)
    if found is None:
        raise click.BadParameter(
            f"{listen!r}: pycodex serves stdio:// and ws://IP:PORT "
            "(codex's unix:// control socket and `off` are not ported)",
            param_hint="--listen",
        )
    _serve_websocket(found.group("host").strip("[]"), int(found.group("port")), options)


def _serve_websocket(host: str, port: int, options: dict[str, Any]) -> None:
    try:
        import websockets  # noqa: F401 - only checks that the optional dependency is there
    except ImportError:
        raise click.ClickException(
            "ws:// needs the `websockets` package: pip install 'pycodex[ws]'"
        ) from None
    from pycodex.app_server.processor import AppServer
    from pycodex.app_server.transport import serve_websocket

    def handle(transport: Any) -> None:
        AppServer(transport, **options).serve()

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        serve_websocket(
            host, port, handle, banner=lambda text: click.echo(text, err=True, nl=False)
        )
    except KeyboardInterrupt:
        sys.exit(0)
    except OSError as exc:
        raise click.ClickException(f"cannot listen on ws://{host}:{port}: {exc.strerror}") from None
