"""Rollout files: one JSONL line per session event, as the Rust binary writes them.

``$CODEX_HOME/sessions/YYYY/MM/DD/rollout-<ts>-<thread id>.jsonl``, each line
``{"timestamp", "type", "payload"}`` with ``type`` one of ``session_meta``,
``response_item``, ``turn_context`` and ``event_msg`` (``token_count`` events
carry the usage that benchmark harnesses read). Lines are appended and flushed
one at a time so a killed run leaves a readable prefix.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from pycodex.errors import SessionError


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _timestamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class RolloutRecorder:
    """Appends lines to one rollout file (or to nothing for ``--ephemeral`` runs)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._fh: IO[str] | None = None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._fh = open(path, "a", encoding="utf-8")  # noqa: SIM115 - closed in close()

    @classmethod
    def create(cls, codex_home: Path, thread_id: str, ephemeral: bool) -> RolloutRecorder:
        if ephemeral:
            return cls(None)
        now = dt.datetime.now()
        directory = codex_home / "sessions" / f"{now:%Y}" / f"{now:%m}" / f"{now:%d}"
        return cls(directory / f"rollout-{now:%Y-%m-%dT%H-%M-%S}-{thread_id}.jsonl")

    def record(self, kind: str, payload: dict[str, Any]) -> None:
        if self._fh is None:
            return
        line = {"timestamp": _timestamp(_now()), "type": kind, "payload": payload}
        self._fh.write(json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n")
        self._fh.flush()

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None


def iter_rollout(path: Path) -> Iterator[dict[str, Any]]:
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


def find_rollouts(codex_home: Path) -> list[Path]:
    root = codex_home / "sessions"
    if not root.is_dir():
        return []
    return sorted(root.glob("*/*/*/rollout-*.jsonl"), key=lambda p: (p.stat().st_mtime, p.name))


def find_rollout(codex_home: Path, session: str | None, *, last: bool) -> Path:
    """The rollout of ``session`` (an id or a path), or the newest one with ``last``."""
    if session and Path(session).is_file():
        return Path(session)
    candidates = find_rollouts(codex_home)
    if last and not session:
        if not candidates:
            raise SessionError(f"no recorded session to resume under {codex_home / 'sessions'}")
        return candidates[-1]
    if session:
        for path in reversed(candidates):
            if path.stem.endswith(session):
                return path
        raise SessionError(f"no session with id {session} under {codex_home / 'sessions'}")
    raise SessionError("resume needs a session id or --last")


def _latest_cwd(path: Path) -> str | None:
    """The cwd of the thread's newest turn (its session_meta cwd before any turn)."""
    latest: str | None = None
    for line in iter_rollout(path):
        payload = line.get("payload")
        if isinstance(payload, dict) and line.get("type") in ("session_meta", "turn_context"):
            cwd = payload.get("cwd")
            if isinstance(cwd, str):
                latest = cwd
    return latest


# ferry: codex_exec::resolve_resume_thread_id @ 1d092cb66 -- over rollout files (no state db)
def find_resume_rollout(
    codex_home: Path, session: str | None, *, last: bool, cwd: Path, all_cwds: bool
) -> Path | None:
    """The rollout ``exec resume`` continues; ``None`` starts a new thread, as upstream.

    ``--last`` takes the most recently updated thread whose latest turn ran in ``cwd``
    (any directory with ``--all``); an id selects that thread.
    """
    candidates = find_rollouts(codex_home)
    if last:
        for path in reversed(candidates):
            latest = _latest_cwd(path)
            if all_cwds or (latest is not None and _same_dir(Path(latest), cwd)):
                return path
        return None
    if not session:
        return None
    if Path(session).is_file():
        return Path(session)
    for path in reversed(candidates):
        if path.stem.endswith(session):
            return path
    # the words of the app-server request exec makes (`thread/resume`), as codex prints them
    raise SessionError(
        "thread/resume: thread/resume failed: no rollout found for thread id "
        f"{session} (code -32600)"
    )


def _same_dir(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return a == b


# ferry: port-only -- what exec resume needs back from a rollout
@dataclass(frozen=True)
class RecordedThread:
    thread_id: str
    items: list[dict[str, Any]]
    base_instructions: str | None = None
    model: str | None = None


def load_history(path: Path) -> RecordedThread:
    """The thread id, base instructions, last model and response items recorded in a rollout."""
    thread_id: str | None = None
    base: str | None = None
    model: str | None = None
    items: list[dict[str, Any]] = []
    for line in iter_rollout(path):
        payload = line.get("payload") or {}
        if line.get("type") == "turn_context" and isinstance(payload, dict):
            model = str(payload.get("model") or model)
        if line.get("type") == "session_meta" and thread_id is None:
            thread_id = str(payload.get("id") or payload.get("session_id"))
            recorded = payload.get("base_instructions")
            if isinstance(recorded, dict) and isinstance(recorded.get("text"), str):
                base = recorded["text"]
        elif line.get("type") == "response_item" and isinstance(payload, dict):
            items.append(payload)
    if thread_id is None:
        raise SessionError(f"{path}: rollout has no session_meta line")
    return RecordedThread(thread_id, items, base, model)


def session_meta(
    thread_id: str, cwd: Path, model_provider: str, instructions: str | None, version: str
) -> dict[str, Any]:
    return {
        "id": thread_id,
        "session_id": thread_id,
        "timestamp": _timestamp(_now()),
        "cwd": str(cwd),
        "originator": "codex_exec",
        "cli_version": version,
        "source": "exec",
        "model_provider": model_provider,
        "base_instructions": {"text": instructions} if instructions else None,
        "git": _git_info(cwd),
    }


def _git_info(cwd: Path) -> dict[str, Any] | None:
    head = cwd / ".git" / "HEAD"
    try:
        ref = head.read_text().strip()
    except OSError:
        return None
    branch = ref.removeprefix("ref: refs/heads/") if ref.startswith("ref:") else None
    return {"branch": branch} if branch else {}


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
