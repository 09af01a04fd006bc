"""The ``multi_agent_v1`` tools: spawn_agent, send_input, wait_agent, close_agent, resume_agent.

Each handler checks its arguments as codex does (serde's messages, the same refusals),
reports the call as a ``collab_tool_call`` item (``item.started`` then, unless the call
failed before the agent was reached, ``item.completed``) and answers the model with the
JSON codex returns. The agents themselves run in
:class:`pycodex.core.agents.control.AgentControl`.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pycodex.config.model import Config
from pycodex.core.agents import status as st
from pycodex.core.agents.ids import InvalidAgentId, parse_thread_id
from pycodex.core.agents.registry import AgentLimitReached
from pycodex.core.agents.roles import apply_role
from pycodex.core.agents.source import next_depth
from pycodex.images import IMAGE_OMITTED, image_mime_type, input_image, user_image_items
from pycodex.tools.arguments import ArgumentsError
from pycodex.tools.specs import catalog_efforts, catalog_in_use, spawn_agent_models
from pycodex.tools.typed_args import (
    Located,
    fields,
    flag,
    invalid_type,
    missing_field,
    opt_i64,
    opt_str,
    req_str,
    str_list,
    unknown_variant,
)

if TYPE_CHECKING:
    from pycodex.core.agents.control import AgentControl
    from pycodex.core.session import Session

JsonObject = dict[str, Any]

MIN_WAIT_TIMEOUT_MS = 10_000
DEFAULT_WAIT_TIMEOUT_MS = 30_000
MAX_WAIT_TIMEOUT_MS = 3_600_000
DEPTH_LIMIT = "Agent depth limit reached. Solve the task yourself."
#: codex 0.169.0 refuses only a role on a full-history fork; model and effort overrides apply.
FULL_FORK_OVERRIDES = (
    "Full-history forked agents inherit the parent agent type; "
    "omit agent_type, or spawn without a full-history fork."
)
INPUT_VARIANTS = ("text", "image", "local_image", "audio", "local_audio", "skill", "mention")

#: reasoning efforts of a parent model the catalog does not list (those of gpt-5.5).
PARENT_EFFORTS = ("low", "medium", "high", "xhigh")
_EFFORT_ORDER = ("none", "minimal", "low", "medium", "high", "xhigh", "max", "ultra")


# ferry: port-only -- a failure the model is told about (codex's FunctionCallError::RespondToModel)
class CollabError(Exception):
    pass


# ferry: codex_core::agent::control::render_input_preview @ 1d092cb66
def input_preview(items: Sequence[JsonObject]) -> str:
    parts = []
    for item in items:
        kind = item.get("type")
        if kind == "text":
            parts.append(str(item.get("text", "")))
        elif kind == "image":
            parts.append("[image]")
        elif kind == "local_image":
            parts.append(f"[local_image:{item.get('path', '')}]")
        elif kind == "skill":
            parts.append(f"[skill:${item.get('name', '')}]({item.get('path', '')})")
        elif kind == "mention":
            parts.append(f"[mention:${item.get('name', '')}]({item.get('path', '')})")
        else:
            parts.append("[input]")
    return "\n".join(parts)


_VARIANT_FIELDS = {
    "text": ("text",),
    "image": ("image_url",),
    "local_image": ("path",),
    "audio": ("audio_url",),
    "local_audio": ("path",),
    "skill": ("name", "path"),
    "mention": ("name", "path"),
}


def _items(text: str, located: Located) -> list[JsonObject] | None:
    """``Option<Vec<UserInput>>``: tagged by ``type``, each variant with its fields."""
    if located.value is None:
        return None
    if not isinstance(located.value, list):
        raise invalid_type(text, located, "a sequence")
    items: list[JsonObject] = []
    for element in located.children:
        if not isinstance(element.value, dict):
            raise invalid_type(text, element, "internally tagged enum UserInput")
        members: dict[str, Located] = element.children
        tag = members.get("type")
        if tag is None:
            raise missing_field(text, element, "type")
        kind = req_str(text, tag)
        if kind not in INPUT_VARIANTS:
            raise unknown_variant(text, tag, INPUT_VARIANTS)
        # a variant's fields are read from serde's buffered content, so their errors carry
        # no position until the sequence's end_seq has run: they point past its `]` or `,`.
        at_seq_end = Located(element.value, _end_seq(text, element.end))
        for name in _VARIANT_FIELDS[kind]:
            if name not in members:
                raise missing_field(text, at_seq_end, name)
            req_str(text, Located(members[name].value, at_seq_end.end))
        items.append(dict(element.value))
    return items


def _end_seq(text: str, index: int) -> int:
    """Where serde_json stands after ``end_seq`` following the element that ends at ``index``."""
    index = _skip_ws(text, index)
    if text.startswith("]", index):
        return index + 1
    if text.startswith(",", index):
        return _skip_ws(text, index + 1)
    return index


def _skip_ws(text: str, index: int) -> int:
    while index < len(text) and text[index] in " \t\n\r":
        index += 1
    return index


# ferry: codex_core::tools::handlers::multi_agents_common::parse_collab_input @ 1d092cb66
def collab_input(
    message: str | None, items: list[JsonObject] | None, cwd: Path
) -> tuple[JsonObject, str, str]:
    """The user message the agent receives, its one-line preview and its text.

    The text is codex's ``UserMessageItem::message``: the text inputs joined, which the
    state database keeps as the thread's first message and title."""
    if message is not None and items is not None:
        raise CollabError("Provide either message or items, but not both")
    if message is None and items is None:
        raise CollabError("Provide one of: message or items")
    if message is not None:
        if not message.strip():
            raise CollabError("Empty message can't be sent to an agent")
        items = [{"type": "text", "text": message}]
    assert items is not None
    if not items:
        raise CollabError("Items can't be empty")
    text = "".join(str(item["text"]) for item in items if item["type"] == "text")
    return _user_message(items, cwd), input_preview(items), text


