"""Model metadata: what the client must know about a model to talk to it as codex does.

The Rust binary ships a model catalog (``models.json`` here, extracted from codex 0.169.0 by
``scripts/gen_model_catalog.py``) and looks a model name up by longest slug prefix
(``gpt-5.5-2026`` -> ``gpt-5.5``). A name that matches nothing gets fallback metadata and a
warning: no reasoning effort, ``summary: auto``, no verbosity, no apply_patch tool, text-only
web search and truncation by bytes. ``model_catalog_json`` replaces the bundled catalog.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pycodex.errors import ConfigLoadError

TruncationMode = Literal["tokens", "bytes"]


# ferry: codex_protocol::protocol::TruncationPolicy @ 1d092cb66
@dataclass(frozen=True)
class TruncationPolicy:
    """How much of a tool output is kept in the history: ``limit`` tokens or bytes."""

    mode: TruncationMode
    limit: int

    # ferry: codex_protocol::protocol::TruncationPolicy::byte_budget @ 1d092cb66
    def byte_budget(self) -> int:
        return self.limit if self.mode == "bytes" else self.limit * 4

    # ferry: codex_protocol::protocol::TruncationPolicy::token_budget @ 1d092cb66
    def token_budget(self) -> int:
        return (self.limit + 3) // 4 if self.mode == "bytes" else self.limit

    # ferry: codex_protocol::protocol::TruncationPolicy::mul @ 1d092cb66
    def scaled(self, factor: float) -> TruncationPolicy:
        return TruncationPolicy(self.mode, math.ceil(self.limit * factor))


# ferry: codex_core::context_manager::history::ContextManager::process_item @ 1d092cb66 -- 0.169.0: a token budget
def history_token_budget(policy: TruncationPolicy) -> int:
    """Tokens a tool output may keep in the history: the policy's token budget, plus 20%
    for serialisation (codex 0.169.0 counts in tokens even under a byte policy)."""
    return math.ceil(policy.token_budget() * 1.2)


# ferry: codex_protocol::openai_models::ModelInfo @ 1d092cb66 -- the fields the port uses
@dataclass(frozen=True)
class ModelInfo:
    slug: str
    default_reasoning_level: str | None
    default_reasoning_summary: str
    supports_reasoning_summaries: bool
    support_verbosity: bool
    default_verbosity: str | None
    apply_patch_tool_type: str | None
    web_search_tool_type: str
    shell_type: str
    truncation: TruncationPolicy
    context_window: int | None
    supports_search_tool: bool
    input_modalities: tuple[str, ...]
    experimental_supported_tools: tuple[str, ...]
    used_fallback: bool = False

    # ferry: codex_protocol::openai_models::ModelInfo @ 1d092cb66 -- its input_modalities
    @property
    def supports_images(self) -> bool:
        return "image" in self.input_modalities

    # ferry: codex_models_manager::model_info::model_info_from_slug @ 1d092cb66
    @classmethod
    def fallback(cls, slug: str) -> ModelInfo:
        """Metadata for a model the catalog does not know."""
        return cls(
            slug=slug,
            default_reasoning_level=None,
            default_reasoning_summary="auto",
            supports_reasoning_summaries=False,
            support_verbosity=False,
            default_verbosity=None,
            apply_patch_tool_type=None,
            web_search_tool_type="text",
            shell_type="default",
            truncation=TruncationPolicy("bytes", 10_000),
            context_window=272_000,
            supports_search_tool=False,
            input_modalities=("text", "image"),
            experimental_supported_tools=(),
            used_fallback=True,
        )

    # ferry: codex_protocol::openai_models::ModelInfo @ 1d092cb66 -- deserialisation
    @classmethod
    def from_entry(cls, slug: str, entry: Mapping[str, Any]) -> ModelInfo:
        truncation = entry.get("truncation_policy") or {"mode": "bytes", "limit": 10_000}
        return cls(
            slug=slug,
            default_reasoning_level=entry.get("default_reasoning_level"),
            default_reasoning_summary=str(entry.get("default_reasoning_summary") or "auto"),
            supports_reasoning_summaries=bool(entry.get("supports_reasoning_summaries", False)),
            support_verbosity=bool(entry.get("support_verbosity", False)),
            default_verbosity=entry.get("default_verbosity"),
            apply_patch_tool_type=entry.get("apply_patch_tool_type"),
            web_search_tool_type=str(entry.get("web_search_tool_type") or "text"),
            shell_type=str(entry.get("shell_type") or "default"),
            truncation=TruncationPolicy(truncation["mode"], int(truncation["limit"])),
            context_window=entry.get("context_window"),
            supports_search_tool=bool(entry.get("supports_search_tool", False)),
            input_modalities=tuple(entry.get("input_modalities") or ("text", "image")),
            experimental_supported_tools=tuple(entry.get("experimental_supported_tools") or ()),
        )


@cache
def _bundled() -> tuple[dict[str, Any], ...]:
    text = resources.files("pycodex.config").joinpath("models.json").read_text(encoding="utf-8")
    return tuple(json.loads(text)["models"])


# ferry: codex_models_manager::manager::ModelsManager::new @ 1d092cb66 -- nearest item; 0.169.0 model_catalog_json
def load_catalog(path: Path | None) -> tuple[dict[str, Any], ...]:
    """The bundled catalog, or the one in ``model_catalog_json``."""
    if path is None:
        return _bundled()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        # codex names neither the key nor the path here
        raise ConfigLoadError(f"{exc.strerror} (os error {exc.errno})", plain=True) from exc
    except ValueError as exc:
        raise ConfigLoadError(f"failed to parse model catalog {path}: {exc}", plain=True) from exc
    models = data.get("models") if isinstance(data, dict) else None
    if not isinstance(models, list):
        raise ConfigLoadError(f"failed to parse model catalog {path}: missing field `models`")
    return tuple(m for m in models if isinstance(m, dict) and isinstance(m.get("slug"), str))


def _longest_prefix(model: str, catalog: tuple[dict[str, Any], ...]) -> dict[str, Any] | None:
    best: dict[str, Any] | None = None
    for entry in catalog:
        slug = str(entry["slug"])
        if model.startswith(slug) and (best is None or len(slug) > len(str(best["slug"]))):
            best = entry
    return best


# ferry: codex_models_manager::manager::ModelsManager::construct_model_info_from_candidates @ 1d092cb66
def model_info(
    model: str,
    catalog: tuple[dict[str, Any], ...] | None = None,
    *,
    supports_reasoning_summaries: bool | None = None,
    context_window: int | None = None,
    tool_output_token_limit: int | None = None,
) -> ModelInfo:
    """Look ``model`` up (longest slug prefix, then ``namespace/slug``) and apply config."""
    entries = _bundled() if catalog is None else catalog
    entry = _longest_prefix(model, entries)
    if entry is None and model.count("/") == 1:
        namespace, suffix = model.split("/")
        if namespace and all(c.isalnum() or c == "_" for c in namespace):
            entry = _longest_prefix(suffix, entries)
    info = ModelInfo.fallback(model) if entry is None else ModelInfo.from_entry(model, entry)
    if supports_reasoning_summaries:
        info = replace(info, supports_reasoning_summaries=True)
    if context_window is not None:
        info = replace(info, context_window=context_window)
    if tool_output_token_limit is not None:
        limit = (
            tool_output_token_limit * 4
            if info.truncation.mode == "bytes"
            else tool_output_token_limit
        )
        info = replace(info, truncation=TruncationPolicy(info.truncation.mode, limit))
    return info


# ferry: codex_core::session::turn_context::Session::maybe_emit_unknown_model_warning_for_turn @ 1d092cb66 -- 0.169.0 wording
def fallback_warning(slug: str) -> str:
    return (
        f"Model metadata for `{slug}` not found. Defaulting to fallback metadata; "
        "this can degrade performance and cause issues."
    )
