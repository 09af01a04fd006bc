"""Configuration: ``$CODEX_HOME/config.toml``, project layers, profiles and overrides."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from pycodex.config.loader import codex_home, load_layers
from pycodex.config.model import (
    APPROVAL_POLICIES,
    DEFAULT_MODEL,
    SANDBOX_MODES,
    ApprovalPolicy,
    Config,
    ModelProviderInfo,
    SandboxMode,
    SandboxSettings,
    builtin_providers,
)
from pycodex.config.shell_env import ShellEnvironmentPolicy
from pycodex.errors import ConfigError

__all__ = [
    "Config",
    "ConfigOverrides",
    "ModelProviderInfo",
    "SandboxSettings",
    "codex_home",
    "load_config",
]


# ferry: codex_core::config::ConfigOverrides @ 1d092cb66
@dataclass(frozen=True)
class ConfigOverrides:
    """Settings given on the command line; ``None`` means "take it from config.toml"."""

    model: str | None = None
    sandbox_mode: SandboxMode | None = None
    approval_policy: ApprovalPolicy | None = None
    cwd: Path | None = None
    profile: str | None = None
    cli_overrides: tuple[str, ...] = ()
    enable: tuple[str, ...] = ()
    disable: tuple[str, ...] = ()
    add_dirs: tuple[Path, ...] = ()
    ephemeral: bool = False
    ignore_user_config: bool = False
    ignore_rules: bool = False
    #: ``--trust``: record this project as trusted in the user's config first.
    trust_project: bool = False


def _choice(value: Any, allowed: Iterable[str], key: str) -> str:
    options = tuple(allowed)
    if value not in options:
        raise ConfigError(
            f"config key `{key}`: expected one of {', '.join(options)}, got {value!r}"
        )
    return cast(str, value)


def _opt_str(table: Mapping[str, Any], key: str) -> str | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigError(f"config key `{key}`: expected a string, got {type(value).__name__}")
    return value


def _bool(table: Mapping[str, Any], key: str, default: bool) -> bool:
    value = table.get(key, default)
    if not isinstance(value, bool):
        raise ConfigError(f"config key `{key}`: expected true or false, got {value!r}")
    return value


def _sandbox(
    table: Mapping[str, Any], mode: SandboxMode, add_dirs: Iterable[Path], cwd: Path
) -> SandboxSettings:
    ww = table.get("sandbox_workspace_write") or {}
    if not isinstance(ww, Mapping):
        raise ConfigError("config key `sandbox_workspace_write`: expected a table")
    roots_raw = ww.get("writable_roots", [])
    if not isinstance(roots_raw, list) or not all(isinstance(r, str) for r in roots_raw):
        raise ConfigError("sandbox_workspace_write.writable_roots: expected a list of paths")
    roots = tuple((cwd / Path(r).expanduser()).resolve() for r in roots_raw)
    roots += tuple(Path(p).resolve() for p in add_dirs)
    return SandboxSettings(
        mode=mode,
        writable_roots=roots,
        network_access=_bool(ww, "network_access", False),
        exclude_tmpdir_env_var=_bool(ww, "exclude_tmpdir_env_var", False),
        exclude_slash_tmp=_bool(ww, "exclude_slash_tmp", False),
    )


# ferry: codex_core::config::Config::load_with_cli_overrides_and_harness_overrides @ 1d092cb66
# ferry: codex_core::config::ConfigBuilder::build @ 1d092cb66
def load_config(overrides: ConfigOverrides | None = None, *, home: Path | None = None) -> Config:
    """Resolve the configuration for one run (CLI flags beat every TOML layer)."""
    overrides = overrides or ConfigOverrides()
    home = home or codex_home()
    cwd = (overrides.cwd or Path.cwd()).resolve()
    if not cwd.is_dir():
        raise ConfigError(f"working directory {cwd} does not exist")
    from pycodex.features import canonical_name, feature_warnings

    for name in (*overrides.enable, *overrides.disable):
        canonical_name(name)  # codex refuses an unknown --enable/--disable name
    loaded = load_layers(
        home=home,
        cwd=cwd,
        overrides=overrides.cli_overrides,
        profile=overrides.profile,
        enable=overrides.enable,
        disable=overrides.disable,
        ignore_user_config=overrides.ignore_user_config,
        trust_project=overrides.trust_project,
    )
    table = loaded.table

    providers = builtin_providers()
    user_providers = table.get("model_providers", {})
    if not isinstance(user_providers, Mapping):
        raise ConfigError("config key `model_providers`: expected a table of provider tables")
    for provider_id, provider_table in user_providers.items():
        if provider_id in providers:
            continue  # built-in ids cannot be overridden, as upstream
        providers[provider_id] = ModelProviderInfo.from_table(provider_id, provider_table)
    provider_id = _opt_str(table, "model_provider") or "openai"
    if provider_id not in providers:
        known = ", ".join(sorted(providers))
        raise ConfigError(
            f"config key `model_provider`: unknown provider `{provider_id}` (known: {known}); "
            f"define it under [model_providers.{provider_id}]"
        )

    sandbox_mode = overrides.sandbox_mode or table.get("sandbox_mode", "read-only")
    sandbox_mode = cast(SandboxMode, _choice(sandbox_mode, SANDBOX_MODES, "sandbox_mode"))
    approval = overrides.approval_policy or table.get("approval_policy", "never")
    if table.get("approval_policy") == "untrusted":
        raise ConfigError(
            'approval_policy = "untrusted" is no longer supported; remove this setting'
        )
    approval = cast(ApprovalPolicy, _choice(approval, APPROVAL_POLICIES, "approval_policy"))

    base_instructions = _opt_str(table, "instructions")
    instructions_file = _opt_str(table, "model_instructions_file") or _opt_str(
        table, "experimental_instructions_file"
    )
    if instructions_file:
        path = (cwd / Path(instructions_file).expanduser()).resolve()
        try:
            base_instructions = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(
                f"config key `model_instructions_file`: cannot read {path}: {exc.strerror}"
            ) from exc

    doc_max = table.get("project_doc_max_bytes", 32 * 1024)
    if not isinstance(doc_max, int) or isinstance(doc_max, bool) or doc_max < 0:
        raise ConfigError("config key `project_doc_max_bytes`: expected a non-negative integer")
    fallback = table.get("project_doc_fallback_filenames", [])
    markers = table.get("project_root_markers", [".git"])
    features = table.get("features", {})
    if not isinstance(features, Mapping):
        raise ConfigError("config key `features`: expected a table of booleans")
    limit = table.get("tool_output_token_limit")
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool)):
        raise ConfigError("config key `tool_output_token_limit`: expected an integer")
    shell_env = ShellEnvironmentPolicy.from_table(table.get("shell_environment_policy"))
    compact_prompt = _opt_str(table, "compact_prompt")
    compact_prompt_file = _opt_str(table, "experimental_compact_prompt_file")
    if compact_prompt is None and compact_prompt_file:
        path = (cwd / Path(compact_prompt_file).expanduser()).resolve()
        try:
            compact_prompt = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(
                f"config key `experimental_compact_prompt_file`: cannot read {path}: {exc.strerror}"
            ) from exc
    from pycodex.mcp.config import parse_servers

    mcp_servers = parse_servers(table.get("mcp_servers"))
    skills = table.get("skills", {})
    if not isinstance(skills, Mapping):
        raise ConfigError("config key `skills`: expected a table")
    from pycodex.config.agents import parse_agents

    agents, agent_warnings = parse_agents(table.get("agents"), home)

    return Config(
        codex_home=home,
        cwd=cwd,
        model=overrides.model or _opt_str(table, "model") or DEFAULT_MODEL,
        model_provider=providers[provider_id],
        approval_policy=approval,
        sandbox=_sandbox(table, sandbox_mode, overrides.add_dirs, cwd),
        model_reasoning_effort=_opt_str(table, "model_reasoning_effort") or "medium",
        model_reasoning_summary=_opt_str(table, "model_reasoning_summary"),
        model_verbosity=_opt_str(table, "model_verbosity") or "low",
        base_instructions=base_instructions,
        developer_instructions=_opt_str(table, "developer_instructions"),
        user_instructions_files=("AGENTS.md", *[str(f) for f in fallback if isinstance(f, str)]),
        project_doc_max_bytes=doc_max,
        project_root_markers=tuple(str(m) for m in markers)
        if isinstance(markers, list)
        else (".git",),
        include_permissions_instructions=_bool(table, "include_permissions_instructions", True),
        include_environment_context=_bool(table, "include_environment_context", True),
        tool_output_token_limit=limit,
        hide_agent_reasoning=_bool(table, "hide_agent_reasoning", False),
        show_raw_agent_reasoning=_bool(table, "show_raw_agent_reasoning", False),
        features={str(k): bool(v) for k, v in features.items() if isinstance(v, bool)},
        shell_environment_policy=shell_env,
        ephemeral=overrides.ephemeral,
        ignore_rules=overrides.ignore_rules,
        warnings=loaded.warnings
        + tuple(
            feature_warnings(
                features,
                str(home / "config.toml"),
                suppress_unstable=table.get("suppress_unstable_features_warning") is True,
            )
        )
        + tuple(agent_warnings),
        model_context_window=_positive_int(table, "model_context_window"),
        model_auto_compact_token_limit=_positive_int(table, "model_auto_compact_token_limit"),
        compact_prompt=compact_prompt,
        sqlite_home=_opt_str(table, "sqlite_home"),
        project_folders=loaded.project_folders,
        untrusted_project_folders=loaded.untrusted_project_folders,
        mcp_servers=mcp_servers,
        skills=skills,
        agents=agents,
    )


def _positive_int(table: Mapping[str, Any], key: str) -> int | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ConfigError(f"config key `{key}`: expected a positive integer, got {value!r}")
    return value
