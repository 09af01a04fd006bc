"""Configuration: ``$CODEX_HOME/config.toml``, project layers, profiles and overrides."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from pycodex.config.features import check_cli_features, deprecation_notices
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
from pycodex.config.models import load_catalog, model_info
from pycodex.config.shell_env import ShellEnvironmentPolicy
from pycodex.config.support import unsupported_key_warnings
from pycodex.errors import ConfigError, ConfigLoadError

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
    strict_config: bool = False
    thread_source: str | None = None
    #: the approval policy when neither this nor config.toml sets one (the app server asks
    #: ``on-request`` like codex; exec never asks)
    default_approval_policy: ApprovalPolicy = "never"
    #: ``--trust``: record this project as trusted in the user's config first.
    trust_project: bool = False


# ferry: port-only -- serde's description of a TOML value in "invalid type" errors
def serde_unexpected(value: Any) -> str:
    if isinstance(value, bool):
        return f"boolean `{str(value).lower()}`"
    if isinstance(value, int):
        return f"integer `{value}`"
    if isinstance(value, float):
        return f"floating point `{value}`"
    if isinstance(value, str):
        return f'string "{value}"'
    if isinstance(value, list):
        return "sequence"
    if isinstance(value, Mapping):
        return "map"
    return type(value).__name__


# ferry: port-only -- serde/toml's type error as codex prints it (`... \nin `key``)
def type_error(key: str, value: Any, expected: str) -> ConfigLoadError:
    return ConfigLoadError(
        f"invalid type: {serde_unexpected(value)}, expected {expected}\nin `{key}`\n"
    )


def _choice(value: Any, allowed: Iterable[str], key: str) -> str:
    options = tuple(allowed)
    if not isinstance(value, str):
        raise type_error(key, value, "a string")
    if value not in options:
        listed = ", ".join(f"`{o}`" for o in options)
        raise ConfigLoadError(f"unknown variant `{value}`, expected one of {listed}\nin `{key}`\n")
    return value


def _opt_str(table: Mapping[str, Any], key: str) -> str | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise type_error(key, value, "a string")
    return value


def _opt_int(table: Mapping[str, Any], key: str) -> int | None:
    value = table.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise type_error(key, value, "u64" if not isinstance(value, int) else "an integer")
    return value


#: accepted values of the enum-typed keys (serde variant names).
SERVICE_TIERS = ("fast", "flex")
WEB_SEARCH_MODES = ("disabled", "cached", "live")


def _bool(table: Mapping[str, Any], key: str, default: bool) -> bool:
    value = table.get(key, default)
    if not isinstance(value, bool):
        raise type_error(key, value, "a boolean")
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
    check_cli_features((*overrides.enable, *overrides.disable))
    cwd = (overrides.cwd or Path.cwd()).resolve()
    if not cwd.is_dir():
        raise ConfigError(f"working directory {cwd} does not exist")
    from pycodex.features import PYCODEX_NOTE_PREFIX, canonical_name, feature_warnings

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
        strict=overrides.strict_config,
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
    approval = overrides.approval_policy or table.get(
        "approval_policy", overrides.default_approval_policy
    )
    if table.get("approval_policy") == "untrusted":
        raise ConfigError(
            'approval_policy = "untrusted" is no longer supported; remove this setting'
        )
    approval = cast(ApprovalPolicy, _choice(approval, APPROVAL_POLICIES, "approval_policy"))

    base_instructions = _opt_str(table, "instructions")
    # codex 0.169.0 reads model_instructions_file only (experimental_instructions_file is an
    # unknown key); a relative path is relative to the file that set it.
    instructions_file = _opt_str(table, "model_instructions_file")
    if instructions_file:
        base = loaded.base_dir("model_instructions_file", home)
        base_instructions = read_non_empty_file(
            base / Path(instructions_file).expanduser(), "model instructions file"
        )

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
    if compact_prompt_file:
        # read (and refused when empty) even where compact_prompt wins, as codex does
        base = loaded.base_dir("experimental_compact_prompt_file", home)
        file_prompt = read_non_empty_file(
            base / Path(compact_prompt_file).expanduser(), "experimental compact prompt file"
        )
        compact_prompt = compact_prompt if compact_prompt is not None else file_prompt
    from pycodex.mcp.config import parse_servers

    mcp_servers = parse_servers(table.get("mcp_servers"))
    skills = table.get("skills", {})
    if not isinstance(skills, Mapping):
        raise ConfigError("config key `skills`: expected a table")
    from pycodex.config.agents import parse_agents

    agents, agent_warnings = parse_agents(table.get("agents"), home)

    model = overrides.model or _opt_str(table, "model") or DEFAULT_MODEL
    catalog_path = _opt_str(table, "model_catalog_json")
    catalog = (
        load_catalog(loaded.base_dir("model_catalog_json", home) / Path(catalog_path).expanduser())
        if catalog_path
        else None
    )
    context_window = _opt_int(table, "model_context_window")
    info = model_info(
        model,
        catalog,
        supports_reasoning_summaries=_bool(table, "model_supports_reasoning_summaries", False),
        context_window=context_window,
        tool_output_token_limit=limit,
    )
    # codex 0.169.0 passes effort, summary and verbosity strings through unchecked (the
    # provider decides what it accepts), so the port does too.
    effort = _opt_str(table, "model_reasoning_effort")
    summary = _opt_str(table, "model_reasoning_summary")
    verbosity = _opt_str(table, "model_verbosity")
    analytics = table.get("analytics") or {}
    if not isinstance(analytics, Mapping):
        raise type_error("analytics", analytics, "struct AnalyticsConfigToml")
    service_tier = _opt_str(table, "service_tier")
    if service_tier is not None:
        _choice(service_tier, SERVICE_TIERS, "service_tier")
    max_timeout = _opt_int(table, "background_terminal_max_timeout")
    web_search_mode = _opt_str(table, "web_search")
    if web_search_mode is not None:
        _choice(web_search_mode, WEB_SEARCH_MODES, "web_search")
    tools_table = table.get("tools") or {}
    web_search_tool = tools_table.get("web_search") if isinstance(tools_table, Mapping) else None
    notify = table.get("notify") or []
    if not isinstance(notify, list) or not all(isinstance(a, str) for a in notify):
        raise type_error("notify", notify, "a sequence")
    # codex reports the config's warnings twice: as config warnings of the run and again
    # when the thread starts.
    warnings = [*loaded.warnings, *loaded.warnings, *deprecation_notices(table)]
    port_warnings = unsupported_key_warnings(table)
    for note in feature_warnings(
        features,
        str(home / "config.toml"),
        suppress_unstable=_bool(table, "suppress_unstable_features_warning", False),
    ):
        # codex's own warnings become events, as in codex; pycodex's notes go to stderr
        if note.startswith(PYCODEX_NOTE_PREFIX):
            port_warnings.append(f"warning: {note}")
        else:
            warnings.append(note)
    warnings.extend(agent_warnings)

    return Config(
        codex_home=home,
        cwd=cwd,
        model=model,
        model_info=info,
        model_provider=providers[provider_id],
        approval_policy=approval,
        sandbox=_sandbox(table, sandbox_mode, overrides.add_dirs, cwd),
        model_reasoning_effort=effort,
        model_reasoning_summary=summary,
        model_verbosity=verbosity,
        thread_source=overrides.thread_source,
        analytics_enabled=_bool(analytics, "enabled", True),
        service_tier=service_tier,
        allow_login_shell=_bool(table, "allow_login_shell", True),
        notify=tuple(notify),
        web_search_mode=web_search_mode,
        web_search_tool=web_search_tool if isinstance(web_search_tool, Mapping) else {},
        background_terminal_max_timeout_ms=300_000 if max_timeout is None else max_timeout,
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
        warnings=tuple(warnings),
        port_warnings=tuple(port_warnings),
        model_catalog=catalog,
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


# ferry: codex_core::config::Config::try_read_non_empty_file @ 1d092cb66
def read_non_empty_file(path: Path, context: str) -> str:
    """A file named by the config, trimmed; unreadable or empty stops the run (codex's texts)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigLoadError(
            f"failed to read {context} {path}: {exc.strerror} (os error {exc.errno})", plain=True
        ) from exc
    except UnicodeDecodeError as exc:
        raise ConfigLoadError(
            f"failed to read {context} {path}: stream did not contain valid UTF-8", plain=True
        ) from exc
    trimmed = text.strip()
    if not trimmed:
        raise ConfigLoadError(f"{context} is empty: {path}", plain=True)
    return trimmed


def _positive_int(table: Mapping[str, Any], key: str) -> int | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ConfigError(f"config key `{key}`: expected a positive integer, got {value!r}")
    return value
