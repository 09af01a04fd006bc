"""The scripted model server, plus the dynamic values a script cannot know in advance.

``exec_command`` answers a still-running process with ``Process running with session ID N``
where N is chosen at run time, and a scripted ``write_stdin`` must echo that N back. A
scenario writes ``session_id: $session`` and this server substitutes the most recent
session id seen in the request that asked for the answer.

With sub-agents several threads talk to the server at once. Each thread (its ``thread-id``
header) is bound to one conversation on its first request: the first thread is the root,
a later one the agent whose ``match`` marker is in that request's last user message. Every
request is answered from its own conversation's script, so the interleaving of threads
does not matter. ``$agent:NAME`` in scripted arguments becomes that agent's id, and a turn
with ``after`` is held until another conversation has sent enough requests.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from pycodex.testing import MockResponsesServer, ScriptedResponse
from pycodex.testing.mock_responses import RecordedRequest, Responder

from harness.parity.scenario import ROOT_CONVERSATION, After

#: what ``$session`` becomes in rendered arguments; swapped for digits at answer time.
SESSION_TOKEN = "__PARITY_SESSION_ID__"
SESSION_RE = re.compile(r"session ID (\d+)")
_AGENT_TOKEN_RE = re.compile(r"<<agent:([a-z0-9][a-z0-9_\-]*)>>")
#: the conversation of a thread no agent's marker matched (answered with an error).
UNMATCHED = "unmatched"
#: a held answer is released after this long even if its condition never came true (the
#: run then fails loudly instead of hanging); the wait ends as soon as it comes true.
AFTER_TIMEOUT_S = 120.0


def agent_token(name: str) -> str:
    """What ``$agent:NAME`` becomes in rendered arguments; swapped for the id at answer time."""
    return f"<<agent:{name}>>"


def _last_user_text(request: RecordedRequest) -> str:
    users = [
        item
        for item in request.input()
        if item.get("type") == "message" and item.get("role") == "user"
    ]
    return json.dumps(users[-1]) if users else ""


class ParityServer(MockResponsesServer):
    """A :class:`MockResponsesServer` that fills in ``$session`` (and ``$agent:NAME``) and,
    given ``conversations``, answers each thread from its own script."""

    def __init__(
        self,
        responses: Iterable[ScriptedResponse | str | Responder] = (),
        *,
        conversations: Mapping[str, Sequence[tuple[ScriptedResponse, After | None]]] | None = None,
        markers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(responses)
        self._conversations = (
            {name: list(steps) for name, steps in conversations.items()}
            if conversations is not None
            else None
        )
        self._markers = dict(markers or {})
        self._bound: dict[str, str] = {}
        self._counts: dict[str, int] = {}
        self._assigned: dict[int, str] = {}
        self._cond = threading.Condition()
        # A client that gives up on an answer (an interrupted sub-agent) is not an error.
        self._httpd.handle_error = lambda request, client_address: None  # type: ignore[method-assign]

    def conversation_of(self, request: RecordedRequest) -> str | None:
        """The conversation that answered ``request`` (``None`` without conversations)."""
        with self._cond:
            return self._assigned.get(id(request))

    def _next(self, *args: Any) -> ScriptedResponse | None:
        # ``*args`` keeps this override valid whether or not the base passes the request.
        if self._conversations is None or not args:
            scripted = super()._next(*args)
            if scripted is None or SESSION_TOKEN not in scripted.body:
                return scripted
            session = self._latest_session_id()
            return replace(scripted, body=scripted.body.replace(SESSION_TOKEN, session or "0"))
        request: RecordedRequest = args[0]
        return self._answer(request)

    def _answer(self, request: RecordedRequest) -> ScriptedResponse:
        assert self._conversations is not None
        with self._cond:
            name = self._bind(request)
            self._assigned[id(request)] = name
            self._counts[name] = self._counts.get(name, 0) + 1
            self._cond.notify_all()
            queue = self._conversations.get(name, [])
            step = queue.pop(0) if queue else None
        if step is None:
            return ScriptedResponse.error(
                500, f"mock server: no scripted response left for conversation {name!r}"
            )
        scripted, after = step
        if after is not None:
            with self._cond:
                ready = self._cond.wait_for(
                    lambda: self._counts.get(after.agent, 0) >= after.requests,
                    timeout=AFTER_TIMEOUT_S,
                )
            if not ready:
                return ScriptedResponse.error(
                    500,
                    f"mock server: {name!r} waited in vain for {after.requests} request(s) "
                    f"of {after.agent!r}",
                )
        body = scripted.body
        if SESSION_TOKEN in body:
            found = SESSION_RE.findall(json.dumps(request.input()))
            body = body.replace(SESSION_TOKEN, found[-1] if found else "0")
        body = _AGENT_TOKEN_RE.sub(lambda m: self._agent_id(request, m.group(1)), body)
        return replace(scripted, body=body)

    def _bind(self, request: RecordedRequest) -> str:
        thread = request.header("thread-id") or ""
        bound = self._bound.get(thread)
        if bound is not None:
            return bound
        if not self._bound:
            name = ROOT_CONVERSATION
        else:
            text = _last_user_text(request)
            matching = [n for n, marker in self._markers.items() if marker in text]
            name = matching[0] if matching else UNMATCHED
        self._bound[thread] = name
        return name

    def _agent_id(self, request: RecordedRequest, name: str) -> str:
        """The id spawn_agent returned for the agent whose task carries ``name``'s marker,
        as seen in this request; else the thread bound to ``name`` so far."""
        marker = self._markers.get(name, "\0")
        calls = {
            item.get("call_id")
            for item in request.input()
            if item.get("type") == "function_call"
            and item.get("name") == "spawn_agent"
            and marker in str(item.get("arguments", ""))
        }
        for item in request.input():
            if item.get("type") == "function_call_output" and item.get("call_id") in calls:
                try:
                    output = json.loads(str(item.get("output")))
                except json.JSONDecodeError:
                    continue
                if isinstance(output, dict) and isinstance(output.get("agent_id"), str):
                    return str(output["agent_id"])
        with self._cond:
            for thread, bound in self._bound.items():
                if bound == name:
                    return thread
        return f"unknown-agent-{name}"

    def _latest_session_id(self) -> str | None:
        with self._lock:
            latest = self.requests[-1] if self.requests else None
        if latest is None:
            return None
        found = SESSION_RE.findall(json.dumps(latest.input()))
        return found[-1] if found else None
