"""Connections to the configured MCP servers, on the official ``mcp`` SDK.

The SDK is asynchronous; the session is not. The manager runs one anyio event loop in a
background thread (a blocking portal) and offers blocking calls to the turn loop.

Start-up follows codex 0.169.0: every enabled server starts in the background when the
session starts; ``required = true`` servers are waited for (up to their
``startup_timeout_sec``) and a failure stops the run; any other server that fails is
dropped without a word, and one still starting when a request is built is simply not
part of that request.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pycodex.errors import PycodexError
from pycodex.mcp.config import McpServerConfig

JsonObject = dict[str, Any]

#: variables a stdio server inherits from codex's environment (plus ``env_vars``).
DEFAULT_ENV_VARS = (
    "HOME",
    "LOGNAME",
    "PATH",
    "SHELL",
    "USER",
    "__CF_USER_TEXT_ENCODING",
    "LANG",
    "LC_ALL",
    "TERM",
    "TMPDIR",
    "TZ",
)


# ferry: codex_protocol::protocol::McpStartupFailure @ 1d092cb66 -- 0.169.0: message of the app-server thread/start failure
class McpStartupError(PycodexError):
    """A ``required`` server could not start; the run stops with upstream's message."""


# ferry: codex_mcp::mcp_connection_manager::ToolInfo @ 1d092cb66
@dataclass(frozen=True)
class ServerTools:
    """A connected server: its instructions and the tools its filters allow."""

    name: str
    instructions: str | None
    tools: tuple[JsonObject, ...]


@dataclass
class _ServerState:
    config: McpServerConfig
    done: threading.Event = field(default_factory=threading.Event)
    error: str | None = None
    client: Any = None
    tools: tuple[JsonObject, ...] = ()
    instructions: str | None = None


