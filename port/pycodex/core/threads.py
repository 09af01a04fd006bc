"""Saved threads across both stores: the state database and the rollout files.

``exec resume``/``fork`` find a thread by id (or name) in ``state_5.sqlite`` first and
fall back to scanning ``sessions/`` (rollouts written before the database existed, or
by a run that could not open it); ``--last`` picks the most recently updated thread of
the current directory. ``archive`` moves a rollout to ``archived_sessions/`` and marks
the row, ``unarchive`` moves it back, ``delete`` removes both. Messages are codex's.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pycodex import UPSTREAM_VERSION
from pycodex.core.rollout import (
    ResumedThread,
    find_rollout_by_id,
    find_rollouts,
    iter_rollout,
    load_thread,
)
from pycodex.core.session import Session, SessionHooks
from pycodex.core.state.store import StateStore, ThreadRow
from pycodex.errors import SessionError

_UUID_RE = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)


# ferry: codex_protocol::thread_id::ThreadId::from_string @ 1d092cb66
def is_uuid(value: str) -> bool:
    return bool(_UUID_RE.match(value))


# ferry: codex_app_server::codex_message_processor::CodexMessageProcessor::thread_resume @ 1d092cb66 -- 0.169.0 error texts
def not_found(verb: str, ref: str) -> SessionError:
    return SessionError(
        f"thread/{verb}: thread/{verb} failed: no rollout found for thread id {ref} (code -32600)"
    )


# ferry: codex_app_server::codex_message_processor::CodexMessageProcessor::thread_resume @ 1d092cb66 -- 0.169.0 error texts
def archived_error(ref: str) -> SessionError:
    return SessionError(
        f"thread/resume: thread/resume failed: session {ref} is archived. Run "
        f"`pycodex unarchive {ref}` to unarchive it first. (code -32600)"
    )


# ferry: codex_thread_store::local::LocalThreadStore @ 1d092cb66 -- 0.169.0: local thread store
@dataclass
class ThreadStore:
    """Thread lookup and lifecycle over ``codex_home`` (and its database, when it opened)."""

    codex_home: Path
    db: StateStore | None = None

    # -- lookup

    # ferry: codex_rollout::list::find_thread_path_by_id_str @ 1d092cb66
    def rollout_for(self, ref: str, *, archived: bool = False) -> Path | None:
        """The rollout of a thread given by id or name, among active (or archived) threads."""
        if self.db is not None:
            row = (
                self.db.get_thread(ref)
                if is_uuid(ref)
                else self.db.find_by_name(ref, archived=archived)
            )
            if row is not None and row.archived == archived and Path(row.rollout_path).is_file():
                return Path(row.rollout_path)
        if not is_uuid(ref):
            return None
        return find_rollout_by_id(self.codex_home, ref, archived=archived)

    # ferry: codex_exec::resolve_resume_thread_id @ 1d092cb66
    def resolve(
        self, ref: str | None, *, last: bool, cwd: Path | None, verb: str = "resume"
    ) -> ResumedThread | None:
        """The thread to resume or fork; ``None`` for ``--last`` when there is none (a new
        thread starts, as codex does)."""
        if ref is not None:
            path = self.rollout_for(ref)
            if path is None:
                if verb == "resume" and self.rollout_for(ref, archived=True) is not None:
                    raise archived_error(ref)
                raise not_found(verb, ref)
            return self.load(path)
        if not last:
            return None
        path = self.latest(cwd)
        return self.load(path) if path is not None else None

    # ferry: codex_rollout::recorder::RolloutRecorder::find_latest_thread_path @ 1d092cb66
    def latest(self, cwd: Path | None) -> Path | None:
        """The newest active thread in ``cwd`` (any directory with ``None``)."""
        if self.db is not None:
            row = self.db.latest_thread(cwd=str(cwd) if cwd is not None else None)
            if row is not None and Path(row.rollout_path).is_file():
                return Path(row.rollout_path)
        for path in reversed(find_rollouts(self.codex_home)):
            if cwd is None or _rollout_cwd(path) == str(cwd):
                return path
        return None

    # ferry: codex_core::session::rollout_reconstruction::Session::reconstruct_history_from_rollout @ 1d092cb66 -- 0.169.0: forks reference their parent
    def load(
        self, path: Path, *, stop_at_ordinal: int | None = None, depth: int = 0
    ) -> ResumedThread:
        """A thread; a fork's file starts where its parent's part ends, so that part is read first."""
        parent_ref, cut = _fork_origin(path)
        seed = None
        if parent_ref is not None:
            if depth > 64:
                raise SessionError(f"{path}: fork chain too deep (a rollout forks from itself?)")
            parent_path = self.rollout_for(parent_ref) or self.rollout_for(
                parent_ref, archived=True
            )
            if parent_path is None:
                raise SessionError(f"{path}: forked from {parent_ref}, whose rollout is missing")
            seed = self.load(parent_path, stop_at_ordinal=cut, depth=depth + 1)
        return load_thread(path, stop_at_ordinal=stop_at_ordinal, seed=seed)

    # -- lifecycle

    # ferry: codex_thread_store::local::archive_thread::archive_thread @ 1d092cb66 -- 0.169.0
    def archive(self, ref: str) -> str:
        path = self.rollout_for(ref)
        if path is None:
            if not is_uuid(ref):
                raise SessionError(f"No active session found matching '{ref}'.")
            raise SessionError("failed to archive session")
        thread_id = _thread_id_of(path)
        target = self.codex_home / "archived_sessions" / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)
        if self.db is not None:
            self.db.set_archived(thread_id, True, target)
        return thread_id

    # ferry: codex_thread_store::local::unarchive_thread::unarchive_thread @ 1d092cb66 -- 0.169.0
    def unarchive(self, ref: str) -> str:
        path = self.rollout_for(ref, archived=True)
        if path is None:
            if not is_uuid(ref):
                raise SessionError(f"No archived session found matching '{ref}'.")
            raise SessionError("failed to unarchive session")
        thread_id = _thread_id_of(path)
        target = _dated_dir(self.codex_home, path.name) / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)
        if self.db is not None:
            self.db.set_archived(thread_id, False, target)
        return thread_id

    # ferry: codex_thread_store::local::archive_thread::archive_thread @ 1d092cb66 -- nearest item; 0.169.0: `codex delete` removes the rollout and the thread row
    def delete(self, ref: str) -> str:
        path = self.rollout_for(ref) or self.rollout_for(ref, archived=True)
        if path is None:
            raise SessionError("failed to delete session")
        thread_id = _thread_id_of(path)
        path.unlink()
        if self.db is not None:
            self.db.delete_thread(thread_id)
        return thread_id


def _thread_id_of(path: Path) -> str:
    match = re.search(r"([0-9a-fA-F-]{36})\.jsonl$", path.name)
    if match:
        return match.group(1)
    return load_thread(path).thread_id


def _dated_dir(codex_home: Path, name: str) -> Path:
    """``sessions/YYYY/MM/DD`` from a rollout's file name (today when it carries no date)."""
    match = re.match(r"rollout-(\d{4})-(\d{2})-(\d{2})T", name)
    if match:
        year, month, day = match.groups()
    else:
        today = dt.date.today()
        year, month, day = f"{today:%Y}", f"{today:%m}", f"{today:%d}"
    return codex_home / "sessions" / year / month / day


