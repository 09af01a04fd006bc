"""MCP tool calls and the MCP resource tools, with codex 0.169.0's outputs and events.

A call of a deferred MCP tool arrives as ``function_call`` with ``namespace:
"mcp__<server>"`` and the bare tool name. The model sees a structured result as compact
JSON, anything else as content items (text, images as data URLs), both after a
``Wall time`` line; ``--json`` shows an ``mcp_tool_call`` item around the call.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

JsonObject = dict[str, Any]
ToolOutput = str | list[JsonObject]

APPROVAL_REFUSED = "MCP tool call requires approval, but approval policy is never"
DEFAULT_IMAGE_DETAIL = "original"


# ferry: port-only -- Protocol seam between the handlers and the connection manager (tests can substitute it)
class McpBackend(Protocol):
    """What the handlers need from :class:`pycodex.mcp.manager.McpManager`."""

    # ferry: port-only -- Protocol seam
    def ready(self) -> Mapping[str, Any]: ...

    # ferry: port-only -- Protocol seam
    def call_tool(self, server: str, tool: str, arguments: JsonObject | None) -> JsonObject: ...

    # ferry: port-only -- Protocol seam
    def list_resources(self, server: str) -> list[JsonObject]: ...

    # ferry: port-only -- Protocol seam
    def list_resource_templates(self, server: str) -> list[JsonObject]: ...

    # ferry: port-only -- Protocol seam
    def read_resource(self, server: str, uri: str) -> JsonObject: ...


# ferry: codex_core::mcp_tool_call::requires_mcp_tool_approval @ 1d092cb66
def requires_approval(annotations: Mapping[str, Any] | None) -> bool:
    """Only tools that declare themselves read-only (and not destructive) run without approval."""
    annotations = annotations or {}
    if annotations.get("destructiveHint") is True:
        return True
    if annotations.get("readOnlyHint") is True:
        return False
    destructive = annotations.get("destructiveHint")
    open_world = annotations.get("openWorldHint")
    return (destructive is None or destructive is True) or (open_world is None or open_world)


# ferry: codex_mcp::mcp::mcp_permission_prompt_is_auto_approved @ 1d092cb66
def auto_approved(approval_policy: str, sandbox_mode: str) -> bool:
    return approval_policy == "never" and sandbox_mode == "danger-full-access"


def _wall_time(started: float) -> str:
    return f"Wall time: {time.monotonic() - started:.4f} seconds\nOutput:"


# ferry: codex_protocol::models::convert_mcp_content_to_items @ 1d092cb66
def content_items(content: list[JsonObject]) -> list[JsonObject]:
    """MCP content blocks as Responses input items (unknown kinds as their JSON)."""
    items: list[JsonObject] = []
    for block in content:
        kind = block.get("type")
        if kind == "text":
            items.append({"type": "input_text", "text": str(block.get("text", ""))})
        elif kind == "image":
            data = str(block.get("data", ""))
            mime = block.get("mimeType") or "application/octet-stream"
            url = data if data.startswith("data:") else f"data:{mime};base64,{data}"
            meta = block.get("_meta") or {}
            detail = meta.get("codex/imageDetail") if isinstance(meta, Mapping) else None
            if detail not in ("auto", "low", "high", "original"):
                detail = DEFAULT_IMAGE_DETAIL
            items.append({"type": "input_image", "image_url": url, "detail": detail})
        else:
            items.append({"type": "input_text", "text": json.dumps(block, separators=(",", ":"))})
    return items


# ferry: codex_protocol::models::CallToolResult::as_function_call_output_payload @ 1d092cb66 -- 0.169.0: Wall time header
def call_output(result: Mapping[str, Any], started: float) -> ToolOutput:
    structured = result.get("structuredContent")
    header = _wall_time(started)
    if structured is not None and not result.get("isError"):
        return f"{header}\n{json.dumps(structured, separators=(',', ':'), ensure_ascii=False)}"
    return [{"type": "input_text", "text": header}, *content_items(result.get("content") or [])]


# ferry: codex_exec::exec_events::McpToolCallItem @ 1d092cb66
def event_result(result: Mapping[str, Any]) -> JsonObject:
    """The ``result`` of an ``mcp_tool_call`` event: raw content plus structured content."""
    return {
        "content": list(result.get("content") or []),
        "structured_content": result.get("structuredContent"),
    }


_RESOURCE_FIELDS = ("uri", "name", "title", "description", "mimeType", "size", "annotations")
_TEMPLATE_FIELDS = ("uriTemplate", "name", "title", "description", "mimeType", "annotations")
_CONTENT_FIELDS = ("uri", "mimeType", "text", "blob")


def _pick(
    item: Mapping[str, Any], fields: tuple[str, ...], server: str | None = None
) -> JsonObject:
    out: JsonObject = {} if server is None else {"server": server}
    out.update({k: item[k] for k in fields if item.get(k) is not None})
    return out


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


# ferry: codex_core::tools::handlers::mcp::McpHandler @ 1d092cb66
@dataclass
class McpTools:
    """Runs MCP calls for one session and reports them as ``mcp_tool_call`` items."""

    backend: McpBackend
    approval_policy: str
    sandbox_mode: str
    next_item_id: Callable[[], str]
    emit: Callable[[JsonObject], None]

    def _item(self, item_id: str, server: str, tool: str, arguments: Any) -> JsonObject:
        return {
            "id": item_id,
            "type": "mcp_tool_call",
            "server": server,
            "tool": tool,
            "arguments": arguments,
            "result": None,
            "error": None,
            "status": "in_progress",
        }

    def _find(self, namespace: str, name: str) -> tuple[str, JsonObject] | None:
        from pycodex.tools.tool_search import mcp_namespace

        for server, info in self.backend.ready().items():
            if mcp_namespace(server) != namespace:
                continue
            for tool in info.tools:
                if tool.get("name") == name:
                    return server, tool
        return None

    # ferry: codex_core::mcp_tool_call::handle_mcp_tool_call @ 1d092cb66
    def call(self, namespace: str, name: str, arguments: str) -> ToolOutput | None:
        """Run one namespaced MCP tool; ``None`` when no connected server offers it."""
        found = self._find(namespace, name)
        if found is None:
            return None
        server, tool = found
        started = time.monotonic()
        try:
            parsed: Any = json.loads(arguments) if arguments.strip() else {}
        except ValueError as exc:
            return f"failed to parse tool call arguments: {exc}"
        item_id = self.next_item_id()
        item = self._item(item_id, server, name, parsed)
        self.emit({"type": "item.started", "item": item})
        if requires_approval(tool.get("annotations")) and not auto_approved(
            self.approval_policy, self.sandbox_mode
        ):
            self.emit(
                {
                    "type": "item.completed",
                    "item": {**item, "error": {"message": APPROVAL_REFUSED}, "status": "failed"},
                }
            )
            return [
                {"type": "input_text", "text": _wall_time(started)},
                {"type": "input_text", "text": APPROVAL_REFUSED},
            ]
        from pycodex.mcp.manager import McpCallError

        try:
            result = self.backend.call_tool(
                server, name, parsed if isinstance(parsed, dict) else None
            )
        except McpCallError as exc:
            message = f"tool call error: {exc}"
            self.emit(
                {
                    "type": "item.completed",
                    "item": {**item, "error": {"message": message}, "status": "failed"},
                }
            )
            return [
                {"type": "input_text", "text": _wall_time(started)},
                {"type": "input_text", "text": message},
            ]
        status = "failed" if result.get("isError") else "completed"
        self.emit(
            {
                "type": "item.completed",
                "item": {**item, "result": event_result(result), "status": status},
            }
        )
        return call_output(result, started)

    # ------------------------------------------------------------------ resources

    def _resource_call(
        self, tool: str, args: JsonObject, server: str | None, run: Callable[[], str]
    ) -> str:
        """Resource tools show as ``mcp_tool_call`` items too (server ``codex`` when unscoped)."""
        item = self._item(self.next_item_id(), server or "codex", tool, args)
        self.emit({"type": "item.started", "item": item})
        from pycodex.mcp.manager import McpCallError

        try:
            text = run()
        except McpCallError as exc:
            message = f"resources call failed: {exc}"
            self.emit(
                {
                    "type": "item.completed",
                    "item": {**item, "error": {"message": message}, "status": "failed"},
                }
            )
            return message
        result = {"content": [{"type": "text", "text": text}], "structured_content": None}
        self.emit(
            {"type": "item.completed", "item": {**item, "result": result, "status": "completed"}}
        )
        return text

    def _server(self, args: JsonObject) -> tuple[str | None, str | None]:
        """(server, error): a named server must be connected."""
        server = args.get("server")
        if server is None or server == "":
            return None, None
        server = str(server)
        if server not in self.backend.ready():
            return server, f"unknown MCP server '{server}'"
        return server, None

    # ferry: codex_core::tools::handlers::mcp_resource::handle_list_resources @ 1d092cb66
    def list_resources(self, args: JsonObject) -> str:
        server, error = self._server(args)
        if error is not None:
            return error

        def run() -> str:
            if server is not None:
                items = [
                    _pick(r, _RESOURCE_FIELDS, server) for r in self.backend.list_resources(server)
                ]
                return _compact({"server": server, "resources": items})
            items = [
                _pick(r, _RESOURCE_FIELDS, name)
                for name in sorted(self.backend.ready())
                for r in self.backend.list_resources(name)
            ]
            return _compact({"resources": items})

        return self._resource_call("list_mcp_resources", args, server, run)

    # ferry: codex_core::tools::handlers::mcp_resource::handle_list_resource_templates @ 1d092cb66
    def list_resource_templates(self, args: JsonObject) -> str:
        server, error = self._server(args)
        if error is not None:
            return error

        def run() -> str:
            if server is not None:
                items = [
                    _pick(t, _TEMPLATE_FIELDS, server)
                    for t in self.backend.list_resource_templates(server)
                ]
                return _compact({"server": server, "resourceTemplates": items})
            items = [
                _pick(t, _TEMPLATE_FIELDS, name)
                for name in sorted(self.backend.ready())
                for t in self.backend.list_resource_templates(name)
            ]
            return _compact({"resourceTemplates": items})

        return self._resource_call("list_mcp_resource_templates", args, server, run)

    # ferry: codex_core::tools::handlers::mcp_resource::handle_read_resource @ 1d092cb66
    def read_resource(self, args: JsonObject) -> str:
        server, error = self._server(args)
        if server is None:
            return "failed to parse function arguments: missing field `server`"
        if error is not None:
            return error
        uri = args.get("uri")
        if not isinstance(uri, str) or not uri:
            return "failed to parse function arguments: missing field `uri`"

        def run() -> str:
            result = self.backend.read_resource(server, uri)
            contents = [_pick(c, _CONTENT_FIELDS) for c in result.get("contents") or []]
            return _compact({"server": server, "uri": uri, "contents": contents})

        return self._resource_call("read_mcp_resource", args, server, run)
