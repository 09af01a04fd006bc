"""The agent loop: sample the model, run the tools it calls, feed results back, repeat.

One :class:`Session` is one thread (conversation). :meth:`Session.run_turn`
handles one user turn: it sends the history, streams the answer (messages and
reasoning are shown as they arrive, tool calls run once the response ends), and
samples again until the model answers without calling a tool. Everything observable goes to an :class:`EventSink`
(the ``--json`` / human printers) and to the rollout recorder.
"""

from __future__ import annotations

import hashlib
import json
import queue
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from pycodex import UPSTREAM_VERSION
from pycodex.client import ModelClient, RequestContext, TokenUsage, stream_model
from pycodex.client.events import (
    Completed,
    OutputItemAdded,
    OutputItemDone,
    OutputTextDelta,
    ReasoningDelta,
    ReasoningSummaryPartAdded,
    ResponseEvent,
    ServerModel,
)
from pycodex.client.responses import backoff_seconds
from pycodex.config.model import Config
from pycodex.config.models import fallback_warning, history_token_budget
from pycodex.core import compaction
from pycodex.core.agents.source import SubAgentSource
from pycodex.core.models import model_info
from pycodex.core.observer import NULL_OBSERVER, ApprovalHandler, TurnObserver
from pycodex.core.rollout import (
    ResumedThread,
    RolloutRecorder,
    rollout_path_for,
    session_meta,
    uuid7,
)
from pycodex.errors import ModelClientError, RetryableError, StreamError
from pycodex.fsutil import write_text_atomic
from pycodex.images import input_image, user_image_items
from pycodex.prompt.agents_md import (
    project_doc_warnings,
    user_instructions,
    user_instructions_text,
)
from pycodex.prompt.environment import environment_context_text
from pycodex.prompt.permissions import permissions_text
from pycodex.shell import default_user_shell
from pycodex.skills import load_skills
from pycodex.tools.handlers import ABORTED_OUTPUT, ToolContext, ToolRouter
from pycodex.tools.mcp_tools import McpTools
from pycodex.tools.specs import multi_agent_enabled, multi_agent_namespace, spec, tools_for
from pycodex.tools.tool_search import (
    MULTI_AGENT_NAMESPACE,
    ToolSearch,
    coalesce,
    mcp_entries,
    mcp_namespace,
    multi_agent_entries,
    removed_tools_fragment,
    tools_fragment,
)
from pycodex.truncation import truncate_middle_tokens

if TYPE_CHECKING:
    from pycodex.core.agents.control import AgentControl

JsonObject = dict[str, Any]


# ferry: codex_exec::event_processor::EventProcessor @ 1d092cb66 -- where thread events go (a Protocol)
class EventSink(Protocol):
    """Receives exec thread events (``thread.started``, ``item.completed``, …)."""

    # ferry: codex_exec::event_processor_with_jsonl_output::EventProcessorWithJsonOutput::emit @ 1d092cb66
    def emit(self, event: JsonObject) -> None: ...


# ferry: codex_core::session::Session::get_base_instructions @ 1d092cb66
def base_instructions_text(config: Config) -> str:
    if config.base_instructions is not None:
        return config.base_instructions
    from importlib import resources

    return (
        resources.files("pycodex.prompt")
        .joinpath("base_instructions.md")
        .read_text(encoding="utf-8")
    )


def _message(role: str, texts: list[str]) -> JsonObject:
    return {
        "type": "message",
        "role": role,
        "content": [{"type": "input_text", "text": t} for t in texts],
    }


# ferry: codex_protocol::models::local_image_content_items_with_label_number @ 1d092cb66 -- with the prompt text after the images
def user_turn_message(prompt: str, images: Sequence[tuple[str, Path | str]] = ()) -> JsonObject:
    """The user message of a turn: each image wrapped in ``<image ...>`` tags, then the text.

    An image is a file to load (``exec -i``, the TUI) or a URL already encoded (the app
    server reads its ``localImage`` inputs itself, to answer a bad one with an error).
    """
    content: list[JsonObject] = []
    for number, (shown_path, source) in enumerate(images, start=1):
        if isinstance(source, Path):
            content.extend(user_image_items(number, shown_path, source))
            continue
        content.append(
            {"type": "input_text", "text": f'<image name=[Image #{number}] path="{shown_path}">'}
        )
        content.append(input_image(source))
        content.append({"type": "input_text", "text": "</image>"})
    content.append({"type": "input_text", "text": prompt})
    return {"type": "message", "role": "user", "content": content}


_ID_PREFIX = {
    "message": "msg",
    "function_call": "fc",
    "function_call_output": "fco",
    "custom_tool_call": "ctc",
    "custom_tool_call_output": "ctco",
    "compaction": "cmp",
    "tool_search_call": "tsc",
    "tool_search_output": "tso",
}


# ferry: codex_api::requests::responses::attach_item_ids @ 1d092cb66 -- the item shape kept in history and sent back
def normalize_history_item(item: JsonObject) -> JsonObject:
    """Give an item the shape upstream keeps in history: ids on messages and calls, none on reasoning."""
    kind = item.get("type")
    if kind == "reasoning":
        normalized = {k: v for k, v in item.items() if k != "id"}
        normalized.setdefault("content", None)
        return {
            "type": "reasoning",
            "summary": normalized.get("summary", []),
            "content": normalized["content"],
            **{k: v for k, v in normalized.items() if k not in ("type", "summary", "content")},
        }
    prefix = _ID_PREFIX.get(str(kind))
    if prefix is not None and not item.get("id"):
        return {
            "type": kind,
            "id": f"{prefix}_{uuid7()}",
            **{k: v for k, v in item.items() if k != "type"},
        }
    return item


# ferry: codex_core::context::model_switch_instructions::ModelSwitchInstructions @ 1d092cb66 -- 0.169.0 wording
def model_switch_text(base_instructions: str) -> str:
    """The developer message telling the model a thread continues under another model."""
    return (
        "<model_switch>\nThe user was previously using a different model. Please continue the "
        f"conversation according to the following instructions:\n\n{base_instructions}\n"
        "</model_switch>"
    )


# ferry: codex_core::context_manager::history::ContextManager::for_prompt @ 1d092cb66 -- 0.169.0: assistant ids are not sent
def request_item(item: JsonObject) -> JsonObject:
    """An item as sent to the model: an assistant message goes without the id the server gave it
    (the rollout keeps it)."""
    if item.get("type") == "message" and item.get("role") == "assistant":
        return {k: v for k, v in item.items() if k != "id"}
    return item


# ferry: codex_core::session::Session::build_initial_context @ 1d092cb66 -- 0.169.0: skills and <tools> fragments
def initial_context(
    config: Config, *, skills: str | None = None, deferred_tools: str | None = None
) -> list[JsonObject]:
    """The developer and user messages that open every new thread (the base instructions
    travel separately, ahead of the history, as codex sends them).

    ``skills`` is the ``<skills_instructions>`` fragment and ``deferred_tools`` the
    ``<tools>`` fragment, when there is anything to list.
    """
    items: list[JsonObject] = []
    developer: list[str] = []
    if config.developer_instructions:
        developer.append(config.developer_instructions)
    if skills:
        developer.append(skills)
    if config.include_permissions_instructions:
        developer.append(permissions_text(config.sandbox, config.approval_policy, config.cwd))
    if deferred_tools:
        developer.append(deferred_tools)
    if developer:
        items.append(_message("developer", developer))
    user: list[str] = []
    agents = user_instructions(
        config.codex_home,
        config.cwd,
        config.user_instructions_files,
        config.project_root_markers,
        config.project_doc_max_bytes,
    )
    if agents:
        user.append(user_instructions_text(config.cwd, agents))
    if config.include_environment_context:
        user.append(environment_context_text(config.cwd, config.sandbox, default_user_shell().name))
    if user:
        items.append(_message("user", user))
    return items


#: what codex tells the user (and the model) when a request was answered by another model.
CYBER_REROUTE_WARNING = (
    "Your account was flagged for potentially high-risk cyber activity and this request was "
    "routed to gpt-5.2 as a fallback. To regain access to gpt-5.3-codex, apply for trusted "
    "access: https://chatgpt.com/cyber or learn more: "
    "https://developers.openai.com/codex/concepts/cyber-safety"
)


