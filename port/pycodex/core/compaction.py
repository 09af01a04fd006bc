"""Automatic context compaction, as codex 0.169.0 does it.

When the tokens of a thread reach the model's auto-compaction limit (see
:mod:`pycodex.core.models`), the history is replaced by a shorter one that keeps the
real user messages, the freshly built opening context and a summary:

* **local** (every provider but OpenAI's): an ordinary ``POST /responses`` with no tools,
  ``parallel_tool_calls: false`` and the summarisation prompt as the last user message;
  the model's answer, prefixed with :data:`summary_prefix`, becomes a user message.
  A ``context_length_exceeded`` answer drops the oldest history item and retries.
* **remote v2** (providers named ``OpenAI`` and Azure Responses endpoints): the usual
  turn request with a ``{"type": "compaction_trigger"}`` item appended; the server
  answers with exactly one ``compaction`` item (an opaque encrypted summary) that takes
  the summary's place.

Compaction runs before a turn samples (``pre_turn``, when the previous turns already
used up the budget) and between the requests of a turn that still needs a follow-up
(``mid_turn``). The session supplies the transport and bookkeeping through
:class:`CompactionHost`; this module owns the request shapes and the new history.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal, Protocol

from pycodex.client.events import Completed, OutputItemDone, ResponseEvent, TokenUsage
from pycodex.client.responses import backoff_seconds
from pycodex.config.model import ModelProviderInfo
from pycodex.errors import ContextWindowExceeded, ModelClientError, RetryableError, StreamError
from pycodex.truncation import approx_token_count, truncate_middle_tokens

JsonObject = dict[str, Any]
#: ``standalone_turn`` is a compaction the user asked for (``/compact``), run as its own turn.
Phase = Literal["pre_turn", "mid_turn", "standalone_turn"]

#: user messages kept verbatim in the compacted history, newest first, up to this many tokens.
COMPACT_USER_MESSAGE_MAX_TOKENS = 20_000
NO_SUMMARY = "(no summary available)"

#: user-message openings that carry context rather than something the user typed.
_CONTEXT_OPENINGS = (
    "<environment_context>",
    "# AGENTS.md instructions for ",
    "<user_instructions>",
    "<user_shell_command>",
    "<turn_aborted>",
    "<subagent_notification>",
    "<skill>",
)


# ferry: codex_core::compact::SUMMARIZATION_PROMPT @ 1d092cb66
@cache
def summarization_prompt() -> str:
    return _template("compact_prompt.md")


# ferry: codex_core::compact::SUMMARY_PREFIX @ 1d092cb66
@cache
def summary_prefix() -> str:
    return _template("compact_summary_prefix.md")


def _template(name: str) -> str:
    return (
        resources.files("pycodex.core")
        .joinpath("templates")
        .joinpath(name)
        .read_text(encoding="utf-8")
    )


# ferry: codex_model_provider_info::ModelProviderInfo::supports_remote_compaction @ 1d092cb66
def uses_remote_compaction(provider: ModelProviderInfo) -> bool:
    """OpenAI (by provider name, as codex decides) and Azure Responses endpoints compact remotely."""
    if provider.name == "OpenAI":
        return True
    base = provider.base_url.lower()
    return provider.name.lower() == "azure" or (
        "openai.azure." in base or "cognitiveservices.azure." in base
    )


# ferry: codex_core::compact::is_summary_message @ 1d092cb66
def is_summary_message(text: str) -> bool:
    return text.startswith(summary_prefix() + "\n")


# ferry: codex_core::event_mapping::parse_turn_item @ 1d092cb66 -- only the user-message case
def user_message_text(item: JsonObject) -> str | None:
    """The text of a message the user typed (``None`` for context messages and other items)."""
    if item.get("type") != "message" or item.get("role") != "user":
        return None
    texts = [
        str(part.get("text", ""))
        for part in item.get("content") or []
        if isinstance(part, dict) and part.get("type") == "input_text"
    ]
    if not texts or texts[0].startswith(_CONTEXT_OPENINGS):
        return None
    texts = [t for t in texts if not (t.startswith("<image name=") or t == "</image>")]
    return "".join(texts)


# ferry: codex_core::compact::collect_user_messages @ 1d092cb66
def collect_user_messages(items: Sequence[JsonObject]) -> list[JsonObject]:
    """The real user messages of ``items`` (summaries of earlier compactions left out)."""
    kept = []
    for item in items:
        text = user_message_text(item)
        if text is not None and not is_summary_message(text):
            kept.append(item)
    return kept


def _user_message(text: str) -> JsonObject:
    return {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}


# ferry: codex_core::compact::build_compacted_history @ 1d092cb66
def build_compacted_history(
    user_messages: Sequence[JsonObject],
    summary: JsonObject | str,
    max_tokens: int = COMPACT_USER_MESSAGE_MAX_TOKENS,
) -> list[JsonObject]:
    """The newest user messages that fit ``max_tokens`` (the oldest one kept may be cut in
    the middle), then the summary: a text (local) or a ``compaction`` item (remote)."""
    selected: list[JsonObject] = []
    remaining = max_tokens
    for item in reversed(user_messages):
        if remaining <= 0:
            break
        text = user_message_text(item) or ""
        tokens = approx_token_count(text)
        if tokens <= remaining:
            selected.append(item)
            remaining -= tokens
        else:
            selected.append(_user_message(truncate_middle_tokens(text, remaining)))
            break
    selected.reverse()
    if isinstance(summary, str):
        return [*selected, _user_message(summary or NO_SUMMARY)]
    return [*selected, summary]


# ferry: codex_core::compact::insert_initial_context_before_last_real_user_or_summary @ 1d092cb66
def insert_initial_context(
    history: list[JsonObject], initial_context: Sequence[JsonObject]
) -> list[JsonObject]:
    """Put the opening context right before the last real user message; failing that,
    before the summary (or compaction item), so the summary stays last."""
    last_user_or_summary: int | None = None
    last_real_user: int | None = None
    for index in range(len(history) - 1, -1, -1):
        text = user_message_text(history[index])
        if text is None:
            continue
        if last_user_or_summary is None:
            last_user_or_summary = index
        if not is_summary_message(text):
            last_real_user = index
            break
    last_compaction = next(
        (i for i in range(len(history) - 1, -1, -1) if history[i].get("type") == "compaction"),
        None,
    )
    at = next(
        (i for i in (last_real_user, last_user_or_summary, last_compaction) if i is not None),
        None,
    )
    if at is None:
        return [*history, *initial_context]
    return [*history[:at], *initial_context, *history[at:]]


# ferry: codex_core::context_manager::history::estimate_response_item_model_visible_bytes @ 1d092cb66
def estimate_item_tokens(item: JsonObject) -> int:
    """4 bytes per token of the item as sent; encrypted reasoning counts by its decoded size."""
    encrypted = item.get("encrypted_content")
    if item.get("type") in ("reasoning", "compaction") and isinstance(encrypted, str):
        visible = max(len(encrypted) * 3 // 4 - 650, 0)
    else:
        visible = len(json.dumps(item, ensure_ascii=False, separators=(",", ":")).encode())
    return (visible + 3) // 4


_MODEL_GENERATED = frozenset(
    {
        "reasoning",
        "function_call",
        "custom_tool_call",
        "local_shell_call",
        "web_search_call",
        "image_generation_call",
        "tool_search_call",
        "compaction",
    }
)


# ferry: codex_core::context_manager::history::is_model_generated_item @ 1d092cb66
def is_model_generated(item: JsonObject) -> bool:
    if item.get("type") == "message":
        return item.get("role") == "assistant"
    return item.get("type") in _MODEL_GENERATED


# ferry: codex_core::context_manager::history::ContextManager::get_total_token_usage @ 1d092cb66
def total_usage_tokens(history: Sequence[JsonObject], last_usage: TokenUsage | None) -> int:
    """Tokens the next request will carry: the last response's total plus an estimate of
    everything added since the model last spoke (tool outputs, new user messages) and of
    encrypted reasoning from before the last user message."""
    last = last_usage.total_tokens if last_usage is not None else 0
    after = len(history)
    for index in range(len(history) - 1, -1, -1):
        if is_model_generated(history[index]):
            after = index + 1
            break
    added = sum(estimate_item_tokens(i) for i in history[after:])
    last_user = next(
        (
            i
            for i in range(len(history) - 1, -1, -1)
            if history[i].get("type") == "message" and history[i].get("role") == "user"
        ),
        None,
    )
    reasoning = 0
    if last_user is not None:
        reasoning = sum(
            estimate_item_tokens(i)
            for i in history[:last_user]
            if i.get("type") == "reasoning" and isinstance(i.get("encrypted_content"), str)
        )
    return last + reasoning + added


# ferry: codex_analytics::facts::CompactionPhase @ 1d092cb66 -- the `compaction` turn-metadata block
@dataclass(frozen=True)
class CompactionRequest:
    """What one compaction is: why, when and how (sent in ``x-codex-turn-metadata``)."""

    phase: Phase
    remote: bool
    trigger: str = "auto"
    reason: str = "context_limit"

    # ferry: codex_core::turn_metadata::build_turn_metadata_bag @ 1d092cb66 -- 0.169.0: adds the compaction block
    def metadata(self) -> JsonObject:
        return {
            "trigger": self.trigger,
            "reason": self.reason,
            "implementation": "responses_compaction_v2" if self.remote else "responses",
            "phase": self.phase,
            "strategy": "memento",
        }


# ferry: codex_core::compact::compaction_status_from_result @ 1d092cb66 -- port-only shape of the result
@dataclass(frozen=True)
class CompactionResult:
    """The new history and what the rollout's ``compacted`` record needs."""

    replacement_history: list[JsonObject]
    message: str
    response_id: str | None
    usage: TokenUsage | None
    trimmed: int