# ferry: codex_mcp::mcp_connection_manager::McpConnectionManager @ 1d092cb66 -- 0.169.0: non-required servers start in the background
class McpManager:
    """Start, query and stop the MCP servers of one session."""

    def __init__(self, servers: Mapping[str, McpServerConfig], cwd: Path) -> None:
        self._cwd = cwd
        self._states = {
            name: _ServerState(config) for name, config in servers.items() if config.enabled
        }
        self._portal: Any = None
        self._portal_cm: Any = None
        self._stop: Any = None

    # ferry: port-only -- Python glue: whether the resource tools are offered
    @property
    def configured(self) -> bool:
        """True when at least one enabled server is configured (resource tools are offered)."""
        return bool(self._states)

    # ------------------------------------------------------------------ lifecycle

    # ferry: codex_mcp::mcp_connection_manager::McpConnectionManager::new @ 1d092cb66
    def start(self) -> None:
        if not self._states or self._portal is not None:
            return
        from anyio.from_thread import start_blocking_portal

        self._portal_cm = start_blocking_portal()
        self._portal = self._portal_cm.__enter__()
        self._stop = self._portal.call(_make_event)
        for state in self._states.values():
            self._portal.start_task_soon(self._serve, state)

    # ferry: codex_core::session::session::Session::new @ 1d092cb66 -- 0.169.0: required MCP servers block session start
    def wait_required(self) -> None:
        """Block until every required server is up; raise with upstream's text if one is not."""
        failures = []
        for name, state in self._states.items():
            if not state.config.required:
                continue
            state.done.wait()
            if state.error is not None:
                failures.append(f"{name}: {state.error}")
        if failures:
            raise McpStartupError(
                "thread/start: thread/start failed: error creating thread: Fatal error: "
                "Failed to initialize session: required MCP servers failed to initialize: "
                + "; ".join(failures)
                + " (code -32603)"
            )

    # ferry: codex_mcp::mcp_connection_manager::McpConnectionManager::list_all_tools @ 1d092cb66 -- 0.169.0: only servers ready now
    def ready(self) -> dict[str, ServerTools]:
        """The servers connected right now (the view one request is built from)."""
        return {
            name: ServerTools(name, state.instructions, state.tools)
            for name, state in self._states.items()
            if state.done.is_set() and state.error is None and state.client is not None
        }

    # ferry: port-only -- Python glue: stops the event-loop thread and the servers
    def close(self) -> None:
        if self._portal is None:
            return
        try:
            self._portal.call(self._stop.set)
        finally:
            self._portal_cm.__exit__(None, None, None)
            self._portal = None

    # ------------------------------------------------------------------ calls

    def _client(self, server: str) -> Any:
        state = self._states.get(server)
        if state is None or state.client is None:
            raise KeyError(server)
        return state.client

    # ferry: codex_mcp::mcp_connection_manager::McpConnectionManager::call_tool @ 1d092cb66
    def call_tool(self, server: str, tool: str, arguments: JsonObject | None) -> JsonObject:
        """The ``CallToolResult`` as JSON (camelCase keys), or raise ``McpCallError``."""
        client = self._client(server)
        timeout = self._states[server].config.tool_timeout

        async def run() -> JsonObject:
            import anyio

            with anyio.fail_after(timeout):
                result = await client.call_tool(tool, arguments)
            dumped: JsonObject = result.model_dump(by_alias=True, exclude_none=True, mode="json")
            return dumped

        try:
            result: JsonObject = self._portal.call(run)
        except TimeoutError:
            raise McpCallError(f"tool call timed out after {timeout:g}s") from None
        except Exception as exc:  # the SDK's own errors: a closed connection, a JSON-RPC error
            raise McpCallError(_describe(exc)) from exc
        return result

    # ferry: codex_mcp::mcp_connection_manager::McpConnectionManager::list_all_resources @ 1d092cb66
    def list_resources(self, server: str) -> list[JsonObject]:
        return self._paged(server, "list_resources", "resources")

    # ferry: codex_mcp::mcp_connection_manager::McpConnectionManager::list_all_resource_templates @ 1d092cb66
    def list_resource_templates(self, server: str) -> list[JsonObject]:
        return self._paged(server, "list_resource_templates", "resourceTemplates")

    # ferry: codex_mcp::mcp_connection_manager::McpConnectionManager::read_resource @ 1d092cb66
    def read_resource(self, server: str, uri: str) -> JsonObject:
        client = self._client(server)

        async def run() -> JsonObject:
            result = await client.read_resource(uri)
            dumped: JsonObject = result.model_dump(by_alias=True, exclude_none=True, mode="json")
            return dumped

        try:
            result: JsonObject = self._portal.call(run)
        except Exception as exc:
            raise McpCallError(_describe(exc)) from exc
        return result

    def _paged(self, server: str, method: str, key: str) -> list[JsonObject]:
        client = self._client(server)

        async def run() -> list[JsonObject]:
            items: list[JsonObject] = []
            cursor = None
            while True:
                page = await getattr(client, method)(cursor=cursor)
                dumped = page.model_dump(by_alias=True, exclude_none=True, mode="json")
                items.extend(dumped.get(key, []))
                cursor = dumped.get("nextCursor")
                if not cursor:
                    return items

        try:
            result: list[JsonObject] = self._portal.call(run)
        except Exception as exc:
            raise McpCallError(_describe(exc)) from exc
        return result

    # ------------------------------------------------------------------ one server

    async def _serve(self, state: _ServerState) -> None:
        """Connect, list tools, then hold the connection open until the session closes.

        The start-up deadline is a watchdog task cancelling the whole connection: a
        timeout scope around the handshake alone would close before the client's own
        task groups, which anyio forbids.
        """
        import anyio

        config = state.config
        timed_out = False
        handshake_done = anyio.Event()

        async def watchdog(group: Any) -> None:
            nonlocal timed_out
            with anyio.move_on_after(config.startup_timeout):
                await handshake_done.wait()
                return
            timed_out = True
            group.cancel_scope.cancel()

        try:
            async with anyio.create_task_group() as group:
                group.start_soon(watchdog, group)
                async with self._new_client(config) as client:
                    tools = await _list_tools(client)
                    handshake_done.set()
                    state.client = client
                    state.instructions = getattr(client, "instructions", None)
                    state.tools = tuple(t for t in tools if config.allows_tool(str(t.get("name"))))
                    state.done.set()
                    await self._stop.wait()
        except Exception as exc:
            if state.client is None:
                state.error = _startup_error(exc)
        finally:
            if timed_out and state.client is None:
                millis = config.startup_timeout * 1000
                state.error = (
                    f"timed out handshaking with MCP server after {millis:g}ms: "
                    "deadline has elapsed"
                )
            if state.client is None and state.error is None:
                state.error = "handshaking with MCP server failed: connection closed"
            state.done.set()

    def _new_client(self, config: McpServerConfig) -> Any:
        from mcp import Client
        from mcp_types import Implementation

        info = Implementation(name="codex-mcp-client", version="0.169.0", title="Codex")
        if config.command is not None:
            return Client(
                _StdioTransport(config, self._cwd),
                mode="legacy",
                client_info=info,
                cache=None,
            )
        return Client(_http_transport(config), mode="legacy", client_info=info, cache=None)


