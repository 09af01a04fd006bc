"""The heredoc recogniser against upstream's tree-sitter query on the real grammar.

Upstream recognises ``apply_patch <<'EOF'`` scripts with a tree-sitter-bash
query; ``ap_heredoc_reference`` runs that exact query through py-tree-sitter (a
dev dependency, so this module is skipped without it) and the port's
hand-written recogniser must agree on generated scripts.

Known, deliberately unported corner cases (tree-sitter error recovery): an
*unterminated* heredoc whose body contains ``$`` expansions or whose last line is
a truncated terminator, an indented terminator after ``$`` expansions, and
delimiters with unbalanced quotes.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pycodex.apply_patch import extract_heredoc

pytest.importorskip("tree_sitter", reason="tree-sitter (dev dependency) not installed")
pytest.importorskip("tree_sitter_bash", reason="tree-sitter-bash (dev dependency) not installed")

from ap_heredoc_reference import reference_extract

PATCH = "*** Begin Patch\n*** Add File: foo\n+hi\n*** End Patch"

_PREFIXES = [
    "",
    " ",
    "\n",
    "cd foo && ",
    "cd 'a b' && ",
    'cd "a b" && ',
    "cd a\\ b && ",
    "cd ~/x && ",
    "cd -P x && ",
    "cd x y && ",
    "cd x || ",
    "cd x; ",
    "echo hi && ",
    "cd x &&\n",
    "cd x&&",
    "cd '' && ",
    'cd "" && ',
    "cd x/y.z_1-2 && ",
    "CD x && ",
    "cd\tx\t&& ",
    "cd 12 && ",
    'cd "a${X}b" && ',
]
_COMMANDS = ["apply_patch", "applypatch", "apply-patch", "apply_patch foo", "Apply_patch"]
_OPERATORS = ["<<", "<< ", "<<-", "<<<"]
_DELIMITERS = ["'EOF'", "EOF", '"EOF"', "'PATCH'", "PATCH", "'E O F'", '""', "''", "EOF1", "E'O'F"]
_AFTER = ["", " ", "\t", " && echo done", " > out", " foo", " # c", "\r"]
_BODIES = [PATCH + "\n", "", "x\n", "line\n\n", "\tx\n", " EOF\n", "EOFX\n"]
_ENDS = [
    "{d}",
    "{d}\n",
    "{d}\n\n",
    "{d} ",
    "\t{d}",
    "{d}\necho hi",
    "{d}\n# c\n",
    "{d}x",
    "{d}\r\n",
]


def _script(rng: random.Random) -> str:
    delim = rng.choice(_DELIMITERS)
    plain = (
        delim[1:-1] if delim[:1] in "'\"" and delim[-1:] == delim[:1] and len(delim) > 1 else delim
    )
    return (
        rng.choice(["", " ", "\n"])
        + rng.choice(_PREFIXES)
        + rng.choice(_COMMANDS)
        + rng.choice(["", " ", "  "])
        + rng.choice(_OPERATORS)
        + delim
        + rng.choice(_AFTER)
        + "\n"
        + rng.choice(_BODIES)
        + rng.choice(_ENDS).format(d=plain)
        + rng.choice(["", "\n", " \n"])
    )


def test_recogniser_agrees_with_tree_sitter_on_generated_scripts() -> None:
    rng = random.Random(20260422)
    mismatches = []
    for _ in range(3000):
        script = _script(rng)
        if extract_heredoc(script) != reference_extract(script):
            mismatches.append(script)
    assert mismatches == []


@settings(max_examples=300, deadline=None, database=None)
@given(
    prefix=st.sampled_from(_PREFIXES),
    delim=st.sampled_from(["EOF", "'EOF'", '"EOF"', "PATCH"]),
    body=st.lists(st.text(alphabet="ab +-*@ \t", max_size=8), max_size=4),
    terminated=st.booleans(),
)
def test_recogniser_agrees_with_tree_sitter_on_patch_bodies(
    prefix: str, delim: str, body: list[str], terminated: bool
) -> None:
    plain = delim.strip("'\"")
    text = "".join(f"{line}\n" for line in body)
    script = f"{prefix}apply_patch <<{delim}\n{text}" + (f"{plain}\n" if terminated else "")
    assert extract_heredoc(script) == reference_extract(script)