# ferry: port-only -- Protocol seam: what compaction needs from the session running it
class CompactionHost(Protocol):
    """What compaction needs from the session that runs it."""

    # ferry: port-only -- Protocol seam between the session and compaction
    def compaction_stream(
        self, request: CompactionRequest, input_items: list[JsonObject]
    ) -> Iterator[ResponseEvent]:
        """Send one compaction request over the provider's wire API."""
        ...

    # ferry: port-only -- Protocol seam between the session and compaction
    def initial_context_items(self) -> list[JsonObject]:
        """Freshly built opening context (developer and user messages, new ids)."""
        ...

    # ferry: port-only -- Protocol seam between the session and compaction
    def record_compaction_output(self, item: JsonObject) -> None:
        """Keep an item the compaction request produced in history and the rollout."""
        ...

    # ferry: port-only -- Protocol seam between the session and compaction
    def record_usage(self, usage: TokenUsage | None, response_id: str | None) -> None:
        """Account a finished response's tokens (token_count and token_usage_record)."""
        ...

    # ferry: port-only -- Protocol seam between the session and compaction
    def notify_retry(self, message: str) -> None:
        """Tell the user a request is being retried."""
        ...


def _drain(
    host: CompactionHost, request: CompactionRequest, input_items: list[JsonObject]
) -> tuple[list[JsonObject], TokenUsage | None, str | None]:
    items: list[JsonObject] = []
    for event in host.compaction_stream(request, input_items):
        if isinstance(event, OutputItemDone):
            items.append(event.item)
        elif isinstance(event, Completed):
            return items, event.usage, event.response_id
    raise StreamError("stream closed before response.completed")


