"""The bookkeeping shared by one session tree: how many sub-agents are open, their nicknames.

codex counts every spawned (or resumed) agent against ``agents.max_threads`` until it is
closed, and gives each one a nickname drawn at random from the role's candidates (or the
built-in list of scientists and philosophers). When every candidate is taken the pool
starts over with ordinal suffixes: "Euclid the 2nd", "Euclid the 3rd", ...
"""

from __future__ import annotations

import random
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources


# ferry: port-only -- a spawn refused by the registry, reported to the model as the tool's output
class AgentLimitReached(Exception):
    def __init__(self) -> None:
        super().__init__("agent thread limit reached")


# ferry: codex_core::agent::control::default_agent_nickname_list @ 1d092cb66
@cache
def default_nicknames() -> tuple[str, ...]:
    text = resources.files("pycodex.core.agents").joinpath("agent_names.txt").read_text()
    return tuple(name.strip() for name in text.splitlines() if name.strip())


# ferry: codex_core::agent::registry::AgentMetadata @ 1d092cb66
@dataclass(frozen=True)
class AgentMetadata:
    thread_id: str
    nickname: str | None = None
    role: str | None = None
    last_task_message: str | None = None


# ferry: codex_core::agent::registry::format_agent_nickname @ 1d092cb66
def format_nickname(name: str, resets: int) -> str:
    if resets == 0:
        return name
    value = resets + 1
    if value % 100 in (11, 12, 13):
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(value % 10, "th")
    return f"{name} the {value}{suffix}"


# ferry: codex_core::agent::registry::AgentRegistry @ 1d092cb66
class AgentRegistry:
    """Open-agent count, nicknames in use and metadata, behind one lock."""

    def __init__(self, rng: random.Random | None = None) -> None:
        self._lock = threading.Lock()
        self._count = 0
        self._used: set[str] = set()
        self._resets = 0
        self._agents: dict[str, AgentMetadata] = {}
        self._rng = rng or random.Random()

    # ferry: codex_core::agent::registry::AgentRegistry::reserve_spawn_slot @ 1d092cb66
    def reserve_slot(self, max_threads: int | None) -> None:
        with self._lock:
            if max_threads is not None and self._count >= max_threads:
                raise AgentLimitReached()
            self._count += 1

    # ferry: codex_core::agent::registry::SpawnReservation::drop @ 1d092cb66
    def cancel_slot(self) -> None:
        """Give back a reserved slot whose spawn failed."""
        with self._lock:
            self._count -= 1

    # ferry: codex_core::agent::registry::AgentRegistry::reserve_agent_nickname @ 1d092cb66
    def reserve_nickname(self, candidates: Sequence[str], preferred: str | None = None) -> str:
        with self._lock:
            if preferred is not None:
                name = preferred
            else:
                free = [
                    n
                    for n in (format_nickname(c, self._resets) for c in candidates)
                    if n not in self._used
                ]
                if free:
                    name = self._rng.choice(free)
                else:
                    self._used.clear()
                    self._resets += 1
                    name = format_nickname(self._rng.choice(list(candidates)), self._resets)
            self._used.add(name)
            return name

    # ferry: codex_core::agent::registry::AgentRegistry::register_spawned_thread @ 1d092cb66
    def register(self, metadata: AgentMetadata) -> None:
        with self._lock:
            self._agents[metadata.thread_id] = metadata
            if metadata.nickname is not None:
                self._used.add(metadata.nickname)

    # ferry: codex_core::agent::registry::AgentRegistry::release_spawned_thread @ 1d092cb66
    def release(self, thread_id: str) -> None:
        with self._lock:
            if self._agents.pop(thread_id, None) is not None:
                self._count -= 1

    # ferry: codex_core::agent::registry::AgentRegistry::agent_metadata_for_thread @ 1d092cb66
    def metadata(self, thread_id: str) -> AgentMetadata | None:
        with self._lock:
            return self._agents.get(thread_id)

    # ferry: codex_core::agent::registry::AgentRegistry::update_last_task_message @ 1d092cb66
    def update_last_task_message(self, thread_id: str, message: str) -> None:
        with self._lock:
            current = self._agents.get(thread_id)
            if current is not None:
                self._agents[thread_id] = replace(current, last_task_message=message)
