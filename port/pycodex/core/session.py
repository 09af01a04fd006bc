"""The agent loop: sample the model, run the tools it calls, feed results back, repeat.

One :class:`Session` is one thread (conversation). :meth:`Session.run_turn`
handles one user turn: it sends the history, streams the answer (messages and
reasoning are shown as they arrive, tool calls run once the response ends), and
samples again until the model answers without calling a tool. Everything observable goes to an :class:`EventSink`
(the ``--json`` / human printers) and to the rollout recorder.
"""

from __future__ import annotations

import json
import subprocess
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from pycodex import UPSTREAM_VERSION
from pycodex.client import ModelClient, RequestContext, TokenUsage, stream_model
from pycodex.client.events import Completed, OutputItemDone, ServerModel
from pycodex.client.responses import backoff_seconds
from pycodex.config.model import Config
from pycodex.config.models import fallback_warning, history_token_budget
from pycodex.core.rollout import RolloutRecorder, session_meta, uuid7
from pycodex.errors import ModelClientError, RetryableError, StreamError
from pycodex.fsutil import write_text_atomic
from pycodex.images import user_image_items
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
from pycodex.tools.specs import multi_agent_enabled, spec, tools_for
from pycodex.tools.tool_search import (
    MULTI_AGENT_NAMESPACE,
    ToolSearch,
    mcp_entries,
    mcp_namespace,
    multi_agent_entries,
    tools_fragment,
)
from pycodex.truncation import truncate_middle_tokens

JsonObject = dict[str, Any]


class EventSink(Protocol):
    """Receives exec thread events (``thread.started``, ``item.completed``, …)."""

    def emit(self, event: JsonObject) -> None: ...


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


def user_turn_message(prompt: str, images: Sequence[tuple[str, Path]] = ()) -> JsonObject:
    """The user message of a turn: each image wrapped in ``<image ...>`` tags, then the text."""
    content: list[JsonObject] = []
    for number, (shown_path, path) in enumerate(images, start=1):
        content.extend(user_image_items(number, shown_path, path))
    content.append({"type": "input_text", "text": prompt})
    return {"type": "message", "role": "user", "content": content}


_ID_PREFIX = {
    "message": "msg",
    "function_call": "fc",
    "function_call_output": "fco",
    "custom_tool_call": "ctc",
    "custom_tool_call_output": "ctco",
    "tool_search_call": "tsc",
    "tool_search_output": "tso",
}


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


# ferry: codex_core::context::model_switch_message @ 1d092cb66 -- 0.169.0 wording
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
    are not among them: they are recorded in the session meta and sent first).

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

