"""Open one of codex's SQLite databases and bring its schema up to date, as sqlx does.

codex keeps its state beside the rollouts in versioned SQLite files (``state_5.sqlite``,
``logs_2.sqlite``, ``goals_1.sqlite``) whose schemas come from sqlx migrations. pycodex
ships the same migration files byte for byte and records them in ``_sqlx_migrations``
with sqlx's checksum (SHA-384 of the file), so a database either binary created is
valid for the other: migrations applied by a newer codex are ignored (sqlx's
``ignore_missing``), known ones are checked by checksum.

Every migration runs in its own ``BEGIN IMMEDIATE`` transaction together with its
bookkeeping row, in WAL mode: a process killed at any point leaves the database at the
last committed migration, and the next run continues from there.
"""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from pycodex.errors import PycodexError

#: sqlx's bookkeeping table, created with sqlx's own statement.
_MIGRATIONS_TABLE = """CREATE TABLE IF NOT EXISTS _sqlx_migrations (
    version BIGINT PRIMARY KEY,
    description TEXT NOT NULL,
    installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    success BOOLEAN NOT NULL,
    checksum BLOB NOT NULL,
    execution_time BIGINT NOT NULL
)"""

BUSY_TIMEOUT_MS = 5_000


# ferry: port-only -- error type of the state store (upstream reports sqlx/anyhow errors)
class StateDbError(PycodexError):
    """A state database that cannot be opened or migrated (the message names the file)."""


# ferry: codex_state::migrations::STATE_MIGRATOR @ 1d092cb66 -- 0.169.0: sqlx migration records
@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    sql: str

    # ferry: codex_state::migrations::STATE_MIGRATOR @ 1d092cb66 -- sqlx's checksum (SHA-384 of the file)
    @property
    def checksum(self) -> bytes:
        return hashlib.sha384(self.sql.encode()).digest()


# ferry: codex_state::migrations::STATE_MIGRATOR @ 1d092cb66 -- 0.169.0: the files embedded in codex 0.169.0
@cache
def migrations(kind: str) -> tuple[Migration, ...]:
    """The migrations of ``kind`` (``state``, ``logs`` or ``goals``), in version order."""
    folder = resources.files("pycodex.core.state").joinpath("migrations").joinpath(kind)
    found = []
    for entry in folder.iterdir():
        name = entry.name
        if not name.endswith(".sql"):
            continue
        number, _, rest = name.removesuffix(".sql").partition("_")
        found.append(Migration(int(number), rest.replace("_", " "), entry.read_text("utf-8")))
    return tuple(sorted(found, key=lambda m: m.version))


# ferry: codex_state::runtime::StateRuntime::init @ 1d092cb66
def connect(path: Path) -> sqlite3.Connection:
    """A connection in WAL mode with a busy timeout; statements run in explicit transactions."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # A sub-agent's connection is opened when it is spawned (the parent's thread) and
        # used by its worker thread afterwards, never by two threads at once.
        conn = sqlite3.connect(
            path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
        )
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys=ON")
    except sqlite3.Error as exc:
        raise StateDbError(f"{path}: cannot open state database: {exc}") from exc
    return conn


# ferry: port-only -- explicit BEGIN IMMEDIATE / COMMIT / ROLLBACK around a unit of work
@contextlib.contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` ... ``COMMIT``; any exception rolls the whole unit back."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


# ferry: codex_state::migrations::runtime_state_migrator @ 1d092cb66
def migrate(conn: sqlite3.Connection, kind: str, path: Path) -> None:
    """Apply the missing migrations of ``kind``; refuse a database whose known migrations
    differ from ours or were left half-applied."""
    conn.execute(_MIGRATIONS_TABLE)
    for migration in migrations(kind):
        with transaction(conn):
            row = conn.execute(
                "SELECT success, checksum FROM _sqlx_migrations WHERE version = ?",
                (migration.version,),
            ).fetchone()
            if row is not None:
                success, checksum = row
                if not success:
                    raise StateDbError(
                        f"{path}: migration {migration.version} ({migration.description}) is "
                        "marked as failed; move the database aside to let pycodex recreate it"
                    )
                if bytes(checksum) != migration.checksum:
                    raise StateDbError(
                        f"{path}: migration {migration.version} ({migration.description}) was "
                        "applied with different SQL; this database was not written by codex "
                        "0.169-compatible software"
                    )
                continue
            started = time.perf_counter_ns()
            _execute_script(conn, migration.sql)
            conn.execute(
                "INSERT INTO _sqlx_migrations "
                "(version, description, success, checksum, execution_time) VALUES (?, ?, 1, ?, ?)",
                (
                    migration.version,
                    migration.description,
                    migration.checksum,
                    time.perf_counter_ns() - started,
                ),
            )


def _execute_script(conn: sqlite3.Connection, sql: str) -> None:
    """Run every statement of ``sql`` inside the caller's transaction (``executescript``
    would commit it first)."""
    buffer = ""
    for line in sql.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            statement = buffer.strip()
            buffer = ""
            if statement:
                conn.execute(statement)
    if buffer.strip():
        conn.execute(buffer)


# ferry: codex_state::runtime::StateRuntime::init @ 1d092cb66
def open_database(path: Path, kind: str) -> sqlite3.Connection:
    """Open (creating if needed) and migrate one database; errors name the file."""
    conn = connect(path)
    try:
        migrate(conn, kind, path)
    except sqlite3.Error as exc:
        conn.close()
        raise StateDbError(f"{path}: cannot migrate state database: {exc}") from exc
    except StateDbError:
        conn.close()
        raise
    return conn
