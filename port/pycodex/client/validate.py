"""Shape checks for Responses SSE events, at the client boundary.

The stream is untrusted input: a server (or a proxy in between) can send
parseable JSON of any shape. These checks mirror what upstream's serde models
accept, so everything past the client can rely on the shapes, and a bad event
has upstream's outcome: an event whose common fields have the wrong type, or
an output item that is not a valid ``ResponseItem``, is ignored; a
``response.completed`` whose ``response`` does not parse fails the turn with
``failed to parse ResponseCompleted: ...`` once the stream ends.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

#: Event fields every event is parsed with; a wrong type drops the whole event.
_STRING_FIELDS = ("item_id", "call_id", "delta")
_INT_FIELDS = ("summary_index", "content_index")


# ferry: port-only -- the error a failed shape check raises (serde's error in upstream)
class ShapeError(ValueError):
    """A value does not have the shape upstream's model requires (message names the field)."""


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _opt_str(value: object) -> bool:
    return value is None or isinstance(value, str)


# ferry: codex_api::sse::responses::ResponsesStreamEvent @ 1d092cb66
def event_is_well_formed(event: object) -> bool:
    """Whether ``event`` deserialises as upstream's ``ResponsesStreamEvent``."""
    if not isinstance(event, dict) or not isinstance(event.get("type"), str):
        return False
    if not all(_opt_str(event.get(name)) for name in _STRING_FIELDS):
        return False
    return all(event.get(name) is None or _is_int(event.get(name)) for name in _INT_FIELDS)


def _text_parts(parts: object, kinds: tuple[str, ...]) -> bool:
    return isinstance(parts, list) and all(
        isinstance(p, dict) and p.get("type") in kinds and isinstance(p.get("text"), str)
        for p in parts
    )


def _content_item(part: object) -> bool:
    if not isinstance(part, dict):
        return False
    kind = part.get("type")
    if kind in ("input_text", "output_text"):
        return isinstance(part.get("text"), str)
    if kind == "input_image":
        return isinstance(part.get("image_url"), str)
    return False


def _message(item: Mapping[str, Any]) -> bool:
    content = item.get("content")
    return (
        isinstance(item.get("role"), str)
        and isinstance(content, list)
        and all(_content_item(p) for p in content)
        and _opt_str(item.get("id"))
        and _opt_str(item.get("phase"))
        and (item.get("end_turn") is None or isinstance(item.get("end_turn"), bool))
    )


def _reasoning(item: Mapping[str, Any]) -> bool:
    content = item.get("content")
    return (
        ("id" not in item or isinstance(item["id"], str))
        and _text_parts(item.get("summary"), ("summary_text",))
        and (content is None or _text_parts(content, ("reasoning_text", "text")))
        and _opt_str(item.get("encrypted_content"))
    )


def _function_call(item: Mapping[str, Any]) -> bool:
    return (
        isinstance(item.get("name"), str)
        and isinstance(item.get("arguments"), str)
        and isinstance(item.get("call_id"), str)
        and _opt_str(item.get("namespace"))
        and _opt_str(item.get("id"))
    )


def _custom_tool_call(item: Mapping[str, Any]) -> bool:
    return (
        isinstance(item.get("name"), str)
        and isinstance(item.get("input"), str)
        and isinstance(item.get("call_id"), str)
        and _opt_str(item.get("status"))
        and _opt_str(item.get("id"))
    )


def _local_shell_call(item: Mapping[str, Any]) -> bool:
    return (
        isinstance(item.get("status"), str)
        and isinstance(item.get("action"), dict)
        and _opt_str(item.get("call_id"))
    )


def _web_search_call(item: Mapping[str, Any]) -> bool:
    action = item.get("action")
    return (
        (action is None or (isinstance(action, dict) and isinstance(action.get("type"), str)))
        and _opt_str(item.get("status"))
        and _opt_str(item.get("id"))
    )


_ITEM_CHECKS: dict[str, Callable[[Mapping[str, Any]], bool]] = {
    "message": _message,
    "reasoning": _reasoning,
    "function_call": _function_call,
    "custom_tool_call": _custom_tool_call,
    "local_shell_call": _local_shell_call,
    "web_search_call": _web_search_call,
}


