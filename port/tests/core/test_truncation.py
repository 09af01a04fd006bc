"""Middle truncation with upstream's 4-bytes-per-token estimate."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from pycodex.truncation import (
    approx_token_count,
    formatted_truncate_tokens,
    truncate_middle_chars,
    truncate_middle_tokens,
)


def test_short_text_is_untouched() -> None:
    assert formatted_truncate_tokens("hello\n", 10) == "hello\n"
    assert approx_token_count("abcde") == 2


def test_long_text_keeps_head_and_tail_with_marker() -> None:
    text = "".join(f"line {i}\n" for i in range(1000))
    out = formatted_truncate_tokens(text, 10)
    assert out.startswith("Total output lines: 1000\n\nline 0\n")
    assert out.endswith("line 999\n")
    removed = approx_token_count(text) - 10
    assert f"…{removed} tokens truncated…" in out


def test_char_marker_counts_removed_characters() -> None:
    assert truncate_middle_chars("abcdefghij", 4) == "ab…6 chars truncated…ij"


@given(st.text(min_size=1, max_size=400), st.integers(min_value=1, max_value=50))
def test_truncation_never_splits_characters_and_keeps_ends(text: str, tokens: int) -> None:
    out = truncate_middle_tokens(text, tokens)
    out.encode()  # valid text: no split surrogates / partial characters
    if len(text.encode()) <= tokens * 4:
        assert out == text
    else:
        assert "tokens truncated…" in out
        head = out.split("…", 1)[0]
        assert text.startswith(head)
