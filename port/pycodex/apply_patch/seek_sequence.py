"""Locate a run of lines in a file (upstream ``seek_sequence.rs``).

Four passes of decreasing strictness: exact, ignoring trailing whitespace,
ignoring surrounding whitespace, and finally after mapping typographic
punctuation (dashes, quotes, odd spaces) to ASCII.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from pycodex.apply_patch._rust import trim, trim_end

_PUNCTUATION = str.maketrans(
    {
        **dict.fromkeys(
            ["\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2015", "\u2212"], "-"
        ),
        **dict.fromkeys(["\u2018", "\u2019", "\u201a", "\u201b"], "'"),
        **dict.fromkeys(["\u201c", "\u201d", "\u201e", "\u201f"], '"'),
        **dict.fromkeys(
            [
                "\u00a0",
                "\u2002",
                "\u2003",
                "\u2004",
                "\u2005",
                "\u2006",
                "\u2007",
                "\u2008",
                "\u2009",
                "\u200a",
                "\u202f",
                "\u205f",
                "\u3000",
            ],
            " ",
        ),
    }
)


# ferry: codex_apply_patch::seek_sequence::seek_sequence @ 1d092cb66 -- its last pass's normalisation
def normalise(s: str) -> str:
    """The last pass's key: trimmed, typographic punctuation mapped to ASCII."""
    return trim(s).translate(_PUNCTUATION)


def _identity(s: str) -> str:
    return s


_PASSES: tuple[Callable[[str], str], ...] = (_identity, trim_end, trim, normalise)


# ferry: codex_apply_patch::seek_sequence::seek_sequence @ 1d092cb66
def seek_sequence(
    lines: Sequence[str], pattern: Sequence[str], start: int, eof: bool
) -> int | None:
    """Index of the first match of ``pattern`` in ``lines`` at or after ``start``.

    With ``eof`` the search starts at the last position where ``pattern`` can
    still fit (but never before ``start``), so the match must end the file.
    An empty pattern matches at ``start``.
    """
    if not pattern:
        return start
    n, m = len(lines), len(pattern)
    if m > n:
        return None
    search_start = max(n - m, start) if eof else start
    last = n - m
    if search_start > last:
        return None
    # Exact pass: compare slices directly (fast path for the common case).
    pat = list(pattern)
    first = pat[0]
    for i in range(search_start, last + 1):
        if lines[i] == first and list(lines[i : i + m]) == pat:
            return i
    for key in _PASSES[1:]:
        keyed = [key(p) for p in pat]
        cache: dict[int, str] = {}
        for i in range(search_start, last + 1):
            for offset, want in enumerate(keyed):
                idx = i + offset
                got = cache.get(idx)
                if got is None:
                    got = key(lines[idx])
                    cache[idx] = got
                if got != want:
                    break
            else:
                return i
    return None
