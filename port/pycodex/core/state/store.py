"""The thread, goal and log tables codex keeps beside the rollouts, read and written by pycodex.

``state_5.sqlite`` holds one ``threads`` row per thread (title, preview, cwd, tokens,
archive flag, rollout path...), ``goals_1.sqlite`` the goal of each thread and
``logs_2.sqlite`` log records. pycodex writes the columns the schema it finds has (a
database a newer codex migrated further keeps working) and every write is one
transaction. The databases live in ``sqlite_home`` (config), ``$CODEX_SQLITE_HOME`` or
``$CODEX_HOME``.
"""

from __future__ import annotations

import os
import sqlite3
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from pycodex.core.state.db import StateDbError, open_database, transaction

STATE_DB_FILENAME = "state_5.sqlite"
LOGS_DB_FILENAME = "logs_2.sqlite"
GOALS_DB_FILENAME = "goals_1.sqlite"
SQLITE_HOME_ENV = "CODEX_SQLITE_HOME"


# ferry: codex_state::model::thread_metadata::ThreadMetadata @ 1d092cb66 -- 0.169.0 columns
@dataclass(frozen=True)
class ThreadRow:
    """One ``threads`` row (the columns pycodex reads and writes)."""

    id: str
    rollout_path: str
    created_at_ms: int
    updated_at_ms: int
    source: str = "exec"
    model_provider: str = ""
    cwd: str = ""
    title: str = ""
    sandbox_policy: str = ""
    approval_mode: str = "never"
    tokens_used: int = 0
    archived: bool = False
    archived_at: int | None = None
    git_branch: str | None = None
    cli_version: str = ""
    first_user_message: str = ""
    model: str | None = None
    reasoning_effort: str | None = None
    thread_source: str | None = "user"
    preview: str = ""
    history_mode: str = "paginated"
    name: str | None = None
    originator: str | None = "codex_exec"
    agent_nickname: str | None = None
    agent_role: str | None = None


_ROW_FIELDS = tuple(f.name for f in fields(ThreadRow))


# ferry: codex_state::runtime::state_db_path @ 1d092cb66 -- with SQLITE_HOME (codex_state::SQLITE_HOME_ENV)
def sqlite_home(codex_home: Path, configured: str | None = None) -> Path:
    """Where the databases live: ``sqlite_home`` from config, ``$CODEX_SQLITE_HOME``, else CODEX_HOME."""
    if configured:
        return Path(configured).expanduser()
    env = os.environ.get(SQLITE_HOME_ENV)
    return Path(env).expanduser() if env else codex_home


