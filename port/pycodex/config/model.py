"""The resolved configuration of one pycodex run (frozen values built from TOML layers)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, cast

from pycodex.config.agents import AgentsConfig
from pycodex.config.models import ModelInfo
from pycodex.config.models import model_info as model_info_for
from pycodex.config.shell_env import ShellEnvironmentPolicy
from pycodex.errors import ConfigError

WireApi = Literal["responses", "chat"]
SandboxMode = Literal["read-only", "workspace-write", "danger-full-access"]
ApprovalPolicy = Literal["untrusted", "on-failure", "on-request", "never"]

SANDBOX_MODES: tuple[SandboxMode, ...] = ("read-only", "workspace-write", "danger-full-access")
APPROVAL_POLICIES: tuple[ApprovalPolicy, ...] = ("untrusted", "on-failure", "on-request", "never")

DEFAULT_MODEL = "gpt-5.5"
DEFAULT_REQUEST_MAX_RETRIES = 4
DEFAULT_STREAM_MAX_RETRIES = 5
DEFAULT_STREAM_IDLE_TIMEOUT_MS = 300_000
MAX_REQUEST_MAX_RETRIES = 100
MAX_STREAM_MAX_RETRIES = 100
DEFAULT_PROJECT_DOC_MAX_BYTES = 32 * 1024


def _expect(table: Mapping[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    value = table.get(key)
    if value is None:
        return None
    if isinstance(value, bool) and kind in (int, float):
        raise ConfigError(
            f"{where}.{key}: expected {getattr(kind, '__name__', kind)}, got a boolean"
        )
    if not isinstance(value, kind):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise ConfigError(f"{where}.{key}: expected {names}, got {type(value).__name__} {value!r}")
    return value


def _str_map(table: Mapping[str, Any], key: str, where: str) -> dict[str, str]:
    value = _expect(table, key, dict, where) or {}
    out: dict[str, str] = {}
    for k, v in value.items():
        if not isinstance(v, str):
            raise ConfigError(f"{where}.{key}.{k}: expected a string, got {type(v).__name__}")
        out[str(k)] = v
    return out


# ferry: codex_model_provider_info::ModelProviderInfo @ 1d092cb66
@dataclass(frozen=True)
class ModelProviderInfo:
    """How to reach one OpenAI-compatible endpoint (``[model_providers.<id>]``)."""

    id: str
    name: str
    base_url: str
    env_key: str | None = None
    env_key_instructions: str | None = None
    experimental_bearer_token: str | None = None
    wire_api: WireApi = "responses"
    query_params: Mapping[str, str] = field(default_factory=dict)
    http_headers: Mapping[str, str] = field(default_factory=dict)
    env_http_headers: Mapping[str, str] = field(default_factory=dict)
    request_max_retries: int = DEFAULT_REQUEST_MAX_RETRIES
    stream_max_retries: int = DEFAULT_STREAM_MAX_RETRIES
    stream_idle_timeout_ms: int = DEFAULT_STREAM_IDLE_TIMEOUT_MS
    requires_openai_auth: bool = False

    # ferry: codex_model_provider_info::ModelProviderInfo::validate @ 1d092cb66 -- the [model_providers.<id>] table, validated
    @classmethod
    def from_table(cls, provider_id: str, table: Mapping[str, Any]) -> ModelProviderInfo:
        where = f"model_providers.{provider_id}"
        if not isinstance(table, Mapping):
            raise ConfigError(f"{where}: expected a table")
        wire_api = _expect(table, "wire_api", str, where) or "responses"
        if wire_api not in ("responses", "chat"):
            raise ConfigError(f'{where}.wire_api: expected "responses" or "chat", got {wire_api!r}')
        base_url = _expect(table, "base_url", str, where)
        if not base_url:
            raise ConfigError(
                f'{where}.base_url: required (for example "http://127.0.0.1:8080/v1")'
            )
        request_retries = _expect(table, "request_max_retries", int, where)
        stream_retries = _expect(table, "stream_max_retries", int, where)
        idle = _expect(table, "stream_idle_timeout_ms", int, where)
        return cls(
            id=provider_id,
            name=_expect(table, "name", str, where) or provider_id,
            base_url=base_url,
            env_key=_expect(table, "env_key", str, where),
            env_key_instructions=_expect(table, "env_key_instructions", str, where),
            experimental_bearer_token=_expect(table, "experimental_bearer_token", str, where),
            wire_api=cast(WireApi, wire_api),
            query_params=_str_map(table, "query_params", where),
            http_headers=_str_map(table, "http_headers", where),
            env_http_headers=_str_map(table, "env_http_headers", where),
            request_max_retries=min(
                DEFAULT_REQUEST_MAX_RETRIES if request_retries is None else request_retries,
                MAX_REQUEST_MAX_RETRIES,
            ),
            stream_max_retries=min(
                DEFAULT_STREAM_MAX_RETRIES if stream_retries is None else stream_retries,
                MAX_STREAM_MAX_RETRIES,
            ),
            stream_idle_timeout_ms=DEFAULT_STREAM_IDLE_TIMEOUT_MS if idle is None else idle,
            requires_openai_auth=bool(_expect(table, "requires_openai_auth", bool, where)),
        )

    # ferry: codex_model_provider_info::ModelProviderInfo::build_header_map @ 1d092cb66
    def headers(self) -> dict[str, str]:
        headers = dict(self.http_headers)
        for header, env_var in self.env_http_headers.items():
            value = os.environ.get(env_var)
            if value:
                headers[header] = value
        return headers


# ferry: codex_model_provider_info::built_in_model_providers @ 1d092cb66
def builtin_providers() -> dict[str, ModelProviderInfo]:
    openai_base = os.environ.get("OPENAI_BASE_URL") or "https://api.openai.com/v1"
    return {
        "openai": ModelProviderInfo(
            id="openai",
            name="OpenAI",
            base_url=openai_base,
            env_key="OPENAI_API_KEY",
            requires_openai_auth=True,
        ),
        "ollama": ModelProviderInfo(
            id="ollama",
            name="gpt-oss",
            base_url="http://localhost:11434/v1",
            wire_api="responses",
        ),
        "lmstudio": ModelProviderInfo(
            id="lmstudio",
            name="gpt-oss",
            base_url="http://localhost:1234/v1",
            wire_api="responses",
        ),
    }


# ferry: codex_config::config_toml::ConfigToml @ 1d092cb66 -- sandbox_mode and [sandbox_workspace_write]
@dataclass(frozen=True)
class SandboxSettings:
    """``sandbox_mode`` plus the ``[sandbox_workspace_write]`` table."""

    mode: SandboxMode = "read-only"
    writable_roots: tuple[Path, ...] = ()
    network_access: bool = False
    exclude_tmpdir_env_var: bool = False
    exclude_slash_tmp: bool = False


# ferry: codex_core::config::Config @ 1d092cb66
@dataclass(frozen=True)
class Config:
    """Everything one run needs, resolved from CLI flags and TOML layers."""

    codex_home: Path
    cwd: Path
    model: str
    model_provider: ModelProviderInfo
    approval_policy: ApprovalPolicy = "never"
    sandbox: SandboxSettings = field(default_factory=SandboxSettings)
    #: as configured (``None``: the model's default, see the ``effective_*`` properties).
    model_reasoning_effort: str | None = None
    model_reasoning_summary: str | None = None
    model_verbosity: str | None = None
    model_info: ModelInfo = field(default_factory=lambda: model_info_for(DEFAULT_MODEL))
    thread_source: str | None = None
    analytics_enabled: bool = True
    service_tier: str | None = None
    allow_login_shell: bool = True
    #: ``web_search`` mode as configured (``None``: codex's default) and ``[tools.web_search]``.
    web_search_mode: str | None = None
    web_search_tool: Mapping[str, Any] = field(default_factory=dict)
    #: ``notify``: argv run (not waited for) after each turn with a JSON payload appended.
    notify: tuple[str, ...] = ()
    background_terminal_max_timeout_ms: int = 300_000
    base_instructions: str | None = None
    developer_instructions: str | None = None
    user_instructions_files: tuple[str, ...] = ("AGENTS.md",)
    project_doc_max_bytes: int = DEFAULT_PROJECT_DOC_MAX_BYTES
    project_root_markers: tuple[str, ...] = (".git",)
    include_permissions_instructions: bool = True
    include_environment_context: bool = True
    tool_output_token_limit: int | None = None
    hide_agent_reasoning: bool = False
    show_raw_agent_reasoning: bool = False
    features: Mapping[str, bool] = field(default_factory=dict)
    shell_environment_policy: ShellEnvironmentPolicy = field(default_factory=ShellEnvironmentPolicy)
    ephemeral: bool = False
    ignore_rules: bool = False
    warnings: tuple[str, ...] = ()
    #: the port's own notices (keys it does not implement), printed on stderr by exec.
    port_warnings: tuple[str, ...] = ()
    #: the model catalog in use (``model_catalog_json``); ``None``: the bundled one.
    model_catalog: tuple[dict[str, Any], ...] | None = None
    #: Trusted project ``.codex`` folders (their ``rules/`` apply too).
    project_folders: tuple[Path, ...] = ()
    #: Project ``.codex`` folders ignored because the project is not trusted.
    untrusted_project_folders: tuple[Path, ...] = ()
    #: ``[mcp_servers.<name>]`` parsed into ``pycodex.mcp.config.McpServerConfig`` values.
    mcp_servers: Mapping[str, Any] = field(default_factory=dict)
    #: the ``[skills]`` table (``bundled.enabled``, ``include_instructions``, ``config``).
    skills: Mapping[str, Any] = field(default_factory=dict)
    model_context_window: int | None = None
    model_auto_compact_token_limit: int | None = None
    compact_prompt: str | None = None
    sqlite_home: str | None = None
    #: ``[agents]``: sub-agent limits and roles.
    agents: AgentsConfig = field(default_factory=AgentsConfig)

    # ferry: codex_core::config::Config::load_config_with_layer_stack @ 1d092cb66 -- the model's metadata follows the model
    def with_model(self, model: str) -> Config:
        """This config running ``model`` (a sub-agent's override or role): its catalog
        metadata looked up again, with the config's own overrides kept."""
        if model == self.model:
            return self
        catalog_says = model_info_for(self.model, self.model_catalog).supports_reasoning_summaries
        forced = self.model_info.supports_reasoning_summaries and not catalog_says
        info = model_info_for(
            model,
            self.model_catalog,
            supports_reasoning_summaries=forced,
            context_window=self.model_context_window,
            tool_output_token_limit=self.tool_output_token_limit,
        )
        return replace(self, model=model, model_info=info)

    # ferry: codex_protocol::openai_models::ModelInfo @ 1d092cb66 -- its reasoning support, from the model family
    @property
    def effective_reasoning_effort(self) -> str | None:
        return self.model_reasoning_effort or self.model_info.default_reasoning_level

    # ferry: codex_core::session::turn_context::TurnContext @ 1d092cb66 -- its reasoning summary
    @property
    def effective_reasoning_summary(self) -> str:
        return self.model_reasoning_summary or self.model_info.default_reasoning_summary

    # ferry: codex_core::client::ModelClientSession::build_responses_request @ 1d092cb66 -- verbosity
    @property
    def effective_verbosity(self) -> str | None:
        if not self.model_info.support_verbosity:
            return None
        return self.model_verbosity or self.model_info.default_verbosity
