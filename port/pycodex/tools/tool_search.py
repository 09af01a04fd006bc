"""Deferred tools: the ``<tools>`` fragment, the ``tool_search`` tool and its answers.

codex 0.169.0 does not offer MCP tools or the sub-agent tools up front. The opening
developer message lists the deferred namespaces (``mcp__<server>``, ``multi_agent_v1``);
the model calls ``tool_search`` and gets back ``namespace`` tools ranked by BM25, which it
may then call with ``namespace`` set and the bare tool name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from pycodex.tools.bm25 import SearchEngine

JsonObject = dict[str, Any]

DEFAULT_LIMIT = 8
MULTI_AGENT_NAMESPACE = "multi_agent_v1"

#: The words each sub-agent tool is found by (upstream's handlers carry these literals).
MULTI_AGENT_SEARCH_TEXT = {
    "spawn_agent": (
        "spawn_agent spawn agent subagent sub-agent delegate delegation parallel work worker "
        "explorer no-apps fork model reasoning"
    ),
    "send_input": (
        "send_input send message existing agent subagent follow up interrupt redirect queue target"
    ),
    "resume_agent": "resume_agent resume reopen closed agent subagent thread id target",
    "wait_agent": "wait_agent wait agent subagent status final result complete timeout targets",
    "close_agent": "close_agent close shutdown stop agent subagent thread status target",
}


# ferry: codex_mcp::mcp::qualified_mcp_tool_name_prefix @ 1d092cb66 -- 0.169.0: namespace `mcp__<server>` without the trailing `__`
def mcp_namespace(server: str) -> str:
    """``mcp__<server>`` with every character outside ``[A-Za-z0-9_]`` turned into ``_``."""
    return "mcp__" + re.sub(r"[^A-Za-z0-9_]", "_", server)


# ferry: codex_tools::responses_api::default_namespace_description @ 1d092cb66
def namespace_description(namespace: str, instructions: str | None) -> str:
    text = (instructions or "").strip()
    return text or f"Tools in the {namespace} namespace."


_SCHEMA_KEYS = (
    "type",
    "description",
    "enum",
    "items",
    "properties",
    "required",
    "additionalProperties",
    "anyOf",
)


# ferry: codex_tools::json_schema::parse_tool_input_schema @ 1d092cb66
def sanitize_schema(schema: Any) -> Any:
    """An MCP ``inputSchema`` reduced to the JSON Schema subset the Responses API takes."""
    if not isinstance(schema, Mapping):
        return schema
    out: JsonObject = {}
    for key in _SCHEMA_KEYS:
        if key not in schema:
            continue
        value = schema[key]
        if key == "properties" and isinstance(value, Mapping):
            out[key] = {name: sanitize_schema(sub) for name, sub in value.items()}
        elif key in ("items", "additionalProperties") and isinstance(value, Mapping):
            out[key] = sanitize_schema(value)
        elif key == "anyOf" and isinstance(value, list):
            out[key] = [sanitize_schema(v) for v in value]
        else:
            out[key] = value
    if "type" not in out and "properties" in out:
        out = {"type": "object", **out}
    return out


# ferry: codex_tools::responses_api::mcp_tool_to_deferred_responses_api_tool @ 1d092cb66
def deferred_mcp_tool(tool: Mapping[str, Any]) -> JsonObject:
    """One MCP tool as a function inside its namespace (loaded on demand)."""
    schema = sanitize_schema(tool.get("inputSchema") or {"type": "object", "properties": {}})
    if isinstance(schema, dict) and "properties" not in schema:
        schema = {**schema, "properties": {}}
    return {
        "type": "function",
        "name": str(tool.get("name", "")),
        "description": str(tool.get("description") or ""),
        "strict": False,
        "defer_loading": True,
        "parameters": schema,
    }


# ferry: codex_core::tools::tool_search_entry::ToolSearchEntry @ 1d092cb66
@dataclass(frozen=True)
class SearchEntry:
    search_text: str
    namespace: str
    namespace_description: str
    tool: JsonObject
    #: MCP results are capped per server when the model gives no limit.
    bucket: str | None = None


@cache
def _multi_agent_namespace() -> JsonObject:
    from pycodex.tools.specs import spec

    return spec(MULTI_AGENT_NAMESPACE)


# ferry: codex_core::tools::handlers::multi_agents::spawn::Handler @ 1d092cb66 -- 0.169.0: v1 tools deferred behind tool_search
def multi_agent_entries(namespace: JsonObject | None = None) -> list[SearchEntry]:
    """The sub-agent tools, in upstream's registration order (``namespace``: the
    multi_agent_v1 namespace as configured; the recorded spec by default)."""
    namespace = namespace if namespace is not None else _multi_agent_namespace()
    tools = {tool["name"]: tool for tool in namespace["tools"]}
    return [
        SearchEntry(text, MULTI_AGENT_NAMESPACE, namespace["description"], tools[name])
        for name, text in MULTI_AGENT_SEARCH_TEXT.items()
    ]


# ferry: codex_core::tools::tool_search_entry::build_mcp_search_text @ 1d092cb66
def mcp_entries(servers: Mapping[str, Any]) -> list[SearchEntry]:
    """One entry per tool of every connected server, sorted by qualified name.

    ``servers`` maps server names to :class:`pycodex.mcp.manager.ServerTools`.
    """
    entries = []
    for server, info in servers.items():
        namespace = mcp_namespace(server)
        description = namespace_description(namespace, info.instructions)
        for tool in info.tools:
            name = str(tool.get("name", ""))
            parts = [f"{namespace}__{name}", name, name, server]
            for key in ("title", "description"):
                value = tool.get(key)
                if isinstance(value, str) and value.strip():
                    parts.append(value)
            properties = (tool.get("inputSchema") or {}).get("properties") or {}
            parts.extend(str(p) for p in properties)
            entries.append(
                SearchEntry(
                    " ".join(parts),
                    namespace,
                    description,
                    deferred_mcp_tool(tool),
                    bucket=server,
                )
            )
    entries.sort(key=lambda e: f"{e.namespace}__{e.tool['name']}")
    return entries


# ferry: codex_core::tools::handlers::tool_search::ToolSearchHandler @ 1d092cb66
class ToolSearch:
    """BM25 over the deferred tools' search texts; answers are coalesced namespaces."""

    def __init__(self, entries: Sequence[SearchEntry]) -> None:
        self.entries = list(entries)
        self._engine = SearchEngine([e.search_text for e in self.entries])

    # ferry: codex_core::tools::handlers::tool_search::ToolSearchHandler::handle @ 1d092cb66
    def search(self, query: str, limit: int | None) -> list[JsonObject]:
        """The ``tools`` of a ``tool_search_output``; ``ValueError`` for a bad query or limit."""
        query = query.strip()
        if not query:
            raise ValueError("query must not be empty")
        effective = DEFAULT_LIMIT if limit is None else limit
        if effective <= 0:
            raise ValueError("limit must be greater than zero")
        if not self.entries:
            return []
        hits = [self.entries[i] for i in self._engine.search(query, effective)]
        if limit is None:
            hits = _cap_buckets(hits)
        return coalesce(hits)


