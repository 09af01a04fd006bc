"""What a turn does, as it happens, for front ends richer than ``exec --json``.

``exec`` needs only its own event stream (:class:`pycodex.core.session.EventSink`). The app
server shows more: the model's item ids, text and reasoning deltas as they stream, each
command's call id, cwd and output chunks, patches, token counts. The session core reports
those through a :class:`TurnObserver` (a no-op by default) and asks an
:class:`ApprovalHandler`, when one is given, before running what the policy says needs
the user's approval -- instead of refusing it as ``exec`` does. One agent loop serves both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from pycodex.client import TokenUsage

JsonObject = dict[str, Any]


# ferry: codex_protocol::protocol::ExecCommandBeginEvent @ 1d092cb66 -- 0.169.0: source and process id
@dataclass(frozen=True)
class ExecBegin:
    """A command is about to run (``approved`` says whether the user was asked first)."""

    call_id: str
    argv: tuple[str, ...]
    command: str  # as shown to the user (shell-quoted argv)
    cwd: Path
    process_id: int | None = None


# ferry: codex_protocol::protocol::ExecCommandEndEvent @ 1d092cb66
@dataclass(frozen=True)
class ExecEnd:
    call_id: str
    exit_code: int | None
    aggregated_output: str
    duration_s: float
    status: str  # completed | failed | declined
    process_id: int | None = None


# ferry: codex_protocol::protocol::FileChange @ 1d092cb66
@dataclass(frozen=True)
class PatchChange:
    """One file a patch touches: ``kind`` add/delete/update, ``diff`` as upstream shows it."""

    path: Path
    kind: str
    diff: str
    move_path: Path | None = None
    #: the texts before and after (``None`` where the file does not exist)
    old_content: str | None = None
    new_content: str | None = None


# ferry: codex_protocol::protocol::PatchApplyBeginEvent @ 1d092cb66
@dataclass(frozen=True)
class PatchBegin:
    call_id: str
    changes: tuple[PatchChange, ...]


# ferry: codex_protocol::protocol::PatchApplyEndEvent @ 1d092cb66
@dataclass(frozen=True)
class PatchEnd:
    call_id: str
    status: str  # completed | failed | declined
    changes: tuple[PatchChange, ...] = field(default_factory=tuple)


# ferry: port-only -- observer seam between the session core and the app server
class TurnObserver:
    """Receives a turn's fine-grained events; every method is a no-op here."""

    # ferry: codex_protocol::protocol::EventMsg::ItemStarted @ 1d092cb66
    def item_added(self, item: JsonObject) -> None:
        """The model started an output item (``response.output_item.added``)."""

    # ferry: codex_protocol::protocol::EventMsg::AgentMessageDelta @ 1d092cb66
    def text_delta(self, delta: str) -> None:
        """More text of the assistant message being streamed."""

    # ferry: codex_protocol::protocol::EventMsg::ReasoningContentDelta @ 1d092cb66
    def reasoning_delta(
        self, delta: str, *, summary_index: int | None, content_index: int | None
    ) -> None:
        """More reasoning text: of summary part ``summary_index`` or raw part ``content_index``."""

    # ferry: codex_protocol::protocol::EventMsg::ItemCompleted @ 1d092cb66
    def item_done(self, item: JsonObject) -> None:
        """A finished output item (messages, reasoning, tool calls, ...)."""

    # ferry: codex_protocol::protocol::EventMsg::TokenCount @ 1d092cb66
    def usage(self, total: TokenUsage, last: TokenUsage) -> None:
        """A response completed and reported its token usage."""

    # ferry: codex_protocol::protocol::EventMsg::ExecCommandBegin @ 1d092cb66
    def exec_begin(self, event: ExecBegin) -> None:
        """A command was started."""

    # ferry: codex_protocol::protocol::EventMsg::ExecCommandOutputDelta @ 1d092cb66
    def exec_output(self, call_id: str, chunk: str) -> None:
        """Output of a running command."""

    # ferry: codex_protocol::protocol::EventMsg::ExecCommandEnd @ 1d092cb66
    def exec_end(self, event: ExecEnd) -> None:
        """A command finished (or was declined)."""

    # ferry: codex_protocol::protocol::EventMsg::PatchApplyBegin @ 1d092cb66
    def patch_begin(self, event: PatchBegin) -> None:
        """A patch is about to be applied."""

    # ferry: codex_protocol::protocol::EventMsg::PatchApplyEnd @ 1d092cb66
    def patch_end(self, event: PatchEnd) -> None:
        """A patch was applied, failed or was declined."""

    # ferry: codex_protocol::protocol::EventMsg::ReasoningContentDelta @ 1d092cb66
    def reasoning_part_added(self, summary_index: int) -> None:
        """The reasoning summary being streamed starts part ``summary_index``."""

    # ferry: codex_protocol::protocol::EventMsg::StreamError @ 1d092cb66
    def stream_error(self, attempt: int, max_retries: int, error: Exception) -> None:
        """Request ``attempt`` of ``max_retries`` failed with ``error`` and will be retried."""


# ferry: port-only -- approval seam: the app server asks its client, exec refuses
class ApprovalHandler(Protocol):
    """Asks the user whether a command or patch the policy does not allow may run.

    Each returns the client's decision: ``accept``, ``acceptForSession``, ``decline``
    or ``cancel`` (decline and stop the turn).
    """

    # ferry: codex_core::session::Session::request_command_approval @ 1d092cb66
    def approve_command(
        self,
        call_id: str,
        argv: Sequence[str],
        command: str,
        cwd: Path,
        reason: str | None,
        amendment: Sequence[str] | None,
    ) -> str: ...

    # ferry: codex_core::session::Session::request_patch_approval @ 1d092cb66
    def approve_patch(
        self, call_id: str, changes: Sequence[PatchChange], reason: str | None
    ) -> str: ...


#: the observer used when nobody listens.
NULL_OBSERVER = TurnObserver()
