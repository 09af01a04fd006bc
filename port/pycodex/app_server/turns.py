"""One running turn: the session core's events as v2 notifications, approvals as requests.

:class:`TurnRunner` is the :class:`~pycodex.core.observer.TurnObserver` and
:class:`~pycodex.core.observer.ApprovalHandler` of one turn. It turns model output items,
deltas, commands, patches and token counts into ``item/*``, ``turn/*`` and ``thread/*``
notifications in codex's order, and asks the client before a command or patch the
policy does not allow (``item/commandExecution/requestApproval``, answered with
``{"decision": ...}`` and followed by ``serverRequest/resolved``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from pycodex.app_server.command_actions import command_actions
from pycodex.app_server.threads import LoadedThread, TurnRecord
from pycodex.app_server.turn_diff import TurnDiffTracker
from pycodex.app_server.wire import now_ms
from pycodex.client import TokenUsage
from pycodex.core.observer import (
    ExecBegin,
    ExecEnd,
    PatchBegin,
    PatchChange,
    PatchEnd,
    TurnObserver,
)
from pycodex.errors import (
    AuthError,
    ContextWindowExceeded,
    InternalServerError,
    InvalidRequest,
    ModelClientError,
    ServerOverloaded,
    UsageLimitReached,
)

JsonObject = dict[str, Any]

#: what codex tells the user for a 5xx from the model (and its error code).
HIGH_DEMAND = "We\u2019re currently experiencing high demand, which may cause temporary errors."


# ferry: port-only -- what a turn needs from the server: send messages, ask the client
class ServerChannel(Protocol):
    # ferry: codex_app_server::outgoing_message::OutgoingMessageSender::send_server_notification @ 1d092cb66
    def notify(self, method: str, params: JsonObject) -> None: ...

    # ferry: codex_app_server::outgoing_message::OutgoingMessageSender::send_request @ 1d092cb66
    def ask(self, method: str, params: JsonObject, thread_id: str) -> JsonObject | None:
        """Send a server request and wait for the client's result (``None``: error reply)."""
        ...


# ferry: codex_protocol::openai_models::ModelInfo::resolved_context_window @ 1d092cb66 -- 0.169.0: the bundled catalog's windows
def model_context_window(model: str) -> int | None:
    """The usable context window codex reports for a model (95% of the catalog's)."""
    windows = {"gpt-5.5": 272_000, "gpt-5.4": 272_000, "gpt-5.2": 272_000, "gpt-5": 272_000}
    for slug in sorted(windows, key=len, reverse=True):
        if model.startswith(slug):
            return windows[slug] * 95 // 100
    return None


def _usage(usage: TokenUsage) -> JsonObject:
    return {
        "totalTokens": usage.total_tokens,
        "inputTokens": usage.input_tokens,
        "cachedInputTokens": usage.cached_input_tokens,
        "cacheWriteInputTokens": 0,
        "outputTokens": usage.output_tokens,
        "reasoningOutputTokens": usage.reasoning_output_tokens,
    }


# ferry: codex_app_server::bespoke_event_handling::handle_error @ 1d092cb66 -- 0.169.0 wording
def turn_error(exc: ModelClientError | None, message: str) -> JsonObject:
    """A failed turn's ``TurnError``: codex's message and ``codexErrorInfo`` for the failure."""
    info: Any = "other"
    text = message
    if isinstance(exc, InternalServerError | ServerOverloaded):
        info, text = "internalServerError", HIGH_DEMAND
    elif isinstance(exc, ContextWindowExceeded):
        info = "contextWindowExceeded"
    elif isinstance(exc, UsageLimitReached):
        info = "usageLimitExceeded"
    elif isinstance(exc, AuthError):
        info = "unauthorized"
    elif isinstance(exc, InvalidRequest):
        info = "badRequest"
    return {
        "message": text,
        "codexErrorInfo": info,
        "additionalDetails": None,
        "misalignment": None,
    }


@dataclass
class _Command:
    item: JsonObject
    pid: int | None = None


