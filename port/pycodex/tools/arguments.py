"""Tool-argument parsing with serde_json-style error messages.

The model sees the parse error of its own malformed arguments, so pycodex words
them the way upstream (serde_json) does: ``EOF while parsing an object at line 1
column 17``, ``expected `,` or `}` at line 1 column 9``, ``missing field `cmd```.
"""

from __future__ import annotations

import json
from typing import Any

PREFIX = "failed to parse function arguments: "


# ferry: codex_core::tools::handlers::parse_arguments @ 1d092cb66 -- its FunctionCallError::RespondToModel
class ArgumentsError(ValueError):
    """Arguments the tool cannot use; ``str()`` is what the model is told."""


def _line_col(text: str, pos: int) -> tuple[int, int]:
    before = text[:pos]
    line = before.count("\n") + 1
    column = pos - (before.rfind("\n") + 1)
    return line, column


def _open_container(text: str) -> str:
    """What serde was parsing when the input ended: the innermost unclosed value."""
    stack: list[str] = []
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "{[":
            stack.append(ch)
        elif ch in "}]" and stack:
            stack.pop()
    if in_string:
        return "a string"
    if not stack:
        return "a value"
    return "an object" if stack[-1] == "{" else "a list"


# ferry: port-only -- reimplements serde_json's error messages (a Rust dependency, not codex-rs) for byte-identical tool outputs
def serde_message(text: str, exc: json.JSONDecodeError) -> str:
    if exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string"):
        line, column = _line_col(text, len(text.rstrip()))
        return f"EOF while parsing {_open_container(text)} at line {line} column {column}"
    line, column = exc.lineno, exc.colno
    message = exc.msg
    if message.startswith("Expecting value"):
        return f"expected value at line {line} column {column}"
    if message.startswith("Expecting property name"):
        return f"key must be a string at line {line} column {column}"
    if message.startswith("Expecting ':'"):
        return f"expected `:` at line {line} column {column}"
    if message.startswith("Expecting ',' delimiter"):
        closer = "}" if _open_container(text[: exc.pos]) == "an object" else "]"
        return f"expected `,` or `{closer}` at line {line} column {column}"
    if message.startswith("Extra data"):
        return f"trailing characters at line {line} column {column}"
    if message.startswith("Invalid control character"):
        return f"control character (\\u0000-\\u001F) found while parsing a string at line {line} column {column}"
    return f"{message} at line {line} column {column}"


# ferry: codex_core::tools::handlers::parse_arguments @ 1d092cb66
def parse_arguments(text: str, required: tuple[str, ...] = ()) -> dict[str, Any]:
    """Parse a JSON object of tool arguments or raise :class:`ArgumentsError`."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ArgumentsError(PREFIX + serde_message(text, exc)) from None
    if not isinstance(value, dict):
        kind = {list: "a sequence", str: "a string", bool: "a boolean", type(None): "null"}.get(
            type(value), "a number"
        )
        line, column = _line_col(text, len(text.rstrip()))
        raise ArgumentsError(
            f"{PREFIX}invalid type: {kind}, expected a map at line {line} column {column}"
        )
    for name in required:
        if name not in value:
            line, column = _line_col(text, len(text.rstrip()))
            raise ArgumentsError(f"{PREFIX}missing field `{name}` at line {line} column {column}")
    return value
