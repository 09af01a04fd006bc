"""The ``tools`` array of a request, in upstream's exact JSON shapes.

``specs.json`` holds the function tools as the Rust binary sends them (names,
descriptions, JSON Schemas); apply_patch is the freeform tool defined by
``pycodex.apply_patch``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from typing import Any

from pycodex.config.model import Config


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


#: how many catalog models spawn_agent's description offers as overrides (codex 0.169.0).
SPAWN_AGENT_MODEL_LIMIT = 5
_MODELS_HEADING = "Available model overrides (optional; inherited parent model is preferred):"


def _offered_models(catalog: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return sorted(
        (m for m in catalog if m.get("visibility") == "list"),
        key=lambda m: int(m.get("priority") or 0),
    )[:SPAWN_AGENT_MODEL_LIMIT]


def _efforts(model: Mapping[str, Any]) -> tuple[str, ...]:
    """A catalog model's reasoning efforts, its default first."""
    efforts = [
        str(level["effort"])
        for level in model.get("supported_reasoning_levels") or []
        if isinstance(level, Mapping) and "effort" in level
    ]
    default = model.get("default_reasoning_level")
    if default in efforts:
        efforts.remove(default)
        efforts.insert(0, str(default))
    return tuple(efforts)


# ferry: codex_core::tools::handlers::multi_agents_common::apply_requested_spawn_agent_model_overrides @ 1d092cb66 -- 0.169.0: the models spawn_agent lists are the ones it accepts
def spawn_agent_models(catalog: Sequence[Mapping[str, Any]]) -> dict[str, tuple[str, ...]]:
    """The models ``spawn_agent`` accepts as ``model`` (those its description lists), each
    with its reasoning efforts, the default first."""
    return {str(m["slug"]): _efforts(m) for m in _offered_models(catalog)}


# ferry: codex_models_manager::manager::ModelsManager::get_model_info @ 1d092cb66 -- its supported_reasoning_levels, default first
def catalog_efforts(catalog: Sequence[Mapping[str, Any]], slug: str) -> tuple[str, ...] | None:
    """The reasoning efforts of catalog model ``slug`` (``None``: not in the catalog)."""
    for model in catalog:
        if model.get("slug") == slug:
            return _efforts(model)
    return None


# ferry: port-only -- the catalog a config runs with (model_catalog_json, else the bundled one)
def catalog_in_use(config: Config) -> tuple[dict[str, Any], ...]:
    from pycodex.config.models import load_catalog

    return config.model_catalog if config.model_catalog is not None else load_catalog(None)


# ferry: codex_tools::agent_tool::spawn_agent_models_description @ 1d092cb66 -- 0.169.0: efforts and service tiers inline, first five by priority
def spawn_agent_models_text(catalog: Sequence[Mapping[str, Any]]) -> str:
    """The model list at the top of spawn_agent's description, from the catalog in use."""
    visible = _offered_models(catalog)
    if not visible:
        return "No picker-visible model overrides are currently loaded."
    lines = []
    for model in visible:
        default = model.get("default_reasoning_level")
        efforts = [
            f"{level['effort']} (default)"
            if level.get("effort") == default
            else str(level["effort"])
            for level in model.get("supported_reasoning_levels") or []
            if isinstance(level, Mapping) and "effort" in level
        ]
        tiers = [
            str(tier["id"])
            for tier in model.get("service_tiers") or []
            if isinstance(tier, Mapping) and "id" in tier
        ]
        line = f"- `{model['slug']}`: {model.get('description') or ''}"
        if efforts:
            line += f" Reasoning efforts: {', '.join(efforts)}."
        if tiers:
            line += f" Service tiers: {', '.join(tiers)}."
        lines.append(line)
    return "\n".join([_MODELS_HEADING, *lines])


