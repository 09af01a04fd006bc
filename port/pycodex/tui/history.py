"""The composer's message history: ``$CODEX_HOME/history.jsonl``, shared with codex.

One ``{"session_id", "ts", "text"}`` object per line. Every submitted prompt is appended
in a single ``write`` on an ``O_APPEND`` descriptor under an exclusive ``flock`` (codex
does the same, so both may append to one file). Up/Down in an empty composer walk it,
newest first.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

HISTORY_FILENAME = "history.jsonl"


# ferry: codex_core::message_history::HistoryEntry @ 1d092cb66
@dataclass(frozen=True)
class HistoryEntry:
    session_id: str
    ts: int
    text: str


# ferry: codex_core::message_history::append_entry @ 1d092cb66
def append_entry(codex_home: Path, session_id: str, text: str) -> None:
    """Append one prompt to the history file (created owner-only, like codex's)."""
    line = json.dumps(
        {"session_id": session_id, "ts": int(time.time()), "text": text}, ensure_ascii=False
    )
    path = codex_home / HISTORY_FILENAME
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            os.write(fd, (line + "\n").encode("utf-8"))
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


# ferry: codex_core::message_history::history_metadata @ 1d092cb66
def load_entries(codex_home: Path, limit: int = 1000) -> list[HistoryEntry]:
    """The newest ``limit`` entries, oldest first; unreadable lines are skipped."""
    path = codex_home / HISTORY_FILENAME
    try:
        raw = path.read_bytes()
    except OSError:
        return []
    entries: list[HistoryEntry] = []
    for line in raw.decode("utf-8", "replace").splitlines()[-limit:]:
        with contextlib.suppress(ValueError):
            value = json.loads(line)
            if isinstance(value, dict) and isinstance(value.get("text"), str):
                entries.append(
                    HistoryEntry(
                        str(value.get("session_id") or value.get("conversation_id") or ""),
                        int(value.get("ts") or 0),
                        value["text"],
                    )
                )
    return entries


# ferry: codex_tui::bottom_pane::chat_composer_history::ChatComposerHistory @ 1d092cb66
@dataclass
class ComposerHistory:
    """Navigation over earlier prompts: the file's entries, then this session's."""

    persistent: list[str] = field(default_factory=list)
    local: list[str] = field(default_factory=list)
    _cursor: int | None = None

    # ferry: codex_tui::bottom_pane::chat_composer_history::ChatComposerHistory::total_entries @ 1d092cb66
    @property
    def entries(self) -> list[str]:
        return [*self.persistent, *self.local]

    # ferry: codex_tui::bottom_pane::chat_composer_history::ChatComposerHistory::record_local_submission @ 1d092cb66
    def record(self, text: str) -> None:
        if text and (not self.local or self.local[-1] != text):
            self.local.append(text)
        self._cursor = None

    # ferry: codex_tui::bottom_pane::chat_composer_history::ChatComposerHistory::navigate_up @ 1d092cb66
    def older(self) -> str | None:
        entries = self.entries
        if not entries:
            return None
        cursor = len(entries) if self._cursor is None else self._cursor
        if cursor == 0:
            return entries[0]
        self._cursor = cursor - 1
        return entries[self._cursor]

    # ferry: codex_tui::bottom_pane::chat_composer_history::ChatComposerHistory::navigate_down @ 1d092cb66
    def newer(self) -> str | None:
        """The next newer entry; ``""`` past the newest (back to an empty composer)."""
        if self._cursor is None:
            return None
        entries = self.entries
        self._cursor += 1
        if self._cursor >= len(entries):
            self._cursor = None
            return ""
        return entries[self._cursor]

    # ferry: codex_tui::bottom_pane::chat_composer_history::ChatComposerHistory::reset_navigation @ 1d092cb66
    def reset(self) -> None:
        self._cursor = None

    # ferry: codex_tui::bottom_pane::chat_composer_history::ChatComposerHistory::should_handle_navigation @ 1d092cb66
    @property
    def browsing(self) -> bool:
        return self._cursor is not None