def _first_meta(path: Path) -> dict[str, Any]:
    for line in iter_rollout(path):
        if line.get("type") == "session_meta" and isinstance(line.get("payload"), dict):
            payload: dict[str, Any] = line["payload"]
            return payload
        break
    return {}


def _rollout_cwd(path: Path) -> str | None:
    try:
        cwd = _first_meta(path).get("cwd")
    except SessionError:
        return None
    return cwd if isinstance(cwd, str) else None


def _fork_origin(path: Path) -> tuple[str | None, int | None]:
    meta = _first_meta(path)
    parent = meta.get("forked_from_id")
    cut = meta.get("forked_from_ordinal_exclusive")
    return (
        parent if isinstance(parent, str) else None,
        cut if isinstance(cut, int) else None,
    )


# ferry: codex_rollout::recorder::RolloutRecorder::state_db @ 1d092cb66 -- 0.169.0: thread rows follow the session
class StateHooks(SessionHooks):
    """Keeps the thread's row (and goal) in the state database in step with the session."""

    def __init__(
        self,
        db: StateStore,
        *,
        preview: str | None = None,
        source: str = "exec",
        originator: str = "codex_exec",
        owns_db: bool = False,
    ) -> None:
        self.db = db
        #: who runs the thread: ``exec`` (codex_exec) or the interactive ``cli`` (codex-tui)
        self.source = source
        self.originator = originator
        #: a sub-agent's hooks hold their own connections, closed with the session.
        self.owns_db = owns_db
        self.created_ms = int(time.time() * 1000)
        self.first_message = ""
        self.preview = preview or ""

    # ferry: codex_rollout::recorder::sync_thread_state_after_write @ 1d092cb66 -- the thread row created with the session
    def thread_started(self, session: Session) -> None:
        if session.resumed:
            row = self.db.get_thread(session.thread_id)
            if row is not None:
                self.created_ms = row.created_at_ms or self.created_ms
                self.first_message = row.first_user_message
                self.preview = row.preview
        goal = self.db.load_goal(session.thread_id) if session.resumed else None
        if goal is not None:
            restore_goal(session, goal)

    # ferry: codex_rollout::recorder::sync_thread_state_after_write @ 1d092cb66 -- the first user message as the title
    def user_message(self, session: Session, text: str) -> None:
        if not self.first_message:
            self.first_message = text
        if not self.preview:
            self.preview = text
        self._write(session)

    # ferry: codex_rollout::recorder::sync_thread_state_after_write @ 1d092cb66 -- token usage of the thread
    def usage(self, session: Session) -> None:
        self._write(session)

    # ferry: codex_rollout::recorder::sync_thread_state_after_write @ 1d092cb66 -- updated_at after a turn
    def turn_finished(self, session: Session) -> None:
        self._write(session)
        goal = session.router.goals.goal
        if goal is not None:
            self.db.save_goal(session.thread_id, goal_row(goal, session))

    # ferry: codex_state::log_db::LogDbLayer::on_event @ 1d092cb66 -- 0.169.0: warnings, errors, compactions
    def log(self, session: Session, level: str, message: str) -> None:
        self.db.log(level, "codex_core::session", message, session.thread_id)

    # ferry: codex_rollout::state_db::StateDbHandle @ 1d092cb66 -- a sub-agent's thread row: own connection (own thread)
    def child_hooks(self) -> SessionHooks:
        return StateHooks(
            StateStore(self.db.directory),
            source=self.source,
            originator=self.originator,
            owns_db=True,
        )

    # ferry: port-only -- the connections of a sub-agent's hooks end with its session
    def thread_closed(self, session: Session) -> None:
        if self.owns_db:
            self.db.close()

    # ferry: codex_core::agent::control::AgentControl::persist_thread_spawn_edge_for_source @ 1d092cb66
    def spawn_edge(self, parent_thread_id: str, child_thread_id: str, status: str) -> None:
        self.db.upsert_spawn_edge(parent_thread_id, child_thread_id, status)

    # ferry: codex_core::agent::control::AgentControl::resume_single_agent_from_rollout @ 1d092cb66 -- nickname and role from the row
    def agent_identity(self, thread_id: str) -> tuple[str | None, str | None] | None:
        row = self.db.get_thread(thread_id)
        return (row.agent_nickname, row.agent_role) if row is not None else None

    def _write(self, session: Session) -> None:
        path = session.recorder.path
        if path is None:
            return
        config = session.config
        subagent = session.subagent
        self.db.upsert_thread(
            ThreadRow(
                id=session.thread_id,
                rollout_path=str(path),
                created_at_ms=self.created_ms,
                updated_at_ms=int(time.time() * 1000),
                source=self.source if subagent is None else subagent.column(),
                model_provider=config.model_provider.id,
                cwd=str(config.cwd),
                title=self.first_message,
                sandbox_policy=sandbox_policy_json(config.sandbox.mode),
                approval_mode=config.approval_policy,
                tokens_used=session.total_usage.total_tokens,
                cli_version=UPSTREAM_VERSION,
                first_user_message=self.first_message,
                model=config.model,
                # a sub-agent's effort is set explicitly from its parent's turn
                reasoning_effort=None if subagent is None else config.effective_reasoning_effort,
                preview=self.preview,
                thread_source="user" if subagent is None else "subagent",
                agent_nickname=None if subagent is None else subagent.nickname,
                agent_role=None if subagent is None else subagent.role,
                originator=self.originator,
            )
        )


