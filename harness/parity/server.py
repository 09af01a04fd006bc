"""The scripted model server, plus the one dynamic value a script cannot know in advance.

``exec_command`` answers a still-running process with ``Process running with session ID N``
where N is chosen at run time, and a scripted ``write_stdin`` must echo that N back. A
scenario writes ``session_id: $session`` and this server substitutes the most recent
session id seen in the request that asked for the answer.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

from pycodex.testing import MockResponsesServer, ScriptedResponse

#: what ``$session`` becomes in rendered arguments; swapped for digits at answer time.
SESSION_TOKEN = "__PARITY_SESSION_ID__"
SESSION_RE = re.compile(r"session ID (\d+)")


class ParityServer(MockResponsesServer):
    """A :class:`MockResponsesServer` that fills in ``$session`` from the latest request."""

    def _next(self, *args: Any) -> ScriptedResponse | None:
        # ``*args`` keeps this override valid whether or not the base passes the request.
        scripted = super()._next(*args)
        if scripted is None or SESSION_TOKEN not in scripted.body:
            return scripted
        session = self._latest_session_id()
        return replace(scripted, body=scripted.body.replace(SESSION_TOKEN, session or "0"))

    def _latest_session_id(self) -> str | None:
        with self._lock:
            latest = self.requests[-1] if self.requests else None
        if latest is None:
            return None
        found = SESSION_RE.findall(json.dumps(latest.input()))
        return found[-1] if found else None
