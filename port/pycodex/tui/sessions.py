"""Saved threads for the resume picker, newest first, from the state database or the rollouts."""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: thread sources codex lists in its picker unless asked for non-interactive ones too.
INTERACTIVE_SOURCES = ("cli", "vscode")


# ferry: codex_tui::resume_picker::Row @ 1d092cb66
@dataclass(frozen=True)
class SavedThread:
    thread_id: str
    path: Path
    updated_ms: int
    preview: str
    cwd: str
    source: str


# ferry: codex_tui::resume_picker::load_app_server_page @ 1d092cb66 -- state database first, rollouts as fallback
def saved_threads(
    codex_home: Path,
    sqlite_home: Path | None,
    *,
    cwd: Path | None,
    include_non_interactive: bool = False,
    limit: int = 200,
) -> list[SavedThread]:
    """Unarchived threads (of ``cwd`` unless ``None``), most recently updated first."""
    from pycodex.core.state.store import open_store

    sources = None if include_non_interactive else INTERACTIVE_SOURCES
    store, _problem = open_store(sqlite_home or codex_home)
    if store is not None:
        try:
            rows = store.list_threads(
                cwd=str(cwd) if cwd is not None else None, sources=sources, limit=limit
            )
        finally:
            store.close()
        return [
            SavedThread(
                r.id,
                Path(r.rollout_path),
                r.updated_at_ms,
                r.preview or r.first_user_message or r.title,
                r.cwd,
                r.source,
            )
            for r in rows
            if Path(r.rollout_path).is_file()
        ]
    return _from_rollouts(codex_home, cwd, sources, limit)


def _from_rollouts(
    codex_home: Path, cwd: Path | None, sources: tuple[str, ...] | None, limit: int
) -> list[SavedThread]:
    from pycodex.core.rollout import find_rollouts, iter_rollout
    from pycodex.errors import SessionError

    found: list[SavedThread] = []
    for path in reversed(find_rollouts(codex_home)):
        meta: dict[str, Any] = {}
        preview = ""
        with contextlib.suppress(SessionError, OSError):
            for index, line in enumerate(iter_rollout(path)):
                payload = line.get("payload")
                if not isinstance(payload, dict):
                    continue
                if line.get("type") == "session_meta" and not meta:
                    meta = payload
                if (
                    line.get("type") == "event_msg"
                    and payload.get("type") == "item_completed"
                    and isinstance(payload.get("item"), dict)
                    and payload["item"].get("type") == "UserMessage"
                ):
                    content = payload["item"].get("content") or [{}]
                    preview = str(content[0].get("text", ""))
                    break
                if index > 200:
                    break
        source = str(meta.get("source") or "")
        if sources is not None and source not in sources:
            continue
        if cwd is not None and meta.get("cwd") != str(cwd):
            continue
        found.append(
            SavedThread(
                str(meta.get("id") or ""),
                path,
                int(path.stat().st_mtime * 1000),
                preview,
                str(meta.get("cwd") or ""),
                source,
            )
        )
        if len(found) >= limit:
            break
    return found


# ferry: codex_tui::resume_picker::human_time_ago @ 1d092cb66
def time_ago(updated_ms: int, now_ms: int | None = None) -> str:
    """``21s ago``, ``5m ago``, ``2h ago``, ``3d ago``."""
    now = int(time.time() * 1000) if now_ms is None else now_ms
    seconds = max((now - updated_ms) // 1000, 0)
    if seconds < 60:
        return f"{seconds}s ago"
    if seconds < 3600:
        return f"{seconds // 60}m ago"
    if seconds < 86400:
        return f"{seconds // 3600}h ago"
    return f"{seconds // 86400}d ago"
