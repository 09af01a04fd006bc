"""Chat Completions adapter for providers configured with ``wire_api = "chat"``.

The agent loop speaks Responses items; this module translates the request
(input items → messages, tools → function tools) and folds the streamed chat
deltas back into Responses-style output items, so the rest of pycodex is
unaware of which wire API is in use. Freeform (custom) tools are offered as
functions taking one ``input`` string and mapped back on the way in.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pycodex.client.events import (
    Completed,
    OutputItemDone,
    OutputTextDelta,
    ResponseEvent,
    TokenUsage,
)
from pycodex.client.validate import chat_chunk_is_well_formed
from pycodex.errors import StreamError

JsonObject = dict[str, Any]


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    parts = []
    for part in content or []:
        if isinstance(part, Mapping) and part.get("type") in ("input_text", "output_text", "text"):
            parts.append(str(part.get("text", "")))
    return "\n".join(parts)


# ferry: port-only -- port enhancement: Chat Completions wire API (wire_api = "chat") for servers without the Responses API; upstream supports only Responses
def to_chat_messages(
    instructions: str | None, items: Sequence[Mapping[str, Any]]
) -> list[JsonObject]:
    messages: list[JsonObject] = []
    if instructions:
        messages.append({"role": "system", "content": instructions})
    for item in items:
        kind = item.get("type")
        if kind == "message":
            role = str(item.get("role", "user"))
            messages.append(
                {
                    "role": "system" if role == "developer" else role,
                    "content": _text_of(item.get("content")),
                }
            )
        elif kind in ("function_call", "custom_tool_call"):
            arguments = (
                item.get("arguments")
                if kind == "function_call"
                else json.dumps({"input": item.get("input", "")})
            )
            call = {
                "id": item.get("call_id"),
                "type": "function",
                "function": {"name": item.get("name"), "arguments": arguments},
            }
            last = messages[-1] if messages else None
            if last is not None and last.get("role") == "assistant" and "tool_calls" in last:
                last["tool_calls"].append(call)
            else:
                messages.append({"role": "assistant", "content": None, "tool_calls": [call]})
        elif kind in ("function_call_output", "custom_tool_call_output"):
            output = item.get("output")
            messages.append(
                {
                    "role": "tool",
                    "tool_call_id": item.get("call_id"),
                    "content": _text_of(output) if not isinstance(output, str) else output,
                }
            )
    return messages


# ferry: port-only -- port enhancement: Chat Completions wire API (wire_api = "chat"); upstream supports only Responses
def to_chat_tools(tools: Sequence[Mapping[str, Any]]) -> tuple[list[JsonObject], set[str]]:
    """Function tools pass through; custom tools become one-string functions."""
    out: list[JsonObject] = []
    custom: set[str] = set()
    for tool in tools:
        if tool.get("type") == "function":
            out.append(
                {
                    "type": "function",
                    "function": {
                        "name": tool["name"],
                        "description": tool.get("description", ""),
                        "parameters": tool.get("parameters", {}),
                    },
                }
            )
        elif tool.get("type") == "custom":
            custom.add(str(tool["name"]))
            out.append(
                {
                    "type": "function",
                    "function": {
                        "name": tool["name"],
                        "description": tool.get("description", ""),
                        "parameters": {
                            "type": "object",
                            "properties": {
                                "input": {"type": "string", "description": "The raw tool input."}
                            },
                            "required": ["input"],
                            "additionalProperties": False,
                        },
                    },
                }
            )
    return out, custom


# ferry: port-only -- port enhancement: Chat Completions wire API (wire_api = "chat"); upstream supports only Responses
def chat_request_body(responses_body: Mapping[str, Any]) -> tuple[JsonObject, set[str]]:
    tools, custom = to_chat_tools(responses_body.get("tools", []))
    body: JsonObject = {
        "model": responses_body["model"],
        "messages": to_chat_messages(
            responses_body.get("instructions"), responses_body.get("input", [])
        ),
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    if tools:
        body["tools"] = tools
        body["tool_choice"] = "auto"
    text = responses_body.get("text") or {}
    fmt = text.get("format") if isinstance(text, Mapping) else None
    if isinstance(fmt, Mapping) and fmt.get("type") == "json_schema":
        body["response_format"] = {
            "type": "json_schema",
            "json_schema": {
                "name": fmt.get("name"),
                "schema": fmt.get("schema"),
                "strict": fmt.get("strict", True),
            },
        }
    return body, custom


# ferry: port-only -- port enhancement: Chat Completions wire API (wire_api = "chat"); upstream supports only Responses
def parse_chat_stream(
    events: Iterator[tuple[str, str]], custom_tools: set[str]
) -> Iterator[ResponseEvent]:
    text_parts: list[str] = []
    calls: dict[int, JsonObject] = {}
    usage: TokenUsage | None = None
    response_id: str | None = None
    finished = False
    for _name, data in events:
        if not data:
            continue
        if data.strip() == "[DONE]":
            finished = True
            break
        try:
            chunk = json.loads(data)
        except ValueError:
            continue  # skipped like a malformed Responses event
        if not chat_chunk_is_well_formed(chunk):
            continue  # wrong shapes are skipped too, never a traceback
        response_id = chunk.get("id") or response_id
        if chunk.get("usage"):
            raw = chunk["usage"]
            usage = TokenUsage(
                input_tokens=int(raw.get("prompt_tokens") or 0),
                cached_input_tokens=int(
                    (raw.get("prompt_tokens_details") or {}).get("cached_tokens") or 0
                ),
                output_tokens=int(raw.get("completion_tokens") or 0),
                reasoning_output_tokens=int(
                    (raw.get("completion_tokens_details") or {}).get("reasoning_tokens") or 0
                ),
                total_tokens=int(raw.get("total_tokens") or 0),
            )
        for choice in chunk.get("choices") or []:
            delta = choice.get("delta") or {}
            if delta.get("content"):
                text_parts.append(delta["content"])
                yield OutputTextDelta(delta["content"])
            for tc in delta.get("tool_calls") or []:
                slot = calls.setdefault(
                    int(tc.get("index", 0)), {"id": None, "name": "", "arguments": ""}
                )
                if tc.get("id"):
                    slot["id"] = tc["id"]
                fn = tc.get("function") or {}
                slot["name"] += fn.get("name") or ""
                slot["arguments"] += fn.get("arguments") or ""
            if choice.get("finish_reason"):
                finished = True
    if not finished:
        raise StreamError("stream closed before response.completed")
    if text_parts:
        yield OutputItemDone(
            {
                "type": "message",
                "role": "assistant",
                "content": [{"type": "output_text", "text": "".join(text_parts)}],
            }
        )
    for index in sorted(calls):
        call = calls[index]
        call_id = call["id"] or f"call_{index}"
        if call["name"] in custom_tools:
            try:
                parsed = json.loads(call["arguments"] or "{}")
            except ValueError:
                parsed = None
            raw_input = parsed.get("input", "") if isinstance(parsed, dict) else call["arguments"]
            tool_input = raw_input if isinstance(raw_input, str) else json.dumps(raw_input)
            yield OutputItemDone(
                {
                    "type": "custom_tool_call",
                    "call_id": call_id,
                    "name": call["name"],
                    "input": tool_input,
                }
            )
        else:
            yield OutputItemDone(
                {
                    "type": "function_call",
                    "call_id": call_id,
                    "name": call["name"],
                    "arguments": call["arguments"] or "{}",
                }
            )
    yield Completed(response_id, usage)
