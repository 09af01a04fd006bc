"""``pycodex mcp list|get|add|remove``: manage ``[mcp_servers]`` in ``$CODEX_HOME/config.toml``.

Output follows ``codex mcp`` 0.169.0 (tables, ``--json`` shapes, messages). Edits rewrite
the file atomically; ``add`` replaces a server of the same name.
"""

from __future__ import annotations

import json
import sys
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import click

from pycodex.errors import ConfigError
from pycodex.mcp.config import SERVER_NAME_RE, McpServerConfig, parse_servers

JsonObject = dict[str, Any]


def _fail(message: str, code: int = 1) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


def _config_path() -> Path:
    from pycodex.config.loader import codex_home

    return codex_home() / "config.toml"


def _read_table(path: Path) -> JsonObject:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as exc:
        _fail(f"{path}: invalid TOML: {exc}")


def _servers() -> dict[str, McpServerConfig]:
    path = _config_path()
    try:
        return parse_servers(_read_table(path).get("mcp_servers"))
    except ConfigError as exc:
        _fail(f"{path}: {exc}")


def _auth_status(server: McpServerConfig) -> str:
    return "bearer_token" if server.bearer_token_env_var else "unsupported"


_AUTH_LABEL = {"bearer_token": "Bearer token", "unsupported": "Unsupported"}


def _masked_env(env: Any) -> str:
    if not env:
        return "-"
    return ", ".join(f"{k}=*****" for k in sorted(env))


def _transport_json(server: McpServerConfig) -> JsonObject:
    if server.command is not None:
        return {
            "type": "stdio",
            "command": server.command,
            "args": list(server.args),
            "env": dict(server.env) if server.env else None,
            "env_vars": list(server.env_vars),
            "cwd": str(server.cwd) if server.cwd else None,
        }
    return {
        "type": "streamable_http",
        "url": server.url,
        "bearer_token_env_var": server.bearer_token_env_var,
        "http_headers": dict(server.http_headers) if server.http_headers else None,
        "env_http_headers": dict(server.env_http_headers) if server.env_http_headers else None,
        "http_headers_helper": None,
    }


def _table(rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    )


# ferry: codex_cli::mcp_cmd::run_list @ 1d092cb66
@click.command("list")
@click.option("--json", "as_json", is_flag=True, help="Output the configured servers as JSON.")
def list_command(as_json: bool) -> None:
    """List configured MCP servers."""
    servers = sorted(_servers().values(), key=lambda s: s.name)
    if as_json:
        items = [
            {
                "name": s.name,
                "enabled": s.enabled,
                "disabled_reason": None,
                "transport": _transport_json(s),
                "startup_timeout_sec": s.startup_timeout_sec,
                "tool_timeout_sec": s.tool_timeout_sec,
                "auth_status": _auth_status(s),
            }
            for s in servers
        ]
        click.echo(json.dumps(items, indent=2))
        return
    if not servers:
        click.echo("No MCP servers configured yet. Try `codex mcp add my-tool -- my-command`.")
        return
    blocks = []
    stdio = [s for s in servers if s.command is not None]
    http = [s for s in servers if s.command is None]
    if stdio:
        rows = [["Name", "Command", "Args", "Env", "Cwd", "Status", "Auth"]]
        rows += [
            [
                s.name,
                s.command or "",
                " ".join(s.args) or "-",
                _masked_env(s.env),
                str(s.cwd) if s.cwd else "-",
                "enabled" if s.enabled else "disabled",
                _AUTH_LABEL[_auth_status(s)],
            ]
            for s in stdio
        ]
        blocks.append(_table(rows))
    if http:
        rows = [["Name", "Url", "Bearer Token Env Var", "Status", "Auth"]]
        rows += [
            [
                s.name,
                s.url or "",
                s.bearer_token_env_var or "-",
                "enabled" if s.enabled else "disabled",
                _AUTH_LABEL[_auth_status(s)],
            ]
            for s in http
        ]
        blocks.append(_table(rows))
    click.echo("\n\n".join(blocks))


def _headers(value: Any) -> str:
    return ", ".join(f"{k}=*****" for k in sorted(value)) if value else "-"


