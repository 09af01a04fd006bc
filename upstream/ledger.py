"""The commit ledger: what happened to each upstream commit (SQLite, WAL, transactions).

Every commit ``ferry track`` sees is recorded as ``new``; later stages mark it
``ported``, ``skipped`` or ``failed`` with a reason. A mark never silently
invents a commit: unknown shas are an error naming the sha.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict

from upstream.errors import LedgerError

Status = Literal["new", "ported", "skipped", "failed"]
STATUSES: tuple[str, ...] = get_args(Status)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS commits (
    sha TEXT PRIMARY KEY,
    subject TEXT NOT NULL DEFAULT '',
    authored TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('new', 'ported', 'skipped', 'failed')),
    reason TEXT NOT NULL DEFAULT '',
    first_seen TEXT NOT NULL,
    updated TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS commits_status ON commits(status);
"""


class LedgerEntry(BaseModel):
    """One upstream commit and its state."""

    model_config = ConfigDict(frozen=True)

    sha: str
    subject: str
    authored: str
    status: Status
    reason: str
    first_seen: str
    updated: str


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Ledger:
    """A handle on ``.ferry/ledger.sqlite``; use as a context manager or call ``close``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(path, timeout=30, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise LedgerError(f"{path}: not a usable ledger database ({exc})") from exc
        self._db.row_factory = sqlite3.Row

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def record_new(self, commits: Iterable[tuple[str, str, str]]) -> int:
        """Insert ``(sha, subject, authored)`` rows not yet known; returns how many were new."""
        now = _now()
        rows = [(sha, subject, authored, now, now) for sha, subject, authored in commits]
        self._db.execute("BEGIN IMMEDIATE")
        try:
            before = self._db.total_changes
            self._db.executemany(
                "INSERT OR IGNORE INTO commits (sha, subject, authored, status, first_seen, updated)"
                " VALUES (?, ?, ?, 'new', ?, ?)",
                rows,
            )
            inserted = self._db.total_changes - before
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        return inserted

    def resolve(self, sha_or_prefix: str) -> str:
        """The full sha of a recorded commit given a unique prefix."""
        prefix = sha_or_prefix.strip().lower()
        if len(prefix) < 4:
            raise LedgerError(
                f"commit id {sha_or_prefix!r} is too short (use at least 4 hex digits)"
            )
        found = [
            r[0]
            for r in self._db.execute(
                "SELECT sha FROM commits WHERE sha >= ? AND sha < ? LIMIT 2",
                (prefix, prefix + "g"),
            )
        ]
        if not found:
            raise LedgerError(
                f"commit {sha_or_prefix} is not in the ledger {self.path}; run `ferry track` first"
            )
        if len(found) > 1:
            raise LedgerError(f"commit id {sha_or_prefix} is ambiguous in {self.path}")
        return str(found[0])

    def mark(self, sha: str, status: str, reason: str = "") -> LedgerEntry:
        """Set the state of one recorded commit."""
        if status not in STATUSES:
            raise LedgerError(f"unknown status {status!r}; use one of {', '.join(STATUSES)}")
        full = self.resolve(sha)
        self._db.execute("BEGIN IMMEDIATE")
        try:
            self._db.execute(
                "UPDATE commits SET status = ?, reason = ?, updated = ? WHERE sha = ?",
                (status, reason, _now(), full),
            )
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        entry = self.get(full)
        assert entry is not None
        return entry

    def get(self, sha: str) -> LedgerEntry | None:
        row = self._db.execute("SELECT * FROM commits WHERE sha = ?", (sha,)).fetchone()
        return LedgerEntry.model_validate(dict(row)) if row is not None else None

    def entries(self, status: str | None = None) -> list[LedgerEntry]:
        """Recorded commits (oldest first seen first), optionally one status only."""
        if status is not None and status not in STATUSES:
            raise LedgerError(f"unknown status {status!r}; use one of {', '.join(STATUSES)}")
        query = "SELECT * FROM commits"
        args: tuple[str, ...] = ()
        if status is not None:
            query += " WHERE status = ?"
            args = (status,)
        query += " ORDER BY first_seen, rowid"
        return [LedgerEntry.model_validate(dict(r)) for r in self._db.execute(query, args)]

    def counts(self) -> dict[str, int]:
        """How many commits are in each state (every state present, zero included)."""
        counts = dict.fromkeys(STATUSES, 0)
        for status, n in self._db.execute("SELECT status, COUNT(*) FROM commits GROUP BY status"):
            counts[str(status)] = int(n)
        return counts
