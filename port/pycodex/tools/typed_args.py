"""Typed tool arguments with serde's error messages, positions included.

The sub-agent tools deserialize their arguments into Rust structs; a wrong type is
reported as ``invalid type: integer `5`, expected a string at line 1 column 13``, the
column being the last character of the offending value. :func:`locate` parses the JSON
keeping the end offset of every value so the same message can be produced.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pycodex.tools.arguments import PREFIX, ArgumentsError, parse_arguments

_DECODER = json.JSONDecoder()


def _string_at(text: str, index: int) -> tuple[str, int]:
    """The JSON string starting at ``text[index]`` (a quote) and the offset past it."""
    value, end = _DECODER.raw_decode(text, index)
    return str(value), end


_WS = " \t\n\r"


# ferry: port-only -- a JSON value with the offset just past it, for serde-style error positions
@dataclass(frozen=True)
class Located:
    value: Any
    end: int
    #: object members or array elements, themselves located.
    children: Any = None


def _skip(text: str, index: int) -> int:
    while index < len(text) and text[index] in _WS:
        index += 1
    return index


def _parse(text: str, index: int) -> Located:
    index = _skip(text, index)
    if text.startswith("{", index):
        members: dict[str, Located] = {}
        index = _skip(text, index + 1)
        if text.startswith("}", index):
            return Located({}, index + 1, members)
        while True:
            key, index = _string_at(text, _skip(text, index))
            index = _skip(text, index) + 1  # the ':'
            member = _parse(text, index)
            members[key] = member
            index = _skip(text, member.end)
            if text.startswith("}", index):
                value = {k: v.value for k, v in members.items()}
                return Located(value, index + 1, members)
            index += 1  # the ','
    if text.startswith("[", index):
        elements: list[Located] = []
        index = _skip(text, index + 1)
        if text.startswith("]", index):
            return Located([], index + 1, elements)
        while True:
            element = _parse(text, index)
            elements.append(element)
            index = _skip(text, element.end)
            if text.startswith("]", index):
                return Located([e.value for e in elements], index + 1, elements)
            index += 1
    value, end = _DECODER.raw_decode(text, index)
    return Located(value, end)


# ferry: port-only -- see module docstring
def locate(text: str) -> Located:
    """The arguments object with positions (``ArgumentsError`` with serde's words if invalid)."""
    parse_arguments(text)  # syntax errors and non-objects, worded as serde does
    return _parse(text, 0)


def _line_col(text: str, end: int) -> tuple[int, int]:
    before = text[:end]
    return before.count("\n") + 1, end - (before.rfind("\n") + 1)


def _unexpected(value: Any) -> str:
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
    return "map"


# ferry: port-only -- serde_json's `invalid type` error at a located value
def invalid_type(text: str, located: Located, expected: str) -> ArgumentsError:
    line, column = _line_col(text, located.end)
    return ArgumentsError(
        f"{PREFIX}invalid type: {_unexpected(located.value)}, expected {expected} "
        f"at line {line} column {column}"
    )


# ferry: port-only -- serde_json's `missing field` error at the end of the object
def missing_field(text: str, obj: Located, name: str) -> ArgumentsError:
    line, column = _line_col(text, obj.end)
    return ArgumentsError(f"{PREFIX}missing field `{name}` at line {line} column {column}")


# ferry: port-only -- serde_json's `unknown variant` error
def unknown_variant(text: str, located: Located, variants: tuple[str, ...]) -> ArgumentsError:
    line, column = _line_col(text, located.end)
    expected = ", ".join(f"`{v}`" for v in variants)
    return ArgumentsError(
        f"{PREFIX}unknown variant `{located.value}`, expected one of {expected} "
        f"at line {line} column {column}"
    )


Checker = Callable[[str, Located], Any]


# ferry: port-only -- Option<String>
def opt_str(text: str, located: Located) -> str | None:
    if located.value is None or isinstance(located.value, str):
        return located.value
    raise invalid_type(text, located, "a string")


# ferry: port-only -- String (required)
def req_str(text: str, located: Located) -> str:
    if isinstance(located.value, str):
        return located.value
    raise invalid_type(text, located, "a string")


# ferry: port-only -- bool with #[serde(default)]
def flag(text: str, located: Located) -> bool:
    if isinstance(located.value, bool):
        return located.value
    raise invalid_type(text, located, "a boolean")


# ferry: port-only -- Option<i64>
def opt_i64(text: str, located: Located) -> int | None:
    value = located.value
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    raise invalid_type(text, located, "i64")


# ferry: port-only -- Vec<String> (missing means empty)
def str_list(text: str, located: Located) -> list[str]:
    if not isinstance(located.value, list):
        raise invalid_type(text, located, "a sequence")
    for element in located.children:
        req_str(text, element)
    return list(located.value)


# ferry: port-only -- read the declared fields of an arguments object
def fields(text: str, spec: dict[str, Checker], required: tuple[str, ...] = ()) -> dict[str, Any]:
    """Each declared field checked in document order (serde reports the first bad one)."""
    root = locate(text)
    members: dict[str, Located] = root.children
    out: dict[str, Any] = {}
    for name, member in members.items():
        check = spec.get(name)
        if check is not None:
            out[name] = check(text, member)
    for name in required:
        if name not in members:
            raise missing_field(text, root, name)
    return out
