"""Threads as the app server shows them: loaded ones in memory, stored ones from rollouts.

A loaded thread owns one :class:`~pycodex.core.session.Session` (the same core ``exec``
runs) plus what the protocol reports about it: timestamps, preview, status, and the turns
with their items (``thread/read`` with ``includeTurns``). Threads that are not loaded are
listed from their rollout files.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pycodex import UPSTREAM_VERSION
from pycodex.core.rollout import find_rollouts, iter_rollout

if TYPE_CHECKING:
    from pycodex.config.model import Config
    from pycodex.core.session import Session

JsonObject = dict[str, Any]


# ferry: codex_app_server_protocol::protocol::v2::Turn @ 1d092cb66 -- 0.169.0: rootTurnId and itemsView
@dataclass
class TurnRecord:
    """One turn of a loaded thread, as ``thread/read`` reports it."""

    id: str
    status: str = "inProgress"  # inProgress | completed | interrupted | failed
    items: list[JsonObject] = field(default_factory=list)
    error: JsonObject | None = None
    started_at: int | None = None  # unix seconds
    completed_at: int | None = None
    duration_ms: int | None = None
    started_monotonic: float = field(default_factory=time.monotonic)

    # ferry: codex_app_server::codex_message_processor::populate_thread_turns @ 1d092cb66 -- one turn as the wire shows it; 0.169.0: items views
    def to_wire(self, view: str, *, with_times: bool = True) -> JsonObject:
        """The turn; ``view`` is ``full`` (every item), ``summary`` (the final answer) or
        ``notLoaded`` (no items)."""
        if view == "full":
            items = list(self.items)
        elif view == "summary":
            agent = [i for i in self.items if i.get("type") == "agentMessage"]
            items = agent[-1:]
        else:
            items = []
        return {
            "id": self.id,
            "rootTurnId": self.id,
            "items": items,
            "itemsView": view,
            "status": self.status,
            "error": self.error,
            "startedAt": self.started_at if with_times else None,
            "completedAt": self.completed_at if with_times else None,
            "durationMs": self.duration_ms if with_times else None,
        }


# ferry: codex_app_server::thread_state::ThreadState @ 1d092cb66
@dataclass
class LoadedThread:
    """A thread with a live session."""

    id: str
    session: Session
    config: Config
    originator: str
    created_at: int
    path: Path | None
    ephemeral: bool
    forked_from: str | None = None
    #: ``model_reasoning_effort`` as configured (``None`` when left to the model's default)
    reasoning_effort: str | None = None
    updated_at: int = 0
    preview: str = ""
    name: str | None = None
    status: JsonObject = field(default_factory=lambda: {"type": "idle"})
    turns: list[TurnRecord] = field(default_factory=list)
    active: Any = None  # the running turn's controller, if any
    forwarder: Any = None  # the session's observer, pointed at the running turn
    subscribed: bool = True
    lock: threading.Lock = field(default_factory=threading.Lock)

    # ferry: codex_app_server_protocol::protocol::v2::Thread @ 1d092cb66 -- 0.169.0: environments, sessionId, historyMode ...
    def to_wire(
        self, *, turns: list[JsonObject] | None = None, can_accept_input: bool | None = True
    ) -> JsonObject:
        cwd = str(self.config.cwd)
        return {
            "id": self.id,
            "environments": [
                {"environmentId": "local", "cwd": cwd, "runtimeWorkspaceRoots": [cwd]}
            ],
            "extra": None,
            "sessionId": self.id,
            "forkedFromId": self.forked_from,
            "attachedToThreadId": None,
            "parentThreadId": None,
            "preview": self.preview,
            "ephemeral": self.ephemeral,
            "section": None,
            "sectionEnteredAt": None,
            "projectId": None,
            "historyMode": "paginated",
            "modelProvider": self.config.model_provider.id,
            "model": self.config.model,
            "reasoningEffort": self.reasoning_effort,
            "createdAt": self.created_at,
            "updatedAt": self.updated_at or self.created_at,
            "recencyAt": self.updated_at or self.created_at,
            "status": dict(self.status),
            "path": str(self.path) if self.path is not None else None,
            "cwd": cwd,
            "cliVersion": UPSTREAM_VERSION,
            "originator": self.originator,
            "source": "vscode",
            "canAcceptDirectInput": can_accept_input,
            "threadSource": None,
            "agentNickname": None,
            "agentRole": None,
            "gitInfo": None,
            "name": self.name,
            "daybreakEnabled": None,
            "turns": turns if turns is not None else [],
        }

    # ferry: codex_app_server::codex_message_processor::preview_from_rollout_items @ 1d092cb66 -- a thread has a user message when it has a preview
    def has_user_message(self) -> bool:
        return bool(self.preview)


# ferry: codex_rollout::list::ThreadItem @ 1d092cb66 -- 0.169.0: the fields thread/list reports
@dataclass(frozen=True)
class StoredThread:
    """What a rollout file says about a thread that is not loaded."""

    id: str
    path: Path
    cwd: str
    created_at: int
    updated_at: int
    preview: str
    model_provider: str
    model: str | None
    originator: str
    cli_version: str
    first_turn_id: str | None
    forked_from: str | None = None

    # ferry: codex_app_server_protocol::protocol::v2::Thread @ 1d092cb66 -- 0.169.0: stored threads
    def to_wire(self) -> JsonObject:
        return {
            "id": self.id,
            "environments": [
                {"environmentId": "local", "cwd": self.cwd, "runtimeWorkspaceRoots": [self.cwd]}
            ],
            "extra": None,
            "sessionId": self.id,
            "forkedFromId": self.forked_from,
            "attachedToThreadId": None,
            "parentThreadId": None,
            "preview": self.preview,
            "ephemeral": False,
            "section": None,
            "sectionEnteredAt": None,
            "projectId": None,
            "historyMode": "paginated",
            "modelProvider": self.model_provider,
            "model": self.model,
            "reasoningEffort": None,
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
            "recencyAt": self.updated_at,
            "status": {"type": "notLoaded"},
            "path": str(self.path),
            "cwd": self.cwd,
            "cliVersion": self.cli_version,
            "originator": self.originator,
            "source": "vscode",
            "canAcceptDirectInput": None,
            "threadSource": None,
            "agentNickname": None,
            "agentRole": None,
            "gitInfo": None,
            "name": None,
            "daybreakEnabled": None,
            "turns": [],
        }


def _epoch(timestamp: str | None, fallback: float) -> int:
    import datetime as dt

    if timestamp:
        try:
            return int(dt.datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp())
        except ValueError:
            pass
    return int(fallback)


# ferry: codex_rollout::list::read_head_summary @ 1d092cb66
def read_stored_thread(path: Path) -> StoredThread | None:
    """The thread a rollout records, or ``None`` when it has no session meta."""
    meta: JsonObject | None = None
    preview = ""
    first_turn: str | None = None
    model: str | None = None
    try:
        for line in iter_rollout(path):
            payload = line.get("payload") or {}
            kind = line.get("type")
            if kind == "session_meta" and meta is None and isinstance(payload, dict):
                meta = payload
            elif kind == "turn_context" and isinstance(payload, dict):
                model = model or payload.get("model")
                first_turn = first_turn or payload.get("turn_id")
            elif (
                kind == "event_msg"
                and isinstance(payload, dict)
                and payload.get("type") == "user_message"
                and not preview
            ):
                preview = str(payload.get("message") or "")
    except Exception:  # an unreadable rollout is simply not listed
        return None
    if meta is None:
        return None
    stat = path.stat()
    return StoredThread(
        id=str(meta.get("id")),
        path=path,
        cwd=str(meta.get("cwd") or ""),
        created_at=_epoch(meta.get("timestamp"), stat.st_ctime),
        updated_at=int(stat.st_mtime),
        preview=preview,
        model_provider=str(meta.get("model_provider") or ""),
        model=model,
        originator=str(meta.get("originator") or ""),
        cli_version=str(meta.get("cli_version") or UPSTREAM_VERSION),
        first_turn_id=first_turn,
        forked_from=meta.get("forked_from_id"),
    )


# ferry: codex_rollout::list::get_threads @ 1d092cb66
def stored_threads(codex_home: Path) -> list[StoredThread]:
    """Every recorded thread with at least one user message, newest first."""
    found = [t for t in (read_stored_thread(p) for p in find_rollouts(codex_home)) if t]
    return sorted((t for t in found if t.preview), key=lambda t: (t.created_at, t.id), reverse=True)