def _last_fragment(history: Sequence[JsonObject], opening: str) -> str | None:
    """The text of the newest message part in ``history`` starting with ``opening``."""
    for item in reversed(history):
        if item.get("type") != "message":
            continue
        for part in item.get("content") or []:
            text = part.get("text") if isinstance(part, Mapping) else None
            if isinstance(text, str) and text.startswith(opening):
                return text
    return None


def _env_fields(text: str) -> list[tuple[str, str]]:
    """``(tag, line)`` pairs of an ``<environment_context>`` text, in order."""
    fields: list[tuple[str, str]] = []
    for line in text.splitlines()[1:-1]:
        stripped = line.strip()
        if stripped.startswith("<"):
            tag = stripped[1:].split(">", 1)[0].split(" ", 1)[0]
            fields.append((tag, line))
    return fields


# ferry: codex_core::context::environment_context::EnvironmentContext::diff_from_turn_context_item @ 1d092cb66 -- 0.169.0 fields
def environment_context_update(before: str, after: str) -> str | None:
    """What changed since ``before`` as an environment context (date and timezone always),
    or ``None`` when nothing but the shell or the date differs."""
    old = dict(_env_fields(before))
    new = _env_fields(after)
    volatile = ("shell", "current_date", "timezone")
    if all(old.get(tag) == line for tag, line in new if tag not in volatile):
        return None
    kept = [
        line
        for tag, line in new
        if tag in ("current_date", "timezone") or (tag != "shell" and old.get(tag) != line)
    ]
    return "\n".join(["<environment_context>", *kept, "</environment_context>"])


# ferry: codex_core::session::Session::build_settings_update_items @ 1d092cb66
def settings_update_items(config: Config, history: Sequence[JsonObject]) -> list[JsonObject]:
    """Messages telling a resumed thread that its permissions or environment changed."""
    items: list[JsonObject] = []
    if config.include_permissions_instructions:
        current = permissions_text(config.sandbox, config.approval_policy, config.cwd)
        recorded = _last_fragment(history, "<permissions instructions>")
        if recorded is not None and recorded != current:
            items.append(_message("developer", [current]))
    if config.include_environment_context:
        now = environment_context_text(config.cwd, config.sandbox, default_user_shell().name)
        recorded = _last_fragment(history, "<environment_context>")
        update = None if recorded is None else environment_context_update(recorded, now)
        if update is not None:
            items.append(_message("user", [update]))
    return items


# ferry: port-only -- observer seam so the state database follows a session without the core importing it
class SessionHooks:
    """Called at the points where codex updates its state database; no-ops by default."""

    # ferry: port-only -- observer seam (see class)
    def thread_started(self, session: Session) -> None:
        return None

    # ferry: port-only -- observer seam (see class)
    def user_message(self, session: Session, text: str) -> None:
        return None

    # ferry: port-only -- observer seam (see class)
    def usage(self, session: Session) -> None:
        return None

    # ferry: port-only -- observer seam (see class)
    def turn_finished(self, session: Session) -> None:
        return None

    # ferry: port-only -- observer seam (see class): codex's feedback log records
    def log(self, session: Session, level: str, message: str) -> None:
        return None

    # ferry: port-only -- observer seam (see class): the hooks a spawned sub-agent's session gets
    def child_hooks(self) -> SessionHooks:
        return SessionHooks()

    # ferry: port-only -- observer seam (see class): the session closed (release what the hooks hold)
    def thread_closed(self, session: Session) -> None:
        return None

    # ferry: port-only -- observer seam (see class): codex's thread_spawn_edges rows
    def spawn_edge(self, parent_thread_id: str, child_thread_id: str, status: str) -> None:
        return None

    # ferry: port-only -- observer seam (see class): nickname and role a thread was spawned with
    def agent_identity(self, thread_id: str) -> tuple[str | None, str | None] | None:
        return None


class _CompactionBridge:
    """The session as :class:`compaction.CompactionHost` for one compaction of one turn."""

    def __init__(self, session: Session, turn_id: str) -> None:
        self.session = session
        self.turn_id = turn_id

    def compaction_stream(
        self, request: compaction.CompactionRequest, input_items: list[JsonObject]
    ) -> Iterator[ResponseEvent]:
        session = self.session
        ctx = session.request_context(self.turn_id, request)
        if request.remote:
            body = session.request_body(ctx, input_items=input_items)
        else:
            body = session.request_body(
                ctx, input_items=input_items, tools=[], parallel_tool_calls=False
            )
        return stream_model(session.client, body, ctx)

    def initial_context_items(self) -> list[JsonObject]:
        return [normalize_history_item(i) for i in self.session.build_initial_context()]

    def record_compaction_output(self, item: JsonObject) -> None:
        self.session.recorder.record("response_item", normalize_history_item(item))

    def record_usage(self, usage: TokenUsage | None, response_id: str | None) -> None:
        self.session.record_usage(usage, response_id)
        self.session.flush_usage()  # a compaction response runs no tool calls: tell it now

    def notify_retry(self, message: str) -> None:
        self.session.sink.emit({"type": "error", "message": message})


# ferry: codex_core::session::turn::get_last_assistant_message_from_turn @ 1d092cb66 -- the last message or the error of a turn
@dataclass
class TurnOutcome:
    """How a turn ended: the last agent message, or the error that failed it."""

    last_message: str | None = None
    error: str | None = None
    usage: TokenUsage = field(default_factory=TokenUsage)
    #: the exception behind ``error`` (its type tells a front end what kind of failure)
    exception: ModelClientError | None = None
    #: the turn was stopped by :meth:`Session.interrupt` (the user, or a sub-agent's parent)
    interrupted: bool = False


# ferry: codex_protocol::protocol::TurnAbortReason::Interrupted @ 1d092cb66
class TurnInterrupted(Exception):
    """Raised inside a turn once :meth:`Session.interrupt` was called."""


#: what the next turn's history says about an interrupted one (codex 0.169.0's fragment).
TURN_ABORTED = (
    "<turn_aborted>\nThe user interrupted the previous turn on purpose. Any running unified exec "
    "processes may still be running in the background. If any tools/commands were aborted, they "
    "may have partially executed.\n</turn_aborted>"
)

#: markers a sub-agent's stream pump hands its turn thread (see ``Session._stream``).
_STREAM_END = object()
_STREAM_CANCELLED = object()

#: tools whose aborted output reads like a command's.
_SHELL_TOOLS = (
    "shell",
    "container.exec",
    "local_shell",
    "shell_command",
    "unified_exec",
    "exec_command",
)


# ferry: codex_core::tools::parallel::ToolCallRuntime::aborted_response @ 1d092cb66 -- 0.169.0: exec_command reads like a shell
def aborted_output(call: JsonObject, seconds: float) -> JsonObject:
    """The output of a tool call the user's interrupt stopped (or kept from starting)."""
    name = str(call.get("name", ""))
    if not call.get("namespace") and name in _SHELL_TOOLS:
        text = f"Wall time: {seconds:.1f} seconds\naborted by user"
    else:
        text = f"aborted by user after {seconds:.1f}s"
    kind = (
        "custom_tool_call_output"
        if call.get("type") == "custom_tool_call"
        else "function_call_output"
    )
    return {"type": kind, "call_id": call.get("call_id"), "output": text}


# ferry: port-only -- who drives the session (exec, the TUI or the app server), for request metadata
@dataclass(frozen=True)
class SessionSurface:
    """What differs between front ends in the requests and rollouts a session writes.

    ``exec`` reports itself as the thread source and the turn trigger of its requests'
    turn metadata; the interactive UI says ``user`` for both; the app server leaves both
    out. ``warm_fork``: a fork made from a thread held in memory (the app server) rather
    than read back from its rollout (``exec fork``).
    """

    thread_source: str | None = "user"
    turn_trigger: str | None = "exec"
    #: the rollout's ``session_meta``: who started the thread, from where
    originator: str = "codex_exec"
    source: str = "exec"
    warm_fork: bool = False
    #: the observer hears of a response's token usage after its tool calls have run (the
    #: app server's ``thread/tokenUsage/updated`` follows the command items, as codex's
    #: does); otherwise at once (the UI's status line counts the tokens while it asks)
    usage_after_tool_calls: bool = False


