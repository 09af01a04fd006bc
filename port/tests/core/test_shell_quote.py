"""Commands are rendered with upstream's quoting, checked on the cases the oracle showed."""

from __future__ import annotations

import shlex

from hypothesis import given
from hypothesis import strategies as st
from pycodex.shell_quote import join, quote


def test_observed_upstream_renderings() -> None:
    assert (
        join(["/bin/bash", "-lc", "echo hello > out.txt && cat out.txt"])
        == "/bin/bash -lc 'echo hello > out.txt && cat out.txt'"
    )
    assert (
        join(["/bin/bash", "-lc", "ls; cat file.txt; pwd | sed 's#.*/ws#WS#'"])
        == "/bin/bash -lc \"ls; cat file.txt; pwd | sed 's#.*/ws#WS#'\""
    )
    assert (
        join(["/bin/bash", "-c", "echo $0 && printf 'a\\tb\\n'"])
        == "/bin/bash -c 'echo $0 && printf '\"'a\\\\tb\\\\n'\""
    )


def test_simple_words_stay_bare_and_empty_is_quoted() -> None:
    assert quote("abc-1.2/x") == "abc-1.2/x"
    assert quote("") == "''"
    assert quote("^x") == "'^x'"


@given(
    st.text(
        alphabet=st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)),
        max_size=40,
    )
)
def test_quoting_round_trips_through_a_posix_lexer(word: str) -> None:
    assert shlex.split(quote(word)) == [word]
