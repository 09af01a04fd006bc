"""Shell quoting as upstream renders commands (the ``shlex`` crate's 1.3 rules).

Each word is split into the longest chunks that one strategy can carry, in order of
preference: bare, single-quoted, double-quoted (escaping ``"`` and ``\\``). So
``echo hi > f`` becomes ``'echo hi > f'`` and a script containing single quotes is
double-quoted, e.g. ``"sed 's/a/b/'"``. Python's ``shlex.join`` differs, which would
show up in every ``command_execution`` event.
"""

from __future__ import annotations

from collections.abc import Iterable

_BARE = frozenset(b"+-./:@]_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_BARE_OK, _SINGLE_OK, _DOUBLE_OK = 1, 2, 4


def _allowed(byte: int) -> int:
    if byte >= 0x80:
        return _SINGLE_OK | _DOUBLE_OK
    ok = 0
    if byte in _BARE:
        ok |= _BARE_OK
    if byte not in b"'^\\":
        ok |= _SINGLE_OK
    if byte not in b"`$!^":
        ok |= _DOUBLE_OK
    return ok


def _chunk(data: bytes) -> tuple[int, int]:
    """Length of the longest prefix one strategy covers, and that strategy."""
    ok = _BARE_OK | _SINGLE_OK | _DOUBLE_OK
    i = 0
    if data[0] == ord("^"):  # bash only accepts ^ right after an opening single quote
        ok, i = _SINGLE_OK, 1
    while i < len(data):
        narrowed = ok & _allowed(data[i])
        if not narrowed:
            break
        ok = narrowed
        i += 1
    for strategy in (_BARE_OK, _SINGLE_OK, _DOUBLE_OK):
        if ok & strategy:
            return i, strategy
    raise AssertionError("unreachable: every byte fits some strategy")


# ferry: port-only -- reimplements the shlex crate's quoting (a Rust dependency, not codex-rs)
def quote(word: str) -> str:
    if not word:
        return "''"
    data = word.encode()
    out = bytearray()
    while data:
        length, strategy = _chunk(data)
        piece, data = data[:length], data[length:]
        if strategy == _BARE_OK:
            out += piece
        elif strategy == _SINGLE_OK:
            out += b"'" + piece + b"'"
        else:
            out += b'"'
            for byte in piece:
                if byte in b'$`"\\':
                    out.append(ord("\\"))
                out.append(byte)
            out += b'"'
    return out.decode()


# ferry: codex_shell_command::parse_command::shlex_join @ 1d092cb66
def join(words: Iterable[str]) -> str:
    return " ".join(quote(word) for word in words)
