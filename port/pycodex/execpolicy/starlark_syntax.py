"""Describe syntax errors the way Starlark's parser words them, where we can tell.

Python's parser finds the same mistakes but words them differently, and accepts a
few things Starlark refuses (reserved words such as ``while``, juxtaposed string
literals). :func:`scan_tokens` runs before parsing and reports those in source
order; :func:`diagnose` rewords Python's error for the common cases — a bracket
left open at the end of the file, an unfinished string, a missing operand. Anything
else keeps Python's message.
"""

from __future__ import annotations

import ast
import io
import keyword
import tokenize
from dataclasses import dataclass

from pycodex.execpolicy.rules import rust_debug_str

_CLOSERS = {"(": ")", "[": "]", "{": "}"}
_KEYWORDS = frozenset(keyword.kwlist) - {"True", "False", "None"}
#: Python keywords that Starlark reserves; using one is a lexer error upstream.
RESERVED_WORDS = frozenset(
    (
        "as",
        "assert",
        "async",
        "await",
        "class",
        "del",
        "except",
        "finally",
        "from",
        "global",
        "import",
        "is",
        "nonlocal",
        "raise",
        "try",
        "while",
        "with",
        "yield",
    )
)
_BINARY = frozenset(("=", "+", "*", "/", "//", "%", "|", "&", "^", "<<", ">>", "==", "!=", "<", ">", "<=", ">=", "+=", "-=", "*=", "/=", "//=", "%=", "|="))  # fmt: skip


# ferry: port-only -- reimplements the starlark crate's parse-error wording (a Rust dependency, not codex-rs)
@dataclass(frozen=True)
class SyntaxDiagnosis:
    """Message (after ``Parse error: ``) and 1-based span; ``at_eof`` has no source line."""

    message: str
    line: int
    column: int
    end_line: int
    end_column: int
    at_eof: bool = False


def _tokens(source: str) -> list[tokenize.TokenInfo]:
    out: list[tokenize.TokenInfo] = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            out.append(token)
    except (tokenize.TokenError, SyntaxError, IndentationError):
        pass
    return out


def _ends_value(token: tokenize.TokenInfo) -> bool:
    if token.type in (tokenize.NUMBER, tokenize.STRING):
        return True
    if token.type == tokenize.NAME:
        return token.string not in _KEYWORDS
    return token.type == tokenize.OP and token.string in (")", "]", "}")


def _starts_value(token: tokenize.TokenInfo) -> bool:
    if token.type in (tokenize.NUMBER, tokenize.STRING):
        return True
    return token.type == tokenize.NAME and token.string not in _KEYWORDS


def _describe(token: tokenize.TokenInfo) -> str:
    if token.type == tokenize.NAME:
        return f"identifier '{token.string}'"
    if token.type == tokenize.STRING:
        try:
            value = ast.literal_eval(token.string)
        except (ValueError, SyntaxError):
            value = token.string
        return f"string literal {rust_debug_str(str(value))}"
    if token.type == tokenize.NUMBER:
        return f"integer literal '{token.string}'"
    return f"symbol '{token.string}'"


def _span(token: tokenize.TokenInfo, message: str) -> SyntaxDiagnosis:
    (line, col), (end_line, end_col) = token.start, token.end
    return SyntaxDiagnosis(message, line, col + 1, end_line, end_col + 1)


_OPERAND_STARTS = frozenset(("(", "[", "{", "-", "+", "~"))


def _missing_operand(
    previous: tokenize.TokenInfo | None, token: tokenize.TokenInfo, in_call: bool
) -> bool:
    """An operator directly followed by something that cannot begin its operand."""
    if previous is None or previous.type != tokenize.OP or token.type != tokenize.OP:
        return False
    if previous.string in _BINARY:
        return token.string not in _OPERAND_STARTS
    if previous.string in (",", "(", "[", "{"):
        # `*args` / `**kwargs` unpacking is only valid among call arguments.
        return token.string in (",", "=") or (token.string in ("*", "**") and not in_call)
    return False


# ferry: port-only -- reimplements the starlark crate's lexer errors (a Rust dependency, not codex-rs)
def scan_tokens(source: str) -> SyntaxDiagnosis | None:
    """The first token-level error Starlark would report, if any (Python may accept it)."""
    stack: list[str] = []
    calls: list[bool] = []
    previous: tokenize.TokenInfo | None = None
    for token in _tokens(source):
        if token.type in (tokenize.NL, tokenize.COMMENT):
            continue
        if token.type == tokenize.ERRORTOKEN and not token.string.isspace():
            return None  # e.g. an unfinished string: left to the parser's diagnosis
        if token.type == tokenize.NAME and token.string in RESERVED_WORDS:
            return _span(token, f"cannot use reserved keyword `{token.string}`")
        if _missing_operand(previous, token, bool(calls) and calls[-1]):
            return _span(token, f"unexpected symbol '{token.string}', expected expression")
        if token.type == tokenize.OP and token.string in _CLOSERS:
            calls.append(token.string == "(" and previous is not None and _ends_value(previous))
            stack.append(token.string)
        elif token.type == tokenize.OP and token.string in _CLOSERS.values():
            if not stack or _CLOSERS[stack[-1]] != token.string:
                return _span(token, f"unexpected symbol '{token.string}', expected new line")
            stack.pop()
            calls.pop()
        elif previous is not None and _ends_value(previous) and _starts_value(token):
            expected = f"symbol '{_CLOSERS[stack[-1]]}'" if stack else "new line"
            return _span(token, f"unexpected {_describe(token)}, expected {expected}")
        elif (
            previous is not None
            and previous.type == tokenize.OP
            and previous.string in _BINARY
            and token.type == tokenize.NEWLINE
        ):
            line, col = token.start
            return SyntaxDiagnosis(
                "unexpected new line, expected expression", line, col + 1, line, col + 2
            )
        previous = token
    return None


# ferry: port-only -- reimplements the starlark crate's parse-error wording (a Rust dependency, not codex-rs)
def diagnose(source: str, error: SyntaxError) -> SyntaxDiagnosis | None:
    """Upstream's wording for Python's ``error`` in ``source``, or ``None`` to keep Python's."""
    message = error.msg or ""
    if message.startswith("unterminated string literal") and error.lineno and error.offset:
        lines = source.splitlines()
        end = len(lines[error.lineno - 1]) + 1 if error.lineno <= len(lines) else error.offset
        return SyntaxDiagnosis(
            "unfinished string literal", error.lineno, error.offset, error.lineno, end
        )
    if message == "unexpected indent" and error.lineno:
        lines = source.splitlines()
        text = lines[error.lineno - 1] if error.lineno <= len(lines) else ""
        indent = len(text) - len(text.lstrip(" \t"))
        return SyntaxDiagnosis(
            "unexpected new indentation block, expected expression",
            error.lineno,
            1,
            error.lineno,
            indent + 1,
        )
    if "never closed" in message:
        stack: list[str] = []
        for token in _tokens(source):
            if token.type == tokenize.OP and token.string in _CLOSERS:
                stack.append(token.string)
            elif token.type == tokenize.OP and token.string in _CLOSERS.values() and stack:
                stack.pop()
        if stack:
            closer = _CLOSERS[stack[-1]]
            return SyntaxDiagnosis(
                f"unexpected new line, expected symbol '{closer}'", 1, 1, 1, 1, at_eof=True
            )
    return None
