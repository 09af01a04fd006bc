"""Rollout files: one JSONL line per session record, as codex 0.169.0 writes them.

``$CODEX_HOME/sessions/YYYY/MM/DD/rollout-<ts>-<thread id>.jsonl``, each line
``{"timestamp", "ordinal", "type", "payload"}`` with ``type`` one of ``session_meta``,
``response_item``, ``turn_context``, ``world_state``, ``compacted``,
``token_usage_record`` and ``event_msg`` (``token_count`` events carry the running
usage that benchmark harnesses read). Lines are appended and flushed one at a time, so
a killed run leaves a readable prefix; a torn last line is skipped when reading.

Reading a rollout back (:func:`load_thread`) rebuilds what a resumed session needs:
the model-visible history (a ``compacted`` record replaces everything before it with
its ``replacement_history``), the token usage so far, the context-window number and
the next ordinal.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from pycodex.client.events import TokenUsage
from pycodex.core.agents.source import SubAgentSource
from pycodex.errors import SessionError

JsonObject = dict[str, Any]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _timestamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


# ferry: codex_rollout::recorder::RolloutRecorder @ 1d092cb66 -- 0.169.0: lines carry an ordinal
class RolloutRecorder:
    """Appends lines to one rollout file (or to nothing for ``--ephemeral`` runs)."""

    def __init__(self, path: Path | None, next_ordinal: int = 0) -> None:
        self.path = path
        self.next_ordinal = next_ordinal
        self._fh: IO[str] | None = None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._fh = open(path, "a", encoding="utf-8")  # noqa: SIM115 - closed in close()

    # ferry: codex_rollout::recorder::RolloutRecorder::new @ 1d092cb66
    @classmethod
    def create(cls, codex_home: Path, thread_id: str, ephemeral: bool) -> RolloutRecorder:
        if ephemeral:
            return cls(None)
        return cls(rollout_path_for(codex_home, thread_id))

    # ferry: codex_rollout::recorder::RolloutRecorder::record_items @ 1d092cb66
    def record(self, kind: str, payload: JsonObject) -> None:
        if self._fh is None:
            return
        line = {
            "timestamp": _timestamp(_now()),
            "ordinal": self.next_ordinal,
            "type": kind,
            "payload": payload,
        }
        self.next_ordinal += 1
        self._fh.write(json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n")
        self._fh.flush()

    # ferry: codex_rollout::recorder::RolloutRecorder::shutdown @ 1d092cb66
    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None


# ferry: codex_rollout::recorder::RolloutRecorder::new @ 1d092cb66 -- the file naming scheme
def rollout_path_for(codex_home: Path, thread_id: str, when: dt.datetime | None = None) -> Path:
    """``sessions/YYYY/MM/DD/rollout-YYYY-MM-DDThh-mm-ss-<id>.jsonl`` in local time."""
    now = when or dt.datetime.now()
    directory = codex_home / "sessions" / f"{now:%Y}" / f"{now:%m}" / f"{now:%d}"
    return directory / f"rollout-{now:%Y-%m-%dT%H-%M-%S}-{thread_id}.jsonl"


# ferry: codex_rollout::recorder::RolloutRecorder::load_rollout_items @ 1d092cb66
def iter_rollout(path: Path) -> Iterator[JsonObject]:
    """The lines of a rollout; a torn last line (a killed run) is skipped, a torn middle
    line is an error naming the file and line."""
    try:
        with open(path, encoding="utf-8") as fh:
            for number, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    value = json.loads(line)
                except ValueError as exc:
                    if fh.read(1) == "":
                        return  # a torn last line from a killed run
                    raise SessionError(f"{path}:{number}: invalid JSON in rollout: {exc}") from exc
                if isinstance(value, dict):
                    yield value
    except OSError as exc:
        raise SessionError(f"{path}: cannot read rollout: {exc.strerror}") from exc


# ferry: codex_rollout::list::get_threads @ 1d092cb66
def find_rollouts(codex_home: Path, *, archived: bool = False) -> list[Path]:
    """Rollout files, oldest first (by modification time, then name)."""
    root = codex_home / ("archived_sessions" if archived else "sessions")
    if not root.is_dir():
        return []
    pattern = "rollout-*.jsonl" if archived else "*/*/*/rollout-*.jsonl"
    return sorted(root.glob(pattern), key=lambda p: (p.stat().st_mtime, p.name))


# ferry: codex_rollout::list::find_thread_path_by_id_str @ 1d092cb66
def find_rollout_by_id(codex_home: Path, thread_id: str, *, archived: bool = False) -> Path | None:
    for path in reversed(find_rollouts(codex_home, archived=archived)):
        if path.stem.endswith(thread_id):
            return path
    return None


# ferry: codex_protocol::protocol::CompactedItem @ 1d092cb66
@dataclass
class ResumedThread:
    """What a rollout says about a thread, enough to continue it."""

    thread_id: str
    path: Path
    history: list[JsonObject]
    base_instructions: str | None = None
    cwd: str | None = None
    model_provider: str | None = None
    total_usage: TokenUsage = field(default_factory=TokenUsage)
    last_usage: TokenUsage | None = None
    window_number: int = 0
    context_window_id: str | None = None
    first_window_id: str | None = None
    next_ordinal: int = 0
    first_user_message: str | None = None
    forked_from: str | None = None
    forked_from_ordinal: int | None = None
    #: the model of the thread's latest turn (a resume with another model is a model switch).
    model: str | None = None


def _usage(value: Any) -> TokenUsage | None:
    if not isinstance(value, dict):
        return None
    return TokenUsage(
        input_tokens=int(value.get("input_tokens") or 0),
        cached_input_tokens=int(value.get("cached_input_tokens") or 0),
        output_tokens=int(value.get("output_tokens") or 0),
        reasoning_output_tokens=int(value.get("reasoning_output_tokens") or 0),
        total_tokens=int(value.get("total_tokens") or 0),
    )


def _message_text(item: JsonObject) -> str:
    return "".join(
        str(part.get("text", ""))
        for part in item.get("content") or []
        if isinstance(part, dict) and part.get("type") in ("input_text", "output_text")
    )


# ferry: codex_core::session::rollout_reconstruction::Session::reconstruct_history_from_rollout @ 1d092cb66
def load_thread(
    path: Path, *, stop_at_ordinal: int | None = None, seed: ResumedThread | None = None
) -> ResumedThread:
    """Rebuild a thread from its rollout (pycodex's or codex's).

    ``stop_at_ordinal`` reads only the lines before that ordinal (the part of a parent a
    fork inherits); ``seed`` is that inherited part, continued by this file's lines.
    """
    meta: JsonObject | None = None
    history: list[JsonObject] = list(seed.history) if seed is not None else []
    state = ResumedThread(thread_id="", path=path, history=history)
    if seed is not None:
        state.total_usage = seed.total_usage
        state.last_usage = seed.last_usage
        state.window_number = seed.window_number
        state.context_window_id = seed.context_window_id
        state.base_instructions = seed.base_instructions
        state.model = seed.model
    last_ordinal = -1
    for line in iter_rollout(path):
        kind = line.get("type")
        payload = line.get("payload")
        ordinal = line.get("ordinal")
        if isinstance(ordinal, int):
            if stop_at_ordinal is not None and ordinal >= stop_at_ordinal:
                break
            last_ordinal = max(last_ordinal, ordinal)
        else:
            last_ordinal += 1
            if stop_at_ordinal is not None and last_ordinal >= stop_at_ordinal:
                break
        if not isinstance(payload, dict):
            continue
        if kind == "session_meta" and meta is None:
            meta = payload
        elif kind == "turn_context" and isinstance(payload.get("model"), str):
            state.model = payload["model"]
        elif kind == "response_item":
            history.append(_strip_internal(payload))
        elif kind == "compacted":
            replacement = payload.get("replacement_history")
            if isinstance(replacement, list):
                history[:] = [_strip_internal(i) for i in replacement if isinstance(i, dict)]
            window = payload.get("window_number")
            if isinstance(window, int):
                state.window_number = window
            if isinstance(payload.get("window_id"), str):
                state.context_window_id = payload["window_id"]
        elif kind == "event_msg" and payload.get("type") == "token_count":
            info = payload.get("info")
            if isinstance(info, dict):
                state.total_usage = _usage(info.get("total_token_usage")) or state.total_usage
                state.last_usage = _usage(info.get("last_token_usage"))
    if meta is None:
        raise SessionError(f"{path}: rollout has no session_meta line")
    state.thread_id = str(meta.get("id") or meta.get("session_id"))
    base = meta.get("base_instructions")
    if isinstance(base, dict) and isinstance(base.get("text"), str):
        state.base_instructions = base["text"]
    state.cwd = meta.get("cwd") if isinstance(meta.get("cwd"), str) else None
    state.model_provider = meta.get("model_provider")
    window = meta.get("context_window")
    if isinstance(window, dict) and isinstance(window.get("window_id"), str):
        state.first_window_id = window["window_id"]
        state.context_window_id = state.context_window_id or window["window_id"]
    if isinstance(meta.get("forked_from_id"), str):
        state.forked_from = meta["forked_from_id"]
        cut = meta.get("forked_from_ordinal_exclusive")
        state.forked_from_ordinal = cut if isinstance(cut, int) else None
    if seed is not None and state.first_user_message is None:
        state.first_user_message = seed.first_user_message
    # Rollouts written by pycodex before 0.169 parity recorded the base instructions as
    # the first history item; codex keeps them in session_meta only.
    if (
        history
        and history[0].get("type") == "message"
        and history[0].get("role") == "developer"
        and (
            state.base_instructions is None or _message_text(history[0]) == state.base_instructions
        )
        and len(history[0].get("content") or []) == 1
        and not _message_text(history[0]).startswith("<")
    ):
        state.base_instructions = state.base_instructions or _message_text(history[0])
        del history[0]
    for item in history if state.first_user_message is None else ():
        if item.get("type") == "message" and item.get("role") == "user":
            text = _message_text(item)
            if not text.startswith(("<environment_context>", "# AGENTS.md instructions")):
                state.first_user_message = text
                break
    state.next_ordinal = last_ordinal + 1
    return state


#: keys codex stores beside history items in its rollout but never sends to a non-OpenAI model.
_INTERNAL_KEYS = ("internal_chat_message_metadata_passthrough",)


def _strip_internal(item: JsonObject) -> JsonObject:
    if not any(key in item for key in _INTERNAL_KEYS):
        return item
    return {k: v for k, v in item.items() if k not in _INTERNAL_KEYS}


# ferry: codex_protocol::protocol::SessionMeta @ 1d092cb66 -- 0.169.0: context_window, thread_source
def session_meta(
    thread_id: str,
    cwd: Path,
    model_provider: str,
    instructions: str | None,
    version: str,
    *,
    context_window_id: str | None = None,
    forked_from_id: str | None = None,
    forked_from_ordinal_exclusive: int | None = None,
    originator: str = "codex_exec",
    source: str = "exec",
    subagent: SubAgentSource | None = None,
) -> JsonObject:
    """The rollout's first record. A sub-agent (``subagent``) records the tree's session id,
    its parent and its spawn source instead of the front end's ``source``."""
    meta: JsonObject = {
        "session_id": subagent.session_id if subagent is not None else thread_id,
        "id": thread_id,
    }
    if subagent is not None:
        meta["parent_thread_id"] = subagent.parent_thread_id
    if forked_from_id is not None:
        meta["forked_from_id"] = forked_from_id
        meta["forked_from_ordinal_exclusive"] = forked_from_ordinal_exclusive
    meta |= {
        "timestamp": _timestamp(_now()),
        "cwd": str(cwd),
        "runtime_workspace_roots": [str(cwd)],
        "originator": originator,
        "cli_version": version,
        "source": subagent.to_json() if subagent is not None else source,
        "thread_source": "user" if subagent is None else "subagent",
    }
    if subagent is not None:
        if subagent.nickname is not None:
            meta["agent_nickname"] = subagent.nickname
        if subagent.role is not None:
            meta["agent_role"] = subagent.role
    meta |= {
        "model_provider": model_provider,
        "base_instructions": {"text": instructions} if instructions else None,
        "git": _git_info(cwd),
    }
    if context_window_id is not None:
        meta["context_window"] = {"window_id": context_window_id}
    return meta


def _git_info(cwd: Path) -> JsonObject | None:
    head = cwd / ".git" / "HEAD"
    try:
        ref = head.read_text().strip()
    except OSError:
        return None
    branch = ref.removeprefix("ref: refs/heads/") if ref.startswith("ref:") else None
    return {"branch": branch} if branch else {}


# ferry: codex_protocol::thread_id::ThreadId::new @ 1d092cb66
def uuid7() -> str:
    """A UUIDv7 (time-ordered) string, the id format of upstream threads."""
    ms = int(_now().timestamp() * 1000)
    rand = int.from_bytes(os.urandom(10), "big")
    value = (ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= (rand >> 68 & 0xFFF) << 64
    value |= 0b10 << 62
    value |= rand & ((1 << 62) - 1)
    h = f"{value:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