# ferry: codex_cli::mcp_cmd::run_get @ 1d092cb66
@click.command("get")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Output the server configuration as JSON.")
def get_command(name: str, as_json: bool) -> None:
    """Show one configured MCP server."""
    server = _servers().get(name)
    if server is None:
        _fail(f"No MCP server named '{name}' found.")
    if as_json:
        item = {
            "name": server.name,
            "enabled": server.enabled,
            "disabled_reason": None,
            "transport": _transport_json(server),
            "enabled_tools": list(server.enabled_tools) if server.enabled_tools else None,
            "disabled_tools": list(server.disabled_tools) if server.disabled_tools else None,
            "startup_timeout_sec": server.startup_timeout_sec,
            "tool_timeout_sec": server.tool_timeout_sec,
        }
        click.echo(json.dumps(item, indent=2))
        return
    if not server.enabled:
        click.echo(f"{name} (disabled)")
        return
    lines = [name, "  enabled: true"]
    if server.enabled_tools is not None:
        lines.append(f"  enabled_tools: {', '.join(server.enabled_tools)}")
    if server.disabled_tools is not None:
        lines.append(f"  disabled_tools: {', '.join(server.disabled_tools)}")
    if server.command is not None:
        lines += [
            "  transport: stdio",
            f"  command: {server.command}",
            f"  args: {' '.join(server.args) or '-'}",
            f"  cwd: {server.cwd or '-'}",
            f"  env: {_masked_env(server.env)}",
        ]
    else:
        lines += [
            "  transport: streamable_http",
            f"  url: {server.url}",
            f"  bearer_token_env_var: {server.bearer_token_env_var or '-'}",
            f"  http_headers: {_headers(server.http_headers)}",
            f"  env_http_headers: {_headers(server.env_http_headers)}",
            "  http_headers_helper: -",
        ]
    if server.startup_timeout_sec is not None:
        lines.append(f"  startup_timeout_sec: {server.startup_timeout_sec:g}")
    if server.tool_timeout_sec is not None:
        lines.append(f"  tool_timeout_sec: {server.tool_timeout_sec:g}")
    lines.append(f"  remove: codex mcp remove {name}")
    click.echo("\n".join(lines))


def _write(path: Path, table: JsonObject) -> None:
    from pycodex.fsutil import write_text_atomic
    from pycodex.mcp.toml_write import dumps

    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, dumps(table))


def _parse_env(values: Sequence[str]) -> dict[str, str]:
    env: dict[str, str] = {}
    for raw in values:
        key, sep, value = raw.partition("=")
        if not sep or not key:
            raise click.BadParameter(
                f"invalid value '{raw}' for '--env <KEY=VALUE>': environment entries must be "
                "in KEY=VALUE form",
                param_hint="--env",
            )
        env[key] = value
    return env


# ferry: codex_cli::mcp_cmd::run_add @ 1d092cb66
@click.command("add")
@click.argument("name")
@click.argument("command", nargs=-1)
@click.option("--env", "env", multiple=True, metavar="KEY=VALUE", help="Environment for stdio.")
@click.option("--url", help="URL for a streamable HTTP MCP server.")
@click.option("--bearer-token-env-var", help="Variable holding a bearer token (HTTP only).")
def add_command(
    name: str,
    command: tuple[str, ...],
    env: tuple[str, ...],
    url: str | None,
    bearer_token_env_var: str | None,
) -> None:
    """Add (or replace) a global MCP server: NAME -- COMMAND... or NAME --url URL."""
    if not SERVER_NAME_RE.match(name):
        _fail(f"invalid server name '{name}' (use letters, numbers, '-', '_', ':', '@', '/', '.')")
    if bool(command) == bool(url):
        raise click.UsageError(
            "the following required arguments were not provided:\n  <COMMAND|--url <URL>>"
        )
    entry: JsonObject
    if command:
        if bearer_token_env_var:
            raise click.UsageError("--bearer-token-env-var is only valid with --url")
        entry = {"command": command[0]}
        if len(command) > 1:
            entry["args"] = list(command[1:])
        parsed_env = _parse_env(env)
        if parsed_env:
            entry["env"] = parsed_env
    else:
        if env:
            raise click.UsageError("--env is only valid with stdio servers")
        entry = {"url": url}
        if bearer_token_env_var:
            entry["bearer_token_env_var"] = bearer_token_env_var
    path = _config_path()
    table = _read_table(path)
    servers = dict(table.get("mcp_servers") or {})
    servers[name] = entry
    table["mcp_servers"] = servers
    _write(path, table)
    click.echo(f"Added global MCP server '{name}'.")


# ferry: codex_cli::mcp_cmd::run_remove @ 1d092cb66
@click.command("remove")
@click.argument("name")
def remove_command(name: str) -> None:
    """Remove a global MCP server."""
    path = _config_path()
    table = _read_table(path)
    servers = dict(table.get("mcp_servers") or {})
    if name not in servers:
        click.echo(f"No MCP server named '{name}' found.")
        return
    del servers[name]
    if servers:
        table["mcp_servers"] = servers
    else:
        table.pop("mcp_servers", None)
    _write(path, table)
    click.echo(f"Removed global MCP server '{name}'.")


# ferry: codex_cli::mcp_cmd::McpCli @ 1d092cb66
@click.group("mcp", context_settings={"help_option_names": ["-h", "--help"]})
def mcp_group() -> None:
    """Manage external MCP servers for Codex"""


mcp_group.add_command(list_command)
mcp_group.add_command(get_command)
mcp_group.add_command(add_command)
mcp_group.add_command(remove_command)
