"""Agent ids are thread ids (UUIDs); a bad one is reported with the Rust ``uuid`` crate's words.

codex answers ``invalid agent id <id>: <error>`` with the ``Debug`` form of the parse
error (``Error(ParseChar { character: 'n', index: 1 })``), so pycodex validates ids the
same way and builds the same diagnostics.
"""

from __future__ import annotations

import re

_HEX = frozenset("0123456789abcdefABCDEF")
_HYPHENATED = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)
_SIMPLE = re.compile(r"^[0-9a-fA-F]{32}$")
_GROUP_STARTS = (0, 9, 14, 19, 24)


# ferry: port-only -- Python stand-in for uuid::Uuid::parse_str failures (uuid 1.20), kept as a value
class InvalidAgentId(ValueError):
    """``str(exc)`` is the ``Debug`` rendering of the uuid crate's error."""


# ferry: codex_protocol::thread_id::ThreadId::from_string @ 1d092cb66
def parse_thread_id(text: str) -> str:
    """The canonical (lower-case, hyphenated) id, or :class:`InvalidAgentId`."""
    if _SIMPLE.match(text):
        h = text.lower()
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
    if _HYPHENATED.match(text):
        return text.lower()
    if len(text) == 38 and text[0] == "{" and text[-1] == "}" and _HYPHENATED.match(text[1:-1]):
        return text[1:-1].lower()
    if len(text) == 45 and text.startswith("urn:uuid:") and _HYPHENATED.match(text[9:]):
        return text[9:].lower()
    raise InvalidAgentId(_diagnose(text))


def _char_debug(character: str) -> str:
    escapes = {"'": "\\'", "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\0": "\\0"}
    if character in escapes:
        return f"'{escapes[character]}'"
    if not character.isprintable():
        return f"'\\u{{{ord(character):x}}}'"
    return f"'{character}'"


# ferry: port-only -- the diagnostics of uuid 1.20 (InvalidUuid::into_err), the crate codex links; not in the codex tree
def _diagnose(text: str) -> str:
    raw = text.encode("utf-8")
    if raw.startswith(b"{") and raw.endswith(b"}") and len(raw) >= 2:
        body, offset, simple = raw[1:-1], 1, False
    elif raw.startswith(b"urn:uuid:"):
        body, offset, simple = raw[9:], 9, False
    else:
        body, offset, simple = raw, 0, True
    hyphens = 0
    bounds = [0, 0, 0, 0]
    for index, character in _char_indices(body.decode("utf-8")):
        if ord(character) > 0x7F:
            return f"Error(ParseChar {{ character: {_char_debug(character)}, index: {index + offset + 1} }})"
        if character == "-":
            if hyphens < 4:
                bounds[hyphens] = index
            hyphens += 1
        elif character not in _HEX:
            return f"Error(ParseChar {{ character: {_char_debug(character)}, index: {index + offset + 1} }})"
    if hyphens == 0 and simple:
        return f"Error(ParseSimpleLength {{ len: {len(raw)} }})"
    if hyphens != 4:
        return f"Error(ParseGroupCount {{ count: {hyphens + 1} }})"
    for group in range(4):
        if bounds[group] != _GROUP_STARTS[group + 1] - 1:
            length = (bounds[group] - _GROUP_STARTS[group]) % 2**64  # usize wraps
            return (
                f"Error(ParseGroupLength {{ group: {group}, len: {length}, "
                f"index: {offset + _GROUP_STARTS[group] + 1} }})"
            )
    return (
        f"Error(ParseGroupLength {{ group: 4, len: {len(raw) - _GROUP_STARTS[4]}, "
        f"index: {offset + _GROUP_STARTS[4] + 1} }})"
    )


def _char_indices(text: str) -> list[tuple[int, str]]:
    """(byte offset, character) pairs, like Rust's ``str::char_indices``."""
    out = []
    offset = 0
    for character in text:
        out.append((offset, character))
        offset += len(character.encode("utf-8"))
    return out
