"""The SQLite provenance index: WAL, transactions, lookups both ways, marker scanning."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from translator.provenance import ProvenanceIndex, ProvenanceRecord, parse_marker


def test_record_lookup_update_remove(tmp_path: Path) -> None:
    db = tmp_path / "p.sqlite"
    with ProvenanceIndex(db) as index:
        index.record(
            [
                ProvenanceRecord(
                    "pycodex.exec",
                    "ExecParams",
                    "codex_core::exec::ExecParams",
                    "a" * 40,
                    "11112222",
                ),
                ProvenanceRecord(
                    "pycodex.exec",
                    "ExecParams.run",
                    "codex_core::exec::ExecParams::run",
                    "a" * 40,
                    "3",
                ),
            ]
        )
        assert [r.python_symbol for r in index.for_rust("codex_core::exec::ExecParams")] == [
            "ExecParams"
        ]
        index.record(
            [
                ProvenanceRecord(
                    "pycodex.exec", "ExecParams", "codex_core::exec::ExecParams", "b" * 40, "9"
                )
            ]
        )
        found = index.for_python("pycodex.exec", "ExecParams")
        assert found is not None and found.commit == "b" * 40 and found.rust_hash == "9"
        index.remove("pycodex.exec", "ExecParams")
        assert index.for_python("pycodex.exec", "ExecParams") is None
        assert len(index.all()) == 1
    mode = sqlite3.connect(db).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_failed_transaction_leaves_nothing(tmp_path: Path) -> None:
    with ProvenanceIndex(tmp_path / "p.sqlite") as index:
        with pytest.raises(RuntimeError), index.transaction() as db:
            db.execute("INSERT INTO provenance VALUES ('m', 's', 'r', 'c', 'h', '', 't')")
            raise RuntimeError("boom")
        assert index.all() == []


def test_scan_module_reads_markers() -> None:
    source = (
        "# ferry: codex_core::exec::ExecParams @ 0123456789ab deadbeef\n"
        "class ExecParams:\n"
        "    # ferry: codex_core::exec::ExecParams::run @ 0123456789ab cafef00d\n"
        "    def run(self) -> int:\n"
        "        return 1\n\n\n"
        "def unmarked() -> None:\n    return None\n"
    )
    assert parse_marker("# ferry: a::b @ 0123 beef") == ("a::b", "0123", "beef")
    assert parse_marker("# just a comment") is None
    with ProvenanceIndex(Path(":memory:")) as index:
        assert index.scan_module("pycodex.exec", source) == 2
        symbols = sorted(r.python_symbol for r in index.all())
    assert symbols == ["ExecParams", "ExecParams.run"]


def test_not_a_database_is_reported(tmp_path: Path) -> None:
    bad = tmp_path / "p.sqlite"
    bad.write_text("this is not sqlite, it is long enough to be read as a header............")
    from translator.errors import InputError

    with pytest.raises(InputError, match="not a usable provenance database"):
        ProvenanceIndex(bad)
