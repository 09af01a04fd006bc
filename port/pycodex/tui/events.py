"""What the session worker tells the UI, as plain values (no Textual types).

The worker thread turns session events (exec's ``item.*`` stream, the turn observer's
deltas, approval requests) into these and hands them to the app, which renders them
on its own thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from concurrent.futures import Future


# ferry: codex_protocol::protocol::SessionConfiguredEvent @ 1d092cb66
@dataclass(frozen=True)
class SessionReady:
    """A session is ready for input: new, resumed or forked."""

    thread_id: str
    model: str
    reasoning_effort: str | None
    cwd: Path
    sandbox: str
    approval: str
    rollout_path: Path | None
    #: (role, text) of the conversation so far, for a resumed or forked thread
    transcript: tuple[tuple[str, str], ...] = ()
    context_window: int = 0
    tokens_in_window: int = 0
    total_tokens: int = 0


# ferry: codex_protocol::protocol::TurnStartedEvent @ 1d092cb66
@dataclass(frozen=True)
class TurnStarted:
    prompt: str


# ferry: codex_protocol::protocol::AgentMessageDeltaEvent @ 1d092cb66
@dataclass(frozen=True)
class AgentDelta:
    delta: str


# ferry: codex_protocol::protocol::AgentMessageEvent @ 1d092cb66
@dataclass(frozen=True)
class AgentMessage:
    text: str


# ferry: codex_protocol::protocol::AgentReasoningEvent @ 1d092cb66
@dataclass(frozen=True)
class Reasoning:
    text: str


# ferry: codex_protocol::protocol::ExecCommandBeginEvent @ 1d092cb66
@dataclass(frozen=True)
class CommandStarted:
    item_id: str
    command: str


# ferry: codex_protocol::protocol::ExecCommandEndEvent @ 1d092cb66
@dataclass(frozen=True)
class CommandFinished:
    item_id: str
    command: str
    output: str
    exit_code: int | None


# ferry: codex_protocol::protocol::FileChange @ 1d092cb66
@dataclass(frozen=True)
class FileDiff:
    """One file of a patch: ``kind`` add/delete/update and a unified diff (or the content)."""

    path: str
    kind: str
    diff: str
    move_path: str | None = None


# ferry: codex_protocol::protocol::PatchApplyEndEvent @ 1d092cb66
@dataclass(frozen=True)
class PatchApplied:
    files: tuple[FileDiff, ...]
    status: str  # completed | failed | declined


# ferry: codex_protocol::approvals::ExecApprovalRequestEvent @ 1d092cb66
@dataclass(frozen=True)
class CommandApprovalRequest:
    """The worker waits on ``answer`` for one of ``accept``, ``acceptForSession``,
    ``acceptWithExecpolicyAmendment`` or ``cancel``."""

    command: str
    cwd: Path
    reason: str | None
    amendment: tuple[str, ...] | None
    answer: Future[str] = field(compare=False)


# ferry: codex_protocol::approvals::ApplyPatchApprovalRequestEvent @ 1d092cb66
@dataclass(frozen=True)
class PatchApprovalRequest:
    files: tuple[FileDiff, ...]
    cwd: Path
    reason: str | None
    answer: Future[str] = field(compare=False)


# ferry: codex_protocol::protocol::TokenCountEvent @ 1d092cb66
@dataclass(frozen=True)
class TokensUpdated:
    total_tokens: int
    input_tokens: int
    output_tokens: int
    cached_input_tokens: int
    tokens_in_window: int
    context_window: int


# ferry: codex_protocol::protocol::ErrorEvent @ 1d092cb66
@dataclass(frozen=True)
class ErrorMessage:
    message: str


# ferry: codex_protocol::protocol::WarningEvent @ 1d092cb66
@dataclass(frozen=True)
class InfoMessage:
    """A line of information for the transcript (``•`` prefixed, dim)."""

    message: str


# ferry: codex_protocol::protocol::ContextCompactedEvent @ 1d092cb66
@dataclass(frozen=True)
class ContextCompacted:
    pass


# ferry: codex_protocol::protocol::TurnCompleteEvent @ 1d092cb66
@dataclass(frozen=True)
class TurnFinished:
    last_message: str | None
    error: str | None
    interrupted: bool
    duration_s: float


# ferry: port-only -- the session could not be started (bad config, missing key ...)
@dataclass(frozen=True)
class SessionFailed:
    message: str
    #: the first session of the UI could not start: the UI ends with the error
    fatal: bool = False


UiEvent = (
    SessionReady
    | TurnStarted
    | AgentDelta
    | AgentMessage
    | Reasoning
    | CommandStarted
    | CommandFinished
    | PatchApplied
    | CommandApprovalRequest
    | PatchApprovalRequest
    | TokensUpdated
    | ErrorMessage
    | InfoMessage
    | ContextCompacted
    | TurnFinished
    | SessionFailed
)


# ferry: port-only -- test and UI helper: the files a patch event names
def file_names(files: Sequence[FileDiff]) -> list[str]:
    return [f.path for f in files]
