"""The ``[agents]`` table: sub-agent limits and agent roles.

``max_threads`` (default 6) caps how many sub-agents one session tree keeps open,
``max_depth`` (default 1) how deep they may nest. Every other key names a role
(``[agents.<name>]`` with ``description``, ``config_file``, ``nickname_candidates``);
``$CODEX_HOME/agents/*.toml`` files declare roles too. As in codex, a malformed role is
skipped with a warning and a bad limit fails the run.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pycodex.errors import ConfigError

DEFAULT_MAX_THREADS = 6
DEFAULT_MAX_DEPTH = 1
LIMIT_KEYS = ("max_threads", "max_depth", "job_max_runtime_seconds")
ROLE_KEYS = ("description", "config_file", "nickname_candidates")


# ferry: codex_core::config::AgentRoleConfig @ 1d092cb66
@dataclass(frozen=True)
class AgentRole:
    """One role a sub-agent can be spawned with (``agent_type``)."""

    name: str
    description: str | None = None
    #: a TOML layer applied to the child's config (model, reasoning effort, instructions...).
    config_file: Path | None = None
    nickname_candidates: tuple[str, ...] | None = None


# ferry: codex_config::config_toml::AgentsToml @ 1d092cb66
@dataclass(frozen=True)
class AgentsConfig:
    """The resolved ``[agents]`` table (user roles only; built-in roles live in the core)."""

    max_threads: int | None = DEFAULT_MAX_THREADS
    max_depth: int = DEFAULT_MAX_DEPTH
    job_max_runtime_seconds: int | None = None
    roles: Mapping[str, AgentRole] = field(default_factory=dict)


def _limit(table: Mapping[str, Any], key: str) -> int | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise ConfigError(f"config key `agents.{key}`: expected an integer, got {value!r}")
    return value


# ferry: codex_core::config::Config::load_config_with_layer_stack @ 1d092cb66 -- the agents.* limits
def parse_agents(raw: Any, codex_home: Path) -> tuple[AgentsConfig, list[str]]:
    """``[agents]`` as values plus the warnings for roles that were skipped."""
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        raise ConfigError("config key `agents`: expected a table")
    max_threads = _limit(raw, "max_threads")
    if max_threads is None:
        max_threads = DEFAULT_MAX_THREADS
    if max_threads < 1:
        raise ConfigError("agents.max_threads must be at least 1")
    max_depth = _limit(raw, "max_depth")
    if max_depth is None:
        max_depth = DEFAULT_MAX_DEPTH
    if max_depth < 1:
        raise ConfigError("agents.max_depth must be at least 1")
    job_runtime = _limit(raw, "job_max_runtime_seconds")
    if job_runtime is not None and job_runtime < 1:
        raise ConfigError("agents.job_max_runtime_seconds must be at least 1")
    warnings: list[str] = []
    roles: dict[str, AgentRole] = {}
    declared_files: set[Path] = set()
    for name, table in raw.items():
        if name in LIMIT_KEYS:
            continue
        try:
            role = _declared_role(str(name), table, codex_home)
        except ValueError as exc:
            warnings.append(f"Ignoring malformed agent role definition: {exc}")
            continue
        if role.config_file is not None:
            declared_files.add(role.config_file)
        roles[role.name] = role
    for path in sorted((codex_home / "agents").rglob("*.toml")):
        if path in declared_files or not path.is_file():
            continue
        try:
            role = _role_from_file(path, None)
        except ValueError as exc:
            warnings.append(f"Ignoring malformed agent role definition: {exc}")
            continue
        if role.name in roles:
            warnings.append(
                "Ignoring malformed agent role definition: duplicate agent role name "
                f"`{role.name}` discovered in {codex_home / 'agents'}"
            )
            continue
        roles[role.name] = role
    for name, role in list(roles.items()):
        if role.description is None:
            warnings.append(
                "Ignoring malformed agent role definition: "
                f"agent role `{name}` must define a description"
            )
            del roles[name]
    return (
        AgentsConfig(
            max_threads=max_threads,
            max_depth=max_depth,
            job_max_runtime_seconds=job_runtime,
            roles=roles,
        ),
        warnings,
    )


def _declared_role(name: str, table: Any, codex_home: Path) -> AgentRole:
    if not isinstance(table, Mapping):
        raise ValueError(f"agents.{name}: expected a table")
    unknown = sorted(set(table) - set(ROLE_KEYS))
    if unknown:
        raise ValueError(
            f"unknown field `{unknown[0]}`, expected one of `{'`, `'.join(ROLE_KEYS)}`"
        )
    description = _description(f"agents.{name}.description", table.get("description"))
    nicknames = _nicknames(f"agents.{name}.nickname_candidates", table.get("nickname_candidates"))
    config_file = None
    raw_file = table.get("config_file")
    if raw_file is not None:
        if not isinstance(raw_file, str):
            raise ValueError(f"agents.{name}.config_file: expected a path string")
        config_file = (codex_home / Path(raw_file).expanduser()).resolve()
        if not config_file.exists():
            raise ValueError(
                f"agents.{name}.config_file must point to an existing file at {config_file}: "
                "No such file or directory (os error 2)"
            )
        if not config_file.is_file():
            raise ValueError(f"agents.{name}.config_file must point to a file: {config_file}")
        from_file = _role_from_file(config_file, name)
        return AgentRole(
            name=from_file.name,
            description=from_file.description or description,
            config_file=config_file,
            nickname_candidates=from_file.nickname_candidates or nicknames,
        )
    return AgentRole(name=name, description=description, nickname_candidates=nicknames)


# ferry: codex_core::config::agent_roles::parse_agent_role_file_contents @ 1d092cb66
def _role_from_file(path: Path, name_hint: str | None) -> AgentRole:
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"failed to parse agent role file at {path}: {exc}") from None
    label = f"agent role file {path}"
    description = _description(f"{label}.description", table.get("description"))
    developer = table.get("developer_instructions")
    if isinstance(developer, str) and not developer.strip():
        raise ValueError(f"agent role file at {path}.developer_instructions cannot be blank")
    if developer is None and name_hint is None:
        raise ValueError(f"agent role file at {path} must define `developer_instructions`")
    raw_name = table.get("name")
    name = raw_name.strip() if isinstance(raw_name, str) and raw_name.strip() else name_hint
    if name is None:
        raise ValueError(f"agent role file at {path} must define a non-empty `name`")
    nicknames = _nicknames(f"{label}.nickname_candidates", table.get("nickname_candidates"))
    return AgentRole(
        name=name, description=description, config_file=path, nickname_candidates=nicknames
    )


# ferry: codex_core::agent::role::load_role_layer_toml @ 1d092cb66
def role_layer(path: Path) -> dict[str, Any]:
    """The config keys of a role file (its ``name``, ``description`` and nicknames removed)."""
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"failed to parse agent role file at {path}: {exc}") from None
    return {k: v for k, v in table.items() if k not in ("name", *ROLE_KEYS)}


def _description(label: str, value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"{label}: expected a string")
    if not value.strip():
        raise ValueError(f"{label} cannot be blank")
    return value.strip()


def _nicknames(label: str, value: Any) -> tuple[str, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{label}: expected a list of strings")
    if not value:
        raise ValueError(f"{label} must contain at least one name")
    names: list[str] = []
    for raw in value:
        name = raw.strip()
        if not name:
            raise ValueError(f"{label} cannot contain blank names")
        if name in names:
            raise ValueError(f"{label} cannot contain duplicates")
        if not all(c.isascii() and (c.isalnum() or c in " -_") for c in name):
            raise ValueError(
                f"{label} may only contain ASCII letters, digits, spaces, hyphens, and underscores"
            )
        names.append(name)
    return tuple(names)
