"""Word splitting and quoting with the exact rules of the Rust ``shlex`` crate.

Python's :mod:`shlex` differs in small ways (comment handling, which characters
force quoting, single vs double quotes), and upstream renders examples and
rejection messages with the Rust crate, so the port carries its own copy.
"""

from __future__ import annotations

from collections.abc import Iterable

_UNQUOTED_OK = frozenset("+-./:@]_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_SINGLE_BAD = frozenset("'^\\")
_DOUBLE_BAD = frozenset("`$!^")
_U, _S, _D = 1, 2, 4


# ferry: port-only -- reimplements the shlex crate (a Rust dependency, not codex-rs): QuoteError
class QuoteError(ValueError):
    """Raised when a word holds a NUL byte, which no shell quoting can carry."""


# ferry: port-only -- reimplements the shlex crate (a Rust dependency, not codex-rs): shlex::split
def split(text: str) -> list[str] | None:
    """Split ``text`` like a POSIX shell would (no expansions); ``None`` on bad syntax."""
    words: list[str] = []
    i, n = 0, len(text)
    while True:
        while i < n and text[i] in " \t\n":
            i += 1
        if i >= n:
            return words
        if text[i] == "#":
            while i < n and text[i] != "\n":
                i += 1
            continue
        word: list[str] = []
        while i < n:
            ch = text[i]
            i += 1
            if ch == '"':
                while True:
                    if i >= n:
                        return None
                    c = text[i]
                    i += 1
                    if c == '"':
                        break
                    if c == "\\":
                        if i >= n:
                            return None
                        c2 = text[i]
                        i += 1
                        if c2 in '$`"\\':
                            word.append(c2)
                        elif c2 != "\n":
                            word.append("\\" + c2)
                    else:
                        word.append(c)
            elif ch == "'":
                end = text.find("'", i)
                if end < 0:
                    return None
                word.append(text[i:end])
                i = end + 1
            elif ch == "\\":
                if i >= n:
                    return None
                if text[i] != "\n":
                    word.append(text[i])
                i += 1
            elif ch in " \t\n":
                break
            else:
                word.append(ch)
        words.append("".join(word))


def _strategy(word: str, start: int) -> tuple[int, int]:
    prev = _U | _S | _D
    i = start
    if word[i] == "^":
        prev = _S
        i += 1
    while i < len(word):
        c = word[i]
        cur = prev
        if ord(c) >= 0x80 or c not in _UNQUOTED_OK:
            cur &= ~_U
        if c in _SINGLE_BAD:
            cur &= ~_S
        if c in _DOUBLE_BAD:
            cur &= ~_D
        if cur == 0:
            break
        prev = cur
        i += 1
    return i, prev


# ferry: port-only -- reimplements the shlex crate (a Rust dependency, not codex-rs): try_quote
def quote(word: str) -> str:
    """Quote one word the way ``shlex::try_quote`` does."""
    if not word:
        return "''"
    if "\x00" in word:
        raise QuoteError("cannot quote a string containing a NUL byte")
    out: list[str] = []
    pos = 0
    while pos < len(word):
        end, ok = _strategy(word, pos)
        chunk = word[pos:end]
        if ok & _U:
            if pos == 0 and end == len(word):
                return word
            out.append(chunk)
        elif ok & _S:
            out.append(f"'{chunk}'")
        else:
            escaped = "".join("\\" + c if c in '$`"\\' else c for c in chunk)
            out.append(f'"{escaped}"')
        pos = end
    return "".join(out)


# ferry: port-only -- reimplements the shlex crate (a Rust dependency, not codex-rs): try_join
def join(words: Iterable[str]) -> str:
    """Join words into one shell-safe string (``shlex::try_join``); raises :class:`QuoteError`."""
    return " ".join(quote(w) for w in words)


# ferry: codex_shell_command::parse_command::shlex_join @ 1d092cb66
def join_or_spaces(words: Iterable[str]) -> str:
    """``try_join`` falling back to a plain space join, as upstream renders commands."""
    items = list(words)
    try:
        return join(items)
    except QuoteError:
        return " ".join(items)
