"""Session events as UI events: exec's ``item.*`` stream and the turn observer.

Imported by the worker when it opens a session (it pulls in the session core).
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pycodex.client import TokenUsage
from pycodex.core.observer import PatchChange, PatchEnd, TurnObserver
from pycodex.tui import events as ev
from pycodex.tui.text import strip_bash_lc

Post = Callable[[ev.UiEvent], None]


# ferry: codex_protocol::protocol::FileChange @ 1d092cb66
def file_diff(change: PatchChange, cwd: Path | None = None) -> ev.FileDiff:
    """A changed file for display: its path relative to ``cwd`` when it lies inside."""
    return ev.FileDiff(
        path=_shown(change.path, cwd),
        kind=change.kind,
        diff=change.diff,
        move_path=_shown(change.move_path, cwd) if change.move_path is not None else None,
    )


def _shown(path: Path, cwd: Path | None) -> str:
    if cwd is not None:
        try:
            return str(path.relative_to(cwd))
        except ValueError:
            pass
    return str(path)


# ferry: codex_tui::chatwidget::ChatWidget::handle_codex_event @ 1d092cb66 -- exec's item events
class UiSink:
    """exec's event stream (``item.*``) as UI events."""

    def __init__(self, post: Post) -> None:
        self._post = post

    # ferry: codex_tui::chatwidget::ChatWidget::handle_codex_event @ 1d092cb66
    def emit(self, event: dict[str, Any]) -> None:
        kind = event.get("type")
        item = event.get("item") if isinstance(event.get("item"), dict) else {}
        assert isinstance(item, dict)
        item_type = item.get("type")
        if kind == "item.started" and item_type == "command_execution":
            self._post(ev.CommandStarted(str(item.get("id")), _command(item)))
        elif kind == "item.completed" and item_type == "command_execution":
            self._post(
                ev.CommandFinished(
                    str(item.get("id")),
                    _command(item),
                    str(item.get("aggregated_output") or ""),
                    item.get("exit_code"),
                )
            )
        elif kind == "item.completed" and item_type == "agent_message":
            self._post(ev.AgentMessage(str(item.get("text") or "")))
        elif kind == "item.completed" and item_type == "reasoning":
            self._post(ev.Reasoning(str(item.get("text") or "")))
        elif kind == "item.completed" and item_type == "error":
            self._post(ev.InfoMessage(f"⚠ {item.get('message')}"))
        elif kind == "error":
            self._post(ev.ErrorMessage(str(event.get("message"))))
        elif kind == "context_compacted":
            self._post(ev.ContextCompacted())


def _command(item: dict[str, Any]) -> str:
    text = str(item.get("command") or "")
    try:
        return strip_bash_lc(shlex.split(text))
    except ValueError:
        return text


# ferry: codex_tui::chatwidget::ChatWidget::handle_codex_event @ 1d092cb66 -- deltas, patches, token counts
class UiObserver(TurnObserver):
    """The turn observer: streamed text, applied patches with their diffs, token counts."""

    def __init__(self, post: Post, cwd: Path | None = None) -> None:
        self._post = post
        self.cwd = cwd

    # ferry: codex_tui::chatwidget::ChatWidget::on_agent_message_delta @ 1d092cb66
    def text_delta(self, delta: str) -> None:
        self._post(ev.AgentDelta(delta))

    # ferry: codex_tui::chatwidget::ChatWidget::set_token_info @ 1d092cb66
    def usage(self, total: TokenUsage, last: TokenUsage) -> None:
        self._post(
            ev.TokensUpdated(
                total_tokens=total.total_tokens,
                input_tokens=total.input_tokens,
                output_tokens=total.output_tokens,
                cached_input_tokens=total.cached_input_tokens,
                tokens_in_window=last.total_tokens,
                context_window=0,
            )
        )

    # ferry: codex_tui::chatwidget::ChatWidget::on_patch_apply_end @ 1d092cb66
    def patch_end(self, event: PatchEnd) -> None:
        files = tuple(file_diff(c, self.cwd) for c in event.changes)
        self._post(ev.PatchApplied(files, event.status))
