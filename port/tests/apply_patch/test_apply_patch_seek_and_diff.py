"""``seek_sequence`` (upstream's tests ported) and the ``similar``-compatible unified diff."""

from __future__ import annotations

import pytest
from pycodex.apply_patch import seek_sequence, unified_diff
from pycodex.apply_patch.diff import tokenize_lines


def test_exact_match_finds_sequence() -> None:
    assert seek_sequence(["foo", "bar", "baz"], ["bar", "baz"], 0, False) == 1


def test_rstrip_match_ignores_trailing_whitespace() -> None:
    assert seek_sequence(["foo   ", "bar\t\t"], ["foo", "bar"], 0, False) == 0


def test_trim_match_ignores_leading_and_trailing_whitespace() -> None:
    assert seek_sequence(["    foo   ", "   bar\t"], ["foo", "bar"], 0, False) == 0


def test_pattern_longer_than_input_returns_none() -> None:
    assert seek_sequence(["just one line"], ["too", "many", "lines"], 0, False) is None


def test_empty_pattern_matches_at_start() -> None:
    assert seek_sequence(["a", "b"], [], 1, False) == 1


def test_exact_pass_wins_over_earlier_fuzzy_match() -> None:
    assert seek_sequence(["foo ", "foo"], ["foo"], 0, False) == 1


def test_search_starts_at_start() -> None:
    assert seek_sequence(["a", "b", "a"], ["a"], 1, False) == 2


@pytest.mark.parametrize(
    ("line", "pattern"),
    [
        (
            "import asyncio  # local import \u2013 avoids top\u2011level dep",
            "import asyncio  # local import - avoids top-level dep",
        ),
        ("x \u201cq\u201d \u2014 y", 'x "q" - y'),
        ("it\u2019s", "it's"),
        ("a\u00a0b", "a b"),
        ("a\u3000b", "a b"),
    ],
)
def test_unicode_punctuation_is_normalised(line: str, pattern: str) -> None:
    assert seek_sequence(["other", line], [pattern], 0, False) == 1


def test_ellipsis_is_not_normalised() -> None:
    assert seek_sequence(["a\u2026"], ["a..."], 0, False) is None


def test_rust_whitespace_semantics() -> None:
    # U+001C is whitespace for Python's str.strip but not for Rust's str::trim.
    assert seek_sequence(["a\x1c"], ["a"], 0, False) is None
    # U+0085 and U+2028 are whitespace for both.
    assert seek_sequence(["a\x85"], ["a"], 0, False) == 0


def test_end_of_file_anchors_to_the_end() -> None:
    assert seek_sequence(["b", "a", "b"], ["b"], 0, True) == 2
    assert seek_sequence(["a", "b"], ["a"], 0, True) is None


def test_end_of_file_never_searches_before_start() -> None:
    assert seek_sequence(["a", "b"], ["b"], 2, True) is None


# --------------------------------------------------------------------------- unified diff


def test_unified_diff_examples_from_upstream() -> None:
    assert unified_diff("foo\nbar\nbaz\nqux\n", "foo\nBAR\nbaz\nQUX\n") == (
        "@@ -1,4 +1,4 @@\n foo\n-bar\n+BAR\n baz\n-qux\n+QUX\n"
    )
    assert (
        unified_diff("foo\nbar\nbaz\n", "FOO\nbar\nbaz\n") == "@@ -1,2 +1,2 @@\n-foo\n+FOO\n bar\n"
    )
    assert (
        unified_diff("foo\nbar\nbaz\n", "foo\nbar\nBAZ\n") == "@@ -2,2 +2,2 @@\n bar\n-baz\n+BAZ\n"
    )
    assert (
        unified_diff("foo\nbar\nbaz\n", "foo\nbar\nbaz\nquux\n") == "@@ -3 +3,2 @@\n baz\n+quux\n"
    )
    assert unified_diff("a\nb\nc\nd\ne\nf\n", "a\nB\nc\nd\nE\nf\ng\n") == (
        "@@ -1,6 +1,7 @@\n a\n-b\n+B\n c\n d\n-e\n+E\n f\n+g\n"
    )
    assert unified_diff("session directory content\n", "updated session directory content\n") == (
        "@@ -1 +1 @@\n-session directory content\n+updated session directory content\n"
    )


def test_unified_diff_separate_hunks_and_missing_newline() -> None:
    old = "".join(f"{i}\n" for i in range(10))
    new = old.replace("1\n", "one\n").replace("8\n", "eight\n")
    assert (
        unified_diff(old, new)
        == "@@ -1,3 +1,3 @@\n 0\n-1\n+one\n 2\n@@ -8,3 +8,3 @@\n 7\n-8\n+eight\n 9\n"
    )
    assert unified_diff("a", "b") == (
        "@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+b\n\\ No newline at end of file\n"
    )
    assert unified_diff("", "x\n") == "@@ -0,0 +1 @@\n+x\n"
    assert unified_diff("x\n", "") == "@@ -1 +0,0 @@\n-x\n"
    assert unified_diff("same\n", "same\n") == ""


def test_tokenize_lines_keeps_terminators() -> None:
    assert tokenize_lines("a\r\nb\rc\nd") == ["a\r\n", "b\r", "c\n", "d"]