def _user_message(items: Sequence[JsonObject], cwd: Path) -> JsonObject:
    content: list[JsonObject] = []
    images = 0
    for item in items:
        kind = item["type"]
        if kind == "text":
            content.append({"type": "input_text", "text": item["text"]})
        elif kind == "image":
            url = str(item["image_url"])
            if _usable_image_url(url):
                content.append(input_image(url))
            else:
                content.append({"type": "input_text", "text": IMAGE_OMITTED})
        elif kind == "local_image":
            raw = str(item["path"])
            path = (cwd / raw) if not Path(raw).is_absolute() else Path(raw)
            # the same items as an ``-i`` image: tagged, a placeholder, or why it is unreadable
            parts = user_image_items(images + 1, raw, path)
            if len(parts) > 1:
                images += 1
            content.extend(parts)
        elif kind in ("audio", "local_audio"):
            raise CollabError(f"{kind} input is not supported by pycodex sub-agents")
        # skill and mention items carry no content of their own (codex resolves them to
        # attachments, which pycodex's sub-agents do not load)
    return {"type": "message", "role": "user", "content": content}


def _usable_image_url(url: str) -> bool:
    if not url.startswith("data:"):
        return True
    header, _, payload = url.partition(",")
    if ";base64" not in header:
        return False
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        return False
    return image_mime_type(data, Path("image")) is not None


def _agent_id(target: str) -> str:
    try:
        return parse_thread_id(target)
    except InvalidAgentId as exc:
        raise CollabError(f"invalid agent id {target}: {exc}") from None


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


