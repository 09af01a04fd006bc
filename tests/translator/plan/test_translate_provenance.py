"""Provenance markers (grammar, placement) and the SQLite index derived from them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from translator.errors import InputError
from translator.port_scan import PortSymbol, scan_source
from translator.provenance import (
    Link,
    MarkerSyntaxError,
    PortOnly,
    ProvenanceIndex,
    ProvenanceRecord,
    canonical_rust_path,
    parse_marker,
)


@pytest.mark.parametrize(
    ("comment", "expected"),
    [
        ("# ferry: a::b @ 0123abc", Link("a::b", "0123abc")),
        ("# ferry: a::b @ 0123abcd deadbeef", Link("a::b", "0123abcd", "deadbeef")),
        (
            "# ferry: codex_core::x::Y::run @ 1d092cb66 -- 0.169.0: also does Z",
            Link("codex_core::x::Y::run", "1d092cb66", "", "0.169.0: also does Z"),
        ),
        (
            "# ferry: codex_core::x::<Y as Drop>::drop @ 1d092cb66 cafef00d -- n",
            Link("codex_core::x::<Y as Drop>::drop", "1d092cb66", "cafef00d", "n"),
        ),
        ("# ferry: codex_core::m::mac! @ 1d092cb66", Link("codex_core::m::mac!", "1d092cb66")),
        (
            "# ferry: codex_a::common::defs!{}::ThreadStart @ 1d092cb66",
            Link("codex_a::common::defs!{}::ThreadStart", "1d092cb66"),
        ),
        (
            "# ferry: codex_a::v2::enum_from!{} @ 1d092cb66",
            Link("codex_a::v2::enum_from!{}", "1d092cb66"),
        ),
        ("# ferry: port-only -- click wiring", PortOnly("click wiring")),
        ("# just a comment", None),
        ("# ferryboats are slow", None),
    ],
)
def test_marker_grammar(comment: str, expected: object) -> None:
    assert parse_marker(comment) == expected
    if isinstance(expected, Link | PortOnly):
        assert parse_marker(expected.render()) == expected  # render round-trips


@pytest.mark.parametrize(
    ("comment", "message"),
    [
        ("#ferry: a::b @ 0123abc", "is not a marker"),
        ("# ferry: port-only", "needs a reason"),
        ("# ferry: port-only --", "nothing after"),
        ("# ferry: port-only because", "port-only -- <reason>"),
        ("# ferry: a::b", "no ' @ <rev>'"),
        ("# ferry: a::b @ main", "not an upstream revision"),
        ("# ferry: a::b @ 0123abc xyz", "only a content hash"),
        ("# ferry: a::b @ 0123abc deadbeef extra", "only a content hash"),
        ("# ferry: Foo @ 0123abc", "needs the crate and the item"),
        ("# ferry: Codex::Foo @ 0123abc", "must start with the crate name"),
        ("# ferry: codex_core::foo-bar @ 0123abc", "is not a Rust identifier"),
        ("# ferry: codex_core::<T as X @ 0123abc", "unbalanced"),
        ("# ferry: codex_core::mac!::Entry @ 0123abc", "is not a Rust identifier"),
        ("# ferry: codex_core::mac!{x} @ 0123abc", "is not a Rust identifier"),
    ],
)
def test_malformed_markers_say_what_to_write(comment: str, message: str) -> None:
    with pytest.raises(MarkerSyntaxError, match=message):
        parse_marker(comment)


def test_canonical_path_meets_trait_impls_and_generics() -> None:
    assert canonical_rust_path("c::m::<Foo as Trait<X>>::run") == "c::m::Foo::run"
    assert canonical_rust_path("c::m::<impl Foo<T>>::run") == "c::m::Foo::run"
    assert canonical_rust_path("c::m::Foo::run") == "c::m::Foo::run"


SOURCE = '''"""A module."""

import functools


# ferry: codex_core::exec::ExecParams @ 0123456789ab deadbeef
# ferry: codex_core::exec::ExecEnv @ 0123456789ab -- merged into one class
class ExecParams:
    # ferry: codex_core::exec::ExecParams::run @ 0123456789ab
    @functools.cache
    def run(self) -> int:
        # ferry: codex_core::inner @ 0123456789ab
        return 1

    def _private(self) -> None:
        return None

    @property
    def size(self) -> int:
        return 2

    @size.setter
    def size(self, value: int) -> None:
        return None


# ferry: port-only -- test support

def detached() -> None:
    return None


x = 1  # ferry: codex_core::X @ 0123456789ab


# ferry: codex_core::LIMIT @ 0123456789ab
LIMIT: int = 3


# a regular comment
# ferry: port-only --
def bad() -> None:
    return None


class _Hidden:
    def visible(self) -> None:
        return None
'''


def test_scan_attaches_markers_and_reports_strays() -> None:
    scan = scan_source(SOURCE, python_module="pycodex.m", path=Path("m.py"))
    by_symbol: dict[str, PortSymbol] = {}
    for sym in scan.symbols:
        by_symbol.setdefault(sym.symbol, sym)  # the first definition of a name
    assert [link.rust_path for link in by_symbol["ExecParams"].links] == [
        "codex_core::exec::ExecParams",
        "codex_core::exec::ExecEnv",
    ]
    assert by_symbol["ExecParams"].links[1].note == "merged into one class"
    run = by_symbol["ExecParams.run"]
    assert [link.rust_path for link in run.links] == ["codex_core::exec::ExecParams::run"]
    assert run.kind == "method" and run.block_line == run.line - 1  # above the decorator
    assert by_symbol["LIMIT"].links[0].rust_path == "codex_core::LIMIT"
    assert not by_symbol["ExecParams._private"].needs_marker
    assert by_symbol["ExecParams.size"].needs_marker and not by_symbol["ExecParams.size"].markers
    setter = [s for s in scan.symbols if s.symbol == "ExecParams.size"][1]
    assert setter.repeated and not setter.needs_marker
    assert not by_symbol["_Hidden.visible"].needs_marker
    assert by_symbol["detached"].markers == ()  # a blank line separates it from the marker
    assert by_symbol["bad"].markers[0].error is not None
    stray = {m.line: m.text for m in scan.stray}
    assert sorted(stray.values()) == [
        "# ferry: codex_core::X @ 0123456789ab",
        "# ferry: codex_core::inner @ 0123456789ab",
        "# ferry: port-only -- test support",
    ]
    records = list(scan.records())
    assert len(records) == 4 and {r.python_symbol for r in records} == {
        "ExecParams",
        "ExecParams.run",
        "LIMIT",
    }


def test_record_lookup_update_remove(tmp_path: Path) -> None:
    db = tmp_path / "p.sqlite"
    with ProvenanceIndex(db) as index:
        index.record(
            [
                ProvenanceRecord(
                    "pycodex.exec", "ExecParams", "codex_core::exec::ExecParams", "a" * 40, "1111"
                ),
                ProvenanceRecord(
                    "pycodex.exec", "ExecParams", "codex_core::exec::ExecEnv", "a" * 40, ""
                ),
                ProvenanceRecord(
                    "pycodex.exec",
                    "ExecParams.run",
                    "codex_core::exec::<ExecParams as Runner>::run",
                    "a" * 40,
                    "3",
                ),
            ]
        )
        assert [r.python_symbol for r in index.for_rust("codex_core::exec::ExecEnv")] == [
            "ExecParams"
        ]
        assert len(index.links_of("pycodex.exec", "ExecParams")) == 2
        # a link written either way is found either way
        assert index.for_rust("codex_core::exec::ExecParams::run")[0].rust_hash == "3"
        assert {r.python_symbol for r in index.under_rust_prefix("codex_core::exec")} == {
            "ExecParams",
            "ExecParams.run",
        }
        assert index.crates() == {"codex_core"}
        index.record(
            [
                ProvenanceRecord(
                    "pycodex.exec", "ExecParams", "codex_core::exec::ExecParams", "b" * 40, "9"
                )
            ]
        )
        found = index.for_rust("codex_core::exec::ExecParams")[0]
        assert found.commit == "b" * 40 and found.rust_hash == "9"
        index.remove("pycodex.exec", "ExecParams")
        assert index.links_of("pycodex.exec", "ExecParams") == []
        assert len(index.all()) == 1
    mode = sqlite3.connect(db).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_failed_transaction_leaves_nothing(tmp_path: Path) -> None:
    with ProvenanceIndex(tmp_path / "p.sqlite") as index:
        with pytest.raises(RuntimeError), index.transaction() as db:
            db.execute("INSERT INTO provenance VALUES ('m', 's', 'r', 'c', 'h', '', 't', '', 'r')")
            raise RuntimeError("boom")
        assert index.all() == []


def test_an_old_index_is_rebuilt_not_misread(tmp_path: Path) -> None:
    db = tmp_path / "p.sqlite"
    old = sqlite3.connect(db)
    old.execute(
        "CREATE TABLE provenance (python_module TEXT, python_symbol TEXT, rust_path TEXT, "
        "commit_sha TEXT, rust_hash TEXT, python_hash TEXT, updated_at TEXT, "
        "PRIMARY KEY (python_module, python_symbol))"
    )
    old.execute("INSERT INTO provenance VALUES ('m', 's', 'r::x', 'c', 'h', '', 't')")
    old.commit()
    old.close()
    with ProvenanceIndex(db) as index:
        assert index.all() == []  # derived data: dropped, rebuilt from the markers
        index.record([ProvenanceRecord("m", "s", "r::x", "c", "h")])
        assert len(index.all()) == 1


def test_scan_module_and_rebuild_read_markers(tmp_path: Path) -> None:
    with ProvenanceIndex(Path(":memory:")) as index:
        assert index.scan_module("pycodex.m", SOURCE) == 4
    root = tmp_path / "port"
    (root / "pycodex").mkdir(parents=True)
    (root / "pycodex" / "__init__.py").write_text("")
    (root / "pycodex" / "m.py").write_text(SOURCE)
    with ProvenanceIndex(tmp_path / "p.sqlite") as index:
        index.record([ProvenanceRecord("pycodex.gone", "X", "c::gone", "a" * 7, "")])
        assert index.rebuild(root) == 4
        assert {r.python_module for r in index.all()} == {"pycodex.m"}
        (root / "pycodex" / "broken.py").write_text("# ferry: c::x @ abcdef0\ndef x(:\n")
        with pytest.raises(InputError, match=r"broken\.py: cannot parse"):
            index.rebuild(root)
        assert len(index.all()) == 4  # the failed rebuild changed nothing


def test_not_a_database_is_reported(tmp_path: Path) -> None:
    bad = tmp_path / "p.sqlite"
    bad.write_text("this is not sqlite, it is long enough to be read as a header............")
    with pytest.raises(InputError, match="not a usable provenance database"):
        ProvenanceIndex(bad)
