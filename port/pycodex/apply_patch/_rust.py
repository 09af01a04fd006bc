"""Small helpers that reproduce Rust standard-library string and I/O semantics.

Upstream's parser works on ``str::lines()``, ``str::trim()`` and friends, whose
notion of whitespace and line endings differs from Python's ``splitlines`` and
``strip``; error texts embed ``std::io::Error`` and ``Utf8Error`` displays. The
port reproduces those exactly here so the rest of the package can stay literal.
"""

from __future__ import annotations

import errno as _errno
import os

#: ``char::is_whitespace`` (the Unicode White_Space property). Python's
#: ``str.isspace`` additionally treats U+001C..U+001F as whitespace; Rust does not.
RUST_WHITESPACE = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680"
    "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)


# ferry: port-only -- Python glue: Rust's str::trim semantics (Unicode whitespace) that upstream relies on
def trim(s: str) -> str:
    """``str::trim``."""
    return s.strip(RUST_WHITESPACE)


# ferry: port-only -- Python glue: Rust's str::trim_end semantics that upstream relies on
def trim_end(s: str) -> str:
    """``str::trim_end``."""
    return s.rstrip(RUST_WHITESPACE)


# ferry: port-only -- Python glue: Rust's str::trim_start semantics that upstream relies on
def trim_start(s: str) -> str:
    """``str::trim_start``."""
    return s.lstrip(RUST_WHITESPACE)


# ferry: port-only -- Python glue: Rust's str::lines splitting that upstream relies on
def lines(s: str) -> list[str]:
    """``str::lines``: split on ``\\n``, drop one ``\\r`` before each ``\\n``.

    A final line ending is optional; a lone ``\\r`` that is not followed by
    ``\\n`` is kept (Rust >= 1.77 semantics).
    """
    if not s:
        return []
    parts = s.split("\n")
    if "\r" not in s:
        if s.endswith("\n"):
            parts.pop()
        return parts
    if s.endswith("\n"):
        parts.pop()
        return [p[:-1] if p.endswith("\r") else p for p in parts]
    last = parts.pop()
    out = [p[:-1] if p.endswith("\r") else p for p in parts]
    out.append(last)
    return out


# musl's strerror texts (the npm ``codex`` binaries are musl builds); anything
# not listed falls back to the host's ``strerror``.
_MUSL_STRERROR: dict[int, str] = {
    _errno.EPERM: "Operation not permitted",
    _errno.ENOENT: "No such file or directory",
    _errno.EIO: "I/O error",
    _errno.EBADF: "Bad file descriptor",
    _errno.EAGAIN: "Resource temporarily unavailable",
    _errno.ENOMEM: "Out of memory",
    _errno.EACCES: "Permission denied",
    _errno.EBUSY: "Resource busy",
    _errno.EEXIST: "File exists",
    _errno.EXDEV: "Cross-device link",
    _errno.ENOTDIR: "Not a directory",
    _errno.EISDIR: "Is a directory",
    _errno.EINVAL: "Invalid argument",
    _errno.ETXTBSY: "Text file busy",
    _errno.EFBIG: "File too large",
    _errno.ENOSPC: "No space left on device",
    _errno.EROFS: "Read-only file system",
    _errno.EMLINK: "Too many links",
    _errno.ENAMETOOLONG: "Filename too long",
    _errno.ENOTEMPTY: "Directory not empty",
    _errno.ELOOP: "Symbolic link loop",
    _errno.EDQUOT: "Quota exceeded",
}


# ferry: port-only -- Python glue: the Display text of std::io::Error, reproduced for byte-identical messages
def io_error_display(err: OSError) -> str:
    """The ``Display`` of a ``std::io::Error`` built from an OS error code."""
    code = err.errno
    if code is None:
        return str(err)
    text = _MUSL_STRERROR.get(code) or os.strerror(code)
    return f"{text} (os error {code})"


# ferry: port-only -- Python glue: the Display text of std::str::Utf8Error, reproduced for byte-identical messages
def utf8_error_display(data: bytes, exc: UnicodeDecodeError) -> str:
    """The ``Display`` of ``std::str::Utf8Error`` for the first invalid sequence.

    Rust reports either ``invalid utf-8 sequence of N bytes from index I`` (an
    invalid sequence of ``N`` bytes, ``N`` counting the maximal valid prefix) or
    ``incomplete utf-8 byte sequence from index I`` (input ends mid-sequence).
    """
    start = exc.start
    width = _utf8_error_len(data, start)
    if width is None:
        return f"incomplete utf-8 byte sequence from index {start}"
    return f"invalid utf-8 sequence of {width} bytes from index {start}"


def _utf8_error_len(data: bytes, i: int) -> int | None:
    """Length of the invalid sequence at ``i`` as ``core::str::from_utf8`` computes it.

    Returns ``None`` when the input ends before the sequence could be judged.
    """
    n = len(data)
    first = data[i]
    width = _UTF8_CHAR_WIDTH[first]
    if width == 0:
        return 1
    # Second byte ranges depend on the first byte (no overlongs, no surrogates).
    if i + 1 >= n:
        return None
    second = data[i + 1]
    if width == 2:
        return 1 if not 0x80 <= second <= 0xBF else None  # pragma: no cover - valid pair
    if width == 3:
        lo, hi = 0x80, 0xBF
        if first == 0xE0:
            lo = 0xA0
        elif first == 0xED:
            hi = 0x9F
        if not lo <= second <= hi:
            return 1
        if i + 2 >= n:
            return None
        return 2 if not 0x80 <= data[i + 2] <= 0xBF else None
    # width == 4
    lo, hi = 0x80, 0xBF
    if first == 0xF0:
        lo = 0x90
    elif first == 0xF4:
        hi = 0x8F
    if not lo <= second <= hi:
        return 1
    if i + 2 >= n:
        return None
    if not 0x80 <= data[i + 2] <= 0xBF:
        return 2
    if i + 3 >= n:
        return None
    return 3 if not 0x80 <= data[i + 3] <= 0xBF else None


def _char_width_table() -> list[int]:
    table = [0] * 256
    for b in range(0x00, 0x80):
        table[b] = 1
    for b in range(0xC2, 0xE0):
        table[b] = 2
    for b in range(0xE0, 0xF0):
        table[b] = 3
    for b in range(0xF0, 0xF5):
        table[b] = 4
    return table


_UTF8_CHAR_WIDTH = _char_width_table()


# ferry: port-only -- Python glue: String::from_utf8 with Rust's error text
def decode_utf8(data: bytes) -> str:
    """Decode like ``String::from_utf8``; raise ``Utf8Failure`` with Rust's message."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Utf8Failure(utf8_error_display(data, exc)) from None


# ferry: port-only -- Python glue: carries Rust's Utf8Error text
class Utf8Failure(ValueError):
    """Invalid UTF-8; ``str()`` is Rust's ``Utf8Error`` display."""