# ferry: codex_core::session::session::Session @ 1d092cb66
class Session:
    """One thread: its history, rollout, token accounting and context window."""

    def __init__(
        self,
        config: Config,
        client: ModelClient,
        sink: EventSink,
        *,
        resumed: ResumedThread | None = None,
        fork: bool = False,
        output_schema: JsonObject | None = None,
        sleep: Callable[[float], None] = time.sleep,
        hooks: SessionHooks | None = None,
        subagent: SubAgentSource | None = None,
        agents: AgentControl | None = None,
        forked_history: Sequence[JsonObject] | None = None,
        model_switch: str | None = None,
        inherited_namespaces: Mapping[str, str | None] | None = None,
        observer: TurnObserver | None = None,
        approvals: ApprovalHandler | None = None,
        surface: SessionSurface | None = None,
    ) -> None:
        #: the model the thread last ran with (another one now is a model switch).
        self.resumed_model = resumed.model if resumed is not None else None
        self._settings_checked = False
        self._turn_completed = False
        self._rerouted_this_turn = False
        self.config = config
        #: set for a thread spawned by another one (``spawn_agent``); ``None`` for the root.
        self.subagent = subagent
        self._model_switch = model_switch
        # Pending input (sub-agent notifications, queued messages) is taken into the running
        # turn before its next request; ``interrupt`` stops that turn. Both may be called from
        # other threads (the parent's, a child's), hence the lock.
        self._pending_lock = threading.Lock()
        self._pending: list[JsonObject] = []
        self._turn_open = False
        self._busy = False
        self._closed = False
        self._cancel_queue: queue.Queue[Any] | None = None
        #: (parent turn id, root turn id) of the request that started the current turn.
        self.turn_origin: tuple[str, str] | None = None
        self.client = client
        self.sink = sink
        self.hooks = hooks or SessionHooks()
        self.observer = observer or NULL_OBSERVER
        self.surface = surface or SessionSurface()
        self._interrupt = threading.Event()
        self._pending_usage: tuple[TokenUsage, TokenUsage] | None = None
        self.resumed = resumed is not None and not fork
        self.forked_from = resumed.thread_id if resumed is not None and fork else None
        self._fork_ordinal = resumed.next_ordinal if resumed is not None and fork else None
        #: (parent thread, first ordinal of this file) when the thread is a fork
        self.fork_origin: tuple[str, int] | None = (
            (resumed.thread_id, resumed.next_ordinal)
            if resumed is not None and fork
            else (resumed.forked_from, resumed.forked_from_ordinal)
            if resumed is not None
            and resumed.forked_from is not None
            and resumed.forked_from_ordinal is not None
            else None
        )
        self.thread_id = resumed.thread_id if self.resumed and resumed else uuid7()
        self.base_instructions = (
            resumed.base_instructions
            if resumed is not None and resumed.base_instructions is not None
            else base_instructions_text(config)
        )
        self.mcp = start_mcp(config)
        self.skills = load_skills(config)
        self.history: list[JsonObject] = (
            list(resumed.history)
            if resumed is not None
            else [normalize_history_item(i) for i in forked_history]
            if forked_history is not None
            else [normalize_history_item(i) for i in self.build_initial_context()]
        )
        self.output_schema = output_schema
        self._sleep = sleep
        self._item_counter = 0
        self.model = model_info(config)
        self.total_usage = resumed.total_usage if resumed is not None else TokenUsage()
        self.last_usage: TokenUsage | None = resumed.last_usage if resumed is not None else None
        self._last_usage_estimated = False
        if self.resumed and resumed is not None and not config.ephemeral:
            # a resumed thread appends to its own file, continuing its ordinals
            self.recorder = RolloutRecorder(resumed.path, resumed.next_ordinal)
        elif resumed is not None and not config.ephemeral:
            # a fork's file continues the ordinals of the part of its parent it inherits
            self.recorder = RolloutRecorder(
                rollout_path_for(config.codex_home, self.thread_id), resumed.next_ordinal
            )
        else:
            self.recorder = RolloutRecorder.create(
                config.codex_home, self.thread_id, config.ephemeral
            )
        self.installation_id = installation_id(config.codex_home)
        self.window_number = resumed.window_number if self.resumed and resumed else 0
        self.context_window_id = (
            resumed.context_window_id
            if self.resumed and resumed and resumed.context_window_id
            else uuid7()
        )
        self.window_id = f"{self.thread_id}:{self.window_number}"
        self._turn_started_ms = 0
        self._turns_run = 0
        self._turn_id = ""
        self._turn_workspace: tuple[Path, dict[str, object]] | None = None
        self._base_message_id = "msg_" + str(
            uuid.uuid5(uuid.NAMESPACE_URL, f"pycodex:{self.thread_id}:base_instructions")
        )
        self.router = ToolRouter(
            ToolContext(
                config=config,
                thread_id=self.thread_id,
                next_item_id=self.next_item_id,
                emit=self.sink.emit,
                observer=self.observer,
                approvals=approvals,
                interrupted=self._interrupt,
            ),
            tool_search=self.tool_search_index,
        )
        if self.mcp is not None:
            self.router.mcp = McpTools(
                self.mcp,
                config.approval_policy,
                config.sandbox.mode,
                self.next_item_id,
                self.sink.emit,
            )
        #: the sub-agents of this session tree (shared by the root and every descendant).
        self.agents = agents
        if self.agents is None and subagent is None and multi_agent_enabled(config):
            from pycodex.core.agents.control import AgentControl

            self.agents = AgentControl(self)
        if self.agents is not None and multi_agent_enabled(config):
            from pycodex.tools.multi_agents import MultiAgentTools

            self.router.multi_agents = MultiAgentTools(self, self.agents)
        if forked_history is not None and inherited_namespaces:
            # the forked history names the parent's deferred tools; say which ones are gone
            removed = removed_tools_fragment(inherited_namespaces, self.deferred_namespaces())
            if removed is not None:
                self.history.append(normalize_history_item(_message("developer", [removed])))

    # ferry: codex_core::session::Session::build_initial_context @ 1d092cb66
    def build_initial_context(self) -> list[JsonObject]:
        """This session's opening context (skills and deferred tools as they stand now)."""
        items = initial_context(
            self.config,
            skills=self.skills.instructions(),
            deferred_tools=tools_fragment(self.deferred_namespaces()),
        )
        switch = self._model_switch
        if switch:
            # a sub-agent whose role picked another model opens with codex's <model_switch>
            if items and items[0].get("role") == "developer":
                items[0]["content"].insert(0, {"type": "input_text", "text": switch})
            else:
                items.insert(0, _message("developer", [switch]))
        return items

    # ------------------------------------------------------------------ sub-agents

    # ferry: codex_core::session::Session @ 1d092cb66 -- its conversation_id; 0.169.0: the root thread's id for sub-agents
    @property
    def session_id(self) -> str:
        """The id every thread of a session tree sends as ``session_id`` (the root thread's)."""
        return self.subagent.session_id if self.subagent is not None else self.thread_id

    # ferry: codex_core::turn_metadata::TurnMetadataState @ 1d092cb66 -- 0.169.0: its root_turn_id
    def root_turn_id(self, turn_id: str) -> str:
        """The turn of the root thread this turn works for (its own for the root)."""
        return self.turn_origin[1] if self.turn_origin is not None else turn_id

    # ferry: codex_core::session::turn_context::TurnContext @ 1d092cb66 -- its sub_id
    @property
    def current_turn_id(self) -> str:
        """The id of the running (or last) turn; empty before the first."""
        return self._turn_id

    # ferry: codex_core::session::Session::inject_response_items @ 1d092cb66
    def inject_input(self, items: Sequence[JsonObject]) -> bool:
        """Hand ``items`` to the running turn (taken before its next request); ``False`` if
        no turn is running."""
        with self._pending_lock:
            if not self._turn_open or self._closed:
                return False
            self._pending.extend(items)
            return True

    # ferry: codex_core::codex_thread::CodexThread::inject_user_message_without_turn @ 1d092cb66
    def inject_or_record(self, item: JsonObject) -> None:
        """Into the running turn if there is one, else straight into the history (no new turn)."""
        with self._pending_lock:
            if self._closed:
                return
            if self._turn_open:
                self._pending.append(item)
                return
            self._add(item)

    # ferry: codex_core::session::handlers::interrupt @ 1d092cb66
    # ferry: codex_core::session::Session::interrupt_task @ 1d092cb66
    def interrupt(self) -> bool:
        """Stop the running turn (it ends as interrupted): the stream is dropped (a
        sub-agent's even while it waits for the model) and running commands are killed.
        ``False`` when no turn is running."""
        with self._pending_lock:
            if not self._turn_open:
                return False
            self._interrupt.set()
            if self._cancel_queue is not None:
                self._cancel_queue.put(_STREAM_CANCELLED)
        self.router.unified_exec.shutdown()
        return True

    def _take_pending(self) -> list[JsonObject]:
        with self._pending_lock:
            pending, self._pending = self._pending, []
            return pending

    def _check_interrupted(self) -> None:
        if self._interrupt.is_set():
            raise TurnInterrupted

    def _stream(self, ctx: RequestContext) -> Iterator[ResponseEvent]:
        """The response events; for a sub-agent, read on a helper thread so that
        :meth:`interrupt` can abandon a request still waiting for the model."""
        stream = stream_model(self.client, self.request_body(ctx), ctx)
        if self.subagent is None:
            yield from stream
            return
        events: queue.Queue[Any] = queue.Queue()

        def pump() -> None:
            try:
                for event in stream:
                    events.put(event)
                events.put(_STREAM_END)
            except BaseException as exc:  # handed to the turn thread, which raises it
                events.put(exc)

        with self._pending_lock:
            self._cancel_queue = events
            if self._interrupt.is_set():
                events.put(_STREAM_CANCELLED)
        threading.Thread(target=pump, name=f"stream-{self.thread_id}", daemon=True).start()
        try:
            while True:
                event = events.get()
                if event is _STREAM_CANCELLED:
                    raise TurnInterrupted
                if event is _STREAM_END:
                    return
                if isinstance(event, BaseException):
                    raise event
                yield event
        finally:
            with self._pending_lock:
                self._cancel_queue = None

    # ------------------------------------------------------------------ deferred tools

    # ferry: codex_core::tools::router::ToolRouter::model_visible_specs @ 1d092cb66 -- 0.169.0: MCP servers and multi_agent_v1
    def deferred_namespaces(self) -> dict[str, str | None]:
        """Namespace -> description of everything behind ``tool_search`` right now (nothing
        for a model without ``supports_search_tool``: it gets those tools directly)."""
        namespaces: dict[str, str | None] = {}
        if not self.config.model_info.supports_search_tool:
            return namespaces
        if self.mcp is not None:
            for server, info in self.mcp.ready().items():
                text = (info.instructions or "").strip()
                namespaces[mcp_namespace(server)] = text or None
        if multi_agent_enabled(self.config):
            namespaces[MULTI_AGENT_NAMESPACE] = spec(MULTI_AGENT_NAMESPACE)["description"]
        return namespaces

    # ferry: codex_core::tools::spec::build_specs_with_discoverable_tools @ 1d092cb66 -- 0.169.0: no tool_search without supports_search_tool
    def direct_namespaces(self) -> list[JsonObject]:
        """The namespaces a model without ``supports_search_tool`` is offered directly:
        ``multi_agent_v1``, then each MCP server's tools."""
        if self.config.model_info.supports_search_tool:
            return []
        namespaces: list[JsonObject] = []
        if multi_agent_enabled(self.config):
            namespaces.append(multi_agent_namespace(self.config))
        if self.mcp is not None:
            namespaces.extend(coalesce(mcp_entries(self.mcp.ready())))
        # offered up front: loaded already, listed by name
        return [
            {
                **namespace,
                "tools": sorted(
                    (
                        {k: v for k, v in tool.items() if k != "defer_loading"}
                        for tool in namespace["tools"]
                    ),
                    key=lambda tool: str(tool["name"]),
                ),
            }
            for namespace in namespaces
        ]

    # ferry: codex_core::tools::tool_search_entry::build_tool_search_entries @ 1d092cb66
    def tool_search_index(self) -> ToolSearch:
        entries = mcp_entries(self.mcp.ready()) if self.mcp is not None else []
        if multi_agent_enabled(self.config):
            entries.extend(multi_agent_entries(multi_agent_namespace(self.config)))
        return ToolSearch(entries)

    # ------------------------------------------------------------------ plumbing

    # ferry: codex_exec::event_processor_with_jsonl_output::EventProcessorWithJsonOutput::next_item_id @ 1d092cb66
    def next_item_id(self) -> str:
        item_id = f"item_{self._item_counter}"
        self._item_counter += 1
        return item_id

    # ferry: codex_core::session::session::Session::new @ 1d092cb66
    def start(self) -> None:
        self.sink.emit({"type": "thread.started", "thread_id": self.thread_id})
        if not self.resumed:
            self.recorder.record(
                "session_meta",
                session_meta(
                    self.thread_id,
                    self.config.cwd,
                    self.config.model_provider.id,
                    self.base_instructions,
                    UPSTREAM_VERSION,
                    context_window_id=self.context_window_id,
                    forked_from_id=self.forked_from,
                    forked_from_ordinal_exclusive=self._fork_ordinal,
                    originator=self.surface.originator,
                    source=self.surface.source,
                    subagent=self.subagent,
                ),
            )
        self.hooks.thread_started(self)
        warnings = list(self.config.warnings)
        if not self.resumed:
            config = self.config
            warnings.extend(
                project_doc_warnings(
                    config.cwd,
                    config.user_instructions_files,
                    config.project_root_markers,
                    config.project_doc_max_bytes,
                )
            )
        if self.resumed_model and self.resumed_model != self.config.model:
            warnings.append(
                f"This session was recorded with model `{self.resumed_model}` but is resuming "
                f"with `{self.config.model}`. Consider switching back to `{self.resumed_model}` "
                "as it may affect Codex performance."
            )
        if self.config.model_info.used_fallback:
            warnings.append(fallback_warning(self.config.model))
        for warning in warnings:
            self.hooks.log(self, "WARN", warning)
            self.sink.emit(
                {
                    "type": "item.completed",
                    "item": {"id": self.next_item_id(), "type": "error", "message": warning},
                }
            )

    # ferry: codex_core::codex_thread::CodexThread::shutdown_and_wait @ 1d092cb66
    def close(self) -> None:
        self._abort_goal_continuation()
        # Sub-agents never outlive the thread that spawned the tree.
        if self.agents is not None and self.subagent is None:
            self.agents.shutdown_all()
        with self._pending_lock:
            self._closed = True
        if self.mcp is not None:
            self.mcp.close()
        self.router.shutdown()
        self.recorder.close()
        self.client.close()
        self.hooks.thread_closed(self)

    # ferry: codex_hooks::legacy_notify::notify_hook @ 1d092cb66
    def _notify(self, turn_id: str, prompt: str, last_message: str | None) -> None:
        """Run the ``notify`` command with the turn's JSON summary as its last argument."""
        if not self.config.notify:
            return
        payload = {
            "type": "agent-turn-complete",
            "thread-id": self.thread_id,
            "turn-id": turn_id,
            "cwd": str(self.config.cwd),
            "client": "codex_exec",
            "input-messages": [prompt],
            "last-assistant-message": last_message,
        }
        argv = [*self.config.notify, json.dumps(payload, separators=(",", ":"), ensure_ascii=False)]
        try:
            subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        except OSError:
            return  # codex goes on when the notifier cannot start

    def _abort_goal_continuation(self) -> None:
        """An active goal makes codex start another turn as soon as one completes; exec then
        shuts down, interrupting it, which leaves a ``<turn_aborted>`` note in the rollout.
        The port does not start that turn but records the same history."""
        goal = self.router.goals.goal
        if goal is None or goal.status != "active" or not self._turn_completed:
            return
        self.recorder.record(
            "response_item",
            normalize_history_item(_message("user", [TURN_ABORTED])),
        )

    def _add(self, item: JsonObject, *, persist: bool = True) -> None:
        item = normalize_history_item(item)
        self.history.append(self._truncated_for_history(item))
        if persist:
            self.recorder.record("response_item", item)

    def _truncated_for_history(self, item: JsonObject) -> JsonObject:
        """A tool output as the model gets to see it: cut in the middle to the history budget
        of the model's truncation policy (the rollout keeps it whole)."""
        output = item.get("output")
        if item.get("type") not in ("function_call_output", "custom_tool_call_output"):
            return item
        if not isinstance(output, str):
            return item
        budget = history_token_budget(self.config.model_info.truncation)
        cut = truncate_middle_tokens(output, budget)
        return item if cut == output else {**item, "output": cut}

    # ------------------------------------------------------------------ request

    # ferry: codex_core::client_common::Prompt::get_formatted_input @ 1d092cb66 -- base instructions first
    def base_message(self) -> JsonObject:
        """The base instructions, sent ahead of the history (never part of it)."""
        return {
            "type": "message",
            "id": self._base_message_id,
            "role": "developer",
            "content": [{"type": "input_text", "text": self.base_instructions}],
        }

    # ferry: codex_core::client::ModelClientSession::build_responses_request @ 1d092cb66
    def request_body(
        self,
        ctx: RequestContext | None = None,
        *,
        input_items: list[JsonObject] | None = None,
        tools: list[JsonObject] | None = None,
        parallel_tool_calls: bool = True,
    ) -> JsonObject:
        config = self.config
        history = self.history if input_items is None else input_items
        body: JsonObject = {
            "model": config.model,
            "stream": True,
            "input": [self.base_message(), *(request_item(i) for i in history)],
            "tools": tools_for(
                config,
                mcp_resources=self.mcp is not None and self.mcp.configured,
                tool_search=bool(self.deferred_namespaces()),
                direct_namespaces=self.direct_namespaces(),
            )
            if tools is None
            else tools,
            "tool_choice": "auto",
            "parallel_tool_calls": parallel_tool_calls,
        }
        reasoning: JsonObject = {}
        effort = config.effective_reasoning_effort
        if effort is not None:
            reasoning["effort"] = effort
        summary = config.effective_reasoning_summary
        if summary != "none":
            reasoning["summary"] = summary
        body["reasoning"] = reasoning
        body["store"] = False
        body["include"] = ["reasoning.encrypted_content"]
        if config.service_tier is not None:
            body["service_tier"] = (
                "priority" if config.service_tier == "fast" else config.service_tier
            )
        body["prompt_cache_key"] = self.session_id
        text: JsonObject = {}
        if config.effective_verbosity:
            text["verbosity"] = config.effective_verbosity
        if self.output_schema is not None and tools is None:
            text["format"] = {
                "type": "json_schema",
                "strict": True,
                "schema": self.output_schema,
                "name": "codex_output_schema",
            }
        if text:
            body["text"] = text
        if not body["include"]:
            del body["include"]
        if ctx is not None:
            body["client_metadata"] = self.client_metadata(ctx)
        return body

    # ferry: codex_core::turn_metadata::TurnMetadataState::current_header_value @ 1d092cb66 -- 0.169.0 fields
    def turn_metadata(
        self, turn_id: str, compaction_request: compaction.CompactionRequest | None = None
    ) -> str:
        """The ``x-codex-turn-metadata`` JSON: who is asking, in which sandbox, for which turn."""
        sandboxed = self.config.sandbox.mode != "danger-full-access"
        metadata: JsonObject = {
            "installation_id": self.installation_id,
            "session_id": self.session_id,
            "thread_id": self.thread_id,
            "agent_name": "/root",
            "turn_id": turn_id,
            "window_id": self.window_id,
            "window_number": self.window_number,
            "context_window_id": self.context_window_id,
            "request_kind": "compaction" if compaction_request else "turn",
            "history_initialization": "cold_resume"
            if self.resumed
            else ("warm_fork" if self.surface.warm_fork else "cold_fork")
            if self.forked_from
            else "warm_fork"
            if self.subagent is not None and self.subagent.forked
            else "new",
            **(
                {
                    "forked_from_thread_id": self.fork_origin[0],
                    "forked_from_ordinal_exclusive": self.fork_origin[1],
                }
                if self.fork_origin is not None
                else {}
            ),
            **(
                {
                    "parent_thread_id": self.subagent.parent_thread_id,
                    "parent_turn_id": self.turn_origin[0] if self.turn_origin else None,
                }
                if self.subagent is not None
                else {}
            ),
            "root_turn_id": self.root_turn_id(turn_id),
            **({"subagent_kind": "thread_spawn"} if self.subagent is not None else {}),
            "thread_source": (
                "subagent"
                if self.subagent is not None
                else self.config.thread_source or self.surface.thread_source
            ),
            "turn_trigger": self.surface.turn_trigger,
            "sandbox": "seccomp" if sandboxed else "none",
            "sandbox_mode": self.config.sandbox.mode,
            "auto_review_enabled": False,
            "node_repl_auto_review_required": False,
            "node_repl_disabled": False,
            "turn_started_at_unix_ms": self._turn_started_ms,
            "analytics_enabled": self.config.analytics_enabled,
        }
        for key in ("thread_source", "turn_trigger"):
            if metadata[key] is None:
                del metadata[key]
        if compaction_request is not None:
            metadata["compaction"] = compaction_request.metadata()
        else:
            metadata["model"] = self.config.model
            effort = self.config.effective_reasoning_effort
            if effort is not None:
                metadata["reasoning_effort"] = effort
        workspace = self._turn_workspace
        if workspace is not None:
            root, state = workspace
            metadata["workspaces"] = {str(root): state}
            metadata = {k: metadata[k] for k in sorted(metadata, key=_METADATA_ORDER.index)}
        return json.dumps(metadata, separators=(",", ":"))

    # ferry: codex_core::client::ModelClientSession::stream @ 1d092cb66 -- the per-request headers
    def request_context(
        self, turn_id: str, compaction_request: compaction.CompactionRequest | None = None
    ) -> RequestContext:
        metadata = self.turn_metadata(turn_id, compaction_request)
        headers = {
            "x-codex-beta-features": "remote_compaction_v2",
            "x-codex-window-id": self.window_id,
            "x-codex-turn-metadata": metadata,
        }
        if self.subagent is not None:
            headers["session-id"] = self.session_id
            headers["x-codex-parent-thread-id"] = self.subagent.parent_thread_id
            headers["x-openai-subagent"] = "collab_spawn"
        return RequestContext(thread_id=self.thread_id, turn_id=turn_id, extra_headers=headers)

    # ferry: codex_api::common::response_create_client_metadata @ 1d092cb66
    def client_metadata(self, ctx: RequestContext) -> JsonObject:
        turn_id = ctx.turn_id or ""
        metadata: JsonObject = {
            "thread_id": self.thread_id,
            "x-codex-turn-metadata": ctx.extra_headers.get("x-codex-turn-metadata", ""),
            "x-codex-installation-id": self.installation_id,
            "session_id": self.session_id,
            "x-codex-window-id": self.window_id,
            "turn_id": turn_id,
            "root_turn_id": self.root_turn_id(turn_id),
        }
        if self.subagent is not None:
            metadata["x-openai-subagent"] = "collab_spawn"
            metadata["x-codex-parent-thread-id"] = self.subagent.parent_thread_id
            if self.turn_origin is not None:
                metadata["parent_turn_id"] = self.turn_origin[0]
        return metadata

    # ------------------------------------------------------------------ turn

    # ferry: codex_core::session::turn::run_turn @ 1d092cb66
    def run_turn(
        self,
        prompt: str,
        images: Sequence[tuple[str, Path | str]] = (),
        *,
        turn_id: str | None = None,
        user_message: JsonObject | None = None,
    ) -> TurnOutcome:
        """One user turn. ``images`` are (path as given, file or encoded URL) pairs placed
        before the prompt; ``turn_id`` lets a front end announce the turn before it starts;
        ``user_message``
        replaces the message built from prompt and images (a sub-agent's structured input)."""
        with self._pending_lock:
            self._busy = self._turn_open = True
            self._interrupt.clear()
        try:
            return self._run_turn(prompt, images, turn_id or uuid7(), user_message)
        finally:
            # Input that came too late for the turn is kept without starting another one.
            with self._pending_lock:
                leftovers, self._pending = self._pending, []
                self._busy = self._turn_open = False
                self._interrupt.clear()
                for item in leftovers:
                    self._add(item)

    def _continue_turn(self, model_needs_follow_up: bool) -> bool:
        """Whether the turn samples again: the model called tools, or input is pending.
        Decided under the lock so that input arriving later is not lost with the turn."""
        with self._pending_lock:
            if model_needs_follow_up or self._pending:
                return True
            self._turn_open = False
            return False

    def _run_turn(
        self,
        prompt: str,
        images: Sequence[tuple[str, Path | str]],
        turn_id: str,
        user_message: JsonObject | None,
    ) -> TurnOutcome:
        self._turn_id = turn_id
        self._rerouted_this_turn = False
        started = time.time()
        self.sink.emit({"type": "turn.started"})
        first_turn = self._turns_run == 0
        # codex's record order: settings replayed for a resumed (twice for a forked) thread,
        # then the task, the opening context of a new thread, the world and turn context.
        if first_turn and (self.resumed or self.forked_from is not None):
            for _ in range(2 if self.forked_from is not None else 1):
                self._record_settings_applied()
        self.recorder.record(
            "event_msg",
            {
                "type": "task_started",
                "turn_id": turn_id,
                "root_turn_id": self.root_turn_id(turn_id),
                "started_at": int(started),
                "model_context_window": self.model.model_context_window,
                "collaboration_mode_kind": "default",
            },
        )
        if first_turn and not self.resumed and self.forked_from is None:
            for item in self.history:  # the opening context of a new thread
                self.recorder.record("response_item", item)
            self._record_world_state()
        self.recorder.record("turn_context", self._turn_context_payload(turn_id))
        if first_turn and not self.resumed and self.forked_from is None:
            self._record_settings_applied()
        outcome = TurnOutcome()
        self._turn_started_ms = int(started * 1000)
        self._turn_workspace = git_workspace(self.config.cwd)  # as seen when the turn starts
        try:
            # Before the new message is recorded: compact what earlier turns left behind
            # (a new thread has nothing yet: codex records its opening context after this).
            prior = self.resumed or self.forked_from is not None or self._turns_run > 0
            self._turns_run += 1
            if prior and self._token_limit_reached():
                self._run_compaction(turn_id, "pre_turn")
            if self.resumed_model and self.resumed_model != self.config.model:
                self._add(
                    _message("developer", [model_switch_text(base_instructions_text(self.config))])
                )
                self.resumed_model = self.config.model
            if self.resumed and not self._settings_checked:
                for update in settings_update_items(self.config, self.history):
                    self._add(update)
            self._settings_checked = True
            self._add(
                user_message if user_message is not None else user_turn_message(prompt, images)
            )
            for injected in self.skills.mentioned(prompt):
                self._add(injected)
            self._record_item_completed(
                turn_id,
                {
                    "type": "UserMessage",
                    "id": uuid7(),
                    "content": [{"type": "text", "text": prompt, "text_elements": []}],
                },
            )
            self.hooks.user_message(self, prompt)
            ctx = self.request_context(turn_id)
            while True:
                self._check_interrupted()
                needs_follow_up, _usage, last_message = self._sample(ctx)
                if last_message is not None:
                    outcome.last_message = last_message
                self._check_interrupted()
                if not self._continue_turn(needs_follow_up):
                    break
                if self._token_limit_reached():
                    self._run_compaction(turn_id, "mid_turn")
                    ctx = self.request_context(turn_id)
                for item in self._take_pending():
                    self._add(item)
        except TurnInterrupted:
            # codex leaves a <turn_aborted> note for the model and reports the turn aborted.
            outcome.interrupted = True
            outcome.usage = self.total_usage
            self._add(_message("user", [TURN_ABORTED]))
            self.recorder.record(
                "event_msg", {"type": "turn_aborted", "turn_id": turn_id, "reason": "interrupted"}
            )
            self.hooks.turn_finished(self)
            return outcome
        except ModelClientError as exc:
            outcome.error = str(exc)
            outcome.exception = exc
            outcome.usage = self.total_usage
            self.sink.emit({"type": "error", "message": outcome.error})
            self.sink.emit({"type": "turn.failed", "error": {"message": outcome.error}})
            self.recorder.record("event_msg", {"type": "error", "message": outcome.error})
            self.hooks.log(self, "ERROR", outcome.error)
            self.hooks.turn_finished(self)
            return outcome
        # codex reports the thread's running usage (a resumed thread includes earlier turns).
        outcome.usage = self.total_usage
        self._turn_completed = True
        self._notify(turn_id, prompt, outcome.last_message)
        self.router.finish_turn()
        self.sink.emit({"type": "turn.completed", "usage": _usage_json(self.total_usage)})
        completed = time.time()
        self.recorder.record(
            "event_msg",
            {
                "type": "task_complete",
                "root_turn_id": turn_id,
                "turn_id": turn_id,
                "last_agent_message": outcome.last_message,
                "started_at": int(started),
                "completed_at": int(completed),
                "duration_ms": int((completed - started) * 1000),
            },
        )
        self.hooks.turn_finished(self)
        return outcome

    # ferry: codex_core::tasks::compact::CompactTask::run @ 1d092cb66 -- 0.169.0: a manual compaction is a turn of its own
    def compact(self) -> TurnOutcome:
        """Summarise the thread now (``/compact``): a turn that only compacts the history."""
        turn_id = uuid7()
        self._turn_id = turn_id
        self._interrupt.clear()
        started = time.time()
        self._turn_started_ms = int(started * 1000)
        self._turn_workspace = git_workspace(self.config.cwd)
        if self._turns_run == 0 and (self.resumed or self.forked_from is not None):
            for _ in range(2 if self.forked_from is not None else 1):
                self._record_settings_applied()
        self.recorder.record(
            "event_msg",
            {
                "type": "task_started",
                "turn_id": turn_id,
                "root_turn_id": turn_id,
                "started_at": int(started),
                "model_context_window": self.model.model_context_window,
                "collaboration_mode_kind": "default",
            },
        )
        if self._turns_run == 0 and not self.resumed and self.forked_from is None:
            for item in self.history:  # the opening context of a new thread
                self.recorder.record("response_item", item)
            self._record_world_state()
        self.recorder.record("turn_context", self._turn_context_payload(turn_id))
        self._turns_run += 1
        outcome = TurnOutcome()
        try:
            self._run_compaction(turn_id, "standalone_turn")
        except ModelClientError as exc:
            outcome.error = str(exc)
            outcome.exception = exc
            self.sink.emit({"type": "error", "message": outcome.error})
            self.recorder.record("event_msg", {"type": "error", "message": outcome.error})
            self.hooks.log(self, "ERROR", outcome.error)
        outcome.usage = self.total_usage
        completed = time.time()
        self.recorder.record(
            "event_msg",
            {
                "type": "task_complete",
                "root_turn_id": turn_id,
                "turn_id": turn_id,
                "last_agent_message": None,
                "started_at": int(started),
                "completed_at": int(completed),
                "duration_ms": int((completed - started) * 1000),
            },
        )
        self.hooks.turn_finished(self)
        return outcome

    # ferry: codex_core::session::Session::update_settings @ 1d092cb66 -- Op::OverrideTurnContext: model, effort, permissions
    def update_settings(
        self,
        *,
        model: str | None = None,
        reasoning_effort: str | None = None,
        sandbox_mode: str | None = None,
        approval_policy: str | None = None,
    ) -> None:
        """Change what the next turn runs with; a permissions change is told to the model
        with a fresh ``<permissions instructions>`` message, as codex does."""
        from dataclasses import replace

        config = self.config
        if model is not None:
            config = replace(config, model=model)
        if reasoning_effort is not None:
            config = replace(config, model_reasoning_effort=reasoning_effort)
        if sandbox_mode is not None:
            config = replace(config, sandbox=replace(config.sandbox, mode=sandbox_mode))  # type: ignore[arg-type]
        if approval_policy is not None:
            config = replace(config, approval_policy=approval_policy)  # type: ignore[arg-type]
        permissions_changed = (config.sandbox.mode, config.approval_policy) != (
            self.config.sandbox.mode,
            self.config.approval_policy,
        )
        self.config = config
        self.model = model_info(config)
        self.router.ctx = replace(self.router.ctx, config=config)
        self.router.reset_sandbox()
        if permissions_changed and config.include_permissions_instructions:
            self._add(
                _message(
                    "developer",
                    [permissions_text(config.sandbox, config.approval_policy, config.cwd)],
                )
            )

    def _turn_context_payload(self, turn_id: str) -> JsonObject:
        return {
            "turn_id": turn_id,
            "root_turn_id": turn_id,
            "cwd": str(self.config.cwd),
            "approval_policy": self.config.approval_policy,
            "sandbox_policy": {"type": self.config.sandbox.mode},
            "model": self.config.model,
            "effort": self.config.model_reasoning_effort,
            "summary": self.config.model_reasoning_summary or "none",
        }

    def _record_world_state(self) -> None:
        """A snapshot of what the opening context was built from (codex's ``world_state``)."""
        config = self.config
        permissions = (
            permissions_text(config.sandbox, config.approval_policy, config.cwd)
            if config.include_permissions_instructions
            else ""
        )
        self.recorder.record(
            "world_state",
            {
                "full": True,
                "state": {
                    "environments": {
                        "environments": {
                            "local": {
                                "cwd": str(config.cwd),
                                "status": "available",
                                "shell": default_user_shell().name,
                            }
                        },
                        "current_date": time.strftime("%Y-%m-%d"),
                    },
                    "model": config.model,
                    "permissions": {
                        "instructions": hashlib.sha1(permissions.encode()).hexdigest(),
                        "approved_command_prefixes": [],
                    },
                },
            },
        )

    def _record_settings_applied(self) -> None:
        config = self.config
        self.recorder.record(
            "event_msg",
            {
                "type": "thread_settings_applied",
                "thread_id": self.thread_id,
                "thread_settings": {
                    "model": config.model,
                    "model_provider_id": config.model_provider.id,
                    "approval_policy": config.approval_policy,
                    "sandbox_policy": {"type": config.sandbox.mode},
                    "cwd": str(config.cwd),
                    "reasoning_effort": config.model_reasoning_effort,
                },
            },
        )

    # ferry: codex_core::session::Session::emit_turn_item_completed @ 1d092cb66
    def record_turn_item(self, item: JsonObject) -> None:
        """Record a finished item of the running turn (an ``item_completed`` rollout event)."""
        self._record_item_completed(self._turn_id, item)

    def _record_item_completed(self, turn_id: str, item: JsonObject) -> None:
        now_ms = int(time.time() * 1000)
        self.recorder.record(
            "event_msg",
            {
                "type": "item_completed",
                "thread_id": self.thread_id,
                "turn_id": turn_id,
                "item": item,
                "started_at_ms": now_ms,
                "completed_at_ms": now_ms,
            },
        )

    # ------------------------------------------------------------------ compaction

    # ferry: codex_core::session::turn::run_pre_sampling_compact @ 1d092cb66
    def _token_limit_reached(self) -> bool:
        used = compaction.total_usage_tokens(self.history, self.last_usage)
        return used >= self.model.auto_compact_token_limit

    # ferry: codex_core::session::turn::run_auto_compact @ 1d092cb66
    def _run_compaction(self, turn_id: str, phase: compaction.Phase) -> None:
        manual = phase == "standalone_turn"
        request = compaction.CompactionRequest(
            phase=phase,
            remote=compaction.uses_remote_compaction(self.config.model_provider),
            trigger="manual" if manual else "auto",
            reason="user_requested" if manual else "context_limit",
        )
        item_id = uuid7()
        started_ms = int(time.time() * 1000)
        try:
            result = compaction.compact(
                _CompactionBridge(self, turn_id),
                self.history,
                request,
                stream_max_retries=self.config.model_provider.stream_max_retries,
                prompt=self.config.compact_prompt,
                sleep=self._sleep,
            )
        except ModelClientError as exc:
            if request.remote:
                raise ModelClientError(f"Error running remote compact task: {exc}") from exc
            raise
        previous_window = self.context_window_id
        self.window_number += 1
        self.window_id = f"{self.thread_id}:{self.window_number}"
        self.context_window_id = uuid7()
        self.history = [normalize_history_item(i) for i in result.replacement_history]
        self.recorder.record(
            "compacted",
            {
                "message": result.message,
                "replacement_history": self.history,
                "window_number": self.window_number,
                "previous_window_id": previous_window,
                "window_id": self.context_window_id,
                "compaction_response_id": result.response_id,
            },
        )
        self._record_world_state()
        self.recorder.record("turn_context", self._turn_context_payload(turn_id))
        self._record_settings_applied()
        # The next request's size is unknown until it is answered: estimate the new history.
        estimate = sum(
            compaction.estimate_item_tokens(i) for i in [self.base_message(), *self.history]
        )
        self.last_usage = TokenUsage(total_tokens=estimate)
        self._last_usage_estimated = True
        self._record_token_count(self.last_usage)
        self.recorder.record(
            "event_msg",
            {
                "type": "item_completed",
                "thread_id": self.thread_id,
                "turn_id": turn_id,
                "item": {"type": "ContextCompaction", "id": item_id},
                "started_at_ms": started_ms,
                "completed_at_ms": int(time.time() * 1000),
            },
        )
        self.sink.emit({"type": "context_compacted"})
        self.hooks.log(
            self,
            "INFO",
            f"context compacted ({phase}, {'remote' if request.remote else 'local'}); "
            f"window {self.window_number}, {result.trimmed} item(s) trimmed",
        )

    # ------------------------------------------------------------------ sampling

    def _sample(self, ctx: RequestContext) -> tuple[bool, TokenUsage | None, str | None]:
        """One request, re-sent on retryable failures up to ``stream_max_retries`` times.

        Items that arrived before a failure stay in the history (upstream keeps them),
        so the re-sent request carries them.
        """
        max_retries = self.config.model_provider.stream_max_retries
        retries = 0
        while True:
            try:
                return self._try_sample(ctx)
            except RetryableError as exc:
                if retries >= max_retries:
                    raise
                retries += 1
                message = f"Reconnecting... {retries}/{max_retries} ({exc})"
                self.sink.emit({"type": "error", "message": message})
                self.observer.stream_error(retries, max_retries, exc)
                self.hooks.log(self, "WARN", message)
                self._sleep(exc.delay if exc.delay is not None else backoff_seconds(retries))

    def _try_sample(self, ctx: RequestContext) -> tuple[bool, TokenUsage | None, str | None]:
        """Stream one response. Messages and reasoning are shown as they arrive; tool calls
        are recorded as they arrive and run once the response ends (upstream runs them
        concurrently and appends their outputs in call order after the response)."""
        needs_follow_up = False
        last_message: str | None = None
        calls: list[JsonObject] = []
        try:
            for event in self._stream(ctx):
                if self._interrupt.is_set():
                    raise TurnInterrupted
                if isinstance(event, OutputItemAdded):
                    self.observer.item_added(event.item)
                elif isinstance(event, OutputTextDelta):
                    self.observer.text_delta(event.delta)
                elif isinstance(event, ReasoningDelta):
                    self.observer.reasoning_delta(
                        event.delta,
                        summary_index=event.index if event.summary else None,
                        content_index=None if event.summary else event.index,
                    )
                elif isinstance(event, ReasoningSummaryPartAdded):
                    self.observer.reasoning_part_added(event.summary_index)
                if isinstance(event, ServerModel):
                    self._check_server_model(event.model)
                    continue
                if isinstance(event, OutputItemDone):
                    item = event.item
                    self.observer.item_done(item)
                    kind = item.get("type")
                    if kind in (
                        "function_call",
                        "custom_tool_call",
                        "local_shell_call",
                        "tool_search_call",
                    ):
                        needs_follow_up = True
                        self._add(item)
                        calls.append(item)
                        continue
                    if kind == "message" and item.get("role") == "assistant":
                        last_message = _output_text(item)
                    self._commit_item(item)
                elif isinstance(event, Completed):
                    self.record_usage(event.usage, event.response_id)
                    if event.usage is not None:
                        self.router.goals.add_tokens(event.usage.total_tokens)
                    return needs_follow_up, event.usage, last_message
            raise StreamError("stream closed before response.completed")
        finally:
            # Calls that arrived are answered even when the stream broke, so the
            # history stays valid (every call has its output) for the retry.
            for call in calls:
                started = time.monotonic()
                output = None if self._interrupt.is_set() else self.router.dispatch(call)
                if self._interrupt.is_set():  # not run, or cut short: the model hears it aborted
                    output = aborted_output(call, time.monotonic() - started)
                assert output is not None
                # codex sends the "aborted" answer of a call it could not hand to a
                # handler, but does not write it to the rollout.
                self._add(output, persist=output.get("output") != ABORTED_OUTPUT)
            self.flush_usage()
            for extra in self.router.goals.take_pending_items():
                self._add(extra)
            for extra in self.router.take_injected():
                self._add(extra)

    # ferry: codex_core::session::Session::maybe_warn_on_server_model_mismatch @ 1d092cb66
    def _check_server_model(self, server_model: str) -> None:
        """A response from another model than requested: codex 0.169.0 reports the reroute
        and warns, once per turn (the model is not told)."""
        requested = self.config.model
        if server_model.lower() == requested.lower() or self._rerouted_this_turn:
            return
        self._rerouted_this_turn = True
        for message in (
            f"model rerouted: {requested} -> {server_model} (HighRiskCyberActivity)",
            CYBER_REROUTE_WARNING,
        ):
            self.sink.emit(
                {
                    "type": "item.completed",
                    "item": {"id": self.next_item_id(), "type": "error", "message": message},
                }
            )

    # ferry: codex_core::session::Session::send_token_count_event @ 1d092cb66
    def flush_usage(self) -> None:
        """Tell the observer of the usage :meth:`record_usage` accounted (held back until
        the response's tool calls have run when the surface asks for that order)."""
        if self._pending_usage is not None:
            self.observer.usage(*self._pending_usage)
            self._pending_usage = None

    # ferry: codex_core::session::Session::update_token_usage_info @ 1d092cb66
    def record_usage(self, usage: TokenUsage | None, response_id: str | None = None) -> None:
        """Account one finished response: a ``token_usage_record`` and a ``token_count`` event."""
        if usage is None:
            return
        self.total_usage = self.total_usage + usage
        self.last_usage = usage
        self._pending_usage = (self.total_usage, usage)
        self._last_usage_estimated = False
        self.recorder.record(
            "token_usage_record",
            {
                "thread_id": self.thread_id,
                "turn_id": self._turn_id,
                "session_id": self.session_id,
                "root_turn_id": self.root_turn_id(self._turn_id),
                "response_id": response_id,
                "usage": usage.to_json(),
                "thread_token_usage": self.total_usage.to_json(),
            },
        )
        self._record_token_count(usage)
        self.hooks.usage(self)
        if not self.surface.usage_after_tool_calls:
            self.flush_usage()

    def _record_token_count(self, last: TokenUsage) -> None:
        info = {
            "total_token_usage": self.total_usage.to_json(),
            "last_token_usage": last.to_json(),
            "last_usage_includes_reasoning": self._last_usage_estimated,
            "model_context_window": self.model.model_context_window,
        }
        self.recorder.record("event_msg", {"type": "token_count", "info": info})

    def _commit_item(self, item: JsonObject) -> None:
        """Record a non-call output item and show it (codex records an agent message's
        ``item_completed`` before the message itself)."""
        kind = item.get("type")
        is_message = kind == "message" and item.get("role") == "assistant"
        if not is_message:
            self._add(item)
        if is_message:
            text = "".join(
                part.get("text", "")
                for part in item.get("content", [])
                if part.get("type") == "output_text"
            )
            self.sink.emit(
                {
                    "type": "item.completed",
                    "item": {"id": self.next_item_id(), "type": "agent_message", "text": text},
                }
            )
            self._record_item_completed(
                self._turn_id,
                {
                    "type": "AgentMessage",
                    "id": item.get("id") or uuid7(),
                    "content": [{"type": "Text", "text": text}],
                },
            )
            self._add(item)
        elif kind == "web_search_call":
            action = item.get("action") or {}
            details = {
                "id": self.next_item_id(),
                "type": "web_search",
                "web_search_id": item.get("id"),
                "query": action.get("query", "") if isinstance(action, Mapping) else "",
                "action": action,
            }
            self.sink.emit({"type": "item.started", "item": details})
            self.sink.emit({"type": "item.completed", "item": details})
        elif kind == "reasoning":
            summary = [
                s.get("text", "") for s in item.get("summary") or [] if isinstance(s, Mapping)
            ]
            if summary:
                text = "\n".join(summary)
                self.sink.emit(
                    {
                        "type": "item.completed",
                        "item": {"id": self.next_item_id(), "type": "reasoning", "text": text},
                    }
                )
                self.recorder.record("event_msg", {"type": "agent_reasoning", "text": text})


