"""Who a sub-agent thread is: its parent, depth, nickname and role (``SessionSource::SubAgent``).

A :class:`SubAgentSource` travels with the child's :class:`~pycodex.core.session.Session`
and shapes what it sends and records: the root thread's id as ``session_id``, the parent
in request headers and turn metadata, ``source``/``thread_source`` in its rollout and row.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


# ferry: codex_protocol::protocol::SubAgentSource::ThreadSpawn @ 1d092cb66
@dataclass(frozen=True)
class SubAgentSource:
    parent_thread_id: str
    depth: int
    #: the root thread's id: every thread of one tree shares it as ``session_id``.
    session_id: str
    nickname: str | None = None
    role: str | None = None
    #: started from a copy of the parent's history (``fork_context``).
    forked: bool = False

    # ferry: codex_protocol::protocol::SessionSource @ 1d092cb66 -- serde shape of the thread-spawn source
    def to_json(self) -> dict[str, Any]:
        return {
            "subagent": {
                "thread_spawn": {
                    "parent_thread_id": self.parent_thread_id,
                    "depth": self.depth,
                    "agent_path": None,
                    "agent_nickname": self.nickname,
                    "agent_role": self.role,
                }
            }
        }

    # ferry: codex_state::model::thread_metadata::ThreadMetadata @ 1d092cb66 -- its source field: the threads.source column
    def column(self) -> str:
        return json.dumps(self.to_json(), separators=(",", ":"))


# ferry: codex_core::agent::registry::next_thread_spawn_depth @ 1d092cb66
def next_depth(source: SubAgentSource | None) -> int:
    return (source.depth if source is not None else 0) + 1
