"""The commit ledger: what happened to each upstream commit (SQLite, WAL, transactions).

Every commit ``ferry track`` sees is recorded as ``new``; later stages mark it
``ported``, ``skipped`` or ``failed`` with a reason. A mark never silently
invents a commit: unknown shas are an error naming the sha.

Beside the commits, the ledger keeps what was decided about every changed item of a
commit (``ported``, ``pending`` with a reason code, ``declined`` with a rule). The
*backlog* is every item whose latest decision is ``pending``: nothing is skipped silently.
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
CREATE TABLE IF NOT EXISTS items (
    sha TEXT NOT NULL REFERENCES commits(sha),
    qualified_path TEXT NOT NULL,
    crate TEXT NOT NULL,
    file TEXT NOT NULL DEFAULT '',
    decision TEXT NOT NULL CHECK (decision IN ('ported', 'pending', 'declined')),
    code TEXT NOT NULL DEFAULT '',
    reason TEXT NOT NULL DEFAULT '',
    blocking INTEGER NOT NULL DEFAULT 0,
    deferred TEXT NOT NULL DEFAULT '',
    updated TEXT NOT NULL,
    PRIMARY KEY (sha, qualified_path)
);
CREATE INDEX IF NOT EXISTS items_path ON items(qualified_path);
"""

Decision = Literal["ported", "pending", "declined"]
DECISIONS: tuple[str, ...] = get_args(Decision)


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


class ItemDecision(BaseModel):
    """What was decided about one changed item of an upstream commit.

    ``code`` is the pending reason code (``unmapped-crate``, ``new-module``, ``not-ported``,
    ``needs-llm``) or the declining rule; ``blocking`` marks a pending item of a crate the port
    covers; ``deferred`` records why the pin was allowed past it anyway.
    """

    model_config = ConfigDict(frozen=True)

    qualified_path: str
    crate: str
    decision: Decision
    file: str = ""
    code: str = ""
    reason: str = ""
    blocking: bool = False
    deferred: str = ""


class BacklogItem(ItemDecision):
    """A pending item and the commit that last touched it."""

    sha: str
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

    # ------------------------------------------------------------------ items
    def record_items(self, sha: str, decisions: Iterable[ItemDecision]) -> int:
        """Replace the item decisions of one recorded commit (one transaction)."""
        full = self.resolve(sha)
        now = _now()
        rows = [
            (
                full,
                d.qualified_path,
                d.crate,
                d.file,
                d.decision,
                d.code,
                d.reason,
                int(d.blocking),
                d.deferred,
                now,
            )
            for d in decisions
        ]
        self._db.execute("BEGIN IMMEDIATE")
        try:
            self._db.execute("DELETE FROM items WHERE sha = ?", (full,))
            self._db.executemany(
                "INSERT OR REPLACE INTO items (sha, qualified_path, crate, file, decision, code,"
                " reason, blocking, deferred, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        return len(rows)

    def items(self, sha: str) -> list[ItemDecision]:
        full = self.resolve(sha)
        rows = self._db.execute(
            "SELECT * FROM items WHERE sha = ? ORDER BY qualified_path", (full,)
        ).fetchall()
        return [ItemDecision.model_validate(_item_row(r)) for r in rows]

    def backlog(self, crate: str | None = None) -> list[BacklogItem]:
        """Items whose latest decision (by the commit's position in the ledger) is pending."""
        query = (
            "SELECT i.* FROM items i JOIN commits c ON c.sha = i.sha "
            "WHERE NOT EXISTS (SELECT 1 FROM items j JOIN commits d ON d.sha = j.sha "
            "  WHERE j.qualified_path = i.qualified_path AND d.rowid > c.rowid) "
            "AND i.decision = 'pending'"
        )
        args: tuple[str, ...] = ()
        if crate is not None:
            query += " AND i.crate = ?"
            args = (crate,)
        query += " ORDER BY i.crate, i.qualified_path"
        return [
            BacklogItem.model_validate({**_item_row(r), "sha": r["sha"], "updated": r["updated"]})
            for r in self._db.execute(query, args)
        ]

    def backlog_by_crate(self) -> dict[str, dict[str, int]]:
        """crate -> {reason code -> pending items, "blocking" -> those holding the pin}."""
        out: dict[str, dict[str, int]] = {}
        for item in self.backlog():
            counts = out.setdefault(item.crate, {})
            counts[item.code] = counts.get(item.code, 0) + 1
            if item.blocking:
                counts["blocking"] = counts.get("blocking", 0) + 1
        return out


def _item_row(row: sqlite3.Row) -> dict[str, object]:
    return {
        "qualified_path": row["qualified_path"],
        "crate": row["crate"],
        "decision": row["decision"],
        "file": row["file"],
        "code": row["code"],
        "reason": row["reason"],
        "blocking": bool(row["blocking"]),
        "deferred": row["deferred"],
    }