# ferry: codex_core::session::session::Session::new @ 1d092cb66 -- 0.169.0: MCP servers start with the session
def start_mcp(config: Config) -> Any:
    """Start the configured MCP servers (``None`` without any); required ones are awaited."""
    if not any(server.enabled for server in config.mcp_servers.values()):
        return None
    from pycodex.mcp.manager import McpManager

    manager = McpManager(config.mcp_servers, config.cwd)
    manager.start()
    try:
        manager.wait_required()
    except BaseException:
        manager.close()
        raise
    return manager


def _output_text(item: JsonObject) -> str:
    return "".join(
        part.get("text", "")
        for part in item.get("content", [])
        if part.get("type") == "output_text"
    )


def _usage_json(usage: TokenUsage) -> JsonObject:
    return {
        "input_tokens": usage.input_tokens,
        "cached_input_tokens": usage.cached_input_tokens,
        "cache_write_input_tokens": 0,
        "output_tokens": usage.output_tokens,
        "reasoning_output_tokens": usage.reasoning_output_tokens,
    }


# ferry: codex_exec::load_output_schema @ 1d092cb66
def parse_output_schema(path: Path) -> JsonObject:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ModelClientError(f"--output-schema {path}: cannot read file: {exc.strerror}") from exc
    except ValueError as exc:
        raise ModelClientError(f"--output-schema {path}: invalid JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise ModelClientError(f"--output-schema {path}: expected a JSON object")
    return value


_METADATA_ORDER = [
    "installation_id",
    "session_id",
    "thread_id",
    "agent_name",
    "turn_id",
    "window_id",
    "window_number",
    "context_window_id",
    "request_kind",
    "history_initialization",
    "forked_from_thread_id",
    "forked_from_ordinal_exclusive",
    "parent_thread_id",
    "parent_turn_id",
    "root_turn_id",
    "subagent_kind",
    "thread_source",
    "turn_trigger",
    "sandbox",
    "sandbox_mode",
    "auto_review_enabled",
    "node_repl_auto_review_required",
    "node_repl_disabled",
    "workspaces",
    "turn_started_at_unix_ms",
    "analytics_enabled",
    "model",
    "reasoning_effort",
    "compaction",
]


def _git(cwd: Path, *args: str) -> str | None:
    try:
        proc = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, timeout=5, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return proc.stdout.strip() if proc.returncode == 0 else None


# ferry: codex_core::turn_metadata::TurnMetadataState::fetch_workspace_git_metadata @ 1d092cb66
# ferry: codex_git_utils::info::get_git_repo_root @ 1d092cb66
def git_workspace(cwd: Path) -> tuple[Path, dict[str, object]] | None:
    """The repository holding cwd and its state (dirty flag, HEAD commit), or ``None``."""
    root = _git(cwd, "rev-parse", "--show-toplevel")
    if not root:
        return None
    status = _git(cwd, "status", "--porcelain", "--untracked-files=normal")
    state: dict[str, object] = {"has_changes": bool(status)}
    head = _git(cwd, "rev-parse", "--verify", "-q", "HEAD")
    if head:
        state["latest_git_commit_hash"] = head
    return Path(root), state


# ferry: codex_core::installation_id::resolve_installation_id @ 1d092cb66
def installation_id(codex_home: Path) -> str:
    """A stable per-CODEX_HOME id (created once, written atomically)."""
    path = codex_home / "installation_id"
    try:
        value = path.read_text().strip()
        if value:
            return value
    except OSError:
        pass
    value = str(uuid.uuid4())
    try:
        codex_home.mkdir(parents=True, exist_ok=True)
        write_text_atomic(path, value)
    except OSError:
        pass
    return value