# ferry: codex_state::runtime::StateRuntime @ 1d092cb66
class StateStore:
    """Open connections to the state, goals and logs databases of one CODEX_HOME."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._state: sqlite3.Connection | None = None
        self._goals: sqlite3.Connection | None = None
        self._logs: sqlite3.Connection | None = None
        self._thread_columns: frozenset[str] | None = None
        self.process_uuid = str(uuid.uuid4())

    # -- connections (opened and migrated on first use)

    # ferry: codex_state::runtime::StateRuntime::init @ 1d092cb66
    @property
    def state(self) -> sqlite3.Connection:
        if self._state is None:
            self._state = open_database(self.directory / STATE_DB_FILENAME, "state")
        return self._state

    # ferry: codex_state::runtime::StateRuntime::init @ 1d092cb66 -- 0.169.0: goals_1.sqlite
    @property
    def goals(self) -> sqlite3.Connection:
        if self._goals is None:
            self._goals = open_database(self.directory / GOALS_DB_FILENAME, "goals")
        return self._goals

    # ferry: codex_state::log_db::start @ 1d092cb66
    @property
    def logs(self) -> sqlite3.Connection:
        if self._logs is None:
            self._logs = open_database(self.directory / LOGS_DB_FILENAME, "logs")
        return self._logs

    # ferry: codex_state::runtime::StateRuntime @ 1d092cb66 -- dropping it closes its pools
    def close(self) -> None:
        for conn in (self._state, self._goals, self._logs):
            if conn is not None:
                conn.close()
        self._state = self._goals = self._logs = None

    def _columns(self) -> frozenset[str]:
        if self._thread_columns is None:
            rows = self.state.execute("PRAGMA table_info(threads)").fetchall()
            self._thread_columns = frozenset(str(r[1]) for r in rows)
        return self._thread_columns

    # -- threads

    # ferry: codex_state::runtime::threads::StateRuntime::upsert_thread @ 1d092cb66
    def upsert_thread(self, row: ThreadRow) -> None:
        """Insert or update a thread; ``created_at`` and the first messages are kept once set."""
        values = _row_values(row)
        columns = [c for c in values if c in self._columns()]
        kept_once = ("title", "first_user_message", "preview")
        updates = ", ".join(
            f"{c} = CASE WHEN threads.{c} = '' THEN excluded.{c} ELSE threads.{c} END"
            if c in kept_once
            else f"{c} = excluded.{c}"
            for c in columns
            if c not in ("id", "created_at", "created_at_ms")
        )
        sql = (
            f"INSERT INTO threads ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)}) "
            f"ON CONFLICT(id) DO UPDATE SET {updates}"
        )
        with transaction(self.state):
            self.state.execute(sql, [values[c] for c in columns])

    # ferry: codex_state::runtime::threads::StateRuntime::get_thread @ 1d092cb66
    def get_thread(self, thread_id: str) -> ThreadRow | None:
        rows = self._select("WHERE id = ?", (thread_id,))
        return rows[0] if rows else None

    # ferry: codex_state::runtime::threads::StateRuntime::find_thread_by_exact_title @ 1d092cb66
    def find_by_name(self, name: str, *, archived: bool = False) -> ThreadRow | None:
        if "name" not in self._columns():
            return None
        rows = self._select(
            "WHERE name = ? AND archived = ? ORDER BY updated_at_ms DESC LIMIT 1",
            (name, int(archived)),
        )
        return rows[0] if rows else None

    # ferry: codex_state::runtime::threads::StateRuntime::list_threads @ 1d092cb66
    def latest_thread(
        self, *, cwd: str | None = None, sources: tuple[str, ...] | None = None
    ) -> ThreadRow | None:
        """The most recently updated unarchived thread (in ``cwd``, of ``sources``, if given)."""
        clauses = ["archived = 0"]
        params: list[Any] = []
        if cwd is not None:
            clauses.append("cwd = ?")
            params.append(cwd)
        if sources is not None:
            clauses.append(f"source IN ({', '.join('?' for _ in sources)})")
            params.extend(sources)
        rows = self._select(
            f"WHERE {' AND '.join(clauses)} ORDER BY updated_at_ms DESC, id DESC LIMIT 1", params
        )
        return rows[0] if rows else None

    # ferry: codex_state::runtime::threads::StateRuntime::list_threads @ 1d092cb66
    def list_threads(
        self,
        *,
        cwd: str | None = None,
        sources: tuple[str, ...] | None = None,
        limit: int = 200,
    ) -> list[ThreadRow]:
        """Unarchived threads, most recently updated first (the resume picker's list)."""
        clauses = ["archived = 0"]
        params: list[Any] = []
        if cwd is not None:
            clauses.append("cwd = ?")
            params.append(cwd)
        if sources is not None:
            clauses.append(f"source IN ({', '.join('?' for _ in sources)})")
            params.extend(sources)
        params.append(limit)
        return self._select(
            f"WHERE {' AND '.join(clauses)} ORDER BY updated_at_ms DESC, id DESC LIMIT ?", params
        )

    # ferry: codex_state::runtime::threads::StateRuntime::mark_archived @ 1d092cb66
    def set_archived(self, thread_id: str, archived: bool, rollout_path: Path) -> None:
        now_ms = int(time.time() * 1000)
        with transaction(self.state):
            # unarchiving counts as activity: the thread becomes the newest for --last
            self.state.execute(
                "UPDATE threads SET archived = ?, archived_at = ?, rollout_path = ?, "
                "updated_at = ?, updated_at_ms = ? WHERE id = ?",
                (
                    int(archived),
                    now_ms // 1000 if archived else None,
                    str(rollout_path),
                    now_ms // 1000,
                    now_ms,
                    thread_id,
                ),
            )

    # ferry: codex_state::runtime::threads::StateRuntime::delete_thread @ 1d092cb66
    def delete_thread(self, thread_id: str) -> None:
        with transaction(self.state):
            self.state.execute("DELETE FROM threads WHERE id = ?", (thread_id,))
        with transaction(self.goals):
            self.goals.execute("DELETE FROM thread_goals WHERE thread_id = ?", (thread_id,))

    def _select(self, where: str, params: Any) -> list[ThreadRow]:
        available = [c for c in _ROW_FIELDS if c in self._columns()]
        rows = self.state.execute(f"SELECT {', '.join(available)} FROM threads {where}", params)
        out = []
        for values in rows.fetchall():
            data: dict[str, Any] = dict(zip(available, values, strict=True))
            data["archived"] = bool(data.get("archived"))
            if data.get("created_at_ms") is None:
                data["created_at_ms"] = 0
            if data.get("updated_at_ms") is None:
                data["updated_at_ms"] = 0
            out.append(ThreadRow(**data))
        return out

    # -- sub-agents

    # ferry: codex_state::runtime::threads::StateRuntime::upsert_thread_spawn_edge @ 1d092cb66
    def upsert_spawn_edge(self, parent_thread_id: str, child_thread_id: str, status: str) -> None:
        """Remember that ``parent`` spawned ``child`` (``open``) or closed it (``closed``)."""
        with transaction(self.state):
            self.state.execute(
                "INSERT INTO thread_spawn_edges (parent_thread_id, child_thread_id, status) "
                "VALUES (?, ?, ?) ON CONFLICT(child_thread_id) DO UPDATE SET "
                "parent_thread_id = excluded.parent_thread_id, status = excluded.status",
                (parent_thread_id, child_thread_id, status),
            )

    # -- goals

    # ferry: codex_state::runtime::threads::StateRuntime::upsert_thread @ 1d092cb66 -- nearest item; 0.169.0: goals_1.sqlite
    def save_goal(self, thread_id: str, goal: Mapping[str, Any] | None) -> None:
        """Store (or with ``None`` remove) the goal of a thread."""
        with transaction(self.goals):
            if goal is None:
                self.goals.execute("DELETE FROM thread_goals WHERE thread_id = ?", (thread_id,))
                return
            self.goals.execute(
                "INSERT INTO thread_goals (thread_id, goal_id, objective, status, token_budget, "
                "tokens_used, time_used_seconds, created_at_ms, updated_at_ms) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(thread_id) DO UPDATE SET "
                "goal_id = excluded.goal_id, objective = excluded.objective, "
                "status = excluded.status, token_budget = excluded.token_budget, "
                "tokens_used = excluded.tokens_used, time_used_seconds = excluded.time_used_seconds, "
                "created_at_ms = excluded.created_at_ms, updated_at_ms = excluded.updated_at_ms",
                (
                    thread_id,
                    goal["goal_id"],
                    goal["objective"],
                    goal["status"],
                    goal.get("token_budget"),
                    goal.get("tokens_used", 0),
                    goal.get("time_used_seconds", 0),
                    goal["created_at_ms"],
                    goal["updated_at_ms"],
                ),
            )

    # ferry: codex_state::runtime::threads::StateRuntime::get_thread @ 1d092cb66 -- nearest item; 0.169.0: goals_1.sqlite
    def load_goal(self, thread_id: str) -> dict[str, Any] | None:
        row = self.goals.execute(
            "SELECT goal_id, objective, status, token_budget, tokens_used, time_used_seconds, "
            "created_at_ms, updated_at_ms FROM thread_goals WHERE thread_id = ?",
            (thread_id,),
        ).fetchone()
        if row is None:
            return None
        keys = (
            "goal_id",
            "objective",
            "status",
            "token_budget",
            "tokens_used",
            "time_used_seconds",
            "created_at_ms",
            "updated_at_ms",
        )
        return dict(zip(keys, row, strict=True))

    # -- logs

    # ferry: codex_state::runtime::logs::StateRuntime::insert_log @ 1d092cb66
    def log(self, level: str, target: str, message: str, thread_id: str | None = None) -> None:
        """One ``logs`` row (what codex's feedback log keeps: level, target, body, thread)."""
        now = time.time_ns()
        with transaction(self.logs):
            self.logs.execute(
                "INSERT INTO logs (ts, ts_nanos, level, target, feedback_log_body, module_path, "
                "thread_id, process_uuid, estimated_bytes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    now // 1_000_000_000,
                    now % 1_000_000_000,
                    level,
                    target,
                    message,
                    target,
                    thread_id,
                    self.process_uuid,
                    len(message.encode()),
                ),
            )


def _row_values(row: ThreadRow) -> dict[str, Any]:
    values: dict[str, Any] = {name: getattr(row, name) for name in _ROW_FIELDS}
    values["archived"] = int(row.archived)
    values["created_at"] = row.created_at_ms // 1000
    values["updated_at"] = row.updated_at_ms // 1000
    values["has_user_event"] = 0
    values["memory_mode"] = "enabled"
    return values


# ferry: codex_state::runtime::StateRuntime::init @ 1d092cb66 -- failures become a warning, not a crash
def open_store(directory: Path) -> tuple[StateStore | None, str | None]:
    """A store whose state database opened, or ``None`` and the reason (shown as a warning;
    the run goes on with rollouts only, as codex does when its database is unusable)."""
    store = StateStore(directory)
    try:
        _ = store.state
    except StateDbError as exc:
        store.close()
        return None, str(exc)
    except sqlite3.Error as exc:
        store.close()
        return None, f"{directory / STATE_DB_FILENAME}: {exc}"
    return store, None
