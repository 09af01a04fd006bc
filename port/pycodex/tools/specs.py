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


def apply_patch_tool() -> dict[str, Any]:
    from pycodex.apply_patch import APPLY_PATCH_TOOL

    return dict(APPLY_PATCH_TOOL)


def plan_tool_enabled(config: Config) -> bool:
    return bool(config.features.get("plan_tool", False))


def apply_patch_enabled(config: Config) -> bool:
    """Offered in the form the model's metadata names (the catalog's models: freeform)."""
    return config.model_info.apply_patch_tool_type == "freeform"


def web_search_enabled(config: Config) -> bool:
    """The hosted web_search tool (run by the model provider, not by pycodex)."""
    explicit = config.features.get("web_search")
    if explicit is not None:
        return explicit
    return True


def _web_search_tool(config: Config) -> dict[str, Any]:
    spec = dict(_specs()["web_search"])
    if config.model_info.web_search_tool_type != "text_and_image":
        spec.pop("search_content_types", None)
    # The provider may browse only where the sandbox allows network access.
    spec["external_web_access"] = network_enabled(config.sandbox)
    return spec


def tools_for(config: Config) -> list[dict[str, Any]]:
    """The tools array in upstream's order (only the tools pycodex implements)."""
    specs = _specs()
    tools = [specs["exec_command"], specs["write_stdin"], specs["request_user_input"]]
    if apply_patch_enabled(config):
        tools.append(apply_patch_tool())
    tools.append(specs["view_image"])
    tools.extend(specs[name] for name in ("get_goal", "create_goal", "update_goal"))
    if plan_tool_enabled(config):
        tools.append(specs["update_plan"])
    if web_search_enabled(config):
        tools.append(_web_search_tool(config))
    return tools
