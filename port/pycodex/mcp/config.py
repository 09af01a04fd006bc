"""``[mcp_servers.<name>]`` tables: how to start or reach each MCP server.

Parsing is strict in the way upstream's serde types are: a wrong type names the key
(``mcp_servers.docs.args: expected a list of strings``), a table with both ``command``
and ``url`` (or neither) is rejected.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pycodex.errors import ConfigError

DEFAULT_STARTUP_TIMEOUT_SEC = 10.0
DEFAULT_TOOL_TIMEOUT_SEC = 60.0

#: server names `codex mcp add` accepts.
SERVER_NAME_RE = re.compile(r"^[A-Za-z0-9_\-:@/.]+$")


# ferry: codex_config::mcp_types::McpServerConfig @ 1d092cb66
@dataclass(frozen=True)
class McpServerConfig:
    """One configured server: a stdio ``command`` or a streamable HTTP ``url``."""

    name: str
    command: str | None = None
    args: tuple[str, ...] = ()
    env: Mapping[str, str] | None = None
    env_vars: tuple[str, ...] = ()
    cwd: Path | None = None
    url: str | None = None
    bearer_token_env_var: str | None = None
    http_headers: Mapping[str, str] | None = None
    env_http_headers: Mapping[str, str] | None = None
    enabled: bool = True
    required: bool = False
    startup_timeout_sec: float | None = None
    tool_timeout_sec: float | None = None
    enabled_tools: tuple[str, ...] | None = None
    disabled_tools: tuple[str, ...] | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    # ferry: codex_config::mcp_types::McpServerTransportConfig @ 1d092cb66
    @property
    def transport(self) -> str:
        return "stdio" if self.command is not None else "streamable_http"

    # ferry: codex_config::mcp_types::McpServerConfig @ 1d092cb66 -- its startup_timeout_sec field and default
    @property
    def startup_timeout(self) -> float:
        return (
            DEFAULT_STARTUP_TIMEOUT_SEC
            if self.startup_timeout_sec is None
            else self.startup_timeout_sec
        )

    # ferry: codex_config::mcp_types::McpServerConfig @ 1d092cb66 -- its tool_timeout_sec field and default
    @property
    def tool_timeout(self) -> float:
        return DEFAULT_TOOL_TIMEOUT_SEC if self.tool_timeout_sec is None else self.tool_timeout_sec

    # ferry: codex_mcp::mcp_connection_manager::ToolFilter::allows @ 1d092cb66
    def allows_tool(self, tool: str) -> bool:
        """``enabled_tools`` is an allow-list (when set), ``disabled_tools`` always wins."""
        if self.enabled_tools is not None and tool not in self.enabled_tools:
            return False
        return not (self.disabled_tools is not None and tool in self.disabled_tools)


def _where(name: str, key: str) -> str:
    return f"mcp_servers.{name}.{key}"


def _str(table: Mapping[str, Any], name: str, key: str) -> str | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigError(f"{_where(name, key)}: expected a string, got {type(value).__name__}")
    return value


def _str_list(table: Mapping[str, Any], name: str, key: str) -> tuple[str, ...] | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{_where(name, key)}: expected a list of strings")
    return tuple(value)


def _str_map(table: Mapping[str, Any], name: str, key: str) -> dict[str, str] | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise ConfigError(f"{_where(name, key)}: expected a table of strings")
    out: dict[str, str] = {}
    for k, v in value.items():
        if not isinstance(v, str):
            raise ConfigError(f"{_where(name, key)}.{k}: expected a string, got {type(v).__name__}")
        out[str(k)] = v
    return out


def _bool(table: Mapping[str, Any], name: str, key: str, default: bool) -> bool:
    value = table.get(key, default)
    if not isinstance(value, bool):
        raise ConfigError(f"{_where(name, key)}: expected true or false, got {value!r}")
    return value


def _seconds(table: Mapping[str, Any], name: str) -> tuple[float | None, float | None]:
    def number(key: str) -> float | None:
        value = table.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise ConfigError(f"{_where(name, key)}: expected a non-negative number of seconds")
        return float(value)

    startup = number("startup_timeout_sec")
    startup_ms = table.get("startup_timeout_ms")
    if startup is None and startup_ms is not None:
        if isinstance(startup_ms, bool) or not isinstance(startup_ms, int) or startup_ms < 0:
            raise ConfigError(f"{_where(name, 'startup_timeout_ms')}: expected milliseconds")
        startup = startup_ms / 1000
    return startup, number("tool_timeout_sec")


_KNOWN = {
    "command",
    "args",
    "env",
    "env_vars",
    "cwd",
    "url",
    "bearer_token_env_var",
    "http_headers",
    "env_http_headers",
    "enabled",
    "required",
    "startup_timeout_sec",
    "startup_timeout_ms",
    "tool_timeout_sec",
    "enabled_tools",
    "disabled_tools",
}


# ferry: codex_config::mcp_types::RawMcpServerConfig @ 1d092cb66
def parse_server(name: str, table: Any) -> McpServerConfig:
    """One ``[mcp_servers.<name>]`` table; bad input raises :class:`ConfigError`."""
    if not isinstance(table, Mapping):
        raise ConfigError(f"mcp_servers.{name}: expected a table")
    command = _str(table, name, "command")
    url = _str(table, name, "url")
    if command is None and url is None:
        raise ConfigError(f"mcp_servers.{name}: set `command` (stdio) or `url` (streamable HTTP)")
    if command is not None and url is not None:
        raise ConfigError(f"mcp_servers.{name}: `command` and `url` cannot both be set")
    if command is not None:
        for key in ("bearer_token_env_var", "http_headers", "env_http_headers"):
            if key in table:
                raise ConfigError(f"{_where(name, key)}: only valid for streamable HTTP servers")
    else:
        for key in ("args", "env", "env_vars", "cwd"):
            if key in table:
                raise ConfigError(f"{_where(name, key)}: only valid for stdio servers")
    startup, tool = _seconds(table, name)
    cwd = _str(table, name, "cwd")
    return McpServerConfig(
        name=name,
        command=command,
        args=_str_list(table, name, "args") or (),
        env=_str_map(table, name, "env"),
        env_vars=_str_list(table, name, "env_vars") or (),
        cwd=Path(cwd).expanduser() if cwd else None,
        url=url,
        bearer_token_env_var=_str(table, name, "bearer_token_env_var"),
        http_headers=_str_map(table, name, "http_headers"),
        env_http_headers=_str_map(table, name, "env_http_headers"),
        enabled=_bool(table, name, "enabled", True),
        required=_bool(table, name, "required", False),
        startup_timeout_sec=startup,
        tool_timeout_sec=tool,
        enabled_tools=_str_list(table, name, "enabled_tools"),
        disabled_tools=_str_list(table, name, "disabled_tools"),
        extra={k: v for k, v in table.items() if k not in _KNOWN},
    )


# ferry: codex_config::config_toml::ConfigToml @ 1d092cb66 -- its mcp_servers table
def parse_servers(table: Any) -> dict[str, McpServerConfig]:
    """Every server of the ``mcp_servers`` table, in file order."""
    if table is None:
        return {}
    if not isinstance(table, Mapping):
        raise ConfigError("config key `mcp_servers`: expected a table of server tables")
    return {str(name): parse_server(str(name), value) for name, value in table.items()}