# ferry: codex_core::compact::run_compact_task_inner_impl @ 1d092cb66
# ferry: codex_core::compact_remote::run_remote_compact_task_inner_impl @ 1d092cb66 -- 0.169.0: remote v2 (compaction_trigger)
def compact(
    host: CompactionHost,
    history: Sequence[JsonObject],
    request: CompactionRequest,
    *,
    stream_max_retries: int,
    prompt: str | None = None,
    sleep: Any = time.sleep,
) -> CompactionResult:
    """Summarise ``history`` and return the history that replaces it.

    Raises :class:`ModelClientError` when the compaction request fails for good; for
    remote compaction, an answer without exactly one ``compaction`` item is such a failure.
    """
    working = list(history)
    tail: JsonObject = (
        {"type": "compaction_trigger"}
        if request.remote
        else _user_message(prompt or summarization_prompt())
    )
    trimmed = 0
    retries = 0
    while True:
        try:
            items, usage, response_id = _drain(host, request, [*working, tail])
            break
        except ContextWindowExceeded:
            # Drop from the front: the prompt cache is prefix-based and recent work matters most.
            if working:
                working.pop(0)
                trimmed += 1
                retries = 0
                continue
            raise
        except RetryableError as exc:
            if retries >= stream_max_retries:
                raise
            retries += 1
            host.notify_retry(f"Reconnecting... {retries}/{stream_max_retries} ({exc})")
            sleep(exc.delay if exc.delay is not None else backoff_seconds(retries))
    user_messages = collect_user_messages(history)
    if request.remote:
        # codex 0.169 does not count a remote compaction's tokens in the thread's usage.
        compactions = [i for i in items if i.get("type") == "compaction"]
        if len(compactions) != 1:
            raise ModelClientError(
                "Fatal error: remote compaction v2 expected exactly one compaction output item, "
                f"got {len(compactions)} from {len(items)} output items"
            )
        summary_item: JsonObject = dict(compactions[0])
        message = ""
        new_history = build_compacted_history(user_messages, summary_item)
    else:
        for item in items:
            host.record_compaction_output(item)
        host.record_usage(usage, response_id)
        suffix = next(
            (
                _assistant_text(i)
                for i in reversed(items)
                if i.get("type") == "message" and i.get("role") == "assistant"
            ),
            "",
        )
        message = f"{summary_prefix()}\n{suffix}"
        new_history = build_compacted_history(user_messages, message)
    new_history = insert_initial_context(new_history, host.initial_context_items())
    return CompactionResult(new_history, message, response_id, usage, trimmed)


def _assistant_text(item: JsonObject) -> str:
    return "".join(
        str(part.get("text", ""))
        for part in item.get("content") or []
        if isinstance(part, dict) and part.get("type") == "output_text"
    )
