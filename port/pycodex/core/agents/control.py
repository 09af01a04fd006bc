"""Running sub-agents: each one is an ordinary :class:`Session` turned by a worker thread.

One :class:`AgentControl` serves a whole session tree (the root creates it, children share
it). A spawned agent gets a fresh :class:`Session` (its own thread id, rollout and model
client), and a worker thread that runs one turn per input it is sent. Its status
(``pending_init`` -> ``running`` -> ``completed``/``errored``/``interrupted`` ...) is what
``wait_agent`` waits on; the first time it becomes final the parent gets a
``<subagent_notification>`` message, as in codex. Closing an agent shuts down its
subtree; closing the root shuts down every agent, so no child outlives its parent.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from pycodex.client import ModelClient
from pycodex.config.model import Config
from pycodex.core.agents import status as st
from pycodex.core.agents.registry import AgentMetadata, AgentRegistry, default_nicknames
from pycodex.core.agents.roles import DEFAULT_ROLE, resolve_role
from pycodex.core.agents.source import SubAgentSource
from pycodex.core.rollout import find_rollout_by_id, load_thread, uuid7
from pycodex.core.session import Session
from pycodex.errors import PycodexError

JsonObject = dict[str, Any]

#: how long closing waits for an agent's worker to finish its current step.
SHUTDOWN_JOIN_S = 30.0
#: how long an interrupt waits for the agent's turn to stop (a running tool finishes first).
INTERRUPT_WAIT_S = 60.0


# ferry: port-only -- collab failures reported to the model as the tool's output
class AgentNotFound(Exception):
    def __init__(self, thread_id: str) -> None:
        super().__init__(f"agent with id {thread_id} not found")


# ferry: port-only -- the exec event sink of a sub-agent: codex exec prints only the root thread
class NullSink:
    # ferry: port-only -- see class
    def emit(self, event: JsonObject) -> None:
        return None


# ferry: codex_core::session_prefix::format_subagent_notification_message @ 1d092cb66
def notification_message(agent_reference: str, status: st.AgentStatus) -> JsonObject:
    body = json.dumps(
        {"agent_path": agent_reference, "status": status.to_json()},
        separators=(",", ":"),
        ensure_ascii=False,
    )
    text = f"<subagent_notification>\n{body}\n</subagent_notification>"
    return {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}


@dataclass(frozen=True)
class _Input:
    message: JsonObject
    preview: str
    #: (parent turn id, root turn id) when the input was sent.
    origin: tuple[str, str]
    #: the text inputs joined: the turn's prompt as the state database records it.
    text: str


# ferry: codex_core::agent::control::LiveAgent @ 1d092cb66
@dataclass
class LiveAgent:
    """A running sub-agent: its session, status, queued inputs and worker thread."""

    session: Session
    parent: Session
    depth: int
    status: st.AgentStatus = st.PENDING_INIT
    inputs: deque[_Input] = field(default_factory=deque)
    stopping: bool = False
    #: one-shot: tells the parent when the agent first reaches a final status.
    watcher: Callable[[st.AgentStatus], None] | None = None
    worker: threading.Thread | None = None

    # ferry: port-only -- shorthand for the agent's session thread id
    @property
    def thread_id(self) -> str:
        return self.session.thread_id


# ferry: codex_core::agent::control::AgentControl @ 1d092cb66
class AgentControl:
    """Spawns, messages, waits for and closes the sub-agents of one session tree."""

    def __init__(self, root: Session) -> None:
        self.root = root
        self.registry = AgentRegistry()
        self._cond = threading.Condition()
        self._agents: dict[str, LiveAgent] = {}
        self._closed = False

    # ------------------------------------------------------------------ queries

    # ferry: codex_core::agent::control::AgentControl::get_status @ 1d092cb66
    def status(self, thread_id: str) -> st.AgentStatus:
        with self._cond:
            agent = self._agents.get(thread_id)
            return agent.status if agent is not None else st.NOT_FOUND

    # ferry: codex_core::agent::control::AgentControl::get_agent_metadata @ 1d092cb66
    def metadata(self, thread_id: str) -> AgentMetadata | None:
        return self.registry.metadata(thread_id)

    # ferry: codex_core::agent::control::AgentControl::get_agent_config_snapshot @ 1d092cb66
    def session(self, thread_id: str) -> Session | None:
        with self._cond:
            agent = self._agents.get(thread_id)
            return agent.session if agent is not None else None

    # ------------------------------------------------------------------ spawn

    # ferry: codex_core::agent::control::AgentControl::spawn_agent_with_metadata @ 1d092cb66
    def spawn(
        self,
        parent: Session,
        config: Config,
        message: JsonObject,
        preview: str,
        *,
        role: str | None,
        fork: bool,
        model_switch: str | None = None,
        text: str | None = None,
    ) -> LiveAgent:
        """Start a child of ``parent`` on ``config`` and hand it its first input.

        The returned agent is still ``pending_init``: its worker has not started the turn.
        ``AgentLimitReached`` when ``agents.max_threads`` agents are open.
        """
        depth = (parent.subagent.depth if parent.subagent is not None else 0) + 1
        self.registry.reserve_slot(self.root.config.agents.max_threads)
        try:
            role_config = resolve_role(config, role or DEFAULT_ROLE)
            candidates = (
                role_config.nickname_candidates
                if role_config is not None and role_config.nickname_candidates
                else default_nicknames()
            )
            nickname = self.registry.reserve_nickname(candidates)
            source = SubAgentSource(
                parent_thread_id=parent.thread_id,
                depth=depth,
                session_id=parent.session_id,
                nickname=nickname,
                role=role,
                forked=fork,
            )
            child = Session(
                config,
                _client_like(parent.client),
                NullSink(),
                hooks=parent.hooks.child_hooks(),
                surface=parent.surface,
                subagent=source,
                agents=self,
                forked_history=forked_history(parent.history) if fork else None,
                model_switch=model_switch,
                inherited_namespaces=parent.deferred_namespaces() if fork else None,
            )
            child.start()
        except BaseException:
            self.registry.cancel_slot()
            raise
        agent = LiveAgent(session=child, parent=parent, depth=depth)
        self.registry.register(
            AgentMetadata(thread_id=child.thread_id, nickname=nickname, role=role)
        )
        parent.hooks.spawn_edge(parent.thread_id, child.thread_id, "open")
        agent.watcher = self._notifier(parent, child.thread_id)
        with self._cond:
            self._agents[child.thread_id] = agent
            agent.inputs.append(
                _Input(message, preview, _origin(parent), preview if text is None else text)
            )
            self.registry.update_last_task_message(child.thread_id, preview)
        self._start_worker(agent)
        return agent

    # ferry: codex_core::agent::control::AgentControl::resume_agent_from_rollout @ 1d092cb66
    def resume(self, parent: Session, thread_id: str, config: Config) -> st.AgentStatus:
        """Bring a closed agent back from its rollout (idle until it gets input)."""
        with self._cond:
            live = self._agents.get(thread_id)
            if live is not None:
                return live.status
        home = config.codex_home
        path = find_rollout_by_id(home, thread_id) or find_rollout_by_id(
            home, thread_id, archived=True
        )
        if path is None:
            raise AgentNotFound(thread_id)
        try:
            resumed = load_thread(path)
        except PycodexError as exc:
            raise AgentNotFound(thread_id) from exc
        depth = (parent.subagent.depth if parent.subagent is not None else 0) + 1
        nickname, role = parent.hooks.agent_identity(thread_id) or (None, None)
        self.registry.reserve_slot(self.root.config.agents.max_threads)
        try:
            role_config = resolve_role(config, role or DEFAULT_ROLE)
            candidates = (
                role_config.nickname_candidates
                if role_config is not None and role_config.nickname_candidates
                else default_nicknames()
            )
            nickname = self.registry.reserve_nickname(candidates, preferred=nickname)
            source = SubAgentSource(
                parent_thread_id=parent.thread_id,
                depth=depth,
                session_id=parent.session_id,
                nickname=nickname,
                role=role,
            )
            child = Session(
                replace(config, base_instructions=None),
                _client_like(parent.client),
                NullSink(),
                resumed=resumed,
                hooks=parent.hooks.child_hooks(),
                surface=parent.surface,
                subagent=source,
                agents=self,
            )
            child.start()
        except BaseException:
            self.registry.cancel_slot()
            raise
        agent = LiveAgent(session=child, parent=parent, depth=depth)
        self.registry.register(
            AgentMetadata(thread_id=child.thread_id, nickname=nickname, role=role)
        )
        agent.watcher = self._notifier(parent, child.thread_id)
        with self._cond:
            self._agents[child.thread_id] = agent
        self._start_worker(agent)
        parent.hooks.spawn_edge(parent.thread_id, child.thread_id, "open")
        return self.status(child.thread_id)

    # ------------------------------------------------------------------ input

    # ferry: codex_core::agent::control::AgentControl::send_input @ 1d092cb66
    def send_input(
        self,
        sender: Session,
        thread_id: str,
        message: JsonObject,
        preview: str,
        *,
        text: str | None = None,
    ) -> tuple[str, st.AgentStatus]:
        """Deliver input: into the agent's running turn, else as its next turn.

        Returns the submission id and the agent's status right after delivery (before
        the worker picks a new turn up, as codex reports it).
        """
        with self._cond:
            agent = self._agents.get(thread_id)
            if agent is None or agent.stopping:
                raise AgentNotFound(thread_id)
            if not agent.session.inject_input([message]):
                agent.inputs.append(
                    _Input(message, preview, _origin(sender), preview if text is None else text)
                )
                self._cond.notify_all()
            self.registry.update_last_task_message(thread_id, preview)
            return uuid7(), agent.status

    # ferry: codex_core::agent::control::AgentControl::interrupt_agent @ 1d092cb66
    def interrupt(self, thread_id: str) -> None:
        """Stop the agent's running turn and wait until it has stopped."""
        with self._cond:
            agent = self._agents.get(thread_id)
            if agent is None or agent.stopping:
                raise AgentNotFound(thread_id)
            if not agent.session.interrupt():
                return
            deadline = time.monotonic() + INTERRUPT_WAIT_S
            while agent.status.kind == "running" and not agent.stopping:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return
                self._cond.wait(remaining)

    # ------------------------------------------------------------------ wait

    # ferry: codex_core::tools::handlers::multi_agents::wait::Handler::handle @ 1d092cb66 -- the waiting part
    def wait_final(
        self, thread_ids: Sequence[str], timeout_s: float
    ) -> list[tuple[str, st.AgentStatus]]:
        """The targets already final; else the first to become final (plus any other that
        is final by then); empty on timeout. Unknown ids count as ``not_found`` (final)."""
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while True:
                finals = []
                for thread_id in dict.fromkeys(thread_ids):
                    agent = self._agents.get(thread_id)
                    status = agent.status if agent is not None else st.NOT_FOUND
                    if status.is_final:
                        finals.append((thread_id, status))
                if finals:
                    return finals
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return []
                self._cond.wait(remaining)

    # ------------------------------------------------------------------ close

    # ferry: codex_core::agent::control::AgentControl::close_agent @ 1d092cb66
    def close(self, thread_id: str) -> st.AgentStatus:
        """Shut the agent and its open descendants down; the status it had before."""
        with self._cond:
            agent = self._agents.get(thread_id)
            if agent is None:
                raise AgentNotFound(thread_id)
            previous = agent.status
            subtree = [agent, *self._descendants(thread_id)]
        agent.parent.hooks.spawn_edge(agent.parent.thread_id, thread_id, "closed")
        self._shutdown(subtree)
        return previous

    # ferry: codex_core::thread_manager::ThreadManager::shutdown_all_threads_bounded @ 1d092cb66 -- children never outlive the root
    def shutdown_all(self) -> None:
        with self._cond:
            self._closed = True
            agents = list(self._agents.values())
        self._shutdown(agents)

    def _descendants(self, thread_id: str) -> list[LiveAgent]:
        found: list[LiveAgent] = []
        frontier = [thread_id]
        while frontier:
            current = frontier.pop()
            for agent in self._agents.values():
                if agent.parent.thread_id == current and agent not in found:
                    found.append(agent)
                    frontier.append(agent.thread_id)
        return found

    def _shutdown(self, agents: Sequence[LiveAgent]) -> None:
        with self._cond:
            for agent in agents:
                agent.stopping = True
                agent.session.interrupt()
            self._cond.notify_all()
        for agent in agents:
            if agent.worker is not None and agent.worker is not threading.current_thread():
                agent.worker.join(SHUTDOWN_JOIN_S)
            with self._cond:
                self._agents.pop(agent.thread_id, None)
            self.registry.release(agent.thread_id)

    # ------------------------------------------------------------------ worker

    def _start_worker(self, agent: LiveAgent) -> None:
        agent.worker = threading.Thread(
            target=self._work, args=(agent,), name=f"agent-{agent.thread_id}", daemon=True
        )
        agent.worker.start()

    # ferry: codex_core::session::handlers::submission_loop @ 1d092cb66 -- one turn per queued input
    def _work(self, agent: LiveAgent) -> None:
        session = agent.session
        try:
            while True:
                with self._cond:
                    while not agent.inputs and not agent.stopping:
                        self._cond.wait()
                    if agent.stopping:
                        break
                    job = agent.inputs.popleft()
                    agent.status = st.RUNNING
                    self._cond.notify_all()
                session.turn_origin = job.origin
                try:
                    outcome = session.run_turn(job.text, user_message=job.message)
                except Exception as exc:  # a bug in a child must not take the parent down
                    self._publish(agent, st.errored(f"{type(exc).__name__}: {exc}"))
                    continue
                if outcome.interrupted:
                    self._publish(agent, st.INTERRUPTED)
                elif outcome.error is not None:
                    self._publish(agent, st.errored(outcome.error))
                else:
                    self._publish(agent, st.completed(outcome.last_message))
        finally:
            try:
                session.close()
            finally:
                self._publish(agent, st.SHUTDOWN)

    def _publish(self, agent: LiveAgent, status: st.AgentStatus) -> None:
        """Set a status; the parent's notification is queued before any waiter can see it."""
        if status.is_final and agent.watcher is not None:
            watcher, agent.watcher = agent.watcher, None
            watcher(status)
        with self._cond:
            agent.status = status
            self._cond.notify_all()

    # ferry: codex_core::agent::control::AgentControl::maybe_start_completion_watcher @ 1d092cb66
    def _notifier(self, parent: Session, thread_id: str) -> Callable[[st.AgentStatus], None]:
        def notify(status: st.AgentStatus) -> None:
            parent.inject_or_record(notification_message(thread_id, status))

        return notify


def _origin(session: Session) -> tuple[str, str]:
    turn_id = session.current_turn_id
    return turn_id, session.root_turn_id(turn_id)


def _client_like(client: ModelClient) -> ModelClient:
    """A client of its own for the child (same provider and credentials)."""
    return ModelClient(client.provider, client.api_key, auth_headers=client.auth_headers)


# ferry: codex_core::agent::control::keep_forked_rollout_item @ 1d092cb66
def forked_history(history: Sequence[JsonObject]) -> list[JsonObject]:
    """What a ``fork_context`` child inherits: the messages, no tool traffic, and of the
    assistant's messages only final answers."""
    kept = []
    for item in history:
        if item.get("type") != "message":
            continue
        role = item.get("role")
        if role in ("system", "developer", "user") or (
            role == "assistant" and item.get("phase") == "final_answer"
        ):
            kept.append(dict(item))
    return kept
