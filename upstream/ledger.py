"""The commit ledger: what happened to each upstream commit (SQLite, WAL, transactions).

Every commit ``ferry track`` sees is recorded as ``new``; later stages mark it
``ported``, ``skipped`` or ``failed`` with a reason. A mark never silently
invents a commit: unknown shas are an error naming the sha.

Beside the commits, the ledger keeps what was decided about every changed item of a
commit (``ported``, ``pending`` with a reason code, ``declined`` with a rule). The
*backlog* is every item whose latest decision is ``pending``: nothing is skipped silently.
"""

from __future__ import annotations

import contextlib
import os
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


_SQLITE_HEADER = b"SQLite format 3\x00"
#: columns every ledger has had since its first version (newer tables are added on open)
_COMMIT_COLUMNS = frozenset(
    {"sha", "subject", "authored", "status", "reason", "first_seen", "updated"}
)


def _restore_hint(path: Path) -> str:
    return (
        f"restore {path.name} from a backup; to start a new ledger on purpose, move it aside "
        "(`mv " + str(path) + " " + str(path) + ".bad`) and run `ferry track`, which records every "
        "commit since the pin as new again"
    )


def _check_file(path: Path) -> None:
    """Refuse a ledger file that exists but cannot be ours: never mistake damage for a new ledger."""
    if path.is_dir():
        raise LedgerError(f"{path}: is a directory, not a ledger database; {_restore_hint(path)}")
    try:
        with path.open("rb") as handle:
            header = handle.read(len(_SQLITE_HEADER))
    except OSError as exc:
        raise LedgerError(
            f"{path}: cannot read the ledger ({exc.strerror}); {_restore_hint(path)}"
        ) from exc
    if not header:
        raise LedgerError(
            f"{path}: the ledger is empty (0 bytes): a truncated file, not a new ledger; the record "
            f"of ported and skipped commits is gone from it; {_restore_hint(path)}"
        )
    if header != _SQLITE_HEADER:
        raise LedgerError(
            f"{path}: not an SQLite database, so not a ferry ledger; {_restore_hint(path)}"
        )


def _create(path: Path) -> None:
    """Create an empty ledger atomically, so a crash never leaves a zero-length file behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.new")
    tmp.unlink(missing_ok=True)
    try:
        db = sqlite3.connect(tmp, isolation_level=None)
        try:
            db.executescript(_SCHEMA)
        finally:
            db.close()
        with contextlib.suppress(FileExistsError):  # another process created it first: use theirs
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _check_schema(db: sqlite3.Connection, path: Path) -> None:
    columns = {str(row[1]) for row in db.execute("PRAGMA table_info(commits)")}
    if not columns:
        tables = sorted(
            str(r[0]) for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        )
        raise LedgerError(
            f"{path}: an SQLite database without a commits table (tables: {', '.join(tables) or 'none'}), "
            f"so not a ferry ledger; {_restore_hint(path)}"
        )
    missing = _COMMIT_COLUMNS - columns
    if missing:
        raise LedgerError(
            f"{path}: the commits table lacks column(s) {', '.join(sorted(missing))}, so it is not a "
            f"ferry ledger; {_restore_hint(path)}"
        )


class Ledger:
    """A handle on ``.ferry/ledger.sqlite``; use as a context manager or call ``close``."""

    def __init__(self, path: Path) -> None:
        """Open the ledger at ``path``, creating it only when no file is there at all.

        An existing file must be an SQLite database with the ``commits`` table; anything
        else (zero bytes, a directory, garbage, another program's database) is a
        :class:`LedgerError` naming the file and the fix, never a fresh start.
        """
        self.path = path
        if not path.exists() and not path.is_symlink():
            _create(path)
        _check_file(path)
        try:
            self._db = sqlite3.connect(path, timeout=30, isolation_level=None)
        except sqlite3.Error as exc:
            raise LedgerError(
                f"{path}: cannot open the ledger ({exc}); {_restore_hint(path)}"
            ) from exc
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            _check_schema(self._db, path)
            self._db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise LedgerError(
                f"{path}: not a usable ledger database ({exc}); {_restore_hint(path)}"
            ) from exc
        except LedgerError:
            self._db.close()
            raise
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