# ferry: codex_core::tools::handlers::multi_agents @ 1d092cb66 -- the v1 handlers, as one router
class MultiAgentTools:
    """Answers the ``multi_agent_v1`` namespace for one session."""

    def __init__(self, session: Session, control: AgentControl) -> None:
        self.session = session
        self.control = control

    # ferry: codex_core::tools::registry::ToolRegistry::dispatch_any @ 1d092cb66 -- multi_agent_v1 names
    def call(self, name: str, arguments: str, call_id: str) -> str | None:
        """The output text, or ``None`` for a name outside the namespace."""
        handler = {
            "spawn_agent": self.spawn_agent,
            "send_input": self.send_input,
            "wait_agent": self.wait_agent,
            "close_agent": self.close_agent,
            "resume_agent": self.resume_agent,
        }.get(name)
        if handler is None:
            return None
        try:
            return handler(arguments, call_id)
        except (CollabError, ArgumentsError) as exc:
            return str(exc)

    # -- events

    def _item(
        self,
        item_id: str,
        tool: str,
        receivers: Sequence[str],
        prompt: str | None,
        states: dict[str, st.AgentStatus] | None = None,
        status: str = "in_progress",
    ) -> JsonObject:
        return {
            "id": item_id,
            "type": "collab_tool_call",
            "tool": tool,
            "sender_thread_id": self.session.thread_id,
            "receiver_thread_ids": list(receivers),
            "prompt": prompt,
            "agents_states": {k: v.state() for k, v in (states or {}).items()},
            "status": status,
        }

    def _begin(self, tool: str, receivers: Sequence[str], prompt: str | None) -> str:
        item_id = self.session.next_item_id()
        self.session.sink.emit(
            {"type": "item.started", "item": self._item(item_id, tool, receivers, prompt)}
        )
        return item_id

    def _end(
        self,
        item_id: str,
        call_id: str,
        tool: str,
        receivers: Sequence[str],
        prompt: str | None,
        states: dict[str, st.AgentStatus],
        failed: bool,
    ) -> None:
        status = "failed" if failed else "completed"
        item = self._item(item_id, tool, receivers, prompt, states, status)
        self.session.sink.emit({"type": "item.completed", "item": item})
        self.session.record_turn_item(
            {
                "type": "CollabAgentToolCall",
                "id": call_id,
                "tool": tool,
                "status": status,
                "sender_thread_id": self.session.thread_id,
                "receiver_thread_ids": list(receivers),
                "agents_states": {k: v.to_json() for k, v in states.items()},
            }
        )

    @staticmethod
    def _failed(status: st.AgentStatus) -> bool:
        return status.kind in ("errored", "not_found")

    # -- spawn_agent

    # ferry: codex_core::tools::handlers::multi_agents::spawn::Handler::handle @ 1d092cb66 -- 0.169.0: a full-history fork refuses only agent_type
    def spawn_agent(self, arguments: str, call_id: str) -> str:
        args = fields(
            arguments,
            {
                "message": opt_str,
                "items": _items,
                "agent_type": opt_str,
                "model": opt_str,
                "reasoning_effort": opt_str,
                "fork_context": flag,
            },
        )
        raw_role = args.get("agent_type")
        role = raw_role.strip() if isinstance(raw_role, str) and raw_role.strip() else None
        parent = self.session
        message, preview, text = collab_input(
            args.get("message"), args.get("items"), parent.config.cwd
        )
        depth = next_depth(parent.subagent)
        max_depth = parent.config.agents.max_depth
        if depth > max_depth:
            raise CollabError(DEPTH_LIMIT)
        item_id = self._begin("spawn_agent", [], preview)
        model = args.get("model")
        effort = args.get("reasoning_effort")
        fork = bool(args.get("fork_context"))
        config = replace(parent.config, base_instructions=parent.base_instructions)
        model_switch = None
        notes: list[str] = []
        if fork and role is not None:
            raise CollabError(FULL_FORK_OVERRIDES)
        config = _model_overrides(config, model, effort)
        if not fork:
            try:
                config, notes = apply_role(config, role)
            except ValueError as exc:
                raise CollabError(str(exc)) from None
        if config.model != parent.config.model:
            model_switch = _model_switch_text(config)
        for note in notes:
            parent.hooks.log(parent, "WARN", note)
        if depth >= max_depth:
            config = replace(config, features={**config.features, "multi_agent": False})
        try:
            agent = self.control.spawn(
                parent,
                config,
                message,
                preview,
                role=role,
                fork=fork,
                model_switch=model_switch,
                text=text,
            )
        except AgentLimitReached as exc:
            self._end(item_id, call_id, "spawn_agent", [], preview, {}, failed=True)
            raise CollabError(f"collab spawn failed: {exc}") from None
        child = agent.thread_id
        self._end(
            item_id, call_id, "spawn_agent", [child], preview, {child: st.PENDING_INIT}, False
        )
        metadata = self.control.metadata(child)
        return _json({"agent_id": child, "nickname": metadata.nickname if metadata else None})

    # -- send_input

    # ferry: codex_core::tools::handlers::multi_agents::send_input::Handler::handle @ 1d092cb66
    def send_input(self, arguments: str, call_id: str) -> str:
        args = fields(
            arguments,
            {"target": req_str, "message": opt_str, "items": _items, "interrupt": flag},
            required=("target",),
        )
        target = _agent_id(args["target"])
        message, preview, text = collab_input(
            args.get("message"), args.get("items"), self.session.config.cwd
        )
        from pycodex.core.agents.control import AgentNotFound

        if args.get("interrupt"):
            try:
                self.control.interrupt(target)
            except AgentNotFound as exc:
                raise CollabError(str(exc)) from None
        item_id = self._begin("send_input", [target], preview)
        try:
            submission, status = self.control.send_input(
                self.session, target, message, preview, text=text
            )
        except AgentNotFound as exc:
            states = {target: st.NOT_FOUND}
            self._end(item_id, call_id, "send_input", [target], preview, states, True)
            raise CollabError(str(exc)) from None
        states = {target: status}
        self._end(item_id, call_id, "send_input", [target], preview, states, self._failed(status))
        return _json({"submission_id": submission})

    # -- wait_agent

    # ferry: codex_core::tools::handlers::multi_agents::wait::Handler::handle @ 1d092cb66
    def wait_agent(self, arguments: str, call_id: str) -> str:
        args = fields(arguments, {"targets": str_list, "timeout_ms": opt_i64})
        targets = args.get("targets") or []
        if not targets:
            raise CollabError("agent ids must be non-empty")
        ids = [_agent_id(t) for t in targets]
        timeout_ms = args.get("timeout_ms")
        if timeout_ms is None:
            timeout_ms = DEFAULT_WAIT_TIMEOUT_MS
        if timeout_ms <= 0:
            raise CollabError("timeout_ms must be greater than zero")
        timeout_ms = min(max(timeout_ms, MIN_WAIT_TIMEOUT_MS), MAX_WAIT_TIMEOUT_MS)
        item_id = self._begin("wait", ids, None)
        results = dict(self.control.wait_final(ids, timeout_ms / 1000))
        failed = any(self._failed(s) for s in results.values())
        self._end(item_id, call_id, "wait", sorted(results), None, results, failed)
        return _json(
            {"status": {k: v.to_json() for k, v in results.items()}, "timed_out": not results}
        )

    # -- close_agent

    # ferry: codex_core::tools::handlers::multi_agents::close_agent::Handler::handle @ 1d092cb66
    def close_agent(self, arguments: str, call_id: str) -> str:
        args = fields(arguments, {"target": req_str}, required=("target",))
        target = _agent_id(args["target"])
        from pycodex.core.agents.control import AgentNotFound

        item_id = self._begin("close_agent", [target], None)
        try:
            previous = self.control.close(target)
        except AgentNotFound as exc:
            states = {target: st.NOT_FOUND}
            self._end(item_id, call_id, "close_agent", [target], None, states, True)
            raise CollabError(str(exc)) from None
        states = {target: previous}
        self._end(item_id, call_id, "close_agent", [target], None, states, self._failed(previous))
        return _json({"previous_status": previous.to_json()})

    # -- resume_agent

    # ferry: codex_core::tools::handlers::multi_agents::resume_agent::Handler::handle @ 1d092cb66
    def resume_agent(self, arguments: str, call_id: str) -> str:
        args = fields(arguments, {"id": req_str}, required=("id",))
        target = _agent_id(args["id"])
        parent = self.session
        depth = next_depth(parent.subagent)
        max_depth = parent.config.agents.max_depth
        if depth > max_depth:
            raise CollabError(DEPTH_LIMIT)
        from pycodex.core.agents.control import AgentNotFound

        # exec shows resume_agent as a `wait` item (codex maps ResumeAgent to CollabTool::Wait)
        item_id = self._begin("wait", [target], None)
        status = self.control.status(target)
        error: str | None = None
        if status.kind == "not_found":
            config = replace(parent.config, base_instructions=None)
            if depth >= max_depth:
                config = replace(config, features={**config.features, "multi_agent": False})
            try:
                status = self.control.resume(parent, target, config)
            except AgentNotFound as exc:
                error = str(exc)
            except AgentLimitReached as exc:
                error = f"collab tool failed: {exc}"
        self._end(item_id, call_id, "wait", [target], None, {target: status}, self._failed(status))
        if error is not None:
            raise CollabError(error)
        return _json({"status": status.to_json()})