# ferry: codex_protocol::models::PermissionProfile @ 1d092cb66 -- 0.169.0: the JSON kept in threads.sandbox_policy
def sandbox_policy_json(mode: str) -> str:
    if mode == "danger-full-access":
        return '{"type":"disabled"}'
    if mode == "workspace-write":
        return (
            '{"type":"managed","file_system":{"type":"restricted","entries":['
            '{"path":{"type":"special","value":{"kind":"root"}},"access":"read"},'
            '{"path":{"type":"special","value":{"kind":"project_roots","subpath":null}},"access":"write"},'
            '{"path":{"type":"special","value":{"kind":"slash_tmp"}},"access":"write"},'
            '{"path":{"type":"special","value":{"kind":"tmpdir"}},"access":"write"}]},'
            '"network":"restricted"}'
        )
    return (
        '{"type":"managed","file_system":{"type":"restricted","entries":'
        '[{"path":{"type":"special","value":{"kind":"root"}},"access":"read"}]},'
        '"network":"restricted"}'
    )


# ferry: codex_state::runtime::threads::StateRuntime::upsert_thread @ 1d092cb66 -- nearest item; 0.169.0: goals_1.sqlite row
def goal_row(goal: Any, session: Session) -> dict[str, Any]:
    return {
        "goal_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{session.thread_id}:{goal.created_at}")),
        "objective": goal.objective,
        "status": goal.status,
        "token_budget": goal.token_budget,
        "tokens_used": goal.tokens_used,
        "time_used_seconds": int(goal.active_seconds),
        "created_at_ms": goal.created_at * 1000,
        "updated_at_ms": goal.updated_at * 1000,
    }


# ferry: codex_core::session::rollout_reconstruction::Session::reconstruct_history_from_rollout @ 1d092cb66 -- nearest item; 0.169.0: goal restored on resume
def restore_goal(session: Session, row: dict[str, Any]) -> None:
    """Give a resumed session the goal its thread had."""
    from pycodex.tools.goals import Goal

    session.router.goals.goal = Goal(
        thread_id=session.thread_id,
        objective=str(row["objective"]),
        status=str(row["status"]),
        token_budget=row["token_budget"],
        tokens_used=int(row["tokens_used"]),
        active_seconds=float(row["time_used_seconds"]),
        created_at=int(row["created_at_ms"]) // 1000,
        updated_at=int(row["updated_at_ms"]) // 1000,
    )