def _cap_buckets(hits: Iterable[SearchEntry]) -> list[SearchEntry]:
    counts: dict[str, int] = {}
    kept = []
    for hit in hits:
        if hit.bucket is not None:
            counts[hit.bucket] = counts.get(hit.bucket, 0) + 1
            if counts[hit.bucket] > DEFAULT_LIMIT:
                continue
        kept.append(hit)
    return kept


# ferry: codex_tools::responses_api::coalesce_loadable_tool_specs @ 1d092cb66
def coalesce(hits: Iterable[SearchEntry]) -> list[JsonObject]:
    """Group hits by namespace, namespaces in order of their first hit."""
    grouped: dict[str, JsonObject] = {}
    for hit in hits:
        namespace = grouped.setdefault(
            hit.namespace,
            {
                "type": "namespace",
                "name": hit.namespace,
                "description": hit.namespace_description,
                "tools": [],
            },
        )
        namespace["tools"].append(hit.tool)
    return list(grouped.values())


# ferry: codex_core::context::apps_instructions::AppsInstructions @ 1d092cb66 -- 0.169.0: the <tools> fragment
def tools_fragment(namespaces: Mapping[str, str | None]) -> str | None:
    """``<tools>`` naming each deferred namespace (with its description when it has one)."""
    if not namespaces:
        return None
    lines = ["<tools>", "Deferred tool namespaces:"]
    for name in sorted(namespaces):
        description = namespaces[name]
        lines.append(f"- {name}: {description}" if description else f"- {name}")
    lines.append("</tools>")
    return "\n".join(lines)


# ferry: codex_core::context::apps_instructions::AppsInstructions @ 1d092cb66 -- 0.169.0: the <tools> diff a forked sub-agent gets when it has fewer deferred namespaces than its parent
def removed_tools_fragment(
    inherited: Mapping[str, str | None], current: Mapping[str, str | None]
) -> str | None:
    """``<tools>`` naming the namespaces ``inherited`` lists and ``current`` lacks.

    A full-history fork inherits its parent's ``<tools>`` fragment; at the depth limit the
    child loses ``multi_agent_v1`` and codex tells the model so before its first input."""
    removed = sorted(set(inherited) - set(current))
    if not removed:
        return None
    lines = ["<tools>", "Removed deferred tool namespaces:"]
    for name in removed:
        description = inherited[name]
        lines.append(f"- {name}: {description}" if description else f"- {name}")
    if not current:
        lines.append("No deferred tool namespaces remain.")
    lines.append("</tools>")
    return "\n".join(lines)
