"""What pycodex knows about a model: its context window and the auto-compaction limit.

codex 0.169.0 ships a model catalog; the windows below are the ones it embeds. A model
it does not know falls back to a 272,000-token window, as codex does. Only 95% of the
window is usable (``model_context_window`` in token counts), and automatic compaction
starts at 90% of the full window, or earlier with ``model_auto_compact_token_limit``.
"""

from __future__ import annotations

from dataclasses import dataclass

from pycodex.config.model import Config

#: slug -> context window (tokens), from the catalog embedded in codex 0.169.0.
CONTEXT_WINDOWS: dict[str, int] = {
    "gpt-5.5": 272_000,
    "gpt-5.6-sol": 272_000,
    "gpt-5.6-terra": 272_000,
    "gpt-5.6-luna": 272_000,
    "gpt-6-astra": 272_000,
    "gpt-6-sol": 272_000,
    "gpt-6-luna": 272_000,
    "gpt-6.1-sol": 272_000,
    "gpt-6.1-terra": 500_000,
    "gpt-daybreak-blue-latest": 272_000,
    "gpt-daybreak-red-latest": 372_000,
    "codex-auto-review": 272_000,
}
FALLBACK_CONTEXT_WINDOW = 272_000
EFFECTIVE_CONTEXT_WINDOW_PERCENT = 95


# ferry: codex_protocol::openai_models::ModelInfo @ 1d092cb66 -- 0.169.0: catalog of 0.169.0's models
@dataclass(frozen=True)
class ModelInfo:
    """The limits of one model as resolved for a run (config overrides applied)."""

    slug: str
    context_window: int
    auto_compact_token_limit_config: int | None = None
    effective_context_window_percent: int = EFFECTIVE_CONTEXT_WINDOW_PERCENT

    # ferry: codex_core::session::turn_context::TurnContext::model_context_window @ 1d092cb66
    @property
    def model_context_window(self) -> int:
        """The usable share of the window, reported as ``model_context_window``."""
        return self.context_window * self.effective_context_window_percent // 100

    # ferry: codex_protocol::openai_models::ModelInfo::auto_compact_token_limit @ 1d092cb66
    @property
    def auto_compact_token_limit(self) -> int:
        """Tokens at which a turn compacts: 90% of the window, or the configured limit if lower."""
        context_limit = self.context_window * 9 // 10
        configured = self.auto_compact_token_limit_config
        return context_limit if configured is None else min(configured, context_limit)


# ferry: codex_models_manager::manager::ModelsManager::get_model_info @ 1d092cb66 -- 0.169.0: embedded catalog only
def model_info(config: Config) -> ModelInfo:
    """The model's limits: the catalog (or the fallback), then ``model_context_window`` and
    ``model_auto_compact_token_limit`` from config.toml."""
    window = config.model_context_window or CONTEXT_WINDOWS.get(
        config.model, FALLBACK_CONTEXT_WINDOW
    )
    return ModelInfo(
        slug=config.model,
        context_window=window,
        auto_compact_token_limit_config=config.model_auto_compact_token_limit,
    )
