"""Merges change exactly the named symbols; every other byte of the module stays identical."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from translator.cst.merge import MergeError, SymbolChange, merge_candidate
from translator.cst.symbols import provenance_markers

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "app_server_protocol_v2.py"

# ---------------------------------------------------------------- generated modules

_comment = st.sampled_from(
    [
        "",
        "# a comment\n",
        "# ferry: old::item @ 000000000000 deadbeef\n",
        "# ferry: crate::sym0 @ 000000000000 deadbeef\n",
        "#: doc\n",
    ]
)
_gap = st.sampled_from(["\n", "\n\n", "\n\n\n", "\n# between\n\n"])
_expr = st.sampled_from(
    ["x + 1", "x * 2", "[x, x]", "{'k': x}", "x if x else -x", "(x)  # keep odd spacing"]
)


@st.composite
def modules(draw: st.DrawFn) -> tuple[list[str], list[str], list[str]]:
    """Chunks of a module: per symbol its leading text and its definition text."""
    count = draw(st.integers(min_value=1, max_value=6))
    names = [f"sym{i}" for i in range(count)]
    leads: list[str] = []
    bodies: list[str] = []
    for i, name in enumerate(names):
        lead = (draw(_gap) if i else "\n") + draw(_comment)
        if draw(st.booleans()):
            body = f"def {name}(x):\n    return {draw(_expr)}\n"
        else:
            body = f"class {name}:\n    attr = 1\n\n    def m(self, x):\n        return {draw(_expr)}\n"
        leads.append(lead)
        bodies.append(body)
    return names, leads, bodies


_HEADER = '"""module doc"""\nimport os\n'


def _strip_marker(lead: str, rust_path: str) -> str:
    """A replaced symbol keeps the comments above it, links to other Rust items included;
    only its link to the item it is retranslated from gives way to the new marker."""
    return "".join(
        line
        for line in lead.splitlines(keepends=True)
        if not line.startswith(f"# ferry: {rust_path} @")
    )


@settings(max_examples=150, deadline=None)
@given(modules(), st.data())
def test_replace_and_remove_touch_only_changed_symbols(
    module: tuple[list[str], list[str], list[str]], data: st.DataObject
) -> None:
    names, leads, bodies = module
    target = _HEADER + "".join(lead + body for lead, body in zip(leads, bodies, strict=True))
    actions = [data.draw(st.sampled_from(["keep", "replace", "remove"]), label=n) for n in names]
    candidate_parts: list[str] = []
    changes: list[SymbolChange] = []
    expected = _HEADER
    for name, lead, body, action in zip(names, leads, bodies, actions, strict=True):
        if action == "keep":
            expected += lead + body
        elif action == "remove":
            changes.append(SymbolChange(name, "remove"))
        else:
            new_body = f"def {name}(x, y=0):\n    return x - y\n"
            marker = f"# ferry: crate::{name} @ 0123456789ab cafef00d"
            candidate_parts.append(new_body)
            changes.append(SymbolChange(name, "upsert", marker))
            expected += _strip_marker(lead, f"crate::{name}") + marker + "\n" + new_body
    result = merge_candidate(target, "\n\n".join(candidate_parts), changes)
    assert result.text == expected
    assert set(result.replaced) == {
        n for n, a in zip(names, actions, strict=True) if a == "replace"
    }


@settings(max_examples=60, deadline=None)
@given(modules())
def test_method_replacement_keeps_the_rest_of_the_class(
    module: tuple[list[str], list[str], list[str]],
) -> None:
    names, leads, bodies = module
    classes = [n for n, b in zip(names, bodies, strict=True) if b.startswith("class")]
    target = _HEADER + "".join(lead + body for lead, body in zip(leads, bodies, strict=True))
    if not classes:
        assert merge_candidate(target, "", []).text == target
        return
    owner = classes[0]
    candidate = f"class {owner}:\n    def m(self, x):\n        return 42\n"
    result = merge_candidate(
        target, candidate, [SymbolChange(f"{owner}.m", marker="# ferry: c::M @ a b")]
    )
    old = f"class {owner}:\n    attr = 1\n\n    def m(self, x):\n"
    start = target.index(old)
    end = target.index("\n", start + len(old)) + 1
    expected = (
        target[:start]
        + f"class {owner}:\n    attr = 1\n\n    # ferry: c::M @ a b\n    def m(self, x):\n        return 42\n"
        + target[end:]
    )
    assert result.text == expected
    assert result.replaced == (f"{owner}.m",)


def test_additions_and_imports() -> None:
    target = '"""doc"""\nimport os\n\n\ndef a():\n    return os.sep\n'
    candidate = "import re\nimport os\n\n\ndef b(s):\n    return re.escape(s)\n"
    result = merge_candidate(target, candidate, [SymbolChange("b", marker="# ferry: c::b @ x y")])
    assert result.text == (
        '"""doc"""\nimport os\nimport re\n\n\ndef a():\n    return os.sep\n\n\n# ferry: c::b @ x y\ndef b(s):\n    return re.escape(s)\n'
    )
    assert result.added == ("b",) and result.imports_added == ("import re",)


def test_method_added_to_class() -> None:
    target = "class A:\n    def f(self):\n        return 1\n\n\nX = 1\n"
    result = merge_candidate(
        target, "class A:\n    def g(self):\n        return 2\n", [SymbolChange("A.g")]
    )
    assert (
        result.text
        == "class A:\n    def f(self):\n        return 1\n\n    def g(self):\n        return 2\n\n\nX = 1\n"
    )


def test_errors_name_the_symbol() -> None:
    with pytest.raises(MergeError, match="does not define nope"):
        merge_candidate("x = 1\n", "y = 2\n", [SymbolChange("nope")])
    with pytest.raises(MergeError, match="no class Missing"):
        merge_candidate(
            "x = 1\n",
            "class Missing:\n    def f(self):\n        return 1\n",
            [SymbolChange("Missing.f")],
        )
    with pytest.raises(MergeError, match="candidate does not parse"):
        merge_candidate("x = 1\n", "def (:\n", [SymbolChange("x")])


def test_regenerated_golden_merges_as_a_no_op() -> None:
    """Merging the mechanical module into itself (every symbol upserted) changes no byte."""
    text = GOLDEN.read_text(encoding="utf-8")
    markers = provenance_markers(cst.parse_module(text))
    assert len(markers) > 300
    changes = [
        SymbolChange(name, "upsert", marker) for name, marker in markers.items() if "." not in name
    ]
    result = merge_candidate(text, text, changes)
    assert result.text == text
    assert len(result.replaced) == len(changes)
    assert result.imports_added == ()


def test_marker_on_the_first_statement_is_replaced_not_duplicated() -> None:
    target = "# ferry: c::f @ old old\ndef f():\n    return 1\n\n\ndef g():\n    return 2\n"
    result = merge_candidate(
        target, "def f():\n    return 3\n", [SymbolChange("f", marker="# ferry: c::f @ new new")]
    )
    assert (
        result.text
        == "# ferry: c::f @ new new\ndef f():\n    return 3\n\n\ndef g():\n    return 2\n"
    )
    assert provenance_markers(cst.parse_module(result.text)) == {"f": "# ferry: c::f @ new new"}


def test_retranslation_replaces_its_own_link_and_port_only_but_keeps_other_links() -> None:
    target = (
        "# ferry: c::m::run @ 000000000 aaaaaaaa\n"
        "# ferry: c::m::run_env @ 000000000 -- merged\n"
        "def run(x):\n    return x\n\n\n"
        "# ferry: port-only -- helper\n"
        "def helper(x):\n    return x\n"
    )
    candidate = "def run(x):\n    return x + 1\n\n\ndef helper(x):\n    return x - 1\n"
    result = merge_candidate(
        target,
        candidate,
        [
            SymbolChange("run", "upsert", "# ferry: c::m::run @ 111111111 bbbbbbbb"),
            SymbolChange("helper", "upsert", "# ferry: c::m::helper @ 111111111 cccccccc"),
        ],
    )
    assert result.text == (
        "# ferry: c::m::run_env @ 000000000 -- merged\n"
        "# ferry: c::m::run @ 111111111 bbbbbbbb\n"
        "def run(x):\n    return x + 1\n\n\n"
        "# ferry: c::m::helper @ 111111111 cccccccc\n"
        "def helper(x):\n    return x - 1\n"
    )
