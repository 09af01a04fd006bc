"""Whitespace- and comment-insensitive views of Rust text, computed with regexes.

Hashing a normalized text must be cheap: it runs for every changed item of every
commit. A single lexer regex finds string/char literals (kept verbatim) and
comments (dropped); whitespace in the remaining code is squeezed to one space
between word characters and removed around punctuation, so ``a+b`` and
``a + b`` or a re-wrapped argument list hash the same.
"""

from __future__ import annotations

import hashlib
import re

_LEX = re.compile(
    rb"""
      (?P<raw>b?r(?P<hashes>\#*)".*?"(?P=hashes))
    | (?P<str>b?"(?:[^"\\]|\\.)*")
    | (?P<chr>b?'(?:[^'\\\n]|\\.[^'\n]{0,9})')
    | (?P<line>//[^\n]*)
    | (?P<block>/\*.*?\*/)
    """,
    re.S | re.X,
)
_SPACE = re.compile(rb"\s+")
_PUNCT = re.compile(rb" (?=[^\w\s])|(?<=[^\w\s]) ")
_NON_NEWLINE = re.compile(rb"[^\n]")


def _squash(code: bytes) -> bytes:
    return _PUNCT.sub(b"", _SPACE.sub(b" ", code)).strip()


def normalize(text: bytes) -> bytes:
    """``text`` without comments and with insignificant whitespace removed."""
    out: list[bytes] = []
    buf: list[bytes] = []
    pos = 0
    for match in _LEX.finditer(text):
        buf.append(text[pos : match.start()])
        if match.lastgroup in ("line", "block"):
            buf.append(b" ")
        else:
            out.append(_squash(b"".join(buf)))
            buf = []
            out.append(b"\x1e" + match.group(0) + b"\x1e")
        pos = match.end()
    buf.append(text[pos:])
    out.append(_squash(b"".join(buf)))
    return b"".join(out)


def digest(*parts: bytes) -> str:
    """A short stable hash of normalized parts."""
    h = hashlib.sha256()
    for part in parts:
        h.update(part)
        h.update(b"\x1f")
    return h.hexdigest()[:16]


def blank_comments(text: bytes) -> bytes:
    """``text`` with comments replaced by spaces (newlines kept, literals untouched)."""
    out: list[bytes] = []
    pos = 0
    for match in _LEX.finditer(text):
        if match.lastgroup in ("line", "block"):
            out.append(text[pos : match.start()])
            out.append(_NON_NEWLINE.sub(b" ", match.group(0)))
            pos = match.end()
    out.append(text[pos:])
    return b"".join(out)


def blank(text: bytes) -> bytes:
    """Same length as ``text``, all but newlines turned into spaces."""
    return _NON_NEWLINE.sub(b" ", text)


def doc_comments(text: bytes) -> bytes:
    """The doc comments (``///``, ``/** */``, ``//!``, ``/*! */``) in ``text``, whitespace-squashed.

    A doc comment on a field or variant is not a plain comment: it becomes a schema
    description or a doc string, so comparisons must see it.
    """
    if b"//!" not in text and b"/*!" not in text and b"///" not in text and b"/**" not in text:
        return b""
    docs: list[bytes] = []
    for match in _LEX.finditer(text):
        if match.lastgroup not in ("line", "block"):
            continue
        comment = match.group(0)
        if comment.startswith((b"////", b"/***")):
            continue
        if comment.startswith((b"///", b"//!", b"/**", b"/*!")):
            docs.append(b" ".join(comment.split()))
    return b"\n".join(docs)