# ferry: codex_protocol::models::ResponseItem @ 1d092cb66
def item_is_well_formed(item: object) -> bool:
    """Whether ``item`` deserialises as a ``ResponseItem`` pycodex can act on.

    Types pycodex does not act on pass as long as they are objects with a string
    ``type`` (upstream keeps those as ``Other``).
    """
    if not isinstance(item, dict) or not isinstance(item.get("type"), str):
        return False
    check = _ITEM_CHECKS.get(item["type"])
    return check is None or check(item)


def _int_field(table: Mapping[str, Any], key: str, where: str) -> int:
    value = table.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ShapeError(f"{where}.{key}: expected an integer, got {_describe(value)}")
    return value


def _describe(value: object) -> str:
    if value is None:
        return "null (or missing)"
    names = {bool: "a boolean", str: "a string", list: "an array", dict: "an object"}
    for kind, name in names.items():
        if isinstance(value, kind):
            return name
    return "a number"


# ferry: codex_api::sse::responses::ResponseCompleted @ 1d092cb66
def parse_completed(response: object) -> tuple[str, dict[str, int] | None]:
    """``(id, usage)`` of a ``response.completed`` payload, or :class:`ShapeError`.

    ``usage`` is returned flattened (input/cached/output/reasoning/total tokens).
    """
    if not isinstance(response, dict):
        raise ShapeError(f"response: expected an object, got {_describe(response)}")
    response_id = response.get("id")
    if not isinstance(response_id, str):
        raise ShapeError(f"response.id: expected a string, got {_describe(response_id)}")
    usage = response.get("usage")
    if usage is None:
        return response_id, None
    if not isinstance(usage, dict):
        raise ShapeError(f"response.usage: expected an object, got {_describe(usage)}")
    flat = {
        "input_tokens": _int_field(usage, "input_tokens", "response.usage"),
        "output_tokens": _int_field(usage, "output_tokens", "response.usage"),
        "total_tokens": _int_field(usage, "total_tokens", "response.usage"),
        "cached_tokens": 0,
        "reasoning_tokens": 0,
    }
    for details_key, field in (
        ("input_tokens_details", "cached_tokens"),
        ("output_tokens_details", "reasoning_tokens"),
    ):
        details = usage.get(details_key)
        if details is None:
            continue
        where = f"response.usage.{details_key}"
        if not isinstance(details, dict):
            raise ShapeError(f"{where}: expected an object, got {_describe(details)}")
        flat[field] = _int_field(details, field, where)
    return response_id, flat


def _opt_int(value: object) -> bool:
    return value is None or _is_int(value)


def _usage_ok(usage: object) -> bool:
    if usage is None:
        return True
    if not isinstance(usage, dict):
        return False
    if not all(
        _opt_int(usage.get(k)) for k in ("prompt_tokens", "completion_tokens", "total_tokens")
    ):
        return False
    for key, field in (
        ("prompt_tokens_details", "cached_tokens"),
        ("completion_tokens_details", "reasoning_tokens"),
    ):
        details = usage.get(key)
        if details is not None and not (isinstance(details, dict) and _opt_int(details.get(field))):
            return False
    return True


def _tool_call_ok(call: object) -> bool:
    if not isinstance(call, dict) or not _opt_int(call.get("index")):
        return False
    function = call.get("function")
    return _opt_str(call.get("id")) and (
        function is None
        or (
            isinstance(function, dict)
            and _opt_str(function.get("name"))
            and _opt_str(function.get("arguments"))
        )
    )


def _choice_ok(choice: object) -> bool:
    if not isinstance(choice, dict):
        return False
    delta = choice.get("delta")
    if delta is None:
        return True
    if not isinstance(delta, dict) or not _opt_str(delta.get("content")):
        return False
    calls = delta.get("tool_calls")
    return calls is None or (isinstance(calls, list) and all(_tool_call_ok(c) for c in calls))


# ferry: port-only -- Chat Completions is a pycodex addition; same boundary checks
def chat_chunk_is_well_formed(chunk: object) -> bool:
    """Whether a Chat Completions stream chunk has the shape the parser relies on."""
    if not isinstance(chunk, dict) or not _opt_str(chunk.get("id")):
        return False
    choices = chunk.get("choices")
    if choices is not None and not (
        isinstance(choices, list) and all(_choice_ok(c) for c in choices)
    ):
        return False
    return _usage_ok(chunk.get("usage"))
