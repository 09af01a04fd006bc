"""The on-disk Diff cache: content-addressed, shared by worker processes and later runs.

Two tables, both keyed by content so an entry is valid wherever that content appears:

- ``items``: the extracted items of one blob (by blob id, module path and test flag), so
  each blob is parsed once however many commits and workers see it;
- ``files``: the comparison of one file patch (old blob, new blob, paths, modules, hunks),
  so re-diffing a history already diffed reads blobs but parses and compares nothing.

It is a cache: an unreadable database is moved aside with a warning and rebuilt, and an
entry that fails its checksum is recomputed. Values are ``marshal`` tuples, zlib-compressed,
behind a blake2b checksum. ``FERRY_DIFF_CACHE`` names the directory (``off`` disables it).
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import sqlite3
import sys
import zlib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from translator.diff.rust_items import RECORD_VERSION

ENV = "FERRY_DIFF_CACHE"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS items (key TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS files (key TEXT PRIMARY KEY, value BLOB NOT NULL);
"""
_FLUSH_EVERY = 400


def _grammar_version() -> str:
    try:
        return version("tree-sitter-rust")
    except PackageNotFoundError:  # pragma: no cover - the dependency is always installed
        return "unknown"


def store_name() -> str:
    """The database file name: a new extractor or grammar version starts a new cache."""
    return f"diff-v{RECORD_VERSION}-tsrust{_grammar_version()}.sqlite"


def default_cache_dir() -> Path | None:
    """``$FERRY_DIFF_CACHE`` (``off``/``0``/empty: no cache), else the user cache directory."""
    value = os.environ.get(ENV)
    if value is not None:
        return None if value.strip().lower() in ("", "0", "off", "no", "false") else Path(value)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ferry" / "diff"


def _pack(value: Any) -> bytes:
    payload = zlib.compress(marshal.dumps(value), 1)
    return hashlib.blake2b(payload, digest_size=8).digest() + payload


def _unpack(blob: bytes) -> Any:
    digest, payload = blob[:8], blob[8:]
    if hashlib.blake2b(payload, digest_size=8).digest() != digest:
        raise ValueError("checksum mismatch")
    return marshal.loads(zlib.decompress(payload))


def content_key(*parts: object) -> str:
    """A stable key for ``parts`` (their ``repr``; the record version is mixed in)."""
    return hashlib.blake2b(
        repr((RECORD_VERSION, *parts)).encode("utf-8", "surrogatepass"), digest_size=20
    ).hexdigest()


class DiffStore:
    """One process's handle on the cache (``None`` directory: a no-op store)."""

    def __init__(self, directory: Path | None) -> None:
        self.path = directory / store_name() if directory is not None else None
        self._db: sqlite3.Connection | None = None
        self._pending: dict[str, list[tuple[str, bytes]]] = {"items": [], "files": []}
        self.hits = 0
        self.misses = 0
        self._warned = False
        if self.path is not None:
            self._open(self.path)

    def _warn(self, message: str) -> None:
        if not self._warned:
            print(f"ferry: warning: {message}", file=sys.stderr)
            self._warned = True

    def _open(self, path: Path) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = self._connect(path)
        except (OSError, sqlite3.Error) as exc:
            aside = path.with_name(path.name + ".unreadable")
            self._warn(
                f"the diff cache {path} is unreadable ({exc}); moved to {aside.name}, rebuilding"
            )
            try:
                for suffix in ("-wal", "-shm"):
                    Path(str(path) + suffix).unlink(missing_ok=True)
                if path.is_dir():
                    path.rename(aside)
                else:
                    os.replace(path, aside)
                self._db = self._connect(path)
            except (OSError, sqlite3.Error) as again:
                self._warn(f"the diff cache {path} cannot be used ({again}); running without it")
                self._db = None

    @staticmethod
    def _connect(path: Path) -> sqlite3.Connection:
        db = sqlite3.connect(path, timeout=60, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(_SCHEMA)
            db.execute("SELECT COUNT(*) FROM items WHERE key = ''").fetchone()
        except sqlite3.Error:
            db.close()
            raise
        return db

    def _get(self, table: str, key: str) -> Any | None:
        if self._db is None:
            return None
        try:
            row = self._db.execute(f"SELECT value FROM {table} WHERE key = ?", (key,)).fetchone()
        except sqlite3.Error as exc:
            self._warn(f"reading the diff cache {self.path} failed ({exc}); recomputing")
            return None
        if row is None:
            self.misses += 1
            return None
        try:
            value = _unpack(row[0])
        except (ValueError, EOFError, TypeError, zlib.error) as exc:
            self._warn(f"a damaged entry in the diff cache {self.path} ({exc}); recomputing")
            return None
        self.hits += 1
        return value

    def _put(self, table: str, key: str, value: Any) -> None:
        if self._db is None:
            return
        pending = self._pending[table]
        pending.append((key, _pack(value)))
        if len(pending) >= _FLUSH_EVERY:
            self.flush()

    def get_items(self, key: str) -> Any | None:
        return self._get("items", key)

    def put_items(self, key: str, record: Any) -> None:
        self._put("items", key, record)

    def get_file(self, key: str) -> Any | None:
        return self._get("files", key)

    def put_file(self, key: str, value: Any) -> None:
        self._put("files", key, value)

    def flush(self) -> None:
        """Write what is pending in one transaction (other workers may be writing too)."""
        if self._db is None or not any(self._pending.values()):
            return
        try:
            self._db.execute("BEGIN IMMEDIATE")
            for table, rows in self._pending.items():
                self._db.executemany(
                    f"INSERT OR IGNORE INTO {table} (key, value) VALUES (?, ?)", rows
                )
            self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            self._warn(f"writing the diff cache {self.path} failed ({exc}); continuing without")
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")
        for rows in self._pending.values():
            rows.clear()

    def close(self) -> None:
        self.flush()
        if self._db is not None:
            self._db.close()
            self._db = None
