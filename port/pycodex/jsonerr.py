"""serde_json's error wording for JSON the port reads where upstream uses ``serde_json``.

Upstream prints parse errors of user-supplied JSON (``--output-schema`` files) as
``serde_json::Error`` displays them (``trailing comma at line 1 column 19``); the port
parses with :mod:`json` and translates the error to the same words and position.
"""

from __future__ import annotations

import json


def _line_col(text: str, pos: int) -> tuple[int, int]:
    line = text.count("\n", 0, pos) + 1
    col = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return line, col


def _eof(text: str, what: str) -> str:
    line, col = _line_col(text, len(text))
    return f"EOF while parsing {what} at line {line} column {max(col - 1, 0)}"


# ferry: port-only -- serde_json (a third-party crate) error texts: the common syntax errors, in its words
def serde_json_error(exc: json.JSONDecodeError, text: str) -> str:
    """``exc`` (from :func:`json.loads` of ``text``) as serde_json would have reported it."""
    pos = exc.pos
    at_eof = text[pos:].strip() == ""
    msg = exc.msg
    if msg == "Expecting value":
        if at_eof:
            return _eof(text, "a value")
        code = "expected value"
    elif msg.startswith("Expecting property name"):
        if at_eof:
            return _eof(text, "an object")
        code = "trailing comma" if text[pos] == "}" else "key must be a string"
    elif msg == "Expecting ',' delimiter":
        if at_eof:
            return _eof(text, "a list" if _inside(text, pos) == "[" else "an object")
        code = "expected `,` or `]`" if _inside(text, pos) == "[" else "expected `,` or `}`"
    elif msg == "Expecting ':' delimiter":
        if at_eof:
            return _eof(text, "an object")
        code = "expected `:`"
    elif msg == "Extra data":
        code = "trailing characters"
    elif msg.startswith("Unterminated string"):
        return _eof(text, "a string")
    elif msg.startswith("Invalid control character"):
        code = "control character (\\u0000-\\u001F) found while parsing a string"
    else:
        code = msg[0].lower() + msg[1:]
    line, col = _line_col(text, pos)
    return f"{code} at line {line} column {col}"


def _inside(text: str, pos: int) -> str:
    """The innermost open bracket (``[`` or ``{``) before ``pos``, ignoring strings."""
    stack: list[str] = []
    in_string = False
    escaped = False
    for ch in text[:pos]:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            stack.append(ch)
        elif ch in "]}" and stack:
            stack.pop()
    return stack[-1] if stack else "{"
