"""Where a key sits in a TOML file, and the caret snippet upstream prints around it.

``--strict-config`` and TOML syntax errors point at the offending text the way the Rust
binary does::

    /home/u/.codex/config.toml:7:25: unknown configuration field `sandbox_workspace_write.bogus`
      |
    7 | sandbox_workspace_write.bogus = true
      |                         ^^^^^

``tomllib`` keeps no positions, so :func:`find_key_span` re-reads the text line by line:
table headers, dotted keys (bare or quoted), and inline tables on one line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_BARE = re.compile(r"[A-Za-z0-9_-]+")


# ferry: port-only -- a key's position in a TOML file (tomllib keeps none)
@dataclass(frozen=True)
class Span:
    """1-based line and column of a key's leaf segment, and its length as written."""

    line: int
    column: int
    length: int


def _key_parts(text: str, start: int) -> tuple[list[tuple[str, int, int]], int]:
    """Parse a (dotted) key at ``start``: [(name, column0, length)], index after the key."""
    parts: list[tuple[str, int, int]] = []
    i = start
    while True:
        while i < len(text) and text[i] in " \t":
            i += 1
        if i >= len(text):
            return parts, i
        if text[i] in "\"'":
            quote = text[i]
            end = text.find(quote, i + 1)
            while quote == '"' and end > 0 and text[end - 1] == "\\":
                end = text.find(quote, end + 1)
            if end < 0:
                return parts, len(text)
            raw = text[i + 1 : end]
            parts.append((raw, i, end + 1 - i))
            i = end + 1
        else:
            match = _BARE.match(text, i)
            if not match:
                return parts, i
            parts.append((match.group(0), i, match.end() - i))
            i = match.end()
        while i < len(text) and text[i] in " \t":
            i += 1
        if i < len(text) and text[i] == ".":
            i += 1
            continue
        return parts, i


def _inline_table_spans(
    line: str, start: int, prefix: list[str], lineno: int
) -> dict[tuple[str, ...], Span]:
    """Keys of an inline table ``{ a = 1, b = { c = 2 } }`` that starts at ``start``."""
    spans: dict[tuple[str, ...], Span] = {}
    stack = [prefix]
    i = start + 1
    expect_key = True
    depth_brackets = 0
    in_string: str | None = None
    while i < len(line):
        ch = line[i]
        if in_string:
            if ch == in_string and line[i - 1] != "\\":
                in_string = None
            i += 1
            continue
        if ch in "\"'" and not expect_key:
            in_string = ch
            i += 1
            continue
        if ch == "[":
            depth_brackets += 1
        elif ch == "]":
            depth_brackets -= 1
        elif ch == "}":
            stack.pop()
            if not stack:
                break
        elif ch == "," and depth_brackets == 0:
            expect_key = True
        elif expect_key and not ch.isspace():
            parts, after = _key_parts(line, i)
            if not parts:
                break
            path = [*stack[-1], *(p[0] for p in parts)]
            _, col, length = parts[-1]
            spans.setdefault(tuple(path), Span(lineno, col + 1, length))
            i = after
            while i < len(line) and line[i] in " \t=":
                i += 1
            if i < len(line) and line[i] == "{":
                stack.append(path)
                i += 1
                continue
            expect_key = False
            continue
        i += 1
    return spans


# ferry: port-only -- locates a dotted key in TOML text for upstream-style diagnostics
def find_key_span(text: str, key_path: tuple[str, ...]) -> Span | None:
    """Where ``key_path`` (e.g. ``("sandbox_workspace_write", "bogus")``) is defined."""
    table: list[str] = []
    best: Span | None = None
    multiline: str | None = None
    for lineno, line in enumerate(text.splitlines(), start=1):
        if multiline is not None:
            if multiline in line:
                multiline = None
            continue
        stripped = line.lstrip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("["):
            double = stripped.startswith("[[")
            offset = len(line) - len(stripped) + (2 if double else 1)
            parts, _ = _key_parts(line, offset)
            table = [p[0] for p in parts]
            for depth in range(1, len(parts) + 1):
                if tuple(table[:depth]) == key_path:
                    _, col, length = parts[depth - 1]
                    return Span(lineno, col + 1, length)
            continue
        parts, after = _key_parts(line, len(line) - len(stripped))
        if not parts:
            continue
        path = [*table, *(p[0] for p in parts)]
        for depth in range(len(table) + 1, len(path) + 1):
            if tuple(path[:depth]) == key_path:
                _, col, length = parts[depth - len(table) - 1]
                return Span(lineno, col + 1, length)
        rest = line[after:].lstrip(" \t=")
        value_start = len(line) - len(rest)
        if rest.startswith("{"):
            found = _inline_table_spans(line, value_start, path, lineno).get(key_path)
            if found is not None:
                return found
        for quote in ('"""', "'''"):
            if rest.startswith(quote) and rest.count(quote) == 1:
                multiline = quote
    return best


# ferry: codex_config::diagnostics::format_config_error_with_source @ 1d092cb66
def source_snippet(path: Path | str, text: str, span: Span, message: str) -> str:
    """``path:line:col: message`` followed by the line and a caret under the span."""
    lines = text.splitlines()
    source = lines[span.line - 1] if 0 < span.line <= len(lines) else ""
    gutter = " " * len(str(span.line))
    carets = "^" * max(span.length, 1)
    return (
        f"{path}:{span.line}:{span.column}: {message}\n"
        f"{gutter} |\n"
        f"{span.line} | {source}\n"
        f"{gutter} | {' ' * (span.column - 1)}{carets}"
    )