# ferry: codex_app_server::bespoke_event_handling::apply_bespoke_event_handling @ 1d092cb66 -- 0.169.0 notifications
@dataclass
class TurnRunner(TurnObserver):
    """Observer and approver of one turn of one loaded thread."""

    channel: ServerChannel
    thread: LoadedThread
    turn: TurnRecord
    #: the notifications after the turn's end wait for this (``turn/interrupt``'s answer first)
    release: threading.Event = field(default_factory=threading.Event)
    #: set when the turn's work is over and only its closing notifications remain
    stopped: threading.Event = field(default_factory=threading.Event)
    _message_id: str | None = None
    _reasoning_id: str | None = None
    _started: dict[str, JsonObject] = field(default_factory=dict)
    _commands: dict[str, _Command] = field(default_factory=dict)
    _diff: TurnDiffTracker = field(default_factory=TurnDiffTracker)

    def __post_init__(self) -> None:
        self._diff.cwd = self.thread.config.cwd

    _clear_flags_after: str | None = None
    _lock: threading.RLock = field(default_factory=threading.RLock)

    # ------------------------------------------------------------------ plumbing
    def _send(self, method: str, params: JsonObject) -> None:
        self.channel.notify(method, params)

    def _ids(self) -> JsonObject:
        return {"threadId": self.thread.id, "turnId": self.turn.id}

    # ferry: codex_app_server::bespoke_event_handling::apply_bespoke_event_handling @ 1d092cb66 -- its ItemStarted arm
    def item_started(self, item: JsonObject) -> None:
        started = now_ms()
        item = {**item, "startedAtMs": started, "completedAtMs": None}
        self._started[item["id"]] = item
        self._send("item/started", {"item": item, **self._ids(), "startedAtMs": started})

    # ferry: codex_app_server::bespoke_event_handling::apply_bespoke_event_handling @ 1d092cb66 -- its ItemCompleted arm
    def item_completed(self, item: JsonObject) -> None:
        started = self._started.pop(item["id"], None)
        done = now_ms()
        item = {
            **item,
            "startedAtMs": started["startedAtMs"] if started else done,
            "completedAtMs": done,
        }
        self.turn.items.append(item)
        self._send(
            "item/completed",
            {"item": item, **self._ids(), "contentTokenCount": None, "completedAtMs": done},
        )

    # ferry: codex_app_server::thread_status::ThreadWatchManager::mutate_and_publish @ 1d092cb66 -- publishes thread/status/changed
    def set_status(self, status: JsonObject) -> None:
        self.thread.status = status
        self._send("thread/status/changed", {"threadId": self.thread.id, "status": status})

    # ------------------------------------------------------------------ lifecycle
    # ferry: codex_app_server::codex_message_processor::CodexMessageProcessor::turn_start @ 1d092cb66 -- 0.169.0: notification order
    def begin(self, user_item: JsonObject) -> None:
        self.turn.started_at = int(time.time())
        self.set_status({"type": "active", "activeFlags": []})
        self._send(
            "turn/started",
            {"threadId": self.thread.id, "turn": self.turn.to_wire("notLoaded")},
        )
        self.item_started(user_item)
        self.item_completed(user_item)

    # ferry: codex_app_server::bespoke_event_handling::handle_turn_complete @ 1d092cb66 -- and emit_turn_completed_with_status
    def finish(self, status: str, error: JsonObject | None = None) -> None:
        """Close the turn: status change, ``error`` for failures, ``turn/completed``."""
        self.stopped.set()
        self.release.wait()
        turn = self.turn
        turn.status = status
        turn.error = error
        turn.completed_at = int(time.time())
        turn.duration_ms = int((time.monotonic() - turn.started_monotonic) * 1000)
        self.thread.updated_at = turn.completed_at
        if status == "failed":
            self.set_status({"type": "systemError"})
            self._send("error", {"error": error, "willRetry": False, **self._ids()})
        else:
            self.set_status({"type": "idle"})
        view = "summary" if status == "completed" else "notLoaded"
        self.thread.active = None  # a turn/start sent on seeing turn/completed must be accepted
        self._send("turn/completed", {"threadId": self.thread.id, "turn": turn.to_wire(view)})

    # ------------------------------------------------------------------ model output
    # ferry: codex_app_server::bespoke_event_handling::apply_bespoke_event_handling @ 1d092cb66 -- its ItemStarted arm, for items the model stream adds
    def item_added(self, item: JsonObject) -> None:
        kind = item.get("type")
        item_id = str(item.get("id") or "")
        if kind == "message" and item.get("role") == "assistant" and item_id:
            self._message_id = item_id
            self.item_started(_agent_message(item_id, ""))
        elif kind == "reasoning" and item_id:
            self._reasoning_id = item_id
            self.item_started({"type": "reasoning", "id": item_id, "summary": [], "content": []})

    # ferry: codex_app_server::bespoke_event_handling::apply_bespoke_event_handling @ 1d092cb66 -- its AgentMessageContentDelta arm
    def text_delta(self, delta: str) -> None:
        if self._message_id is not None:
            self._send(
                "item/agentMessage/delta",
                {**self._ids(), "itemId": self._message_id, "delta": delta},
            )

    # ferry: codex_app_server::bespoke_event_handling::apply_bespoke_event_handling @ 1d092cb66 -- its reasoning content delta arms
    def reasoning_delta(
        self, delta: str, *, summary_index: int | None, content_index: int | None
    ) -> None:
        if self._reasoning_id is None:
            return
        if summary_index is not None:
            self._send(
                "item/reasoning/summaryTextDelta",
                {
                    **self._ids(),
                    "itemId": self._reasoning_id,
                    "delta": delta,
                    "summaryIndex": summary_index,
                },
            )
        else:
            self._send(
                "item/reasoning/textDelta",
                {
                    **self._ids(),
                    "itemId": self._reasoning_id,
                    "delta": delta,
                    "contentIndex": content_index or 0,
                },
            )

    # ferry: codex_app_server::bespoke_event_handling::apply_bespoke_event_handling @ 1d092cb66 -- its AgentReasoningSectionBreak arm
    def reasoning_part_added(self, summary_index: int) -> None:
        if self._reasoning_id is not None:
            self._send(
                "item/reasoning/summaryPartAdded",
                {**self._ids(), "itemId": self._reasoning_id, "summaryIndex": summary_index},
            )

    # ferry: codex_app_server::bespoke_event_handling::apply_bespoke_event_handling @ 1d092cb66 -- its StreamError arm; 0.169.0: retries are errors with willRetry
    def stream_error(self, attempt: int, max_retries: int, error: Exception) -> None:
        details = (
            HIGH_DEMAND if isinstance(error, InternalServerError | ServerOverloaded) else str(error)
        )
        self._send(
            "error",
            {
                "error": {
                    "message": f"Reconnecting... {attempt}/{max_retries}",
                    "codexErrorInfo": {"responseStreamDisconnected": {"httpStatusCode": None}},
                    "additionalDetails": details,
                    "misalignment": None,
                },
                "willRetry": True,
                **self._ids(),
            },
        )

    # ferry: codex_app_server::bespoke_event_handling::apply_bespoke_event_handling @ 1d092cb66 -- its ItemCompleted arm, for items the model stream completes
    def item_done(self, item: JsonObject) -> None:
        kind = item.get("type")
        if kind == "message" and item.get("role") == "assistant":
            item_id = str(item.get("id") or "")
            text = "".join(
                str(p.get("text", ""))
                for p in item.get("content") or []
                if isinstance(p, dict) and p.get("type") == "output_text"
            )
            wire = _agent_message(item_id, text, item.get("phase"))
            if item_id not in self._started:
                self.item_started(wire)
            self.item_completed(wire)
            self._message_id = None
        elif kind == "reasoning":
            item_id = str(item.get("id") or "")
            summary = [
                str(s.get("text", "")) for s in item.get("summary") or [] if isinstance(s, dict)
            ]
            content = [
                str(c.get("text", "")) for c in item.get("content") or [] if isinstance(c, dict)
            ]
            wire = {"type": "reasoning", "id": item_id, "summary": summary, "content": content}
            if item_id not in self._started:
                self.item_started(wire)
            self.item_completed(wire)
            self._reasoning_id = None

    # ferry: codex_app_server::bespoke_event_handling::handle_token_count_event @ 1d092cb66 -- 0.169.0: rate limits and turn diff follow
    def usage(self, total: TokenUsage, last: TokenUsage) -> None:
        self._send(
            "thread/tokenUsage/updated",
            {
                **self._ids(),
                "tokenUsage": {
                    "total": _usage(total),
                    "last": _usage(last),
                    "modelContextWindow": model_context_window(self.thread.config.model),
                },
            },
        )
        self._send(
            "account/rateLimits/updated",
            {
                "rateLimits": {
                    "limitId": "codex",
                    "limitName": None,
                    "primary": None,
                    "secondary": None,
                }
            },
        )
        if self._diff.has_changes():
            self._send("turn/diff/updated", {**self._ids(), "diff": self._diff.unified_diff()})

    # ------------------------------------------------------------------ commands
    def _command_item(self, begin: ExecBegin, *, source: str, pid: int | None) -> JsonObject:
        return {
            "type": "commandExecution",
            "id": begin.call_id,
            "pluginId": None,
            "scriptPath": None,
            "command": begin.command,
            "cwd": str(begin.cwd),
            "processId": str(pid) if pid is not None else None,
            "source": source,
            "status": "inProgress",
            "commandActions": command_actions(begin.argv, begin.cwd),
            "aggregatedOutput": None,
            "exitCode": None,
            "durationMs": None,
        }

    # ferry: codex_app_server::bespoke_event_handling::start_command_execution_item @ 1d092cb66
    def exec_begin(self, event: ExecBegin) -> None:
        with self._lock:
            known = self._commands.get(event.call_id)
            if known is not None:
                known.pid = event.process_id
                return
            item = self._command_item(event, source="unifiedExecStartup", pid=event.process_id)
            self._commands[event.call_id] = _Command(item, event.process_id)
            self.item_started(item)

    # ferry: codex_app_server::bespoke_event_handling::apply_bespoke_event_handling @ 1d092cb66 -- its ExecCommandOutputDelta arm
    def exec_output(self, call_id: str, chunk: str) -> None:
        if chunk:
            self._send(
                "item/commandExecution/outputDelta",
                {**self._ids(), "itemId": call_id, "delta": chunk},
            )

    # ferry: codex_app_server::bespoke_event_handling::complete_command_execution_item @ 1d092cb66
    def exec_end(self, event: ExecEnd) -> None:
        with self._lock:
            command = self._commands.pop(event.call_id, None)
        if command is None:
            return
        declined = event.status == "declined"
        pid = command.pid if command.pid is not None else event.process_id
        item = {
            **command.item,
            "status": event.status,
            "processId": str(pid) if pid is not None and not declined else None,
            "source": "agent" if declined else "unifiedExecStartup",
            "aggregatedOutput": event.aggregated_output or None,
            "exitCode": event.exit_code,
            "durationMs": None if declined else int(event.duration_s * 1000),
        }
        self.item_completed(item)
        if self._clear_flags_after == event.call_id:
            self._clear_flags_after = None
            self.set_status({"type": "active", "activeFlags": []})

    # ------------------------------------------------------------------ patches
    def _file_item(self, call_id: str, changes: Sequence[PatchChange], status: str) -> JsonObject:
        return {
            "type": "fileChange",
            "id": call_id,
            "changes": [_file_change(c) for c in changes],
            "status": status,
        }

    # ferry: codex_app_server::bespoke_event_handling::apply_bespoke_event_handling @ 1d092cb66 -- its PatchApplyBegin arm
    def patch_begin(self, event: PatchBegin) -> None:
        self._diff.track(event.changes)
        self.item_started(self._file_item(event.call_id, event.changes, "inProgress"))

    # ferry: codex_app_server::bespoke_event_handling::complete_file_change_item @ 1d092cb66
    def patch_end(self, event: PatchEnd) -> None:
        self.item_completed(self._file_item(event.call_id, event.changes, event.status))
        if event.status == "completed":
            self._diff.applied(event.changes)
            self._send("turn/diff/updated", {**self._ids(), "diff": self._diff.unified_diff()})

    # ------------------------------------------------------------------ approvals
    # ferry: codex_app_server::bespoke_event_handling::apply_bespoke_event_handling @ 1d092cb66 -- its ExecApprovalRequest arm; 0.169.0: request shape
    # ferry: codex_app_server::bespoke_event_handling::on_command_execution_request_approval_response @ 1d092cb66
    def approve_command(
        self,
        call_id: str,
        argv: Sequence[str],
        command: str,
        cwd: Path,
        reason: str | None,
        amendment: Sequence[str] | None,
    ) -> str:
        begin = ExecBegin(call_id, tuple(argv), command, cwd)
        item = self._command_item(begin, source="agent", pid=None)
        with self._lock:
            self._commands[call_id] = _Command(item)
        self.set_status({"type": "active", "activeFlags": ["waitingOnApproval"]})
        self.item_started(item)
        started = self._started.get(call_id, {}).get("startedAtMs", now_ms())
        params: JsonObject = {
            "kind": "command",
            **self._ids(),
            "itemId": call_id,
            "startedAtMs": started,
            "environmentId": "local",
            "command": command,
            "cwd": str(cwd),
            "commandActions": item["commandActions"],
        }
        decisions: list[Any] = ["accept"]
        if amendment:
            params["proposedExecpolicyAmendment"] = list(amendment)
            decisions.append(
                {"acceptWithExecpolicyAmendment": {"execpolicy_amendment": list(amendment)}}
            )
        decisions.append("cancel")
        params["availableDecisions"] = decisions
        if reason:
            params["reason"] = reason
        verdict = _decision(
            self.channel.ask("item/commandExecution/requestApproval", params, self.thread.id)
        )
        if verdict in _ACCEPTS:
            self.set_status({"type": "active", "activeFlags": []})
        else:
            self._clear_flags_after = call_id
        return verdict

    # ferry: codex_app_server::bespoke_event_handling::apply_bespoke_event_handling @ 1d092cb66 -- its ApplyPatchApprovalRequest arm; 0.169.0: request shape
    # ferry: codex_app_server::bespoke_event_handling::on_file_change_request_approval_response @ 1d092cb66
    def approve_patch(
        self, call_id: str, changes: Sequence[PatchChange], reason: str | None
    ) -> str:
        started = self._started.get(call_id, {}).get("startedAtMs", now_ms())
        self.set_status({"type": "active", "activeFlags": ["waitingOnApproval"]})
        params: JsonObject = {
            **self._ids(),
            "itemId": call_id,
            "startedAtMs": started,
            "reason": reason,
            "grantRoot": None,
        }
        verdict = _decision(
            self.channel.ask("item/fileChange/requestApproval", params, self.thread.id)
        )
        self.set_status({"type": "active", "activeFlags": []})
        return verdict


_ACCEPTS = ("accept", "acceptForSession", "acceptWithExecpolicyAmendment")


def _decision(reply: JsonObject | None) -> str:
    """The decision in an approval answer (an error answer declines)."""
    if not isinstance(reply, dict):
        return "decline"
    decision = reply.get("decision")
    if isinstance(decision, str):
        return decision
    if isinstance(decision, dict) and len(decision) == 1:
        return str(next(iter(decision)))
    return "decline"


def _agent_message(item_id: str, text: str, phase: Any = None) -> JsonObject:
    return {
        "type": "agentMessage",
        "moderation": None,
        "id": item_id,
        "text": text,
        "phase": phase,
        "memoryCitation": None,
        "delivery": None,
        "questions": None,
    }


def _file_change(change: PatchChange) -> JsonObject:
    kind: JsonObject = {"type": change.kind}
    if change.kind == "update":
        kind["move_path"] = str(change.move_path) if change.move_path is not None else None
    return {"path": str(change.path), "kind": kind, "diff": change.diff}


#: a callable that runs a function on a new thread (tests can run it inline).
Spawner = Callable[[Callable[[], None]], None]
