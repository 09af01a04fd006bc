"""The provenance index: which Python symbol came from which Rust item, at which commit.

Stored in SQLite (WAL mode, one transaction per batch) so concurrent readers — the planner,
the review report — never see a half-written translation run. Symbols are ``Name`` or
``Class.method`` inside a dotted Python module.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import libcst as cst

from translator.cst.symbols import provenance_markers
from translator.errors import InputError

_MARKER = re.compile(r"^# ferry: (?P<rust>\S+) @ (?P<commit>[0-9a-f]+) (?P<hash>[0-9a-f]+)$")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS provenance (
    python_module TEXT NOT NULL,
    python_symbol TEXT NOT NULL,
    rust_path     TEXT NOT NULL,
    commit_sha    TEXT NOT NULL,
    rust_hash     TEXT NOT NULL,
    python_hash   TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (python_module, python_symbol)
);
CREATE INDEX IF NOT EXISTS provenance_rust ON provenance (rust_path);
"""


@dataclass(frozen=True)
class ProvenanceRecord:
    python_module: str
    python_symbol: str
    rust_path: str
    commit: str
    rust_hash: str
    python_hash: str = ""
    updated_at: str = ""


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def parse_marker(comment: str) -> tuple[str, str, str] | None:
    """``# ferry: <rust path> @ <commit> <hash>`` -> (rust path, commit, hash)."""
    match = _MARKER.match(comment.strip())
    if match is None:
        return None
    return match["rust"], match["commit"], match["hash"]


class ProvenanceIndex:
    """A SQLite file mapping Python symbols to Rust items (use as a context manager)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(path, isolation_level=None, timeout=30)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise InputError(
                f"{path}: not a usable provenance database ({exc}); move it away to rebuild"
            ) from exc
        self.path = path

    def __enter__(self) -> ProvenanceIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def record(self, records: Iterable[ProvenanceRecord]) -> int:
        """Insert or update records in one transaction; returns how many were written."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        rows = [
            (
                r.python_module,
                r.python_symbol,
                r.rust_path,
                r.commit,
                r.rust_hash,
                r.python_hash,
                r.updated_at or now,
            )
            for r in records
        ]
        with self.transaction() as db:
            db.executemany(
                "INSERT INTO provenance VALUES (?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(python_module, python_symbol) DO UPDATE SET "
                "rust_path=excluded.rust_path, commit_sha=excluded.commit_sha, rust_hash=excluded.rust_hash, "
                "python_hash=excluded.python_hash, updated_at=excluded.updated_at",
                rows,
            )
        return len(rows)

    def remove(self, python_module: str, python_symbol: str) -> None:
        with self.transaction() as db:
            db.execute(
                "DELETE FROM provenance WHERE python_module = ? AND python_symbol = ?",
                (python_module, python_symbol),
            )

    def _rows(self, sql: str, args: tuple[str, ...]) -> list[ProvenanceRecord]:
        return [ProvenanceRecord(*row) for row in self._db.execute(sql, args).fetchall()]

    def for_rust(self, rust_path: str) -> list[ProvenanceRecord]:
        """Every Python symbol translated from ``rust_path`` (a variant model, an alias, ...)."""
        return self._rows(
            "SELECT * FROM provenance WHERE rust_path = ? ORDER BY python_module, python_symbol",
            (rust_path,),
        )

    def for_python(self, python_module: str, python_symbol: str) -> ProvenanceRecord | None:
        rows = self._rows(
            "SELECT * FROM provenance WHERE python_module = ? AND python_symbol = ?",
            (python_module, python_symbol),
        )
        return rows[0] if rows else None

    def all(self) -> list[ProvenanceRecord]:
        return self._rows("SELECT * FROM provenance ORDER BY python_module, python_symbol", ())

    def scan_module(self, python_module: str, source: str) -> int:
        """Record every symbol of ``source`` that carries a ``# ferry:`` marker."""
        try:
            module = cst.parse_module(source)
        except cst.ParserSyntaxError as exc:
            raise InputError(
                f"{python_module}: cannot parse to read provenance markers: {exc.message}"
            ) from exc
        records: list[ProvenanceRecord] = []
        for symbol, comment in provenance_markers(module).items():
            parsed = parse_marker(comment)
            if parsed is None:
                continue
            rust_path, commit, rust_hash = parsed
            records.append(ProvenanceRecord(python_module, symbol, rust_path, commit, rust_hash))
        return self.record(records)