# ferry: codex_tools::agent_tool::create_spawn_agent_tool_v1 @ 1d092cb66 -- 0.169.0: the model list follows the catalog in use, agent_type only with user roles
def multi_agent_namespace(config: Config) -> dict[str, Any]:
    """The multi_agent_v1 namespace as configured: spawn_agent's description lists the
    catalog's models (the recorded spec lists the bundled catalog's) and, when the config
    declares agent roles, spawn_agent gains its ``agent_type`` parameter."""
    from pycodex.core.agents.roles import spawn_agent_tool

    namespace = spec("multi_agent_v1")
    catalog = catalog_in_use(config)
    tools = []
    for tool in namespace["tools"]:
        description = str(tool.get("description", ""))
        if tool.get("name") == "spawn_agent" and _MODELS_HEADING in description:
            start = description.index(_MODELS_HEADING)
            end = description.index("\n        ", start)
            description = description[:start] + spawn_agent_models_text(catalog) + description[end:]
            tool = {**tool, "description": description}
        if tool.get("name") == "spawn_agent":
            tool = spawn_agent_tool(tool, config)
        tools.append(tool)
    return {**namespace, "tools": tools}


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
    """Offered in the form the model's metadata names (the catalog's models: freeform)."""
    return config.model_info.apply_patch_tool_type == "freeform"


# ferry: codex_core::config::resolve_web_search_mode_for_turn @ 1d092cb66
def web_search_mode(config: Config) -> str:
    """``web_search`` (else the web_search_cached / web_search_request features, else cached);
    without a sandbox any enabled mode searches live."""
    preferred = config.web_search_mode
    if preferred is None:
        if config.features.get("web_search_cached"):
            preferred = "cached"
        elif config.features.get("web_search_request") or config.features.get("web_search"):
            # `[features].web_search` is the legacy name of web_search_request
            preferred = "live"
        else:
            preferred = "cached"
    if config.sandbox.mode == "danger-full-access" and preferred != "disabled":
        return "live"
    return preferred


# ferry: codex_tools::tool_config::ToolsConfig::with_web_search_config @ 1d092cb66
def web_search_enabled(config: Config) -> bool:
    """The hosted web_search tool (run by the model provider, not by pycodex)."""
    return web_search_mode(config) != "disabled"


# ferry: codex_tools::tool_spec::create_web_search_tool @ 1d092cb66
def _web_search_tool(config: Config) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "type": "web_search",
        "external_web_access": web_search_mode(config) == "live",
    }
    settings = config.web_search_tool
    domains = settings.get("allowed_domains")
    if isinstance(domains, list):
        spec["filters"] = {"allowed_domains": [str(d) for d in domains]}
    location = settings.get("location")
    if isinstance(location, dict):
        spec["user_location"] = {
            "type": "approximate",
            **{
                k: str(location[k])
                for k in ("country", "region", "city", "timezone")
                if k in location
            },
        }
    if isinstance(settings.get("context_size"), str):
        spec["search_context_size"] = settings["context_size"]
    if config.model_info.web_search_tool_type == "text_and_image":
        spec["search_content_types"] = ["text", "image"]
    return spec


# ferry: codex_core::tools::spec::build_specs_with_discoverable_tools @ 1d092cb66 -- 0.169.0: MCP resource tools and tool_search
def tools_for(
    config: Config,
    *,
    mcp_resources: bool = False,
    tool_search: bool = False,
    direct_namespaces: Sequence[dict[str, Any]] = (),
) -> list[dict[str, Any]]:
    """The tools array in upstream's order (only the tools pycodex implements).

    ``mcp_resources``: MCP servers are configured, so the resource tools are offered;
    ``tool_search``: some tools are deferred behind ``tool_search``;
    ``direct_namespaces``: the namespaces a model without tool_search gets directly.
    """
    specs = _specs()
    tools = [specs["exec_command"], specs["write_stdin"]]
    if mcp_resources:
        tools.extend(specs[name] for name in MCP_RESOURCE_TOOLS)
    tools.append(specs["request_user_input"])
    if apply_patch_enabled(config):
        tools.append(apply_patch_tool())
    tools.append(specs["view_image"])
    tools.extend(direct_namespaces)
    if config.features.get("goals", True):
        tools.extend(specs[name] for name in ("get_goal", "create_goal", "update_goal"))
    if plan_tool_enabled(config):
        tools.append(specs["update_plan"])
    if tool_search:
        tools.append(specs["tool_search"])
    if web_search_enabled(config):
        tools.append(_web_search_tool(config))
    return tools