# ferry: codex_core::tools::handlers::multi_agents_common::apply_requested_spawn_agent_model_overrides @ 1d092cb66
def _model_overrides(config: Config, model: str | None, effort: str | None) -> Config:
    if model is None and effort is None:
        return config
    catalog = catalog_in_use(config)
    if model is not None:
        offered = spawn_agent_models(catalog)
        efforts = offered.get(model)
        if efforts is None:
            available = ", ".join(offered)
            raise CollabError(
                f"Unknown model `{model}` for spawn_agent. Available models: {available}"
            )
        if effort is not None:
            _check_effort(model, efforts, effort)
        return replace(
            config.with_model(model),
            model_reasoning_effort=effort if effort is not None else next(iter(efforts), None),
        )
    assert effort is not None
    efforts = catalog_efforts(catalog, config.model) or PARENT_EFFORTS
    _check_effort(config.model, efforts, effort)
    return replace(config, model_reasoning_effort=effort)


def _check_effort(model: str, efforts: Sequence[str], effort: str) -> None:
    if effort in efforts:
        return
    # a custom catalog may name efforts codex does not rank: they go last
    rank = {name: i for i, name in enumerate(_EFFORT_ORDER)}
    supported = ", ".join(sorted(efforts, key=lambda e: rank.get(e, len(rank))))
    raise CollabError(
        f"Reasoning effort `{effort}` is not supported for model `{model}`. "
        f"Supported reasoning efforts: {supported}"
    )


# ferry: codex_core::context::model_switch_instructions @ 1d092cb66 -- pycodex's base instructions as the new model's
def _model_switch_text(config: Config) -> str:
    from pycodex.core.session import base_instructions_text

    instructions = base_instructions_text(replace(config, base_instructions=None))
    return (
        "<model_switch>\nThe user was previously using a different model. Please continue the "
        f"conversation according to the following instructions:\n\n{instructions}\n</model_switch>"
    )
