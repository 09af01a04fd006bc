"""Values the model client yields while a response streams in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


# ferry: codex_protocol::protocol::TokenUsage @ 1d092cb66
@dataclass(frozen=True)
class TokenUsage:
    input_tokens: int = 0
    cached_input_tokens: int = 0
    output_tokens: int = 0
    reasoning_output_tokens: int = 0
    total_tokens: int = 0

    # ferry: codex_api::sse::responses::ResponseCompletedUsage @ 1d092cb66
    @classmethod
    def from_wire(cls, usage: dict[str, Any] | None) -> TokenUsage | None:
        if not usage:
            return None
        in_details = usage.get("input_tokens_details") or {}
        out_details = usage.get("output_tokens_details") or {}
        return cls(
            input_tokens=int(usage.get("input_tokens") or 0),
            cached_input_tokens=int(in_details.get("cached_tokens") or 0),
            output_tokens=int(usage.get("output_tokens") or 0),
            reasoning_output_tokens=int(out_details.get("reasoning_tokens") or 0),
            total_tokens=int(usage.get("total_tokens") or 0),
        )

    # ferry: codex_api::sse::responses::<TokenUsage as From<ResponseCompletedUsage>>::from @ 1d092cb66
    @classmethod
    def from_counts(cls, counts: dict[str, int] | None) -> TokenUsage | None:
        """From the flattened, already validated usage of ``validate.parse_completed``."""
        if counts is None:
            return None
        return cls(
            input_tokens=counts["input_tokens"],
            cached_input_tokens=counts["cached_tokens"],
            output_tokens=counts["output_tokens"],
            reasoning_output_tokens=counts["reasoning_tokens"],
            total_tokens=counts["total_tokens"],
        )

    def __add__(self, other: TokenUsage) -> TokenUsage:
        return TokenUsage(
            self.input_tokens + other.input_tokens,
            self.cached_input_tokens + other.cached_input_tokens,
            self.output_tokens + other.output_tokens,
            self.reasoning_output_tokens + other.reasoning_output_tokens,
            self.total_tokens + other.total_tokens,
        )

    # ferry: codex_exec::exec_events::Usage @ 1d092cb66 -- the usage of turn.completed
    def to_json(self) -> dict[str, int]:
        return {
            "input_tokens": self.input_tokens,
            "cached_input_tokens": self.cached_input_tokens,
            "cache_write_input_tokens": 0,
            "output_tokens": self.output_tokens,
            "reasoning_output_tokens": self.reasoning_output_tokens,
            "total_tokens": self.total_tokens,
        }


# ferry: codex_api::common::ResponseEvent::Created @ 1d092cb66
@dataclass(frozen=True)
class ResponseCreated:
    response_id: str | None


# ferry: codex_api::common::ResponseEvent::OutputItemAdded @ 1d092cb66
@dataclass(frozen=True)
class OutputItemAdded:
    item: dict[str, Any]


# ferry: codex_api::common::ResponseEvent::OutputItemDone @ 1d092cb66
@dataclass(frozen=True)
class OutputItemDone:
    item: dict[str, Any]


# ferry: codex_api::common::ResponseEvent::OutputTextDelta @ 1d092cb66
@dataclass(frozen=True)
class OutputTextDelta:
    delta: str


# ferry: codex_api::common::ResponseEvent::ReasoningContentDelta @ 1d092cb66
# ferry: codex_api::common::ResponseEvent::ReasoningSummaryDelta @ 1d092cb66
@dataclass(frozen=True)
class ReasoningDelta:
    delta: str
    summary: bool
    #: which summary part (or raw content part) the text belongs to
    index: int = 0


# ferry: codex_api::common::ResponseEvent::ReasoningSummaryPartAdded @ 1d092cb66
@dataclass(frozen=True)
class ReasoningSummaryPartAdded:
    """The model starts another part of its reasoning summary."""

    summary_index: int


# ferry: codex_api::common::ResponseEvent::Completed @ 1d092cb66
@dataclass(frozen=True)
class Completed:
    response_id: str | None
    usage: TokenUsage | None


# ferry: codex_api::common::ResponseEvent::ServerModel @ 1d092cb66
@dataclass(frozen=True)
class ServerModel:
    """The model the server says answered (``openai-model`` response header)."""

    model: str


ResponseEvent = (
    ServerModel
    | ResponseCreated
    | OutputItemAdded
    | OutputItemDone
    | OutputTextDelta
    | ReasoningDelta
    | ReasoningSummaryPartAdded
    | Completed
)
