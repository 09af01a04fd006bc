"""Agent roles: the built-in ones, the ``agent_type`` guidance and a role's config layer.

A role is picked with ``spawn_agent``'s ``agent_type`` (``default`` when omitted). Its
``config_file`` is a TOML layer over the child's config; the keys pycodex applies are
listed in :data:`ROLE_LAYER_KEYS`, any other key is reported and ignored.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from pycodex.config.agents import AgentRole, role_layer
from pycodex.config.model import Config
from pycodex.errors import ConfigError

DEFAULT_ROLE = "default"

_EXPLORER = (
    "Use `explorer` for specific codebase questions.\n"
    "Explorers are fast and authoritative.\n"
    "They must be used to ask specific, well-scoped questions on the codebase.\n"
    "Rules:\n"
    "- In order to avoid redundant work, you should avoid exploring the same problem that "
    "explorers have already covered. Typically, you should trust the explorer results without "
    "additional verification. You are still allowed to inspect the code yourself to gain the "
    "needed context!\n"
    "- You are encouraged to spawn up multiple explorers in parallel when you have multiple "
    "distinct questions to ask about the codebase that can be answered independently. This "
    "allows you to get more information faster without waiting for one question to finish "
    "before asking the next. While waiting for the explorer results, you can continue working "
    "on other local tasks that do not depend on those results. This parallelism is a key "
    "advantage of delegation, so use it whenever you have multiple questions to ask.\n"
    "- Reuse existing explorers for related questions."
)
_WORKER = (
    "Use for execution and production work.\n"
    "Typical tasks:\n"
    "- Implement part of a feature\n"
    "- Fix tests or bugs\n"
    "- Split large refactors into independent chunks\n"
    "Rules:\n"
    "- Explicitly assign **ownership** of the task (files / responsibility). When the subtask "
    "involves code changes, you should clearly specify which files or modules the worker is "
    "responsible for. This helps avoid merge conflicts and ensures accountability. For example, "
    'you can say "Worker 1 is responsible for updating the authentication module, while '
    'Worker 2 will handle the database layer." By defining clear ownership, you can delegate '
    "more effectively and reduce coordination overhead.\n"
    "- Always tell workers they are **not alone in the codebase**, and they should not revert "
    "the edits made by others, and they should adjust their implementation to accommodate the "
    "changes made by others. This is important because there may be multiple workers making "
    "changes in parallel, and they need to be aware of each other's work to avoid conflicts "
    "and ensure a cohesive final product."
)

#: codex 0.169.0's built-in roles (their config layers are empty).
BUILTIN_ROLES: dict[str, AgentRole] = {
    DEFAULT_ROLE: AgentRole(DEFAULT_ROLE, "Default agent."),
    "explorer": AgentRole("explorer", _EXPLORER),
    "worker": AgentRole("worker", _WORKER),
}

#: role-file keys applied to the child (the rest of a child's settings follow its parent).
ROLE_LAYER_KEYS = (
    "model",
    "model_reasoning_effort",
    "model_reasoning_summary",
    "model_verbosity",
    "developer_instructions",
    "features",
)

_AGENT_TYPE_INTRO = (
    "Agent type override for the new agent. Omit to inherit the parent agent type with a "
    "full-history fork; otherwise, `default` is used.\nAvailable roles:\n"
)


# ferry: codex_core::agent::role::resolve_role_config @ 1d092cb66
def resolve_role(config: Config, name: str) -> AgentRole | None:
    return config.agents.roles.get(name) or BUILTIN_ROLES.get(name)


def _locked_settings_note(role: AgentRole) -> str:
    if role.config_file is None:
        return ""
    try:
        table = tomllib.loads(role.config_file.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return ""
    model = table.get("model") if isinstance(table.get("model"), str) else None
    effort = table.get("model_reasoning_effort")
    effort = effort if isinstance(effort, str) else None
    if model and effort:
        return (
            f"\n- This role's model is set to `{model}` and its reasoning effort is set to "
            f"`{effort}`. These settings cannot be changed."
        )
    if model:
        return f"\n- This role's model is set to `{model}` and cannot be changed."
    if effort:
        return f"\n- This role's reasoning effort is set to `{effort}` and cannot be changed."
    return ""


# ferry: codex_core::agent::role::spawn_tool_spec::build @ 1d092cb66 -- 0.169.0 wording
def agent_type_description(user_roles: Mapping[str, AgentRole]) -> str:
    """The ``agent_type`` parameter's description: user roles (sorted), then the built-ins."""
    entries: list[str] = []
    seen: set[str] = set()
    for roles in (user_roles, BUILTIN_ROLES):
        for name in sorted(roles):
            if name in seen:
                continue
            seen.add(name)
            role = roles[name]
            if role.description is None:
                entries.append(f"{name}: no description")
            else:
                entries.append(f"{name}: {{\n{role.description}{_locked_settings_note(role)}\n}}")
    return _AGENT_TYPE_INTRO + "\n".join(entries)


# ferry: codex_tools::agent_tool::create_spawn_agent_tool_v1 @ 1d092cb66 -- 0.169.0: agent_type only with user roles
def spawn_agent_tool(base: Mapping[str, Any], config: Config) -> dict[str, Any]:
    """``spawn_agent`` as offered: with an ``agent_type`` parameter when roles are configured."""
    tool = dict(base)
    if not config.agents.roles:
        return tool
    parameters = dict(tool["parameters"])
    properties = {
        "agent_type": {
            "type": "string",
            "description": agent_type_description(config.agents.roles),
        },
        **parameters["properties"],
    }
    tool["parameters"] = {**parameters, "properties": dict(sorted(properties.items()))}
    return tool


# ferry: codex_core::agent::role::apply_role_to_config @ 1d092cb66
def apply_role(config: Config, name: str | None) -> tuple[Config, list[str]]:
    """The child's config with the role's layer applied, plus notes on keys left out.

    ``ValueError`` carries the message the model sees for an unknown role.
    """
    role_name = name or DEFAULT_ROLE
    role = resolve_role(config, role_name)
    if role is None:
        raise ValueError(f"unknown agent_type '{role_name}'")
    if role.config_file is None:
        return config, []
    try:
        layer = role_layer(role.config_file)
    except ConfigError:
        raise ValueError("agent type is currently not available") from None
    ignored = sorted(k for k in layer if k not in ROLE_LAYER_KEYS)
    notes = [
        f"agent role `{role_name}`: config key `{key}` in {role.config_file} is not applied "
        "to sub-agents by pycodex (ignored)"
        for key in ignored
    ]
    model = layer.get("model")
    if isinstance(model, str):
        config = config.with_model(model)
    updates: dict[str, Any] = {}
    for key in ("model_reasoning_effort", "model_reasoning_summary", "model_verbosity"):
        value = layer.get(key)
        if isinstance(value, str):
            updates[key] = value
    developer = layer.get("developer_instructions")
    if isinstance(developer, str):
        updates["developer_instructions"] = developer
    features = layer.get("features")
    if isinstance(features, Mapping):
        merged = dict(config.features)
        merged.update({str(k): v for k, v in features.items() if isinstance(v, bool)})
        updates["features"] = merged
    return replace(config, **updates), notes
