"""Turn a scenario's scripted turns into the mock server's :class:`ScriptedResponse` queue."""

from __future__ import annotations

import json
from typing import Any

from pycodex.testing import (
    ScriptedResponse,
    ev_assistant_message,
    ev_completed_with_tokens,
    ev_custom_tool_call,
    ev_function_call,
    ev_output_text_delta,
    ev_reasoning_item,
    ev_response_created,
    sse,
)

from harness.parity.scenario import (
    AGENT_REF_RE,
    ROOT_CONVERSATION,
    After,
    Event,
    Scenario,
    Turn,
)
from harness.parity.server import SESSION_TOKEN, agent_token

#: scenario spelling of "the session id of the process started earlier".
SESSION_PLACEHOLDER = "$session"

#: a ``data:`` line that is not JSON, sent by ``malformed: true`` turns.
MALFORMED_EVENT = (
    'event: response.output_item.done\ndata: {"type": "response.output_item.done", "item": {\n\n'
)


def render_event(event: Event, turn_index: int, event_index: int) -> dict[str, Any]:
    """One scenario event as a Responses SSE event object."""
    if event.function_call is not None:
        call = event.function_call
        args = call.arguments if isinstance(call.arguments, str) else json.dumps(call.arguments)
        args = args.replace(f'"{SESSION_PLACEHOLDER}"', SESSION_TOKEN)
        args = AGENT_REF_RE.sub(lambda m: agent_token(m.group(1)), args)
        rendered = ev_function_call(call.call_id, call.name, args)
        if call.namespace is not None:
            rendered["item"]["namespace"] = call.namespace
        return rendered
    if event.custom_tool_call is not None:
        custom = event.custom_tool_call
        return ev_custom_tool_call(custom.call_id, custom.name, custom.input)
    if event.apply_patch is not None:
        return ev_custom_tool_call(
            event.apply_patch.call_id, "apply_patch", event.apply_patch.patch
        )
    if event.assistant_message is not None:
        message = event.assistant_message
        if isinstance(message, str):
            return ev_assistant_message(f"msg-{turn_index}-{event_index}", message)
        return ev_assistant_message(message.id or f"msg-{turn_index}-{event_index}", message.text)
    if event.reasoning is not None:
        reasoning = event.reasoning
        return ev_reasoning_item(
            reasoning.id or f"rs-{turn_index}-{event_index}", reasoning.summary, reasoning.content
        )
    if event.output_text_delta is not None:
        return ev_output_text_delta(event.output_text_delta)
    assert event.raw is not None  # guaranteed by Event's validator
    return dict(event.raw)


def render_turn(turn: Turn, index: int) -> ScriptedResponse:
    """One scenario turn as a scripted HTTP answer (SSE stream or fault)."""
    if turn.status != 200:
        headers = dict(turn.headers)
        if turn.retry_after is not None:
            headers["Retry-After"] = f"{turn.retry_after:g}"
        scripted = ScriptedResponse.error(turn.status, turn.message, headers)
        return ScriptedResponse(
            body=scripted.body,
            status=scripted.status,
            headers=scripted.headers,
            content_type=scripted.content_type,
            delay_s=turn.delay_s,
        )
    if turn.json_body is not None:
        return ScriptedResponse(
            body=json.dumps(turn.json_body),
            status=turn.status,
            headers=dict(turn.headers),
            content_type="application/json",
            delay_s=turn.delay_s,
        )
    response_id = turn.id or f"resp-{index}"
    events: list[dict[str, Any]] = [ev_response_created(response_id)] if turn.created else []
    events.extend(render_event(ev, index, i) for i, ev in enumerate(turn.events))
    body = sse(events)
    if turn.malformed:
        body += MALFORMED_EVENT
    if turn.failed is not None:
        body += sse(
            [
                {
                    "type": "response.failed",
                    "response": {"id": response_id, "error": dict(turn.failed)},
                }
            ]
        )
    elif turn.complete:
        body += sse(
            [
                ev_completed_with_tokens(
                    response_id,
                    turn.tokens,
                    input_tokens=turn.input_tokens,
                    output_tokens=turn.output_tokens,
                    cached_input_tokens=turn.cached_input_tokens,
                    reasoning_output_tokens=turn.reasoning_output_tokens,
                )
            ]
        )
    return ScriptedResponse(
        body=body, headers=dict(turn.headers), cut_after=turn.cut_after_bytes, delay_s=turn.delay_s
    )


def render_script(scenario: Scenario) -> list[ScriptedResponse]:
    return [render_turn(turn, i) for i, turn in enumerate(scenario.turns)]


def render_conversations(
    scenario: Scenario,
) -> dict[str, list[tuple[ScriptedResponse, After | None]]]:
    """Every conversation's answers (the root's ``turns`` and each agent's), with their
    ``after`` conditions. Response ids are numbered per conversation (``resp-<name>-<n>``)."""
    conversations = {ROOT_CONVERSATION: scenario.turns} | {
        name: script.turns for name, script in scenario.agents.items()
    }
    out: dict[str, list[tuple[ScriptedResponse, After | None]]] = {}
    for name, turns in conversations.items():
        steps = []
        for index, turn in enumerate(turns):
            if turn.id is None and name != ROOT_CONVERSATION:
                turn = turn.model_copy(update={"id": f"resp-{name}-{index}"})
            steps.append((render_turn(turn, index), turn.after))
        out[name] = steps
    return out