#: the note an interrupted turn leaves in the history (0.169.0 wording).
TURN_ABORTED_TEXT = (
    "<turn_aborted>\nThe user interrupted the previous turn on purpose. Any running unified "
    "exec processes may still be running in the background. If any tools/commands were "
    "aborted, they may have partially executed.\n</turn_aborted>"
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


@dataclass
class TurnOutcome:
    """How a turn ended: the last agent message, or the error that failed it."""

    last_message: str | None = None
    error: str | None = None
    usage: TokenUsage = field(default_factory=TokenUsage)


class Session:
    def __init__(
        self,
        config: Config,
        client: ModelClient,
        sink: EventSink,
        *,
        thread_id: str | None = None,
        history: list[JsonObject] | None = None,
        output_schema: JsonObject | None = None,
        rollout_path: Path | None = None,
        base_instructions: str | None = None,
        resumed_model: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.resumed_model = resumed_model
        self._settings_checked = False
        self._turn_completed = False
        self._rerouted_this_turn = False
        self.config = config
        #: a resumed thread keeps the base instructions it was recorded with.
        self.base_instructions = (
            base_instructions if base_instructions is not None else base_instructions_text(config)
        )
        self._base_message = normalize_history_item(_message("developer", [self.base_instructions]))
        self.client = client
        self.sink = sink
        self.resumed = history is not None
        self.thread_id = thread_id or uuid7()
        self.mcp = start_mcp(config)
        self.skills = load_skills(config)
        self.history: list[JsonObject] = (
            history
            if history is not None
            else [
                normalize_history_item(i)
                for i in initial_context(
                    config,
                    skills=self.skills.instructions(),
                    deferred_tools=tools_fragment(self.deferred_namespaces()),
                )
            ]
        )
        self.output_schema = output_schema
        self._sleep = sleep
        self._item_counter = 0
        self.total_usage = TokenUsage()
        if rollout_path is not None and not config.ephemeral:
            self.recorder = RolloutRecorder(
                rollout_path
            )  # a resumed thread appends to its own file
        else:
            self.recorder = RolloutRecorder.create(
                config.codex_home, self.thread_id, config.ephemeral
            )
        self.installation_id = installation_id(config.codex_home)
        self.window_id = f"{self.thread_id}:0"
        self._turn_started_ms = 0
        self._turn_workspace: tuple[Path, dict[str, object]] | None = None
        self.context_window_id = uuid7()
        self.router = ToolRouter(
            ToolContext(
                config=config,
                thread_id=self.thread_id,
                next_item_id=self.next_item_id,
                emit=self.sink.emit,
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

    # ------------------------------------------------------------------ deferred tools

    # ferry: codex_core::session::Session::deferred_tool_namespaces @ 1d092cb66 -- 0.169.0: MCP servers and multi_agent_v1
    def deferred_namespaces(self) -> dict[str, str | None]:
        """Namespace -> description of everything behind ``tool_search`` right now."""
        namespaces: dict[str, str | None] = {}
        if self.mcp is not None:
            for server, info in self.mcp.ready().items():
                text = (info.instructions or "").strip()
                namespaces[mcp_namespace(server)] = text or None
        if multi_agent_enabled(self.config):
            namespaces[MULTI_AGENT_NAMESPACE] = spec(MULTI_AGENT_NAMESPACE)["description"]
        return namespaces

    # ferry: codex_core::tools::tool_search_entry::build_tool_search_entries @ 1d092cb66
    def tool_search_index(self) -> ToolSearch:
        entries = mcp_entries(self.mcp.ready()) if self.mcp is not None else []
        if multi_agent_enabled(self.config):
            entries.extend(multi_agent_entries())
        return ToolSearch(entries)

    # ------------------------------------------------------------------ plumbing

    def next_item_id(self) -> str:
        item_id = f"item_{self._item_counter}"
        self._item_counter += 1
        return item_id

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
                ),
            )
            for item in self.history:
                self.recorder.record("response_item", item)
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
            self.sink.emit(
                {
                    "type": "item.completed",
                    "item": {"id": self.next_item_id(), "type": "error", "message": warning},
                }
            )

    def close(self) -> None:
        self._abort_goal_continuation()
        if self.mcp is not None:
            self.mcp.close()
        self.router.shutdown()
        self.recorder.close()
        self.client.close()

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
            normalize_history_item(_message("user", [TURN_ABORTED_TEXT])),
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

    def request_body(self, ctx: RequestContext | None = None) -> JsonObject:
        config = self.config
        body: JsonObject = {
            "model": config.model,
            "stream": True,
            "input": [self._base_message, *(request_item(i) for i in self.history)],
            "tools": tools_for(
                config,
                mcp_resources=self.mcp is not None and self.mcp.configured,
                tool_search=bool(self.deferred_namespaces()),
            ),
            "tool_choice": "auto",
            "parallel_tool_calls": True,
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
        body["prompt_cache_key"] = self.thread_id
        text: JsonObject = {}
        if config.effective_verbosity:
            text["verbosity"] = config.effective_verbosity
        if self.output_schema is not None:
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

    def turn_metadata(self, turn_id: str) -> str:
        """The ``x-codex-turn-metadata`` JSON: who is asking, in which sandbox, for which turn."""
        sandboxed = self.config.sandbox.mode != "danger-full-access"
        metadata = {
            "installation_id": self.installation_id,
            "session_id": self.thread_id,
            "thread_id": self.thread_id,
            "agent_name": "/root",
            "turn_id": turn_id,
            "window_id": self.window_id,
            "window_number": 0,
            "context_window_id": self.context_window_id,
            "request_kind": "turn",
            "history_initialization": "cold_resume" if self.resumed else "new",
            "root_turn_id": turn_id,
            "thread_source": self.config.thread_source,
            "turn_trigger": "exec",
            "sandbox": "seccomp" if sandboxed else "none",
            "sandbox_mode": self.config.sandbox.mode,
            "auto_review_enabled": False,
            "node_repl_auto_review_required": False,
            "node_repl_disabled": False,
            "turn_started_at_unix_ms": self._turn_started_ms,
            "analytics_enabled": self.config.analytics_enabled,
            "model": self.config.model,
        }
        effort = self.config.effective_reasoning_effort
        if effort is not None:
            metadata["reasoning_effort"] = effort
        workspace = self._turn_workspace
        if workspace is not None:
            root, state = workspace
            metadata["workspaces"] = {str(root): state}
            metadata = {k: metadata[k] for k in sorted(metadata, key=_METADATA_ORDER.index)}
        return json.dumps(metadata, separators=(",", ":"))

    def request_context(self, turn_id: str) -> RequestContext:
        metadata = self.turn_metadata(turn_id)
        headers = {"x-codex-window-id": self.window_id, "x-codex-turn-metadata": metadata}
        return RequestContext(thread_id=self.thread_id, turn_id=turn_id, extra_headers=headers)

    def client_metadata(self, ctx: RequestContext) -> JsonObject:
        turn_id = ctx.turn_id or ""
        return {
            "thread_id": self.thread_id,
            "x-codex-turn-metadata": ctx.extra_headers.get("x-codex-turn-metadata", ""),
            "x-codex-installation-id": self.installation_id,
            "session_id": self.thread_id,
            "x-codex-window-id": self.window_id,
            "turn_id": turn_id,
            "root_turn_id": turn_id,
        }

    # ------------------------------------------------------------------ turn

    def run_turn(self, prompt: str, images: Sequence[tuple[str, Path]] = ()) -> TurnOutcome:
        """One user turn. ``images`` are (path as given, path) pairs placed before the prompt."""
        turn_id = uuid7()
        self._rerouted_this_turn = False
        self.sink.emit({"type": "turn.started"})
        self.recorder.record(
            "turn_context",
            {
                "turn_id": turn_id,
                "cwd": str(self.config.cwd),
                "approval_policy": self.config.approval_policy,
                "sandbox_policy": {"type": self.config.sandbox.mode},
                "model": self.config.model,
            },
        )
        self.recorder.record("event_msg", {"type": "task_started", "turn_id": turn_id})
        if self.resumed_model and self.resumed_model != self.config.model:
            self._add(
                _message("developer", [model_switch_text(base_instructions_text(self.config))])
            )
            self.resumed_model = self.config.model
        if self.resumed and not self._settings_checked:
            for update in settings_update_items(self.config, self.history):
                self._add(update)
        self._settings_checked = True
        self._add(user_turn_message(prompt, images))
        for injected in self.skills.mentioned(prompt):
            self._add(injected)
        self.recorder.record("event_msg", {"type": "user_message", "message": prompt})
        outcome = TurnOutcome()
        turn_usage = TokenUsage()
        self._turn_started_ms = int(time.time() * 1000)
        self._turn_workspace = git_workspace(self.config.cwd)  # as seen when the turn starts
        ctx = self.request_context(turn_id)
        try:
            while True:
                needs_follow_up, usage, last_message = self._sample(ctx)
                if usage is not None:
                    turn_usage = turn_usage + usage
                if last_message is not None:
                    outcome.last_message = last_message
                if not needs_follow_up:
                    break
        except ModelClientError as exc:
            outcome.error = str(exc)
            outcome.usage = turn_usage
            self.sink.emit({"type": "error", "message": outcome.error})
            self.sink.emit({"type": "turn.failed", "error": {"message": outcome.error}})
            self.recorder.record("event_msg", {"type": "error", "message": outcome.error})
            return outcome
        outcome.usage = turn_usage
        self._turn_completed = True
        self._notify(turn_id, prompt, outcome.last_message)
        self.router.finish_turn()
        self.sink.emit({"type": "turn.completed", "usage": _usage_json(turn_usage)})
        self.recorder.record(
            "event_msg",
            {
                "type": "task_complete",
                "turn_id": turn_id,
                "last_agent_message": outcome.last_message,
            },
        )
        return outcome

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
                self.sink.emit(
                    {"type": "error", "message": f"Reconnecting... {retries}/{max_retries} ({exc})"}
                )
                self._sleep(exc.delay if exc.delay is not None else backoff_seconds(retries))

    def _try_sample(self, ctx: RequestContext) -> tuple[bool, TokenUsage | None, str | None]:
        """Stream one response. Messages and reasoning are shown as they arrive; tool calls
        are recorded as they arrive and run once the response ends (upstream runs them
        concurrently and appends their outputs in call order after the response)."""
        needs_follow_up = False
        last_message: str | None = None
        calls: list[JsonObject] = []
        try:
            for event in stream_model(self.client, self.request_body(ctx), ctx):
                if isinstance(event, ServerModel):
                    self._check_server_model(event.model)
                    continue
                if isinstance(event, OutputItemDone):
                    item = event.item
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
                    self._record_usage(event.usage)
                    if event.usage is not None:
                        self.router.goals.add_tokens(event.usage.total_tokens)
                    return needs_follow_up, event.usage, last_message
            raise StreamError("stream closed before response.completed")
        finally:
            # Calls that arrived are answered even when the stream broke, so the
            # history stays valid (every call has its output) for the retry.
            for call in calls:
                output = self.router.dispatch(call)
                # codex sends the "aborted" answer of a call it could not hand to a
                # handler, but does not write it to the rollout.
                self._add(output, persist=output.get("output") != ABORTED_OUTPUT)
            for extra in self.router.goals.take_pending_items():
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

    def _record_usage(self, usage: TokenUsage | None) -> None:
        if usage is None:
            return
        self.total_usage = self.total_usage + usage
        info = {
            "total_token_usage": self.total_usage.to_json(),
            "last_token_usage": usage.to_json(),
            "model_context_window": None,
        }
        self.recorder.record("event_msg", {"type": "token_count", "info": info})

    def _commit_item(self, item: JsonObject) -> None:
        """Record a non-call output item and show it."""
        self._add(item)
        kind = item.get("type")
        if kind == "message" and item.get("role") == "assistant":
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
            self.recorder.record("event_msg", {"type": "agent_message", "message": text})
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


# ferry: codex_core::session::Session::new @ 1d092cb66 -- 0.169.0: MCP servers start with the session
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
    "root_turn_id",
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
]


def _git(cwd: Path, *args: str) -> str | None:
    try:
        proc = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, timeout=5, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return proc.stdout.strip() if proc.returncode == 0 else None


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
