"""The Translate stage's settings: ``[translate]`` and its sub-tables in ``ferry.toml``.

Every value has a default so a project without the sections still works; wrong types are
reported with the table and key so the user knows exactly what to fix.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ferry.fsutil import read_text
from translator.errors import ConfigError

BackendName = Literal["mechanical", "llm", "replay", "agent"]


class Price(BaseModel):
    """USD per million tokens."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    input: float
    output: float


class LlmConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    api: Literal["chat", "responses"] = "chat"  # Chat Completions or the Responses API
    base_url: str = "https://api.openai.com/v1"
    model: str = "gpt-5.1-codex"
    api_key_env: str = "OPENAI_API_KEY"
    temperature: float | None = None
    max_output_tokens: int = 8000
    structured_output: bool = (
        True  # send a JSON-schema response_format (off for servers without it)
    )
    timeout_s: float = 120.0


class AgentConfig(BaseModel):
    """``[translate.agent]``: a coding agent CLI that edits the sync worktree itself.

    Unset endpoint keys fall back to ``[translate.llm]``; ``command`` defaults to the
    ``pycodex`` next to the running interpreter followed by ``exec`` (the port translating
    its own upstream); ``["codex", "exec"]`` or any compatible CLI works too.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    command: list[str] = Field(default_factory=list)
    model: str | None = None
    base_url: str | None = None
    api_key_env: str | None = None
    wire_api: Literal["responses", "chat"] = "responses"
    #: the agent's sandbox (``-s``); danger-full-access only where no sandbox can run
    sandbox: Literal["read-only", "workspace-write", "danger-full-access"] = "workspace-write"
    #: one agent session per translation unit, or one per upstream commit (units in turn)
    scope: Literal["unit", "commit"] = "unit"
    extra_args: list[str] = Field(default_factory=list)
    timeout_s: float = Field(default=1800.0, gt=0)


class ReplayConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    dir: str = ".ferry/replay"
    record: bool = False


class DeclineRule(BaseModel):
    """``[[translate.decline]]``: upstream items the port decides not to follow, and why.

    An item is declined when its file matches one of ``files`` (module-map glob syntax) or
    its qualified path one of ``items`` (``*`` matches across ``::``). Rules are data in
    ``ferry.toml`` so a nightly sync decides the same way every time.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    rule: str = Field(min_length=1)  # a short id: platform-specific, tui-only, ...
    reason: str = Field(min_length=1)
    files: list[str] = Field(default_factory=list)
    items: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _selects_something(self) -> DeclineRule:
        if not self.files and not self.items:
            raise ValueError(f"rule {self.rule!r} needs `files` or `items` globs")
        return self


class TranslateConfig(BaseModel):
    """``[translate]``; paths are relative to the directory holding ``ferry.toml``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    backend: BackendName = "mechanical"
    upstream_git_dir: str = "../.mirror/jiangshengdev+codex/repo"
    target_root: str = "port"
    state_dir: str = ".ferry"
    max_attempts: int = Field(default=3, ge=1, le=10)
    budget_usd: float = Field(default=5.0, ge=0)
    chars_per_token: float = 4.0
    expected_output_ratio: float = 1.3
    module_map: dict[str, str] = Field(default_factory=dict)
    overrides: dict[str, str] = Field(default_factory=dict)
    #: upstream items deliberately not ported (see DeclineRule)
    decline: list[DeclineRule] = Field(default_factory=list)
    #: crates the port covers beyond those its provenance links name; a pending item of a
    #: covered crate holds the sync pin
    covered_crates: list[str] = Field(default_factory=list)
    #: "pending": an item whose module does not exist yet waits for an engineer to create it;
    #: "allow": the plan may create new modules (bootstrapping a port), never shadowing ones
    new_modules: Literal["pending", "allow"] = "pending"
    layers: dict[str, list[str]] = Field(
        default_factory=lambda: {
            "foundation": [
                "pycodex.protocol*",
                "pycodex.app_server.protocol*",
                "pycodex.utils*",
                "pycodex.config*",
            ],
            "core": [
                "pycodex.core*",
                "pycodex.exec*",
                "pycodex.sandbox*",
                "pycodex.tools*",
                "pycodex.apply_patch*",
            ],
            "presentation": ["pycodex.cli*", "pycodex.tui*", "pycodex.exec_cli*"],
        }
    )
    prices: dict[str, Price] = Field(
        default_factory=lambda: {
            "gpt-5.1-codex": Price(input=1.25, output=10.0),
            "gpt-5.1-codex-mini": Price(input=0.25, output=2.0),
            "gpt-4.1-mini": Price(input=0.4, output=1.6),
        }
    )
    llm: LlmConfig = Field(default_factory=LlmConfig)
    replay: ReplayConfig = Field(default_factory=ReplayConfig)
    agent: AgentConfig = Field(default_factory=AgentConfig)

    def resolve(self, base: Path, value: str) -> Path:
        path = Path(os.path.expanduser(value))
        return path if path.is_absolute() else (base / path)


def find_config(start: Path | None = None) -> Path | None:
    """The nearest ``ferry.toml`` at or above ``start`` (the working directory by default)."""
    here = (start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        candidate = directory / "ferry.toml"
        if candidate.exists():  # a directory or unreadable file here is reported, not skipped
            return candidate
    return None


def load_config(path: Path | None = None) -> tuple[TranslateConfig, Path]:
    """Read ``[translate]`` from ``path`` (or the nearest ``ferry.toml``); return it and its base dir."""
    config_path = path if path is not None else find_config()
    if config_path is None:
        return TranslateConfig(), Path.cwd()
    try:
        data = tomllib.loads(read_text(config_path))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{config_path}: cannot read TOML: {exc}") from exc
    section: Any = data.get("translate", {})
    if not isinstance(section, dict):
        raise ConfigError(f"{config_path}: [translate] must be a table")
    try:
        config = TranslateConfig.model_validate(section)
    except ValidationError as exc:
        problems = "; ".join(
            f"[translate].{'.'.join(str(p) for p in err['loc'])}: {err['msg']}"
            for err in exc.errors()
        )
        raise ConfigError(f"{config_path}: {problems}") from exc
    return config, config_path.resolve().parent


def config_snapshot(config: TranslateConfig) -> dict[str, Any]:
    """The JSON form of the config, stored in every artifact it produced."""
    return config.model_dump(mode="json")
