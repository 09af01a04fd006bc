"""JSON-RPC as the app server speaks it: one JSON object per line, no ``"jsonrpc"`` field.

Incoming lines are classified like upstream's ``JSONRPCMessage`` (request, notification,
response, error); anything else -- a line that is not JSON, an object of no known
shape -- is ignored. Errors carry upstream's codes and serde's wording, which clients
show to users (``Invalid request: missing field `threadId```).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

JsonObject = dict[str, Any]
RequestId = int | str

#: JSON-RPC error codes used by codex's app server.
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
PARSE_ERROR = -32700


# ferry: codex_app_server_protocol::jsonrpc_lite::JSONRPCErrorError @ 1d092cb66
@dataclass(frozen=True)
class RpcError(Exception):
    """An error answer to one request."""

    code: int
    message: str
    data: Any = None

    # ferry: codex_app_server_protocol::jsonrpc_lite::JSONRPCError @ 1d092cb66
    def to_wire(self, request_id: RequestId | None) -> JsonObject:
        error: JsonObject = {"code": self.code, "message": self.message}
        if self.data is not None:
            error["data"] = self.data
        return {"error": error, "id": request_id}


# ferry: codex_app_server::outgoing_message::OutgoingError @ 1d092cb66
def invalid_request(message: str, data: Any = None) -> RpcError:
    return RpcError(INVALID_REQUEST, message, data)


# ferry: codex_app_server_protocol::jsonrpc_lite::JSONRPCMessage @ 1d092cb66
@dataclass(frozen=True)
class Incoming:
    """One classified line: ``kind`` is request, notification, response or error."""

    kind: str
    message: JsonObject

    # ferry: codex_app_server_protocol::jsonrpc_lite::JSONRPCRequest @ 1d092cb66 -- its id field
    @property
    def id(self) -> RequestId | None:
        value = self.message.get("id")
        return value if isinstance(value, int | str) and not isinstance(value, bool) else None

    # ferry: codex_app_server_protocol::jsonrpc_lite::JSONRPCRequest @ 1d092cb66 -- its method field
    @property
    def method(self) -> str | None:
        value = self.message.get("method")
        return value if isinstance(value, str) else None


# ferry: codex_app_server_protocol::jsonrpc_lite::JSONRPCMessage @ 1d092cb66 -- a line deserialized into it
def classify(line: str) -> Incoming | None:
    """The message a line holds, or ``None`` when the server should ignore it."""
    try:
        value = json.loads(line)
    except ValueError:
        return None
    if not isinstance(value, dict):
        return None
    has_id = "id" in value and _is_id(value["id"])
    method = value.get("method")
    if isinstance(method, str):
        return Incoming("request" if has_id else "notification", value)
    if has_id and "result" in value:
        return Incoming("response", value)
    if has_id and isinstance(value.get("error"), dict):
        return Incoming("error", value)
    return None


def _is_id(value: Any) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool)) or isinstance(value, str)


# ferry: codex_app_server_protocol::jsonrpc_lite::JSONRPCResponse @ 1d092cb66
def response(request_id: RequestId, result: Any) -> JsonObject:
    return {"id": request_id, "result": result}


# ferry: codex_app_server_protocol::protocol::common::server_notification_definitions!{} @ 1d092cb66 -- 0.169.0: emittedAtMs on every notification
def notification(method: str, params: Any) -> JsonObject:
    return {"method": method, "params": params, "emittedAtMs": now_ms()}


# ferry: codex_app_server_protocol::jsonrpc_lite::JSONRPCRequest @ 1d092cb66
def server_request(request_id: RequestId, method: str, params: Any) -> JsonObject:
    return {"method": method, "id": request_id, "params": params}


# ferry: port-only -- one clock for every timestamp the server sends
def now_ms() -> int:
    return int(time.time() * 1000)


# ---------------------------------------------------------------------- serde's wording


# ferry: port-only -- reimplements serde::de::Unexpected's Display (a Rust dependency, not codex-rs): the wording of codex's deserialization errors
def unexpected(value: Any) -> str:
    """How serde names a value it did not expect (``integer `5```, ``string "x"``)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"boolean `{'true' if value else 'false'}`"
    if isinstance(value, int):
        return f"integer `{value}`"
    if isinstance(value, float):
        return f"floating point `{value}`"
    if isinstance(value, str):
        return f"string {json.dumps(value)}"
    if isinstance(value, list):
        return "sequence"
    if isinstance(value, dict):
        return "map"
    return "value"


# ferry: port-only -- reimplements serde::de::Error::unknown_variant (a Rust dependency, not codex-rs): the wording of codex's deserialization errors
def unknown_variant(variant: str, expected: Sequence[str]) -> str:
    if not expected:
        return f"unknown variant `{variant}`, there are no variants"
    names = ", ".join(f"`{name}`" for name in expected)
    if len(expected) == 1:
        return f"unknown variant `{variant}`, expected {names}"
    return f"unknown variant `{variant}`, expected one of {names}"


_EXPECTED = {
    "string_type": "a string",
    "bool_type": "a boolean",
    "int_type": "i64",
    "int_from_float": "i64",
    "float_type": "f64",
    "list_type": "a sequence",
    "dict_type": "a map",
}


# ferry: port-only -- pydantic's first validation error in serde_json's words
def serde_message(errors: Iterable[Mapping[str, Any]], struct: str) -> str:
    """serde_json's message for the first thing wrong with a request's params."""
    for error in errors:
        kind = str(error.get("type", ""))
        loc = [str(p) for p in error.get("loc", ())]
        value = error.get("input")
        ctx = error.get("ctx") or {}
        if kind == "missing":
            return f"missing field `{loc[-1] if loc else '?'}`"
        if kind in _EXPECTED:
            return f"invalid type: {unexpected(value)}, expected {_EXPECTED[kind]}"
        if kind in ("model_type", "model_attributes_type"):
            name = loc[-1] if loc else struct
            return (
                f"invalid type: {unexpected(value)}, expected struct {name if not loc else struct}"
            )
        if kind == "literal_error" or kind == "enum":
            expected = _quoted_values(str(ctx.get("expected", "")))
            return unknown_variant(str(value), expected)
        if kind == "union_tag_invalid":
            return unknown_variant(
                str(ctx.get("tag", value)), _quoted_values(str(ctx.get("expected_tags", "")))
            )
        if kind == "union_tag_not_found":
            return f"missing field `{ctx.get('discriminator', 'type').strip(chr(39))}`"
        return str(error.get("msg", "invalid value"))
    return "invalid value"


def _quoted_values(text: str) -> list[str]:
    """``"'a', 'b' or 'c'"`` (pydantic's list of expected values) -> ``["a", "b", "c"]``."""
    out: list[str] = []
    current: list[str] = []
    inside = False
    for char in text:
        if char == "'":
            if inside:
                out.append("".join(current))
                current = []
            inside = not inside
        elif inside:
            current.append(char)
    return out
