"""The life cycle of a sub-agent as its parent sees it (``AgentStatus``).

A status is *final* once the agent has an answer for its parent (completed, errored,
shut down, not found); ``pending_init``, ``running`` and ``interrupted`` are not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

StatusKind = Literal[
    "pending_init", "running", "interrupted", "completed", "errored", "shutdown", "not_found"
]


# ferry: codex_protocol::protocol::AgentStatus @ 1d092cb66
@dataclass(frozen=True)
class AgentStatus:
    kind: StatusKind
    #: the final answer of ``completed`` (may be ``None``) or the error of ``errored``.
    message: str | None = None

    # ferry: codex_core::agent::status::is_final @ 1d092cb66
    @property
    def is_final(self) -> bool:
        return self.kind not in ("pending_init", "running", "interrupted")

    # ferry: codex_protocol::protocol::AgentStatus @ 1d092cb66 -- serde: snake_case, data variants as objects
    def to_json(self) -> Any:
        """``"running"``, ``{"completed": msg}`` or ``{"errored": msg}``, as the tools return it."""
        if self.kind in ("completed", "errored"):
            return {self.kind: self.message}
        return self.kind

    # ferry: codex_app_server_protocol::protocol::v2::CollabAgentState @ 1d092cb66
    def state(self) -> dict[str, Any]:
        """The ``agents_states`` entry of a ``collab_tool_call`` item."""
        message = self.message if self.kind in ("completed", "errored") else None
        return {"status": self.kind, "message": message}


PENDING_INIT = AgentStatus("pending_init")
RUNNING = AgentStatus("running")
INTERRUPTED = AgentStatus("interrupted")
SHUTDOWN = AgentStatus("shutdown")
NOT_FOUND = AgentStatus("not_found")


# ferry: codex_protocol::protocol::AgentStatus::Completed @ 1d092cb66
def completed(message: str | None) -> AgentStatus:
    return AgentStatus("completed", message)


# ferry: codex_protocol::protocol::AgentStatus::Errored @ 1d092cb66
def errored(message: str) -> AgentStatus:
    return AgentStatus("errored", message)
