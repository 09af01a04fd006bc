"""The ``tools`` array of a request, in upstream's exact JSON shapes.

``specs.json`` holds the function tools as the Rust binary sends them (names,
descriptions, JSON Schemas); apply_patch is the freeform tool defined by
``pycodex.apply_patch``.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from pycodex.config.model import Config
from pycodex.prompt.permissions import network_enabled


@cache
def _specs() -> dict[str, dict[str, Any]]:
    data = json.loads(resources.files("pycodex.tools").joinpath("specs.json").read_text())
    assert isinstance(data, dict)
    return data


# ferry: codex_tools::tool_spec::ToolSpec @ 1d092cb66
def spec(name: str) -> dict[str, Any]:
    """One tool (or namespace) exactly as upstream sends it."""
    return dict(_specs()[name])


MCP_RESOURCE_TOOLS = ("list_mcp_resources", "list_mcp_resource_templates", "read_mcp_resource")


# ferry: codex_core::config::resolve_multi_agent_v2_config @ 1d092cb66 -- 0.169.0: sub-agent tools on by default, deferred
def multi_agent_enabled(config: Config) -> bool:
    return bool(config.features.get("multi_agent", True))


# ferry: codex_tools::apply_patch_tool::create_apply_patch_freeform_tool @ 1d092cb66
def apply_patch_tool() -> dict[str, Any]:
    from pycodex.apply_patch import APPLY_PATCH_TOOL

    return dict(APPLY_PATCH_TOOL)


# ferry: codex_tools::tool_config::ToolsConfig::new @ 1d092cb66 -- the plan tool switch -- 0.169.0: not offered to gpt-5.5 unless enabled
def plan_tool_enabled(config: Config) -> bool:
    return bool(config.features.get("plan_tool", False))


# ferry: codex_tools::tool_config::ToolsConfig::new @ 1d092cb66 -- its apply_patch tool type from the model family
def apply_patch_enabled(config: Config) -> bool:
    """Upstream offers apply_patch to the GPT-5 family and codex models."""
    explicit = config.features.get("apply_patch_freeform")
    if explicit is not None:
        return explicit
    return config.model_supports_reasoning


# ferry: codex_tools::tool_config::ToolsConfig::with_web_search_config @ 1d092cb66
def web_search_enabled(config: Config) -> bool:
    """The hosted web_search tool (run by the model provider, not by pycodex)."""
    explicit = config.features.get("web_search")
    if explicit is not None:
        return explicit
    return config.model_supports_reasoning


# ferry: codex_core::tools::spec::build_specs_with_discoverable_tools @ 1d092cb66 -- 0.169.0: MCP resource tools and tool_search
def tools_for(
    config: Config, *, mcp_resources: bool = False, tool_search: bool = False
) -> list[dict[str, Any]]:
    """The tools array in upstream's order (only the tools pycodex implements).

    ``mcp_resources``: MCP servers are configured, so the resource tools are offered;
    ``tool_search``: some tools are deferred behind ``tool_search``.
    """
    specs = _specs()
    tools = [specs["exec_command"], specs["write_stdin"]]
    if mcp_resources:
        tools.extend(specs[name] for name in MCP_RESOURCE_TOOLS)
    tools.append(specs["request_user_input"])
    if apply_patch_enabled(config):
        tools.append(apply_patch_tool())
    tools.append(specs["view_image"])
    if config.features.get("goals", True):  # `--disable goals` drops the goal tools, as codex
        tools.extend(specs[name] for name in ("get_goal", "create_goal", "update_goal"))
    if plan_tool_enabled(config):
        tools.append(specs["update_plan"])
    if tool_search:
        tools.append(specs["tool_search"])
    if web_search_enabled(config):
        # The provider may browse only where the sandbox allows network access, unless the
        # legacy `[features].web_search = true` asks for live search (as in codex).
        live = (
            config.features.get("web_search") is True
            or config.features.get("web_search_request") is True
        )
        tools.append(
            {
                **specs["web_search"],
                "external_web_access": live or network_enabled(config.sandbox),
            }
        )
    return tools
