"""Token usage read back from codex/pycodex rollout files.

Both write ``$CODEX_HOME/sessions/**/rollout-*.jsonl``; each ``event_msg`` line whose
payload is a ``token_count`` carries the running ``total_token_usage``, so the last
one in a file is that session's total.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_FIELDS = (
    "input_tokens",
    "cached_input_tokens",
    "output_tokens",
    "reasoning_output_tokens",
    "total_tokens",
)


@dataclass(frozen=True)
class TokenUsage:
    input_tokens: int = 0
    cached_input_tokens: int = 0
    output_tokens: int = 0
    reasoning_output_tokens: int = 0
    total_tokens: int = 0

    def __add__(self, other: TokenUsage) -> TokenUsage:
        return TokenUsage(*(getattr(self, f) + getattr(other, f) for f in _FIELDS))

    def cost_usd(self, prices: Mapping[str, float]) -> float | None:
        """Cost from per-million prices ``input``, ``cached_input``, ``output``; ``None`` if unpriced."""
        if "input" not in prices or "output" not in prices:
            return None
        cached = prices.get("cached_input", prices["input"])
        uncached = max(self.input_tokens - self.cached_input_tokens, 0)
        return (
            uncached * prices["input"]
            + self.cached_input_tokens * cached
            + self.output_tokens * prices["output"]
        ) / 1_000_000


def _usage(raw: Any) -> TokenUsage | None:
    if not isinstance(raw, dict):
        return None
    return TokenUsage(*(int(raw.get(f) or 0) for f in _FIELDS))


def rollout_usage(path: Path) -> TokenUsage | None:
    """The final ``total_token_usage`` of one rollout file (``None`` when it reports none)."""
    last: TokenUsage | None = None
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            item = json.loads(line)
        except json.JSONDecodeError:
            continue
        if not isinstance(item, dict) or item.get("type") != "event_msg":
            continue
        payload = item.get("payload")
        if not isinstance(payload, dict) or payload.get("type") != "token_count":
            continue
        info = payload.get("info")
        if isinstance(info, dict):
            last = _usage(info.get("total_token_usage")) or last
    return last


def sessions_usage(codex_home: Path) -> TokenUsage | None:
    """Sum over every rollout under ``codex_home/sessions`` (``None`` when there is none)."""
    total: TokenUsage | None = None
    for path in sorted((codex_home / "sessions").rglob("rollout-*.jsonl")):
        usage = rollout_usage(path)
        if usage is not None:
            total = usage if total is None else total + usage
    return total