# ferry: codex_mcp::mcp_connection_manager::McpConnectionManager::call_tool @ 1d092cb66
class McpCallError(Exception):
    """A call that did not produce a ``CallToolResult`` (closed connection, timeout, RPC error)."""


async def _make_event() -> Any:
    import anyio

    return anyio.Event()


async def _list_tools(client: Any) -> list[JsonObject]:
    tools: list[JsonObject] = []
    cursor = None
    while True:
        page = await client.list_tools(cursor=cursor)
        dumped = page.model_dump(by_alias=True, exclude_none=True, mode="json")
        tools.extend(dumped.get("tools", []))
        cursor = dumped.get("nextCursor")
        if not cursor:
            return tools


def _startup_error(exc: BaseException) -> str:
    """Upstream's wording for the ways a server fails to start."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    if isinstance(exc, OSError):
        reason = exc.strerror or str(exc)
        return f"{reason} (os error {exc.errno})" if exc.errno else reason
    if _connection_closed(exc):
        return (
            "handshaking with MCP server failed: connection closed: initialize response: "
            "connection closed: initialize response"
        )
    return _describe(exc)


def _connection_closed(exc: BaseException) -> bool:
    text = _describe(exc).lower()
    return "connection closed" in text or ("closed" in text and "stream" in text)


def _describe(exc: BaseException) -> str:
    """The first leaf of an exception group, as text."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    return str(exc) or type(exc).__name__


# ferry: codex_rmcp_client::utils::create_env_for_mcp_server @ 1d092cb66
def stdio_env(config: McpServerConfig) -> dict[str, str]:
    """What a stdio server's environment gets: a few basics, ``env_vars``, then ``env``."""
    env = {k: os.environ[k] for k in (*DEFAULT_ENV_VARS, *config.env_vars) if k in os.environ}
    env.update(config.env or {})
    return env


class _StdioTransport:
    """``stdio_client`` with the server's stderr discarded (codex logs it, never prints it)."""

    def __init__(self, config: McpServerConfig, session_cwd: Path) -> None:
        self._config = config
        self._cwd = session_cwd
        self._cm: Any = None
        self._errlog: Any = None

    async def __aenter__(self) -> Any:
        from mcp.client.stdio import StdioServerParameters, stdio_client

        config = self._config
        assert config.command is not None
        cwd = config.cwd if config.cwd is not None else self._cwd
        params = StdioServerParameters(
            command=config.command, args=list(config.args), env=stdio_env(config), cwd=cwd
        )
        self._errlog = open(os.devnull, "w")  # noqa: SIM115 - closed in __aexit__
        self._cm = stdio_client(params, errlog=self._errlog)
        return await self._cm.__aenter__()

    async def __aexit__(self, *exc: Any) -> Any:
        try:
            return await self._cm.__aexit__(*exc)
        finally:
            self._errlog.close()


def _http_transport(config: McpServerConfig) -> Any:
    from mcp.client.streamable_http import streamable_http_client
    from mcp.shared._httpx_utils import create_mcp_http_client

    headers = dict(config.http_headers or {})
    for header, variable in (config.env_http_headers or {}).items():
        value = os.environ.get(variable)
        if value:
            headers[header] = value
    if config.bearer_token_env_var:
        token = os.environ.get(config.bearer_token_env_var)
        if token:
            headers["Authorization"] = f"Bearer {token}"
    assert config.url is not None
    return streamable_http_client(config.url, http_client=create_mcp_http_client(headers=headers))
